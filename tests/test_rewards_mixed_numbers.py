"""Mixed numbers (seventh session): a whole number, a space and a proper fraction is one number.

Cases from Math-Verify's `tests/test_mixed_number_extraction.py` (huggingface/Math-Verify, commit
05aa3a67e1e5aa4a0dbecea17550a17cc2d5ed2d; MIT header, Apache-2.0 repository), a test file added after
the commit that tests/fixtures/checker_cases/mathverify.jsonl was built from, so none of them is a fixture
case. Its verdicts, read as data: a mixed number `4 4/9` is 40/9 and never its whole part; one whose
fraction is not proper (`11 6/6`, `11 7/6`, `4 4/0`) is no mixed number and equals none of the numbers it
might be read as; other spellings (`11/10 4/9`, `11.0 4/9`, `(11) 4/9`, a line break) never gain a silent
addition. Left out: the percent forms (`4 4/9%` is 40/900 there; this checker reads a percent either way,
so `4 4/9%` against 40/9 would be equal here) and `4 4/9 2` (read as 2 there: a sequence, not an answer).
"""

import pytest

from reasoncraft.rewards.checker import math_equal, text_verdicts

CASES = [
    # a mixed number is its whole value: the whole part plus the proper fraction, the sign on both
    ("40/9", "The answer is 4 4/9.", True),
    ("40/9", "4 4/9", True),
    ("-40/9", "-4 4/9", True),
    ("71/6", "11 5/6", True),
    ("71/6", "+11 5/6", True),
    ("4/9", "0 4/9", True),
    ("4", "4 0/9", True),
    ("9004/9", "1 000 4/9", True),  # spaced thousands in the whole part
    (r"\frac{40}{9}", r"4\frac{4}{9}", True),  # the LaTeX spelling, decided exactly without sympy
    (r"1\frac{4}{5}", r"2\frac{4}{5}", False),
    # ... and never its whole part or its fraction alone
    ("4", "The answer is 4 4/9.", False),
    ("4", "4 4/9", False),
    ("4/9", "4 4/9", False),
    # a fraction that is not proper makes no mixed number: equal to none of its readings
    ("12", "11 6/6", False),
    ("11", "11 6/6", False),
    ("1", "11 6/6", False),
    ("10", "11 6/6", False),
    ("12", "The answer is 11 6/6.", False),
    ("73/6", "11 7/6", False),
    ("59/6", "11 7/6", False),
    ("7/6", "11 7/6", False),
    ("11", "11 7/6", False),
    ("4", "4 4/0", False),
    ("0", "4 4/0", False),
    ("4", "4 0/0", False),
    ("-4", "-4 0/0", False),
    ("0", "0 0/0", False),
    ("1000", "1 000 0/0", False),
    ("4", "The answer is 4 0/0.", False),
    # other spellings gain no silent addition
    ("139/90", "11/10 4/9", False),
    ("103/9", "11.0 4/9", False),
    ("103/9", "(11) 4/9", False),
    ("139/90", "11/10\n4/9", False),
    ("71/6", "11\n5/6", False),
    ("11 + 4/9", "11 - 4/9", False),
    # the spellings next to them keep their meaning
    ("40/9", "4 + 4/9", True),
    ("5", "10/2", True),
    ("1000", "1 000", True),
    ("5", "$5.00", True),
    ("7/25", "28%", True),
    ("4/9", "There are 4 objects and 4/9 remain.", True),
]


def test_mixed_numbers_and_their_counter_cases():
    verdicts = text_verdicts([(gold, prediction) for gold, prediction, _ in CASES])
    wrong = [(g, p, want) for (g, p, want), got in zip(CASES, verdicts) if (got is True) != want]
    assert wrong == []


@pytest.mark.parametrize("hedge", ["4 4/9 or 4 5/9", "4 4/9, 4 5/9"])
def test_two_mixed_numbers_are_a_list_not_one_answer(hedge):
    assert text_verdicts([("40/9", hedge)]) == [False]


@pytest.mark.parametrize(
    "gold, candidate, equal",
    [
        # thirteenth session (heldout17, opened at the session's end): an explicit product sign before a fraction is a
        # product, never the juxtaposition that reads as a mixed number
        ("1", r"2 * \frac{1}{2}", True),
        ("3", r"6*\dfrac{1}{2}", True),
        ("1", r"4 * \tfrac14", True),
        (r"2 \frac{1}{2}", r"2 * \frac{1}{2}", False),
        (r"\frac{5}{2}", r"2 * \frac{1}{2}", False),
        (r"\frac{5}{2}", r"2 \frac{1}{2}", True),  # the mixed number itself, unchanged
        ("x", r"2*\frac{x}{2}", True),
        (r"2\pi", r"2*\pi", True),  # other products lose their sign as before
    ],
)
def test_a_product_sign_before_a_fraction_is_a_product(gold, candidate, equal):
    assert math_equal(gold, candidate) is equal
