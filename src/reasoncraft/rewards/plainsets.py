"""Sets written in plain text or in words, as models write them, put in their LaTeX spelling.

`(-inf, 0) U (1, inf)`: a letter U (or `union`) between two intervals is the union; `{}` and `{ }` are the empty
set, as are `the empty set`, `no solution` and `no real solutions`; `all real numbers`, `all reals` and `the set of
real numbers` are the reals. Only a whole answer is read as words (`x is none of these` is not the empty set), and a
`\\text{...}` wrapper around it is looked through, so a gold `\\text{no solution}` meets a predicted `\\emptyset`.
"""

from __future__ import annotations

import re

_UNION = re.compile(r"(?<=[)\]])\s*(?:U|u|union)\s*(?=[(\[])")
_WRAPPED = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")
_REALS = re.compile(
    r"(?:all|any|every)\s+real(?:s|\s+numbers?|\s+values?)?|(?:the\s+)?(?:set\s+of\s+)?(?:all\s+)?real\s+numbers"
    r"|(?:all\s+)?reals",
    re.IGNORECASE,
)
_EMPTY = re.compile(r"\{\s*\}|(?:the\s+)?empty\s+set|no\s+(?:real\s+)?solutions?", re.IGNORECASE)


def plain_sets(s: str) -> str:
    """`s` with a plain-text union in LaTeX, or the LaTeX set a whole answer names in words.

    >>> plain_sets("(-inf, 0) U (1, inf)"), plain_sets("All real numbers."), plain_sets(r"\\text{No solution}")
    ('(-inf, 0)\\\\cup (1, inf)', '\\\\mathbb{R}', '\\\\emptyset')
    >>> plain_sets("{ }"), plain_sets("real roots")
    ('\\\\emptyset', 'real roots')
    """
    whole = s.strip().rstrip(".").strip()
    if wrapped := _WRAPPED.fullmatch(whole):
        whole = wrapped.group(1).strip()
    if _REALS.fullmatch(whole):
        return "\\mathbb{R}"
    if _EMPTY.fullmatch(whole):
        return "\\emptyset"
    return _UNION.sub(r"\\cup ", s)
