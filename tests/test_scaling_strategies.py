"""Sampling strategies and budget forcing on a scripted backend with known outcomes."""

from __future__ import annotations

import pytest

from helpers import ScriptedBackend
from reasoncraft.rewards import math_equal
from reasoncraft.scaling import BestOfN, BudgetForcing, Direct, Greedy, SelfConsistency
from reasoncraft.scorers.base import ScorerUsage


def by_index(replies):
    """A backend whose i-th sample for any prompt is replies[i]."""
    return ScriptedBackend(lambda prompt, i, seed: replies[i % len(replies)])


def test_self_consistency_votes_by_equivalence_and_counts_tokens():
    replies = [
        "so Answer: 3<eos>",
        "Answer: 1/2<eos>",
        "Answer: 0.5<eos>",
        "Answer: 3<eos>",
        "Answer: \\frac{1}{2}<eos>",
    ]
    backend = by_index(replies)
    (outcome,) = SelfConsistency(n=5, temperature=0.7).solve(backend, ["What is 1/2?"], ["What is 1/2?"])
    assert math_equal("0.5", outcome.answer)
    assert outcome.info["class_sizes"] == [2.0, 3.0]
    assert outcome.usage.completion_tokens == sum(len(r.split()) + 1 for r in replies)  # words and an <eos> each
    assert outcome.usage.prompt_tokens == 3 and outcome.usage.requests == 1
    assert backend.calls[0][1].n == 5


def test_choose_serves_smaller_n_from_a_larger_draw():
    replies = ["Answer: 4<eos>", "Answer: 5<eos>", "Answer: 5<eos>", "Answer: 4<eos>"]
    samples = by_index(replies).generate(["q"], SelfConsistency(n=4).sampling())
    assert SelfConsistency(n=1).choose(["q"], samples)[0].answer == "4"
    assert SelfConsistency(n=3).choose(["q"], samples)[0].answer == "5"
    with pytest.raises(ValueError, match="needs 8 samples"):
        SelfConsistency(n=8).choose(["q"], samples)


class LengthScorer:
    """An outcome scorer that prefers longer solutions (so the winner is known)."""

    def __init__(self):
        self.usage = ScorerUsage()

    def score(self, questions, solutions):
        self.usage.calls += 1
        self.usage.prompt_tokens += 10 * len(solutions)
        return [len(s) / 100 for s in solutions]


def test_best_of_n_and_weighted_best_of_n():
    replies = ["Answer: 7<eos>", "long long long Answer: 9<eos>", "x Answer: 7<eos>", "y Answer: 7<eos>"]
    best = BestOfN(n=4, scorer=LengthScorer()).solve(by_index(replies), ["q"], ["q"])[0]
    assert best.answer == "9"  # the single highest score
    assert best.usage.scorer_tokens == 40
    weighted = BestOfN(n=4, scorer=LengthScorer(), weighted=True).solve(by_index(replies), ["q"], ["q"])[0]
    assert weighted.answer == "7"  # three 7s outweigh one long 9
    assert weighted.text.startswith(("x", "y"))  # the best-scored member of the winning class
    with pytest.raises(ValueError, match="outcome scorer"):
        BestOfN(n=4)


def test_greedy_and_direct_draw_one_greedy_sample():
    backend = by_index(["Answer: 2<eos>"])
    assert Greedy().solve(backend, ["q"], ["q"])[0].answer == "2"
    assert Direct().solve(backend, ["q"], ["q"])[0].answer == "2"
    assert all(s.temperature == 0 and s.n == 1 for _, s in backend.calls)
    with pytest.raises(ValueError, match="identical"):
        SelfConsistency(n=4, temperature=0.0)


def thinker(segment_words: int):
    """Thinks `segment_words` words then tries to end thinking; answers 19 after the delimiter."""

    def respond(prompt, i, seed):
        if prompt.endswith("</think>\nAnswer:"):
            return " 19<eos>"
        return "hmm " * segment_words + "</think> more text"

    return respond


@pytest.mark.parametrize("k", [0, 1, 3])
def test_budget_forcing_appends_wait_exactly_k_times(k):
    backend = ScriptedBackend(thinker(3))
    (outcome,) = BudgetForcing(thinking_tokens=1000, num_waits=k).solve(backend, ["Q:"], ["Q:"])
    thinking = outcome.text.split("</think>")[0]
    assert thinking.count("Wait") == k and outcome.info["waits"] == k
    assert outcome.text.count("</think>") == 1  # every earlier delimiter was suppressed
    assert outcome.answer == "19"
    assert outcome.info["thinking_tokens"] == 4 * (k + 1)  # three words and the delimiter per segment
    assert len(backend.calls) == k + 2  # k + 1 thinking rounds, one answer


def test_budget_forcing_respects_the_cap():
    backend = ScriptedBackend(thinker(50))  # never stops on its own within the cap
    (outcome,) = BudgetForcing(thinking_tokens=10, num_waits=3).solve(backend, ["Q:"], ["Q:"])
    assert outcome.info["thinking_tokens"] == 10 and outcome.info["waits"] == 0
    assert outcome.text.endswith("</think>\nAnswer: 19")  # the delimiter was forced, then the answer
    # With Waits the cap still holds: segments of 4 tokens, cap 10 -> 4 + 4 + 2, two Waits.
    backend = ScriptedBackend(thinker(3))
    (outcome,) = BudgetForcing(thinking_tokens=10, num_waits=5).solve(backend, ["Q:"], ["Q:"])
    assert outcome.info["thinking_tokens"] == 10 and outcome.info["waits"] == 2
    assert [s.max_new_tokens for _, s in backend.calls[:-1]] == [10, 6, 2]


def test_budget_forcing_batches_problems_and_keeps_them_apart():
    backend = ScriptedBackend(
        lambda p, i, s: " 7<eos>" if p.endswith("Answer:") else ("a " * (3 if "A?" in p else 20)) + "</think>"
    )
    outcomes = BudgetForcing(thinking_tokens=8, num_waits=1).solve(backend, ["A?", "B?"], ["A?", "B?"])
    assert [o.info["waits"] for o in outcomes] == [1, 0]
    assert [o.info["thinking_tokens"] for o in outcomes] == [8, 8]
    assert len(backend.calls[0][0]) == 2  # both problems in the first round's call
