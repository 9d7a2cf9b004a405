"""The one exact arithmetic parser: numbers, + - * / and parentheses, computed in rationals, never evaluated.

Model text is never handed to `eval`: a small recursive-descent parser accepts only numbers,
binary + - * / and parentheses (and, where a dialect allows it, unary minus and decimals), under
caps on length, digits and nesting, so a hostile string costs microseconds and runs nothing.

Two dialects use it, and each keeps exactly the texts it accepted before the parsers were merged:

- `STEP_CLAIMS` reads the sides of a worked step's claims ("12.5 + 7 = 19.5") for the rule-based
  step verifier (`scorers/rules.py`): decimals, unary minus, any Unicode whitespace and digits that
  `re`'s ``\\s`` and ``\\d`` match; at most 120 characters, 24 digits per number, nesting 16 deep.
- `COUNTDOWN` reads a Countdown answer (`rewards/countdown.py`): ASCII integers without leading
  zeros joined by binary operators only (no unary minus, no decimals), spaces, tabs and newlines
  between tokens; at most 1,000 characters and no nesting cap (nesting past Python's recursion
  limit is rejected by the caller).

Grammar: expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ;
factor := NUMBER | '(' expr ')' | '-' factor (unary minus, where allowed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["ArithmeticParseError", "Dialect", "Parsed", "STEP_CLAIMS", "COUNTDOWN", "parse_exact"]


class ArithmeticParseError(ValueError):
    """The text is not an expression of the dialect (division by zero raises ZeroDivisionError instead)."""


@dataclass(frozen=True)
class Dialect:
    """Which texts the parser accepts."""

    token: re.Pattern  # optional space, then a number (group 1) or one of + - * / ( ) (group 2)
    trailing_space: str | None  # characters stripped from the end first; None: any whitespace
    unary_minus: bool
    max_chars: int
    max_number_digits: int | None = None  # digits per number, the decimal point not counted
    max_depth: int | None = None  # parentheses and unary minus nested deeper fail


STEP_CLAIMS = Dialect(
    token=re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([-+*/()]))"),
    trailing_space=None,
    unary_minus=True,
    max_chars=120,
    max_number_digits=24,
    max_depth=16,
)
COUNTDOWN = Dialect(
    token=re.compile(r"[ \t\r\n]*(?:(0(?![0-9])|[1-9][0-9]*)|([-+*/()]))"),  # no leading zeros: "025" is not 25
    trailing_space=" \t\r\n",
    unary_minus=False,
    max_chars=1_000,
)


@dataclass(frozen=True)
class Parsed:
    """An expression's exact value, whether it holds a binary operator, and its numbers as written."""

    value: Fraction
    has_operator: bool
    numbers: tuple[str, ...]


def _tokens(text: str, dialect: Dialect) -> list[tuple[str, bool]]:
    """(token, is_number) pairs; an ArithmeticParseError at the first character that is no token."""
    tokens, pos = [], 0
    text = text.rstrip(dialect.trailing_space)
    while pos < len(text):
        m = dialect.token.match(text, pos)
        if not m:
            raise ArithmeticParseError(f"unexpected character at {pos}")
        number = m.group(1)
        if (
            number
            and dialect.max_number_digits is not None
            and len(number.replace(".", "")) > dialect.max_number_digits
        ):
            raise ArithmeticParseError("number too long")
        tokens.append((number, True) if number else (m.group(2), False))
        pos = m.end()
    return tokens


def parse_exact(text: str, dialect: Dialect) -> Parsed:
    """Parse `text` in `dialect`; ArithmeticParseError if it is not an expression, ZeroDivisionError on x / 0.

    >>> parse_exact("8 * (5 - 3)", STEP_CLAIMS)
    Parsed(value=Fraction(16, 1), has_operator=True, numbers=('8', '5', '3'))
    >>> parse_exact("-2.5", STEP_CLAIMS).value, parse_exact("(6 - 2) * 3 / 4", COUNTDOWN).value
    (Fraction(-5, 2), Fraction(3, 1))
    >>> parse_exact("-2 + 5", COUNTDOWN)
    Traceback (most recent call last):
    ...
    reasoncraft.math.arith.ArithmeticParseError: unexpected '-'
    """
    if len(text) > dialect.max_chars:
        raise ArithmeticParseError("expression too long")
    tokens = _tokens(text, dialect)
    if not tokens:
        raise ArithmeticParseError("empty expression")
    max_depth = dialect.max_depth
    pos = 0
    has_operator = False
    numbers: list[str] = []

    def peek() -> str | None:
        return tokens[pos][0] if pos < len(tokens) and not tokens[pos][1] else None

    # one Python frame per grammar level (expr -> term -> factor), as the callers' recursion guards assume
    def expr(depth: int) -> Fraction:
        nonlocal pos, has_operator
        value = term(depth)
        while peek() in ("+", "-"):
            op = tokens[pos][0]
            pos += 1
            has_operator = True
            right = term(depth)
            value = value + right if op == "+" else value - right
        return value

    def term(depth: int) -> Fraction:
        nonlocal pos, has_operator
        value = factor(depth)
        while peek() in ("*", "/"):
            op = tokens[pos][0]
            pos += 1
            has_operator = True
            right = factor(depth)
            if op == "*":
                value = value * right
            elif right == 0:
                raise ZeroDivisionError("division by zero")
            else:
                value = value / right
        return value

    def factor(depth: int) -> Fraction:
        nonlocal pos
        if max_depth is not None and depth > max_depth:
            raise ArithmeticParseError("nested too deeply")
        if pos >= len(tokens):
            raise ArithmeticParseError("expression ends early")
        token, is_number = tokens[pos]
        pos += 1
        if is_number:
            numbers.append(token)
            return Fraction(token)
        if token == "-" and dialect.unary_minus:
            return -factor(depth + 1)
        if token == "(":
            value = expr(depth + 1)
            if peek() != ")":
                raise ArithmeticParseError("unbalanced parenthesis")
            pos += 1
            return value
        raise ArithmeticParseError(f"unexpected {token!r}")

    value = expr(0)
    if pos != len(tokens):
        raise ArithmeticParseError("trailing tokens")
    return Parsed(value, has_operator, tuple(numbers))
