"""The pure math package: its doctests, the one arithmetic parser's two dialects, and maj@k estimators."""

from __future__ import annotations

import doctest
import importlib
import random
from fractions import Fraction

import pytest

from reasoncraft.math import (
    COUNTDOWN,
    STEP_CLAIMS,
    ArithmeticParseError,
    maj_at_k,
    parse_exact,
    subsampled_vote_accuracy,
)

MODULES = ["arith", "select", "stats", "steps", "votes"]


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    result = doctest.testmod(importlib.import_module(f"reasoncraft.math.{name}"))
    assert result.attempted > 0 and result.failed == 0


# Each dialect's accept/reject line, worked out by hand from the grammar each caller had before the merge
# (scorers/rules.py for STEP_CLAIMS, rewards/countdown.py for COUNTDOWN).
STEP_CLAIMS_ACCEPT = [
    ("0.1 + 0.2", Fraction(3, 10)),
    ("-(-3) * 2", Fraction(6)),
    ("\u0663 + 1", Fraction(4)),  # an Arabic-Indic 3: `\d` matches it
    ("1\u00a0+\u20032", Fraction(3)),  # Unicode spaces: `\s` matches them
    ("9" * 24, Fraction(int("9" * 24))),  # 24 digits is the cap
    ("-" * 16 + "1", Fraction(1)),  # unary minus nested 16 deep is the cap
    ("(" * 16 + "1" + ")" * 16, Fraction(1)),
    ("05 + 1", Fraction(6)),
    ("1 +" + " " * 116 + "1", Fraction(2)),  # 120 characters
]
STEP_CLAIMS_REJECT = [
    "",
    "1 +",
    "+1",
    "2 ** 3",
    "2 ^ 3",
    "abs(1)",
    "1.",
    "9" * 25,
    "-" * 17 + "1",
    "(" * 17 + "1" + ")" * 17,
    "1 +" + " " * 117 + "1",
    "(1 + 2",
    "1 2",
]
COUNTDOWN_ACCEPT = [
    ("(6 - 2) * 3 / 4", Fraction(3), [6, 2, 3, 4]),
    ("0 + 10", Fraction(10), [0, 10]),
    ("1\t+\n2 \r\n", Fraction(3), [1, 2]),
    ("(" * 100 + "1" + ")" * 100, Fraction(1), [1]),  # no nesting cap below Python's recursion limit
    ("1" + " + 1" * 249 + " " * 3, Fraction(250), [1] * 250),  # 1,000 characters
]
COUNTDOWN_REJECT = [
    "",
    "05 + 1",
    "1.5 + 1",
    "-1 + 2",
    "1 + -2",
    "\u0663 + 1",
    "1\u00a0+ 2",
    "1\x0b+ 2",
    "2 ** 3",
    "1 + 1 = 2",
    "1" + " + 1" * 249 + " " * 4,
    "(1 + 2",
]


@pytest.mark.parametrize("text, value", STEP_CLAIMS_ACCEPT)
def test_step_claims_accepts(text, value):
    assert parse_exact(text, STEP_CLAIMS).value == value


@pytest.mark.parametrize("text", STEP_CLAIMS_REJECT)
def test_step_claims_rejects(text):
    with pytest.raises(ArithmeticParseError):
        parse_exact(text, STEP_CLAIMS)


@pytest.mark.parametrize("text, value, numbers", COUNTDOWN_ACCEPT)
def test_countdown_accepts(text, value, numbers):
    parsed = parse_exact(text, COUNTDOWN)
    assert parsed.value == value and [int(n) for n in parsed.numbers] == numbers


@pytest.mark.parametrize("text", COUNTDOWN_REJECT)
def test_countdown_rejects(text):
    with pytest.raises(ArithmeticParseError):
        parse_exact(text, COUNTDOWN)


def test_division_by_zero_is_its_own_error_in_both_dialects():
    for dialect in (STEP_CLAIMS, COUNTDOWN):
        with pytest.raises(ZeroDivisionError):
            parse_exact("4 / (2 - 2)", dialect)


def test_has_operator_counts_binary_operators_only():
    assert parse_exact("-3", STEP_CLAIMS).has_operator is False
    assert parse_exact("(3)", STEP_CLAIMS).has_operator is False
    assert parse_exact("3 - -3", STEP_CLAIMS).has_operator is True


def _reference_block_vote(answers, correct, k):
    """maj@k over disjoint blocks by counting exact strings (a plain loop, no equivalence)."""
    hits = []
    for b in range(len(answers) // k):
        block = [(a, c) for a, c in zip(answers[b * k : (b + 1) * k], correct[b * k : (b + 1) * k])]
        counts: dict[str, int] = {}
        for a, _ in block:
            if a is not None:
                counts[a] = counts.get(a, 0) + 1
        if not counts:
            hits.append(False)
            continue
        top = max(counts.values())
        winner = next(a for a in counts if counts[a] == top)
        hits.append(bool(next(c for a, c in block if a == winner)))
    return sum(hits) / len(hits)


def test_maj_at_k_matches_a_counting_loop():
    rng = random.Random(0)
    for _ in range(300):
        n = rng.randint(1, 12)
        answers = [rng.choice(["1", "2", "3", None]) for _ in range(n)]
        correct = [a == "1" for a in answers]
        k = rng.randint(1, n)
        assert maj_at_k(answers, correct, k, str.__eq__) == _reference_block_vote(answers, correct, k)


def _reference_subsampled(class_ids, correct, k, draws, seed):
    """Random k-subsets voted by counting class ids; a tie goes to the class first seen in the subset."""
    class_correct = {c: ok for c, ok in zip(class_ids, correct) if c is not None}
    rng = random.Random(seed)
    wins = 0
    for _ in range(draws):
        counts: dict[int, int] = {}
        for i in rng.sample(range(len(class_ids)), k):
            if class_ids[i] is not None:
                counts[class_ids[i]] = counts.get(class_ids[i], 0) + 1
        if counts:
            top = max(counts.values())
            wins += bool(class_correct[next(c for c in counts if counts[c] == top)])
    return wins / draws


def test_subsampled_vote_accuracy_matches_a_counting_loop():
    rng = random.Random(1)
    for _ in range(200):
        n = rng.randint(1, 10)
        ids = [rng.choice([0, 1, 2, None]) for _ in range(n)]
        correct = [i == 0 for i in ids]
        k, seed = rng.randint(1, n), rng.randrange(100)
        expected = _reference_subsampled(ids, correct, k, 20, seed)
        assert subsampled_vote_accuracy(ids, correct, k=k, draws=20, seed=seed) == expected
