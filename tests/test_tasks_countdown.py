"""Countdown: the TinyZero preset against TinyZero's own scores, the strict reward, the generator.

`tests/fixtures/countdown_tinyzero.jsonl` was made outside this project: a corpus of completions
(correct, wrong value, a number reused / missing / not given, disallowed characters, no tags,
several answer tags, answer not on the last line, odd whitespace, `**`, `//`, decimals, ...) on
Countdown problems, each appended to TinyZero's own prompt (`make_prefix`, base or qwen-instruct
form; `prompt_sha256` is the hash of that prompt) and scored by TinyZero's
`verl/utils/reward_score/countdown.py::compute_score` (Jiayi-Pan/TinyZero at 95df88f). Records with
`prompt_form: null` hold a raw decoded sequence in `solution_str` instead.
"""

import hashlib
import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest

from reasoncraft.prompts import get_template, render, render_text
from reasoncraft.rewards import get_reward
from reasoncraft.rewards.countdown import (
    countdown_reward,
    countdown_tinyzero_reward,
    python_arithmetic,
    strict_countdown_value,
    tinyzero_countdown_score,
)
from reasoncraft.tasks import get_task

FIXTURE = Path(__file__).parent / "fixtures" / "countdown_tinyzero.jsonl"
RECORDS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def _tinyzero_prompt(record) -> str:
    if record["prompt_form"] == "base":
        return render_text("tinyzero-countdown", numbers=record["numbers"], target=record["target"])
    system, user = render("tinyzero-countdown", numbers=record["numbers"], target=record["target"])
    prefix = get_template("tinyzero-countdown").assistant_prefix
    return (
        f"<|im_start|>system\n{system['content']}<|im_end|>\n<|im_start|>user\n{user['content']}<|im_end|>\n"
        f"<|im_start|>assistant\n{prefix}"
    )


def test_fixture_is_big_and_varied():
    assert len(RECORDS) >= 200
    cases = {r["case"] for r in RECORDS}
    for case in (
        "correct",
        "wrong_value",
        "number_reused",
        "number_missing",
        "disallowed_letters",
        "no_tags",
        "several_tags_last_right",
        "several_tags_last_wrong",
        "not_last_line",
    ):
        assert case in cases
    assert {r["tinyzero_score"] for r in RECORDS} == {0, 0.1, 1.0}


def test_tinyzero_preset_reproduces_tinyzero_on_full_sequences():
    mismatches = []
    for r in RECORDS:
        if r["prompt_form"] is None:
            sequence = r["solution_str"]
        else:
            prompt = _tinyzero_prompt(r)
            assert hashlib.sha256(prompt.encode()).hexdigest() == r["prompt_sha256"], r["id"]  # TinyZero's prompt
            sequence = prompt + r["completion"]
        got = tinyzero_countdown_score(sequence, r["numbers"], r["target"])
        if got != r["tinyzero_score"] or type(got) is not type(r["tinyzero_score"]):
            mismatches.append((r["id"], r["case"], got, r["tinyzero_score"]))
    assert mismatches == []


def test_tinyzero_reward_on_completions_alone_matches():
    records = [r for r in RECORDS if r["completion"] is not None]
    got = countdown_tinyzero_reward(
        [r["completion"] for r in records],
        numbers=[r["numbers"] for r in records],
        target=[r["target"] for r in records],
    )
    assert got == [r["tinyzero_score"] for r in records]
    assert get_reward("countdown_tinyzero") is countdown_tinyzero_reward


def test_tinyzero_task_scores_like_the_fixture():
    task = get_task("countdown-tinyzero")
    for r in RECORDS[:60]:
        problem = task.problems("test", 1)[0].__class__("x", "q", "a", {"numbers": r["numbers"], "target": r["target"]})
        score = task.score(problem, r["completion"])
        assert score.reward == r["tinyzero_score"] and score.breakdown == {"countdown_tinyzero": r["tinyzero_score"]}
        assert score.correct is (r["tinyzero_score"] == 1.0)


