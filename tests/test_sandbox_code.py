"""Code tasks and the code reward: extraction, the reward contract, HumanEval/MBPP/stdin-stdout.

The acceptance check (every canonical solution passes, a deliberately broken version of each
fails) runs on a fast subset here and on all 164 HumanEval and 427 MBPP problems in the slow tier.
The data comes from ../shared/data; those tests skip when it is absent.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

from reasoncraft.rewards.base import get_reward, is_failure
from reasoncraft.rewards.code import code_reward, extract_code, judge_program
from reasoncraft.sandbox import Sandbox, SandboxPool, SandboxUnavailable
from reasoncraft.tasks import get_task

try:
    Sandbox().check()
    AVAILABLE = True
except SandboxUnavailable:
    AVAILABLE = False

needs_sandbox = pytest.mark.skipif(not AVAILABLE, reason="sandbox isolation unavailable here")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HUMANEVAL = DATA / "humaneval.jsonl"
MBPP = DATA / "mbpp_sanitized.jsonl"
needs_humaneval = pytest.mark.skipif(not HUMANEVAL.exists(), reason=f"{HUMANEVAL} absent")
needs_mbpp = pytest.mark.skipif(not MBPP.exists(), reason=f"{MBPP} absent")

# Wrap each tested function so that it returns a slightly wrong value of the same kind.
BREAK = """
_orig_{name} = {name}
def {name}(*args, **kwargs):
    r = _orig_{name}(*args, **kwargs)
    if isinstance(r, bool): return not r
    if isinstance(r, int): return r + 1
    if isinstance(r, float): return r * 1.5 + 1  # beyond any isclose tolerance in the tests
    if isinstance(r, str): return r + "x"
    if isinstance(r, list): return r + [None]
    if isinstance(r, tuple): return r + (None,)
    return 0 if r is None else None
