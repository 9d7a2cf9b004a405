"""Compute-optimal test-time scaling (Snell et al. 2024, arXiv 2408.03314, sec. 3 and 5.3), as pure functions.

The idea: the best way to spend a budget depends on how hard the problem is, so

1. estimate each problem's difficulty from a few pilot samples, without its answer (model-predicted
   difficulty): here 1 - the mean pilot score, where a pilot score is the verifier's score of the
   sample or, without a verifier, whether the sample agrees with the pilot majority;
2. cut the dev split into quantile bins of difficulty (Snell et al. use 5);
3. in each bin, at each budget, pick the strategy with the best dev accuracy;
4. on the test split, bin each problem with the dev cut points, apply its bin's strategy, and charge
   the pilot samples' tokens on top (they are part of the budget).

The saving is read off the curves: the tokens best-of-N (or any baseline) needs to reach the
compute-optimal accuracy, divided by the tokens compute-optimal spends, interpolating the baseline
linearly in log-tokens between measured budgets (no extrapolation: beyond its range there is no figure).

Inputs are plain tables: `results[strategy][budget]` is a list, one entry per problem in a fixed
order, of `(correct, tokens)`.
"""

from __future__ import annotations

import bisect
import math
from typing import Mapping, Sequence

Results = Mapping[str, Mapping[int, Sequence[tuple[bool, float]]]]


def difficulty_from_pilots(pilot_scores: Sequence[Sequence[float]]) -> list[float]:
    """Per problem: 1 - mean pilot score (0 = easy). Each inner list holds one problem's pilot scores.

    >>> difficulty_from_pilots([[1, 1, 1, 0], [0, 0, 0, 0]])
    [0.25, 1.0]
    """
    if any(len(s) == 0 for s in pilot_scores):
        raise ValueError("every problem needs at least one pilot score")
    return [1.0 - sum(s) / len(s) for s in pilot_scores]


def agreement_scores(pilot_answers: Sequence[str | None], equal) -> list[float]:
    """Label-free pilot scores: 1.0 for pilot samples in the majority's equivalence class, else 0.0."""
    from .core import majority_vote

    vote = majority_vote(pilot_answers, equal)
    if vote.index is None:
        return [0.0] * len(pilot_answers)
    winners = set(vote.classes[[i for i, c in enumerate(vote.classes) if vote.index in c][0]])
    return [1.0 if i in winners else 0.0 for i in range(len(pilot_answers))]


def quantile_edges(values: Sequence[float], bins: int) -> list[float]:
    """Cut points splitting `values` into `bins` groups of (nearly) equal size.

    >>> quantile_edges([0.1, 0.2, 0.3, 0.4], 2)
    [0.2]
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1: got {bins}")
    if not values:
        raise ValueError("no values to bin")
    ordered = sorted(values)
    return [ordered[max(0, math.ceil(len(ordered) * k / bins) - 1)] for k in range(1, bins)]


def assign_bins(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Bin index of each value: bin k holds values in (edges[k-1], edges[k]].

    >>> assign_bins([0.1, 0.2, 0.3, 0.9], [0.2])
    [0, 0, 1, 1]
    """
    return [bisect.bisect_left(list(edges), v) for v in values]


def accuracy(rows: Sequence[tuple[bool, float]]) -> float:
    return sum(bool(c) for c, _ in rows) / len(rows) if rows else 0.0


def mean_tokens(rows: Sequence[tuple[bool, float]]) -> float:
    return sum(t for _, t in rows) / len(rows) if rows else 0.0


def select_per_bin(results: Results, bins: Sequence[int], budget: int) -> dict[int, str]:
    """For each bin, the strategy with the best accuracy at `budget` on these problems.

    Ties go to the cheaper strategy (fewer mean tokens), then to the name first in `results`.
    """
    choice: dict[int, str] = {}
    for b in sorted(set(bins)):
        members = [i for i, x in enumerate(bins) if x == b]
        best: tuple[float, float] | None = None
        for name, by_budget in results.items():
            if budget not in by_budget:
                continue
            rows = [by_budget[budget][i] for i in members]
            key = (accuracy(rows), -mean_tokens(rows))
            if best is None or key > best:
                best, choice[b] = key, name
    return choice


def apply_selection(
    results: Results, bins: Sequence[int], selection: Mapping[int, str], budget: int, pilot_tokens: Sequence[float], fallback: str
) -> list[tuple[bool, float]]:
    """Per problem, the row of the strategy chosen for its bin (`fallback` for a bin dev never saw), plus pilot tokens."""
    rows = []
    for i, b in enumerate(bins):
        correct, tokens = results[selection.get(b, fallback)][budget][i]
        rows.append((correct, tokens + pilot_tokens[i]))
    return rows


def tokens_to_reach(curve: Sequence[tuple[float, float]], target: float) -> float | None:
    """Tokens a strategy needs to reach accuracy `target`, from its (tokens, accuracy) points.

    Interpolates linearly in log-tokens between the first two budgets that straddle the target;
    None when the curve never reaches it.

    >>> round(tokens_to_reach([(100, 0.5), (400, 0.7)], 0.6), 6)
    200.0
    """
    points = sorted(curve)
    if not points:
        return None
    if points[0][1] >= target:
        return points[0][0]
    for (t0, a0), (t1, a1) in zip(points, points[1:]):
        if a0 < target <= a1:
            fraction = (target - a0) / (a1 - a0)
            return math.exp(math.log(t0) + fraction * (math.log(t1) - math.log(t0)))
    return None


def compute_savings(optimal: Sequence[tuple[float, float]], baseline: Sequence[tuple[float, float]]) -> list[dict]:
    """For each compute-optimal point, the baseline's tokens at equal accuracy and the ratio (> 1 = saving)."""
    out = []
    for tokens, acc in optimal:
        needed = tokens_to_reach(baseline, acc)
        out.append({
            "tokens": tokens,
            "accuracy": acc,
            "baseline_tokens": needed,
            "saving": (needed / tokens) if (needed is not None and tokens > 0) else None,
        })
    return out
