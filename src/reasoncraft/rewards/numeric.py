"""A small, safe numeric evaluator used to rule answers *out* without sympy.

Two answers whose values differ at the same point cannot be equal, so when both sides of a pair
evaluate here and differ by more than a relative 1e-6, the pair is decided False in microseconds.
This module never decides True (equal values at one point do not prove equality); those pairs go
on to Math-Verify. It is a recursive-descent parser over a fixed token set: it never calls `eval`,
and anything it does not understand (equations, unions, `\\log_b`, factorials, `|x|`) returns None.

Covered: numbers, `+ - * / ^`, implicit products (`2\\sqrt{5}`, `3R^2`, `(a+5)(b+2)`), `\\frac`,
`\\sqrt` and `\\sqrt[n]`, `\\pi`, `e`, `i`, `\\infty`, common functions, `\\pm` (two values); tuples and
intervals (ordered, bracket types compared), unions of separated intervals, bare lists and
`\\{...\\}` sets (unordered), and `pmatrix`/`bmatrix` matrices (element-wise). Letters other than `e`
and `i` are variables, each set to its own fixed value in (1.1, 2.1), so `2x+3` and `3x+2` are told apart.
A formula with variables whose principal value leaves the reals on the way (a power of a negative base, the
root or logarithm of a negative number: `((x-2)^3)^k` at x = 1.5) stands for no number here, since over the
reals it may still equal a form whose principal value differs (`(x-2)^{3k}`).

The parser also runs on other arithmetic: `constants` evaluates exact constants with it to 50 digits.
"""

from __future__ import annotations

import cmath
import math
import re

__all__ = ["evaluate", "numeric_verdict"]

_TOKEN = re.compile(r"\s*(\d+\.\d*|\.\d+|\d+|\\[A-Za-z]+|\\[{}]|[A-Za-z]|[-+*/^(){}\[\],_!|=<>&])")
_FUNCS = {
    "\\sin": cmath.sin,
    "\\cos": cmath.cos,
    "\\tan": cmath.tan,
    "\\cot": lambda z: 1 / cmath.tan(z),
    "\\sec": lambda z: 1 / cmath.cos(z),
    "\\csc": lambda z: 1 / cmath.sin(z),
    "\\arcsin": cmath.asin,
    "\\arccos": cmath.acos,
    "\\arctan": cmath.atan,
    "\\arccot": lambda z: cmath.atan(1 / z),  # sympy's acot, asec, acsc: atan(1/z), acos(1/z), asin(1/z)
    "\\arcsec": lambda z: cmath.acos(1 / z),
    "\\arccsc": lambda z: cmath.asin(1 / z),
    "\\arcsinh": cmath.asinh,
    "\\arccosh": cmath.acosh,
    "\\arctanh": cmath.atanh,
    "\\sinh": cmath.sinh,
    "\\cosh": cmath.cosh,
    "\\tanh": cmath.tanh,
    "\\ln": cmath.log,
    "\\exp": cmath.exp,
}
_TIMES = {"*", "\\cdot", "\\times"}
_MAX_MAGNITUDE = 1e100


class _GiveUp(Exception):
    pass


class _Doubles:
    """Complex doubles: the fast arithmetic of the ruling-out pre-check."""

    pi, e, inf, i = complex(math.pi), complex(math.e), complex(math.inf), 1j
    funcs = _FUNCS

    @staticmethod
    def number(token: str) -> complex:
        return complex(float(token))


def _principal(z: complex) -> complex:
    """`-(1+0j)` is `-1-0j`, and a power of it takes the branch below the cut: `(-1)^{1/3}` came out as
    the conjugate of its principal value. A zero imaginary part is made +0 so powers take principal values."""
    return complex(z.real, 0.0) if isinstance(z, complex) and z.imag == 0 else z


def _is_real(z) -> bool:
    return abs(z.imag) <= 1e-12 * max(1.0, abs(z))


def _variable_value(name: str) -> float:
    # distinct, irrational-looking values in (1.1, 2.1); the same letter always gets the same value
    return 1.1 + (ord(name) * 0.6180339887498949) % 1.0


