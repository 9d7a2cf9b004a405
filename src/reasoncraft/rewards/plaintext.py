"""Plain-text math in LaTeX spelling, and inequalities as the intervals they describe.

Models and datasets write `2*sqrt(3)/pi`, `x**2`, `x >= 5`; gold answers are usually LaTeX. These
string rules (nothing is evaluated) put both sides in one spelling before any comparison:

- `plain_to_latex(s)`: a keyboard formula token by token (`plainmath`), else `sqrt(...)`, `pi`, `inf`,
  `sin(...)`, `**`, `^(...)`, `*`, `<=`/`>=`/`!=`;
- `inequality_as_interval(s)`: `-2 \\le x \\le 7` -> `[-2,7]`, `x > 5` -> `(5,\\infty)`;
- `canonical_pair(gold, candidate)`: both of the above, applied as the checker needs them, and a list
  against a one-row or one-column matrix written as that matrix (`[0.5, 1]` for a column of two).
"""

from __future__ import annotations

import re

from .caps import MAX_ANSWER_CHARS
from .funcspell import real_odd_roots, spell_calls
from .memo import memoized
from .normalize import _strip_delimiters
from .numeric import _split_top, matching_paren
from .plainfuncs import spell_functions
from .plainmath import plain_formula_to_latex
from .plainsets import plain_sets

__all__ = ["plain_to_latex", "inequality_as_interval", "canonical_pair"]

_PLAIN_CONSTANTS = re.compile(r"(?<![\\A-Za-z])(pi|infinity|inf|oo)(?![A-Za-z])")  # `oo`: sympy's infinity
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


def _parens_to_braces_after(s: str, pattern: str, replacement: str) -> str:
    """`sqrt(x+1)` -> `\\sqrt{x+1}`, `^(n+1)` -> `^{n+1}`: the parenthesised argument becomes a
    braced group (innermost first, so nested calls work); an unbalanced one is left alone."""
    out, i = [], 0
    regex = re.compile(pattern)
    while (m := regex.search(s, i)) is not None:
        close = matching_paren(s, m.end() - 1)
        if close is None:
            break
        inner = _parens_to_braces_after(s[m.end() : close], pattern, replacement)
        out.append(s[i : m.start()] + replacement + "{" + inner + "}")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


