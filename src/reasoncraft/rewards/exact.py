"""Exact number comparison and the cheap verdict: most pairs are decided here, without sympy.

Numbers are read with `fractions.Fraction` from strings that a strict regular expression matched
first; nothing is evaluated.

- `plain_number(s)`: the exact value of a plain number (`1,000`, `-0.5`, `1/2`, `\\frac{1}{2}`,
  `50\\%`), or None;
- `numbers_equal(gold, candidate)`: exact comparison, percent read either way; when either side is
  written with a decimal point, both are rounded to 6 places (Math-Verify's `float_rounding=6`: `0.333333`
  is 1/3, `0.33` is not), except where that leaves no digit (`0.0000001` is not 0) and between two written
  decimals a hair apart (`2.5` is not `2.500000002`: less than a thousandth of the shorter one's last place);
- `cheap_verdict(gold, candidate)`: True / False when decided here, None when sympy is needed
  (after every rule that can say True, it asks `prose.prose_verdict` and `numeric.numeric_verdict`,
  which can only rule a pair out; `constants.constants_equal` may say True first, for exact constants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .caps import MAX_DIGITS
from .constants import constants_equal, rational_value
from .memo import memoized
from .normalize import _CHOICE, normalize_answer
from .numeric import _split_top, numeric_verdict
from .prose import prose_verdict

__all__ = ["PlainNumber", "plain_number", "numbers_equal", "cheap_verdict"]

_BASE_NUMBER = re.compile(r"([0-9A-Za-z]+)_\{?(\d+)\}?")
_NUMERAL_IN_BASE = re.compile(r"(\d[0-9A-Za-z]*)_\{?(\d+)\}?")  # `1011_2`, `4343_{6}`: digits first
_LOWER_CHOICE = re.compile(r"\(?[a-e]\)?")
# `(C) 42`: a letter, then its choice's text; never `(C) or (D)`, `(C), (D)`: a hedge between letters
_CHOICE_THEN_TEXT = re.compile(r"\s*\(([A-E])\)\s+(?!(?:or|and)\b)[^\s,;]")
_ANOTHER_CHOICE = re.compile(r"\([A-Ea-e]\)|\b[A-E]\b")
_COMMA_DECIMAL = re.compile(r"([-+]?\d+),(\d+)")
_ONE_THOUSANDS_GROUP = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")


@dataclass(frozen=True)
class PlainNumber:
    value: Fraction
    decimal: bool  # written with a decimal point
    percent: bool  # written with a % sign
    places: int | None = None  # digits written after the decimal point (0 for an integer); None for other forms


_INT = re.compile(r"[-+]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)")  # 0,111 is no thousands grouping
_DEC = re.compile(r"[-+]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)?\.\d+|[-+]?\d+\.")
_SLASH = re.compile(r"([-+]?\d+)/(\d+)")
_SCI = re.compile(r"([-+]?\d+(?:\.\d+)?)(?:[eE]|\\times10\^\{?|\\cdot10\^\{?)([-+]?\d{1,3})\}?")
_REPEATING = re.compile(r"(-?\d*)\.(\d*)\\overline\{(\d{1,12})\}")
_FRAC = re.compile(r"([-+]?)\\frac\{([-+]?\d+)\}\{([-+]?\d+)\}")
_LEADING_ZEROS = re.compile(r"(?<![\d.,])0+(?=\d)")
_MIXED_LOOKING = re.compile(r"[-+]?\d+ (\d+)/(\d+)")  # `4 4/9`, `11 6/6`


@memoized
def plain_number(s: str) -> PlainNumber | None:
    """The exact value of a normalised plain number, or None for anything else.

    >>> plain_number("1,000").value, plain_number("-0.5").value, plain_number(r"\\frac{3}{6}").value
    (Fraction(1000, 1), Fraction(-1, 2), Fraction(1, 2))
    >>> plain_number("1e5").value, plain_number(r"2.5\\times10^{3}").value
    (Fraction(100000, 1), Fraction(2500, 1))
    >>> plain_number(r"50\\%").percent, plain_number("x+1") is None, plain_number("1/0") is None
    (True, True, True)
    >>> plain_number("+0001,000.00").value, plain_number("0,111") is None
    (Fraction(1000, 1), True)
    >>> plain_number(r"0.\\overline{3}").value, plain_number(r"-1.2\\overline{45}").value
    (Fraction(1, 3), Fraction(-137, 110))
    """
    if len(s) > 4 * MAX_DIGITS:  # Fraction() of a huge digit string is slow or refused
        return None
    percent = False
    if s.endswith("\\%") or s.endswith("%"):
        s, percent = s[:-2] if s.endswith("\\%") else s[:-1], True
    m = _REPEATING.fullmatch(s)  # 0.\overline{3} = 1/3, 1.2\overline{45}: exact, from the digits
    if m:
        whole, fixed, cycle = m.group(1) or "0", m.group(2), m.group(3)
        value = Fraction(int(whole.lstrip("-") + fixed + cycle) - int(whole.lstrip("-") + fixed or "0"))
        value /= (10 ** len(cycle) - 1) * 10 ** len(fixed)
        return PlainNumber(-value if whole.startswith("-") else value, True, percent)
    s = _LEADING_ZEROS.sub("", s)  # `+0001,000.00`: zeros padding a grouped number (`0,111` keeps its zero)
    if _INT.fullmatch(s):
        return PlainNumber(Fraction(s.replace(",", "")), False, percent, 0)
    if _DEC.fullmatch(s):
        places = len(s.partition(".")[2])
        return PlainNumber(Fraction(s.replace(",", "").rstrip(".") or "0"), True, percent, places)
    m = _SCI.fullmatch(s)  # 1e5, 2.5\times10^{3}; exponents capped at 3 digits by the pattern
    if m:
        return PlainNumber(Fraction(m.group(1)) * Fraction(10) ** int(m.group(2)), "." in m.group(1), percent)
    m = _SLASH.fullmatch(s)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
        return PlainNumber(Fraction(num, den), False, percent) if den else None
    m = _FRAC.fullmatch(s)
    if m:
        num, den = int(m.group(2)), int(m.group(3))
        if den == 0:
            return None
        value = Fraction(num, den)
        return PlainNumber(-value if m.group(1) == "-" else value, False, percent)
    return None


def numbers_equal(gold: PlainNumber, candidate: PlainNumber) -> bool:
    """Exact equality; a percentage may be read as p or p/100; decimals to 6 places and 5 significant digits.

    >>> numbers_equal(plain_number("1/3"), plain_number("0.333333"))
    True
    >>> numbers_equal(plain_number("1/3"), plain_number("0.33"))
    False
    >>> numbers_equal(plain_number(r"50\\%"), plain_number("0.5"))
    True
    >>> numbers_equal(plain_number("0.0000001"), plain_number("0")), numbers_equal(*map(plain_number, ["0", "0.0"]))
    (False, True)
    >>> numbers_equal(plain_number("0.0000672"), plain_number("0.0000674"))
    False
    >>> numbers_equal(plain_number("2.5"), plain_number("2.500000002"))
    False
    >>> numbers_equal(plain_number("3"), plain_number("2.9999999")), numbers_equal(*map(plain_number, ["3", "3.0"]))
    (False, True)
    """
    g_values = {gold.value} | ({gold.value / 100} if gold.percent else set())
    c_values = {candidate.value} | ({candidate.value / 100} if candidate.percent else set())
    if g_values & c_values:
        return True
    if _another_exact_decimal(gold, candidate):
        return False
    if gold.decimal or candidate.decimal:
        return any(_decimals_agree(g, c) for g in g_values for c in c_values)
    return False


def _another_exact_decimal(gold: PlainNumber, candidate: PlainNumber) -> bool:
    """Two written decimals (or integers) that differ by less than a thousandth of the last place of the shorter
    one: `2.5` and `2.500000002`, `3` and `2.9999999`. Such a difference is no rounding (a rounded value is off by
    a sizeable share of its last place, as `0.333` is from 1/3): the longer one states another exact value, or
    the digits of a floating-point error. So the 6-place agreement below does not make them equal."""
    if gold.places is None or candidate.places is None or gold.percent or candidate.percent:
        return False
    gap = abs(gold.value - candidate.value)
    return 0 < gap < Fraction(1, 10 ** (min(gold.places, candidate.places) + 3))


def _decimals_agree(a: Fraction, b: Fraction) -> bool:
    """Equal to 6 decimal places (Math-Verify's `float_rounding=6`) and to about 5 significant digits: a
    rounding of 1/3 written 0.333333 agrees, but 0.0000672 and 0.0000674, or 0.0000001 and 0, differ in
    every digit that was written and do not."""
    return round(a, 6) == round(b, 6) and abs(a - b) <= Fraction(1, 10**5) * max(abs(a), abs(b))


_SPACED_LIST = re.compile(r"\d\s*,\s+\d")
_SPACED_DIGITS = re.compile(r"[-+]?\d+(?: \d+)+")
_YES_NO = re.compile(r"yes|no", re.IGNORECASE)  # two letters, yet a word: `No` and `no`
_WORDS = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]+)*|[A-Za-z]{2,}(?: [A-Za-z]+)+")  # a word, or a phrase: not `ab`


def _decimal_comma(s: str) -> PlainNumber | None:
    """`1,22` or `0,111` read as 1.22 and 0.111: one comma that cannot be a thousands separator."""
    m = _COMMA_DECIMAL.fullmatch(s)
    if not m or _ONE_THOUSANDS_GROUP.fullmatch(s):
        return None
    return PlainNumber(Fraction(f"{m.group(1)}.{m.group(2)}"), True, False)


def _number_lists_equal(g: str, c: str) -> bool | None:
    """Two bare lists or sets (`1,2,3`, `\\{3,1,2\\}`) of plain numbers, compared as multisets
    exactly; None unless both are such lists."""
    items = []
    for side in (g, c):
        side = side[2:-2] if side.startswith("\\{") and side.endswith("\\}") else side
        parts = _split_top(side, ",")
        numbers = [plain_number(normalize_answer(p)) for p in parts]
        if len(parts) < 2 or any(n is None or n.percent for n in numbers):
            return None
        items.append(sorted(n.value for n in numbers))
    return items[0] == items[1]


def _is_number_list(s: str) -> bool:
    """A bare list or set of two or more plain numbers (`4,4`, `\\{1,2\\}`)."""
    s = s[2:-2] if s.startswith("\\{") and s.endswith("\\}") else s
    parts = _split_top(s, ",")
    return len(parts) > 1 and all(plain_number(normalize_answer(p)) is not None for p in parts)


def _list_items(s: str) -> list[str]:
    """The items of a bare list or braced set (`1, 2`, `\\{a, b\\}`), or the one item of anything else."""
    s = s[2:-2] if s.startswith("\\{") and s.endswith("\\}") else s
    return [item.strip() for item in _split_top(s, ",")]


def _repeats_an_item(g: str, c: str) -> bool:
    """A candidate list that repeats an item, against a gold of one item (`x+1, x+1` for `x+1`): a list is not its
    element, though Math-Verify's sets drop repeats. Against a gold list, repeats follow Math-Verify's sets (its
    suite lists a tuple twice for a set of tuples); lists of plain numbers are compared as multisets elsewhere."""
    items = _list_items(c)
    if len(items) < 2 or len(set(items)) == len(items) or plain_number(c) is not None:  # `1,000`: one number
        return False
    return len(_list_items(g)) == 1


def _same_items(g: str, c: str) -> bool:
    """Both sides a bare list or set of two or more items, the same items (as normalised) in any order."""
    items = []
    for side in (g, c):
        side = side[2:-2] if side.startswith("\\{") and side.endswith("\\}") else side
        items.append(sorted(_split_top(side, ",")))
    return len(items[0]) > 1 and items[0] == items[1]


# a time of day: `20:34`, `20:34:00`, `08:34 \text{P.M.}` (never `3:4`, a ratio)
_CLOCK = re.compile(r"(\d{1,2}):([0-5]\d)(?::([0-5]\d))?(?:([ap])\.?m\.?)?", re.IGNORECASE)


def _clock(s: str) -> tuple[int, bool] | None:
    """(seconds after midnight, whether it is surely a time: it has seconds or a.m./p.m.), or None."""
    s = re.sub(r"\\(?:text|mbox|mathrm)\s*\{([^{}]*)\}|[\s$]", r"\1", s)  # `08:34 \text{P.M.}`
    m = _CLOCK.fullmatch(s.rstrip("."))
    if m is None:
        return None
    hour, half = int(m.group(1)), m.group(4)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    elif hour > 24:
        return None
    return hour * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0), bool(m.group(3) or half)


def _numeral_value(digits: str, base: str) -> int | None:
    """The value of `digits` in `base`, or None when that cannot be a numeral (base 0, 1 or over 36; a digit
    not below the base: `4343_0`, `19_8`)."""
    b = int(base)
    if not 2 <= b <= 36:
        return None
    try:
        return int(digits, b)
    except ValueError:
        return None


def _base_verdict(g: str, c: str) -> bool | None:
    """A subscript on a number names its base, and the base must match: two numerals are equal when their
    bases and values are (`1011_2` = `01011_{2}`, never `1011_3`); a numeral against a plain number is equal
    only when the number writes the same digits (the base dropped: `52_8` and `52`, never its decimal value
    42 nor `52.0`); a subscript that cannot be a base (`4343_0`) makes no number, so only the same spelling
    (decided before) equals it. None when neither side is a number with a subscript."""
    g_base, c_base = _NUMERAL_IN_BASE.fullmatch(g), _NUMERAL_IN_BASE.fullmatch(c)
    if g_base is None and c_base is None:
        return None
    if g_base is not None and c_base is not None:
        g_value, c_value = _numeral_value(*g_base.groups()), _numeral_value(*c_base.groups())
        return g_value is not None and g_value == c_value and int(g_base.group(2)) == int(c_base.group(2))
    numeral, other = (g_base, c) if g_base is not None else (c_base, g)
    if plain_number(other) is None:
        return None  # an expression: left to the rules below
    if _numeral_value(*numeral.groups()) is None:
        return False
    return other.lstrip("+").lstrip("0") == numeral.group(1).lstrip("0")


_DIVIDED = re.compile(r"/|\\frac|\\div")


def _terminating_places(value: Fraction) -> int | None:
    """The decimal places of `value` written out in full (2.75: 2), or None when its decimals never end (1/3)."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    return max(twos, fives) if den == 1 else None


def _rational_verdict(g: str, c: str) -> bool | None:
    """Two sides of arithmetic on written numbers, a decimal among them, read exactly (`constants.rational_value`):
    True for one exact value (`4+0.5+0.06` and `4+56/100`; Math-Verify adds decimals as floats, and 0.5 + 0.06 came
    out unequal to 14/25). Without a division on either side, each is an exact decimal, no rounding, compared as two
    written decimals are (`numbers_equal`): a hair apart is another value (`2.5+0.25` against `2.7500000001`, a
    floating-point error). None otherwise, for the rules below (`\\frac13` against `0.333333+0`: a rounding)."""
    g_value, c_value = rational_value(g), rational_value(c)
    if g_value is None or c_value is None:
        return None
    if g_value == c_value:
        return True
    sides = ((g, g_value), (c, c_value))
    places = [None if _DIVIDED.search(side) else _terminating_places(value) for side, value in sides]
    if None in places:
        return None
    return numbers_equal(PlainNumber(g_value, True, False, places[0]), PlainNumber(c_value, True, False, places[1]))


def cheap_verdict(gold: str, candidate: str) -> bool | None:
    """True or False when decidable without sympy, else None.

    >>> cheap_verdict("1000", "1,000"), cheap_verdict("7", "8"), cheap_verdict("x+1", "1+x")
    (True, False, None)
    """
    g, c = normalize_answer(gold), normalize_answer(candidate)
    if not c:
        return False
    if g == c:
        return True
    if _repeats_an_item(g, c):
        return False
    if (by_base := _base_verdict(g, c)) is not None:  # `1011_2`, `4343_0`: a subscript on a number is a base
        return by_base
    g_clock, c_clock = _clock(gold), _clock(candidate)
    if g_clock and c_clock and (g_clock[1] or c_clock[1]):  # `20:34` = `20:34:00` = `08:34 P.M.`
        return g_clock[0] == c_clock[0]
    g_num, c_num = plain_number(g), plain_number(c)
    # `32, 349` is a list of two numbers, never 32349 with a spaced thousands separator
    if _SPACED_LIST.search(gold):
        g_num = None
    if _SPACED_LIST.search(candidate):
        c_num = None
    if (g_num is None) != (c_num is None):  # a decimal comma, read so only against a decimal point
        if g_num is None and c_num.decimal:
            g_num = _decimal_comma(g)
        elif c_num is None and g_num.decimal:
            c_num = _decimal_comma(c)
    if g_num is not None and c_num is not None:
        return numbers_equal(g_num, c_num)
    if (g_num is not None and _SPACED_DIGITS.fullmatch(c)) or (c_num is not None and _SPACED_DIGITS.fullmatch(g)):
        return False  # 6 8 against a number: digits split by a space are not one number
    m = _MIXED_LOOKING.fullmatch(c)
    if m and int(m.group(1)) >= int(m.group(2)):
        return False  # a whole number then a fraction that is not proper (`11 6/6`, `4 4/0`): no mixed number
    if (g_num is not None and _is_number_list(c)) or (c_num is not None and _is_number_list(g)):
        return False  # `4, 4` or `4 and 4` against 4: a list is not a number, even of one value
    lists = _number_lists_equal(g, c)
    if lists is not None:
        return lists
    if _same_items(g, c):  # (3,2),(2,3) and (2,3),(3,2): the same items in another order
        return True
    if all(_WORDS.fullmatch(s) or _YES_NO.fullmatch(s) for s in (g, c)):  # "Even" and "even": another case
        return g.casefold() == c.casefold()
    if _CHOICE.fullmatch(g) and _LOWER_CHOICE.fullmatch(c):  # (b) for the choice B
        return g == c.strip("()").upper()
    g_base, c_base = _BASE_NUMBER.fullmatch(g), _BASE_NUMBER.fullmatch(c)
    if g_base and c_base and g_base.group(2) == c_base.group(2):  # 4343_6: digits in one base
        return g_base.group(1).lstrip("0") == c_base.group(1).lstrip("0")
    if _CHOICE.fullmatch(g) and _CHOICE.fullmatch(c):  # multiple-choice letters
        return g == c
    m = _CHOICE_THEN_TEXT.match(candidate)
    if _CHOICE.fullmatch(g) and m and not _ANOTHER_CHOICE.search(candidate[m.end() :]):
        return g == m.group(1)
    if prose_verdict(gold, candidate) is False:  # a sentence for a number: never worth Math-Verify's time
        return False
    if "." in g + c and (by_value := _rational_verdict(g, c)) is not None:  # `4+0.5+0.06` and `4+56/100`
        return by_value
    if constants_equal(g, c):  # `1+2i` and `i(2-i)`: exact constants of one value (Math-Verify reads i as a name)
        return True
    return numeric_verdict(g, c)