"""


def fenced(code: str) -> str:
    return f"Here is my solution.\n```python\n{code}\n```\n"


def functions_under_test(code: str, tests: list[str]) -> list[str]:
    defined = [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
    with warnings.catch_warnings():  # invalid escapes such as '\w' in some asserts
        warnings.simplefilter("ignore")
        used = {n.id for t in tests for n in ast.walk(ast.parse(t)) if isinstance(n, ast.Name)}
    return [d for d in defined if d in used]


def broken(code: str, names: list[str]) -> str:
    return code + "".join(BREAK.format(name=n) for n in names)


# ----- extraction and the reward contract (no sandbox needed for these) ---------------------------


def test_extract_code_takes_the_last_python_block():
    text = "<think>```python\nx = 1\n```</think>\n```py\ny = 2\n```\n```text\nnot code\n```"
    assert extract_code(text) == "y = 2"
    assert extract_code("```\nz = 3\n```") == "z = 3"
    assert extract_code("```python\nunclosed = 1\n") is None
    assert extract_code("plain text") is None


def test_reward_returns_none_without_tests_and_zero_without_code():
    assert code_reward(["```python\nprint(1)\n```"]) == [None]
    spec = {"kind": "stdio", "cases": [{"input": "", "output": "1"}]}
    assert code_reward(["no code at all"], code_tests=[spec]) == [0.0]


def test_reward_rejects_malformed_specs_by_name():
    with pytest.raises(ValueError, match="kind 'calls' or 'stdio'"):
        code_reward(["```python\nx\n```"], code_tests=[{"kind": "shell"}])
    with pytest.raises(ValueError, match="one entry per completion"):
        code_reward(["a", "b"], code_tests=[None])


# ----- judged in the sandbox ------------------------------------------------------------------


@needs_sandbox
def test_registered_code_reward_scores_a_batch():
    spec = {"kind": "stdio", "cases": [{"input": "2 3\n", "output": "5\n"}, {"input": "0 0", "output": "0"}]}
    completions = [
        fenced("print(sum(map(int, input().split())))"),
        fenced("print(5)"),
        fenced("import sys; sys.exit(0)"),
        "I cannot code",
    ]
    assert get_reward("code")(completions, code_tests=[spec] * 4) == [1.0, 0.0, 0.0, 0.0]


@needs_sandbox
def test_sandbox_failure_is_a_reward_failure_not_zero():
    # A real infrastructure failure: the judge's interpreter cannot start.
    sandbox = Sandbox(python="/bin/false")
    verdict = judge_program(sandbox, "print(1)", {"kind": "stdio", "cases": [{"input": "", "output": "1"}]})
    assert verdict.infrastructure_error and not verdict.passed
    from reasoncraft.rewards.code import _to_reward

    assert is_failure(_to_reward(verdict))


@needs_sandbox
def test_stdio_examples_pass_with_their_solutions_and_fail_when_wrong():
    task = get_task("code-stdio")
    problems = task.problems("dev") + task.problems("test")
    assert len(problems) == 5
    for p in problems:
        assert task.score(p, fenced(p.answer)).reward == 1.0, p.id
        assert task.score(p, fenced("print('PASS')")).reward == 0.0, p.id
        assert task.score(p, fenced(p.answer + "\nprint()\nprint('extra')")).reward == 0.0, p.id


def _acceptance(task, problems, names_of):
    with SandboxPool() as pool:

        def one(sandbox, p):
            spec = task.tests_spec(p)
            names = names_of(p)
            return (
                judge_program(sandbox, p.answer, spec),
                judge_program(sandbox, broken(p.answer, names), spec) if names else None,
            )

        results = pool.map(one, problems)
    failed_good = [p.id for p, (good, _) in zip(problems, results) if not good.passed]
    passed_broken = [p.id for p, (_, bad) in zip(problems, results) if bad is not None and bad.passed]
    unbroken = [p.id for p, (_, bad) in zip(problems, results) if bad is None]
    assert not failed_good, f"canonical solutions failed: {failed_good}"
    assert not passed_broken, f"broken solutions passed: {passed_broken}"
    return unbroken


def _humaneval(limit=None):
    task = get_task("humaneval", data_path=str(HUMANEVAL))
    return task, task.problems("test", limit=limit)


def _mbpp(limit=None):
    task = get_task("mbpp", data_path=str(MBPP))
    problems = [p for split in ("train", "dev", "test", "prompt") for p in task.problems(split)]
    return task, problems[:limit] if limit else problems


@needs_sandbox
@needs_humaneval
def test_humaneval_subset_canonical_passes_and_broken_fails():
    task, problems = _humaneval(limit=12)
    assert _acceptance(task, problems, lambda p: [p.fields["entry_point"]]) == []
    prompt = task.prompt(problems[0])[-1]["content"]
    assert "def has_close_elements" in prompt and "```python" in prompt


@needs_sandbox
@needs_mbpp
def test_mbpp_subset_canonical_passes_and_broken_fails():
    task, problems = _mbpp()
    assert [len(task.problems(s)) for s in ("train", "dev", "test", "prompt")] == [120, 43, 257, 7]
    subset = problems[::36]  # 12 problems spread over the four splits
    assert _acceptance(task, subset, lambda p: functions_under_test(p.answer, p.fields["test_list"])) == []


@pytest.mark.slow
@needs_sandbox
@needs_humaneval
def test_all_164_humaneval_canonical_solutions_pass_and_broken_versions_fail():
    task, problems = _humaneval()
    assert len(problems) == 164
    assert _acceptance(task, problems, lambda p: [p.fields["entry_point"]]) == []


@pytest.mark.slow
@needs_sandbox
@needs_mbpp
def test_all_427_mbpp_canonical_solutions_pass_and_broken_versions_fail():
    task, problems = _mbpp()
    assert len(problems) == 427
    unbroken = _acceptance(task, problems, lambda p: functions_under_test(p.answer, p.fields["test_list"]))
    assert unbroken == [], f"problems whose tests call no function of the solution: {unbroken}"


class ReplayBackend:
    """Answers every prompt of a code task with a scripted completion per sample index (a stand-in
    for a model; the task, the sandbox and the evaluator are the real ones)."""

    model_id = "replay-code"
    eos_ids = {0}

    def __init__(self, respond):
        self.respond = respond

    def render_prompt(self, messages) -> str:
        return "\n".join(m["content"] for m in messages)

    def generate(self, prompts, sampling):
        from reasoncraft.backends.base import Completion

        out = []
        for prompt in prompts:
            text = self.render_prompt(prompt) if not isinstance(prompt, str) else prompt
            row = []
            for i in range(sampling.n):
                reply = self.respond(text, i)
                row.append(
                    Completion(
                        reply, [1] * len(reply.split()) + [0], len(text.split()), len(reply.split()) + 1, "stop", i
                    )
                )
            out.append(row)
        return out


@needs_sandbox
def test_pass_at_k_through_the_evaluator(tmp_path):
    from reasoncraft.evaluate import EvalConfig, evaluate
    from reasoncraft.record import RunRecord

    task = get_task("code-stdio")
    solutions = {p.question: p.answer for p in task.problems("test")}
    # Samples 0 and 1 are right, 2 prints a prefix-matching PASS, 3 has no code: 2 of 4 correct.
    replies = [
        lambda q: fenced(solutions[q]),
        lambda q: fenced(solutions[q]),
        lambda q: fenced("print('PASS')"),
        lambda q: "I would loop over the input.",
    ]
    backend = ReplayBackend(lambda text, i: replies[i](next(q for q in solutions if q in text)))
    config = EvalConfig(tasks=["code-stdio"], samples=4, temperature=1.0, max_new_tokens=64)
    [result] = evaluate(
        backend,
        [task],
        config.sampling(),
        tmp_path,
        record=RunRecord("t", {}, tmp_path),
        cache_dir=tmp_path / "cache",
        show_progress=False,
    )
    assert len(result.samples) == 4 * len(solutions)
    assert result.summary["pass@1"] == 0.5
    assert result.summary["pass@k"][4] == 1.0
    assert result.summary["pass@k"][2] == pytest.approx(1 - 1 / 6)  # 1 - C(2,2)/C(4,2)
    assert all(s.failure is None for s in result.samples)
