"""Judge a candidate program against tests, with the verdict decided outside the candidate.

Two kinds of tests:

- `judge_calls`: function-level tests (HumanEval's `check(candidate)`, MBPP's asserts). The test
  code runs in a trusted judge process; every call of a candidate function is forwarded to the
  candidate's process and only plain values come back (see `wire.py`).
- `judge_stdio`: a program reads stdin and writes stdout; the judge feeds each case and compares
  the whole output (not a prefix) with the expected one.

Both run as one sandbox run: the judge is the sandbox's program and the candidate its child. The
verdict is read from the judge's stdout, which the candidate cannot reach (`_judge_main.py`). A
candidate that exits 0 early, prints "PASS", closes stdout or rewires its interpreter fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .core import Limits, RunResult, Sandbox

__all__ = ["Verdict", "judge_calls", "judge_stdio"]

_HERE = Path(__file__).parent


def _script(name: str) -> str:
    return (_HERE / "wire.py").read_text() + "\n" + (_HERE / name).read_text()


@dataclass
class Verdict:
    """The outcome of judging one program: `passed` only if every test passed."""

    passed: bool
    tests_passed: int
    tests_total: int
    errors: list[str] = field(default_factory=list)
    stop_reason: str = "exit"  # the sandbox's reason for the judge's run
    infrastructure_error: str = ""  # non-empty when the sandbox, not the program, failed
    run: RunResult | None = None

    @property
    def fraction(self) -> float:
        return self.tests_passed / self.tests_total if self.tests_total else 0.0


def _parse(result: RunResult, total: int) -> Verdict:
    lines, done = [], None
    for raw in result.stdout.splitlines():
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if "done" in msg:
            done = msg
        elif "test" in msg:
            lines.append(msg)
    errors = [m["error"] for m in lines if not m.get("ok")]
    passed_count = sum(1 for m in lines if m.get("ok"))
    if result.stop_reason == "sandbox_error":
        return Verdict(
            False,
            passed_count,
            total,
            errors,
            result.stop_reason,
            infrastructure_error=result.detail or "sandbox error",
            run=result,
        )
    if done is None and result.stop_reason == "exit":  # the judge itself broke, not the program
        return Verdict(
            False,
            passed_count,
            total,
            errors,
            result.stop_reason,
            run=result,
            infrastructure_error=f"judge exited {result.exit_code} without a verdict: {result.stderr.strip()[-500:]}",
        )
    if done is None:  # the run was stopped (wall, memory, output, a signal) before the judge finished
        errors.append(f"judge did not finish: {result.stop_reason}")
        return Verdict(False, passed_count, total, errors, result.stop_reason, run=result)
    ok = done["passed"] == total and total > 0 and not errors
    return Verdict(ok, done["passed"], total, errors, result.stop_reason, run=result)


def _judge(sandbox: Sandbox, spec: dict, solution: str, extra_files: dict, limits: Limits) -> Verdict:
    files = {"judge.py": _script("_judge_main.py"), "solution.py": solution, **extra_files}
    result = sandbox.run(
        [sandbox.interpreter(), "-I", "-S", "judge.py"], files=files, stdin=json.dumps(spec), limits=limits
    )
    return _parse(result, len(spec["tests"]))


def judge_calls(
    sandbox: Sandbox,
    code: str,
    tests: list[str],
    *,
    setup: str = "",
    candidate_setup: str = "",
    remote_names: list[str] | None = None,
    limits: Limits | None = None,
    stop_on_failure: bool = True,
) -> Verdict:
    """Judge function-level `tests` (Python source run in the judge) against `code`.

    `setup` runs in the judge before the tests (imports, trusted helper functions); names in
    `remote_names` (default: every new name the candidate defines) are bound to forwarders into the
    candidate's process. `candidate_setup` runs in the candidate before its code.
    """
    if not tests:
        raise ValueError("judge_calls needs at least one test")
    python = sandbox.interpreter()
    spec = {
        "mode": "call",
        "tests": tests,
        "setup": setup,
        "remote_names": remote_names,
        "argv": [python, "-I", "call_server.py"],
        "stop_on_failure": stop_on_failure,
    }
    extra = {"call_server.py": _script("_call_server.py"), "candidate_setup.py": candidate_setup}
    return _judge(sandbox, spec, code, extra, limits or Limits(wall_s=10.0))


def judge_stdio(
    sandbox: Sandbox,
    code: str,
    cases: list[dict],
    *,
    compare: str = "lines",
    case_timeout_s: float = 4.0,
    limits: Limits | None = None,
    stop_on_failure: bool = True,
) -> Verdict:
    """Judge a stdin/stdout program on `cases` ([{"input": str, "output": str}, ...]).

    `compare="lines"` compares whole outputs line by line, ignoring trailing whitespace;
    `"tokens"` compares whitespace-separated tokens.
    """
    if compare not in ("lines", "tokens"):
        raise ValueError(f"compare must be 'lines' or 'tokens': got {compare!r}")
    if not cases:
        raise ValueError("judge_stdio needs at least one case")
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not {"input", "output"} <= set(case):
            raise ValueError(f"case {i} must be a dict with 'input' and 'output': got {case!r}")
    spec = {
        "mode": "stdio",
        "tests": cases,
        "compare": compare,
        "case_timeout_s": case_timeout_s,
        "argv": [sandbox.interpreter(), "-I", "solution.py"],
        "stop_on_failure": stop_on_failure,
    }
    if limits is None:
        limits = Limits(wall_s=case_timeout_s * len(cases) + 5.0)
    return _judge(sandbox, spec, code, {}, limits)
