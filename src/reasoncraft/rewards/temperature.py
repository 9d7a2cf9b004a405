"""Temperatures in kelvin, Celsius and Fahrenheit: the same temperature on another scale is the same answer.

`units` converts units of one dimension by a factor (`5 km` = `5000 m`); temperature scales differ by an offset
as well, so they were left out of its table and `0 K` against `-459.67 °F` read as two numbers, 0 and -459.67.
`temperature_verdict` reads both sides as temperatures and compares them in kelvin, exactly
(`fractions.Fraction`: K = °C + 273.15, °C = (°F - 32) * 5/9):

- `0\\degree\\text{K}`, `0 K`, `0 kelvin`, `-273.15^\\circ C`, `-273.15 °C`, `-459.67\\,^{\\circ}\\mathrm{F}`,
  `-459.67 degrees Fahrenheit` are one temperature;
- `0 K` against `0 °C`, or `100 °C` against `100 °F`: not equal (another temperature);
- only when BOTH sides are temperatures with plain-number values; anything else is left to the rest of the
  checker. `K` needs a space or a degree sign before it (`5K` may be five thousand); `C` and `F` need a degree
  sign or the word (`5 C`, `3 F` may be coulombs, farads or a name).

The values are temperatures, not differences of temperature (a rise of 10 K is a rise of 10 °C, not of
-263.15 °C): an answer that is a difference is compared by its numbers only when both sides use one scale.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .exact import plain_number
from .normalize import _DEGREE_SIGN, _strip_delimiters

__all__ = ["read_temperature", "temperature_verdict"]

_WRAPPER = re.compile(r"\\(?:text|textrm|mathrm|mbox|rm|operatorname)\s*\{\s*([^{}]*?)\s*\}")
_SPACING = re.compile(r"\\[,;:! ]|~")
_SCALE = {
    "k": "K",
    "kelvin": "K",
    "kelvins": "K",
    "c": "C",
    "celsius": "C",
    "centigrade": "C",
    "f": "F",
    "fahrenheit": "F",
}
_TEMPERATURE = re.compile(
    rf"(?P<value>[-+]?\s*[\d.,]+)\s*(?P<degree>(?:{_DEGREE_SIGN}|degrees?\b|deg\b)\s*)?(?P<scale>[A-Za-z]+)\.?",
    re.IGNORECASE,
)
_CELSIUS_SIGN = {"\u2103": " °C", "\u2109": " °F", "\u212a": " K"}  # signs of their own: ℃, ℉, the kelvin sign
_ZERO_CELSIUS = Fraction(27315, 100)


def read_temperature(answer: str) -> Fraction | None:
    """The temperature in kelvin that `answer` states, or None when it is not one temperature.

    >>> read_temperature(r"0\\degree\\text{K}"), read_temperature("-40 °F") == read_temperature(r"-40^\\circ C")
    (Fraction(0, 1), True)
    >>> read_temperature("5K") is None, read_temperature(r"90^\\circ") is None, read_temperature("x K") is None
    (True, True, True)
    """
    if len(answer) > 80:
        return None
    s = _strip_delimiters(answer)
    for sign, spelled in _CELSIUS_SIGN.items():
        s = s.replace(sign, spelled)
    s = _SPACING.sub(" ", _WRAPPER.sub(r" \1 ", s)).strip()
    m = _TEMPERATURE.fullmatch(s)
    if m is None or (scale := _SCALE.get(m["scale"].lower())) is None:
        return None
    if len(m["scale"]) == 1 and not m["degree"] and not s[m.start("scale") - 1].isspace():
        return None  # `5K`, `3F`: a scale letter glued to its number is no temperature
    if len(m["scale"]) == 1 and scale != "K" and not m["degree"]:
        return None  # `5 C`, `3 F` may be coulombs, farads or a name: `°C`, `°F` or the word say a scale
    value = plain_number(re.sub(r"\s+", "", m["value"]))
    if value is None or value.percent:
        return None
    if scale == "K":
        return value.value
    celsius = value.value if scale == "C" else (value.value - 32) * Fraction(5, 9)
    return celsius + _ZERO_CELSIUS


def temperature_verdict(gold: str, candidate: str) -> bool | None:
    """True / False when both sides are temperatures (compared in kelvin), else None.

    >>> temperature_verdict(r"0\\degree\\text{K}", r"-459.67\\degree\\text{F}"), temperature_verdict("0 K", "0 °C")
    (True, False)
    >>> temperature_verdict("273.15 K", r"0^\\circ C"), temperature_verdict("10 K", "10")
    (True, None)
    """
    g, c = read_temperature(gold), read_temperature(candidate)
    if g is None or c is None:
        return None
    return g == c
