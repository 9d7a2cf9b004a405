"""Plain-text math in LaTeX spelling, and inequalities as the intervals they describe.

Models and datasets write `2*sqrt(3)/pi`, `x**2`, `x >= 5`; gold answers are usually LaTeX. These
string rules (nothing is evaluated) put both sides in one spelling before any comparison:

- `plain_to_latex(s)`: `sqrt(...)`, `pi`, `inf`, `sin(...)`, `**`, `^(...)`, `*`, `<=`/`>=`/`!=`;
- `inequality_as_interval(s)`: `-2 \\le x \\le 7` -> `[-2,7]`, `x > 5` -> `(5,\\infty)`;
- `canonical_pair(gold, candidate)`: both of the above, applied as the checker needs them.
"""

from __future__ import annotations

import re

from .caps import MAX_ANSWER_CHARS
from .normalize import _strip_delimiters

__all__ = ["plain_to_latex", "inequality_as_interval", "canonical_pair"]

_PLAIN_CONSTANTS = re.compile(r"(?<![\\A-Za-z])(pi|infinity|inf)(?![A-Za-z])")
_PLAIN_FUNCS = re.compile(
    r"(?<![\\A-Za-z])(sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|ln|log|exp)(?=\s*\()"
)
_PLAIN_RELATIONS = (
    ("<=", "\\le "),
    (">=", "\\ge "),
    ("=<", "\\le "),
    ("=>", "\\ge "),
    ("!=", "\\ne "),
    ("≤", "\\le "),
    ("≥", "\\ge "),
)


def _matching_paren(s: str, open_index: int) -> int | None:
    depth = 0
    for i in range(open_index, len(s)):
        depth += (s[i] == "(") - (s[i] == ")")
        if depth == 0:
            return i
    return None


def _parens_to_braces_after(s: str, pattern: str, replacement: str) -> str:
    """`sqrt(x+1)` -> `\\sqrt{x+1}`, `^(n+1)` -> `^{n+1}`: the parenthesised argument becomes a
    braced group (innermost first, so nested calls work); an unbalanced one is left alone."""
    out, i = [], 0
    regex = re.compile(pattern)
    while (m := regex.search(s, i)) is not None:
        close = _matching_paren(s, m.end() - 1)
        if close is None:
            break
        inner = _parens_to_braces_after(s[m.end() : close], pattern, replacement)
        out.append(s[i : m.start()] + replacement + "{" + inner + "}")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def plain_to_latex(s: str) -> str:
    """Rewrite plain-text math as models and datasets write it into the LaTeX spelling, by string
    rules only (nothing is evaluated): `sqrt(...)`, `pi`, `inf`, `sin(...)`, `**`, `^(...)`, `*`
    before a letter or bracket (an implicit product), `<=`/`>=`/`!=`.

    >>> plain_to_latex("2*sqrt(3)/pi"), plain_to_latex("(3, pi/2)"), plain_to_latex("x**(n+1) >= 2")
    ('2\\\\sqrt{3}/\\\\pi', '(3, \\\\pi/2)', 'x^{n+1} \\\\ge  2')
    >>> plain_to_latex(r"\\sqrt{2}+\\pi")  # LaTeX is left as it is
    '\\\\sqrt{2}+\\\\pi'
    """
    if not re.search(r"[A-Za-z*^<>=!≤≥]", s):
        return s
    s = s.replace("**", "^")
    s = _parens_to_braces_after(s, r"(?<![\\A-Za-z])sqrt\s*\(", "\\sqrt")
    s = re.sub(r"(?<![\\A-Za-z])sqrt(?=\s*[{\d])", r"\\sqrt", s)
    s = _parens_to_braces_after(s, r"\^\s*\(", "^")
    s = _PLAIN_FUNCS.sub(r"\\\1", s)
    s = _PLAIN_CONSTANTS.sub(lambda m: "\\pi " if m.group(1) == "pi" else "\\infty ", s)
    for plain, latex in _PLAIN_RELATIONS:
        s = s.replace(plain, latex)
    s = re.sub(r"(?<=[\w)}])\s*\*\s*(?=[A-Za-z\\(])", "", s)  # 2*\pi -> 2\pi, 2*(x+1) -> 2(x+1)
    s = s.replace("*", "\\cdot ")
    return re.sub(r"\\(pi|infty) (?=$|[^A-Za-z])", r"\\\1", s).strip()


# --- relations written as intervals ------------------------------------------------------------

