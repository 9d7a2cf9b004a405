"""reasoning-gym generators wrapped as tasks (skipped where reasoning-gym is not installed)."""

import pytest

from reasoncraft.tasks import get_task

pytest.importorskip("reasoning_gym")

SUMS = {
    "min_terms": 2,
    "max_terms": 2,
    "min_digits": 2,
    "max_digits": 2,
    "operators": ("+",),
    "allow_parentheses": False,
    "allow_negation": False,
}


def test_two_digit_sums_from_reasoning_gym():
    task = get_task("rg:basic_arithmetic", test_size=50, dev_size=20, train_size=100, **SUMS)
    splits = {s: task.problems(s) for s in ("train", "dev", "test")}
    assert {s: len(p) for s, p in splits.items()} == {"train": 100, "dev": 20, "test": 50}
    questions = {s: {p.question for p in ps} for s, ps in splits.items()}
    assert not questions["train"] & questions["test"] and not questions["dev"] & questions["test"]
    assert not questions["train"] & questions["dev"]
    again = get_task("rg:basic_arithmetic", test_size=50, dev_size=20, train_size=100, **SUMS)
    assert again.problems("test") == splits["test"]
    for p in splits["test"]:
        a, b = p.question.removeprefix("Calculate ").rstrip(".").split(" + ")
        # reasoning-gym's "2 digits" means operands in 0..100, not 10..99 (why arith-sum-2d is our own)
        assert 0 <= int(a) <= 100 and 0 <= int(b) <= 100 and p.answer == str(int(a) + int(b))


def test_scoring_uses_the_generators_scorer():
    task = get_task("rg:basic_arithmetic", test_size=5, dev_size=1, train_size=1, **SUMS)
    p = task.problems("test")[0]
    right = task.score(p, f"<answer>{p.answer}</answer>")
    assert (right.reward, right.correct, right.extracted) == (1.0, True, p.answer)
    wrong = task.score(p, f"Answer: {int(p.answer) + 1}")
    assert wrong.correct is False and wrong.reward < 1.0
    assert task.score(p, "no answer").reward == 0.0
    assert set(task.rewards()) == {"reasoning_gym"}


def test_unknown_dataset_and_bad_config():
    with pytest.raises(KeyError, match="reasoning-gym has no dataset 'nope'"):
        get_task("rg:nope")
    with pytest.raises(TypeError):
        get_task("rg:basic_arithmetic", not_an_option=1)
