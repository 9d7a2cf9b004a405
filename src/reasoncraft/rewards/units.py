"""Units after a number: the same unit in any spelling compares the numbers; different units are not equal.

The rest of the checker (`normalize_answer`, and Math-Verify with `units=True`) drops a unit written after a
number, so on their own `5 km/h` and `5 m/s`, `3 cm` and `3 m`, `90^\\circ` and `90` radians all read as the
same number. Here each side is read as a quantity, a value and a unit from a small table (`UNITS`: symbols,
words in singular and plural, `\\text{}`/`\\mbox{}` wrappers, `^\\circ`, `\\%`, a leading `\\$`), and a pair
whose BOTH sides carry a known unit is decided by `unit_verdict`:

- the same unit in any spelling (`5 m`, `5 meters`, `5\\text{ metres}`): the values are compared as usual
  (the checker goes on with the bare values);
- two units of one dimension (length, time, mass, money, volume, area, speed, ...): equal only when both
  values are plain numbers (read exactly with `fractions.Fraction`) and value x scale agree exactly
  (`5 km` = `5000 m`, `1 h` = `60 min`, `\\$0.50` = `50 cents`); a value that is not a plain number
  (`2\\sqrt{3} km` vs `2000\\sqrt{3} m`) is not converted and the pair is not equal;
- units of different dimensions (`5 kg` vs `5 m`, `90^\\circ` vs `90` radians, `50\\%` vs `50` cents): not equal.
  Degrees and radians are kept apart (their ratio is irrational); temperatures (an offset as well as a factor)
  are compared by `temperature` instead, before this table is read.

A unit on one side only, or a word not in the table (`12 apples`), is left to the rest of the checker: the
number decides, as before. Currencies other than the dollar (`€50`, `50€`, `£50`, `Rs. 50`, `EUR 50`) are each a
dimension of their own: no exchange rate, so `€50` is never `\\$50`. A one-letter unit glued to its number (`5m`)
is 5 times m, except against a quantity of that unit's dimension (`glued_like`: `3m` against `300 cm` is a length).
The micro prefix may be written `\\mu` (`{\\mu}m`, `\\mu m`). Nothing here evaluates its input or imports sympy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .exact import plain_number
from .memo import memoized
from .normalize import _DEGREE_SIGN, _strip_delimiters

__all__ = ["UNITS", "Quantity", "read_quantity", "unit_verdict"]

_F = Fraction
# one entry per unit: (spellings, scale in the base units, {base dimension: power})
_TABLE: tuple[tuple[tuple[str, ...], Fraction, dict[str, int]], ...] = (
    (("m", "meter", "meters", "metre", "metres"), _F(1), {"length": 1}),
    (("cm", "centimeter", "centimeters", "centimetre", "centimetres"), _F(1, 100), {"length": 1}),
    (("mm", "millimeter", "millimeters", "millimetre", "millimetres"), _F(1, 1000), {"length": 1}),
    (
        ("μm", "µm", "um", "micrometer", "micrometers", "micrometre", "micrometres", "micron", "microns"),
        _F(1, 10**6),
        {"length": 1},
    ),
    (("nm", "nanometer", "nanometers", "nanometre", "nanometres"), _F(1, 10**9), {"length": 1}),
    (("km", "kilometer", "kilometers", "kilometre", "kilometres"), _F(1000), {"length": 1}),
    (("in", "inch", "inches"), _F(254, 10000), {"length": 1}),
    (("ft", "foot", "feet"), _F(3048, 10000), {"length": 1}),
    (("yd", "yard", "yards"), _F(9144, 10000), {"length": 1}),
    (("mi", "mile", "miles"), _F(1609344, 1000), {"length": 1}),
    (("s", "sec", "secs", "second", "seconds"), _F(1), {"time": 1}),
    (("ms", "millisecond", "milliseconds"), _F(1, 1000), {"time": 1}),
    (("μs", "µs", "microsecond", "microseconds"), _F(1, 10**6), {"time": 1}),
    (("min", "mins", "minute", "minutes"), _F(60), {"time": 1}),
    (("h", "hr", "hrs", "hour", "hours"), _F(3600), {"time": 1}),
    (("day", "days"), _F(86400), {"time": 1}),
    (("week", "weeks"), _F(604800), {"time": 1}),
    (("g", "gram", "grams", "gramme", "grammes"), _F(1), {"mass": 1}),
    (("mg", "milligram", "milligrams"), _F(1, 1000), {"mass": 1}),
    (("kg", "kilogram", "kilograms", "kilo", "kilos"), _F(1000), {"mass": 1}),
    (("lb", "lbs", "pound", "pounds"), _F(45359237, 100000), {"mass": 1}),
    (("oz", "ounce", "ounces"), _F(45359237, 1600000), {"mass": 1}),
    (("L", "liter", "liters", "litre", "litres"), _F(1, 1000), {"length": 3}),
    (("mL", "ml", "milliliter", "milliliters", "millilitre", "millilitres"), _F(1, 10**6), {"length": 3}),
    (("$", "dollar", "dollars", "USD"), _F(1), {"money": 1}),
    (("¢", "cent", "cents"), _F(1, 100), {"money": 1}),
    # other currencies, each its own dimension (no exchange rates): `€50` is 50 euros, never 50 dollars
    (("€", "EUR", "euro", "euros"), _F(1), {"euro": 1}),
    (("£", "GBP"), _F(1), {"sterling": 1}),  # `pound`, `pounds` stay the mass above
    (("¥", "JPY", "yen"), _F(1), {"yen": 1}),
    (("₹", "INR", "Rs", "rupee", "rupees"), _F(1), {"rupee": 1}),
    (("CNY", "RMB", "yuan"), _F(1), {"yuan": 1}),
    (("°", "deg", "degree", "degrees"), _F(1), {"degree": 1}),
    (("rad", "rads", "radian", "radians"), _F(1), {"radian": 1}),
    (("%", "percent", "percentage", "pct"), _F(1), {"percent": 1}),
    (("mph",), _F(1609344, 3600000), {"length": 1, "time": -1}),
    (("kph", "kmh"), _F(1000, 3600), {"length": 1, "time": -1}),
)
UNITS: dict[str, tuple[Fraction, dict[str, int]]] = {
    spelling: (scale, dims) for spellings, scale, dims in _TABLE for spelling in spellings
}
_ONE_LETTER = {s for s in UNITS if len(s) == 1 and s.isalpha()}  # m, s, h, g, L: also names of variables

_WRAPPER = re.compile(r"\\(?:text|textrm|textnormal|textup|mbox|mathrm|operatorname|rm)\s*\{([^{}]*)\}")
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~")
_DEGREE = re.compile(_DEGREE_SIGN)
# a token of a unit expression: a word, a sign, an operator, a power
_UNIT_TOKEN = re.compile(r"\s*([A-Za-zμµ]+\.?|[°%$¢€£¥₹]|/|\\cdot|·|\*|\^\s*\{?\s*-?\d\s*\}?|[²³])")
# what a value may be made of once its commands are taken out: digits and arithmetic, no letters
_VALUE_COMMANDS = re.compile(r"\\(?:[dt]?frac|sqrt|pi|cdot|times)(?![A-Za-z])")
_VALUE_CHARS = re.compile(r"[-+]?[\d\s.,{}()/^*+-]*\d[\d\s.,{}()/^*+-]*")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_ASSIGNMENT = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?\s*=\s*(?!.*=)")
_MICRO = re.compile(r"\{?\\mu\}?\s*(?=[A-Za-z])")
_GLUED_SYMBOL = re.compile(r"(.*\d)([A-Za-zμµ]{1,2})")
_INLINE_MATH = re.compile(r"(?<!\\)\$([^$]*)(?<!\\)\$")
# a currency before its amount: `$12`, `€12`, `Rs. 12`, `USD 12` (a code needs a space or a full stop after it)
_MONEY_PREFIX = re.compile(r"^([-+]?)\s*([$€£¥₹]|(?:USD|EUR|GBP|JPY|INR|CNY|RMB|Rs)(?:\.|\s)|Rs\.)\s*(.+)$")
# every unit has a letter or one of these signs (`\circ`, `\text{cm}`, `\%`, `\$`): without one, no quantity
_MAY_HAVE_UNIT = re.compile(r"[^\W\d_]|[°%¢$€£¥₹]")
_WHITESPACE = re.compile(r"\s+")
_DANGLING_OPERATOR = re.compile(r"[-+*/^,(]\s*$")
_SIGNED_EXPONENT = re.compile(r"\^\s*\{?\s*[-+]")
_SIGN = re.compile(r"[-+]")
_LETTERS = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Quantity:
    value: str  # the number as written, unit taken away
    scale: Fraction  # the unit in base units (metre, second, gram, dollar, ...)
    dims: tuple[tuple[str, int], ...]  # the unit's dimension, e.g. (("length", 1), ("time", -1))


def _atom(word: str) -> tuple[Fraction, dict[str, int]] | None:
    word = word.rstrip(".") if word not in UNITS else word
    if word in UNITS:
        return UNITS[word]
    if len(word) > 3 and word.lower() in UNITS:  # Meters, HOURS; never M for m or MIN for min
        return UNITS[word.lower()]
    return None


def _parse_unit(text: str) -> tuple[Fraction, tuple[tuple[str, int], ...]] | None:
    """The scale and dimension of a unit expression (`km/h`, `cm^2`, `square feet`, `miles per hour`), or None."""
    tokens, pos = [], 0
    while pos < len(text):
        m = _UNIT_TOKEN.match(text, pos)
        if m is None:
            return None if text[pos:].strip() else _combine(tokens)
        tokens.append(m.group(1))
        pos = m.end()
    return _combine(tokens)


def _combine(tokens: list[str]) -> tuple[Fraction, tuple[tuple[str, int], ...]] | None:
    scale, dims = Fraction(1), {}
    divide, pending_power, last, seen = False, 1, None, 0
    for tok in tokens:
        low = tok.lower().rstrip(".")
        if tok == "/" or low == "per":
            if divide or last is None:
                return None
            divide = True
        elif tok in ("\\cdot", "·", "*"):
            if last is None:
                return None
        elif low in ("square", "sq", "cubic"):
            pending_power = 3 if low == "cubic" else 2
        elif tok.startswith("^") or tok in "²³":
            if last is None:
                return None
            power = {"²": 2, "³": 3}.get(tok) or int(re.sub(r"[^\d-]", "", tok))
            if power == 0:
                return None
            last_scale, last_dims, sign = last
            scale *= last_scale ** (sign * (power - 1))  # the atom already counted once
            for d, p in last_dims.items():
                dims[d] = dims.get(d, 0) + sign * p * (power - 1)
            last = None
        else:
            atom = _atom(tok)
            if atom is None:
                return None
            sign = -1 if divide else 1
            atom_scale, atom_dims = atom[0] ** pending_power, {d: p * pending_power for d, p in atom[1].items()}
            scale *= atom_scale**sign
            for d, p in atom_dims.items():
                dims[d] = dims.get(d, 0) + sign * p
            last, divide, pending_power, seen = (atom_scale, atom_dims, sign), False, 1, seen + 1
    if not seen or divide or pending_power != 1:
        return None
    return scale, tuple(sorted((d, p) for d, p in dims.items() if p))


def _prepare(s: str) -> str:
    s = _INLINE_MATH.sub(r"\1", _strip_delimiters(s))  # `$28$ %`: math delimiters inside, not dollars
    prev = None
    while prev != s:
        prev, s = s, _WRAPPER.sub(r" \1 ", s)
    s = s.replace("\\!", "")  # a negative thin space glues (`15,\\!000`); it never separates
    s = _SPACING.sub(" ", s).replace("\\%", "%").replace("\\$", "$")
    s = _DEGREE.sub(" ° ", s)
    s = _MICRO.sub("μ", s)  # `{\mu}m`, `\mu m`, `\mu\text{m}`: the micro prefix
    s = _ASSIGNMENT.sub("", s.strip())
    return _WHITESPACE.sub(" ", s).strip().rstrip(".").strip()


def _is_value(text: str) -> bool:
    """A number or a product of numbers (`12`, `1,000`, `2\\sqrt{3}`, `\\frac{1}{2}`, `2.5\\times10^{-3}`).
    Never a sum (`2 + 3 m` is 2 + 3m, not 5 m), a list (`3, 4 m`) or anything with a letter."""
    if not _VALUE_CHARS.fullmatch(_VALUE_COMMANDS.sub(" ", text)) or _DANGLING_OPERATOR.search(text):
        return False
    unsigned = _SIGNED_EXPONENT.sub("^", text.strip()).lstrip("+-")
    if _SIGN.search(unsigned):
        return False
    return "," not in text or bool(_THOUSANDS.fullmatch(_WHITESPACE.sub("", text)))


@memoized
def read_quantity(s: str) -> Quantity | None:
    """A value followed by a known unit (or `$` before it), else None.

    >>> q = read_quantity(r"12\\text{ cm}^2")
    >>> q.value, q.scale, q.dims
    ('12', Fraction(1, 10000), (('length', 2),))
    >>> read_quantity(r"\\$18.90").value, read_quantity("5 km/h").dims, read_quantity("€18.90").dims
    ('18.90', (('length', 1), ('time', -1)), (('euro', 1),))
    >>> read_quantity("5m"), read_quantity("12 apples"), read_quantity("x m"), read_quantity("5")
    (None, None, None, None)
    """
    if not s or len(s) > 200 or not _MAY_HAVE_UNIT.search(s):
        return None
    s = _prepare(s)
    m = _MONEY_PREFIX.match(s)
    if m and not _MONEY_PREFIX.match(m.group(3)) and _is_value(m.group(3)):
        scale, dims = UNITS[m.group(2).strip().rstrip(".")]
        return Quantity((m.group(1) + m.group(3)).strip(), scale, tuple(sorted(dims.items())))
    for start in (k for k in range(1, len(s)) if _unit_start(s, k)):
        value, unit = s[:start].strip(), s[start:]
        if not value or not _is_value(value):
            continue
        word = _LETTERS.match(unit)
        if word and word.group(0) in _ONE_LETTER and s[start - 1] != " ":
            continue  # `5m` is 5 times m; a one-letter unit needs a space (`5 m`, `5\text{ m}`)
        parsed = _parse_unit(unit)
        if parsed is not None:
            return Quantity(value, *parsed)
    return None


def glued_like(s: str, other: Quantity | None) -> Quantity | None:
    """`s` read with a unit symbol of one or two letters glued to its number (`1m`, `3s`, `5km`), only when `other`,
    the other side of the pair, is a quantity of that unit's dimension: `1m` against `100 cm` is a length. Alone,
    `5m` stays 5 times m and `5km` 5 times k times m.

    >>> glued_like("1m", read_quantity("100 cm")).value, glued_like("1m", read_quantity("100 s"))
    ('1', None)
    >>> glued_like("2km", read_quantity("2000 m")).value, glued_like("2kg", read_quantity("2000 m"))
    ('2', None)
    """
    m = _GLUED_SYMBOL.fullmatch(s.strip()) if other is not None and len(s) < 40 else None
    if m is None or m.group(2) not in UNITS:
        return None
    quantity = read_quantity(f"{m.group(1)} {m.group(2)}")
    return quantity if quantity is not None and quantity.dims == other.dims else None


def _unit_start(s: str, k: int) -> bool:
    ch, before = s[k], s[k - 1]
    if ch in "°%¢€£¥₹":
        return True
    return ch.isalpha() and not before.isalpha() and before != "\\"


def unit_verdict(gold: Quantity, candidate: Quantity) -> bool | None:
    """False for different units that are not the same quantity, True/False for plain numbers in units of
    one dimension (exact conversion), None for the same unit (then the values decide).

    >>> q = read_quantity
    >>> unit_verdict(q("5 km/h"), q("5 m/s")), unit_verdict(q("3 cm"), q("3 m")), unit_verdict(q("5 km"), q("5000 m"))
    (False, False, True)
    >>> unit_verdict(q("5 m"), q("5 meters")) is None, unit_verdict(q("90^\\\\circ"), q("90 radians"))
    (True, False)
    """
    if gold.dims != candidate.dims:
        return False
    if gold.scale == candidate.scale:
        return None
    g, c = plain_number(_compact(gold.value)), plain_number(_compact(candidate.value))
    if g is None or c is None:
        return False  # no conversion of a value that is not a plain number
    return g.value * gold.scale == c.value * candidate.scale


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
