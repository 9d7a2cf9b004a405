"""Answers whose order matters or does not (thirteenth session, probes; docs/rewards.md, "Rules by kind (thirteenth
session, probes)"), decided without sympy.

`order_verdict(gold, candidate)` decides three kinds without sympy (None: not one of them):

- values given to single letters, each letter once on each side (`x = 1, y = 2`): other letters are not equal
  (`x = 1, z = 2`); the same letters are compared letter by letter, as tuples in the letters' order (before, as sets
  of values: `x = 1, y = 2` equalled `x = 2, y = 1`). Against a tuple, values given to consecutive letters out of
  order are put in order (`y = 2, x = 1` is `(1, 2)`; `n = 3, k = 2` is left as written). Roots of one letter
  (`x = 1, x = 2`) stay a set.
- a ratio of three or more parts (`1:2:3`): equal only to a ratio of as many parts, proportional part by part
  (`2:4:6`, `-1:-2:-3`). The parsers read `:` as division, so `1:2:3` was `1/6` and equal to `1:3:2`. A ratio of
  two parts is left to the older reading (`3:4` and `\\frac{3}{4}` are equal, as in Math-Verify).
- sets named by letters combined with `\\cup` and `\\cap`: the same sets in another order are equal
  (`A \\cup B` and `B \\cup A`); `\\setminus` keeps its order. Anything else is left to the other rules.

`named_pair(gold, candidate)` writes two lists of values given to the same letters as tuples in the letters' order
(called by `notations.notation_pair`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from .constants import rational_value

__all__ = ["named_pair", "order_verdict"]

_NAMED_VALUE = re.compile(r"\s*([a-zA-Z])\s*=\s*([^=]+?)\s*")
_NAMED_JOINER = re.compile(r",|;|\\text\s*\{\s*and\s*\}|\band\b|\\quad")


def _named_items(text: str) -> list[tuple[str, str]] | None:
    """`y = 2, x = 1` as [("y", "2"), ("x", "1")]: two or more values given to single letters, else None."""
    items, depth, start = [], 0, 0
    for pos, char in enumerate(text + ","):
        depth += (char in "({[") - (char in ")}]")
        if depth == 0 and (joiner := _NAMED_JOINER.match(text + ",", pos)) and pos >= start:
            items.append(text[start:pos])
            start = joiner.end()
    named = [_NAMED_VALUE.fullmatch(item) for item in items if item.strip()]
    if len(named) < 2 or not all(named):
        return None
    return [(m.group(1), m.group(2)) for m in named]


def _named_in_order(text: str) -> str:
    """`y = 2, x = 1` as `x = 1, y = 2`: values given to consecutive letters of the alphabet (`x, y, z`, `a, b, c`,
    `m, n`) out of order are put in order, as a tuple of them is written; other names (`n`, `k`) are left."""
    named = _named_items(text)
    if named is None:
        return text
    names = [name for name, _ in named]
    ordered = sorted(names)
    consecutive = all(ord(b) - ord(a) == 1 for a, b in zip(ordered, ordered[1:]))
    if names == ordered or not consecutive:
        return text
    return ", ".join(f"{name} = {value}" for name, value in sorted(named))


def named_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Two answers that give values to the same letters, each once (`x = 1, y = 2` and `y = 2, x = 1`), as the
    tuples of their values in the letters' order: compared name by name (before, as two sets of values, so
    `x = 1, y = 2` equalled `x = 2, y = 1`). Anything else: the answers themselves, each put in order."""
    g, c = _named_items(gold), _named_items(candidate)
    if g and c and len({n for n, _ in g}) == len(g) and {n for n, _ in g} == {n for n, _ in c} and len(c) == len(g):
        return "(" + ", ".join(v for _, v in sorted(g)) + ")", "(" + ", ".join(v for _, v in sorted(c)) + ")"
    return _named_in_order(gold) if g else gold, _named_in_order(candidate) if c else candidate


# --- ratios -------------------------------------------------------------------------------------------------------
def _ratio_parts(text: str) -> list[str] | None:
    text = text.strip().strip("$").replace("\\colon", ":").replace("\\!", "").replace("\\,", "")
    parts = [p.strip() for p in text.split(":")]
    return parts if len(parts) >= 2 and all(parts) and not any("=" in p or "," in p for p in parts) else None


