"""Notations a model writes in a final answer that the parsers read as something else (thirteenth session, probes).

Each rule is for a kind of spelling, found by probing the checker with answers written the way models write them;
each has counter-cases that stay unequal (`tests/test_rewards_notations.py`, docs/rewards.md).

`notation_pair(gold, candidate)` rewrites both answers before the comparison:

- a binomial coefficient or a count of arrangements written with a letter: `C(5,2)`, `nCr(5,2)`, `5C2`, `{}_5C_2`,
  `^5C_2`, `C_5^2` (the upper index, as in Chinese textbooks, is k) are `\\binom{5}{2}`; `nPr(5,2)`, `5P2`,
  `{}_5P_2` are `\\frac{5!}{(5-2)!}`. Only whole numbers with n >= k (else the text is left as written). `P(5,2)`
  is never read so: it is as often a probability or a point.
- a vector as a sum of unit vectors: `3\\mathbf{i} - \\mathbf{j}`, `\\hat{i} + 2\\hat{j} + 3\\hat{k}`, `\\vec{i}`,
  `\\boldsymbol{i}` is the tuple of its components (`(3, -1)`; three when `k` is named), each unit at most once;
  the other side may then use plain `i`, `j`, `k` (only when one side marked them as unit vectors: a lone `i` is
  the imaginary unit).
- a segment named by its end points: `\\overline{AB}` is `AB` (two or three capital letters, primes allowed; never
  `\\overline{z}`, a conjugate, nor `0.\\overline{3}`, a repeating decimal).
- a choice letter before a value, against an answer that is no choice letter: `(B) 12` and `\\textbf{(B) } 12` are
  `12`, on either side (against a letter the older rule reads the letter).
- `C) 12` (a choice letter with its closing bracket only) is `(C) 12`; `\\log_e` is `\\ln`.
- `\\left.` and `\\right.` (invisible delimiters) are dropped; `\\inf` that is no infimum (no subscript) is `\\infty`;
  an interval in the French spelling, `]a, b[`, `]a, b]`, `[a, b[`, is `(a, b)`, `(a, b]`, `[a, b)`.
- a number grouped in threes by LaTeX spaces, `1\\,234\\,567.89`, `12\\!345`, is its digits (not after `^`, `_`, a
  letter or a decimal point); siunitx's `\\num{6.02e23}` is `6.02 \\times 10^{23}`, `\\SI{5}{\\kilo\\meter}` and `\\qty`
  are the value and the unit's symbols (`5 \\text{ km}`; a unit word outside a small table leaves the text as written).
- a short sentence stating a one-word gold, `The function is odd.` against `\\text{odd}` (no negation, joining word
  or hedge in it: `The function is not odd.` and `neither even nor odd` are left as written).
- intervals joined by "or" against a union are the union (`(-\\infty, 1) \\text{ or } (2, \\infty)`); joined by a comma
  they stay a list (two points as often).

`notation_verdict(gold, candidate)` decides three kinds without sympy (None: not one of them):

- values given to single letters, each letter once on each side (`x = 1, y = 2`): other letters are not equal
  (`x = 1, z = 2`); the same letters are compared letter by letter, as tuples in the letters' order (before, as sets
  of values: `x = 1, y = 2` equalled `x = 2, y = 1`). Against a tuple, values given to consecutive letters out of
  order are put in order (`y = 2, x = 1` is `(1, 2)`; `n = 3, k = 2` is left as written). Roots of one letter
  (`x = 1, x = 2`) stay a set.
- a ratio of three or more parts (`1:2:3`): equal only to a ratio of as many parts, proportional part by part
  (`2:4:6`, `-1:-2:-3`). The parsers read `:` as division, so `1:2:3` was `1/6` and equal to `1:3:2`. A ratio of
  two parts is left to the older reading (`3:4` and `\\frac{3}{4}` are equal, as in Math-Verify).
- sets named by letters combined with `\\cup` and `\\cap`: the same sets in another order are equal
  (`A \\cup B` and `B \\cup A`); `\\setminus` keeps its order. Anything else is left to the other rules.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .constants import rational_value

__all__ = ["notation_pair", "notation_verdict"]

# --- binomials and arrangements ---------------------------------------------------------------------------------
_N = r"\{?(\d{1,4})\}?"
_BINOMIAL = [
    re.compile(r"(?<![A-Za-z\\])(?:nCr|C)\s*\(\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\)"),  # C(5,2), nCr(5,2)
    re.compile(r"(?:\{\}|\{\s*\})?[_^]" + _N + r"\s*C_" + _N),  # {}_5C_2, ^5C_2, _5C_2
    re.compile(r"(?<![A-Za-z\\_^{])C_" + _N + r"\^" + _N),  # C_5^2: n below, k above
    re.compile(r"(?<![\w.\\^_{])(\d{1,4})C(\d{1,4})(?![\w.])"),  # 5C2
]
_ARRANGEMENTS = [
    re.compile(r"(?<![A-Za-z\\])nPr\s*\(\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\)"),
    re.compile(r"(?:\{\}|\{\s*\})?[_^]" + _N + r"\s*P_" + _N),
    re.compile(r"(?<![\w.\\^_{])(\d{1,4})P(\d{1,4})(?![\w.])"),
]


def _counts(text: str) -> str:
    def binomial(m: re.Match) -> str:
        n, k = int(m.group(1)), int(m.group(2))
        return rf"\binom{{{n}}}{{{k}}}" if n >= k else m.group(0)

    def arrangements(m: re.Match) -> str:
        n, k = int(m.group(1)), int(m.group(2))
        return rf"\frac{{{n}!}}{{({n}-{k})!}}" if n >= k else m.group(0)

    if "C" in text:
        for pattern in _BINOMIAL:
            text = pattern.sub(binomial, text)
    if "P" in text:
        for pattern in _ARRANGEMENTS:
            text = pattern.sub(arrangements, text)
    return text


# --- unit vectors -------------------------------------------------------------------------------------------------
_MARKED_UNIT = re.compile(r"\\(?:mathbf|hat|vec|boldsymbol|bm)\s*\{\s*\\?([ijk])(?:math)?\s*\}|\\hat\s*\\([ij])math")
_UNIT_MARK = re.compile(r"\\(?:mathbf|hat|vec|boldsymbol|bm)\s*\{?\s*\\?[ijk](?:math)?\b")
_PLAIN_UNIT = re.compile(r"(?<![A-Za-z\\])([ijk])(?![A-Za-z])")
_AXES = "ijk"


def _terms(text: str) -> list[str] | None:
    """Split at `+` and `-` outside brackets; each term keeps its sign."""
    terms, depth, start = [], 0, 0
    for pos, char in enumerate(text):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif char in "+-" and depth == 0 and pos > start and text[pos - 1] not in "^_eE":
            terms.append(text[start:pos])
            start = pos
    terms.append(text[start:])
    return terms if depth == 0 else None


def _as_components(text: str, plain: bool) -> str | None:
    """`3\\mathbf{i} - \\mathbf{j}` as `(3, -1)`; None when the text is not such a sum."""
    body = re.sub(r"\s+", "", text.strip().strip("$"))
    marked = _MARKED_UNIT.sub(lambda m: "@" + (m.group(1) or m.group(2)), body)
    if plain:
        marked = _PLAIN_UNIT.sub(lambda m: "@" + m.group(1), marked)
    if "@" not in marked or (terms := _terms(marked)) is None:
        return None
    parts: dict[str, str] = {}
    for term in terms:
        m = re.fullmatch(r"([+-]?)(.*?)(?:\\cdot|\*)?@([ijk])", term)
        if not m or m.group(3) in parts or "@" in m.group(2):
            return None
        coefficient = m.group(2).strip("{}") if m.group(2).startswith("{") else m.group(2)
        if coefficient and not re.fullmatch(r"[\w.\\{}()^/]+", coefficient):
            return None
        parts[m.group(3)] = m.group(1).replace("+", "") + (coefficient or "1")
    size = 3 if "k" in parts else 2
    return "(" + ", ".join(parts.get(axis, "0") for axis in _AXES[:size]) + ")"


def _vectors(gold: str, candidate: str) -> tuple[str, str]:
    g_marked, c_marked = bool(_UNIT_MARK.search(gold)), bool(_UNIT_MARK.search(candidate))
    if not (g_marked or c_marked):
        return gold, candidate
    g, c = _as_components(gold, plain=not g_marked), _as_components(candidate, plain=not c_marked)
    return g or gold, c or candidate


# --- small spellings ------------------------------------------------------------------------------------------------
_SEGMENT = re.compile(r"\\overline\s*\{\s*([A-Z]'*\s*[A-Z]'*(?:\s*[A-Z]'*)?)\s*\}")
_INVISIBLE = re.compile(r"\\(?:left|right)\s*\.")
_INF = re.compile(r"\\inf(?![a-zA-Z_])")
_FRENCH = re.compile(r"\s*([\]\[])\s*([^\[\]]+?),([^\[\]]+?)\s*([\]\[])\s*")
_CHOICE_VALUE = re.compile(
    r"\s*(?:\\text(?:bf)?\s*\{\s*\(([A-E])\)\s*\}|\\textbf\s*\{\s*\(([A-E])\)\s*\}|\(([A-E])\))\s*(?:\\quad|\\;|~)?\s*"
)
_A_CHOICE = re.compile(r"\s*(?:\\text(?:bf)?\{\s*)?\(?[A-Ea-e]\)?\}?\s*")


_HALF_CHOICE = re.compile(r"\s*([A-E])\)(?=\s|$)")
# `1\\,234\\,567.89`: a number grouped by thin or other LaTeX spaces (`\\,`, `\\!`, `\\;`, `\\:`, `\\ `)
_THIN_GROUPS = re.compile(r"(?<![\w.^_{}])(\d{1,3})((?:\\[,!;: ]\s*\d{3})+)(?![\d])")
_LOG_E = re.compile(r"\\log_\{?e\}?(?![a-zA-Z])")
_SI_VALUE = re.compile(r"\\(?:num|SI|qty)\s*\{\s*([-+]?[\d.]+)(?:\s*[eE]\s*([-+]?\d+))?\s*\}")
_SI_UNIT = re.compile(r"\{((?:\s*\\[a-zA-Z]+)+)\s*\}")
_SI_PREFIX = {"kilo": "k", "centi": "c", "milli": "m", "mega": "M", "micro": "\\mu ", "nano": "n", "giga": "G"}
_SI_SYMBOL = {"meter": "m", "metre": "m", "second": "s", "gram": "g", "litre": "L", "liter": "L", "hour": "h"}


def _siunitx(text: str) -> str:
    """`\\num{6.02e23}` as `6.02 \\times 10^{23}`, `\\SI{5}{\\kilo\\meter}` as `5 \\text{ km}`."""
    m = _SI_VALUE.match(text.strip())
    if not m:
        return text
    value = m.group(1) + (rf" \times 10^{{{m.group(2)}}}" if m.group(2) else "")
    rest = text.strip()[m.end() :]
    if not rest:
        return value
    unit = _SI_UNIT.fullmatch(rest.strip())
    if unit is None:
        return text
    words, symbols = re.findall(r"\\([a-zA-Z]+)", unit.group(1)), ""
    for word in words:
        if word in _SI_PREFIX:
            symbols += _SI_PREFIX[word]
        elif word == "per":
            symbols += "/"
        elif word in ("squared", "cubed"):
            symbols += "^2" if word == "squared" else "^3"
        elif word in _SI_SYMBOL:
            symbols += _SI_SYMBOL[word]
        else:
            return text
    return rf"{value} \text{{ {symbols}}}"


def _small(text: str) -> str:
    if ")" in text[:4] and (m := _HALF_CHOICE.match(text)):
        text = f"({m.group(1)})" + text[m.end() :]  # `C) 12` as `(C) 12`
    if "\\" in text:
        if "\\num" in text or "\\SI" in text or "\\qty" in text:
            text = _siunitx(text)
        if "\\log_" in text:
            text = _LOG_E.sub(r"\\ln", text)
        if "\\," in text or "\\!" in text or "\\;" in text or "\\:" in text or "\\ " in text:
            text = _THIN_GROUPS.sub(lambda m: m.group(1) + re.sub(r"\D", "", m.group(2)), text)
        if ("\\left" in text or "\\right" in text) and "|" not in text:
            text = _INVISIBLE.sub("", text)
        if "\\inf" in text:
            text = _INF.sub(r"\\infty", text)
        if "\\overline" in text:
            text = _SEGMENT.sub(lambda m: m.group(1).replace(" ", ""), text)
    if text[:1] == "]" or text.rstrip()[-1:] == "[":
        m = _FRENCH.fullmatch(text)
        if m and not (m.group(1) == "[" and m.group(4) == "]"):
            left, right = "(" if m.group(1) == "]" else "[", ")" if m.group(4) == "[" else "]"
            text = f"{left}{m.group(2)},{m.group(3)}{right}"
    return text


def _choice_value(gold: str, candidate: str) -> str:
    """`(B) 12` as `12`, against a gold that is not itself a choice."""
    m = _CHOICE_VALUE.match(candidate)
    if not m or _A_CHOICE.fullmatch(gold) or _CHOICE_VALUE.match(gold):
        return candidate
    rest = candidate[m.end() :].strip()
    if not rest or re.match(r"(?:or|and)\b", rest) or re.search(r"\([A-Ea-e]\)|\b[A-E]\)", rest):
        return candidate
    return rest


_INTERVAL = r"[(\[]\s*[^,()\[\]]+?\s*,\s*[^,()\[\]]+?\s*[)\]]"
_OR = r"\s*(?:\\text\s*\{\s*or\s*\}|\\(?:text|mbox|mathrm)\s*\{\s*\}|\bor\b|\\quad|\\;)+\s*"
_INTERVALS_OR = re.compile(rf"\s*{_INTERVAL}(?:{_OR}{_INTERVAL})+\s*")


def _or_as_union(text: str) -> str:
    """`(-\\infty, 1) \\text{ or } (2, \\infty)` as `(-\\infty, 1) \\cup (2, \\infty)` (only asked when the other
    side is a union: two intervals joined by "or" are their union; joined by a comma they might be two points)."""
    if "or" not in text or not _INTERVALS_OR.fullmatch(text):
        return text
    return " \\cup ".join(re.findall(_INTERVAL, text))


_NAMED_VALUE = re.compile(r"\s*([a-zA-Z])\s*=\s*([^=]+?)\s*")
_NAMED_JOINER = re.compile(r",|;|\\text\s*\{\s*and\s*\}|\band\b|\\quad")


def _named_items(text: str) -> list[tuple[str, str]] | None:
    """`y = 2, x = 1` as [("y", "2"), ("x", "1")]: two or more values given to single letters, else None."""
    items, depth, start = [], 0, 0
    for pos, char in enumerate(text + ","):
        depth += (char in "({[") - (char in ")}]")
        if depth == 0 and (joiner := _NAMED_JOINER.match(text + ",", pos)) and pos >= start:
            items.append(text[start:pos])
            start = joiner.end()
    named = [_NAMED_VALUE.fullmatch(item) for item in items if item.strip()]
    if len(named) < 2 or not all(named):
        return None
    return [(m.group(1), m.group(2)) for m in named]


def _named_in_order(text: str) -> str:
    """`y = 2, x = 1` as `x = 1, y = 2`: values given to consecutive letters of the alphabet (`x, y, z`, `a, b, c`,
    `m, n`) out of order are put in order, as a tuple of them is written; other names (`n`, `k`) are left."""
    named = _named_items(text)
    if named is None:
        return text
    names = [name for name, _ in named]
    ordered = sorted(names)
    consecutive = all(ord(b) - ord(a) == 1 for a, b in zip(ordered, ordered[1:]))
    if names == ordered or not consecutive:
        return text
    return ", ".join(f"{name} = {value}" for name, value in sorted(named))


def _named_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Two answers that give values to the same letters, each once (`x = 1, y = 2` and `y = 2, x = 1`), as the
    tuples of their values in the letters' order: compared name by name (before, as two sets of values, so
    `x = 1, y = 2` equalled `x = 2, y = 1`). Anything else: the answers themselves, each put in order."""
    g, c = _named_items(gold), _named_items(candidate)
    if g and c and len({n for n, _ in g}) == len(g) and {n for n, _ in g} == {n for n, _ in c} and len(c) == len(g):
        return "(" + ", ".join(v for _, v in sorted(g)) + ")", "(" + ", ".join(v for _, v in sorted(c)) + ")"
    return _named_in_order(gold) if g else gold, _named_in_order(candidate) if c else candidate


