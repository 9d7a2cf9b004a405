"""The math of inference-time scaling, now in `reasoncraft.math` (steps, select, votes, stats).

Every strategy in `scaling/` is orchestration around those pure functions and imports them from
there. This module only keeps the old import path `reasoncraft.scaling.core` working for the tests
and benchmarks that use it; new code imports from `reasoncraft.math`.
"""

from __future__ import annotations

from ..math.select import argmax_first, best_of_n, expansion_counts, top_k_indices
from ..math.stats import paired_bootstrap
from ..math.steps import (
    AGGREGATIONS,
    aggregate,
    aggregate_last,
    aggregate_min,
    aggregate_prod,
    get_aggregation,
    split_steps,
)
from ..math.votes import Equal, Vote, equivalence_classes, majority_vote, subsampled_vote_accuracy, weighted_vote

__all__ = [
    "AGGREGATIONS",
    "Equal",
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
    "majority_vote",
    "paired_bootstrap",
    "split_steps",
    "subsampled_vote_accuracy",
    "top_k_indices",
    "weighted_vote",
]
