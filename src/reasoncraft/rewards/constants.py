"""Two exact constants compared to 50 digits: `constants_equal`, the one cheap rule that may say True for a
value that is not a plain number.

Both answers are evaluated by `numeric`'s parser (no `eval`), first in doubles as a screen, then in 50-digit
complex arithmetic (`mpmath`, sympy's own dependency): exact values must be equal, not close, and doubles cannot
tell `99999998/99999999` from `99999999/10^8`.

`rational_value` reads arithmetic on written numbers (`4 + 0.5 + 0.06`, `1234 + 56/100`) exactly, as a
`Fraction`: a decimal is the exact rational it spells, and Math-Verify adds decimals as floats (0.5 + 0.06 is not
14/25 there).
"""

from __future__ import annotations

import cmath
import re
from fractions import Fraction

from .memo import memoized
from .numeric import _FUNCS, _close, _GiveUp, _Parser, evaluate

__all__ = ["constants_equal", "rational_value"]


class _Precise:
    """50-digit complex arithmetic (mpmath), for telling two exact constants apart."""

    def __init__(self) -> None:
        import mpmath  # lazy: ~30 ms to import, needed only when two exact constants may be equal

        ctx = mpmath.MPContext()
        ctx.dps = 50
        self.ctx = ctx
        self.pi, self.e, self.inf, self.i = ctx.mpc(ctx.pi), ctx.mpc(ctx.e), ctx.mpc(ctx.inf), ctx.mpc(0, 1)
        self.funcs = {
            "\\sin": ctx.sin, "\\cos": ctx.cos, "\\tan": ctx.tan, "\\cot": ctx.cot, "\\sec": ctx.sec,
            "\\csc": ctx.csc, "\\arcsin": ctx.asin, "\\arccos": ctx.acos, "\\arctan": ctx.atan,
            "\\sinh": ctx.sinh, "\\cosh": ctx.cosh, "\\tanh": ctx.tanh, "\\ln": ctx.ln, "\\exp": ctx.exp,
            "\\arccot": lambda z: ctx.atan(1 / z), "\\arcsec": lambda z: ctx.acos(1 / z),
            "\\arccsc": lambda z: ctx.asin(1 / z), "\\arcsinh": ctx.asinh, "\\arccosh": ctx.acosh,
            "\\arctanh": ctx.atanh,
        }  # fmt: skip
        assert set(self.funcs) == set(_FUNCS)

    def number(self, token: str):
        return self.ctx.mpc(self.ctx.mpf(token))


_precise: _Precise | None = None


def _precise_value(text: str):
    """The value of an exact constant to 50 digits, or None."""
    global _precise
    if _precise is None:
        _precise = _Precise()
    try:
        parser = _Parser(text, _precise)
        value = parser.expr()
        return value if parser.done() and not parser.has_variable else None
    except (_GiveUp, ArithmeticError, ValueError, TypeError, RecursionError):
        return None


# what an exact constant may be written with besides digits and operators: commands and the letters e and i
_CONSTANT_WORDS = re.compile(
    r"\\(?:frac|sqrt|pi|left|right|cdot|times|" + "|".join(name[1:] for name in _FUNCS) + r")(?![A-Za-z])"
    r"|(?<![A-Za-z\\])[ei](?![A-Za-z])"
)


# a decimal exponent, braced or not: `(-4)^{0.5}`, `2^0.25`, `8^{-0.5}` (a decimal point stays only in a value)
_DECIMAL_EXPONENT = re.compile(r"\^\s*(?:\{\s*(-?)(\d*)\.(\d{1,6})\s*\}|(-?)(\d*)\.(\d{1,6})(?![\d.]))")


def _exact_exponent(m: re.Match) -> str:
    """`^{0.5}` as `^{\\frac{5}{10}}`: a decimal exponent is the exact rational it spells, not a rounding."""
    sign, whole, places = m.group(1, 2, 3) if m.group(3) is not None else m.group(4, 5, 6)
    return f"^{{{sign}\\frac{{{whole}{places}}}{{{10 ** len(places)}}}}}"