_GOLD_WORD = re.compile(r"\s*(?:\\text(?:bf|rm)?\s*\{\s*)?([A-Za-z]{3,})\s*\}?\s*")
_STATED = re.compile(r"(?:[A-Za-z$(),']+\s+){1,10}(?:is|are)\s+([A-Za-z]{3,})\s*\.?\s*", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|neither|nor|never|or|and|cannot|isn't|aren't|but)\b|n't\b", re.IGNORECASE)


def _stated_word(gold: str, candidate: str) -> str:
    """`The function is odd.` as `odd` against a one-word gold (`\\text{odd}`): a short sentence whose last words
    are "is" or "are" and one word, with no negation, joining word or hedge in it; else the candidate."""
    if not (g := _GOLD_WORD.fullmatch(gold)) or not (m := _STATED.fullmatch(candidate)) or _NEGATION.search(candidate):
        return candidate
    return m.group(1) if m.group(1).lower() == g.group(1).lower() else candidate


# a character any rule above starts from: a command, a bracket that may close a choice or open a French interval, a
# letter C or P of a count, an equals sign of named values
_ANY_NOTATION = re.compile(r"[\\\])\[=CP]")


def notation_pair(gold: str, candidate: str) -> tuple[str, str]:
    """Both answers with the notations above rewritten.

    >>> notation_pair("10", "C(5,2)"), notation_pair("(1, 2)", r"\\mathbf{i} + 2\\mathbf{j}")
    (('10', '\\\\binom{5}{2}'), ('(1, 2)', '(1, 2)'))
    >>> notation_pair("12", "(B) 12"), notation_pair("AB", r"\\overline{AB}"), notation_pair("B", "(B) 12")
    (('12', '12'), ('AB', 'AB'), ('B', '(B) 12'))
    """
    if " is " in candidate or " are " in candidate:
        candidate = _stated_word(gold, candidate)  # `The function is odd.` against `\\text{odd}`
    both = gold + candidate
    if _ANY_NOTATION.search(both) is None:
        return gold, candidate  # the common case: plain numbers and formulas (a few hundred ns)
    gold, candidate = _small(gold), _small(candidate)
    both = gold + candidate
    if "=" in both and ("," in both or "and" in both or ";" in both):
        gold, candidate = _named_pair(gold, candidate)  # `y = 2, x = 1`
    if "C" in both or "P" in both:
        gold, candidate = _counts(gold), _counts(candidate)
    if "(" in candidate[:12]:
        candidate = _choice_value(gold, candidate)
    if "(" in gold[:12]:
        gold = _choice_value(candidate, gold)
    if "\\" in both:
        gold, candidate = _vectors(gold, candidate)
        if "\\cup" in gold:
            candidate = _or_as_union(candidate)
        elif "\\cup" in candidate:
            gold = _or_as_union(gold)
    return gold, candidate


