"""Launching the trainers: `accelerate launch` with the shipped config runs `reasoncraft train grpo` on 2 CPU
processes; launches that the trainers cannot honour (FSDP, DeepSpeed, multi-process SFT) are refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import free_port
from reasoncraft.config import ConfigError
from reasoncraft.train import distributed
from reasoncraft.train.sft import train_sft
from reasoncraft.train.sft_config import SFTConfig

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.dist
def test_accelerate_launch_with_the_shipped_config_trains_on_two_processes(tmp_path):
    pytest.importorskip("accelerate")
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--config_file",
        str(ROOT / "configs" / "accelerate" / "multi_gpu.yaml"),
        "--num_processes",
        "2",
        "--main_process_port",
        str(free_port()),
        "-m",
        "reasoncraft.cli",
        "train",
        "grpo",
        f"model={tmp_path / 'tiny'}",
        "steps=2",
        "batch_size=4",
        "num_generations=2",
        "micro_batch_size=4",
        "max_completion_length=4",
        "eval_problems=2",
        "learning_rate=1e-2",
        "save_steps=-1",
        "num_threads=1",
        "log_samples_steps=0",
        "device=cpu",
        f"out_dir={out}",
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2]  # one process writes the log
    # each process samples 2 steps x 4 completions of <= 4 tokens (at most 32); the record sums over processes
    assert json.loads((out / "run.json").read_text())["tokens"]["completion"] > 32
    summary = json.loads((out / "summary.json").read_text())
    assert summary["evaluation"]["after"]["problems"] == 2
    assert (out / "model" / "model.safetensors").exists() and (out / "model" / "README.md").exists()


@pytest.mark.parametrize("variable, name", [("ACCELERATE_USE_FSDP", "FSDP"), ("ACCELERATE_USE_DEEPSPEED", "DeepSpeed")])
def test_a_sharded_launch_is_refused_not_silently_replicated(monkeypatch, variable, name):
    monkeypatch.setenv(variable, "true")
    with pytest.raises(RuntimeError, match=f"do not use accelerate.s {name} plugin.*multi_gpu.yaml.*fsdp=true"):
        distributed.init()


def test_sft_refuses_several_processes(monkeypatch, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ConfigError, match="train sft runs on one process"):
        train_sft(SFTConfig(model="tiny", datasets=["x.jsonl"], out_dir=str(tmp_path / "run")), log=lambda m: None)
    assert not (tmp_path / "run").exists()
