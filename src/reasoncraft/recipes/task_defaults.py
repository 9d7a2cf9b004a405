"""What a recipe uses for a task when the user and the preset leave it unstated: the prompt template, the RL
rewards and the layout sampled data must have to be kept.

The class defaults of `RecipeConfig` are the quick preset's, made for 2-digit sums (the `arithmetic` template,
strict and lenient accuracy). Stating another task (`task=countdown-3`) without a template used to keep those
and ask Countdown problems for "a number after 'Answer:'". Now the unstated keys follow the task:

- `template`: the task's own default template (Countdown: `countdown`, MATH: `math-boxed`, ...);
- `rl_rewards`: the task's own rewards (Countdown: `countdown`), with no weights; for the sums family the
  quickstart's strict plus half-weighted lenient accuracy; rewards stated without weights are weighted equally
  (the class default weights are the quickstart's two);
- `max_new_tokens`: 192 for Countdown, room for the solver's traces (the sums' 48 would drop every one);
- `data_layout`: what the template asks the answer to look like: `r1` for the think/answer templates,
  `boxed` for `math-boxed`, `none` for `countdown` (its reward already demands exactly one <answer> block, so
  a verified trace has the format), `answer` (an "Answer:" line) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..tasks import get_task

# the sums family keeps the quickstart's rewards (the lenient one half-weighted), as the quick preset does
_FAMILY_REWARDS: dict[str, tuple[list[str], list[float] | None]] = {
    "arith-sum-": (["accuracy", "gsm8k_accuracy"], [1.0, 0.5]),
}
# room for the solver's traces (a data stage drops traces longer than max_new_tokens): Countdown-3's are 75-92
# tokens with the default model's tokenizer, Countdown-4's 107-130 (300 train problems each); sums keep 48
_FAMILY_TOKENS = {"countdown-": 192}
_TEMPLATE_LAYOUT = {"r1-zero": "r1", "tinyzero-countdown": "r1", "math-boxed": "boxed", "countdown": "none"}


def layout_for(template: str) -> str:
    """The data layout a template's answers have.

    >>> layout_for("countdown"), layout_for("r1-zero"), layout_for("arithmetic")
    ('none', 'r1', 'answer')
    """
    return _TEMPLATE_LAYOUT.get(template, "answer")


def task_defaults(values: Mapping[str, Any], default_task: str) -> dict[str, Any]:
    """The task-dependent keys missing from `values` (the user's and the preset's keys together).

    A task that cannot be loaded here (a missing user file) adds nothing: the run's own checks name the
    problem before any compute.
    """
    name = values.get("task", default_task)
    try:
        task = get_task(name)
        template = values.get("template", task.default_template)
        rewards = list(task.reward_set().names)
    except (KeyError, ValueError, OSError):
        return {}
    family = next((v for prefix, v in _FAMILY_REWARDS.items() if str(name).startswith(prefix)), None)
    weights: list[float] | None = None
    if family:
        rewards, weights = family
    found: dict[str, Any] = {"template": template, "data_layout": layout_for(template)}
    tokens = next((v for prefix, v in _FAMILY_TOKENS.items() if str(name).startswith(prefix)), None)
    if tokens:
        found["max_new_tokens"] = tokens
    if "rl_rewards" not in values:
        found |= {"rl_rewards": list(rewards), "rl_reward_weights": weights and list(weights)}
    else:  # the user's own rewards, weighted equally unless weights are stated
        found["rl_reward_weights"] = None
    return {k: v for k, v in found.items() if k not in values}
