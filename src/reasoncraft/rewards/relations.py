"""Equations and inequalities read as relations, not as values (eleventh session, issue #14).

The checker reads `x = 5` and `y = x^2 - 1` by their value side, as Math-Verify does: the lone name on one
side names the answer on the other, so `x^2 - 1` answers `y = x^2 - 1`. That reading needs a side that is
the name and a side that is not. `y = x` has two lone names: it is the same statement as `x = y`, so reading
it by one side would give `x` for one spelling and `y` for the other. Such an equation (a line through the
origin, a symmetry, a variable set equal to a parameter) is a relation and is only ever equal to a relation:

- `relation_verdict(gold, candidate)`: False when one side is an equation between two lone names and the
  other is no equation or inequality at all (`y = x` against `x`, in either order); two such equations are
  equal when they name the same two (`y = x`, `x = y`); None (not decided here) otherwise, so `y = x`
  against `x - y = 0` goes on to the relation comparison. Also False for values given to two different
  names (`k = 3` against `m = 3`), Math-Verify's convention (`x=1` is not `y=1`): the cheaper paths read
  both by their value sides and called them equal; and so for a set given to two different names (`x \\in A`
  against `y \\in A`, thirteenth session), which the cheaper paths read by the set.

Lone names are letters and Greek letters, with or without a subscript (`x`, `a_1`, `\\theta`); constants
are not names (`\\pi`, `e`, `i`, `\\infty`), so `x = \\pi` still answers `\\pi`.
"""

from __future__ import annotations

import re

from .memo import memoized
from .normalize import _strip_delimiters

__all__ = ["relation_verdict", "two_named_relations"]

_GREEK = (
    "alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|lambda|mu|nu|xi|rho|sigma|tau"
    "|upsilon|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Sigma|Upsilon|Phi|Psi|Omega"
)
# a lone name: a letter other than the constants e and i, or a Greek letter (not \pi), with a subscript or not
_NAME = re.compile(rf"\s*(?:[A-DF-HJ-Za-df-hj-z]|\\(?:{_GREEK})(?![A-Za-z]))(?:_\{{?[A-Za-z0-9]+\}}?)?\s*")
# `x \in S`, `t \notin S`: a lone name said to be (or not to be) in a set; the name is group 1
_MEMBER = re.compile(rf"({_NAME.pattern})\\(?:in|notin)(?![A-Za-z])")
_RELATION_SIGN = re.compile(r"[=<>≤≥≠]|\\(?:le|ge|leq|geq|lt|gt|ne|neq|leqslant|geqslant)(?![A-Za-z])")


@memoized
def _equation_names(answer: str) -> tuple[frozenset[str], bool] | None:
    """For one `=` with a lone name on a side: (the lone names, whether the other side is a value, free of
    letters). `y = x` gives ({x, y}, False), `k = 3` and `3 = k` give ({k}, True), `y = 2x` ({y}, False)."""
    if "=" not in answer:
        return None
    sides = _strip_delimiters(answer).split("=")
    if len(sides) != 2 or _RELATION_SIGN.search(sides[0] + sides[1]):
        return None
    sides = [re.sub(r"[\s{}]", "", side) for side in sides]
    names = frozenset(side for side in sides if _NAME.fullmatch(side))
    if not names or sides[0] == sides[1]:
        return None
    other = next((side for side in sides if side not in names), "")
    return names, bool(other) and re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", other)) is None


def _names_equation(answer: str) -> frozenset[str] | None:
    """The two names of `y = x`, `a_1 = b`, `\\alpha = \\beta` (one `=` between two different lone names), or None."""
    found = _equation_names(answer)
    return found[0] if found is not None and len(found[0]) == 2 else None


def _value_name(answer: str) -> frozenset[str] | None:
    """The name that `k = 3` or `x = \\frac{1}{2}` gives a value (no letter on the value side), or None."""
    found = _equation_names(answer)
    return found[0] if found is not None and found[1] else None


def _member_names(gold: str, candidate: str) -> set[str]:
    """The names that `x \\in A` and `y \\in A` say are in a set, when both are such statements; else empty."""
    found = [_MEMBER.match(_strip_delimiters(side)) for side in (gold, candidate)]
    return {re.sub(r"[\s{}]", "", m.group(1)) for m in found} if all(found) else set()


def relation_verdict(gold: str, candidate: str) -> bool | None:
    """For an equation between two lone names on either side: against another such equation, equal when
    it names the same two (`y = x`, `x = y`); against no relation at all, not equal (`y = x`, `x`). None
    otherwise: the other steps decide (`y = x` against `x - y = 0` goes to the relation comparison).

    >>> relation_verdict("y=x", "x"), relation_verdict("x", "y = x"), relation_verdict("y = x", "x = y")
    (False, False, True)
    >>> relation_verdict("y = x", "y = z"), relation_verdict("y = 2x", "2x"), relation_verdict("y=x", "y-x=0")
    (False, None, None)
    >>> relation_verdict("x = \\\\pi", "\\\\pi"), relation_verdict("x = e", "e")  # constants are values, not names
    (None, None)
    >>> relation_verdict("k = 3", "m = 3"), relation_verdict("k = 3", "3 = k"), relation_verdict("y = 2x", "x = y/2")
    (False, None, None)
    >>> relation_verdict(r"x \\in (0, 1)", r"t \\in (0, 1)"), relation_verdict(r"x \\in (0, 1)", r"x \\in (0,1)")
    (False, None)
    """
    g, c = _names_equation(gold), _names_equation(candidate)
    if g is not None and c is not None:
        return g == c
    g_value, c_value = _value_name(gold), _value_name(candidate)
    if g_value is not None and c_value is not None and g_value != c_value:
        return False  # `k = 3` against `m = 3`: a value of another name (Math-Verify: `x=1` is not `y=1`)
    if "\\in" in gold and "\\in" in candidate and len(_member_names(gold, candidate)) == 2:
        return False  # `x \in A` against `y \in A`: the same rule for a set given to another name
    for names, other in ((g, candidate), (c, gold)):
        if names is not None and not _RELATION_SIGN.search(_strip_delimiters(other)):
            return False
    return None


def two_named_relations(gold: str, candidate: str) -> bool:
    """Both sides give two different names as expressions with variables (`y = 2x + 1`, `x = (y - 1)/2`):
    reading each by its value side would compare `2x + 1` with `(y - 1)/2`, so the pair skips that reading
    and goes to the relation comparison (Math-Verify solves both for their variables).

    >>> two_named_relations("y = 2x + 1", "x = (y - 1)/2"), two_named_relations("y = 2x + 1", "y = 1 + 2x")
    (True, False)
    """
    g, c = _equation_names(gold), _equation_names(candidate)
    return g is not None and c is not None and not (g[1] or c[1]) and not g[0] & c[0]
