"""Input caps: what the checker refuses to parse at all, decided in microseconds.

Every answer passes `cap_violation` before anything parses it: a candidate over the caps is not
equal, a gold answer over them is a `RewardFailure`. The caps keep one answer from costing more than
its deadline or more memory than the worker has (a 1 MB integer, `10^{10^{10}}`, a 5,000-digit
factorial), and code-like text from reaching any parser.
"""

from __future__ import annotations

import re

from .memo import memoized

__all__ = ["MAX_ANSWER_CHARS", "MAX_NESTING", "MAX_DIGITS", "MAX_EXPONENT", "cap_violation"]

MAX_ANSWER_CHARS = 1_000  # MATH-500's longest gold answer is ~70 characters
MAX_NESTING = 12  # brace/bracket depth; real answers stay under 6
MAX_DIGITS = 60  # longest digit run; a 1 MB integer would otherwise reach sympy
MAX_EXPONENT = 10_000  # largest integer literal allowed inside an exponent


_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")
_LARGE_FACTORIAL = re.compile(r"\d{4,}\s*\)?\s*!|\\(?:Gamma|factorial)")  # `(10000)!` too
_EXPONENT_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|\\?[A-Za-z]+|.")
_INTEGER = re.compile(r"\d+")
# `lambda x: ...` is code; `lambda` or `\lambda` without a colon after its parameters is the Greek letter
_CODE_LIKE = re.compile(
    r"__|\bimport\b|(?<!\\)\blambda\b[\w\s,=*]*:|\beval\s*\(|\bexec\s*\(|\bos\.system|\bsubprocess\b"
)


def _nesting_depth(s: str) -> int:
    depth = deepest = 0
    for ch in s:
        if ch in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "})]":
            depth = max(0, depth - 1)
    return deepest


def _exponent_spans(s: str) -> list[tuple[str, bool]]:
    """Each exponent's text (the `{...}` group or single token after `^` / `**`), and whether
    another power follows it directly (`2**2**2`, a tower written without braces)."""
    spans = []
    i = 0
    while i < len(s):
        if s[i] == "^" or s.startswith("**", i):
            j = i + (1 if s[i] == "^" else 2)
            while j < len(s) and s[j] == " ":
                j += 1
            if j < len(s) and s[j] == "{":
                depth, k = 0, j
                while k < len(s):
                    depth += (s[k] == "{") - (s[k] == "}")
                    if depth == 0:
                        break
                    k += 1
                text, end = s[j + 1 : k], k + 1
            else:
                m = _EXPONENT_TOKEN.match(s[j:])
                text = m.group(0) if m else ""
                end = j + len(text)
            rest = s[end:].lstrip()
            spans.append((text, rest.startswith("^") or rest.startswith("**")))
            i = j
        else:
            i += 1
    return spans


def _power_depth(s: str, limit: int = 4) -> int:
    """How deeply powers nest in `s` (`x^2` is 1, `x^{y^2}` is 2), stopping at `limit`."""
    if limit == 0:
        return 0
    return max((1 + _power_depth(text, limit - 1) for text, _ in _exponent_spans(s)), default=0)


_NUMERIC_POWER = re.compile(r"(?:\d|[)}\]])\s*(?:\^|\*\*)")
_CLOSING = {")": "(", "}": "{", "]": "["}


def _numeric_power_in(exponent: str) -> bool:
    """A number raised to a power inside an exponent (`10^{10^{10}}`, `(10)^{10}`): a bracketed base counts
    only when it holds no letter, so `e^{-x^2/(2(\\sigma)^2)}` (a symbolic base) is no tower."""
    for m in _NUMERIC_POWER.finditer(exponent):
        close = m.group(0)[0]
        if close not in _CLOSING:
            return True
        depth, k = 0, m.start()
        while k >= 0:
            depth += (exponent[k] == close) - (exponent[k] == _CLOSING[close])
            if depth == 0:
                break
            k -= 1
        if not re.search(r"[A-Za-z]", exponent[max(k, 0) : m.start()]):
            return True
    return False


@memoized
def cap_violation(s: str) -> str | None:
    """Why `s` is refused before any parsing, or None when it is within the caps.

    >>> cap_violation(r"\\frac{1}{2}") is None
    True
    >>> cap_violation(r"10^{10^{10^{10}}}")
    'exponent tower'
    >>> cap_violation("__import__('os').system('ls')"), cap_violation("(lambda: 1)()")
    ('code-like text', 'code-like text')
    >>> cap_violation(r"2\\pi/\\lambda") is None and cap_violation("2*pi/lambda") is None  # the Greek letter
    True
    """
    if len(s) > MAX_ANSWER_CHARS:
        return f"longer than {MAX_ANSWER_CHARS} characters"
    if _CODE_LIKE.search(s):
        return "code-like text"
    if sum(map(s.count, "{([")) > MAX_NESTING and _nesting_depth(s) > MAX_NESTING:  # no deeper than its openers
        return f"nested deeper than {MAX_NESTING}"
    if _LONG_NUMBER.search(s):
        return f"a number longer than {MAX_DIGITS} digits"
    if _LARGE_FACTORIAL.search(s):
        return "a large factorial"
    # towers: a number raised to a power inside an exponent (10^{10^{10}}) has more digits than
    # memory; symbolic ones (e^{-x^2}) are fine up to two levels
    if "^" not in s and "**" not in s:  # no power at all: nothing below can apply
        return None
    if _power_depth(s) > 2:
        return "exponent tower"
    for exponent, chained in _exponent_spans(s):
        if chained or _numeric_power_in(exponent):
            return "exponent tower"
        for literal in _INTEGER.findall(exponent):
            if int(literal) > MAX_EXPONENT:
                return f"an exponent above {MAX_EXPONENT}"
    return None
