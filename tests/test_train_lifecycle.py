"""The training run lifecycle (train/run.py) driven by a toy trainer on a tiny random model: it starts, logs,
evaluates, checkpoints, is stopped, resumes exactly, and finishes with every output a trainer promises."""

import doctest
import json
import time
from dataclasses import dataclass

import pytest
import torch
import yaml

from reasoncraft.config import ConfigError, RunSection
from reasoncraft.testing import tiny_model
from reasoncraft.train import run as lifecycle
from reasoncraft.train.checkpoint import CheckpointError
from reasoncraft.train.run import TrainingRun

STEPS, ROWS, LENGTH = 4, 2, 12


@dataclass
class ToyConfig(RunSection):
    """A trainer's config composes the shared run section, which is what the lifecycle reads."""

    model: str = "tiny"
    learning_rate: float = 1e-2
    eval_task: str = "arith-sum-2d"
    eval_split: str = "test"
    eval_problems: int = 2


class Stop(Exception):
    pass


def train_toy(config: ToyConfig, *, resume=None, stop_after: int | None = None, evaluated: list | None = None) -> tuple:
    """A complete trainer in the shape GRPO and SFT have: next-token loss on random token rows.
    `evaluated` collects which held-out evaluations ran."""
    from reasoncraft.backends import HFBackend
    from reasoncraft.tasks import get_task
    from reasoncraft.train.held_out import held_out_eval

    run = TrainingRun("train toy", config, resume=resume, one_process=True, log=lambda message: None)
    model, tokenizer = tiny_model("llama")
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1 + step))
    data = run.start(
        model, optimizer, scheduler, model_id=config.model, parameters=sum(p.numel() for p in model.parameters())
    )
    position = data["rows_seen"] if data else 0
    backend, task = HFBackend(model, tokenizer, model_id=config.model), get_task(config.eval_task)

    def evaluate(when, folder):
        if evaluated is not None:
            evaluated.append(when)
        return held_out_eval(
            backend,
            task,
            split=config.eval_split,
            limit=config.eval_problems,
            template=None,
            max_new_tokens=4,
            out_dir=folder,
            command=f"train toy: held-out evaluation {when}",
        )

    run.held_out("before", evaluate, step=0)
    model.train()
    for step in range(run.step + 1, STEPS + 1):
        started = time.perf_counter()
        # drawn from the global torch RNG, so the resumed run matches only if the checkpoint restored it
        ids = torch.randint(3, len(tokenizer), (ROWS, LENGTH))  # (B, T)
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        position += ROWS
        run.log_step(
            {"step": step, "loss": float(loss.detach()), "lr": scheduler.get_last_lr()[0]},
            seconds=time.perf_counter() - started,
            training_tokens=ids.numel(),
        )
        if step == stop_after:
            raise Stop(step)
        run.checkpoint(step, last_step=STEPS, data={"rows_seen": position})
    model.eval()
    run.held_out("after", evaluate, step=STEPS)
    return model, run.finish(tokenizer, steps=STEPS, plot_keys=("loss", "lr"), rows_seen=position)


def rows(path):
    return [
        {k: v for k, v in json.loads(line).items() if k != "train_seconds"} for line in path.read_text().splitlines()
    ]


def test_start_log_checkpoint_stop_resume_finish(tmp_path):
    straight = ToyConfig(out_dir=str(tmp_path / "straight"), save_steps=2, num_threads=1)
    model_a, summary_a = train_toy(straight)

    config = ToyConfig(out_dir=str(tmp_path / "resumed"), save_steps=2, num_threads=1)
    with pytest.raises(Stop):
        train_toy(config, stop_after=3)  # step 3 is logged, then the process "dies" before its next checkpoint
    out = tmp_path / "resumed"
    assert [r["step"] for r in rows(out / "metrics.jsonl")] == [1, 2, 3]
    assert (out / "checkpoints" / "latest").read_text().strip() == "step-000002"
    evaluated = []
    model_b, summary = train_toy(config, resume=str(out), evaluated=evaluated)
    assert evaluated == ["after"]  # the evaluation before training came back with the checkpoint, not run again

    # exact resume: the same metrics step for step (the killed run's step 3 replaced) and the same weights
    assert rows(out / "metrics.jsonl") == rows(tmp_path / "straight" / "metrics.jsonl")
    assert [r["step"] for r in rows(out / "metrics.jsonl")] == [1, 2, 3, 4]
    assert all(torch.equal(a, b) for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values()))
    assert summary["rows_seen"] == summary_a["rows_seen"] == STEPS * ROWS  # the data position came back

    # the folder holds what every trainer promises
    assert yaml.safe_load((out / "config.yaml").read_text())["save_steps"] == 2
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["latest", "step-000002", "step-000004"]
    state = json.loads((out / "checkpoints" / "step-000004" / "state.json").read_text())
    assert state["step"] == 4 and state["data"] == {"rows_seen": 8} and set(state["evaluation"]) == {"before"}
    for when in ("before", "after"):
        assert json.loads((out / "eval" / when / "summary.json").read_text())[0]["problems"] == 2
        assert summary["evaluation"][when]["problems"] == 2
    assert (out / "metrics.png").stat().st_size > 1000
    card = (out / "model" / "README.md").read_text()
    assert "`reasoncraft train toy`" in card and "held-out `arith-sum-2d`" in card
    from reasoncraft.models import load_model

    saved, _ = load_model(str(out / "model"), device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(model_b.state_dict().values(), saved.state_dict().values()))
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["final_metrics"]["step"] == 4 and on_disk["steps"] == 4 and on_disk["model"] == str(out / "model")
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "train toy" and record["train"]["rows_seen"] == 8
    # the tokens of the steps before the stop are counted once, as in the uninterrupted run
    assert record["tokens"]["training"] == STEPS * ROWS * LENGTH
    assert record["tokens"] == json.loads((tmp_path / "straight" / "run.json").read_text())["tokens"]


def test_mistakes_are_refused_before_anything_is_written(tmp_path, monkeypatch):
    config = ToyConfig(out_dir=str(tmp_path / "run"))
    with pytest.raises(CheckpointError, match="does not exist"):
        TrainingRun("train toy", config, resume=str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="torchrun --nproc_per_node"):
        TrainingRun("train toy", config, sharded=True)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ConfigError, match="train toy runs on one process"):
        TrainingRun("train toy", config, one_process=True)
    assert not (tmp_path / "run").exists()


def test_module_doctests():
    assert doctest.testmod(lifecycle).failed == 0