_LESS = r"(?:<|\\lt\b|\\leq?\b|\\leqslant\b)"
_GREATER = r"(?:>|\\gt\b|\\geq?\b|\\geqslant\b)"
_VARIABLE = r"(?:[A-Za-z](?:_\{?\w+\}?)?(?:\([A-Za-z]\))?)"
_BOUND = r"(?:[^<>=\\]|\\(?!(?:lt|gt|le|ge)\b)[A-Za-z]+(?![A-Za-z])|\\[{}])+?"  # a command is one token
_CHAIN = re.compile(rf"^\s*({_BOUND})\s*({_LESS})\s*{_VARIABLE}\s*({_LESS})\s*({_BOUND})\s*$")
_CHAIN_DOWN = re.compile(rf"^\s*({_BOUND})\s*({_GREATER})\s*{_VARIABLE}\s*({_GREATER})\s*({_BOUND})\s*$")
_ONE_SIDED = re.compile(rf"^\s*{_VARIABLE}\s*({_LESS}|{_GREATER})\s*({_BOUND})\s*$")
_ONE_SIDED_BOUND_FIRST = re.compile(rf"^\s*({_BOUND})\s*({_LESS}|{_GREATER})\s*{_VARIABLE}\s*$")


def _strict(op: str) -> bool:
    return op in ("<", ">", "\\lt", "\\gt")


def _interval(lo: str, hi: str, open_lo: bool, open_hi: bool) -> str:
    return ("(" if open_lo else "[") + f"{lo.strip()},{hi.strip()}" + (")" if open_hi else "]")


def inequality_as_interval(s: str) -> str | None:
    """The interval a one-variable inequality describes, or None when `s` is not one.

    >>> inequality_as_interval(r"-2 \\le x \\le 7"), inequality_as_interval(r"0<f(x)<1")
    ('[-2,7]', '(0,1)')
    >>> inequality_as_interval("x > 5")
    '(5,\\\\infty)'
    >>> inequality_as_interval("x + y < 3") is None, inequality_as_interval("x = 3") is None
    (True, True)
    """
    if not re.search(r"[<>]|\\[lg]", s):
        return None
    s = re.sub(r"\\\\(?=[lg])", "\\\\", s.strip())  # `\\le` typed with a doubled backslash
    m = _CHAIN.match(s)
    if m:
        lo, op1, op2, hi = m.groups()
        return _interval(lo, hi, _strict(op1.strip()), _strict(op2.strip()))
    m = _CHAIN_DOWN.match(s)
    if m:
        hi, op1, op2, lo = m.groups()
        return _interval(lo, hi, _strict(op2.strip()), _strict(op1.strip()))
    m = _ONE_SIDED.match(s)
    flipped = None if m else _ONE_SIDED_BOUND_FIRST.match(s)
    if flipped:  # 5 \le x is x \ge 5
        bound, op = flipped.group(1).strip(), flipped.group(2).strip()
        mirror = {
            "<": ">",
            ">": "<",
            "\\lt": "\\gt",
            "\\gt": "\\lt",
            "\\le": "\\ge",
            "\\ge": "\\le",
            "\\leq": "\\geq",
            "\\geq": "\\leq",
            "\\leqslant": "\\geqslant",
            "\\geqslant": "\\leqslant",
        }
        m, op = True, mirror[op]
    elif m:
        op, bound = m.group(1).strip(), m.group(2).strip()
    if m:
        if re.match(_LESS, op):
            return f"(-\\infty,{bound}" + (")" if _strict(op) else "]")
        return ("(" if _strict(op) else "[") + f"{bound},\\infty)"
    return None


def canonical_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Both answers with plain-text math in LaTeX spelling, and a gold inequality as the interval
    it describes. A candidate inequality becomes an interval only when the gold is a relation too:
    an interval asked for must be given as one (Math-Verify's default,
    `allow_set_relation_comp=False`).

    >>> canonical_pair(r"-2 \\le x \\le 7", "[-2, 7]"), canonical_pair("[-2, 7]", r"-2 \\le x \\le 7")
    (('[-2,7]', '[-2, 7]'), ('[-2, 7]', '-2 \\\\le x \\\\le 7'))
    """
    if len(gold) > MAX_ANSWER_CHARS or len(candidate) > MAX_ANSWER_CHARS:
        return gold, candidate  # over the caps: refused elsewhere, not worth rewriting
    g, c = plain_to_latex(_strip_delimiters(gold)), plain_to_latex(_strip_delimiters(candidate))
    g_interval = inequality_as_interval(g)
    if g_interval is not None:
        c_interval = inequality_as_interval(c)
        return g_interval, c_interval if c_interval is not None else c
    return g, c
