"""Route 2, R1-Zero: pure RL (GRPO) from the base model with rule-based accuracy and format rewards.

Stages per seed: GRPO on the task's train split (`reasoncraft train grpo`; the quick preset is the GRPO
quickstart, configs/r1_zero_quickstart.yaml), then the held-out evaluation of the trained model.
"""

from __future__ import annotations

from .common import evaluation, grpo
from .settings import RecipeConfig
from .stages import Stage


def stages(c: RecipeConfig, seed: int) -> tuple[list[Stage], dict]:
    train = grpo(c, f"r1-zero/seed{seed}/grpo", seed, c.rl_steps, c.rl_rewards, c.rl_reward_weights)
    held_out = evaluation(c, f"r1-zero/seed{seed}/eval", model_from=train.name)
    return [train, held_out], {"eval": held_out.name}
