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

from .numeric import _split_top, numeric_verdict

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_NESTING",
    "normalize_answer",
    "plain_number",
    "numbers_equal",
    "cheap_verdict",
    "cap_violation",
    "prepare_for_sympy",
    "plain_to_latex",
    "inequality_as_interval",
    "canonical_pair",
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
    if re.search(rf"\d{{{MAX_DIGITS + 1},}}", s):
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


# --- plain-text math -> LaTeX ----------------------------------------------------------------

_PLAIN_CONSTANTS = re.compile(r"(?<![\\A-Za-z])(pi|infinity|inf)(?![A-Za-z])")
_PLAIN_FUNCS = re.compile(
    r"(?<![\\A-Za-z])(sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|ln|log|exp)(?=\s*\()"
)
_PLAIN_RELATIONS = (
    ("<=", "\\le "),
    (">=", "\\ge "),
    ("=<", "\\le "),
    ("=>", "\\ge "),
    ("!=", "\\ne "),
    ("≤", "\\le "),
    ("≥", "\\ge "),
)


def _matching_paren(s: str, open_index: int) -> int | None:
    depth = 0
    for i in range(open_index, len(s)):
        depth += (s[i] == "(") - (s[i] == ")")
        if depth == 0:
            return i
    return None


def _parens_to_braces_after(s: str, pattern: str, replacement: str) -> str:
    """`sqrt(x+1)` -> `\\sqrt{x+1}`, `^(n+1)` -> `^{n+1}`: the parenthesised argument becomes a
    braced group (innermost first, so nested calls work); an unbalanced one is left alone."""
    out, i = [], 0
    regex = re.compile(pattern)
    while (m := regex.search(s, i)) is not None:
        close = _matching_paren(s, m.end() - 1)
        if close is None:
            break
        inner = _parens_to_braces_after(s[m.end() : close], pattern, replacement)
        out.append(s[i : m.start()] + replacement + "{" + inner + "}")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def plain_to_latex(s: str) -> str:
    """Rewrite plain-text math as models and datasets write it into the LaTeX spelling, by string
    rules only (nothing is evaluated): `sqrt(...)`, `pi`, `inf`, `sin(...)`, `**`, `^(...)`, `*`
    before a letter or bracket (an implicit product), `<=`/`>=`/`!=`.

    >>> plain_to_latex("2*sqrt(3)/pi"), plain_to_latex("(3, pi/2)"), plain_to_latex("x**(n+1) >= 2")
    ('2\\\\sqrt{3}/\\\\pi', '(3, \\\\pi/2)', 'x^{n+1} \\\\ge  2')
    >>> plain_to_latex(r"\\sqrt{2}+\\pi")  # LaTeX is left as it is
    '\\\\sqrt{2}+\\\\pi'
    """
    if not re.search(r"[A-Za-z*^<>=!≤≥]", s):
        return s
    s = s.replace("**", "^")
    s = _parens_to_braces_after(s, r"(?<![\\A-Za-z])sqrt\s*\(", "\\sqrt")
    s = re.sub(r"(?<![\\A-Za-z])sqrt(?=\s*[{\d])", r"\\sqrt", s)
    s = _parens_to_braces_after(s, r"\^\s*\(", "^")
    s = _PLAIN_FUNCS.sub(r"\\\1", s)
    s = _PLAIN_CONSTANTS.sub(lambda m: "\\pi " if m.group(1) == "pi" else "\\infty ", s)
    for plain, latex in _PLAIN_RELATIONS:
        s = s.replace(plain, latex)
    s = re.sub(r"(?<=[\w)}])\s*\*\s*(?=[A-Za-z\\(])", "", s)  # 2*\pi -> 2\pi, 2*(x+1) -> 2(x+1)
    s = s.replace("*", "\\cdot ")
    return re.sub(r"\\(pi|infty) (?=$|[^A-Za-z])", r"\\\1", s).strip()


# --- relations written as intervals ------------------------------------------------------------

_LESS = r"(?:<|\\lt\b|\\leq?\b|\\leqslant\b)"
_GREATER = r"(?:>|\\gt\b|\\geq?\b|\\geqslant\b)"
_VARIABLE = r"(?:[A-Za-z](?:_\{?\w+\}?)?(?:\([A-Za-z]\))?)"
_BOUND = r"(?:[^<>=\\]|\\(?!(?:lt|gt|le|ge)\b)[A-Za-z]+(?![A-Za-z])|\\[{}])+?"  # a command is one token
_CHAIN = re.compile(rf"^\s*({_BOUND})\s*({_LESS})\s*{_VARIABLE}\s*({_LESS})\s*({_BOUND})\s*$")
_CHAIN_DOWN = re.compile(rf"^\s*({_BOUND})\s*({_GREATER})\s*{_VARIABLE}\s*({_GREATER})\s*({_BOUND})\s*$")
_ONE_SIDED = re.compile(rf"^\s*{_VARIABLE}\s*({_LESS}|{_GREATER})\s*({_BOUND})\s*$")
_ONE_SIDED_BOUND_FIRST = re.compile(rf"^\s*({_BOUND})\s*({_LESS}|{_GREATER})\s*{_VARIABLE}\s*$")