class _Parser:
    def __init__(self, text: str, arithmetic=_Doubles):
        self.num = arithmetic
        self.has_variable = False
        self.left_reals = False  # a power or function of real arguments took a non-real value
        self.tokens = []
        pos = 0
        text = text.strip()
        if re.search(r"\d\s*\\frac", text):
            raise _GiveUp  # 2\frac{1}{3}: a mixed number to most writers, a product to a parser
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise _GiveUp
            self.tokens.append(m.group(1))
            pos = m.end()
        self.k = 0

    def peek(self) -> str | None:
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _GiveUp
        self.k += 1
        return token

    def done(self) -> bool:
        return self.k == len(self.tokens)

    # expr := term (('+'|'-') term)*
    def expr(self) -> complex:
        value = self.term()
        while self.peek() in ("+", "-"):
            sign = self.take()
            right = self.term()
            value = value + right if sign == "+" else value - right
        return value

    def term(self) -> complex:
        value = self.unary()
        divided = False
        while True:
            token = self.peek()
            if token in _TIMES:
                self.take()
                value = value * self.unary()
            elif token in ("/", "\\div"):
                self.take()
                value = value / self.unary()
                divided = True
            elif token is not None and self._starts_atom(token):
                if divided:
                    raise _GiveUp  # 1/2x: (1/2)x or 1/(2x)? readers disagree
                value = value * self.power()  # implicit product: 2\sqrt{5}, 3x, (a+1)(b+2)
            else:
                return value

    def unary(self) -> complex:
        if self.peek() == "-":
            self.take()
            return _principal(-self.unary())
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> complex:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            exponent = self.exponent()
            if abs(exponent) > 1000:
                raise _GiveUp
            base = self._step(_principal(base) ** exponent, base, exponent)
        if self.peek() == "!":
            raise _GiveUp
        return base

    def exponent(self) -> complex:
        token = self.peek()
        if token == "{":
            return self.group("{", "}")
        if token == "-":
            self.take()
            return -self.exponent()
        if token is not None and re.fullmatch(r"\d+", token):
            if len(token) > 1:
                raise _GiveUp  # x^23: LaTeX reads x^2 3, a writer may mean x^{23}
            self.take()
            return self.num.number(token)
        return self.atom()

    def group(self, left: str, right: str) -> complex:
        self.take(left)
        value = self.expr()
        self.take(right)
        return value

    def _starts_atom(self, token: str) -> bool:
        return (
            token in ("(", "{", "\\pi", "\\frac", "\\sqrt", "\\infty")
            or token in _FUNCS
            or re.fullmatch(r"[A-Za-z]|\d.*|\.\d+", token) is not None
        )

    def atom(self) -> complex:
        token = self.peek()
        if token is None:
            raise _GiveUp
        if token == "(":
            return self.group("(", ")")
        if token == "{":
            return self.group("{", "}")
        if re.fullmatch(r"\d+\.\d*|\.\d+|\d+", token):
            self.take()
            return self.num.number(token)
        if token == "\\pi":
            self.take()
            return self.num.pi
        if token == "\\infty":
            self.take()
            return self.num.inf
        if token == "\\frac":
            self.take()
            if self.peek() == "{":
                numerator = self.group("{", "}")
            else:
                numerator = self._single_digit()
            if self.peek() == "{":
                denominator = self.group("{", "}")
            else:
                denominator = self._single_digit()
            return numerator / denominator
        if token == "\\sqrt":
            self.take()
            index = 2
            if self.peek() == "[":
                self.take()
                index = self.expr()
                self.take("]")
            radicand = self.group("{", "}") if self.peek() == "{" else self.atom()
            return self._step(_principal(radicand) ** (1 / index), radicand, index)
        if token in _FUNCS:
            self.take()
            func = self.num.funcs[token]
            exponent = None
            if self.peek() == "^":
                self.take()
                exponent = self.exponent()
            braced = self.peek() in ("(", "{")
            # `\sin(x)^2` is (sin x)^2, as Math-Verify's parser and plain text read it: a bracketed argument ends
            # at its bracket, and the power after it is the caller's
            argument = self.atom() if braced else self.power()
            value = self._step(func(argument), argument)
            if not braced and self.peek() is not None and self._starts_atom(self.peek()):
                raise _GiveUp  # \sin 2x: sin(2x) to a reader, sin(2)*x to a parser
            return value**exponent if exponent is not None else value
        if re.fullmatch(r"[A-Za-z]", token):
            self.take()
            if self.peek() == "_":
                raise _GiveUp  # a subscript: an indexed name or a number base
            if token == "e":
                return self.num.e
            if token == "i":
                return self.num.i
            self.has_variable = True
            return self.num.number(repr(_variable_value(token)))
        raise _GiveUp

    def _single_digit(self) -> complex:
        token = self.take()
        if not re.fullmatch(r"\d+", token):
            raise _GiveUp
        self.tokens[self.k - 1 : self.k] = [token[0]] + ([token[1:]] if len(token) > 1 else [])
        return self.num.number(token[0])

    def _step(self, value, *arguments):
        """`value`, a power or function of `arguments`, noting when real arguments gave a non-real value."""
        if not self.left_reals and all(_is_real(a) for a in arguments) and not _is_real(value):
            self.left_reals = True
        return value


