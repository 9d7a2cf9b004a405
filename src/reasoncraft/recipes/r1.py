"""Route 3, DeepSeek-R1 (arXiv 2501.12948, section 2.3): cold start, reasoning RL, rejection sampling + SFT, RL.

Stages per seed, every stage's model folder and data kept:

1. cold-start data: traces sampled from the r1-zero route's model (or a given teacher: a model, a server, or
   the task's own solver with `cold_start_teacher=solver`, for a base that r1-zero cannot teach, as the
   default model on Countdown), kept only when verified correct and readable (the data engine's readability
   and language-consistency filters);
2. SFT of the base model on them;
3. reasoning RL (GRPO) from that model with the accuracy rewards plus language consistency;
4. rejection sampling from that checkpoint into new SFT data;
5. SFT of the base model on it, mixed with `general_share` of non-reasoning data: the base model's own
   replies to the general prompts shipped with reasoncraft (R1 mixed ~600K reasoning and ~200K other);
6. a final RL stage (GRPO) from that model; then the held-out evaluation.

A data stage that keeps fewer than `min_sft_examples` examples stops the recipe, naming what to change.
"""

from __future__ import annotations

from .common import evaluation, general_replies, grpo, sampled_data, sft
from .settings import RecipeConfig
from .stages import Stage


def stages(c: RecipeConfig, seed: int) -> tuple[list[Stage], dict]:
    zero: list[Stage] = []
    if c.cold_start_teacher == "r1-zero":
        zero = [grpo(c, f"r1-zero/seed{seed}/grpo", seed, c.rl_steps, c.rl_rewards, c.rl_reward_weights)]
    cold = sampled_data(
        c,
        f"r1/seed{seed}/cold-start-data",
        seed,
        teacher=c.solver if c.cold_start_teacher == "solver" else c.cold_start_teacher,
        teacher_from=zero[0].name if zero else None,
        base_url=c.cold_start_base_url,
        problems=c.cold_start_problems,
        k=c.cold_start_k,
        sized_by="cold_start_problems, cold_start_k",
        fix="train r1-zero longer (rl_steps) so that it solves some problems, sample more (cold_start_problems, "
        "cold_start_k), or name a stronger teacher (cold_start_teacher=MODEL)",
    )
    rewards = [*c.rl_rewards, "language_consistency"]
    weights = [*(c.rl_reward_weights or [1.0] * len(c.rl_rewards)), c.language_reward_weight]
    sft_cold = sft(c, f"r1/seed{seed}/sft-cold-start", seed, cold.name)
    rl = grpo(c, f"r1/seed{seed}/rl-reasoning", seed, c.r1_rl_steps, rewards, weights, sft_cold.name, "r1_rl_steps")
    rejected = sampled_data(
        c,
        f"r1/seed{seed}/rejection-data",
        seed,
        teacher="rl-reasoning",
        teacher_from=rl.name,
        problems=c.rejection_problems,
        k=c.rejection_k,
        sized_by="rejection_problems, rejection_k",
        fix="raise r1_rl_steps or rejection_problems / rejection_k, so that the RL checkpoint solves enough problems",
    )
    general = general_replies(c)
    sft_mixed = sft(c, f"r1/seed{seed}/sft-mixed", seed, rejected.name, general=general.name)
    final_steps = c.final_rl_steps
    final = grpo(c, f"r1/seed{seed}/rl-final", seed, final_steps, rewards, weights, sft_mixed.name, "final_rl_steps")
    held_out = evaluation(c, f"r1/seed{seed}/eval", model_from=final.name)
    chain = [*zero, cold, sft_cold, rl, rejected, general, sft_mixed, final, held_out]
    return chain, {"eval": held_out.name}
