"""Isolated execution of untrusted programs (code rewards, code evaluation).

    >>> from reasoncraft.sandbox import run_python          # doctest: +SKIP
    >>> run_python("print(6 * 7)", timeout_s=5).stdout      # doctest: +SKIP
    '42\\n'

`run(argv, files=..., stdin=..., limits=...)` is the language-neutral core; `run_python` is its
Python front end; `SandboxPool` runs many programs at once. The threat model is in docs/sandbox.md.
"""

from __future__ import annotations

from .core import STOP_REASONS, Limits, RunResult, Sandbox, SandboxError, SandboxUnavailable
from .pool import SandboxPool

__all__ = [
    "STOP_REASONS",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "SandboxUnavailable",
    "SandboxPool",
    "default_sandbox",
    "run",
    "run_python",
]

_default: Sandbox | None = None


def default_sandbox() -> Sandbox:
    """The process-wide sandbox (isolation required; build your own `Sandbox(allow_unsafe=True)`
    to accept running without it)."""
    global _default
    if _default is None:
        _default = Sandbox()
    return _default


def run(
    argv: list[str],
    *,
    files: dict[str, str] | None = None,
    stdin: str | bytes | None = None,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
) -> RunResult:
    """Run `argv` in the sandbox; see `Sandbox.run`."""
    return (sandbox or default_sandbox()).run(argv, files=files, stdin=stdin, limits=limits)


def run_python(
    code: str,
    *,
    stdin: str | bytes | None = None,
    timeout_s: float = 10.0,
    memory_mb: int = 512,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
) -> RunResult:
    """Run Python source in the sandbox; `timeout_s` and `memory_mb` set the wall and memory limits
    (pass `limits` for every knob)."""
    if limits is None:
        limits = Limits(wall_s=timeout_s, memory_mb=memory_mb)
    return (sandbox or default_sandbox()).run_python(code, stdin=stdin, limits=limits)