def evaluate(text: str) -> complex | None:
    """The value of a scalar expression, or None when it is outside what this module understands.

    >>> evaluate(r"2\\sqrt{5}+\\frac{1}{2}").real  # doctest: +ELLIPSIS
    4.972...
    >>> evaluate(r"x^2 = 1") is None, evaluate("__import__('os')") is None
    (True, True)
    """
    try:
        parser = _Parser(text)
        value = parser.expr()
        if not parser.done():
            return None
    except (_GiveUp, ArithmeticError, ValueError, TypeError, RecursionError):
        return None
    if cmath.isnan(value) or (not cmath.isinf(value) and abs(value) > _MAX_MAGNITUDE):
        return None
    if parser.has_variable and parser.left_reals:
        return None  # over the reals this formula may equal one whose principal value differs (module docstring)
    return value


# --- structures ------------------------------------------------------------------------------


def matching_paren(s: str, open_index: int) -> int | None:
    """The index of the `)` closing the `(` at `s[open_index]`, or None when it never closes."""
    depth = 0
    for i in range(open_index, len(s)):
        depth += (s[i] == "(") - (s[i] == ")")
        if depth == 0:
            return i
    return None


def _split_top(text: str, sep: str) -> list[str]:
    if sep not in text:  # nothing to split: skip the character-by-character scan of a long answer
        return [text]
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("\\{", i) or text.startswith("\\}", i):
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _values(text: str) -> list[complex] | None:
    """One value, or two for `a \\pm b`."""
    if "\\pm" in text or "\\mp" in text:
        parts = re.split(r"\\pm|\\mp", text)
        if len(parts) != 2 or not parts[1]:
            return None
        right = evaluate(parts[1])
        left = evaluate(parts[0]) if parts[0] else 0j
        return None if left is None or right is None else [left + right, left - right]
    value = evaluate(text)
    return None if value is None else [value]


def _union(text: str):
    """("union", pieces) for a union of real intervals written in increasing order with gaps
    between them, the one spelling such a set has; None otherwise (touching or overlapping pieces
    have several spellings: (0,1]U(1,2) is (0,2))."""
    pieces = []
    for part in _split_top(text, "\\cup"):
        piece = _structure(part)
        if piece is None or piece[0] != "ordered" or len(piece[2]) != 2:
            return None
        lo, hi = piece[2]
        if lo.imag or hi.imag or not lo.real < hi.real:
            return None
        pieces.append((piece[1], lo.real, hi.real))
    for (b1, _, hi), (b2, lo, _) in zip(pieces, pieces[1:]):
        if hi > lo or (hi == lo and not (b1[1] == ")" and b2[0] == "(")):
            return None
    return ("union", pieces)


