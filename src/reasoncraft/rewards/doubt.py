"""An answer that doubts itself or offers a range is no answer (fourteenth session, attacks).

`5 \\text{ (or 6)}`, `5 \\text{ maybe } 6`, `5 \\text{ to } 6`, `\\boxed{5 \\text{?}}`: words of doubt or of a range
inside the answer itself. Math-Verify reads the `\\text{}` as a unit or a label and drops it, so such an answer
scored equal to 5. `doubtful_answer` refuses a candidate with a word of doubt ("maybe", "perhaps", "possibly",
"probably"), a range word before a number ("to 6", "through 6", "until 6") or a question mark, unless the gold
holds the same kind of word (a gold that is itself "3 or 4" is compared as before); and "or" / "either" against a
gold of one item (against a list gold, `x = 2 or x = 1` lists its items, as before). And
`6 = 5` against 5 (a false equation between two numbers, read by its right side) names two values: refused too.
"""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["doubtful_answer"]

_OR = re.compile(r"(?<![\\A-Za-z])(?:or|either)(?![A-Za-z])", re.IGNORECASE)
_SEVERAL = re.compile(r",|;|\\\{|±|∓|\\(?:pm|mp)(?![A-Za-z])|(?<![\\A-Za-z])(?:and|or)(?![A-Za-z])")  # several values
_DOUBT = re.compile(
    r"(?<![\\A-Za-z])(?:maybe|perhaps|possibly|probably|unsure|guess)(?![A-Za-z])"
    r"|(?<![\\A-Za-z])(?:to|through|thru|until|till)[\s{}$~]*[-+]?\s*\d|\?",
    re.IGNORECASE,
)
# "else" / "otherwise" offer a fallback value (`5 \text{ else } 6`), unless the gold is itself a piecewise answer
_ELSE = re.compile(r"(?<![\\A-Za-z])(?:else|otherwise)(?![A-Za-z])", re.IGNORECASE)
# a choice label, `(B)` or `B)` at the start or after a space: two different ones in one answer are a hedge
_CHOICE_LABEL = re.compile(r"(?:^|(?<=[\s$]))\(?([A-J])\)")
_PLAIN_NUMBER = re.compile(r"\s*[-+]?\d+(?:\.\d+)?(?:/\d+)?\s*")


def _different_numbers(candidate: str) -> bool:
    """`6 = 5`: an equation whose sides are all plain numbers, not all the same."""
    sides = candidate.strip().strip("$").split("=")
    if len(sides) < 2 or not all(_PLAIN_NUMBER.fullmatch(side) for side in sides):
        return False
    return len({Fraction(side.strip()) for side in sides}) > 1


def _bracketed_whole(gold: str) -> bool:
    """Whether the gold is one bracketed object (`[1,2,3]`, `(1,2)`, `\\{1,2\\}`): its commas list its entries,
    not several answers, so an "or" outside the brackets of an answer is a hedge between objects."""
    g = gold.strip().strip("$").strip()
    g = g[2:] if g.startswith("\\{") else g
    if not g or g[0] not in "([" or g[-1] not in ")]}":
        return False
    depth = 0
    for k, c in enumerate(g):
        depth += c in "([{"
        depth -= c in ")]}"
        if depth == 0 and k < len(g) - 1:
            return False
    return True


def _or_outside_brackets(candidate: str) -> bool:
    """Whether an "or" / "either" of `candidate` stands outside every bracket (`[1,2,3] or 7`)."""
    for m in _OR.finditer(candidate):
        before = candidate[: m.start()]
        if sum(before.count(c) for c in "([{") == sum(before.count(c) for c in ")]}"):
            return True
    return False


def _choice_hedge(gold: str, candidate: str) -> bool:
    """`(B) [1,2,3] or (C) 7`: two different choice labels in one answer, where the gold holds at most one."""
    labels = set(_CHOICE_LABEL.findall(candidate.strip()))
    return len(labels) > 1 and len(set(_CHOICE_LABEL.findall(gold.strip()))) < 2


def doubtful_answer(gold: str, candidate: str) -> bool:
    """Whether `candidate` doubts itself, offers a range or states two numbers where the gold does not.

    >>> doubtful_answer("5", r"5\\text{ (or 6)}"), doubtful_answer("5", r"5 \\text{ to } 6")
    (True, True)
    >>> doubtful_answer("5", "6 = 5"), doubtful_answer("5", r"\\boxed{5 \\text{?}}")
    (True, True)
    >>> doubtful_answer("5", r"x \\to 5"), doubtful_answer("3 or 4", "3 or 4"), doubtful_answer("5", "5 = 5")
    (False, False, False)
    >>> doubtful_answer("x=1, x=2", "x = 2 or x = 1"), doubtful_answer("x=1", "x = 2 or x = 1")
    (False, True)
    >>> doubtful_answer(r"\\pm 3", "x = 3 or x = -3")
    False
    >>> doubtful_answer("[1,2,3]", "(B) [1,2,3] or (C) 7"), doubtful_answer("[1,2,3]", "[1,2,3] or 7")
    (True, True)
    >>> doubtful_answer("5", r"5 \\text{ else } 6"), doubtful_answer("(1,2)", "(1, 2)")
    (True, False)
    """
    if _different_numbers(candidate):
        return True
    if _OR.search(candidate) and not _SEVERAL.search(gold):  # `x = 2 or x = 1` lists the items of `x=1, x=2`
        return True
    if _choice_hedge(gold, candidate) or (_ELSE.search(candidate) and not _ELSE.search(gold)):
        return True  # `(B) [1,2,3] or (C) 7`, `5 \text{ else } 6` (second round of attacks)
    if _bracketed_whole(gold) and _OR.search(candidate) and _or_outside_brackets(candidate):
        return True  # `[1,2,3] or 7` against `[1,2,3]`: the gold's commas are entries, not answers
    return bool(_DOUBT.search(candidate)) and not _DOUBT.search(gold)
