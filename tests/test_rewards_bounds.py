"""A number stated as a bound ("at least 12", "12 or more") is no answer; an estimate word before a value
("approximately 12") leaves the value to be compared."""

from __future__ import annotations

import pytest

from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.extract import final_answer


@pytest.mark.parametrize(
    "prediction",
    [
        "Answer: at least 12",
        "Answer: at most $12$",
        "So there are more than 12 marbles.",
        "The count is fewer than 12.",
        "Answer: no more than 12",
        "Answer: 12 or more",
        "The answer is 12 or fewer.",
        "It is almost 12.",
        "The speed is greater than 12 m/s.",
        "Therefore the area is not 12.",
    ],
)
def test_a_bound_on_the_gold_value_is_not_the_gold(prediction):
    assert text_verdicts([("12", prediction)]) == [False]


@pytest.mark.parametrize(
    "prediction",
    [
        "Answer: 12",
        "There are 12 marbles.",
        "Answer: exactly 12.",
        "Answer: approximately 12",
        "So the answer is about $12$.",
        "Answer: around 12 marbles",
        "Answer: a maximum of 12",
        "The least such number is 12.",  # "least" names the quantity, not a bound on it
        "Answer: ≈ 12",
    ],
)
def test_a_stated_value_is_still_read(prediction):
    assert text_verdicts([("12", prediction)]) == [True]


def test_an_estimate_word_leaves_the_decimal_rules_in_charge():
    assert text_verdicts([("3.14", "Answer: approximately 3.14"), (r"\pi", "Answer: approximately 3.14")]) == [
        True,
        False,
    ]


def test_a_relation_written_as_math_is_still_a_relation():
    assert final_answer(r"Answer: $x \ge 12$") == r"x \ge 12"
    assert text_verdicts([(r"x \ge 12", r"Answer: $x \geq 12$"), ("12", r"Answer: $x \ge 12$")]) == [True, False]


def test_a_gold_text_keeps_its_own_reading():
    assert final_answer("The number is at least 12.", gold=True) == "12"
    assert final_answer("The number is at least 12.") is None


def test_a_parenthetical_second_value_is_a_hedge_and_a_reason_is_not():
    hedged = ["The answer is 2 (and also 3).", "Answer: 2 (also 3 works)", "Answer: 2 (perhaps 3)"]
    assert text_verdicts([("2", p) for p in hedged]) == [False] * 3
    assert text_verdicts([("2", "Answer: 2 (since 3 fails)"), ("2", "Answer: 2 (which is 1 + 1)")]) == [True, True]