# `137 1/2`, `-4 4/9`, `1 000 4/9`: a whole number (spaced thousands allowed), one space, a fraction
_MIXED_NUMBER = re.compile(r"\s*([-+]?\d{1,3}(?: \d{3})+|[-+]?\d+) (\d+)/(\d+)\s*")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5), "⅗": (3, 5)}
_VULGAR.update({"⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8)})
_UNICODE_SYMBOLS = (
    ("∞", "\\infty "),
    ("·", "\\cdot "),
    ("⋅", "\\cdot "),
    ("×", "\\times "),
    ("÷", "\\div "),
    ("−", "-"),
    ("π", "\\pi "),
)


def _unicode_to_latex(s: str) -> str:
    """Unicode math as keyboards and models type it: `√3`, `√(x+1)`, `∛2`, `x²`, `½`, `∞`, `·`, `−`."""
    if s.isascii():
        return s
    s = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", s)
    s = re.sub("[" + "".join(_VULGAR) + "]", lambda m: "\\frac{{{}}}{{{}}}".format(*_VULGAR[m.group(0)]), s)
    for symbol, latex in _UNICODE_SYMBOLS:
        s = s.replace(symbol, latex)
    s = _parens_to_braces_after(s, r"√\s*\(", "\\sqrt")
    s = _parens_to_braces_after(s, r"∛\s*\(", "\\sqrt[3]")
    s = re.sub(r"√\s*(\d+(?:\.\d+)?|[A-Za-z]|\\pi)", r"\\sqrt{\1}", s)
    return re.sub(r"∛\s*(\d+(?:\.\d+)?|[A-Za-z])", r"\\sqrt[3]{\1}", s)


def plain_to_latex(s: str) -> str:
    """Rewrite plain-text math as models and datasets write it into the LaTeX spelling, by string
    rules only (nothing is evaluated). A formula in a keyboard spelling (`2*a*s`, `Sin(x)`, `theta`, `==`)
    is read token by token (`plainmath.plain_formula_to_latex`); otherwise: `sqrt(...)`, `cbrt(...)`, `pi`,
    `inf`, `sin(...)`, `**`, `^(...)`, `*` before a letter or bracket (an implicit product), `<=`/`>=`/`!=`,
    a mixed number `3 1/2`, and Unicode math (`√3`, `x²`, `½`, `∞`, `·`, `−`).

    >>> plain_to_latex("2*sqrt(3)/pi"), plain_to_latex("(3, pi/2)"), plain_to_latex("x**(n+1) >= 2")
    ('2\\\\sqrt{3}/\\\\pi', '(3, \\\\pi/2)', 'x^{n+1}\\\\ge 2')
    >>> plain_to_latex("2√3 + x²"), plain_to_latex("1½")
    ('2\\\\sqrt{3} + x^{2}', '1\\\\frac{1}{2}')
    >>> plain_to_latex(r"\\sqrt{2}+\\pi")  # LaTeX is left as it is
    '\\\\sqrt{2}+\\\\pi'
    """
    s = plain_sets(_unicode_to_latex(s))  # `(0, 1) U (2, 3)`, `{}`, `all real numbers` (`plainsets`)
    if (formula := plain_formula_to_latex(s)) is not None:  # `2*a*s`, `Sin(x)`, `theta`, `==`: token by token
        return formula
    s = spell_functions(spell_calls(s))  # `acot(x)`, `sinh^n x`, `floor(x)` (`funcspell`); `coth x`, `3^-x`
    m = _MIXED_NUMBER.fullmatch(s)
    # a mixed number, as \\frac writes it, only with a proper fraction: `11 6/6` and `4 4/0` are no mixed
    # numbers (Math-Verify's reading: equal to no number), so they are left as written
    if m and int(m.group(2)) < int(m.group(3)):
        whole = m.group(1).replace(" ", "")
        return whole if int(m.group(2)) == 0 else f"{whole}\\frac{{{m.group(2)}}}{{{m.group(3)}}}"  # `4 0/9` is 4
    if not re.search(r"[A-Za-z*^<>=!≤≥]", s):
        return s
    s = s.replace("**", "^")
    s = _parens_to_braces_after(s, r"(?<![\\A-Za-z])sqrt\s*\(", "\\sqrt")
    s = _parens_to_braces_after(s, r"(?<![\\A-Za-z])cbrt\s*\(", "\\sqrt[3]")
    s = re.sub(r"(?<![\\A-Za-z])sqrt(?=\s*[{\d])", r"\\sqrt", s)
    s = _parens_to_braces_after(s, r"\^\s*\(", "^")
    s = _PLAIN_FUNCS.sub(r"\\\1", s)
    s = _PLAIN_CONSTANTS.sub(lambda m: "\\pi " if m.group(1) == "pi" else "\\infty ", s)
    for plain, latex in _PLAIN_RELATIONS:
        s = s.replace(plain, latex)
    # 2*\pi -> 2\pi, 2*(x+1) -> 2(x+1); never before a fraction, where juxtaposition is a mixed number (`2\frac12`)
    s = re.sub(r"(?<=[\w)}])\s*\*\s*(?=[A-Za-z(]|\\(?![dt]?frac(?![A-Za-z])))", "", s)
    s = s.replace("*", "\\cdot ")
    return re.sub(r"\\(pi|infty) (?=$|[^A-Za-z])", r"\\\1", s).strip()


# --- relations written as intervals ------------------------------------------------------------

# a command ends where its letters end: `\\geq0` is `\\geq` then 0
_LESS = r"(?:<|\\(?:lt|leq?|leqslant)(?![A-Za-z]))"
_GREATER = r"(?:>|\\(?:gt|geq?|geqslant)(?![A-Za-z]))"
_VARIABLE = r"(?:[A-Za-z](?:_\{?\w+\}?)?(?:\([A-Za-z]\))?)"
_VAR = rf"(?P<neg>-\s*)?(?P<var>{_VARIABLE})"  # x, or -x (the relation then flips)
_BOUND = r"(?:[^<>=\\]|\\(?!(?:lt|gt|leq?|geq?|leqslant|geqslant|ne)(?![A-Za-z]))[A-Za-z]+(?![A-Za-z])|\\[{}])+?"
_CHAIN = re.compile(rf"^\s*(?P<a>{_BOUND})\s*(?P<op1>{_LESS})\s*{_VAR}\s*(?P<op2>{_LESS})\s*(?P<b>{_BOUND})\s*$")
_CHAIN_DOWN = re.compile(
    rf"^\s*(?P<a>{_BOUND})\s*(?P<op1>{_GREATER})\s*{_VAR}\s*(?P<op2>{_GREATER})\s*(?P<b>{_BOUND})\s*$"
)
_ONE_SIDED = re.compile(rf"^\s*{_VAR}\s*(?P<op>{_LESS}|{_GREATER})\s*(?P<b>{_BOUND})\s*$")
_ONE_SIDED_BOUND_FIRST = re.compile(rf"^\s*(?P<b>{_BOUND})\s*(?P<op>{_LESS}|{_GREATER})\s*{_VAR}\s*$")
_OR = re.compile(r"\s*(?:\\(?:text|mbox|mathrm)\s*\{\s*or\s*\}|\bor\b|\\lor\b|\\vee\b)\s*")
_INFINITY = re.compile(r"\+?\\infty")


def _strict(op: str) -> bool:
    return op.strip() in ("<", ">", "\\lt", "\\gt")


def _negated(bound: str | None) -> str | None:
    """`-bound`, spelled simply: None (no bound) stays None, `-1` -> `1`, `a+b` -> `-(a+b)`."""
    if bound is None:
        return None
    b = bound.strip()
    if b.startswith("-") and not re.search(r"[-+]", b[1:]):
        return b[1:].strip()
    return "-" + b if not re.search(r"[-+]", b) else f"-({b})"


def _relation(s: str) -> tuple[str, str | None, str | None, bool, bool] | None:
    """(variable, low, high, low open, high open) of a one-variable inequality (None for no bound)."""
    if m := _CHAIN.match(s):
        lo, hi, open_lo, open_hi = m["a"], m["b"], _strict(m["op1"]), _strict(m["op2"])
    elif m := _CHAIN_DOWN.match(s):
        lo, hi, open_lo, open_hi = m["b"], m["a"], _strict(m["op2"]), _strict(m["op1"])
    elif m := _ONE_SIDED.match(s):
        below = re.match(_LESS, m["op"].strip()) is not None
        lo, hi = (None, m["b"]) if below else (m["b"], None)
        open_lo = open_hi = _strict(m["op"])
    elif m := _ONE_SIDED_BOUND_FIRST.match(s):  # 5 \le x is x \ge 5
        below = re.match(_LESS, m["op"].strip()) is not None
        lo, hi = (m["b"], None) if below else (None, m["b"])
        open_lo = open_hi = _strict(m["op"])
    else:
        return None
    if m["neg"]:  # -x in [lo, hi] is x in [-hi, -lo]
        lo, hi, open_lo, open_hi = _negated(hi), _negated(lo), open_hi, open_lo
    lo = None if lo is not None and re.fullmatch(r"\s*-\s*\\infty\s*", lo) else lo
    hi = None if hi is not None and _INFINITY.fullmatch(hi.strip()) else hi
    return m["var"], lo, hi, open_lo, open_hi


def _interval(lo: str | None, hi: str | None, open_lo: bool, open_hi: bool) -> str:
    left = "(-\\infty" if lo is None else ("(" if open_lo else "[") + lo.strip()
    right = "\\infty)" if hi is None else hi.strip() + (")" if open_hi else "]")
    return f"{left},{right}"


@memoized
def inequality_as_interval(s: str) -> str | None:
    """The interval (or union of intervals, for relations joined by "or") that a one-variable
    inequality describes, or None when `s` is not one.

    >>> inequality_as_interval(r"-2 \\le x \\le 7"), inequality_as_interval(r"0<f(x)<1")
    ('[-2,7]', '(0,1)')
    >>> inequality_as_interval("x > 5"), inequality_as_interval("-x > -1"), inequality_as_interval("-3 < -x < 2")
    ('(5,\\\\infty)', '(-\\\\infty,1)', '(-2,3)')
    >>> inequality_as_interval(r"x < 0 \\text{ or } x \\ge 1")
    '(-\\\\infty,0)\\\\cup[1,\\\\infty)'
    >>> inequality_as_interval("x + y < 3") is None, inequality_as_interval("x = 3") is None
    (True, True)
    >>> inequality_as_interval("x < 0 or y > 1") is None  # two variables: not one set
    True
    """
    if not re.search(r"[<>]|\\[lg]", s):
        return None
    s = re.sub(r"\\\\(?=[lg])", "\\\\", s.strip())  # `\\le` typed with a doubled backslash
    relations = [_relation(part) for part in _OR.split(s)]
    if any(r is None for r in relations) or len({r[0] for r in relations}) != 1:
        return None
    return "\\cup".join(_interval(*r[1:]) for r in relations)


# a whole answer that is one number grouped in thousands by commas: `1,000,000`, `-12{,}345.5`
_GROUPED_NUMBER = re.compile(r"\s*([-+]?[1-9]\d{0,2}(?:(?:,|\{,\})\d{3})+(?:\.\d+)?)\s*")
# scientific notation with the letter x for the times sign: `2 x 10^5`, `3.1 X 10^{-4}` (spaces around the x)
_LETTER_TIMES = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s+[xX]\s+(?=10\s*\^)")


# a vector in angle brackets, `\langle 1, 2 \rangle`, `⟨1, 2⟩`: its components, two or more
_ANGLE_TUPLE = re.compile(
    r"\s*(?:\\left\s*)?(?:\\langle(?![A-Za-z])|⟨)((?:(?!\\langle|⟨|\\rangle|⟩).)+,(?:(?!\\langle|⟨|\\rangle|⟩).)+?)"
    r"\s*(?:\\right\s*)?(?:\\rangle(?![A-Za-z])|⟩)\s*",
    re.DOTALL,
)


@memoized
def _plain_side(s: str) -> str:
    """One answer in the spelling the comparison reads (plain-text math in LaTeX, `plain_to_latex`). A number grouped
    in thousands is its digits (`1,000,000` against `10^6`: the comma made it a list of three numbers for the
    parsers), `2 x 10^5` is `2 \\times 10^5` (a letter x between a number and a power of ten times it), and a vector
    in angle brackets is the tuple of its components (`\\langle 1, 2 \\rangle` is `(1, 2)`)."""
    s = _strip_delimiters(s)
    if m := _ANGLE_TUPLE.fullmatch(s):  # `\\langle 1, 2 \\rangle`: a vector's components, as a tuple
        s = f"({m.group(1).strip()})"
    if m := _GROUPED_NUMBER.fullmatch(s):
        return m.group(1).replace("{,}", "").replace(",", "")
    if "10" in s and _LETTER_TIMES.search(s):
        s = _LETTER_TIMES.sub(r"\1 \\times ", s)
    return real_odd_roots(plain_to_latex(s))  # `\\sqrt[3]{-8}` is -2 (`funcspell`)


_MATRIX = re.compile(r"\\begin\{([pbvBV]?matrix)\}(.*)\\end\{\1\}", re.DOTALL)


def _vector_cells(side: str) -> tuple[str, list[str]] | None:
    """(environment, cells) of a matrix with one row or one column, read as its entries in order."""
    m = _MATRIX.fullmatch(_strip_delimiters(side))
    if m is None:
        return None
    rows = [row.strip() for row in m.group(2).split("\\\\")]
    rows = [r for r in rows if r] if rows and not rows[-1] else rows  # a trailing row break
    if len(rows) == 1:
        return m.group(1), [cell.strip() for cell in rows[0].split("&")]
    if all("&" not in row for row in rows):
        return m.group(1), rows
    return None


def _list_as_vector(side: str, matrix: str) -> str | None:
    """A bracketed list `[a, b]` or `(a, b)` written as the one-row or one-column `matrix` it lists the
    entries of, when their numbers agree; None otherwise."""
    env, cells = _vector_cells(matrix)
    s = _strip_delimiters(side)
    if len(s) < 2 or s[0] + s[-1] not in ("()", "[]") or len(_split_top(s, ",")) != 1:
        return None  # `(0.5, 1]`: a half-open interval, never a vector (mutants14)
    items = [item.strip() for item in _split_top(s[1:-1], ",")]
    if len(items) != len(cells) or len(cells) < 2 or not all(items):
        return None
    row = _MATRIX.fullmatch(_strip_delimiters(matrix)).group(2)
    sep = " & " if "&" in row else " \\\\ "
    return f"\\begin{{{env}}} {sep.join(items)} \\end{{{env}}}"


# a nested list of rows, as Python, sympy (`Matrix([[1, 2], [3, 4]])`) and numpy print a matrix
_NESTED_LIST = re.compile(r"(?:Matrix\s*\(\s*)?\[\s*(\[.*\])\s*\]\s*\)?", re.DOTALL)


def _nested_list_as_matrix(side: str, matrix: str) -> str | None:
    """`[[1, 2], [3, 4]]` (or `Matrix([[1, 2], [3, 4]])`) written as a LaTeX matrix in `matrix`'s environment, when
    `side` is such a nested list with rows of one length; None otherwise. Only against a matrix: alone,
    `[[1, 2], [3, 4]]` might be two closed intervals."""
    s = _strip_delimiters(side)
    m = _NESTED_LIST.fullmatch(s)
    if m is None or s.startswith("Matrix") != s.rstrip().endswith(")"):
        return None
    rows = [row.strip() for row in _split_top(m.group(1), ",")]
    if not all(len(row) >= 2 and row[0] == "[" and row[-1] == "]" for row in rows):
        return None
    cells = [[cell.strip() for cell in _split_top(row[1:-1], ",")] for row in rows]
    if len({len(row) for row in cells}) != 1 or not all(all(row) for row in cells):
        return None
    env = _MATRIX.fullmatch(_strip_delimiters(matrix)).group(1)
    return f"\\begin{{{env}}} " + " \\\\ ".join(" & ".join(row) for row in cells) + f" \\end{{{env}}}"


def _two_names_swapped(gold: str, candidate: str) -> bool:
    """Both inequalities read as intervals of different variables over the same letters (`x > y`, `y < x`)."""
    g, c = _relation(gold), _relation(candidate)
    letters = (set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", " ", s))) for s in (gold, candidate))
    return g is not None and c is not None and g[0] != c[0] and next(letters) == next(letters)


def canonical_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Both answers with plain-text math in LaTeX spelling, and a gold inequality as the interval
    it describes. A candidate inequality becomes an interval only when the gold is a relation too:
    an interval or set asked for (`[-2, 7]`, `x \\in [-2, 7]`) must be given as one (Math-Verify's
    default, `allow_set_relation_comp=False`).

    >>> canonical_pair(r"-2 \\le x \\le 7", "[-2, 7]"), canonical_pair("[-2, 7]", r"-2 \\le x \\le 7")
    (('[-2,7]', '[-2, 7]'), ('[-2, 7]', '-2 \\\\le x \\\\le 7'))
    """
    if len(gold) > MAX_ANSWER_CHARS or len(candidate) > MAX_ANSWER_CHARS:
        return gold, candidate  # over the caps: refused elsewhere, not worth rewriting
    g, c = _plain_side(gold), _plain_side(candidate)
    # a matrix given as a nested list: `[[1, 2], [3, 4]]` for a 2x2 matrix, row by row
    if _MATRIX.fullmatch(g) and (nested := _nested_list_as_matrix(c, g)) is not None:
        return g, nested
    if _MATRIX.fullmatch(c) and (nested := _nested_list_as_matrix(g, c)) is not None:
        return nested, c
    # a vector given as a list: `[0.5, 1]` for a one-column matrix, entry by entry in order
    if _vector_cells(g) is not None and (listed := _list_as_vector(c, g)) is not None:
        return g, listed
    if _vector_cells(c) is not None and (listed := _list_as_vector(g, c)) is not None:
        return listed, c
    g_interval = inequality_as_interval(g)
    if g_interval is not None:
        c_interval = inequality_as_interval(c)
        if c_interval is not None and _two_names_swapped(g, c):
            return g, c  # `x > y` against `y < x`: one relation of two variables, not intervals of different ones
        if c_interval is None and re.search(r"[<>≤≥]|\\[lg]e|\\[lg]t", c):
            return g, c  # `x > y` against `x - y > 0`: two relations, compared as relations
        return g_interval, c_interval if c_interval is not None else c
    return g, c
