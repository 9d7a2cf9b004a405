"""The code accuracy reward: extract the program from a completion, judge it in the sandbox.

DeepSeek-R1 scores code by compiling and running the model's program against test cases. Here the
program runs only inside `reasoncraft.sandbox`, and the pass/fail verdict is decided outside the
program's process (`reasoncraft.sandbox.judge`), so exiting early, printing "PASS" or closing stdout
cannot earn a reward.

Reward contract (`rewards/base.py`): `code(completions, code_tests=[...])` returns 1.0 when every
test passes, 0.0 when one fails or no code block is found, None where a completion has no tests,
and a `RewardFailure` when the sandbox itself failed (never a silent 0). The same function scores
evaluation and GRPO. Completions are judged concurrently on a pool sized to the machine's cores.

Three rewards, named against open-r1's:

- `code` (pass all tests, 1.0 or 0.0): open-r1's `binary_code` (share > 0.99). The judge stops at
  the first failing test;
- `code_pass_rate` (the share of tests passed, every test run): open-r1's `code`. Note the swap:
  open-r1's `code` is the share, reasoncraft's `code` (which the code tasks score with) is pass-all;
- `code_format` (`code_format:<language>`): `format`'s strict think/answer rule, and the answer block
  holds a closed fenced block tagged with the language (open-r1's `code_format` puts the same block
  inside open-r1's looser format rule; see `format.py`). A `language=[...]` field, where given,
  picks the language per completion, as in open-r1.

A test specification (`code_tests` field, one per completion, JSON-serialisable) is one of

    {"kind": "calls", "tests": [src, ...], "setup": src, "candidate_setup": src,
     "prefix": src, "remote_names": [name, ...] | None, "timeout_s": 10}
    {"kind": "stdio", "cases": [{"input": str, "output": str}, ...], "compare": "lines",
     "case_timeout_s": 4}

`prefix` is prepended to the extracted code (HumanEval's prompt, which defines helpers the
solution may call).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from ..sandbox import Limits, Sandbox, SandboxPool, SandboxUnavailable, default_sandbox
from ..sandbox.judge import Verdict, judge_calls, judge_stdio
from .base import RewardFailure, RewardFn, register_reward, register_reward_family
from .extract import answer_tag
from .format import is_well_formed
from .text import completion_text

__all__ = [
    "extract_code",
    "judge_program",
    "code_reward",
    "code_pass_rate_reward",
    "validate_spec",
    "has_code_block",
    "make_code_format_reward",
    "code_format_reward",
]

_OPENING = re.compile(r"[ \t]*([A-Za-z0-9_+.-]*)[^\n`]*\n")
_PYTHON_TAGS = ("python", "py", "python3")


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of each closed ``` block, in order; fences may open mid-line (`<think>```python`)."""
    blocks, pos = [], 0
    while (start := text.find("```", pos)) != -1:
        opening = _OPENING.match(text, start + 3)
        if opening is None:
            break
        end = text.find("```", opening.end())
        if end == -1:  # an unclosed block (a cut-off completion) is not taken as an answer
            break
        blocks.append((opening.group(1).lower(), text[opening.end() : end].rstrip(" \t").removesuffix("\n")))
        pos = end + 3
    return blocks


def extract_code(completion: str) -> str | None:
    """The last fenced Python block of a completion (else the last untagged block), or None.

    >>> extract_code("Draft:\\n```python\\nx = 1\\n```\\nFinal:\\n```python\\nx = 2\\n```")
    'x = 2'
    >>> extract_code("```\\nprint(1)\\n```") , extract_code("no code here")
    ('print(1)', None)
    """
    blocks = _fenced_blocks(completion)
    tagged = [body for tag, body in blocks if tag in _PYTHON_TAGS]
    if tagged:
        return tagged[-1]
    untagged = [body for tag, body in blocks if tag == ""]
    return untagged[-1] if untagged else None


def validate_spec(spec: dict) -> None:
    """Raise ValueError naming the problem when a test specification is malformed."""
    if not isinstance(spec, dict) or spec.get("kind") not in ("calls", "stdio"):
        raise ValueError(f"a code_tests spec must be a dict with kind 'calls' or 'stdio': got {spec!r:.200}")
    key = "tests" if spec["kind"] == "calls" else "cases"
    if not spec.get(key):
        raise ValueError(f"a {spec['kind']!r} code_tests spec needs a non-empty {key!r} list")


def judge_program(sandbox: Sandbox, code: str, spec: dict, stop_on_failure: bool = True) -> Verdict:
    """Judge one program against one test specification (see the module docstring); with
    `stop_on_failure=False` every test runs, so `Verdict.fraction` is the share passed."""
    validate_spec(spec)
    if spec["kind"] == "calls":
        program = (spec.get("prefix") or "") + "\n" + code if spec.get("prefix") else code
        return judge_calls(
            sandbox,
            program,
            list(spec["tests"]),
            setup=spec.get("setup", ""),
            candidate_setup=spec.get("candidate_setup", ""),
            remote_names=spec.get("remote_names"),
            limits=Limits(wall_s=float(spec.get("timeout_s", 10.0)), memory_mb=int(spec.get("memory_mb", 512))),
            stop_on_failure=stop_on_failure,
        )
    case_timeout = float(spec.get("case_timeout_s", 4.0))
    return judge_stdio(
        sandbox,
        code,
        list(spec["cases"]),
        compare=spec.get("compare", "lines"),
        case_timeout_s=case_timeout,
        limits=Limits(wall_s=case_timeout * len(spec["cases"]) + 5.0, memory_mb=int(spec.get("memory_mb", 512))),
        stop_on_failure=stop_on_failure,
    )