# --- ratios -------------------------------------------------------------------------------------------------------
def _ratio_parts(text: str) -> list[str] | None:
    text = text.strip().strip("$").replace("\\colon", ":").replace("\\!", "").replace("\\,", "")
    parts = [p.strip() for p in text.split(":")]
    return parts if len(parts) >= 2 and all(parts) and not any("=" in p or "," in p for p in parts) else None


def _ratio_verdict(gold: str, candidate: str) -> bool | None:
    g, c = _ratio_parts(gold), _ratio_parts(candidate)
    if max(len(g or ()), len(c or ())) < 3:
        return None  # a ratio of two parts: left to the older reading (`3:4` is `\frac{3}{4}`)
    if any(re.fullmatch(r"\d{1,2}:[0-5]\d:[0-5]\d(?:\s*[ap]\.?m\.?)?", s.strip(), re.I) for s in (gold, candidate)):
        return None  # a time of day with seconds (`exact._clock`)
    if g is None or c is None or len(g) != len(c):
        return False
    g_values, c_values = [rational_value(p) for p in g], [rational_value(p) for p in c]
    if None in g_values or None in c_values or 0 in g_values or 0 in c_values:
        return [p.replace(" ", "") for p in g] == [p.replace(" ", "") for p in c]
    scale = Fraction(c_values[0]) / Fraction(g_values[0])
    return all(Fraction(cv) == scale * Fraction(gv) for gv, cv in zip(g_values, c_values))


