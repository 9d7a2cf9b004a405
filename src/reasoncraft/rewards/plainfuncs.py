"""Function applications and signed exponents in the spellings LaTeX parsers misread (eleventh session, #14).

String rules only (nothing is evaluated), applied by `plaintext.plain_to_latex` before its other rules:

- a function name without brackets in plain text (`sinh x`, `ln 2`, `cos 2x`, `sin^2 x`) takes its LaTeX command,
  which reads the next term as its argument as `\\sin 2x` does (before, `sinh x` was the product s*i*n*h*x);
- `sin^-1 x`, `\\sin^{-1} x` (also cos, tan) is the inverse function `\\arcsin x`, as the notation means and as
  Math-Verify reads the LaTeX (the numeric pre-check read a power -1 and ruled `\\arcsin x` out);
- the reciprocal hyperbolic functions `csch`, `sech`, `coth` (plain, `\\coth`, `\\operatorname{csch}`) are
  written as `\\frac{1}{\\sinh(...)}`, `\\frac{1}{\\cosh(...)}`, `\\frac{1}{\\tanh(...)}`: Math-Verify has no
  reading of them (`\\coth(x)` became cot(h(x)), a product under another function). Only an argument that is
  one term is rewritten (a bracket, a brace group, a number, a letter or command, `2x`); `coth x + 1` is
  `\\frac{1}{\\tanh(x)} + 1`; a power of the function (`\\coth^2 x`) is left as written;
- a signed exponent without braces (`3^-x`, `(1/3)^-x`, `10^-3`, `x^+2`) is braced, `3^{-x}`: without braces a
  LaTeX parser reads no exponent at all. The exponent is the one token after the sign (a number, a letter, a
  command, a bracket), as LaTeX reads `2^3x`: `2^-x + 1` is `2^{-x} + 1`, `2^-3x` is `2^{-3}x`.
"""

from __future__ import annotations

import re

__all__ = ["spell_functions"]

_NAMES = "arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|cot|sec|csc|ln|log|exp"
# one term: a bracket or brace group is found by `_group`; otherwise a number with letters after it, or a name
# a command without arguments (`\pi`, `\theta`) is one term; `\frac`, `\left` are never taken as one
_SYMBOL = r"\\(?:pi|infty|alpha|beta|gamma|delta|epsilon|theta|lambda|mu|sigma|tau|phi|omega|rho)(?![A-Za-z])"
_TERM = rf"(?:\d+(?:\.\d+)?[A-Za-z]?|[A-Za-z](?![A-Za-z])|{_SYMBOL})"
# `sinh x`, `sin^2 x`: a name (with a power or not) before a space and a term
_BARE_CALL = re.compile(rf"(?<![\\A-Za-z])({_NAMES})(\^\s*(?:\d|\{{[^{{}}]*\}}))?\s+(?={_TERM}|[(\\])")
# `\sin^{-1} x`, `sin^-1(x)`: the inverse function, as the notation means (and Math-Verify reads the LaTeX)
_INVERSE = re.compile(r"(?<![A-Za-z])\\?(sin|cos|tan)\s*\^\s*(?:\{\s*-\s*1\s*\}|-\s*1(?![\d.]))")
_RECIPROCAL = re.compile(
    r"(?<![A-Za-z])(?:\\operatorname\s*\{\s*(csch|sech|coth)\s*\}|\\?(csch|sech|coth))(?![A-Za-z])"
)
_INVERSE_OF = {"csch": "\\sinh", "sech": "\\cosh", "coth": "\\tanh"}
# the exponent after a sign is one token, as LaTeX reads `2^3x`: `2^-3x` is `2^{-3}x`
_EXPONENT = rf"(?:\d+(?:\.\d+)?|[A-Za-z]|{_SYMBOL})"
_SIGNED_EXPONENT = re.compile(rf"\^\s*([-+])\s*(?={_EXPONENT}|[({{])")
_CLOSING = {"(": ")", "{": "}"}


def _group(s: str, start: int) -> int | None:
    """The index after the bracket or brace group opening at `s[start]`, or None when it never closes."""
    opening = s[start]
    depth = 0
    for i in range(start, len(s)):
        depth += (s[i] == opening) - (s[i] == _CLOSING[opening])
        if depth == 0:
            return i + 1
    return None


def _argument(s: str, start: int, term: str = _TERM) -> tuple[str, int] | None:
    """The one-term argument at `s[start:]` (spaces skipped) without its outer brackets, and its end."""
    while start < len(s) and s[start] == " ":
        start += 1
    if start < len(s) and s[start] in _CLOSING:
        end = _group(s, start)
        return (s[start + 1 : end - 1], end) if end is not None else None
    m = re.compile(term).match(s, start)
    return (m.group(0), m.end()) if m else None


def _reciprocals(s: str) -> str:
    out, i = [], 0
    for m in _RECIPROCAL.finditer(s):
        if m.start() < i:
            continue
        argument = _argument(s, m.end())
        if argument is None or s[m.end() : m.end() + 1] == "^":
            continue
        out.append(s[i : m.start()] + f"\\frac{{1}}{{{_INVERSE_OF[m.group(1) or m.group(2)]}({argument[0]})}}")
        i = argument[1]
    return "".join(out) + s[i:]


def _signed_exponents(s: str) -> str:
    out, i = [], 0
    for m in _SIGNED_EXPONENT.finditer(s):
        if m.start() < i:
            continue
        argument = _argument(s, m.end(), _EXPONENT)
        if argument is None:
            continue
        one_token = re.fullmatch(_EXPONENT, argument[0].strip()) is not None
        term = argument[0].strip() if one_token else f"({argument[0]})"  # `e^-{x+1}` is `e^{-(x+1)}`
        out.append(s[i : m.start()] + f"^{{{m.group(1)}{term}}}")
        i = argument[1]
    return "".join(out) + s[i:]


def spell_functions(s: str) -> str:
    """`s` with bare function calls, reciprocal hyperbolic functions and signed exponents in LaTeX spelling.

    >>> spell_functions("1/sinh x"), spell_functions("csch x"), spell_functions("\\\\coth(2x) + 1")
    ('1/\\\\sinh x', '\\\\frac{1}{\\\\sinh(x)}', '\\\\frac{1}{\\\\tanh(2x)} + 1')
    >>> spell_functions("(1/3)^-x"), spell_functions("2^-x + 1"), spell_functions("10^-(n+1)"), spell_functions("2^-3x")
    ('(1/3)^{-x}', '2^{-x} + 1', '10^{-(n+1)}', '2^{-3}x')
    >>> spell_functions("sin^-1(x)"), spell_functions("\\\\tan^{-1} y"), spell_functions("sin^2 x + cos^2 x")
    ('\\\\arcsin(x)', '\\\\arctan y', '\\\\sin^2 x + \\\\cos^2 x')
    >>> spell_functions("x^2 - 1"), spell_functions("\\\\coth^2 x"), spell_functions("a sinhx")  # left as written
    ('x^2 - 1', '\\\\coth^2 x', 'a sinhx')
    """
    if "^" not in s and not re.search(r"csch|sech|coth|(?:sin|cos|tan|cot|sec|csc|ln|log|exp|h) ", s):
        return s
    s = _INVERSE.sub(lambda m: f"\\arc{m.group(1)}" + (" " if s[m.end() : m.end() + 1].isalpha() else ""), s)
    s = _BARE_CALL.sub(lambda m: f"\\{m.group(1)}{m.group(2) or ''} ", s)
    s = _reciprocals(s)
    return _signed_exponents(s)
