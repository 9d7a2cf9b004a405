"""The optimizer every trainer builds from its optimizer section (`train.optim.optimizer_for`): the same AdamW and
schedule as `build_optimizer` called by hand, over the trainable parameters only, and the one path that GRPO, SFT
and PRM training take (the block each of them wrote before)."""

from __future__ import annotations

import functools
import json

import pytest
import torch

import reasoncraft.train.grpo as grpo
import reasoncraft.train.optim as optim
import reasoncraft.train.prm as prm
import reasoncraft.train.sft as sft
from helpers import MEMORISE, sevens, tiny_config, write_jsonl
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_model
from reasoncraft.train.prm_config import PRMConfig
from reasoncraft.train.sft_config import SFTConfig


def test_optimizer_for_is_build_optimizer_over_the_trainable_parameters():
    model, _ = tiny_model("llama")
    model.get_input_embeddings().weight.requires_grad_(False)  # a frozen tensor is left out
    config = SFTConfig(
        learning_rate=3e-3, weight_decay=0.1, adam_beta1=0.8, adam_beta2=0.95, warmup_steps=2, lr_schedule="linear"
    )
    params, optimizer, scheduler = optim.optimizer_for(model, config, total_steps=6)
    expected = [p for p in model.parameters() if p.requires_grad]
    assert len(params) == len(expected) and all(a is b for a, b in zip(params, expected))
    group = optimizer.param_groups[0]
    assert (group["weight_decay"], group["betas"]) == (0.1, (0.8, 0.95))
    assert all(p is not model.get_input_embeddings().weight for p in group["params"])
    rates = []
    for _ in range(6):  # the schedule a hand-built optimizer follows: warm-up over 2 steps, then linear decay
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([3e-3 * optim.lr_factor(s, 2, 6, "linear") for s in range(6)])


class _Built(Exception):
    """Stops a trainer once its optimizer is built."""


@pytest.mark.parametrize("trainer", ["grpo", "sft", "prm"])
def test_every_trainer_builds_its_optimizer_through_optimizer_for(trainer, tmp_path, monkeypatch):
    calls = []

    def spy(model, settings, total_steps):
        calls.append((model, settings, total_steps, optim.optimizer_for(model, settings, total_steps)))
        raise _Built

    model, tokenizer = tiny_model("llama")
    out = str(tmp_path / "run")
    if trainer == "grpo":
        monkeypatch.setattr(grpo, "optimizer_for", spy)
        config = tiny_config(tmp_path, steps=3)
        run = functools.partial(grpo.train_grpo, task=get_task("arith-sum-2d"), reward_fns=[sevens])
    elif trainer == "sft":
        monkeypatch.setattr(sft, "optimizer_for", spy)
        data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
        config = SFTConfig(datasets=[str(data)], max_seq_length=64, micro_batch_tokens=256, max_steps=3, out_dir=out)
        run = sft.train_sft
    else:
        monkeypatch.setattr(prm, "optimizer_for", spy)
        row = {"problem_id": "p", "question": "1+1?", "answer": "2", "separator": "\n\n", "solution": "1 + 1 = 2",
               "steps": ["1 + 1 = 2"], "hard": [1], "soft": [1.0], "correct": True}  # fmt: skip
        labels = tmp_path / "labels.jsonl"
        labels.write_text("".join(json.dumps({**row, "problem_id": f"p{i}", "key": f"k{i}"}) + "\n" for i in range(4)))
        config = PRMConfig(
            labels=[str(labels)], max_steps=3, batch_size=2, micro_batch_size=2, eval_fraction=0, out_dir=out
        )
        run = prm.train_prm
    with pytest.raises(_Built):
        run(config, model=model, tokenizer=tokenizer, log=lambda m: None)
    [(trained, settings, total_steps, (params, optimizer, _))] = calls
    assert settings is config and total_steps == 3  # GRPO: steps x mu optimizer steps
    assert optimizer.param_groups[0]["lr"] == config.learning_rate
    trainable = [p for p in trained.parameters() if p.requires_grad]
    assert len(params) == len(trainable) and all(a is b for a, b in zip(params, trainable))
    assert isinstance(optimizer, torch.optim.AdamW)