def _strict(op: str) -> bool:
    return op in ("<", ">", "\\lt", "\\gt")


def _interval(lo: str, hi: str, open_lo: bool, open_hi: bool) -> str:
    return ("(" if open_lo else "[") + f"{lo.strip()},{hi.strip()}" + (")" if open_hi else "]")


def inequality_as_interval(s: str) -> str | None:
    """The interval a one-variable inequality describes, or None when `s` is not one.

    >>> inequality_as_interval(r"-2 \\le x \\le 7"), inequality_as_interval(r"0<f(x)<1")
    ('[-2,7]', '(0,1)')
    >>> inequality_as_interval("x > 5")
    '(5,\\\\infty)'
    >>> inequality_as_interval("x + y < 3") is None, inequality_as_interval("x = 3") is None
    (True, True)
    """
    if not re.search(r"[<>]|\\[lg]", s):
        return None
    s = re.sub(r"\\\\(?=[lg])", "\\\\", s.strip())  # `\\le` typed with a doubled backslash
    m = _CHAIN.match(s)
    if m:
        lo, op1, op2, hi = m.groups()
        return _interval(lo, hi, _strict(op1.strip()), _strict(op2.strip()))
    m = _CHAIN_DOWN.match(s)
    if m:
        hi, op1, op2, lo = m.groups()
        return _interval(lo, hi, _strict(op2.strip()), _strict(op1.strip()))
    m = _ONE_SIDED.match(s)
    flipped = None if m else _ONE_SIDED_BOUND_FIRST.match(s)
    if flipped:  # 5 \le x is x \ge 5
        bound, op = flipped.group(1).strip(), flipped.group(2).strip()
        mirror = {
            "<": ">",
            ">": "<",
            "\\lt": "\\gt",
            "\\gt": "\\lt",
            "\\le": "\\ge",
            "\\ge": "\\le",
            "\\leq": "\\geq",
            "\\geq": "\\leq",
            "\\leqslant": "\\geqslant",
            "\\geqslant": "\\leqslant",
        }
        m, op = True, mirror[op]
    elif m:
        op, bound = m.group(1).strip(), m.group(2).strip()
    if m:
        if re.match(_LESS, op):
            return f"(-\\infty,{bound}" + (")" if _strict(op) else "]")
        return ("(" if _strict(op) else "[") + f"{bound},\\infty)"
    return None


