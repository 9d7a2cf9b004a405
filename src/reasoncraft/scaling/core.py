"""The math of inference-time scaling, now in `reasoncraft.math` (steps, select, votes, stats).

Every strategy in `scaling/` is orchestration around those pure functions and imports them from
there. This module only keeps the old import path `reasoncraft.scaling.core` for the names that
tests/test_scaling_core.py and tests/test_scaling_search.py import; new code imports `reasoncraft.math`.
"""

from __future__ import annotations

from ..math.select import argmax_first, expansion_counts, top_k_indices
from ..math.steps import aggregate, split_steps
from ..math.votes import majority_vote, weighted_vote

__all__ = [
    "aggregate",
    "argmax_first",
    "expansion_counts",
    "majority_vote",
    "split_steps",
    "top_k_indices",
    "weighted_vote",
]
