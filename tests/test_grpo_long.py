"""Long completions end to end: DAPO's overlong filtering with the soft penalty and dynamic sampling, the
completion-length curves, and the long-length preset."""

import json
from pathlib import Path

import pytest
import torch

from helpers import run, tiny_config
from reasoncraft.config import load_config
from reasoncraft.samples import ScoredSample
from reasoncraft.testing import tiny_model
from reasoncraft.train.grpo import length_metrics, policy_update
from reasoncraft.train.grpo_batch import Rollout
from reasoncraft.train.grpo_config import GRPOConfig


def _rollout(group: int, length: int, finish: str, advantage: float) -> Rollout:
    torch.manual_seed(length * 7 + group)
    ids = torch.randint(20, 300, (length,)).tolist()
    sample = ScoredSample("p", "t", "q", "text", ids, 3, length, finish, None, 0.0, None)
    return Rollout(group, [5, 6, 7], ids, [], sample=sample, advantage=advantage)


def _gradient_after_update(rollouts: list[Rollout], config: GRPOConfig) -> list[torch.Tensor]:
    model, tok = tiny_model("llama")
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in params]
    optimizer = torch.optim.SGD(params, lr=1.0)  # the step is minus the gradient (max_grad_norm 0: no clipping)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    policy_update(model, None, rollouts, config, optimizer, scheduler, params, tok.pad_token_id, True, 16)
    return [b - p.detach() for b, p in zip(before, params)]


def test_overlong_filtering_trains_as_if_cut_off_completions_were_absent():
    """dapo loss: with cut-off completions masked, the gradient is the one of the finished completions alone."""
    everything = [
        _rollout(0, 5, "stop", 1.0),
        _rollout(0, 8, "length", -0.5),
        _rollout(0, 3, "stop", -0.5),
        _rollout(0, 8, "length", 0.0),
    ]
    finished = [r for r in everything if r.finish_reason == "stop"]
    common = dict(
        loss_type="dapo", batch_size=4, num_generations=4, micro_batch_size=4, max_completion_length=8, max_grad_norm=0
    )
    masked = _gradient_after_update(everything, GRPOConfig(mask_truncated_completions=True, **common))
    alone = _gradient_after_update(
        finished,
        GRPOConfig(**{**common, "batch_size": 2, "num_generations": 2, "micro_batch_size": 2}),
    )
    unmasked = _gradient_after_update(everything, GRPOConfig(**common))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(masked, alone))
    assert not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(masked, unmasked))


def test_overlong_filtering_soft_penalty_and_dynamic_sampling_train_together(tmp_path):
    """Completions cut at 6 tokens: the penalty lowers their reward, they add no tokens to the loss, and groups
    without signal are refilled; metrics carry the length curves."""
    config = tiny_config(
        tmp_path,
        steps=3,
        loss_type="dapo",
        epsilon_high=0.28,
        dynamic_sampling=True,
        overlong_buffer=2,
        mask_truncated_completions=True,
        scale_rewards="none",
    )
    _, summary = run(config)
    rows = [json.loads(line) for line in (Path(tmp_path) / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3]
    for row in rows:
        for key in ("completion_length_min", "completion_length_median", "terminated_length_mean", "clipped_share"):
            assert key in row
        assert row["completion_length_min"] <= row["completion_length_median"] <= row["completion_length_max"]
        if not row.get("no_groups"):
            # only completions that ended on their own carry loss
            assert row["train_tokens"] <= row["groups_trained"] * 4 * 6
    # the tiny random model runs to the limit often: at least one step cut completions off and trained on fewer
    # tokens than it sampled
    assert any(r.get("clipped_share", 0) > 0 for r in rows)


def test_length_metrics():
    assert length_metrics([4, 10, 6], [True, False, True]) == {
        "completion_length_mean": pytest.approx(20 / 3),
        "completion_length_min": 4,
        "completion_length_median": 6,
        "completion_length_max": 10,
        "clipped_share": pytest.approx(1 / 3),
        "terminated_length_mean": 5.0,
    }
    assert length_metrics([8, 8], [False, False])["terminated_length_mean"] == 0.0


def test_the_long_preset_is_a_valid_long_dapo_config():
    config = load_config(GRPOConfig, "configs/r1_zero_long.yaml")
    assert config.max_completion_length >= 1024
    assert config.logprob_chunk_tokens > 0 and config.gradient_checkpointing
    assert config.dynamic_sampling and config.overlong_buffer and config.mask_truncated_completions
    assert config.loss_type == "dapo" and config.beta == 0