def _ratio_verdict(gold: str, candidate: str) -> bool | None:
    g, c = _ratio_parts(gold), _ratio_parts(candidate)
    if max(len(g or ()), len(c or ())) < 3:
        return None  # a ratio of two parts: left to the older reading (`3:4` is `\frac{3}{4}`)
    if any(re.fullmatch(r"\d{1,2}:[0-5]\d:[0-5]\d(?:\s*[ap]\.?m\.?)?", s.strip(), re.I) for s in (gold, candidate)):
        return None  # a time of day with seconds (`exact._clock`)
    if g is None or c is None or len(g) != len(c):
        return False
    g_values, c_values = [rational_value(p) for p in g], [rational_value(p) for p in c]
    if None in g_values or None in c_values or 0 in g_values or 0 in c_values:
        return [p.replace(" ", "") for p in g] == [p.replace(" ", "") for p in c]
    scale = Fraction(c_values[0]) / Fraction(g_values[0])
    return all(Fraction(cv) == scale * Fraction(gv) for gv, cv in zip(g_values, c_values))


# --- named sets -----------------------------------------------------------------------------------------------------
_SET_NAME = re.compile(r"[A-Z](?:_\{?\w+\}?|')*(?:\^\{?[c']\}?|\^\{?\\complement\}?)?")
_SET_OPS = re.compile(r"\\(cup|cap|setminus)")


def _set_canonical(text: str) -> str | None:
    """A canonical spelling of letters joined by `\\cup`/`\\cap`/`\\setminus` (brackets kept as groups), the operands of
    a `\\cup` or a `\\cap` sorted; None when the text is anything else or mixes operators without brackets."""
    text = text.strip().strip("$").replace("\\left", "").replace("\\right", "").replace(" ", "")
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1]
    operands, operators, pos = [], set(), 0
    while pos < len(text):
        if text[pos] == "(":
            end = _closing(text, pos)
            if end is None or (inner := _set_canonical(text[pos + 1 : end])) is None:
                return None
            operands.append("(" + inner + ")")
            pos = end + 1
        elif m := _SET_NAME.match(text, pos):
            operands.append(m.group(0))
            pos = m.end()
        else:
            return None
        if pos < len(text):
            op = _SET_OPS.match(text, pos)
            if not op:
                return None
            operators.add(op.group(1))
            pos = op.end()
            if pos == len(text):
                return None
    if len(operators) > 1:
        return None
    if not operators:
        return operands[0] if len(operands) == 1 else None
    op = operators.pop()
    if op != "setminus":
        operands = sorted(operands)
    return f"\\{op}".join(operands)


def _closing(text: str, start: int) -> int | None:
    depth = 0
    for pos in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[pos], 0)
        if depth == 0:
            return pos
    return None


def order_verdict(gold: str, candidate: str) -> bool | None:
    """True or False for ratios of three parts or more, named sets in another order and values given to other
    letters, else None.

    >>> order_verdict("1:2:3", "2:4:6"), order_verdict("1:2:3", "1:3:2"), order_verdict("3:4", "6:8")
    (True, False, None)
    >>> order_verdict(r"A \\cup B", r"B \\cup A"), order_verdict(r"A \\setminus B", r"B \\setminus A")
    (True, None)
    """
    if "=" in gold and "=" in candidate and (g := _named_items(gold)) and (c := _named_items(candidate)):
        g_names, c_names = [n for n, _ in g], [n for n, _ in c]
        if len(set(g_names)) == len(g_names) and len(set(c_names)) == len(c_names) and set(g_names) != set(c_names):
            return False  # values given to other letters (`x = 1, z = 2` for `x = 1, y = 2`)
    if ":" in gold or ":" in candidate:
        if (by_ratio := _ratio_verdict(gold, candidate)) is not None:
            return by_ratio
    if ("\\cup" in gold or "\\cap" in gold) and ("\\cup" in candidate or "\\cap" in candidate):
        g, c = _set_canonical(gold), _set_canonical(candidate)
        if g is not None and g == c:
            return True
    return None
