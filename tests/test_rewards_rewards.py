"""The reward contract, the default rewards and the reward-hacking fixtures."""

import dataclasses

import pytest

from reasoncraft.rewards import RewardFailure, available_rewards, get_reward, is_failure, register_reward
from reasoncraft.rewards.format import DEFAULT_REWARDS, format_reward, tag_count_reward
from reasoncraft.rewards.length import make_overlong_reward, overlong_penalties
from reasoncraft.rewards.math import accuracy_reward, gsm8k_accuracy_reward

QUESTION = "What is 17 + 25? Give the final answer as a number after 'Answer:'"
GOLD = "42"

GOOD = "<think>17 + 25 = 42</think>\n<answer>42</answer>"

# Each completion tries to collect reward without committing to one correct answer.
HACKS = {
    "empty_answer": "<think>17 + 25 is easy</think>\n<answer></answer>",
    "empty_answer_marker": "17 + 25 is easy.\nAnswer:",
    "several_boxed": r"<think>hmm</think><answer>\boxed{41} \boxed{42} \boxed{43}</answer>",
    "several_boxed_plain": r"It is \boxed{41}, or \boxed{42}, or \boxed{43}",
    "a_or_b_or_c": "<think>not sure</think><answer>41 or 42 or 43</answer>",
    "a_or_b_or_c_marker": "Answer: 41 or 42 or 43",
    "repeated_blocks": "<think>a</think><answer>41</answer><think>b</think><answer>42</answer>",
    "repeated_same_blocks": "<think>a</think><answer>42</answer><think>a</think><answer>42</answer>",
    "repeated_tags_nested": "<think><think>x</think></think><answer>42</answer>",
    "echo_question": QUESTION,
}


@pytest.mark.parametrize("name", list(HACKS))
@pytest.mark.parametrize("reward_name", DEFAULT_REWARDS)
def test_hacks_score_zero_under_default_rewards(name, reward_name):
    reward = get_reward(reward_name)
    assert reward([HACKS[name]], answer=[GOLD], question=[QUESTION]) == [0.0]


@pytest.mark.parametrize("name", ["repeated_blocks", "repeated_same_blocks", "repeated_tags_nested"])
def test_repeated_blocks_earn_no_tag_count(name):
    assert tag_count_reward([HACKS[name]]) == [0.0]


def test_echo_inside_tags_is_well_formed_but_scores_no_accuracy():
    echo = f"<think>{QUESTION}</think><answer>{QUESTION}</answer>"
    assert accuracy_reward([echo], answer=[GOLD]) == [0.0]
    assert format_reward([echo]) == [1.0]  # format judges structure only


def test_good_completion_scores_full_under_default_rewards():
    for reward_name in DEFAULT_REWARDS + ("tag_count",):
        assert get_reward(reward_name)([GOOD], answer=[GOLD]) == [1.0]


def test_accuracy_reward_values():
    completions = [
        "Answer: 42",
        r"so \boxed{42}",
        "<answer>\\frac{84}{2}</answer>",
        "Answer: 41",
        "no answer at all 42",
        [{"role": "assistant", "content": "Answer: 42"}],  # TRL chat form
        "Answer: 7",
    ]
    golds = [GOLD] * 6 + [None]
    assert accuracy_reward(completions, answer=golds, unused_field=[0] * 7) == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, None]


def test_accuracy_reports_checker_failure_not_zero(monkeypatch):
    import reasoncraft.rewards.math as math_rewards

    monkeypatch.setattr(math_rewards, "math_verdicts", lambda pairs: [RewardFailure("worker died")] * len(pairs))
    scores = accuracy_reward([r"\boxed{x+1}", "nothing"], answer=["1+x", "3"])
    assert is_failure(scores[0]) and scores[1] == 0.0  # no extracted answer is a plain 0


def test_accuracy_rejects_misaligned_fields():
    with pytest.raises(ValueError, match="align"):
        accuracy_reward(["Answer: 1", "Answer: 2"], answer=["1"])
    with pytest.raises(TypeError, match="gold answers"):
        accuracy_reward(["Answer: 1"])
    with pytest.raises(TypeError, match="one gold answer per completion"):
        accuracy_reward(["Answer: 1"], answer="1")


