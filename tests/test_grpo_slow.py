"""GRPO on the real default model (slow tier): two short steps, the sampler's log-probs are the trainer's."""

import pytest

from reasoncraft.train.grpo import train_grpo
from reasoncraft.train.grpo_config import GRPOConfig


@pytest.mark.slow
def test_two_steps_on_the_default_model(tmp_path):
    config = GRPOConfig(
        steps=2,
        batch_size=8,
        num_generations=4,
        micro_batch_size=8,
        max_completion_length=16,
        eval_problems=0,
        save_steps=-1,
        save_model=False,
        log_samples_steps=0,
        num_threads=1,
        out_dir=str(tmp_path / "run"),
    )
    summary = train_grpo(config, log=lambda m: None)
    row = summary["final_metrics"]
    assert row["step"] == 2
    # mu = 1 trains on the sampler's own distribution: no recomputation, and no gap between the two
    assert row["logprob_gap"] < 1e-3
    assert 0 <= row["reward"] <= 1 and row["completion_length_max"] <= 16
