"""Shaping rewards (rewards/shaping.py): hand-computed values, and open-r1's published test cases
(huggingface/open-r1 tests/test_rewards.py, read there; the cases are restated here as data).

Where reasoncraft departs from open-r1 on purpose, the test says so and checks reasoncraft's rule.
"""

from __future__ import annotations

import doctest
import math

import pytest

import reasoncraft.rewards.shaping as shaping
from reasoncraft.rewards import RewardFailure, get_reward, is_failure
from reasoncraft.rewards.shaping import (
    cosine_scaled,
    kimi_length_rewards,
    length_reward,
    make_cosine_reward,
    make_repetition_penalty_reward,
    reasoning_steps_reward,
    repetition_penalty,
)

RIGHT, WRONG, GOLD = r"\boxed{\frac{63}{400}}", r"\boxed{\frac{64}{400}}", r"\frac{63}{400}"


def chat(text: str) -> list[dict]:
    """TRL's conversational completion form, as open-r1's tests pass them."""
    return [{"role": "assistant", "content": text}]


def test_doctests():
    result = doctest.testmod(shaping, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_registered_by_name():
    assert get_reward("reasoning_steps") is reasoning_steps_reward
    assert get_reward("length") is length_reward
    for name in ("cosine", "repetition_penalty", "repetition_penalty:4"):
        assert callable(get_reward(name))
    with pytest.raises(ValueError, match="n-gram size"):
        get_reward("repetition_penalty:x")


# ----- reasoning_steps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # open-r1's cases
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
        # hand-counted: "Step 1:", the numbered line "2.", the bullet "\n-", "Finally," = 4 markers, capped at 1
        ("Step 1: a\n2. b\n- c\nFinally, d", 1.0),
        ("- a\n- b", 1 / 3),  # the first bullet has no newline before it
    ],
)
def test_reasoning_steps_values(text, expected):
    assert reasoning_steps_reward([chat(text)]) == [pytest.approx(expected)]


def test_reasoning_steps_counts_numbered_lines_anywhere():
    # open-r1's `^\d+\.` has no MULTILINE flag, so it would count only the first item (1/3); the rule's
    # stated intent is a numbered list at the start of a line: two items, 2/3.
    assert reasoning_steps_reward(["1. add the units\n2. carry the ten"]) == [pytest.approx(2 / 3)]


# ----- cosine -----------------------------------------------------------------------------------


def test_cosine_scaled_against_hand_values():
    # CosFn(t, T=100): r_0 at 0, r_L at T, the mean of the two at T/2; clipped beyond T
    assert cosine_scaled(0, 100, 1.0, 0.5) == pytest.approx(1.0)
    assert cosine_scaled(50, 100, 1.0, 0.5) == pytest.approx(0.75)
    assert cosine_scaled(100, 100, 1.0, 0.5) == pytest.approx(0.5)
    assert cosine_scaled(25, 100, -1.0, -0.5) == pytest.approx(-0.5 - 0.25 * (1 + math.cos(math.pi / 4)))
    assert cosine_scaled(150, 100, 1.0, 0.5) == pytest.approx(0.5)  # open-r1: cos(1.5 pi) = 0 -> 0.75


OPEN_R1_COSINE = [  # (completion, gold, padded length, expected to 2 places); the boxed text is 22 characters
    (RIGHT, GOLD, 20, 0.943),
    (RIGHT, GOLD, 80, 0.547),
    (WRONG, GOLD, 20, -0.942),
    (WRONG, GOLD, 80, -0.547),
]


@pytest.mark.parametrize("content, gold, length, expected", OPEN_R1_COSINE)
def test_cosine_open_r1_cases(content, gold, length, expected):
    reward = make_cosine_reward(
        max_len=100, correct_at_zero=1.0, correct_at_max=0.5, wrong_at_zero=-1.0, wrong_at_max=-0.5
    )
    padded = content + " " * (length - len(content))
    assert reward([chat(padded)], answer=[gold])[0] == pytest.approx(expected, abs=0.005)