def test_or_is_only_a_hedge_when_the_gold_answer_has_none():
    assert accuracy_reward([r"Answer: \text{even or odd}"], answer=[r"\text{even or odd}"]) == [1.0]
    assert accuracy_reward(["Answer: 3 or 4"], answer=["3"]) == [0.0]


def test_gsm8k_accuracy_falls_back_to_last_number():
    assert gsm8k_accuracy_reward(["so she pays $1,200.", "#### 18", "Answer: 5"], answer=["1200", "18", "6"]) == [
        1.0,
        1.0,
        0.0,
    ]


def test_format_reward_cases():
    assert format_reward(
        [
            GOOD,
            "  <think>x</think> <answer>1</answer>  ",  # surrounding whitespace is fine
            "<think></think><answer>1</answer>",  # empty reasoning
            "<think>x</think>text in between<answer>1</answer>",
            "<answer>1</answer><think>x</think>",  # wrong order
            "<think>x</think><answer>1</answer> trailing text",
        ]
    ) == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def test_tag_count_partial_credit_but_repeats_earn_nothing():
    assert tag_count_reward(["<think>x</think>", "<think>x", "", "<answer>1</answer><answer>1</answer>"]) == [
        0.5,
        0.25,
        0.0,
        0.0,
    ]


def test_overlong_penalty_against_hand_values():
    # DAPO eq. 13 with L_max = 10, L_cache = 4: free up to 6 tokens, then (6 - L) / 4, -1 at 10 and beyond
    assert overlong_penalties([3, 6, 7, 9, 10, 12], max_tokens=10, buffer_tokens=4) == pytest.approx(
        [0.0, 0.0, -0.25, -0.75, -1.0, -1.0]
    )
    with pytest.raises(ValueError, match="buffer_tokens"):
        overlong_penalties([1], max_tokens=10, buffer_tokens=0)


def test_overlong_reward_against_hand_values():
    reward = make_overlong_reward(max_tokens=10, buffer_tokens=4)
    assert reward(["a"] * 5, completion_ids=[[0] * n for n in (3, 6, 7, 10, 11)]) == [0.0, 0.0, -0.25, -1.0, -1.0]
    with pytest.raises(TypeError, match="completion_ids"):
        reward(["a"])
    with pytest.raises(ValueError, match="buffer_tokens"):
        make_overlong_reward(max_tokens=4, buffer_tokens=8)


def test_registry():
    assert {"accuracy", "format", "tag_count", "gsm8k_accuracy"} <= set(available_rewards())
    assert get_reward("accuracy") is accuracy_reward
    with pytest.raises(KeyError, match="available"):
        get_reward("no-such-reward")

    @register_reward("test_length_bonus")
    def length_bonus(completions, **fields):
        return [min(1.0, len(c) / 100) for c in completions]

    assert get_reward("test_length_bonus")(["x" * 50]) == [0.5]
    with pytest.raises(ValueError, match="already registered"):
        register_reward("test_length_bonus")(lambda completions, **fields: [0.0] * len(completions))


def test_reward_failure_is_never_a_score():
    failure = RewardFailure("checker deadline exceeded")
    assert failure != 0.0 and failure != 1.0 and failure == RewardFailure("checker deadline exceeded")
    with pytest.raises(TypeError, match="is_failure"):
        bool(failure)
    with pytest.raises(TypeError):
        float(failure)
    with pytest.raises(dataclasses.FrozenInstanceError):
        failure.reason = "other"


def test_long_completions_are_scored_quickly():
    import time

    huge = "<think>" + "x " * 500_000 + "</think><answer>" + "1" * 1_000_000 + "</answer>"
    start = time.monotonic()
    scores = [get_reward(name)([huge], answer=["1"]) for name in DEFAULT_REWARDS]
    assert time.monotonic() - start < 5.0
    assert scores[0] == [0.0]
