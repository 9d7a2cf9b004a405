"""Rules by kind found by rewriting the golds of MATH-500, AIME, AMC and GSM8K (fourteenth session, helper C).

`tests/fixtures/checker_cases/make_probes14.py` writes, for every benchmark gold, rewrites a model plausibly writes
(equal by construction) and near misses (not equal by construction). Where the checker failed, each rule here is for the
kind, with counter-cases that stay unequal (`tests/test_rewards_probes14.py`, docs/rewards.md, "Rules by kind
(fourteenth session, benchmark golds)"):

- `outer_group`: one brace group around the whole answer (`\\boxed{{15 \\text{ cm}^2}}` leaves `{15 \\text{ cm}^2}`)
  is only grouping, so it is dropped before the units are read; a group with a comma at its top level is kept, since
  `{1, 2}` is a set written without backslashes, and so is an empty one (`{ }`, the empty set); round brackets
  around a quantity with a unit (`(15 \\text{ cm}^2)`) are dropped too (a bracketed number was already read);
- `article_word`: against a gold of one word (`\\text{ellipse}`), `an ellipse`, `a circle`, `the east` are the word;
- `power_in_words`: `7 squared`, `x cubed` are `7^2`, `x^3` (before, the word was dropped as a unit and `7 squared`
  equalled 7);
- `bracketed_numeral`: `(52)_{8}` is the numeral `52_8` (the base rule then decides; before, nothing read it);
- `repeating_verdict`: a repeating decimal (`0.\\overline{3}`, `0.333...`) is an exact value, so against another exact
  value (a fraction, an integer, another repeating decimal) it is compared exactly: `0.053\\overline{571429}` is not
  3/56 (before, the 6-place tolerance for roundings made them equal); against a written finite decimal the tolerance
  applies as before;
- `numeral_list_verdict`: a list or set of numerals with a base (`52_8, 52_9`) is compared item by item by the base
  rule (`exact._base_verdict`): before, Math-Verify dropped the subscripts, so the hedge `52_8 or 52_9` read as
  `52, 52` and equalled the gold `52_8` (a false positive), and `52_8, 53_8` equalled `52_9, 53_9`.
"""

from __future__ import annotations

import re

from .exact import _NUMERAL_IN_BASE, _REPEATING, _base_verdict, _list_items, numbers_equal, plain_number
from .normalize import normalize_answer
from .numeric import _split_top
from .units import read_quantity

__all__ = [
    "article_word",
    "benchmark_verdict",
    "bracketed_numeral",
    "numeral_list_verdict",
    "outer_group",
    "power_in_words",
]

_ARTICLE_WORD = re.compile(r"\s*(?:a|an|the)\s+([A-Za-z]{3,})\s*\.?\s*", re.IGNORECASE)
_ONE_WORD = re.compile(r"[A-Za-z]{3,}")
_POWER_WORD = re.compile(
    r"\s*(-?\d+(?:\.\d+)?|[A-Za-z])\s*(?:\\text\{\s*(squared|cubed)\s*\}|(squared|cubed))\s*\.?\s*"
)
_BRACKETED_NUMERAL = re.compile(r"\s*\((\d[0-9A-Za-z]*)\)\s*(_\s*\{?\s*\d+\s*\}?)\s*")


def _closes_at_end(s: str) -> bool:
    """Whether the bracket at s[0] (`{` or `(`) is closed by the one at s[-1] (escaped `\\{`, `\\}` not counted)."""
    opening, closing = s[0], {"{": "}", "(": ")"}[s[0]]
    depth, k = 0, 0
    while k < len(s):
        if s[k] == "\\":
            k += 2
            continue
        depth += (s[k] == opening) - (s[k] == closing)
        if depth == 0:
            return k == len(s) - 1
        k += 1
    return False


def _grouping(s: str) -> bool:
    """Whether s is `{...}` around a whole answer, or `(...)` around a quantity with a unit (`(15 \\text{ cm}^2)`),
    with something inside and no comma at its top level."""
    inner = s[1:-1].strip()
    if not inner or s[0] not in "{(" or not _closes_at_end(s) or len(_split_top(inner, ",")) != 1:
        return False
    return s[0] == "{" or read_quantity(inner) is not None


_MAX_GROUPS = 3  # `{{x \\in [-2,7]}}`: no model wraps an answer in more bare groups than this


def outer_group(answer: str) -> str:
    """`answer` without the brace groups that enclose all of it and hold no top-level comma, and without round
    brackets around a quantity with a unit.

    >>> outer_group("{15 \\\\text{ cm}^2}"), outer_group("{{x \\\\in [-2,7]}}"), outer_group("{1, 2}")
    ('15 \\\\text{ cm}^2', 'x \\\\in [-2,7]', '{1, 2}')
    >>> outer_group("{}^5C_2"), outer_group("\\\\{1\\\\}"), outer_group("{ }")
    ('{}^5C_2', '\\\\{1\\\\}', '{ }')
    >>> outer_group("(15 cm^2)"), outer_group("(x+1)"), outer_group("(1)(2)"), outer_group("(3 cm, 4 cm)")
    ('15 cm^2', '(x+1)', '(1)(2)', '(3 cm, 4 cm)')
    """
    s = answer.strip()
    for _ in range(_MAX_GROUPS):  # each test scans the answer: 10,000 nested braces would cost n^2 (`attacks`)
        if not (len(s) > 1 and _grouping(s)):
            return s if s != answer.strip() else answer
        s = s[1:-1].strip()
    return answer  # more groups than any answer is written with: left to the caps


