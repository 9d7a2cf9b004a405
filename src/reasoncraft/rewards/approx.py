"""An exact value followed by its approximation, `\\sqrt{2} \\approx 1.41`, against a gold written as a decimal.

Models state both: `\\boxed{2\\sqrt{2} \\approx 2.83}`. Against an exact gold (`2\\sqrt{2}`) Math-Verify already reads
the left side. Against a decimal gold (2.83, a question asking for a rounding) the left side is an exact value that
the decimal conventions do not take for 2.83 (fewer than 6 places), so the pair failed, while `2\\sqrt{2} = 2.83`
was read by its right side. Here the stated approximation answers a decimal gold when it is one: the left side, an
exact constant (no variable; `numeric`'s parser, no `eval`), rounds to the decimal: within half a unit of its last
place, so never a false statement (`\\sqrt{2} \\approx 1.52`, or `1.42`, keeps failing).
"""

from __future__ import annotations

import re

from .exact import plain_number
from .normalize import _strip_delimiters, normalize_answer
from .numeric import _GiveUp, _Parser

__all__ = ["stated_approximation"]

# `A \approx B` (or `≈`), one sign, B a written decimal
_STATEMENT = re.compile(r"(?P<exact>[^=<>≈]+?)\s*(?:\\approx(?![A-Za-z])|≈)\s*(?P<decimal>[-+]?\d*\.\d+)")


def _constant(text: str) -> complex | None:
    """The value of an exact constant (no variable), or None."""
    try:
        parser = _Parser(text)
        value = parser.expr()
    except (_GiveUp, ArithmeticError, ValueError, TypeError, RecursionError):
        return None
    return value if parser.done() and not parser.has_variable else None


def stated_approximation(gold: str, candidate: str) -> str:
    """`candidate`'s decimal when it is `A \\approx B` with A an exact constant that rounds to B and `gold` a decimal
    number; `candidate` unchanged otherwise.

    >>> stated_approximation("2.83", r"2\\sqrt{2} \\approx 2.83"), stated_approximation("2.84", r"2\\sqrt{2} ≈ 2.84")
    ('2.83', '2\\\\sqrt{2} ≈ 2.84')
    >>> stated_approximation(r"2\\sqrt{2}", r"2\\sqrt{2} \\approx 2.83")  # an exact gold: Math-Verify reads the left
    '2\\\\sqrt{2} \\\\approx 2.83'
    """
    if "\\approx" not in candidate and "≈" not in candidate:
        return candidate
    m = _STATEMENT.fullmatch(_strip_delimiters(candidate))
    gold_number = plain_number(normalize_answer(gold))
    if m is None or gold_number is None or not gold_number.decimal:
        return candidate
    value = _constant(m["exact"])
    places = len(m["decimal"].partition(".")[2])
    if value is None or abs(value.imag) > 1e-12 or abs(value.real - float(m["decimal"])) > 0.5000001 * 10.0**-places:
        return candidate
    return m["decimal"]