STRICT_CASES = [  # (completion, numbers, target, strict score, why)
    ("<think>8 * 2</think>\n<answer>(3 + 5) * 2</answer>", [2, 3, 5], 16, 1.0, "correct"),
    ("<answer>(3+5)*2</answer>\nthat is all", [2, 3, 5], 16, 1.0, "answer need not be on the last line"),
    ("<answer>\n(3 + 5) * 2\n</answer>", [2, 3, 5], 16, 1.0, "multi-line answer block"),
    ("<answer>2 * (5 + 3)</answer>", [5, 2, 3], 16, 1.0, "order of numbers is free"),
    ("<answer>(3 + 5) / 2</answer>", [2, 3, 5], 16, 0.0, "wrong value"),
    ("<answer>(3 + 5) * 2 * 2 / 2</answer>", [2, 3, 5], 16, 0.0, "a number reused"),
    ("<answer>3 + 5 + 8</answer>", [2, 3, 5], 16, 0.0, "a number not given"),
    ("<answer>(3 + 5) * 2</answer> <answer>(3 + 5) * 2</answer>", [2, 3, 5], 16, 0.0, "several answer tags"),
    ("<answer>1</answer>\n<answer>(3 + 5) * 2</answer>", [2, 3, 5], 16, 0.0, "several answer tags, last right"),
    ("<answer>(3 + 5) * 2</answer></answer>", [2, 3, 5], 16, 0.0, "stray closing tag"),
    ("(3 + 5) * 2 = 16", [2, 3, 5], 16, 0.0, "no tags"),
    ("<answer>(3 + 5) × 2</answer>", [2, 3, 5], 16, 0.0, "disallowed character"),
    ("<answer>(3 + 5) * 2 = 16</answer>", [2, 3, 5], 16, 0.0, "an equals sign"),
    ("<answer>2 ** (5 - 3)</answer>", [2, 3, 5], 4, 0.0, "power is not an operation"),
    ("<answer>7 // 2 * 3</answer>", [7, 2, 3], 9, 0.0, "floor division is not an operation"),
    ("<answer>3.5 * 2</answer>", [3, 5, 2], 7, 0.0, "decimals are not numbers of the problem"),
    ("<answer>-3 + 5</answer>", [5, 3], 2, 0.0, "no unary minus"),
    ("<answer>1 / 3 * 3</answer>", [1, 3, 3], 1, 1.0, "exact rational arithmetic"),
    ("<answer>5 / (3 - 3)</answer>", [5, 3, 3], 1, 0.0, "division by zero"),
    ("<answer>__import__('os').system('true')</answer>", [2, 3, 5], 16, 0.0, "code is not an expression"),
    ("<answer></answer>", [2, 3, 5], 16, 0.0, "empty answer"),
    ("<answer>((3 + 5) * 2</answer>", [2, 3, 5], 16, 0.0, "unbalanced parentheses"),
    ("<answer>7 + 4 / 4</answer>", [4, 4, 7], 8, 1.0, "repeated numbers each used once"),
    ("<answer>7 + 4</answer>", [4, 4, 7], 11, 0.0, "a repeated number used once only"),
]


@pytest.mark.parametrize("completion,numbers,target,want,why", STRICT_CASES, ids=[c[4] for c in STRICT_CASES])
def test_strict_default_reward(completion, numbers, target, want, why):
    assert countdown_reward([completion], numbers=[numbers], target=[target]) == [want]


def test_strict_reward_on_the_fixture_never_exceeds_tinyzero_and_rejects_several_tags():
    records = [r for r in RECORDS if r["completion"] is not None and isinstance(r["target"], int)]
    strict = countdown_reward(
        [r["completion"] for r in records],
        numbers=[r["numbers"] for r in records],
        target=[r["target"] for r in records],
    )
    for r, s in zip(records, strict):
        assert s in (0.0, 1.0)
        if s == 1.0:
            assert r["tinyzero_score"] == 1.0 or r["case"] in (
                "not_last_line",
                "not_last_line_trailing_newline",
                "multiline_answer",
            ), r
        if r["case"].startswith("several_tags") or r["case"] in ("assistant_in_reply", "unary_minus", "nested_tags"):
            assert s == 0.0, r


def test_doctests():
    import doctest

    import reasoncraft.rewards.countdown as module

    result = doctest.testmod(module)
    assert result.attempted >= 8 and result.failed == 0


def test_python_arithmetic_follows_python_semantics_without_eval():
    assert python_arithmetic("2 ** 3 ** 2") == 512  # right-associative
    assert python_arithmetic("-2 ** 2") == -4
    assert python_arithmetic("7 // 2"), python_arithmetic("7 / 2") == (3, 3.5)
    assert python_arithmetic("\t 1 + 1") == 2
    assert python_arithmetic("05") is None and python_arithmetic("00") == 0 and python_arithmetic("05.5") == 5.5
    assert python_arithmetic("(1, 2)") is None and python_arithmetic("2(3)") is None
    assert python_arithmetic("9 ** 9 ** 9") is None  # the size guard: no hang
    assert python_arithmetic("(" * 300 + "1" + ")" * 300) is None
    assert python_arithmetic("1" + "+1" * 20000) is None  # over the length cap


def test_strict_value_parser():
    assert strict_countdown_value("((1 + 2)) * (3 - 4) / 5") == (Fraction(-3, 5), [1, 2, 3, 4, 5])
    for bad in ("", "1 +", "(1", "1)", "1 2", "+1", "1 ++ 2", "1.5", "a", "1e3", "1 % 2", "025", "2 * 05", "1\xa0+ 2"):
        assert strict_countdown_value(bad) is None, bad


