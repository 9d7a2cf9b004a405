"""Compute-optimal test-time scaling (Snell et al. 2024, arXiv 2408.03314, sec. 3 and 5.3), as pure functions.

The idea: the best way to spend a budget depends on how hard the problem is, so

1. estimate each problem's difficulty from a few pilot samples, without its answer (Snell et al.'s
   model-predicted difficulty): 1 - the mean pilot score, where a pilot score is a label-free
   verifier's score of the sample (their choice: the PRM's final score) or, without one, whether the
   sample agrees with the pilot majority;
2. cut the dev split into difficulty bins (Snell et al. use 5 quantile bins);
3. in each bin, at each budget, pick the strategy with the best dev accuracy (ties: the best over
   the whole dev split, then the cheaper);
4. on the test split, bin each problem with the dev cut points and apply its bin's strategy.

Pilot tokens are part of the budget. A sampling strategy that votes over (or ranks) the first n
samples of the same draw reuses the pilots, so a problem is charged for max(n, pilots) samples;
any other strategy pays for the pilots on top of its own tokens (`charge_pilots`).

Departure from the paper: bins are ranges of *distinct* difficulty levels, never quantiles of the
raw values (`level_edges`). With a few pilots difficulty takes few values and most problems tie
(a weak model's four pilots usually disagree, so most problems score 0.75), so quantile cut points
all fall on one value and every problem lands in one bin. A level is never split, because problems
of equal difficulty are indistinguishable to the selector and a tied test problem must land in
exactly one bin; levels are grouped so that bins are as equal in size as possible, and a bin with
fewer than `min_size` dev problems is merged into its smaller neighbour. The effective number of
bins and their sizes are reported.

The saving is read off the curves: the tokens best-of-N (or any baseline) needs to reach the
compute-optimal accuracy, divided by the tokens compute-optimal spends, interpolating the baseline
linearly in log-tokens between measured budgets (no extrapolation: beyond its range there is no figure).

Inputs are plain tables: `results[strategy][budget]` is a list, one entry per problem in a fixed
order, of `(correct, tokens)`.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping, Sequence

from ..math.votes import majority_vote

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
    vote = majority_vote(pilot_answers, equal)
    if vote.index is None:
        return [0.0] * len(pilot_answers)
    winners = set(vote.classes[[i for i, c in enumerate(vote.classes) if vote.index in c][0]])
    return [1.0 if i in winners else 0.0 for i in range(len(pilot_answers))]


def _balanced_groups(counts: Sequence[int], groups: int) -> list[int]:
    """Split consecutive counts into `groups` non-empty runs with the least sum of squared run sizes.

    Returns the end index (exclusive) of each run. Exact dynamic programme, O(L^2 groups); the
    first optimum found wins, so the result is deterministic.
    """
    prefix = [0]
    for c in counts:
        prefix.append(prefix[-1] + c)
    levels = len(counts)
    inf = float("inf")
    # cost[k][i]: best cost of splitting the first i levels into k runs; cut[k][i]: where run k starts.
    cost = [[inf] * (levels + 1) for _ in range(groups + 1)]
    cut = [[0] * (levels + 1) for _ in range(groups + 1)]
    cost[0][0] = 0.0
    for k in range(1, groups + 1):
        for i in range(k, levels + 1):
            for j in range(k - 1, i):
                c = cost[k - 1][j] + (prefix[i] - prefix[j]) ** 2
                if c < cost[k][i]:
                    cost[k][i], cut[k][i] = c, j
    ends, i = [], levels
    for k in range(groups, 0, -1):
        ends.append(i)
        i = cut[k][i]
    return ends[::-1]


def level_edges(values: Sequence[float], bins: int, min_size: int = 1) -> list[float]:
    """Cut points that group the distinct values of `values` into at most `bins` bins of near-equal size.

    Bin k holds values in (edges[k-1], edges[k]] (see `assign_bins`). Equal values always share a
    bin, every bin is non-empty on `values`, and a bin with fewer than `min_size` members is merged
    into its smaller neighbour (so fewer bins come back when ties or small groups demand it).

    >>> level_edges([0.1, 0.2, 0.3, 0.4], 2)
    [0.2]
    >>> level_edges([0.75] * 8 + [0.5, 1.0, 1.0], 5)   # quantiles would all be 0.75
    [0.5, 0.75]
    >>> level_edges([0.75] * 8 + [0.5, 1.0, 1.0], 5, min_size=2)
    [0.75]
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1: got {bins}")
    if min_size < 1:
        raise ValueError(f"min_size must be >= 1: got {min_size}")
    if not values:
        raise ValueError("no values to bin")
    if any(math.isnan(v) for v in values):
        raise ValueError("a difficulty is NaN: check the pilot scores")
    counted = sorted(Counter(values).items())
    levels, counts = [v for v, _ in counted], [c for _, c in counted]
    ends = _balanced_groups(counts, min(bins, len(levels)))
    sizes = [sum(counts[s:e]) for s, e in zip([0] + ends[:-1], ends)]
    while len(ends) > 1 and min(sizes) < min_size:
        k = sizes.index(min(sizes))  # the smallest bin (first on a tie) ...
        left = sizes[k - 1] if k > 0 else math.inf
        right = sizes[k + 1] if k + 1 < len(sizes) else math.inf
        other = k - 1 if left <= right else k + 1  # ... joins its smaller neighbour (left on a tie)
        lo, hi = min(k, other), max(k, other)
        sizes[lo : hi + 1] = [sizes[lo] + sizes[hi]]
        ends[lo : hi + 1] = [ends[hi]]
    return [levels[e - 1] for e in ends[:-1]]


