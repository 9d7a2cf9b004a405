"""Procedural arithmetic tasks: loading, deterministic disjoint splits, correct answers, scoring."""

import re

import pytest

from reasoncraft.tasks import get_task, list_tasks

SPECS = [
    "arith-sum-1d",
    "arith-sum-2d",
    "arith-diff-2d",
    "arith-prod-1d",
    "arith-prod-2d",
    "arith-mix-2d-3t",
    "arith-word-1d",
    "arith-word-2d-3s",
]
SMALL = {"test_size": 60, "dev_size": 30, "train_size": 200}


def _reference_value(expression: str) -> int:
    """Left-to-right evaluation of 'a op b op c' with a plain loop (parentheses only group the left part)."""
    tokens = expression.replace("(", "").replace(")", "").split()
    value = int(tokens[0])
    for op, b in zip(tokens[1::2], tokens[2::2]):
        value = value + int(b) if op == "+" else value - int(b) if op == "-" else value * int(b)
    return value


def _reference_word(question: str) -> int:
    """Re-read a word problem sentence by sentence and work it out."""
    value = int(re.match(r"\w+ has (\d+) ", question).group(1))
    for sentence in re.split(r"(?<=[.?])\s+", question)[1:]:
        if m := re.search(r"gives \w+ (\d+) more", sentence):
            value += int(m.group(1))
        elif m := re.search(r"gives (\d+) \w+ to", sentence):
            value -= int(m.group(1))
        elif m := re.search(r"becomes (\d+) times", sentence):
            value *= int(m.group(1))
        elif m := re.search(r"equally among (\d+) friends", sentence):
            assert value % int(m.group(1)) == 0
            value //= int(m.group(1))
    return value


def test_listed():
    names = list_tasks()
    assert "arith-sum-2d" in names and "arith-sum-1d" in names and "arith-diff-2d" in names
    assert all(get_task(name).name == name for name in names if name.startswith(("arith-", "countdown")))
    assert "rg:<reasoning-gym dataset>" in list_tasks(include_patterns=True) and not any("<" in n for n in names)


@pytest.mark.parametrize("spec", SPECS)
def test_splits_are_deterministic_disjoint_and_answers_right(spec):
    task = get_task(spec, **SMALL)
    again = get_task(spec, **SMALL)
    questions = {}
    for split in ("train", "dev", "test"):
        problems = task.problems(split)
        assert problems == again.problems(split)  # same options -> same problems, same order
        assert len({p.question for p in problems}) == len(problems)  # no repeats inside a split
        assert len({p.id for p in problems}) == len(problems)
        questions[split] = {p.question for p in problems}
        for p in problems:
            want = _reference_word(p.question) if "word" in spec else _reference_value(p.fields["expression"])
            assert p.answer == str(want), p
            assert int(p.answer) >= 0 or "diff" not in spec
    assert not questions["train"] & questions["dev"]
    assert not questions["train"] & questions["test"]
    assert not questions["dev"] & questions["test"]
    if "1d" not in spec or "word" in spec:  # 1-digit pairs: 100 only, so those splits are short by design
        assert len(questions["test"]) == 60 and len(questions["dev"]) == 30


def test_disjoint_across_seeds():
    a = get_task("arith-sum-2d", seed=0, **SMALL)
    b = get_task("arith-sum-2d", seed=1, **SMALL)
    assert a.problems("test") != b.problems("test")
    assert not {p.question for p in a.problems("test")} & {p.question for p in b.problems("train")}


def test_two_digit_sums_have_two_digit_operands():
    for p in get_task("arith-sum-2d").problems("test"):
        a, b = map(int, re.match(r"What is (\d+) \+ (\d+)\?", p.question).groups())
        assert 10 <= a <= 99 and 10 <= b <= 99 and p.answer == str(a + b)
    assert len(get_task("arith-sum-2d").problems("test")) == 500


def test_limit_is_a_prefix_and_sizes_option():
    task = get_task("arith-sum-2d")
    assert task.problems("test", limit=10) == task.problems("test")[:10]
    assert get_task("arith-sum-2d", test_size=20).problems("test") == task.problems("test")[:20]
    assert task.problems("dev", limit=0) == []


def test_one_digit_sums_space_is_covered_without_repeats():
    task = get_task("arith-sum-1d")
    pairs = [p.question for s in ("train", "dev", "test") for p in task.problems(s)]
    assert len(pairs) == len(set(pairs)) == 100  # every ordered pair a + b with 0 <= a, b <= 9, once


def test_prompt_uses_the_arithmetic_template():
    task = get_task("arith-sum-2d")
    p = task.problems("test", 1)[0]
    assert task.prompt(p) == [
        {"role": "user", "content": f"{p.question} Give the final answer as a number after 'Answer:'."}
    ]
    assert task.prompt(p, template="direct")[0]["content"].startswith(p.question)
    assert get_task("arith-sum-2d", template="cot").prompt(p)[0]["content"].endswith("after 'Answer:'.")


def test_score_hand_written_completions():
    task = get_task("arith-sum-2d")
    p = task.problems("test", 1)[0]  # pinned: the splits must be the same on every machine and version
    assert (p.question, p.answer) == ("What is 47 + 23?", "70")
    right = task.score(p, "47 + 23 = 70.\nAnswer: 70")
    assert (right.reward, right.correct, right.extracted, right.breakdown) == (1.0, True, "70", {"accuracy": 1.0})
    wrong = task.score(p, "Answer: 60")
    assert (wrong.reward, wrong.correct, wrong.extracted) == (0.0, False, "60")
    none = task.score(p, "I think it is seventy")
    assert (none.reward, none.correct, none.extracted) == (0.0, False, None)
    hedged = task.score(p, "Answer: 70 or 71")
    assert hedged.reward == 0.0 and hedged.correct is False
    scores = task.score_many(p, ["Answer: 70", "Answer: 1"])
    assert [s.reward for s in scores] == [1.0, 0.0]
    assert task.reward_fields(p) == {"answer": "70"}


def test_reward_option_last_number():
    strict, lenient = get_task("arith-sum-2d"), get_task("arith-sum-2d", reward="gsm8k_accuracy")
    p = strict.problems("test", 1)[0]  # What is 47 + 23?
    reply = "47 + 23 = 70"  # the default model's usual reply: right, but not in the asked format
    assert (strict.score(p, reply).correct, strict.score(p, reply).extracted) == (False, None)
    s = lenient.score(p, reply)
    assert (s.correct, s.extracted, s.breakdown) == (True, "70", {"gsm8k_accuracy": 1.0})
    assert lenient.score(p, "What is 47 + 23?").correct is False  # an echoed question earns nothing
    with pytest.raises(KeyError, match="unknown reward 'nope'"):
        get_task("arith-sum-2d", reward="nope")


def test_bad_specs_and_options_are_clear():
    with pytest.raises(ValueError, match="arith-sum-2d"):
        get_task("arith-sum-two")
    with pytest.raises(ValueError, match="digits must be in 1..18"):
        get_task("arith-sum-0d")
    with pytest.raises(ValueError, match="test_size must be >= 0"):
        get_task("arith-sum-2d", test_size=-1)
    with pytest.raises(ValueError, match="splits train, dev, test; got 'validation'"):
        get_task("arith-sum-2d").problems("validation")
    with pytest.raises(KeyError, match="unknown task 'nope'"):
        get_task("nope")
