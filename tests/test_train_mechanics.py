"""Shared trainer mechanics: atomic checkpoints, config loading, metrics log, LR schedule, NaN-guarded step."""

import json
import math

import pytest
import torch

from reasoncraft.config import ConfigError, load_config, save_config
from reasoncraft.testing import tiny_model
from reasoncraft.train.checkpoint import CheckpointError, load_checkpoint, resolve_checkpoint, save_checkpoint
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.metrics import MetricsLog, plot_metrics, reflection_rate
from reasoncraft.train.optim import build_optimizer, guarded_step, lr_factor


def _trained_state(seed=0):
    model, _ = tiny_model("llama", seed=seed)
    optimizer, scheduler = build_optimizer(model.parameters(), 1e-3, 0.0, (0.9, 0.99), 2, 10, "cosine")
    out = model(input_ids=torch.tensor([[1, 2, 3]]))
    out.logits.sum().backward()
    optimizer.step()
    scheduler.step()
    return model, optimizer, scheduler


def test_checkpoint_round_trip_restores_everything(tmp_path):
    model, optimizer, scheduler = _trained_state()
    torch.manual_seed(123)
    save_checkpoint(
        tmp_path,
        7,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        state={"data": {"epoch": 1, "index": 5}},
        config_yaml="steps: 9\n",
    )
    expected_draw = torch.rand(3)
    fresh, _ = tiny_model("llama", seed=1)
    opt2, sched2 = build_optimizer(fresh.parameters(), 1e-3, 0.0, (0.9, 0.99), 2, 10, "cosine")
    state = load_checkpoint(tmp_path, model=fresh, optimizer=opt2, scheduler=sched2)
    assert state["step"] == 7 and state["data"] == {"epoch": 1, "index": 5}
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), fresh.state_dict().values()))
    assert sched2.last_epoch == scheduler.last_epoch
    assert torch.equal(opt2.state_dict()["state"][0]["exp_avg"], optimizer.state_dict()["state"][0]["exp_avg"])
    assert torch.equal(torch.rand(3), expected_draw)  # the torch RNG continues where it was saved
    assert (tmp_path / "step-000007" / "config.yaml").read_text() == "steps: 9\n"
    assert (tmp_path / "step-000007" / "model" / "config.json").exists()  # a Hugging Face folder


def test_latest_pointer_and_retention(tmp_path):
    model, optimizer, scheduler = _trained_state()
    for step in (1, 2, 3):
        save_checkpoint(
            tmp_path, step, model=model, optimizer=optimizer, scheduler=scheduler, state={}, config_yaml="", keep=2
        )
    assert (tmp_path / "latest").read_text().strip() == "step-000003"
    assert sorted(p.name for p in tmp_path.glob("step-*")) == ["step-000002", "step-000003"]
    assert resolve_checkpoint(tmp_path).name == "step-000003"
    assert resolve_checkpoint(tmp_path / "step-000002").name == "step-000002"


def test_resolve_fails_loudly(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        resolve_checkpoint(tmp_path / "missing")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        resolve_checkpoint(tmp_path)
    (tmp_path / "latest").write_text("step-000009\n")
    with pytest.raises(CheckpointError, match="missing or incomplete"):
        resolve_checkpoint(tmp_path)


def test_config_round_trip_and_errors(tmp_path):
    config = load_config(GRPOConfig, None, ["steps=3", "rewards=[accuracy, format]", "reward_weights=[1.0, 0.5]"])
    path = save_config(config, tmp_path / "config.yaml")
    assert load_config(GRPOConfig, path) == config
    with pytest.raises(ConfigError, match="one weight per reward"):
        load_config(GRPOConfig, None, ["reward_weights=[1.0, 0.5]"])
    with pytest.raises(ConfigError, match="key=value"):
        load_config(GRPOConfig, None, ["steps"])
    with pytest.raises(ConfigError, match="not a valid int"):
        load_config(GRPOConfig, None, ["steps=many"])
    with pytest.raises(ConfigError, match="micro_batch_size must divide batch_size"):
        GRPOConfig(batch_size=16, micro_batch_size=5)
    with pytest.raises(ConfigError, match="scale_rewards=none"):
        GRPOConfig(advantage="reinforce")
    assert GRPOConfig(batch_size=32, num_generations=8, micro_batch_size=8).derived()["accumulation_steps"] == 4


def test_metrics_log_truncates_on_resume(tmp_path):
    log = MetricsLog(tmp_path / "m.jsonl")
    for step in range(1, 5):
        log.write({"step": step, "reward": step / 10, "loss": float("nan")})
    assert json.loads((tmp_path / "m.jsonl").read_text().splitlines()[0])["loss"] == "nan"
    resumed = MetricsLog(tmp_path / "m.jsonl", resume_step=2)
    assert [r["step"] for r in resumed.read()] == [1, 2]
    assert plot_metrics(resumed.read(), tmp_path / "m.png", ["reward", "absent"]).stat().st_size > 1000


def test_reflection_rate():
    assert reflection_rate(["Wait, 3 + 4 = 7", "Answer: 7", "Let me check again", "waiting room"]) == 0.5


def test_lr_schedule():
    assert [lr_factor(s, 2, 6, "constant") for s in range(4)] == [0.5, 1.0, 1.0, 1.0]
    assert lr_factor(2, 2, 6, "cosine") == pytest.approx(1.0)
    assert lr_factor(4, 2, 6, "cosine") == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown lr schedule"):
        lr_factor(3, 0, 6, "step")


def test_guarded_step_skips_non_finite():
    p = torch.nn.Parameter(torch.ones(2))
    optimizer, scheduler = build_optimizer([p], 0.1, 0.0, (0.9, 0.99), 0, 10, "constant")
    p.grad = torch.tensor([float("nan"), 1.0])
    stepped, norm = guarded_step(optimizer, scheduler, [p], 1.0, loss_value=0.5)
    assert not stepped and math.isnan(norm) and torch.equal(p.data, torch.ones(2)) and p.grad is None
    p.grad = torch.tensor([3.0, 4.0])
    stepped, norm = guarded_step(optimizer, scheduler, [p], 1.0, loss_value=float("inf"))
    assert not stepped and norm == pytest.approx(5.0)
    p.grad = torch.tensor([3.0, 4.0])
    stepped, _ = guarded_step(optimizer, scheduler, [p], 1.0, loss_value=0.5)
    assert stepped and not torch.equal(p.data, torch.ones(2))