def test_cosine_units_exceed_none_and_failures(monkeypatch):
    tokens = make_cosine_reward(max_len=10, unit="tokens", exceed=-2.0)
    # 5 of 10 tokens: the midpoint of each curve; 10 tokens: r_e
    assert tokens(
        ["Answer: 4", "Answer: 5", "Answer: 4"], answer=["4"] * 3, completion_tokens=[5, 5, 10]
    ) == pytest.approx([0.75, -0.75, -2.0])
    assert tokens(["Answer: 4"], answer=["4"], completion_ids=[[7] * 5]) == pytest.approx([0.75])
    with pytest.raises(TypeError, match="completion_ids"):
        tokens(["Answer: 4"], answer=["4"])
    assert get_reward("cosine")(["Answer: 4"], answer=[None]) == [None]
    with pytest.raises(TypeError, match="gold answers"):
        get_reward("cosine")(["Answer: 4"])
    with pytest.raises(ValueError, match="unit"):
        make_cosine_reward(unit="words")

    import reasoncraft.rewards.math as math_rewards

    monkeypatch.setattr(math_rewards, "math_verdicts", lambda pairs: [RewardFailure("worker died")] * len(pairs))
    assert is_failure(get_reward("cosine")([r"\boxed{x}"], answer=["1"])[0])


# ----- length (Kimi k1.5) -------------------------------------------------------------------------


def test_kimi_length_against_hand_values():
    # min 10, max 30: lambda = 0.5, 0, -0.5; the wrong ones keep min(0, lambda)
    assert kimi_length_rewards([10, 20, 30], [True, True, True]) == pytest.approx([0.5, 0.0, -0.5])
    assert kimi_length_rewards([10, 20, 30], [False, False, False]) == pytest.approx([0.0, 0.0, -0.5])
    assert kimi_length_rewards([10, 15, 30], [True, False, True]) == pytest.approx([0.5, 0.0, -0.5])
    assert kimi_length_rewards([12, 12, 12], [True, False, True]) == [0.0, 0.0, 0.0]


def test_length_open_r1_cases():
    longer = "  " + "x" * 10
    assert length_reward([chat(RIGHT), chat(WRONG)], answer=[GOLD] * 2) == [0.0, 0.0]  # same length

    right = length_reward([chat(RIGHT), chat(RIGHT + longer)], answer=[GOLD] * 2)
    assert right[0] > right[1] and right[0] == pytest.approx(0.5)

    wrong = length_reward([chat(WRONG), chat(WRONG + longer)], answer=[GOLD] * 2)
    assert wrong[0] <= 0.0 and wrong[1] <= 0.0 and wrong[0] > wrong[1]

    r = length_reward([chat(RIGHT), chat(RIGHT + longer), chat(WRONG), chat(WRONG + longer)], answer=[GOLD] * 4)
    assert r[0] > 0.0 and r[2] > r[1] and r[1] >= r[3] and r[2] <= 0.0 and r[3] <= 0.0
    assert r[0] > r[1] and r[2] > r[3]
    assert r == pytest.approx([0.5, -0.5, 0.0, -0.5])  # by hand: lengths 22, 34, 22, 34


def test_length_unparseable_gold_is_not_counted_as_correct():
    # open-r1 treats a gold it cannot parse as correct (expects 0.5 for the shorter); here the answer is
    # checked like any other and "answer" is not "unparseable_latex": both wrong, the shorter still better.
    r = length_reward([chat(r"\boxed{answer}"), chat(r"\boxed{answer} " + "x" * 10)], answer=["unparseable_latex"] * 2)
    assert r == pytest.approx([0.0, -0.5])


def test_length_is_computed_per_problem_group():
    # Two problems, two samples each; open-r1's batch-wide min/max would mix them (10..200).
    completions = ["Answer: 4"] * 4
    by_question = length_reward(
        completions, answer=["4"] * 4, question=["a", "a", "b", "b"], completion_tokens=[10, 30, 100, 200]
    )
    assert by_question == pytest.approx([0.5, -0.5, 0.5, -0.5])
    prompts = [[{"role": "user", "content": q}] for q in ("a", "a", "b", "b")]  # TRL passes prompts=
    by_prompt = length_reward(
        [chat(c) for c in completions],
        answer=["4"] * 4,
        prompts=prompts,
        completion_ids=[[1] * n for n in (10, 30, 100, 200)],
    )
    assert by_prompt == by_question
    one_group = length_reward(completions, answer=["4"] * 4, completion_tokens=[10, 30, 100, 200])
    assert one_group == pytest.approx([0.5, 0.5 - 20 / 190, 0.5 - 90 / 190, -0.5])


