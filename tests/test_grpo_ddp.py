"""GRPO under torchrun with 2 CPU processes (gloo): same code, identical weights on every process, and
one step on 2 processes x 1 prompt equals one step on 1 process x 2 prompts."""

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

_SCRIPT = textwrap.dedent("""
    import os, sys, torch
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from test_grpo_trainer import run, tiny_config
    world = int(os.environ.get("WORLD_SIZE", "1"))
    # the global batch is fixed: 2 prompts x 4 completions, split over the processes
    model, summary = run(tiny_config(Path({tmp!r}) / f"world{{world}}", steps=2, batch_size=8 // world, num_generations=4,
                                     micro_batch_size=8 // world, save_steps=-1, max_grad_norm=0.0, learning_rate=1e-2),
                         reward=lambda completions, **fields: [float(len(c)) for c in completions])
    rank = int(os.environ.get("RANK", "0"))
    torch.save({{k: v.detach().clone() for k, v in model.state_dict().items()}}, Path({tmp!r}) / f"weights-{{world}}-{{rank}}.pt")
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_gloo_processes_match_one_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path)))
    single = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr[-2000:]
    launched = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port()), str(script)],
        capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert launched.returncode == 0, launched.stderr[-3000:]
    rank0, rank1 = torch.load(tmp_path / "weights-2-0.pt"), torch.load(tmp_path / "weights-2-1.pt")
    assert all(torch.equal(rank0[k], rank1[k]) for k in rank0)  # the processes stay in lockstep
    from reasoncraft.testing import tiny_model

    initial = tiny_model("llama")[0].state_dict()
    assert sum(not torch.equal(initial[k], rank0[k]) for k in rank0) > len(rank0) // 2  # the steps moved the weights
    # Same global batch, same samples: the averaged gradient is the one-process gradient. (Weights are not
    # compared: Adam's first step is lr * sign(g), which turns rounding noise in near-zero entries into lr.)
    one = [json.loads(line) for line in (tmp_path / "world1" / "run" / "metrics.jsonl").read_text().splitlines()]
    two = [json.loads(line) for line in (tmp_path / "world2" / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in two] == [1, 2]
    first_one, first_two = one[0], two[0]
    assert first_two["reward"] == pytest.approx(first_one["reward"], rel=1e-6)
    assert first_two["grad_norm"] == pytest.approx(first_one["grad_norm"], rel=1e-4)
    assert first_two["loss"] == pytest.approx(first_one["loss"], rel=1e-4, abs=1e-7)
