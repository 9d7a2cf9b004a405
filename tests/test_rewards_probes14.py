"""probes14.jsonl: rewrites (equal by construction) and near misses (not equal by construction) of the golds of
MATH-500, AIME 2024/2025, AMC 2023 and GSM8K, written by `fixtures/checker_cases/make_probes14.py` (fourteenth
session, helper C), and the rules by kind they led to (`rewards/benchgolds.py`, `rewards/revision.py`; docs/rewards.md,
"Rules by kind (fourteenth session, benchmark golds)"). A dev set: its pairs may be printed."""

from collections import Counter

import pytest

from heldout_sets import load_set, shared_with_other_fixtures
from reasoncraft.rewards import math_equal
from reasoncraft.rewards.base import RewardFailure
from reasoncraft.rewards.checker import text_verdicts


def test_probes14_header_and_cases():
    header, cases = load_set("probes14")
    assert set(header["_header"]) == {"math500", "aime24", "aime25", "amc23", "gsm8k"}
    assert all(s["licence"] and s["path"] for s in header["_header"].values())
    assert header["n"] == len(cases) and header["equal"] == sum(c["label"] for c in cases)
    assert 2000 <= len(cases) <= 5000 and {c["split"] for c in cases} == {"dev"}
    assert all(c["options"] == {} and c["test"].startswith(("eq:", "ne:")) for c in cases)
    assert all(c["label"] == c["test"].startswith("eq:") for c in cases)
    assert len({(c["gold"], c["candidate"]) for c in cases}) == len(cases)
    kinds = Counter(c["test"].split("+")[0] for c in cases)
    assert len(kinds) >= 60 and sum(k.startswith("ne:") for k in kinds) >= 25


def test_probes14_repeats_no_pair_of_the_other_fixture_files():
    """Counts only (the unseen sets are among the files compared)."""
    assert shared_with_other_fixtures("probes14") == 0


def test_probes14_every_verdict_agrees():
    """Measured with the start commit's checker (a7608e1, the snapshot /work/snap14): 4,352 cases (each kind capped at
    80), 3,942 agreeing, 386 false positives (the gold negated in prose, `The answer cannot be 7.`, 80; rejected in
    prose, `7 does not satisfy the equation.`, 80; joined to other numbers in prose, `The answers are 8 and 7.`, 80;
    operated on in words, `7 squared`, `half of 7`, 80; a hedge of three values, `3 or 5 or 7`, read as its last
    value, 62; a hedge of numerals of different bases, 2; a number taken back for the same number in another unit,
    1; a repeating decimal with another cycle, 1) and 24 false negatives (`k squared` for a square gold, 10;
    `(52)_{8}`, 7; roots joined by two `or`, 2; two numbers in prose for a list gold, 2; a brace group or brackets
    around an answer with a unit, 2; `an ellipse`, 1). After the rules: every verdict agrees. A time-out
    (`RewardFailure`, a loaded machine) is allowed a few times; any other disagreement fails, and the message names
    the pairs (a dev set)."""
    _, cases = load_set("probes14")
    found = text_verdicts([(c["gold"], c["candidate"]) for c in cases])
    timeouts = sum(isinstance(v, RewardFailure) for v in found)
    wrong = [
        (c["test"], c["gold"], c["candidate"], c["label"])
        for c, v in zip(cases, found)
        if not isinstance(v, RewardFailure) and (v is True) != c["label"]
    ]
    false_positives = sum(not label for *_, label in wrong)
    assert false_positives == 0 and not wrong, f"{len(wrong)} wrong ({false_positives} FP): {wrong[:10]}"
    assert timeouts <= 3