def _structure(text: str):
    """("matrix", rows) / ("ordered", brackets, items) / ("set" | "braced_set", values) /
    ("union", pieces) / ("scalar", value) / None."""
    if "\\cup" in text and not re.search(r"\\cap|\\setminus|\\\{", text):
        return _union(text) if len(_split_top(text, "\\cup")) > 1 else None
    if re.search(r"=|<|>|\\le|\\ge|\\neq|\\cup|\\cap|\\setminus|\\text|\\in\b|\|", text):
        return None
    m = re.fullmatch(r"\\begin\{[pbv]?matrix\}(.*)\\end\{[pbv]?matrix\}", text)
    if m:
        rows = []
        for row in m.group(1).split("\\\\"):
            cells = [evaluate(cell) for cell in row.split("&")]
            if any(c is None for c in cells):
                return None
            rows.append(cells)
        return ("matrix", rows)
    if text.startswith("\\{") and text.endswith("\\}"):
        items = _split_top(text[2:-2], ",")
        got = _as_set(items)
        return None if got is None else ("braced_set", got[1])
    if len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        items = _split_top(text[1:-1], ",")
        if len(items) >= 2 and len(_split_top(text, ",")) == 1:  # one bracket pair around the whole
            values = [evaluate(item) for item in items]
            if any(v is None for v in values):
                return None
            return ("ordered", text[0] + text[-1], values)
    items = _split_top(text, ",")
    if len(items) >= 2:
        return _as_set(items)
    values = _values(text)
    if values is None:
        return None
    return ("set", values) if len(values) > 1 else ("scalar", values[0])


def _as_set(items: list[str]):
    values = []
    for item in items:
        got = _values(item)
        if got is None:
            return None
        values.extend(got)
    return ("set", values)


def _close(a: complex, b: complex, rel: float) -> bool:
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _clearly_different(a: complex, b: complex) -> bool:
    return not _close(a, b, 1e-6)


_D = r"(?:\\mathrm\s*\{\s*d\s*\}|d)"
_DERIVATIVE = re.compile(rf"\\frac\s*\{{\s*{_D}\s*\}}\s*\{{\s*{_D}\s*[A-Za-z]")


def numeric_verdict(gold: str, candidate: str) -> bool | None:
    """False when both normalised answers evaluate and clearly differ; otherwise None (undecided).

    >>> numeric_verdict(r"70\\sqrt{2}", r"80\\sqrt{2}"), numeric_verdict("-13x+3", "-23x+3")
    (False, False)
    >>> numeric_verdict("(2,5)", "[2,5)"), numeric_verdict(r"3\\pm2\\sqrt{2}", r"4\\pm2\\sqrt{2}")
    (False, False)
    >>> numeric_verdict(r"(0,9)\\cup(9,36)", r"(7,9)\\cup(9,36)")
    False
    >>> numeric_verdict(r"\\sqrt{8}", r"2\\sqrt{2}") is None  # equal here: Math-Verify decides
    True
    """
    if "\\frac" in gold + candidate and _DERIVATIVE.search(gold + candidate):
        return None  # `\\frac{d}{dx} x^2` is no quotient of products (the worker works it out)
    g, c = _structure(gold), _structure(candidate)
    if g is None or c is None:
        return None
    if g[0] == "scalar" and c[0] == "scalar":
        return False if _clearly_different(g[1], c[1]) else None
    if g[0] == "ordered" and c[0] == "ordered":
        if g[1] != c[1] or len(g[2]) != len(c[2]):
            return False
        return False if any(_clearly_different(a, b) for a, b in zip(g[2], c[2])) else None
    if g[0] == "union" and c[0] == "union":
        if len(g[1]) != len(c[1]):
            return None  # could still be one set written with more pieces
        for (gb, glo, ghi), (cb, clo, chi) in zip(g[1], c[1]):
            if gb != cb or _clearly_different(glo, clo) or _clearly_different(ghi, chi):
                return False
        return None
    if g[0] == "matrix" and c[0] == "matrix":
        if [len(r) for r in g[1]] != [len(r) for r in c[1]]:
            return False
        pairs = zip((x for r in g[1] for x in r), (x for r in c[1] for x in r))
        return False if any(_clearly_different(a, b) for a, b in pairs) else None
    if {g[0], c[0]} == {"ordered", "braced_set"}:
        return False  # a point or an interval is not a set of numbers: (1,2) vs {1,2}
    sets = ("set", "braced_set", "scalar")
    if g[0] in sets and c[0] in sets:
        gv = [g[1]] if g[0] == "scalar" else g[1]
        cv = [c[1]] if c[0] == "scalar" else c[1]
        unmatched = any(all(_clearly_different(a, b) for b in cv) for a in gv) or any(
            all(_clearly_different(a, b) for b in gv) for a in cv
        )
        return False if unmatched else None
    return None
