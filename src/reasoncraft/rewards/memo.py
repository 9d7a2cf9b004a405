"""One memo for the checker's per-string work, so that a string met again costs a dictionary lookup.

The checker reads each side of a pair on its own before comparing (caps, units, plain-text spelling,
normalisation, exact numbers). In a batch the same strings come back: a GRPO group scores G completions
against one gold answer, an evaluation scores k samples per problem, and identical candidates are common.
Those per-string functions are pure (a string in, an immutable value out), so each is wrapped once with
`memoized`: a bounded least-recently-used cache (`MEMO_SIZE` entries per function), safe between threads.
Strings longer than `MAX_KEY_CHARS` (the checker refuses them anyway) are never kept, so a memo holds at
most a few MB however long the texts it is shown.
On benchmarks/verify.py's 1500 pairs (500 gold answers, each three times) the memo, with the cheap
pre-checks in `caps` and `units` and compiled patterns, cut the main process's CPU time per cold pass from
~320-435 ms to ~120-150 ms (2026-12-03, niced at load 7-8; the same 5 pairs reach the worker as before).

`clear_caches()` empties every memo; the speed benchmark calls it before each timed pass, so that a pass
never profits from strings seen in an earlier one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

__all__ = ["MEMO_SIZE", "MAX_KEY_CHARS", "memoized", "clear_caches"]

MEMO_SIZE = 4096  # entries per function
MAX_KEY_CHARS = 1_000  # caps.MAX_ANSWER_CHARS: longer answers are refused before any parsing

_F = TypeVar("_F", bound=Callable)
_MEMOS: list = []


def memoized(fn: _F) -> _F:
    """`fn(s)` with a bounded memo for strings up to `MAX_KEY_CHARS`; `fn` must be pure and return an
    immutable value.

    >>> calls = []
    >>> double = memoized(lambda s: calls.append(s) or s + s)
    >>> double("ab"), double("ab"), calls
    ('abab', 'abab', ['ab'])
    """
    cached = functools.lru_cache(maxsize=MEMO_SIZE)(fn)

    @functools.wraps(fn)
    def call(s):
        return cached(s) if len(s) <= MAX_KEY_CHARS else fn(s)

    call.cache_clear = cached.cache_clear
    call.cache_info = cached.cache_info
    _MEMOS.append(call)
    return call  # type: ignore[return-value]


def clear_caches() -> None:
    """Forget every memoised string (for benchmarks that time a cold pass)."""
    for cached in _MEMOS:
        cached.cache_clear()
