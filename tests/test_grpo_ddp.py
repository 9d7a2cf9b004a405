"""GRPO under torchrun with 2 CPU processes (gloo): same code, identical weights on every process, and
one step on 2 processes x 1 prompt equals one step on 1 process x 2 prompts."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from helpers import free_port

_SCRIPT = textwrap.dedent("""
    import os, sys, torch
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from helpers import run, tiny_config
    world = int(os.environ.get("WORLD_SIZE", "1"))
    # the global batch is fixed: 2 prompts x 4 completions, split over the processes
    model, summary = run(tiny_config(Path({tmp!r}) / f"world{{world}}", steps=2, batch_size=8 // world,
                                     num_generations=4, micro_batch_size=8 // world, save_steps=-1, max_grad_norm=0.0,
                                     learning_rate=1e-2),
                         reward=lambda completions, **fields: [float(len(c)) for c in completions])
    rank = int(os.environ.get("RANK", "0"))
    weights = {{k: v.detach().clone() for k, v in model.state_dict().items()}}
    torch.save(weights, Path({tmp!r}) / f"weights-{{world}}-{{rank}}.pt")
""")


@pytest.mark.dist
def test_two_gloo_processes_match_one_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path)))
    single = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr[-2000:]
    launched = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            str(free_port()),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )
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


_SHARDED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from helpers import run, tiny_config
    steps, resume = int(sys.argv[1]), sys.argv[2] or None
    world = int(os.environ.get("WORLD_SIZE", "1"))  # one process: the same global batch, unsharded
    config = tiny_config(Path({tmp!r}) / sys.argv[3], steps=steps, batch_size=8 // world, num_generations=4,
                         micro_batch_size=8 // world, save_steps=1, max_grad_norm=1.0, learning_rate=1e-2,
                         fsdp=world > 1, save_model=True)
    run(config, reward=lambda completions, **fields: [float(len(c)) for c in completions], resume=resume)
""")


def _launch(script, *args):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            str(free_port()),
            str(script),
            *map(str, args),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _metrics(folder):
    rows = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    return [
        {k: v for k, v in r.items() if k not in ("step_time", "generation_time", "tokens_per_s", "train_seconds")}
        for r in rows
    ]


@pytest.mark.dist
def test_fsdp_on_two_gloo_processes_trains_checkpoints_and_resumes(tmp_path):
    """fsdp=true shards the model over 2 CPU processes: its first step equals one unsharded process on the
    same global batch, it writes full checkpoints and a normal model folder, and a run resumed from its
    step-1 checkpoint gives the uninterrupted run's step-2 metrics."""
    script = tmp_path / "sharded.py"
    script.write_text(_SHARDED.format(tests=str(Path(__file__).parent), tmp=str(tmp_path)))
    _launch(script, 2, "", "full")
    full = tmp_path / "full" / "run"
    single = subprocess.run(
        [sys.executable, str(script), "1", "", "single"], capture_output=True, text=True, timeout=300
    )
    assert single.returncode == 0, single.stderr[-2000:]
    _launch(script, 1, "", "part")
    _launch(script, 2, tmp_path / "part" / "run" / "checkpoints" / "step-000001", "part")
    resumed = _metrics(tmp_path / "part" / "run")
    uninterrupted = _metrics(full)
    assert [r["step"] for r in resumed] == [1, 2] and len(uninterrupted) == 2
    for key in ("reward", "loss", "grad_norm"):
        assert resumed[1][key] == pytest.approx(uninterrupted[1][key], rel=1e-5, abs=1e-7), key
    from reasoncraft.models import load_model
    from reasoncraft.testing import tiny_model

    trained, _ = load_model(str(full / "model"), device="cpu")  # a normal Hugging Face folder, full tensors
    initial = tiny_model("llama")[0].state_dict()
    weights = trained.state_dict()
    assert all(weights[k].shape == initial[k].shape for k in initial)
    assert sum(not torch.equal(initial[k], weights[k]) for k in initial) > len(initial) // 2
    assert uninterrupted[0]["grad_norm"] > 0
    one = _metrics(tmp_path / "single" / "run")[0]  # same global batch on one unsharded process
    for key in ("reward", "loss", "grad_norm"):
        assert uninterrupted[0][key] == pytest.approx(one[key], rel=1e-4, abs=1e-7), key


def test_fsdp_on_one_process_is_refused_with_the_fix(tmp_path):
    from helpers import run, tiny_config
    from reasoncraft.config import ConfigError

    with pytest.raises(ConfigError, match="torchrun --nproc_per_node"):
        run(tiny_config(tmp_path, fsdp=True))
