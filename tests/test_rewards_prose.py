"""The prose rule: a sentence for a short math answer is ruled out before any slow path, and the
rule never takes away a verdict of "equal"."""

import json
import time
from pathlib import Path

import pytest

from reasoncraft.rewards import MathChecker, math_equal_many
from reasoncraft.rewards.extract import final_answer
from reasoncraft.rewards.plaintext import canonical_pair
from reasoncraft.rewards.prose import prose_verdict

FIXTURES = Path(__file__).parent / "fixtures"
PROSE = "a result of combining both the rules of mathematics ... so we get a value"


@pytest.mark.parametrize(
    "gold, candidate",
    [
        ("12", PROSE),
        (r"\frac{1}{2}", "the probability of getting heads on the coin"),
        ("(1,2)", "the point where the two lines meet"),
        ("x^2+1", "x squared plus one over the line"),
        ("124", "one hundred and twenty three"),  # number words are read (`numwords`): 123, not 124
        ("B", "the option with the largest value"),
    ],
)
def test_prose_against_short_math_is_false_without_the_worker(gold, candidate):
    checker = MathChecker()
    try:
        start = time.perf_counter()
        assert checker.verdicts([(gold, candidate)]) == [False]
        assert time.perf_counter() - start < 0.5
        assert checker._proc is None  # decided here: no Math-Verify worker was started
    finally:
        checker.close()


@pytest.mark.parametrize(
    "gold, candidate",
    [
        ("12", "12 apples"),
        ("12", "12 square units"),
        ("3,-3", "x = 3 or x = -3"),
        (r"\pm 3", "x = 3 or x = -3"),
        (r"\text{Monday}", "Monday"),
        ("B", "(B)"),
        ("5", r"5 \text{ meters per second squared}"),
        ("30", r"30^\circ \text{ degrees}"),
    ],
)
def test_worded_answers_stay_equal(gold, candidate):
    assert prose_verdict(*canonical_pair(gold, candidate)) is None
    assert math_equal_many([(gold, candidate)]) == [True]


@pytest.mark.parametrize(
    "gold, candidate",
    [
        ("12", "so the total is 12 apples in all"),  # the gold's number is in it: other rules decide
        ("B", "the best answer is option b"),  # a letter gold that appears in the text
        (r"\text{Monday}", "it is the first day of the week"),  # a worded gold is never judged here
        ("12", "twelve apples"),  # too few words to be called prose
        ("12", "the answer is $12$ in total"),  # a math span marks the answer
    ],
)
def test_rule_stays_out_of_the_way(gold, candidate):
    assert prose_verdict(gold, candidate) is None


def test_no_equal_case_of_any_fixture_is_ruled_out():
    """Every pair labelled equal, in every fixture file (both splits: the rule only has to stay
    silent on them), keeps the rule silent; counts only, so no held-out case is shown."""
    pairs = []
    for path in sorted((FIXTURES / "checker_cases").glob("*.jsonl")):
        for line in path.read_text().splitlines()[1:]:
            case = json.loads(line)
            gold, candidate = final_answer(case["gold"]), final_answer(case["candidate"])
            if case["label"] and gold is not None and candidate is not None:
                pairs.append((gold, candidate))
    for line in (FIXTURES / "math_equal_pairs.jsonl").read_text().splitlines():
        case = json.loads(line)
        if case["label"]:
            pairs.append((case["gold"], case["candidate"]))
    ruled_out = sum(prose_verdict(*canonical_pair(g, c)) is False for g, c in pairs)
    assert len(pairs) > 400
    assert ruled_out == 0, f"{ruled_out} equal pairs ruled out"
