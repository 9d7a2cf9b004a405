"""Whole numbers in words and scale words after a number, read exactly; prose and other words left alone."""

from __future__ import annotations

import pytest

from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.numwords import number_words_to_digits, scaled, words_to_int


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("seven", 7),
        ("Forty-two", 42),
        ("three hundred and six", 306),
        ("a thousand", 1000),
        ("nineteen hundred", 1900),
        ("two million five hundred thousand", 2500000),
        ("zero", 0),
        ("twenty twenty", None),
        ("two and three", None),
        ("seven 7", None),
        ("hundred", None),
        ("zero one", None),
    ],
)
def test_words_to_int(words, value):
    assert words_to_int(words) == value


def test_scale_words_multiply_exactly():
    assert [scaled("2.5", "million"), scaled("3", "dozens"), scaled("1/4", "thousand")] == ["2500000", "36", "250"]
    assert scaled("x", "million") is None and scaled("5", "gazillion") is None


def test_only_a_whole_answer_is_read():
    assert number_words_to_digits("eight marbles") == "8 marbles"
    assert number_words_to_digits("one of the three") == "one of the three"
    assert number_words_to_digits("three times") == "three times"


@pytest.mark.parametrize(
    ("gold", "prediction", "equal"),
    [
        ("8", "Answer: eight", True),
        ("8", "Answer: eight marbles", True),
        ("58", r"\boxed{\text{fifty-eight}}", True),
        ("8", "Answer: eighteen", False),
        ("8", "Answer: eight or nine", False),
        ("4000", "Answer: 4 thousand", True),
        ("4", "Answer: 4 thousand", False),  # before: the scale word was dropped like a unit
        ("4", "Answer: 4 dozen eggs", False),
        ("48", "Answer: 4 dozen eggs", True),
        ("2300000", "Answer: 2.3 million people", True),
        ("2.3", "Answer: 2.3 million people", False),
        ("12", "Answer: x = 12 cm", True),  # a name, then a value with its unit
        ("12", "Answer: x = 13 cm", False),
    ],
)
def test_verdicts(gold, prediction, equal):
    assert text_verdicts([(gold, prediction)]) == [equal]
