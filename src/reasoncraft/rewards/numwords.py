"""Whole numbers written in English words, and a scale word after a number, read exactly.

`three`, `twenty-one`, `one hundred and five`, `a dozen` are numbers when they are the whole answer (maybe with a
unit or noun after them: `three apples`); a number followed by a scale word is the product (`5 thousand` is 5000,
`1.5 million` is 1500000, `2 dozen` is 24), where before the scale word was dropped like a unit (`5 thousand` read
as 5). Words inside prose are never read (`one of them`, `no one`). Thirteenth session: a sign word before a number
(`negative three`, `minus twelve`) and a fraction of a count of one to nine and a denominator word as the whole
answer (`one half`, `a third`, `two-thirds`, `three quarters`) are read too.
"""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_WORD = re.compile(r"[a-z]+")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+|\d+/\d+)")


def words_to_int(text: str) -> int | None:
    """The whole number `text` writes in English words, else None (`twenty twenty`, `two and three` are none).

    >>> words_to_int("twenty-one"), words_to_int("One hundred and five"), words_to_int("a dozen")
    (21, 105, 12)
    >>> words_to_int("two thousand three hundred"), words_to_int("three apples"), words_to_int("two and three")
    (2300, None, None)
    """
    words = _WORD.findall(text.lower().replace("-", " "))
    if not words or " ".join(words) != re.sub(r"[\s-]+", " ", text.strip().lower()):
        return None  # something other than words (digits, punctuation) is in it
    if words == ["zero"]:
        return 0
    total, current, last = 0, 0, None
    for k, w in enumerate(words):
        if w == "zero":
            return None  # `zero` only alone
        value = _UNITS.get(w, 0)
        if w in _UNITS and 0 < value < 10 and last in {None, "tens", "hundred", "big", "and"}:
            current, last = current + value, "unit"
        elif w in _UNITS and value >= 10 and last in {None, "hundred", "big", "and"}:
            current, last = current + value, "teen"
        elif w in _TENS and last in {None, "hundred", "big", "and"}:
            current, last = current + _TENS[w], "tens"
        elif w == "a" and k == 0 and len(words) > 1 and words[1] in SCALES:
            current, last = 1, "unit"
        elif w == "and" and last in {"hundred", "big"} and k + 1 < len(words):
            last = "and"
        elif w in SCALES and last in {"unit", "teen", "tens"} and SCALES[w] < 1000 and current < 100:
            current, last = current * SCALES[w], "hundred"
        elif w in SCALES and last in {"unit", "teen", "tens", "hundred"} and SCALES[w] >= 1000:
            total, current, last = total + current * SCALES[w], 0, "big"
        else:
            return None
    return total + current if last not in {None, "and"} else None


def scaled(value: str, scale_word: str) -> str | None:
    """`value` times the scale word's number, written as a plain number; None when either is not read.

    >>> scaled("1.5", "million"), scaled("5", "Thousand"), scaled("3/4", "dozen"), scaled("x", "thousand")
    ('1500000', '5000', '9', None)
    """
    factor = SCALES.get(scale_word.lower().rstrip("s"))
    if factor is None or not _NUMBER.fullmatch(value.strip()):
        return None
    product = Fraction(value.strip()) * factor
    return str(product.numerator) if product.denominator == 1 else f"{product.numerator}/{product.denominator}"


_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4}
_DENOMINATORS |= {"fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8}


def _word_fraction(words: list[str]) -> str | None:
    """`one half`, `a third`, `two-thirds`, `three quarters` as `1/2` ... when that is the whole answer: a count of one
    to nine, then a denominator word, singular after one or a (`one halves` and `two third` are no fraction)."""
    words = [w.lower().rstrip(".") for w in words]
    if len(words) == 1 and words[0].count("-") == 1:
        words = words[0].split("-")
    if len(words) != 2 or words[1] not in _DENOMINATORS:
        return None
    count = 1 if words[0] == "a" else _UNITS.get(words[0])
    if (
        not count
        or count > 9
        or (count == 1) != (words[1] in ("half", "third", "quarter", "fourth", "fifth", "sixth", "eighth"))
    ):
        return None
    return f"{count}/{_DENOMINATORS[words[1]]}"


def number_words_to_digits(s: str) -> str:
    """`s` with a leading run of number words written in digits, when the rest is a unit or noun of words only
    (`three apples` -> `3 apples`, `twenty-one` -> `21`); anything else unchanged.

    >>> number_words_to_digits("three apples"), number_words_to_digits("Twelve"), number_words_to_digits("one of them")
    ('3 apples', '12', 'one of them')
    """
    words = s.strip().split()
    if not words or len(words) > 8 or not all(re.fullmatch(r"[A-Za-z-]+\.?", w) for w in words):
        return s
    if words[0].lower() in ("negative", "minus") and len(words) > 1:  # `negative three` (thirteenth session)
        rest = number_words_to_digits(" ".join(words[1:]))
        return "-" + rest if rest[:1].isdigit() else s
    if (fraction := _word_fraction(words)) is not None:
        return fraction
    for cut in range(len(words), 0, -1):
        value = words_to_int(" ".join(words[:cut]).rstrip("."))
        if value is not None:
            rest = words[cut:]
            if rest and rest[0].lower() in {"of", "or", "and", "to", "times", "more", "less", "than"}:
                return s  # `one of them`, `two or three`, `three times`: not a number stated alone
            return " ".join([str(value), *rest])
    return s


_SCALE_AFTER = re.compile(r"[\s$]*(" + "|".join(SCALES) + r")s?(?![-\w])", re.IGNORECASE)  # not `hundred-dollar`


def with_scale_word(text: str, item: str) -> str:
    """`item` as the answer taken from prose `text`, keeping a scale word that follows it there (`4 dozen eggs`
    gives `4 dozen`, which the normaliser multiplies out); else `item`.

    >>> with_scale_word("about 2.3 million people", "2.3"), with_scale_word("4 eggs", "4")
    ('2.3 million', '4')
    """
    at = text.rfind(item)
    m = _SCALE_AFTER.match(text, at + len(item)) if at >= 0 else None
    return f"{item} {m.group(1)}" if m else item