# --- named sets -----------------------------------------------------------------------------------------------------
_SET_NAME = re.compile(r"[A-Z](?:_\{?\w+\}?|')*(?:\^\{?[c']\}?|\^\{?\\complement\}?)?")
_SET_OPS = re.compile(r"\\(cup|cap|setminus)")


def _set_canonical(text: str) -> str | None:
    """A canonical spelling of letters joined by `\\cup`/`\\cap`/`\\setminus` (brackets kept as groups), the operands of
    a `\\cup` or a `\\cap` sorted; None when the text is anything else or mixes operators without brackets."""
    text = text.strip().strip("$").replace("\\left", "").replace("\\right", "").replace(" ", "")
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1]
    operands, operators, pos = [], set(), 0
    while pos < len(text):
        if text[pos] == "(":
            end = _closing(text, pos)
            if end is None or (inner := _set_canonical(text[pos + 1 : end])) is None:
                return None
            operands.append("(" + inner + ")")
            pos = end + 1
        elif m := _SET_NAME.match(text, pos):
            operands.append(m.group(0))
            pos = m.end()
        else:
            return None
        if pos < len(text):
            op = _SET_OPS.match(text, pos)
            if not op:
                return None
            operators.add(op.group(1))
            pos = op.end()
            if pos == len(text):
                return None
    if len(operators) > 1:
        return None
    if not operators:
        return operands[0] if len(operands) == 1 else None
    op = operators.pop()
    if op != "setminus":
        operands = sorted(operands)
    return f"\\{op}".join(operands)