def constants_equal(gold: str, candidate: str) -> bool:
    """True when both answers are exact closed-form constants (no variable, no decimal point: digits,
    `\\frac`, `\\sqrt`, `\\pi`, `e`, `i` as the imaginary unit, functions, powers) whose principal values
    agree to 40 significant digits, evaluated to 50 (a double-precision screen first). Exact values must be
    equal, not close: `99999998/99999999` is not `99999999/10^8` though they agree to 16 digits. Decimals are
    left out (`\\pi` vs 3.14159265358979 is a rounding, not the value: `exact.numbers_equal` and Math-Verify
    decide those), and so are values over 1e6 or under 1e-6 in size; a decimal exponent is no rounding but the
    exact rational it spells, so `(-4)^{0.5}` is read as `(-4)^{\\frac{5}{10}}`, which is `2i`.

    >>> constants_equal("1+2i", "i(2-i)"), constants_equal("1+2i", "i(2+i)"), constants_equal("-1", r"e^{i\\pi}")
    (True, False, True)
    >>> constants_equal(r"\\pi", "3.14159265358979"), constants_equal("2x", "x+x")
    (False, False)
    >>> constants_equal("99999998/99999999", "99999999/10^8"), constants_equal(r"\\sqrt{8}", r"2\\sqrt{2}")
    (False, True)
    >>> constants_equal("2i", "(-4)^{0.5}"), constants_equal(r"\\sqrt[3]{2}", "2^{0.33}")  # an exponent is exact
    (True, False)
    """
    values = []
    if "^" in gold + candidate:  # `(-4)^{0.5}`: a decimal exponent, read exactly
        gold, candidate = (_DECIMAL_EXPONENT.sub(_exact_exponent, side) for side in (gold, candidate))
    for side in (gold, candidate):
        if "." in side or re.search(r"[A-Za-z]", _CONSTANT_WORDS.sub("", side)):
            return False
        value = evaluate(side)
        if value is None or cmath.isinf(value) or not 1e-6 <= abs(value) <= 1e6:
            return False
        values.append(value)
    if not _close(values[0], values[1], 1e-9):
        return False
    precise = [_precise_value(side) for side in (gold, candidate)]
    if precise[0] is None or precise[1] is None:
        return False
    difference, size = abs(precise[0] - precise[1]), max(1, abs(precise[0]), abs(precise[1]))
    return bool(difference <= size * _precise.ctx.mpf("1e-40"))


class _Rationals:
    """Exact rational arithmetic for `rational_value`: numbers only (its texts have no letter), so no constant or
    function is ever asked for; a power that leaves the rationals (a root, a fractional exponent) gives a float."""

    pi = e = inf = i = None
    funcs: dict = {}

    @staticmethod
    def number(token: str) -> Fraction:
        return Fraction(token)


# arithmetic on written numbers only: digits, decimal points, `+ - * / ^`, brackets, `\frac`, `\cdot`, `\times`,
# `\div` (no letter, comma, space or percent sign: `6 8`, `1,5`, `50\%` are read elsewhere)
_ARITHMETIC = re.compile(r"(?:[\d.+\-*/^(){}]|\\(?:frac|cdot|times|div)(?![A-Za-z]))+")


@memoized
def rational_value(text: str) -> Fraction | None:
    """The exact value of arithmetic on written numbers (normalised: no spaces), or None for anything else.

    >>> rational_value("4+0.5+0.06"), rational_value(r"1234+\\frac{56}{100}"), rational_value("2^{10}/4")
    (Fraction(114, 25), Fraction(30864, 25), Fraction(256, 1))
    >>> rational_value(r"\\sqrt{2}"), rational_value("4^{0.5}"), rational_value("x+1"), rational_value("1/0")
    (None, None, None, None)
    """
    if len(text) > 200 or not _ARITHMETIC.fullmatch(text):
        return None
    try:
        parser = _Parser(text, _Rationals)
        value = parser.expr()
    except (_GiveUp, ArithmeticError, ValueError, TypeError, RecursionError):
        return None
    return value if parser.done() and isinstance(value, Fraction) else None
