"""GRPO and the PRM trainer log the learning rate each step used, not the scheduler's next one (as SFT,
tests/test_sft_lr_paths.py): with 2 warm-up steps and linear decay over 4 the rates are 0.5, 1, 1, 0.5 x lr;
the next step's rates would read 1, 1, 0.5, 0."""

from __future__ import annotations

import json

import pytest

from helpers import run, tiny_config
from reasoncraft.train.optim import lr_factor

EXPECTED = [1e-3 * lr_factor(step, 2, 4, "linear") for step in range(4)]


def logged(path) -> list[float]:
    return [json.loads(line)["lr"] for line in path.read_text().splitlines() if "lr" in json.loads(line)]


def test_the_schedule_is_the_one_the_tests_expect():
    assert EXPECTED == pytest.approx([5e-4, 1e-3, 1e-3, 5e-4])


def test_grpo_logs_the_rate_each_step_used(tmp_path):
    config = tiny_config(tmp_path, steps=4, learning_rate=1e-3, warmup_steps=2, lr_schedule="linear")
    run(config)
    assert logged(tmp_path / "run" / "metrics.jsonl") == pytest.approx(EXPECTED)


def test_prm_logs_the_rate_each_step_used(tmp_path):
    from reasoncraft.testing import tiny_model
    from reasoncraft.train.prm import train_prm
    from test_prm_train import config, quiet

    model, tokenizer = tiny_model("llama", seed=1)
    settings = config(tmp_path, max_steps=4, learning_rate=1e-3, warmup_steps=2, lr_schedule="linear")
    train_prm(settings, model=model, tokenizer=tokenizer, log=quiet)
    assert logged(tmp_path / "run" / "metrics.jsonl") == pytest.approx(EXPECTED)
