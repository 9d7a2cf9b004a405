"""The pure math of scaling: aggregation, voting by equivalence, selection, beam bookkeeping."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from reasoncraft.rewards import math_equal
from reasoncraft.scaling import core


def test_aggregations_by_hand():
    scores = [0.9, 0.4, 0.8]
    assert core.aggregate(scores, "last") == 0.8
    assert core.aggregate(scores, "min") == 0.4
    assert core.aggregate(scores, "prod") == pytest.approx(0.9 * 0.4 * 0.8)
    with pytest.raises(ValueError, match="last, min, prod"):
        core.aggregate(scores, "mean")


def test_majority_vote_picks_the_largest_equivalence_class_not_the_most_common_string():
    # Raw strings: "3" appears twice, every spelling of one half once. By equivalence, one half wins 3 to 2.
    answers = ["3", "1/2", "0.5", "3", "\\frac{1}{2}", None]
    vote = core.majority_vote(answers, math_equal)
    assert math_equal("1/2", vote.answer)
    assert vote.index == 1
    assert sorted(map(sorted, vote.classes)) == [[0, 3], [1, 2, 4]]
    assert vote.weights == (2.0, 3.0)


def test_majority_vote_tie_goes_to_the_class_seen_first_and_no_answers_give_none():
    assert core.majority_vote(["5", "7", "7", "5"], math_equal).answer == "5"
    empty = core.majority_vote([None, None], math_equal)
    assert (empty.index, empty.answer) == (None, None)


def test_weighted_vote_against_a_plain_loop():
    rng = random.Random(0)
    for _ in range(200):
        answers = [rng.choice(["1", "2", "3", None]) for _ in range(rng.randint(1, 9))]
        weights = [rng.random() for _ in answers]
        totals: dict[str, float] = {}
        for a, w in zip(answers, weights):
            if a is not None:
                totals[a] = totals.get(a, 0.0) + w
        vote = core.weighted_vote(answers, weights, str.__eq__)
        if not totals:
            assert vote.answer is None
            continue
        best = max(totals.values())
        first_best = next(a for a in answers if a is not None and math.isclose(totals[a], best))
        assert vote.answer == first_best


def test_top_k_and_argmax_break_ties_by_position_and_sink_nan():
    assert core.top_k_indices([0.5, 0.9, 0.5, 0.9], 3) == [1, 3, 0]
    assert core.argmax_first([float("nan"), 0.1]) == 1
    rng = random.Random(1)
    for _ in range(100):
        scores = [rng.choice([0.1, 0.2, 0.3]) for _ in range(8)]
        k = rng.randint(0, 8)
        reference = sorted(range(8), key=lambda i: (-scores[i], i))[:k]
        assert core.top_k_indices(scores, k) == reference


def test_expansion_counts_match_repeat_and_cut():
    for parents, n in itertools.product(range(1, 7), range(1, 17)):
        repeated = (list(range(parents)) * (n // parents + 1))[:n]  # search-and-learn's refill
        assert core.expansion_counts(parents, n) == [repeated.count(i) for i in range(parents)]


def test_split_steps_on_blank_lines():
    assert core.split_steps("a = 1\n\n\n\nb = 2\n\nAnswer: 2") == ["a = 1", "b = 2", "Answer: 2"]
