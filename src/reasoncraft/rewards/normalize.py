"""Cheap, pure answer normalisation, exact number comparison and input caps.

These run in the calling process before anything reaches sympy: most answers are plain numbers or
strings that are identical after normalisation, and those are decided here in microseconds.
Nothing here evaluates its input; numbers are read with `fractions.Fraction` from strings that
were first matched by a strict regular expression.

- `normalize_answer(s)`: strip delimiters, spacing commands, `\\text{}` wrappers, units after a
  number, degrees, `\\dfrac`, a leading `x =`, a trailing full stop;
- `plain_number(s)`: the exact value of a plain number (`1,000`, `-0.5`, `1/2`, `\\frac{1}{2}`,
  `50\\%`), or None;
- `numbers_equal(gold, candidate)`: exact comparison, percent read either way, decimals compared
  to 6 places (as Math-Verify rounds floats);
- `cheap_verdict(gold, candidate)`: True / False when decided here, None when sympy is needed
  (it also asks `numeric.numeric_verdict`, which can only rule a pair out);
- `cap_violation(s)`: why an input is refused (too long, too deeply nested, an exponent tower,
  code-like text), or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .numeric import numeric_verdict

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_NESTING",
    "normalize_answer",
    "plain_number",
    "numbers_equal",
    "cheap_verdict",
    "cap_violation",
    "prepare_for_sympy",
]

MAX_ANSWER_CHARS = 1_000  # MATH-500's longest gold answer is ~70 characters
MAX_NESTING = 12  # brace/bracket depth; real answers stay under 6
MAX_DIGITS = 60  # longest digit run; a 1 MB integer would otherwise reach sympy
MAX_EXPONENT = 10_000  # largest integer literal allowed inside an exponent


# --- caps -----------------------------------------------------------------------------------

_CODE_LIKE = re.compile(r"__|\bimport\b|\blambda\b|\beval\s*\(|\bexec\s*\(|\bos\.system|\bsubprocess\b")


def _nesting_depth(s: str) -> int:
    depth = deepest = 0
    for ch in s:
        if ch in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "})]":
            depth = max(0, depth - 1)
    return deepest


def _exponent_spans(s: str) -> list[tuple[str, bool]]:
    """Each exponent's text (the `{...}` group or single token after `^` / `**`), and whether
    another power follows it directly (`2**2**2`, a tower written without braces)."""
    spans = []
    i = 0
    while i < len(s):
        if s[i] == "^" or s.startswith("**", i):
            j = i + (1 if s[i] == "^" else 2)
            while j < len(s) and s[j] == " ":
                j += 1
            if j < len(s) and s[j] == "{":
                depth, k = 0, j
                while k < len(s):
                    depth += (s[k] == "{") - (s[k] == "}")
                    if depth == 0:
                        break
                    k += 1
                text, end = s[j + 1 : k], k + 1
            else:
                m = re.match(r"-?\d+(?:\.\d+)?|\\?[A-Za-z]+|.", s[j:])
                text = m.group(0) if m else ""
                end = j + len(text)
            rest = s[end:].lstrip()
            spans.append((text, rest.startswith("^") or rest.startswith("**")))
            i = j
        else:
            i += 1
    return spans


def _power_depth(s: str, limit: int = 4) -> int:
    """How deeply powers nest in `s` (`x^2` is 1, `x^{y^2}` is 2), stopping at `limit`."""
    if limit == 0:
        return 0
    return max((1 + _power_depth(text, limit - 1) for text, _ in _exponent_spans(s)), default=0)


_NUMERIC_POWER = re.compile(r"(?:\d|[)}\]])\s*(?:\^|\*\*)")


def cap_violation(s: str) -> str | None:
    """Why `s` is refused before any parsing, or None when it is within the caps.

    >>> cap_violation(r"\\frac{1}{2}") is None
    True
    >>> cap_violation(r"10^{10^{10^{10}}}")
    'exponent tower'
    >>> cap_violation("__import__('os').system('ls')")
    'code-like text'
    """
    if len(s) > MAX_ANSWER_CHARS:
        return f"longer than {MAX_ANSWER_CHARS} characters"
    if _CODE_LIKE.search(s):
        return "code-like text"
    if _nesting_depth(s) > MAX_NESTING:
        return f"nested deeper than {MAX_NESTING}"
    if re.search(r"\d{%d,}" % (MAX_DIGITS + 1), s):
        return f"a number longer than {MAX_DIGITS} digits"
    if re.search(r"\d{4,}\s*!|\\(?:Gamma|factorial)", s):
        return "a large factorial"
    # towers: a number raised to a power inside an exponent (10^{10^{10}}) has more digits than
    # memory; symbolic ones (e^{-x^2}) are fine up to two levels
    if _power_depth(s) > 2:
        return "exponent tower"
    for exponent, chained in _exponent_spans(s):
        if chained or _NUMERIC_POWER.search(exponent):
            return "exponent tower"
        for literal in re.findall(r"\d+", exponent):
            if int(literal) > MAX_EXPONENT:
                return f"an exponent above {MAX_EXPONENT}"
    return None


# --- normalisation ---------------------------------------------------------------------------

_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~|\\displaystyle|\\limits|\\left\b|\\right\b|\\middle\b")
_DEGREES = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\degree\b|\\circ\b")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
# a number then words of two letters or more: "12 inches", "4 square units" (never "5 x": that is 5x)
_UNIT_WORDS = re.compile(r"^([-+]?[\d.,/]+|\\frac\{[^{}]*\}\{[^{}]*\})\s+([A-Za-z][A-Za-z.]+(?:\s+[A-Za-z.]{2,})*)(\^?\d)?$")
_NOT_UNITS = {"or", "and", "to", "not", "plus", "minus", "times", "over", "more", "less", "than", "at", "least", "most"}
_ASSIGNMENT = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?\s*=\s*(?!.*=)")
_CHOICE = re.compile(r"^\(?([A-E])\)?$")
_BASE_NUMBER = re.compile(r"([0-9A-Za-z]+)_\{?(\d+)\}?")
_MEMBERSHIP = re.compile(r"^[A-Za-z]\s*\\in\s*")


def _strip_delimiters(s: str) -> str:
    s = s.strip()
    changed = True
    while changed:
        changed = False
        if s.endswith(".") and not s[-2:-1].isdigit():  # a sentence's full stop after `$...$`
            s, changed = s[:-1].rstrip(), True
        for left, right in (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)")):
            if len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right):
                s = s[len(left) : len(s) - len(right)].strip()
                changed = True
        m = re.fullmatch(r"\\(?:boxed|fbox)\s*\{(.*)\}", s, re.DOTALL)
        if m and _balanced(m.group(1)):
            s, changed = m.group(1).strip(), True
    return s


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


def normalize_answer(s: str) -> str:
    """A canonical spelling for cheap equality; not meant for display or for sympy.

    >>> normalize_answer(r"$\\dfrac{1}{2}$.")
    '\\\\frac{1}{2}'
    >>> normalize_answer(r"x = 10\\text{ cm}")
    '10'
    >>> normalize_answer(r"30^\\circ"), normalize_answer(r"\\text{(B)}"), normalize_answer("1{,}000")
    ('30', 'B', '1,000')
    """
    s = _strip_delimiters(s)
    s = s.rstrip().rstrip(".").rstrip()
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\dbinom", "\\binom")
    s = s.replace("{,}", ",").replace("\\$", "")
    s = _SPACING.sub(" ", s)
    s = _DEGREES.sub("", s)
    # units written as text after a number: 10\text{ cm} -> 10
    s = re.sub(r"(?<=[\d}])\s*\\(?:text|mbox|mathrm)\s*\{\s*[A-Za-z][A-Za-z .]*\}\s*(\^?\d)?$", "", s)
    prev = None
    while prev != s:
        prev, s = s, _TEXT_CMD.sub(r"\1", s)
    s = s.strip()
    m = _UNIT_WORDS.match(s)
    if m and not {w.lower().strip(".") for w in m.group(2).split()} & _NOT_UNITS:
        s = m.group(1)
    m = _ASSIGNMENT.match(s)
    if m and not re.search(r"(?<![A-Za-z\\])%s(?![A-Za-z])" % re.escape(s[0]), s[m.end() :]):
        s = s[m.end() :]  # y = 2x+3 -> 2x+3, but x = 2x+3 is an equation and stays
    s = _MEMBERSHIP.sub("", s)
    # drop spaces, except one that ends a command before a letter (\pi r must not become \pir)
    s = re.sub(r"(\\[A-Za-z]+)\s+(?=[A-Za-z])", r"\1 ", s)
    s = re.sub(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])", "", s)
    s = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", s)
    s = s.rstrip(".")
    while len(s) >= 2 and s[0] == "{" and s[-1] == "}" and _balanced(s[1:-1]):
        s = s[1:-1]
    m = _CHOICE.match(s)
    if m:
        s = m.group(1)
    return s


# --- exact numbers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlainNumber:
    value: Fraction
    decimal: bool  # written with a decimal point
    percent: bool  # written with a % sign


_INT = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)")
_DEC = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?\.\d+|[-+]?\d+\.")
_SLASH = re.compile(r"([-+]?\d+)/(\d+)")
_SCI = re.compile(r"([-+]?\d+(?:\.\d+)?)(?:[eE]|\\times10\^\{?|\\cdot10\^\{?)([-+]?\d{1,3})\}?")
_FRAC = re.compile(r"([-+]?)\\frac\{([-+]?\d+)\}\{([-+]?\d+)\}")


def plain_number(s: str) -> PlainNumber | None:
    """The exact value of a normalised plain number, or None for anything else.

    >>> plain_number("1,000").value, plain_number("-0.5").value, plain_number(r"\\frac{3}{6}").value
    (Fraction(1000, 1), Fraction(-1, 2), Fraction(1, 2))
    >>> plain_number("1e5").value, plain_number(r"2.5\\times10^{3}").value
    (Fraction(100000, 1), Fraction(2500, 1))
    >>> plain_number(r"50\\%").percent, plain_number("x+1") is None, plain_number("1/0") is None
    (True, True, True)
    """
    if len(s) > 4 * MAX_DIGITS:  # Fraction() of a huge digit string is slow or refused
        return None
    percent = False
    if s.endswith("\\%") or s.endswith("%"):
        s, percent = s[:-2] if s.endswith("\\%") else s[:-1], True
    if _INT.fullmatch(s):
        return PlainNumber(Fraction(s.replace(",", "")), False, percent)
    if _DEC.fullmatch(s):
        return PlainNumber(Fraction(s.replace(",", "").rstrip(".") or "0"), True, percent)
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
    """Exact equality; a percentage may be read as p or p/100; decimals compare to 6 places.

    >>> numbers_equal(plain_number("1/3"), plain_number("0.333333"))
    True
    >>> numbers_equal(plain_number("1/3"), plain_number("0.33"))
    False
    >>> numbers_equal(plain_number(r"50\\%"), plain_number("0.5"))
    True
    """
    g_values = {gold.value} | ({gold.value / 100} if gold.percent else set())
    c_values = {candidate.value} | ({candidate.value / 100} if candidate.percent else set())
    if g_values & c_values:
        return True
    if gold.decimal or candidate.decimal:
        return bool({round(v, 6) for v in g_values} & {round(v, 6) for v in c_values})
    return False


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
    g_num, c_num = plain_number(g), plain_number(c)
    if g_num is not None and c_num is not None:
        return numbers_equal(g_num, c_num)
    g_base, c_base = _BASE_NUMBER.fullmatch(g), _BASE_NUMBER.fullmatch(c)
    if g_base and c_base and g_base.group(2) == c_base.group(2):  # 4343_6: digits in one base
        return g_base.group(1).lstrip("0") == c_base.group(1).lstrip("0")
    if _CHOICE.fullmatch(g) and _CHOICE.fullmatch(c):  # multiple-choice letters
        return g == c
    return numeric_verdict(g, c)


def prepare_for_sympy(s: str) -> str:
    """Light clean-up before Math-Verify: delimiters, `\\dfrac`, degrees, a trailing full stop.

    >>> prepare_for_sympy(r"$\\dfrac{\\pi}{4}$.")
    '\\\\frac{\\\\pi}{4}'
    """
    s = _strip_delimiters(s).rstrip().rstrip(".").rstrip()
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("{,}", ",")
    return _DEGREES.sub("", s).strip()
