"""Pure scoring, no model: answer extraction, answer equivalence and reward functions.

The reward contract, `RewardFailure` and the registry live in `base`; extraction in `extract`;
equivalence (`math_equal`, `math_verdict`) in `checker`; rewards in `math` and `format`.
Math-Verify is imported only inside the checker's worker process.
"""

from .base import (
    RewardFailure,
    RewardFn,
    RewardValue,
    available_rewards,
    get_reward,
    is_failure,
    register_reward,
)
from .checker import MathChecker, math_equal, math_equal_many, math_verdict, math_verdicts, text_equal, text_verdicts
from .extract import extract_answer

__all__ = [
    "RewardFailure",
    "RewardFn",
    "RewardValue",
    "is_failure",
    "register_reward",
    "get_reward",
    "available_rewards",
    "MathChecker",
    "math_equal",
    "math_equal_many",
    "text_equal",
    "text_verdicts",
    "math_verdict",
    "math_verdicts",
    "extract_answer",
]