@pytest.mark.parametrize(
    ("gold", "candidate", "equal"),
    [
        # one brace group around the whole answer is grouping only
        (r"15\mbox{ cm}^2", r"{15\mbox{ cm}^2}", True),
        (r"x \in [-2,7]", r"{x \in [-2,7]}", True),
        (r"5.4 \text{ cents}", r"{{5.4 \text{ cents}}}", True),
        (r"15\mbox{ cm}^2", r"{15\mbox{ m}^2}", False),
        (r"15\mbox{ cm}^2", r"{16\mbox{ cm}^2}", False),
        (r"x \in [-2,7]", r"{x \in (-2,7]}", False),
        (r"\{1, 2\}", r"{{1, 2}}", True),  # a comma at the top level: kept, and `{1, 2}` read as before
        # an article before a one-word answer
        (r"\text{ellipse}", "an ellipse", True),
        (r"\text{ellipse}", "An Ellipse.", True),
        (r"\text{ellipse}", "a parabola", False),
        (r"\text{ellipse}", "not an ellipse", False),
        (r"\text{ellipse}", "an ellipse or a circle", False),
        # lists of numerals keep their bases
        ("52_8", "52_8, 52_9", False),
        ("52_8", r"\{52_8, 52_9\}", False),
        ("52_8, 53_8", "53_8, 52_8", True),
        ("52_8, 53_8", "52_9, 53_9", False),
        ("52_8, 53_8", "52_8, 53_8, 54_8", False),
        ("101_2, 7", "7, 0101_{2}", True),
        # digits in brackets before a base
        ("52_8", "(52)_{8}", True),
        ("52_8", "(52)_8", True),
        ("52_8", "(52)_{9}", False),
        ("52_8", "(53)_{8}", False),
        # a repeating decimal is an exact value
        (r"\frac{3}{56}", r"0.053\overline{571428}", True),
        (r"\frac{3}{56}", r"0.053\overline{571429}", False),  # a false positive before
        (r"\frac{14}{3}", "4.666...", True),
        (r"\frac{14}{3}", r"4.\overline{7}", False),
        (r"\frac{1}{3}", "0.333333", True),  # a written finite decimal: the 6-place convention, as before
        (r"\frac{1}{3}", "0.333", False),
        # round brackets around a quantity with a unit
        (r"15\mbox{ cm}^2", r"(15\mbox{ cm}^2)", True),
        (r"15\mbox{ cm}^2", r"(15\mbox{ m}^2)", False),
        (r"15\mbox{ cm}^2", r"(16\mbox{ cm}^2)", False),
    ],
)
def test_rules_by_kind_fourteenth_session(gold, candidate, equal):
    assert math_equal(gold, candidate) is equal


@pytest.mark.parametrize(
    ("gold", "text", "equal"),
    [
        (r"52_8", "The answer is $52_8$ or $52_9$.", False),  # a hedge between bases (a false positive before)
        (r"15\mbox{ cm}^2", r"The answer is $15\mbox{ cm}^2$. Wait, that is wrong: it is $15\mbox{ cm}^3$.", False),
        (r"15\mbox{ cm}^2", r"The answer is $15\mbox{ cm}^2$. Wait, let me check: yes, $15\mbox{ cm}^2$.", True),
        (r"x \in [-2,7]", r"Therefore, the final answer is $\boxed{{x \in [-2,7]}}$.", True),
        (r"\text{ellipse}", r"So the graph is $\boxed{\text{an ellipse}}$.", True),
        # joining words make a list or a hedge, never prose whose last number is the answer
        ("7", "3 or 5 or 7", False),  # a false positive before
        ("7", "x = 3 or x = 5 or x = 7", False),
        ("3, 5, 7", "x = 3 or x = 5 or x = 7", True),
        ("3, 5, 7", "3 and 5 and 7", True),
        ("3, 5, 7", "x = 3 or x = 5", False),
        ("7", "We add 3 and 4 to get 7", True),  # prose: its last number, as before
        # numbers joined by "and" / "or" in prose are a list; a negated number is no answer
        ("7", "The answers are 5 and 7.", False),
        ("7", "So we get 8 or 7.", False),
        ("7", "It is 3, 5, or 7.", False),
        ("5, 7", "The answers are 7 and 5.", True),
        ("7", "On March 5, 2020 we had 7.", True),
        ("20", "We divide each side by 5, 100/5 = 5A/5 or 20 = A.", True),  # sides of a formula: no list (GSM8K)
        ("7", "The answer cannot be 7.", False),
        ("7", "The answer must not be 7.", False),
        ("7", "It can be anything other than 7.", False),
        ("7", "The answer is anything but 7.", False),
        ("7", "It cannot be 5, so the answer is 7.", True),
        ("7", "It is not hard to see that the answer is 7.", True),
        # a number rejected right after it, or operated on in words
        ("7", "7 does not satisfy the equation.", False),
        ("7", "Checking 7: it fails.", False),
        ("7", "7 is incorrect.", False),
        ("7", "The answer is 7, which is not even.", True),
        ("7", "The answer is half of 7.", False),
        ("7", "The answer is 7 squared.", False),
        ("49", "The answer is 7 squared.", True),
        ("1", "-1 squared", True),
        ("-1", "-1 squared", False),
        ("7", "There are 7 apples.", True),
    ],
)
def test_rules_by_kind_in_prose(gold, text, equal):
    assert (text_verdicts([(gold, text)])[0] is True) is equal
