"""Steps of a solution and how their scores make one score.

A process reward model (PRM) scores each step of a solution; search and outcome scorers need one
number per solution. Steps are split on a separator (a blank line, as search-and-learn does), and
the step scores are aggregated as in Snell et al. 2024 (arXiv 2408.03314, section 5): `last`,
`min` or `prod`.

Step splitting lives here, beside the aggregation it feeds, rather than in `rewards/text.py`:
both `scorers/` (turning a PRM into an outcome scorer) and `scaling/` (step-level search) split
steps, rewards never do, and this package is the one room every other room may import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = [
    "split_steps",
    "aggregate_last",
    "aggregate_min",
    "aggregate_prod",
    "AGGREGATIONS",
    "get_aggregation",
    "aggregate",
]


def split_steps(text: str, separator: str = "\n\n") -> list[str]:
    """Split a solution into steps on `separator` (a blank line, as search-and-learn does); empty pieces drop.

    >>> split_steps("12 + 7 = 19\\n\\nAnswer: 19\\n\\n")
    ['12 + 7 = 19', 'Answer: 19']
    """
    return [part.strip() for part in text.split(separator) if part.strip()]


def aggregate_last(step_scores: Sequence[float]) -> float:
    """The score of the last step (a PRM trained on reward-to-go already summarises the prefix).

    >>> aggregate_last([0.9, 0.2, 0.7])
    0.7
    """
    return float(step_scores[-1])


def aggregate_min(step_scores: Sequence[float]) -> float:
    """The weakest step: a solution is as good as its worst step.

    >>> aggregate_min([0.9, 0.2, 0.7])
    0.2
    """
    return float(min(step_scores))


def aggregate_prod(step_scores: Sequence[float]) -> float:
    """The product of the step scores: the chance every step is right, if they were independent.

    >>> round(aggregate_prod([0.9, 0.5, 0.8]), 6)
    0.36
    """
    return float(math.prod(step_scores))


AGGREGATIONS: dict[str, Callable[[Sequence[float]], float]] = {
    "last": aggregate_last,
    "min": aggregate_min,
    "prod": aggregate_prod,
}


def get_aggregation(name: str) -> Callable[[Sequence[float]], float]:
    """The aggregation function called `name`; a clear error for an unknown name.

    >>> get_aggregation("mean")
    Traceback (most recent call last):
    ...
    ValueError: unknown step-score aggregation 'mean': use one of last, min, prod
    """
    try:
        return AGGREGATIONS[name]
    except KeyError:
        raise ValueError(f"unknown step-score aggregation {name!r}: use one of {', '.join(AGGREGATIONS)}") from None


def aggregate(step_scores: Sequence[float], how: str) -> float:
    """Aggregate one solution's step scores; a solution without steps scores 0.

    >>> aggregate([0.9, 0.2, 0.7], "min"), aggregate([], "last")
    (0.2, 0.0)
    """
    if len(step_scores) == 0:
        return 0.0
    return get_aggregation(how)(step_scores)
