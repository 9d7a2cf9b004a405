"""Stage builders every route uses, so that each route file reads as its list of stages.

Each builder turns the recipe's settings (`RecipeConfig`) into one `Stage` whose config is exactly
what its engine is given; the same settings give every route the same evaluation.
"""

from __future__ import annotations

from pathlib import Path

from ..models import CATALOGUE
from .settings import RecipeConfig
from .stages import Stage

BASE_EVAL = "base/eval"


def evaluation(c: RecipeConfig, name: str, model_from: str | None = None, samples: int = 1, seed: int = 0) -> Stage:
    """Held-out evaluation on the recipe's test problems: greedy, or `samples` per problem (scaling temperature)."""
    config = {
        "tasks": [c.task],
        "split": "test",
        "limit": c.problems,
        "template": c.template,
        "max_new_tokens": c.max_new_tokens,
        "samples": samples,
        "temperature": c.scaling_temperature if samples > 1 else 0.0,
        "seed": seed,
        "batch_problems": c.batch_problems,
    }
    if model_from is None:
        config["model"] = c.model
    inputs = {"model": model_from} if model_from else {}
    what = "greedy" if samples == 1 else f"{samples} samples per problem"
    return Stage(name, "evaluate", config, inputs, about=f"evaluate on {c.problems} test problems ({what})")


def grpo(
    c: RecipeConfig,
    name: str,
    seed: int,
    steps: int,
    rewards: list[str],
    weights: list[float] | None,
    model_from: str | None = None,
    sized_by: str = "rl_steps",
) -> Stage:
    """GRPO on the task's train split from the base model or an earlier stage's model."""
    config = {
        "task": c.task,
        "template": c.template,
        "rewards": list(rewards),
        "reward_weights": list(weights) if weights is not None else None,
        "steps": steps,
        "batch_size": c.rl_batch_size,
        "num_generations": c.rl_num_generations,
        "micro_batch_size": c.rl_micro_batch_size,
        "max_completion_length": c.max_new_tokens,
        "temperature": c.rl_temperature,
        "learning_rate": c.rl_learning_rate,
        "seed": seed,
        "num_threads": c.num_threads,
    }
    if model_from is None:
        config["model"] = c.model
    inputs = {"model": model_from} if model_from else {}
    about = f"GRPO, {steps} steps, rewards {', '.join(rewards)}"
    return Stage(name, "grpo", config, inputs, trains=True, about=about, sized_by=f"{sized_by}, rl_batch_size")


def sft(c: RecipeConfig, name: str, seed: int, data: str, general: str | None = None) -> Stage:
    """SFT of the base model on a data stage's sft.jsonl (mixed with the general replies when given)."""
    config = {
        "model": c.model,
        "max_steps": c.sft_max_steps,
        "learning_rate": c.sft_learning_rate,
        "gradient_accumulation_steps": c.sft_gradient_accumulation_steps,
        "max_seq_length": c.sft_max_seq_length,
        "micro_batch_tokens": c.sft_max_seq_length,  # one row of at most one longest example per forward
        "seed": seed,
        "num_threads": c.num_threads,
    }
    inputs = {"data": data}
    if general is not None:
        config["general_share"] = c.general_share
        inputs["general"] = general
    mixed = f", {c.general_share:.0%} general replies" if general else ""
    about = f"SFT of the base model, {c.sft_max_steps} steps{mixed}"
    sized_by = "sft_max_steps, sft_gradient_accumulation_steps, sft_max_seq_length"
    return Stage(name, "sft", config, inputs, trains=True, about=about, sized_by=sized_by)


def sampled_data(
    c: RecipeConfig,
    name: str,
    seed: int,
    *,
    teacher: str,
    problems: int,
    k: int,
    fix: str,
    teacher_from: str | None = None,
    base_url: str | None = None,
    sized_by: str = "",
) -> Stage:
    """The data engine: a teacher's traces on train problems, kept when verified correct and readable."""
    config = {
        "task": c.task,
        "split": "train",
        "limit": problems,
        "template": c.template,
        "teacher": teacher,
        "base_url": base_url,
        "k": k,
        "temperature": c.sample_temperature,
        "top_p": 1.0,
        "max_new_tokens": c.max_new_tokens,
        # a trace longer than the evaluation's token limit would teach the student to be cut before its answer
        "max_tokens": c.max_new_tokens,
        "seed": seed,
        "layout": c.data_layout,
        "layout_solver": "r1" if c.data_layout == "r1" else "answer",
        "count_tokens_with": c.model if c.model in CATALOGUE or Path(c.model).is_dir() else None,
        "decontam_tasks": [c.task],
        "batch_problems": c.batch_problems,
        "min_examples": c.min_sft_examples,
        "fix": fix,
    }
    inputs = {"teacher": teacher_from} if teacher_from else {}
    who = f"stage {teacher_from}'s model" if teacher_from else teacher
    about = f"{k} traces x {problems} problems from {who}, filtered"
    return Stage(name, "distill", config, inputs, trains=True, about=about, sized_by=sized_by)


def general_replies(c: RecipeConfig, name: str = "r1/general-data", prompts: int = 32) -> Stage:
    """The base model's replies to the shipped general prompts (the non-reasoning share of r1's second SFT)."""
    config = {"model": c.model, "prompts": prompts, "max_new_tokens": max(c.max_new_tokens, 64)}
    about = f"base model's replies to {prompts} general prompts"
    return Stage(name, "general", config, trains=True, about=about, sized_by="max_new_tokens")