def _solvable(numbers, target) -> bool:
    """Brute force over every order and pairing: can all numbers reach target with + - * / ?"""

    def reach(values):
        if len(values) == 1:
            return values[0] == target
        for i, j in itertools.permutations(range(len(values)), 2):
            a, b = values[i], values[j]
            rest = [v for k, v in enumerate(values) if k not in (i, j)]
            outs = [a + b, a - b, a * b] + ([a / b] if b != 0 else [])
            if any(reach(rest + [o]) for o in outs):
                return True
        return False

    return reach([Fraction(n) for n in numbers])


@pytest.mark.parametrize(
    "spec,options",
    [("countdown", {}), ("countdown-3", {"max_number": 20, "max_target": 50}), ("countdown-tinyzero-4", {})],
)
def test_generator_problems_are_solvable_and_splits_disjoint(spec, options):
    task = get_task(spec, test_size=40, dev_size=20, train_size=100, **options)
    seen = {}
    for split in ("train", "dev", "test"):
        problems = task.problems(split)
        assert problems == get_task(spec, test_size=40, dev_size=20, train_size=100, **options).problems(split)
        seen[split] = {(tuple(sorted(p.fields["numbers"])), p.fields["target"]) for p in problems}
        assert len(seen[split]) == len(problems)
        for p in problems[:15]:
            numbers, target = p.fields["numbers"], p.fields["target"]
            assert _solvable(numbers, target), p
            assert 1 <= target <= options.get("max_target", 100)
            assert all(1 <= n <= options.get("max_number", 99) for n in numbers)
            # the reference solution scores 1 under both rewards
            assert countdown_reward([f"<answer>{p.answer}</answer>"], numbers=[numbers], target=[target]) == [1.0]
            assert task.score(p, f"<think>ok</think>\n<answer>{p.answer}</answer>").correct is True
    assert not seen["train"] & seen["test"] and not seen["dev"] & seen["test"] and not seen["train"] & seen["dev"]


def test_first_test_problem_is_pinned():
    # the splits must be the same on every machine and every version
    p = get_task("countdown").problems("test", 1)[0]
    assert (p.id, p.fields, p.answer) == ("countdown-test-0", {"numbers": [57, 59, 96], "target": 98}, "59 + (96 - 57)")


def test_countdown_specs_share_splits_and_prompts():
    plain, tiny = get_task("countdown"), get_task("countdown-tinyzero")
    assert [p.fields for p in plain.problems("test", 20)] == [p.fields for p in tiny.problems("test", 20)]
    p = tiny.problems("test", 1)[0]
    assert tiny.prompt(p)[1]["content"].startswith(f" Using the numbers {p.fields['numbers']}, create an equation")
    assert tiny.prompt_text(p).endswith("Assistant: Let me solve this step by step.\n<think>")
    assert plain.prompt(p)[0]["content"].startswith(f"Using each of the numbers {p.fields['numbers']}")
    assert plain.reward_fields(p) == {"numbers": p.fields["numbers"], "target": p.fields["target"]}
    assert [len(q.fields["numbers"]) for q in get_task("countdown-5").problems("test", 10)] == [5] * 10


def test_countdown_bad_options():
    with pytest.raises(ValueError, match="min_count <= max_count"):
        get_task("countdown", min_count=5, max_count=3)
    with pytest.raises(ValueError, match="either count"):
        get_task("countdown-3", min_count=2)
    with pytest.raises(ValueError, match="widen the target range"):
        get_task("countdown", min_target=100000, max_target=100001).problems("test")
    with pytest.raises(TypeError, match="numbers=\\[...\\]"):
        countdown_reward(["<answer>1</answer>"], target=[1])


def test_countdown_from_a_data_file(tmp_path):
    small = tmp_path / "cd.jsonl"
    small.write_text("".join(json.dumps({"target": 16, "nums": [2, 3, 5]}) + "\n" for _ in range(3)))
    task = get_task("countdown-tinyzero", data_path=str(small))
    assert task.splits == ("test",) and len(task.problems("test")) == 3
    p = task.problems("test")[0]
    assert p.fields == {"numbers": [2, 3, 5], "target": 16} and p.answer == ""
    assert task.score(p, "<answer>(3 + 5) * 2</answer>").reward == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"target": 3}\n')
    with pytest.raises(ValueError, match="row 1 needs nums \\(or numbers\\) and target"):
        get_task("countdown", data_path=str(bad))
    with pytest.raises(ValueError, match="drop test_size"):
        get_task("countdown", data_path=str(small), test_size=1)


def test_countdown_data_in_tinyzero_layout(tmp_path):
    rows = 327_680 + 1_024 + 200 + 5
    path = tmp_path / "tinyzero.jsonl"
    path.write_text("".join(f'{{"target": {i % 97}, "nums": [{i % 50}, 2]}}\n' for i in range(rows)))
    task = get_task("countdown-tinyzero", data_path=str(path))
    train, test, dev = task.problems("train"), task.problems("test"), task.problems("dev")
    assert (len(train), len(test), len(dev)) == (327_680, 1_024, 200)
    assert test[0].id == "countdown-tinyzero-327680" and dev[0].id == "countdown-tinyzero-328704"