def assign_bins(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Bin index of each value: bin k holds values in (edges[k-1], edges[k]].

    >>> assign_bins([0.1, 0.2, 0.3, 0.9], [0.2])
    [0, 0, 1, 1]
    """
    return [bisect.bisect_left(list(edges), v) for v in values]


def bin_sizes(bins: Sequence[int], count: int) -> list[int]:
    """How many problems fall in each of `count` bins (0 for an empty one).

    >>> bin_sizes([0, 2, 2], 3)
    [1, 0, 2]
    """
    sizes = [0] * count
    for b in bins:
        sizes[b] += 1
    return sizes


def accuracy(rows: Sequence[tuple[bool, float]]) -> float:
    return sum(bool(c) for c, _ in rows) / len(rows) if rows else 0.0


def mean_tokens(rows: Sequence[tuple[bool, float]]) -> float:
    return sum(t for _, t in rows) / len(rows) if rows else 0.0


def charge_pilots(
    results: Results, pilot_tokens: Sequence[float], reused: Mapping[str, Mapping[int, Sequence[float]]] | None = None
) -> dict[str, dict[int, list[tuple[bool, float]]]]:
    """The table with each problem's pilot tokens added, less the tokens a strategy reuses from the pilots.

    `reused[strategy][budget][i]` is how many of problem i's pilot tokens that strategy's own count
    already holds (the first min(n, pilots) samples of a shared draw); absent means none.

    >>> charge_pilots({"majority": {2: [(True, 20.0)]}, "greedy": {1: [(False, 8.0)]}}, [40.0],
    ...               {"majority": {2: [20.0]}})
    {'majority': {2: [(True, 40.0)]}, 'greedy': {1: [(False, 48.0)]}}
    """
    reused = reused or {}
    out: dict[str, dict[int, list[tuple[bool, float]]]] = {}
    for name, by_budget in results.items():
        for n, rows in by_budget.items():
            if len(rows) != len(pilot_tokens):
                raise ValueError(
                    f"{name} at n={n} has {len(rows)} problems but there are {len(pilot_tokens)} pilot counts"
                )
            shared = reused.get(name, {}).get(n, [0.0] * len(rows))
            out.setdefault(name, {})[n] = [(c, t + p - s) for (c, t), p, s in zip(rows, pilot_tokens, shared)]
    return out


def select_per_bin(results: Results, bins: Sequence[int], budget: int) -> dict[int, str]:
    """For each bin, the strategy with the best accuracy at `budget` on these problems.

    A tie goes to the strategy with the better accuracy over all the problems (a bin where every
    strategy scores 0 cannot tell them apart, so the whole split decides), then to the cheaper (fewer
    mean tokens), then to the name first in `results`.

    >>> table = {"a": {1: [(False, 1.0), (False, 1.0)]}, "b": {1: [(False, 9.0), (True, 9.0)]}}
    >>> select_per_bin(table, [0, 1], 1)
    {0: 'b', 1: 'b'}
    """
    overall = {name: accuracy(by_budget[budget]) for name, by_budget in results.items() if budget in by_budget}
    choice: dict[int, str] = {}
    for b in sorted(set(bins)):
        members = [i for i, x in enumerate(bins) if x == b]
        best: tuple[float, float, float] | None = None
        for name, by_budget in results.items():
            if budget not in by_budget:
                continue
            rows = [by_budget[budget][i] for i in members]
            key = (accuracy(rows), overall[name], -mean_tokens(rows))
            if best is None or key > best:
                best, choice[b] = key, name
    return choice


def apply_selection(
    results: Results, bins: Sequence[int], selection: Mapping[int, str], budget: int, fallback: str
) -> list[tuple[bool, float]]:
    """Per problem, the row of the strategy chosen for its bin (`fallback` for a bin dev never saw)."""
    return [results[selection.get(b, fallback)][budget][i] for i, b in enumerate(bins)]


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
        out.append(
            {
                "tokens": tokens,
                "accuracy": acc,
                "baseline_tokens": needed,
                "saving": (needed / tokens) if (needed is not None and tokens > 0) else None,
            }
        )
    return out


def optimal_curve(
    dev: Results,
    test: Results,
    dev_difficulty: Sequence[float],
    test_difficulty: Sequence[float],
    budgets: Sequence[int],
    bins: int,
    min_bin_size: int,
    baseline: Mapping[int, Sequence[tuple[bool, float]]] | None = None,
) -> dict:
    """Steps 2-4 on tables already charged for pilots: bins from dev, choices per bin and budget, test points.

    `baseline` is the reference strategy's test rows by budget, uncharged (best-of-N draws no pilots);
    the savings are measured against it.
    """
    edges = level_edges(dev_difficulty, bins, min_bin_size)
    dev_bins, test_bins = assign_bins(dev_difficulty, edges), assign_bins(test_difficulty, edges)
    points, choices = [], {}
    for n in budgets:
        candidates = {k: v for k, v in dev.items() if n in v and n in test.get(k, {})}
        if not candidates:
            continue
        selection = select_per_bin(candidates, dev_bins, n)
        fallback = select_per_bin(candidates, [0] * len(dev_bins), n)[0]
        rows = apply_selection(test, test_bins, selection, n, fallback)
        points.append((mean_tokens(rows), accuracy(rows)))
        choices[n] = {str(b): s for b, s in selection.items()}
    curve = [(mean_tokens(rows), accuracy(rows)) for _, rows in sorted((baseline or {}).items())]
    return {
        "edges": edges,
        "bins_requested": bins,
        "bins_effective": len(edges) + 1,
        "min_bin_size": min_bin_size,
        "dev_bin_sizes": bin_sizes(dev_bins, len(edges) + 1),
        "test_bin_sizes": bin_sizes(test_bins, len(edges) + 1),
        "points": points,
        "choices": choices,
        "savings": compute_savings(points, curve) if curve else [],
    }
