"""Lenient accuracy and the strict-format-failure helper (rewards/lenient.py), against hand-judged cases."""

from __future__ import annotations

import doctest

import pytest

import reasoncraft.rewards.lenient as lenient
from reasoncraft.rewards import RewardFailure, get_reward, is_failure
from reasoncraft.rewards.extract import extract_answer, last_number
from reasoncraft.rewards.lenient import is_format_failure, last_expression, lenient_accuracy_reward, lenient_answer
from reasoncraft.rewards.math import accuracy_reward


def test_doctests():
    result = doctest.testmod(lenient, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("17 + 25 = 42", "42"),
        ("It costs $1,250 in total.", "1250"),
        ("The probability is 3/4 overall", "3/4"),
        ("so x = $\\frac{1}{2}$ and we stop", "\\frac{1}{2}"),
        ("first $x=3$, then 5 more", "5"),  # the number ends after the span
        ("We get \\boxed{7} and it took 3 steps", "3"),  # the last thing written, not the box
        ("3 apples, so \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}"),
        ("temperature -4.5 degrees", "-4.5"),
        ("in \\(x^2 + 1\\) form", "x^2 + 1"),
        ("no answer at all", None),
        ("version2 and x3", None),  # digits inside words are not numbers
    ],
)
def test_last_expression(text, expected):
    assert last_expression(text) == expected


def test_strict_answer_comes_first():
    assert lenient_answer("<answer>42</answer> and 3 more words") == "42"
    assert lenient_answer("no tags, 12 then 13") == "13"
    # a task's strict rule can be passed in (GSM8K's reads the last number itself)
    assert lenient_answer("#### 1,200 then 5", extract=lambda t: extract_answer(t) or last_number(t)) == "1200"


def test_lenient_accuracy_values_against_strict():
    completions = [
        "<think>17 + 25</think><answer>42</answer>",  # well formed, right: both 1
        "17 + 25 = 42",  # right, no answer format: lenient only
        "Answer: 41",  # well formed, wrong: both 0
        "I think 17 + 25 = 41",  # wrong, no format: both 0
        r"\boxed{41} or \boxed{42}",  # a hedge: both 0
        "Answer: 42",  # no gold: None
    ]
    golds = ["42"] * 5 + [None]
    assert accuracy_reward(completions, answer=golds) == [1.0, 0.0, 0.0, 0.0, 0.0, None]
    assert lenient_accuracy_reward(completions, answer=golds) == [1.0, 1.0, 0.0, 0.0, 0.0, None]
    assert get_reward("lenient_accuracy") is lenient_accuracy_reward


def test_lenient_reports_checker_failure(monkeypatch):
    import reasoncraft.rewards.math as math_rewards

    monkeypatch.setattr(math_rewards, "math_verdicts", lambda pairs: [RewardFailure("worker died")] * len(pairs))
    scores = lenient_accuracy_reward(["so 42", "nothing"], answer=["42", "3"])
    assert is_failure(scores[0]) and scores[1] == 0.0


@pytest.mark.parametrize(
    "completion, failed",
    [
        ("17 + 25 = 42", True),
        ("Answer:", True),
        ("<answer> </answer>", True),
        ("<answer>42</answer>", False),
        (r"so \boxed{42}", False),
        ("The answer is 42.", False),
        ([{"role": "assistant", "content": "Answer: 42"}], False),
    ],
)
def test_is_format_failure(completion, failed):
    assert is_format_failure(completion) is failed


def test_is_format_failure_follows_the_tasks_rule():
    from reasoncraft.tasks import get_task

    countdown = get_task("countdown")
    assert is_format_failure("(1 + 2) * 3", extract=countdown.extract)
    assert not is_format_failure("<answer>(1 + 2) * 3</answer>", extract=countdown.extract)