_pool: SandboxPool | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> SandboxPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = SandboxPool(default_sandbox())
        return _pool


def _to_reward(verdict: Verdict) -> float | RewardFailure:
    if verdict.infrastructure_error:
        return RewardFailure(f"sandbox error: {verdict.infrastructure_error[:300]}")
    return 1.0 if verdict.passed else 0.0


def _pass_share(verdict: Verdict) -> float | RewardFailure:
    if verdict.infrastructure_error:
        return RewardFailure(f"sandbox error: {verdict.infrastructure_error[:300]}")
    return verdict.fraction


@register_reward("code")
def code_reward(completions: list[str], code_tests: list | None = None, **_fields) -> list:
    """1.0 when the completion's program passes every test, else 0.0 (see the module docstring).

    >>> spec = {"kind": "stdio", "cases": [{"input": "2 3", "output": "5"}]}
    >>> code_reward(["```python\\nprint(sum(map(int, input().split())))\\n```", "no code"],
    ...             code_tests=[spec, spec])                             # doctest: +SKIP
    [1.0, 0.0]
    """
    return _judge_all(completions, code_tests, _to_reward, stop_on_failure=True)


@register_reward("code_pass_rate")
def code_pass_rate_reward(completions: list[str], code_tests: list | None = None, **_fields) -> list:
    """The share of the completion's tests that its program passes (every test is run); 0.0 without
    a code block, None without tests, a RewardFailure when the sandbox failed.

    >>> spec = {"kind": "stdio", "cases": [{"input": "2 3", "output": "5"}, {"input": "1 1", "output": "3"}]}
    >>> code_pass_rate_reward(["```python\\nprint(sum(map(int, input().split())))\\n```"],
    ...                       code_tests=[spec])                       # doctest: +SKIP
    [0.5]
    """
    return _judge_all(completions, code_tests, _pass_share, stop_on_failure=False)


def _judge_all(completions: list, code_tests: list | None, to_reward, stop_on_failure: bool) -> list:
    n = len(completions)
    specs = list(code_tests) if code_tests is not None else [None] * n
    if len(specs) != n:
        raise ValueError(f"code_tests must have one entry per completion: got {len(specs)} for {n}")
    out: list = [None] * n
    jobs = []
    for i, (completion, spec) in enumerate(zip(completions, specs)):
        if spec is None:
            continue
        validate_spec(spec)
        code = extract_code(completion)
        if code is None:
            out[i] = 0.0
            continue
        jobs.append((i, code, spec))
    if jobs:
        pool = _shared_pool()
        futures = [(i, pool.submit(judge_program, code, spec, stop_on_failure)) for i, code, spec in jobs]
        for i, future in futures:
            try:
                out[i] = to_reward(future.result())
            except SandboxUnavailable:
                raise
            except (OSError, RuntimeError) as exc:  # the judge machinery failed, not the program
                out[i] = RewardFailure(f"sandbox error: {type(exc).__name__}: {exc}"[:300])
    return out


def has_code_block(text: str, language: str = "python") -> bool:
    """True when `text` holds a closed fenced block tagged `language` (for Python also `py`, `python3`).

    >>> has_code_block("```python\\nx = 1\\n```"), has_code_block("```\\nx = 1\\n```")
    (True, False)
    >>> has_code_block("```js\\n1\\n```", "js")
    True
    """
    language = language.lower()
    accepted = _PYTHON_TAGS if language in _PYTHON_TAGS else (language,)
    return any(tag in accepted for tag, _ in _fenced_blocks(text))


def make_code_format_reward(language: str = "python") -> RewardFn:
    """1.0 when the completion passes `format` and its answer block holds a ```<language> block.

    >>> reward = make_code_format_reward("python")
    >>> reward(["<think>plan</think><answer>```python\\nprint(1)\\n```</answer>",
    ...         "<think>plan</think><answer>print(1)</answer>", "```python\\nprint(1)\\n```"])
    [1.0, 0.0, 0.0]
    """
    if not re.fullmatch(r"[A-Za-z0-9_+.-]+", language):
        raise ValueError(f"a code_format language is a fence tag such as python or cpp: got {language!r}")

    def code_format_reward(completions: Sequence, language: Sequence | None = None, **fields) -> list[float]:
        languages = list(language) if language is not None else [default_language] * len(completions)
        if len(languages) != len(completions):
            raise ValueError(
                f"language has {len(languages)} entries for {len(completions)} completions; they must align"
            )
        out = []
        for completion, lang in zip(completions, languages):
            text = completion_text(completion)
            ok = is_well_formed(text) and has_code_block(answer_tag(text) or "", str(lang))
            out.append(1.0 if ok else 0.0)
        return out

    default_language = language
    code_format_reward.__qualname__ = f"code_format_reward[{language}]"
    return code_format_reward


code_format_reward: RewardFn = register_reward("code_format")(make_code_format_reward("python"))
register_reward_family("code_format", make_code_format_reward)
