"""Honest texts stay equal: every MATH-500 reference solution and GSM8K rationale against its own gold.

A rule against hedging or reward hacking can cost honest completions (a check after the box, an explanation that
names other numbers, drawing code); these are the texts models are trained to imitate. Measured in the fourteenth
session, before that session's rules (a7608e1) and after them: MATH-500 500/500 equal by `text_verdicts` (499 by
the `accuracy` reward, which reads a solution without a box or marker as no answer), GSM8K 1,275/1,319 by
`text_verdicts` (a rationale ends on its last computation, which is not always the answer: 44 end otherwise). The
first version of the session's stated-answers rule moved 9 of these texts to "not equal"; the test fails on any
loss below the measured counts."""

import json

import pytest

from reasoncraft.rewards import get_reward
from reasoncraft.rewards.checker import text_verdicts


def _rows(shared_data, name: str) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (shared_data / name).read_text().splitlines() if line.strip()]
    return [(r["answer"], r["solution"]) for r in rows]


@pytest.mark.parametrize(("name", "by_text", "by_reward"), [("math500.jsonl", 500, 499), ("gsm8k_test.jsonl", 1275, 0)])
def test_reference_solutions_stay_equal(shared_data, name, by_text, by_reward):
    rows = _rows(shared_data, name)
    equal = sum(v is True for v in text_verdicts(rows))
    assert equal >= by_text, f"{name}: {equal}/{len(rows)} reference texts equal to their gold, measured {by_text}"
    if by_reward:
        rewards = get_reward("accuracy")([text for _, text in rows], answer=[gold for gold, _ in rows])
        assert sum(r == 1.0 for r in rewards) >= by_reward