def _closing(text: str, start: int) -> int | None:
    depth = 0
    for pos in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[pos], 0)
        if depth == 0:
            return pos
    return None


def notation_verdict(gold: str, candidate: str) -> bool | None:
    """True or False for ratios of three parts or more, named sets in another order and values given to other
    letters, else None.

    >>> notation_verdict("1:2:3", "2:4:6"), notation_verdict("1:2:3", "1:3:2"), notation_verdict("3:4", "6:8")
    (True, False, None)
    >>> notation_verdict(r"A \\cup B", r"B \\cup A"), notation_verdict(r"A \\setminus B", r"B \\setminus A")
    (True, None)
    """
    if "=" in gold and "=" in candidate and (g := _named_items(gold)) and (c := _named_items(candidate)):
        g_names, c_names = [n for n, _ in g], [n for n, _ in c]
        if len(set(g_names)) == len(g_names) and len(set(c_names)) == len(c_names) and set(g_names) != set(c_names):
            return False  # values given to other letters (`x = 1, z = 2` for `x = 1, y = 2`)
    if ":" in gold or ":" in candidate:
        if (by_ratio := _ratio_verdict(gold, candidate)) is not None:
            return by_ratio
    if ("\\cup" in gold or "\\cap" in gold) and ("\\cup" in candidate or "\\cap" in candidate):
        g, c = _set_canonical(gold), _set_canonical(candidate)
        if g is not None and g == c:
            return True
    return None
