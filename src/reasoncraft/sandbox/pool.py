"""Run many sandboxed programs at once, one worker thread per core.

Each program runs in its own child processes, so a worker thread only waits on pipes: a crash, a
hang or a flood in one program costs that program's result, never the caller. Infrastructure
failures come back as results with `stop_reason="sandbox_error"`, not as exceptions, so one bad
run cannot abort a batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from .core import RunResult, Sandbox, SandboxUnavailable

__all__ = ["SandboxPool"]

T = TypeVar("T")


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class SandboxPool:
    """A bounded set of concurrent sandbox runs.

    `workers` defaults to the cores this process may use. The sandbox's self-test runs once, up
    front, so a missing isolation is reported before any work is queued.
    """

    def __init__(self, sandbox: Sandbox | None = None, workers: int | None = None) -> None:
        from . import default_sandbox  # lazy: breaks the cycle sandbox/__init__ -> pool -> sandbox/__init__

        self.sandbox = sandbox or default_sandbox()
        self.workers = workers or _default_workers()
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1: got {self.workers}")
        self.sandbox.check()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="sandbox")

    def submit(self, fn: Callable[..., T], /, *args, **kwargs) -> Future:
        """Run `fn(sandbox, *args, **kwargs)` on a worker; `fn` calls the sandbox itself.
        Exceptions reach the caller through the future."""
        return self._executor.submit(fn, self.sandbox, *args, **kwargs)

    def run_many(self, jobs: Iterable[dict]) -> list[RunResult]:
        """Run each job (keyword arguments of `Sandbox.run`) and return results in order; a run
        whose machinery fails comes back with `stop_reason="sandbox_error"`."""
        futures = [self.submit(_guarded, lambda sb, job=job: sb.run(**job)) for job in jobs]
        return [f.result() for f in futures]

    def run_python_many(self, codes: Iterable[str], **kwargs) -> list[RunResult]:
        """`Sandbox.run_python` on each source, results in order (failures as in `run_many`)."""
        futures = [self.submit(_guarded, lambda sb, c=c: sb.run_python(c, **kwargs)) for c in codes]
        return [f.result() for f in futures]

    def map(self, fn: Callable[..., T], items: Iterable) -> list[T]:
        """`fn(sandbox, item)` for each item, concurrently, results in order."""
        return [f.result() for f in [self.submit(fn, item) for item in items]]

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _guarded(sandbox, fn):
    try:
        return fn(sandbox)
    except SandboxUnavailable:
        raise
    except (OSError, RuntimeError) as exc:  # infrastructure failure of this one run
        return RunResult(
            None, "", "", timed_out=False, stop_reason="sandbox_error", detail=f"{type(exc).__name__}: {exc}"
        )
