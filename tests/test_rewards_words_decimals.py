"""Two kinds found by making near-miss candidates from MATH-500's answers (eleventh session): decimals that
agree to 6 places but not in the digits written, and answers written in words."""

import pytest

from reasoncraft.rewards import math_equal
from reasoncraft.rewards.checker import text_verdicts


@pytest.mark.parametrize(
    ("gold", "candidate", "equal"),
    [
        ("0.0000672", "0.0000674", False),  # agree at 6 places, differ in every significant digit written
        (".0000672", ".0000674", False),
        ("0.0000001", "0", False),
        ("2.5e-7", "2.6e-7", False),
        ("1/3000", "0.000333", False),  # three significant digits: an approximation, as 0.33 is for 1/3
        ("1/3", "0.333333", True),  # a rounding to 6 places still agrees (Math-Verify's float_rounding=6)
        ("1/7", "0.142857", True),
        (r"\sqrt{2}", "1.414214", True),
        ("1.25", "1.250", True),
        ("1/3", "0.33", False),
    ],
)
def test_decimals_agree_in_the_digits_written(gold, candidate, equal):
    assert math_equal(gold, candidate) is equal


@pytest.mark.parametrize(
    ("gold", "candidate", "equal"),
    [
        (r"\text{no solution}", r"\text{no solution}", True),  # a gold in words is its own answer
        (r"\text{no solution}", "no solution", True),
        (r"\text{no solution}", "No Solution", True),
        (r"\text{no solution}", r"\text{infinitely many solutions}", False),
        (r"\text{no solution}", "0", False),
        (r"\text{No}", "no", True),  # yes and no are words, though of two letters
        ("No", "Yes", False),
        ("yes", r"\text{YES}", True),
        ("5", "I could not finish this problem, sorry about that.", False),  # prose without an answer
    ],
)
def test_answers_in_words(gold, candidate, equal):
    assert (text_verdicts([(gold, candidate)])[0] is True) is equal
