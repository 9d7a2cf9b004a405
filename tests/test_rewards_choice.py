"""Multiple-choice letter extraction and the choice_accuracy reward (rewards/choice.py), on hand-judged cases."""

from __future__ import annotations

import doctest

import pytest

import reasoncraft.rewards.choice as choice
from reasoncraft.rewards import get_reward
from reasoncraft.rewards.choice import choice_accuracy_reward, choice_letters, extract_choice

CHOICES = ["3 kg", "12 kg", "7 kg", "1 kg"]


def test_doctests():
    result = doctest.testmod(choice, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        # the spellings the issue names
        ("Reasoning... so the answer is (B)", "B"),
        ("B. Because the mass doubles.", "B"),
        ("Answer: B", "B"),
        (r"Therefore \boxed{B}", "B"),
        ("Adding the masses gives 12 kg.\nAnswer: 12 kg", "B"),  # the choice's own text
        # other usual forms
        ("<think>compare</think><answer>(C)</answer>", "C"),
        ("**Answer:** D", "D"),
        (r"Answer: $\boxed{A}$", "A"),
        (r"The final answer is $\text{(C)}$.", "C"),
        ("I think the answer is (d) because it is lightest", "D"),
        ("The correct option is B.", "B"),
        ("Answer: option C", "C"),
        ("Let me check each one.\nThe lightest is the last.\n(D)", "D"),
        ("Hence option (A) is the one.", "A"),
        ("Therefore, the answer is C) 7 kg", "C"),
    ],
)
def test_letter_forms(text, expected):
    assert extract_choice(text, CHOICES) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Answer: A or B",  # a hedge
        "Answer: A, C",
        "Answer: (A)/(B)",
        r"\boxed{A} ... no wait \boxed{B}",  # two different boxes
        "<answer>A</answer> Answer: B",  # the places disagree
        "Comparing (A) and (C), it is hard to say",  # several parenthesised letters
        "Answer: E",  # not a choice of four
        "Answer: 5 kg",  # no choice has this text
        "I have no idea",
        "A cat sat down.\nThe end",
        "We compare the masses.\nA cat would weigh less.",  # a capital starting the last sentence is no letter
        "Answer: the lighter one",  # an answer in its place that names no choice
    ],
)
def test_no_choice_is_read(text):
    assert extract_choice(text, CHOICES) is None


def test_letters_follow_the_number_of_choices():
    assert choice_letters(2) == "AB" and choice_letters(10) == "ABCDEFGHIJ"
    assert extract_choice("Answer: C", ["yes", "no"]) is None
    assert extract_choice("Answer: J") == "J"  # without choices: A-J (MMLU-Pro's ten)
    assert extract_choice("It is heavy.\nI think so") is None  # "I" is a letter of A-J, not a choice here
    assert extract_choice("Answer: B because the mass doubles", CHOICES) == "B"
    with pytest.raises(ValueError, match="2 to 26"):
        choice_letters(1)


def test_choice_accuracy_values():
    completions = [
        "Answer: B",
        "Answer: (C)",
        "Answer: 12 kg",
        "Answer: A or B",
        "Answer: B",
        [{"role": "assistant", "content": r"\boxed{b}"}],
    ]
    golds = ["B", "B", "B", "B", None, "B"]
    scores = choice_accuracy_reward(completions, answer=golds, choices=[CHOICES] * 6)
    assert scores == [1.0, 0.0, 1.0, 0.0, None, 1.0]
    assert get_reward("choice_accuracy") is choice_accuracy_reward
    assert choice_accuracy_reward(["Answer: B"], answer=["B"]) == [1.0]  # choices are optional
    with pytest.raises(TypeError, match="gold letters"):
        choice_accuracy_reward(["Answer: B"])
    with pytest.raises(ValueError, match="one entry per completion"):
        choice_accuracy_reward(["Answer: B", "Answer: C"], answer=["B"])
