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

Values given to letters, ratios and named sets, whose order matters or does not, are in `orders`.
"""

from __future__ import annotations

import re

from .orders import named_pair

__all__ = ["notation_pair"]

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
        gold, candidate = named_pair(gold, candidate)  # `y = 2, x = 1`
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
