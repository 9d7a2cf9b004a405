"""Math-span openers that nothing closes, blanked before the span regexes run (fourteenth session, attacks).

`extract` finds math spans with lazy regexes (`\\[(.+?)\\]`, `\\begin{align}(.+?)\\end{align}`): a search from an
opener that is never closed runs to the end of the text, so a completion of n openers and no closer (`\\[` * 100,000)
costs n^2 steps, minutes. Only openers after the last closer of their kind can fail that way (an earlier one
matches up to a closer and the search goes on after it), and they can never open a span, so they are blanked
(replaced by spaces of the same length) and every span search is linear again.
"""

from __future__ import annotations

import re

__all__ = ["without_dangling_openers"]

_ENVIRONMENT = r"\{(?:align|aligned|equation|gather|eqnarray)\*?\}"
_PAIRS = (
    (re.compile(r"\\\["), re.compile(r"\\\]")),
    (re.compile(r"\\\("), re.compile(r"\\\)")),
    (re.compile(r"\\begin" + _ENVIRONMENT), re.compile(r"\\end" + _ENVIRONMENT)),
)


def without_dangling_openers(text: str) -> str:
    """`text` with every `\\[`, `\\(` or `\\begin{align}` (and the other environments `extract` reads) after the
    last closer of its kind blanked.

    >>> without_dangling_openers(r"\\[x\\] and \\[ y")
    '\\\\[x\\\\] and    y'
    >>> without_dangling_openers(r"\\begin{pmatrix}1\\end{pmatrix}")  # not a span opener: kept
    '\\\\begin{pmatrix}1\\\\end{pmatrix}'
    """
    if "\\" not in text:
        return text
    for opener, closer in _PAIRS:
        closers = list(closer.finditer(text))
        cut = closers[-1].end() if closers else 0
        if opener.search(text, cut):
            text = text[:cut] + opener.sub(lambda m: " " * len(m.group(0)), text[cut:])
    return text
