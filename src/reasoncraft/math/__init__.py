"""Pure math every room may use: votes and maj@k, pass@k, score aggregation, selection, bootstrap,
and the exact arithmetic parser. No model, no I/O, no torch, and nothing else of reasoncraft
(the import contract in pyproject.toml holds this package to it).

- `steps`: splitting a solution into steps and aggregating step scores (last, min, prod)
- `select`: argmax and top-k with ties to the earliest, best-of-N, beam expansion counts
- `votes`: equivalence classes, (weighted) majority vote, maj@k
- `stats`: unbiased pass@k, the k grid, paired bootstrap intervals
- `arith`: the exact-fraction arithmetic parser (step claims and Countdown answers)
"""

from .arith import COUNTDOWN, STEP_CLAIMS, ArithmeticParseError, Dialect, Parsed, parse_exact
from .select import argmax_first, best_of_n, expansion_counts, top_k_indices
from .stats import ks_up_to, paired_bootstrap, pass_at_k
from .steps import AGGREGATIONS, aggregate, aggregate_last, aggregate_min, aggregate_prod, get_aggregation, split_steps
from .votes import (
    Equal,
    Vote,
    equivalence_classes,
    maj_at_k,
    majority_correct,
    majority_vote,
    subsampled_vote_accuracy,
    weighted_vote,
)

__all__ = [
    "AGGREGATIONS",
    "COUNTDOWN",
    "STEP_CLAIMS",
    "ArithmeticParseError",
    "Dialect",
    "Equal",
    "Parsed",
    "Vote",
    "aggregate",
    "aggregate_last",
    "aggregate_min",
    "aggregate_prod",
    "argmax_first",
    "best_of_n",
    "equivalence_classes",
    "expansion_counts",
    "get_aggregation",
    "ks_up_to",
    "maj_at_k",
    "majority_correct",
    "majority_vote",
    "paired_bootstrap",
    "parse_exact",
    "pass_at_k",
    "split_steps",
    "subsampled_vote_accuracy",
    "top_k_indices",
    "weighted_vote",
]
