"""An answer that goes on after its box (eleventh session, issue #14).

`\\boxed{33} and 34`, `$\\boxed{2}$, $5$`, `\\boxed{1} or 3.`: the text after the last box is only a joining
word (",", "and", "or", `\\text{and}`) and one more number or math span, so the box holds only part of what
the text answers. Reading the box alone would score `\\boxed{33} and 34` equal to 33 although it answers two
values (or hedges between them). `with_trailing_item` joins that item to the boxed answer as a list, as boxes
joined by "and" or "or" already are (`joined_boxed`), so it is equal to the list `33, 34` and not to 33.

A box followed by anything else keeps its reading: prose (`\\boxed{33} and we are done.`), a sentence about
the item (`\\boxed{33}, and 34 is not.`), a unit or a word after the item (`\\boxed{33} and 34 apples`), a
statement about another quantity (`$x = \\boxed{5}$ and $y = 6$`: an equation or relation is no second answer).
"""

from __future__ import annotations

import re

__all__ = ["with_trailing_item"]

_TAIL = re.compile(
    r"\s*(?:\$\$|\$|\\\]|\\\))?\s*"  # the math delimiter that closes the box's span
    r"(?:,\s*(?:and|or)?|\band\b|\bor\b|\\(?:text|mbox)\s*\{\s*(?:and|or)\s*\})\s*"
    r"(?:\$(?P<span>[^$]+)\$|(?P<number>[-+]?\d+(?:\.\d+)?(?:\s*/\s*\d+)?))"
    r"\s*[.!]?\s*",
)


_STATEMENT = re.compile(r"[=<>]|\\(?:le|ge|leq|geq|ne|neq|approx|in)(?![A-Za-z])")


def with_trailing_item(answer: str | None, after_box: str) -> str | None:
    """`answer` (the boxed answer) with the one item that `after_box` (the text after the last box) adds
    after a joining word, as a list; `answer` itself when the text goes on otherwise.

    >>> with_trailing_item("33", " and 34"), with_trailing_item("2", "$, $5$."), with_trailing_item("3", " or 4")
    ('33, 34', '2, 5', '3, 4')
    >>> with_trailing_item("33", " and 34 apples")  # a word after the item: the box alone
    '33'
    >>> with_trailing_item("33", ". So the answer is 33."), with_trailing_item("33", ", and 34 is wrong.")
    ('33', '33')
    >>> with_trailing_item("5", "$ and $y = 6$.")
    '5'
    """
    if not answer or not after_box.strip():
        return answer
    m = _TAIL.fullmatch(after_box)
    if m is None:
        return answer
    item = (m["span"] or m["number"]).strip()
    if not item or _STATEMENT.search(item):
        return answer  # `$x = \\boxed{5}$ and $y = 6$`: a statement about another quantity, not a second answer
    return f"{answer}, {item}"