def test_length_leaves_out_none_and_failures(monkeypatch):
    r = length_reward(["Answer: 4", "Answer: 4", "Answer: 4"], answer=["4", None, "4"], completion_tokens=[10, 1, 30])
    assert r == pytest.approx([0.5, None, -0.5])  # the None's length (1) is not the group's minimum

    import reasoncraft.rewards.math as math_rewards

    monkeypatch.setattr(math_rewards, "math_verdicts", lambda pairs: [RewardFailure("worker died")] * len(pairs))
    assert all(is_failure(v) for v in length_reward(["Answer: 4"] * 2, answer=["4"] * 2))


# ----- repetition penalty ----------------------------------------------------------------------------

OPEN_R1_REPETITION = [  # (n, max penalty, text, expected)
    (2, -1.0, "this is a test sentence", 0.0),
    (2, -1.0, "this this this this this", -0.75),
    (2, -1.0, "this is a this is a test", -1 / 3),
    (3, -0.5, "this is a test", 0.0),
    (3, -0.5, "test test test test", -0.25),
    (2, -1.0, "", 0.0),
    (3, -2.0, "this is a this is a test", -0.4),
    (3, -1.0, "word", 0.0),
    (3, -1.0, "two words", 0.0),
    (3, -1.0, "three different words", 0.0),
    (3, -1.0, "word word word word", -0.5),
    (3, -1.0, "one two one two", 0.0),
    (3, -0.5, "A B C A B", 0.0),
    (3, -1.0, "A B C A B C", -0.25),
    (3, -1.0, "A B C A B C E F G A B C A B C", -0.3846),
    (3, -1.0, "A B C D E F G H I J K L", 0.0),
    (2, -1.0, "that that that that that", -0.75),
]


@pytest.mark.parametrize("n, max_penalty, text, expected", OPEN_R1_REPETITION)
def test_repetition_penalty_open_r1_cases(n, max_penalty, text, expected):
    reward = make_repetition_penalty_reward(ngram_size=n, max_penalty=max_penalty)
    assert reward([chat(text)]) == [pytest.approx(expected, abs=5e-5)]


def test_repetition_penalty_hand_values_and_checks():
    # 13 trigrams of "A B C A B C E F G A B C A B C", 8 distinct: (1 - 8/13) * -1
    assert repetition_penalty("A B C A B C E F G A B C A B C", 3) == pytest.approx(-5 / 13)
    assert repetition_penalty("This is A Test", 2) == repetition_penalty("this IS a test", 2)
    assert get_reward("repetition_penalty:2")(["this this this this this"]) == [-0.75]
    with pytest.raises(ValueError, match="max_penalty"):
        make_repetition_penalty_reward(ngram_size=2, max_penalty=1.5)
    with pytest.raises(ValueError, match="ngram_size"):
        make_repetition_penalty_reward(ngram_size=0)


def test_length_groups_by_problem_through_sample_and_score():
    """The real scoring path: two problems' samples scored in one call (as evaluation and GRPO do), the
    group found from the `question` field that `Task.scoring_fields` passes."""
    from helpers import ScriptedBackend
    from reasoncraft.backends.base import SamplingParams
    from reasoncraft.sampling import sample_and_score
    from reasoncraft.tasks import get_task
    from reasoncraft.tasks.base import RewardSet

    task = get_task("arith-sum-2d")
    problems = task.problems("test", limit=2)
    gold = {p.question: p.answer for p in problems}

    def respond(prompt: str, index: int, seed) -> str:
        answer = next(a for q, a in gold.items() if q in prompt)
        thinking = "Let me add the tens and then the units carefully. " * (1 + 3 * problems_index(prompt))
        return f"Answer: {answer}<eos>" if index == 0 else f"{thinking}Answer: {answer}<eos>"

    def problems_index(prompt: str) -> int:  # the second problem thinks longer, so lengths differ by problem
        return next(i for i, p in enumerate(problems) if p.question in prompt)

    drawn = sample_and_score(
        ScriptedBackend(respond),
        task,
        problems,
        [task.prompt(p) for p in problems],
        SamplingParams(n=2, temperature=1.0, max_new_tokens=200, seed=0),
        rewards=RewardSet.of(["accuracy", "length"]),
    )
    values = [[s.breakdown["length"] for s in samples] for samples in drawn.samples]
    assert values == [[0.5, -0.5], [0.5, -0.5]]  # each problem's own min and max; batch-wide would differ
    assert all(s.correct for samples in drawn.samples for s in samples)