def bracketed_numeral(answer: str) -> str:
    """`(52)_{8}` as `52_{8}`: digits in brackets before a base subscript are the numeral; anything else unchanged.

    >>> bracketed_numeral("(52)_{8}"), bracketed_numeral("(x+1)_8"), bracketed_numeral("(52, 3)_8")
    ('52_{8}', '(x+1)_8', '(52, 3)_8')
    """
    m = _BRACKETED_NUMERAL.fullmatch(answer)
    return m.group(1) + m.group(2).replace(" ", "") if m else answer


def power_in_words(answer: str) -> str:
    """`7 squared` as `7^2`, `x cubed` as `x^3`: the word is an operation, not a unit to drop; anything else unchanged.

    >>> power_in_words("7 squared"), power_in_words("x \\\\text{ cubed}"), power_in_words("7 apples")
    ('7^2', 'x^3', '7 apples')
    """
    m = _POWER_WORD.fullmatch(answer)
    if m is None:
        return answer
    base = f"({m.group(1)})" if m.group(1).startswith("-") else m.group(1)  # `-1 squared`: (-1)^2, not -(1^2)
    return f"{base}^{2 if (m.group(2) or m.group(3)) == 'squared' else 3}"


_MAX_ARTICLE_CHARS = 80


def article_word(gold: str, candidate: str) -> str:
    """The candidate `an ellipse` as `ellipse` when the gold is one word; any other candidate unchanged.

    >>> article_word("\\\\text{ellipse}", "an ellipse"), article_word("\\\\text{ellipse}", "not an ellipse")
    ('ellipse', 'not an ellipse')
    """
    if len(candidate) > _MAX_ARTICLE_CHARS:  # a word with its article is short; normalising a long answer costs
        return candidate
    m = _ARTICLE_WORD.fullmatch(candidate) or _ARTICLE_WORD.fullmatch(normalize_answer(candidate))
    if m and _ONE_WORD.fullmatch(normalize_answer(gold)):
        return m.group(1)
    return candidate


def _items_equal(a: str, b: str) -> bool:
    by_base = _base_verdict(a, b)
    if by_base is not None:
        return by_base
    x, y = plain_number(a), plain_number(b)
    return x is not None and y is not None and numbers_equal(x, y)


def numeral_list_verdict(gold: str, candidate: str) -> bool | None:
    """True or False for two answers of numerals and numbers, a list or set among them and a base-n numeral among
    their items (matched in any order, each item once); None for anything else.

    >>> numeral_list_verdict("52_8", "52_8, 52_9"), numeral_list_verdict("52_8, 53_8", "53_8, 52_8")
    (False, True)
    >>> numeral_list_verdict("52_8, 53_8", "52_9, 53_9"), numeral_list_verdict("52_8", "52")
    (False, None)
    """
    g, c = normalize_answer(gold), normalize_answer(candidate)
    g_items, c_items = _list_items(g), _list_items(c)
    items = g_items + c_items
    if len(items) < 3 or not any(_NUMERAL_IN_BASE.fullmatch(i) for i in items):
        return None
    if not all(_NUMERAL_IN_BASE.fullmatch(i) or plain_number(i) is not None for i in items):
        return None
    if len(g_items) != len(c_items):
        return False  # a list is not its element, and a list missing an item is another list
    remaining = list(c_items)
    for item in g_items:
        match = next((k for k, other in enumerate(remaining) if _items_equal(item, other)), None)
        if match is None:
            return False
        remaining.pop(match)
    return True


def repeating_verdict(gold: str, candidate: str) -> bool | None:
    """True or False when one side is a repeating decimal and the other an exact number (no finite decimal); None
    otherwise.

    >>> repeating_verdict("\\\\frac{3}{56}", "0.053\\\\overline{571429}"), repeating_verdict("1/3", "0.333...")
    (False, True)
    >>> repeating_verdict("0.333333", "0.\\\\overline{3}"), repeating_verdict("x", "0.\\\\overline{3}")
    (None, None)
    """
    g, c = normalize_answer(gold), normalize_answer(candidate)
    if not (_REPEATING.fullmatch(g) or _REPEATING.fullmatch(c)):
        return None
    g_num, c_num = plain_number(g), plain_number(c)
    if g_num is None or c_num is None or g_num.percent or c_num.percent:
        return None
    if any(n.decimal and not _REPEATING.fullmatch(s) for n, s in ((g_num, g), (c_num, c))):
        return None  # a written decimal: a rounding, compared with the tolerance as before
    return g_num.value == c_num.value


def benchmark_verdict(gold: str, candidate: str) -> bool | None:
    """The verdict of the list-of-numerals or the repeating-decimal rule, or None when neither applies."""
    by_numerals = numeral_list_verdict(gold, candidate)
    return by_numerals if by_numerals is not None else repeating_verdict(gold, candidate)