def canonical_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Both answers with plain-text math in LaTeX spelling, and a gold inequality as the interval
    it describes. A candidate inequality becomes an interval only when the gold is a relation too:
    an interval asked for must be given as one (Math-Verify's default,
    `allow_set_relation_comp=False`).

    >>> canonical_pair(r"-2 \\le x \\le 7", "[-2, 7]"), canonical_pair("[-2, 7]", r"-2 \\le x \\le 7")
    (('[-2,7]', '[-2, 7]'), ('[-2, 7]', '-2 \\\\le x \\\\le 7'))
    """
    if len(gold) > MAX_ANSWER_CHARS or len(candidate) > MAX_ANSWER_CHARS:
        return gold, candidate  # over the caps: refused elsewhere, not worth rewriting
    g, c = plain_to_latex(_strip_delimiters(gold)), plain_to_latex(_strip_delimiters(candidate))
    g_interval = inequality_as_interval(g)
    if g_interval is not None:
        c_interval = inequality_as_interval(c)
        return g_interval, c_interval if c_interval is not None else c
    return g, c


# --- normalisation ---------------------------------------------------------------------------

_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~|\\displaystyle|\\limits|\\left\b|\\right\b|\\middle\b")
_DEGREES = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\degree\b|\\circ\b")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
# a number then words of two letters or more: "12 inches", "4 square units" (never "5 x": that is 5x)
_UNIT_WORDS = re.compile(
    r"^([-+]?[\d.,/]+|\\frac\{[^{}]*\}\{[^{}]*\})\s+([A-Za-z][A-Za-z.]+(?:\s+[A-Za-z.]{2,})*)(\^?\d)?$"
)
_NOT_UNITS = {"or", "and", "to", "not", "plus", "minus", "times", "over", "more", "less", "than", "at", "least", "most"}
_ASSIGNMENT = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?\s*=\s*(?!.*=)")
_CHOICE = re.compile(r"^\(?([A-E])\)?$")
_BASE_NUMBER = re.compile(r"([0-9A-Za-z]+)_\{?(\d+)\}?")
_MEMBERSHIP = re.compile(r"^[A-Za-z]\s*\\in\s*")


_ORDINAL = re.compile(r"^([-+]?\d+)\s*(?:st|nd|rd|th)$")
_THOUSANDS_SPACED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
_JOINING_WORD = re.compile(r"\s*,?\s*\b(?:and|or)\b\s*")
_ITEM_ASSIGNMENT = re.compile(r"^([A-Za-z])(?:_\{?\w+\}?)?(?:\([A-Za-z]\))?=(?!.*=)")


def _words_as_commas(s: str) -> str:
    """Answers joined by words become a comma list: `6 and 8` -> `6,8`, `x=1 or x=2` -> `x=1,x=2`
    (both parts must be non-empty; "3 or 5" against a single gold answer stays wrong as a list)."""
    parts = _JOINING_WORD.split(s)
    if len(parts) < 2 or any(not p.strip() or re.fullmatch(r"[A-Za-z]{2,}(?: [A-Za-z]+)*", p.strip()) for p in parts):
        return s  # "5 or more", "even and odd": words, not a list of answers
    return ",".join(p.strip() for p in parts)


def _strip_item_assignments(s: str) -> str:
    """`x=1,x=2` -> `1,2`, `x_1=3,x_2=4` -> `3,4`: the same name assigned in every item of a list."""
    items = _split_top(s, ",")
    if len(items) < 2:
        return s
    names = [_ITEM_ASSIGNMENT.match(item) for item in items]
    if not all(names) or len({m.group(1) for m in names}) != 1:
        return s
    return ",".join(item[m.end() :] for item, m in zip(items, names))


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
    s = re.sub(r"\\(?:text|mbox|mathrm)\s*\{\s*(and|or)\s*\}", r" \1 ", s)  # 6 \text{ and } 8: not a unit
    # units written as text after a number: 10\text{ cm} -> 10
    s = re.sub(r"(?<=[\d}])\s*\\(?:text|mbox|mathrm)\s*\{\s*[A-Za-z][A-Za-z .]*\}\s*(\^?\d)?$", "", s)
    prev = None
    while prev != s:
        prev, s = s, _TEXT_CMD.sub(r"\1", s)
    s = s.strip()
    s = _ORDINAL.sub(r"\1", s)
    m = _UNIT_WORDS.match(s)
    if m and not {w.lower().strip(".") for w in m.group(2).split()} & _NOT_UNITS:
        s = m.group(1)
    m = _ASSIGNMENT.match(s)
    if m and not re.search(rf"(?<![A-Za-z\\]){re.escape(s[0])}(?![A-Za-z])", s[m.end() :]):
        s = s[m.end() :]  # y = 2x+3 -> 2x+3, but x = 2x+3 is an equation and stays
    s = _MEMBERSHIP.sub("", s)
    s = _words_as_commas(s)
    s = _THOUSANDS_SPACED.sub(lambda m: m.group(0).replace(" ", ""), s)  # 1 000 000 is one number
    s = re.sub(r"(?<=\d)\s+(?=\d)", "\0", s)  # but 6 8 is not 68: keep that space
    # drop spaces, except one that ends a command before a letter (\pi r must not become \pir)
    s = re.sub(r"(\\[A-Za-z]+)\s+(?=[A-Za-z])", r"\1 ", s)
    s = re.sub(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])", "", s)
    s = _strip_item_assignments(s.replace("\0", " "))
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


_INT = re.compile(r"[-+]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)")  # 0,111 is no thousands grouping
_DEC = re.compile(r"[-+]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)?\.\d+|[-+]?\d+\.")
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


_SPACED_LIST = re.compile(r"\d\s*,\s+\d")
_SPACED_DIGITS = re.compile(r"[-+]?\d+(?: \d+)+")
_WORDS = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]+)*")


def _decimal_comma(s: str) -> PlainNumber | None:
    """`1,22` or `0,111` read as 1.22 and 0.111: one comma that cannot be a thousands separator."""
    m = re.fullmatch(r"([-+]?\d+),(\d+)", s)
    if not m or re.fullmatch(r"[-+]?[1-9]\d{0,2},\d{3}", s):
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
    lists = _number_lists_equal(g, c)
    if lists is not None:
        return lists
    if _WORDS.fullmatch(g) and _WORDS.fullmatch(c):  # "Even" and "even": a word in another case
        return g.casefold() == c.casefold()
    if _CHOICE.fullmatch(g) and re.fullmatch(r"\(?[a-e]\)?", c):  # (b) for the choice B
        return g == c.strip("()").upper()
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
