"""A power of a sum that costs more to expand than the checker's budget (fourteenth session, attacks).

`(x+1)^{1000}` against 5: sympy expands the power to compare it, and past a few hundred the worker spends its whole
CPU budget and the pair becomes a `RewardFailure`. A policy that learns to write such answers turns its wrong
answers into failures, and enough failures abort a training step. The caps (`caps`) stop numeric towers and exponents
above 10,000; this rule refuses a bracketed expression holding a letter raised to an integer above 100
(`(x+1)^{101}`, `(a+b)**500`) when the gold holds no exponent that large: no honest answer to such a gold needs it.
"""

from __future__ import annotations

import re

__all__ = ["costly_expansion", "MAX_SYMBOLIC_EXPONENT"]

MAX_SYMBOLIC_EXPONENT = 100
_BRACKETED_POWER = re.compile(r"[)\]]\s*(?:\\right\s*[)\]]\s*)?(?:\^|\*\*)\s*\{?\s*(\d+)")
_LEFT_RIGHT = re.compile(r"\\(?:left|right)(?![A-Za-z])")
_EXPONENT = re.compile(r"(?:\^|\*\*)\s*\{?\s*(\d+)")


def _large(pattern: re.Pattern, s: str) -> bool:
    return any(int(m.group(1)) > MAX_SYMBOLIC_EXPONENT for m in pattern.finditer(s))


def costly_expansion(gold: str, candidate: str) -> bool:
    """Whether the candidate raises a symbolic bracket to a power above 100 that the gold gives no reason for.

    >>> costly_expansion("5", "(x+1)^{9999}"), costly_expansion("5", "(x+1)^{2}"), costly_expansion("5", "(2+3)^{999}")
    (True, False, False)
    >>> costly_expansion("(1+x)^{2023}", "(x+1)^{2023}"), costly_expansion("5", r"\\left(2+3\\right)^{999}")
    (False, False)
    """
    if "^" not in candidate and "**" not in candidate or not re.search(r"[A-Za-z]", candidate):
        return False
    if _large(_EXPONENT, gold):
        return False
    return any(
        int(m.group(1)) > MAX_SYMBOLIC_EXPONENT
        and re.search(r"[A-Za-z]", _LEFT_RIGHT.sub("", _base(candidate, m.start())))
        for m in _BRACKETED_POWER.finditer(candidate)
    )


def _base(s: str, close: int) -> str:
    """The bracketed text that closes at `s[close]`."""
    depth, k = 0, close
    while k >= 0:
        depth += (s[k] in ")]") - (s[k] in "([")
        if depth == 0:
            return s[k:close]
        k -= 1
    return s[:close]
