"""Compute-optimal selection on hand-built pilot outcomes: heavy ties, the all-zero case, pilot charging.

Binning is checked against a brute-force reference kept here (every way of cutting the distinct
levels into runs), and the whole curve against numbers worked out by hand.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from reasoncraft.scaling import compute_optimal as co
from reasoncraft.scaling.base import default_equal


def brute_force_edges(values, bins):
    """Reference: try every cut of the sorted distinct levels into min(bins, levels) runs; least sum of squares."""
    counted = sorted(Counter(values).items())
    levels, counts = [v for v, _ in counted], [c for _, c in counted]
    groups = min(bins, len(levels))
    best = None
    for cuts in itertools.combinations(range(1, len(levels)), groups - 1):  # in lexicographic order: first optimum wins
        bounds = [0, *cuts, len(levels)]
        cost = sum(sum(counts[a:b]) ** 2 for a, b in zip(bounds, bounds[1:]))
        if best is None or cost < best[0]:
            best = (cost, [levels[c - 1] for c in cuts])
    return best[1]


def pilot_difficulty_by_agreement(pilot_answers):
    return co.difficulty_from_pilots([co.agreement_scores(a, default_equal()) for a in pilot_answers])


def test_heavy_ties_keep_every_level_apart_where_quantiles_would_collapse():
    # A weak model's four pilots: mostly four different answers (agreement 1/4 -> difficulty 0.75).
    answers = [["3", "5", "7", "9"]] * 75 + [["4", "4", "6", "8"]] * 7 + [[None, None, None, None]] * 18
    difficulty = pilot_difficulty_by_agreement(answers)
    assert Counter(difficulty) == {0.75: 75, 0.5: 7, 1.0: 18}
    edges = co.level_edges(difficulty, bins=5, min_size=5)
    assert edges == [0.5, 0.75]
    assert co.bin_sizes(co.assign_bins(difficulty, edges), len(edges) + 1) == [7, 75, 18]
    # With a larger minimum the 7-problem bin joins its smaller neighbour (the 18 at 1.0 is not adjacent).
    assert co.level_edges(difficulty, bins=5, min_size=10) == [0.75]


def test_all_zero_pilots_give_one_bin_and_a_working_curve():
    difficulty = co.difficulty_from_pilots([[0.0] * 4 for _ in range(6)])
    assert set(difficulty) == {1.0}
    assert co.level_edges(difficulty, bins=5) == []
    table = {"greedy": {1: [(i % 2 == 0, 10.0) for i in range(6)]}, "majority": {1: [(False, 5.0)] * 6}}
    curve = co.optimal_curve(table, table, difficulty, difficulty, [1], bins=5, min_bin_size=1)
    assert curve["bins_effective"] == 1 and curve["dev_bin_sizes"] == [6] and curve["test_bin_sizes"] == [6]
    assert curve["choices"] == {1: {"0": "greedy"}} and curve["points"] == [(10.0, 0.5)]


def test_binning_matches_the_brute_force_reference_and_never_splits_a_level():
    rng = random.Random(0)
    for _ in range(200):
        levels = rng.sample([0.0, 0.125, 0.25, 0.5, 0.625, 0.75, 0.875, 1.0], rng.randint(1, 8))
        values = [rng.choice(levels) for _ in range(rng.randint(1, 40))]
        bins = rng.randint(1, 6)
        edges = co.level_edges(values, bins)
        assert edges == brute_force_edges(values, bins), (values, bins)
        assigned = co.assign_bins(values, edges)
        sizes = co.bin_sizes(assigned, len(edges) + 1)
        assert len(sizes) == min(bins, len(set(values))) and min(sizes) >= 1  # every bin non-empty
        for v, b in zip(values, assigned):
            assert all(b == b2 for v2, b2 in zip(values, assigned) if v2 == v)  # ties share a bin


def test_small_bins_merge_until_every_bin_has_the_minimum():
    values = [0.0] * 3 + [0.5] * 20 + [0.75] * 2 + [1.0] * 20
    assert co.level_edges(values, bins=4) == [0.0, 0.5, 0.75]
    # 0.75 (2) joins the smaller neighbour, 1.0 (20) vs 0.5 (20): a tie goes left; then 0.0 (3) joins 0.5.
    assert co.level_edges(values, bins=4, min_size=5) == [0.75]
    assert co.level_edges(values, bins=4, min_size=100) == []  # never fewer than one bin
    with pytest.raises(ValueError, match="min_size"):
        co.level_edges(values, bins=4, min_size=0)
    with pytest.raises(ValueError, match="NaN"):
        co.level_edges([0.5, float("nan")], bins=2)


def test_pilots_are_charged_once_and_reused_by_pooled_strategies():
    table = {"majority": {2: [(True, 20.0)], 8: [(True, 90.0)]}, "greedy": {1: [(False, 8.0)]}}
    reused = {"majority": {2: [20.0], 8: [40.0]}}  # the first min(n, 4) samples are the pilots
    charged = co.charge_pilots(table, [40.0], reused)
    assert charged["majority"][2] == [(True, 40.0)]  # n <= pilots: the pilots alone
    assert charged["majority"][8] == [(True, 90.0)]  # n > pilots: the pilots are part of the n samples
    assert charged["greedy"][1] == [(False, 48.0)]  # a separate greedy run pays for the pilots on top
    with pytest.raises(ValueError, match="pilot counts"):
        co.charge_pilots(table, [40.0, 1.0])


def test_curve_picks_per_bin_on_dev_and_applies_on_test():
    # Two difficulty levels. Easy problems: greedy is right and cheap. Hard: only majority@2 is right.
    dev_difficulty = [0.25, 0.25, 0.75, 0.75]
    dev = {
        "greedy": {2: [(True, 10.0), (True, 10.0), (False, 10.0), (False, 10.0)]},
        "majority": {2: [(True, 30.0), (False, 30.0), (True, 30.0), (False, 30.0)]},
    }
    test_difficulty = [0.75, 0.25, 0.25]
    test = {
        "greedy": {2: [(False, 12.0), (True, 12.0), (False, 12.0)]},
        "majority": {2: [(True, 36.0), (False, 36.0), (True, 36.0)]},
    }
    curve = co.optimal_curve(
        dev,
        test,
        dev_difficulty,
        test_difficulty,
        [1, 2],
        bins=2,
        min_bin_size=1,
        baseline={1: [(False, 18.0)] * 3, 2: [(True, 36.0), (True, 36.0), (False, 36.0)]},
    )
    assert curve["edges"] == [0.25] and curve["dev_bin_sizes"] == [2, 2] and curve["test_bin_sizes"] == [2, 1]
    assert curve["choices"] == {2: {"0": "greedy", "1": "majority"}}
    # test: problem 0 (hard) majority right at 36; problems 1, 2 (easy) greedy: right, wrong at 12 each.
    assert curve["points"] == [(pytest.approx(20.0), pytest.approx(2 / 3))]
    (saving,) = curve["savings"]
    assert saving["baseline_tokens"] == 36.0 and saving["saving"] == pytest.approx(36.0 / 20.0)


def test_ties_in_a_bin_go_to_the_better_strategy_overall_then_the_cheaper():
    bins = [0, 0, 1, 1]  # bin 0: every strategy wrong (the all-zero bin); bin 1 separates them
    table = {
        "cheap": {4: [(False, 5.0), (False, 5.0), (False, 5.0), (True, 5.0)]},
        "good": {4: [(False, 50.0), (False, 50.0), (True, 50.0), (True, 50.0)]},
        "same-but-dearer": {4: [(False, 80.0), (False, 80.0), (True, 80.0), (True, 80.0)]},
    }
    assert co.select_per_bin(table, bins, 4) == {0: "good", 1: "good"}
    flat = {"dear": {1: [(True, 9.0)]}, "cheap": {1: [(True, 3.0)]}}
    assert co.select_per_bin(flat, [0], 1) == {0: "cheap"}


def test_the_worked_examples_in_the_docstrings_hold():
    import doctest

    result = doctest.testmod(co)
    assert result.failed == 0 and result.attempted >= 10
