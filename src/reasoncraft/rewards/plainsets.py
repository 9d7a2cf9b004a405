"""Sets written in plain text or in words, as models write them, put in their LaTeX spelling.

`(-inf, 0) U (1, inf)`: a letter U (or `union`) between two intervals is the union; `{}` and `{ }` are the empty
set, as are `the empty set`, `no solution` and `no real solutions`; `all real numbers`, `all reals` and `the set of
real numbers` are the reals. Only a whole answer is read as words (`x is none of these` is not the empty set), and a
`\\text{...}` wrapper around it is looked through, so a gold `\\text{no solution}` meets a predicted `\\emptyset`;
`does not exist`, `doesn't exist`, `the limit does not exist` and `DNE` are one answer, `\\text{DNE}`.

Set notation in Unicode (`x ∉ A`, `A ∪ B`, `A ⊆ B`, `ℝ`) takes its LaTeX commands, and a membership or an
inclusion written right to left is turned around: `A \\ni x` is `x \\in A`, `A \\not\\ni x` is `x \\notin A`,
`B \\supseteq A` is `A \\subseteq B` (one relation, read once; Math-Verify reads none of these turned around).
"""

from __future__ import annotations

import re

_UNION = re.compile(r"(?<=[)\]])\s*(?:U|u|union)\s*(?=[(\[])")
_WRAPPED = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")
_REALS = re.compile(
    r"(?:all|any|every)\s+real(?:s|\s+numbers?|\s+values?)?|(?:the\s+)?(?:set\s+of\s+)?(?:all\s+)?real\s+numbers"
    r"|(?:all\s+)?reals",
    re.IGNORECASE,
)
_EMPTY = re.compile(r"\{\s*\}|(?:the\s+)?empty\s+set|no\s+(?:real\s+)?solutions?", re.IGNORECASE)
# "does not exist" and its abbreviation (a limit, an inverse, a solution that is not there): one spelling, `DNE`
_DOES_NOT_EXIST = re.compile(r"(?:the\s+\w+\s+)?(?:does\s+not|doesn'?t)\s+exist|d\.?n\.?e\.?", re.IGNORECASE)
_SET_SYMBOLS = {
    "∈": "\\in ", "∉": "\\notin ", "∋": "\\ni ", "∌": "\\not\\ni ", "∪": "\\cup ", "∩": "\\cap ",
    "∖": "\\setminus ", "⊂": "\\subset ", "⊆": "\\subseteq ", "⊃": "\\supset ", "⊇": "\\supseteq ",
    "⊄": "\\not\\subset ", "⊈": "\\not\\subseteq ", "∅": "\\emptyset ", "ℝ": "\\mathbb{R}",
    "ℤ": "\\mathbb{Z}", "ℕ": "\\mathbb{N}", "ℚ": "\\mathbb{Q}", "ℂ": "\\mathbb{C}",
}  # fmt: skip
_SET_SYMBOL = re.compile("[" + "".join(_SET_SYMBOLS) + "]")
# one relation written right to left, and the one it turns into: `A \ni x` is `x \in A`
_TURNED = {"\\ni": "\\in", "\\owns": "\\in", "\\not\\ni": "\\notin", "\\supset": "\\subset"}
_TURNED.update({"\\supseteq": "\\subseteq", "\\not\\supset": "\\not\\subset", "\\not\\supseteq": "\\not\\subseteq"})
_RIGHT_TO_LEFT = re.compile(r"\\(?:not\s*\\)?(?:ni|owns|supseteq|supset)(?![A-Za-z])")
_ANY_RELATION = re.compile(
    r"[=<>]|\\(?:not|in|notin|ni|owns|subset|subseteq|supset|supseteq|le|ge|leq|geq|ne|neq|lt|gt)(?![A-Za-z])"
)


def _left_to_right(s: str) -> str:
    """`A \\ni x` as `x \\in A`, `B \\supseteq A` as `A \\subseteq B`: a whole answer of one such relation only."""
    found = list(_RIGHT_TO_LEFT.finditer(s))
    if len(found) != 1:
        return s
    m = found[0]
    left, right = s[: m.start()].strip(), s[m.end() :].strip()
    if not left or not right or _ANY_RELATION.search(left) or _ANY_RELATION.search(right):
        return s
    turned = _TURNED[re.sub(r"\s+", "", m.group(0))]
    return f"{right} {turned} {left}"


def plain_sets(s: str) -> str:
    """`s` with a plain-text union in LaTeX, or the LaTeX set a whole answer names in words.

    >>> plain_sets("(-inf, 0) U (1, inf)"), plain_sets("All real numbers."), plain_sets(r"\\text{No solution}")
    ('(-inf, 0)\\\\cup (1, inf)', '\\\\mathbb{R}', '\\\\emptyset')
    >>> plain_sets("{ }"), plain_sets("real roots"), plain_sets("A ∌ x"), plain_sets(r"B \\supseteq A")
    ('\\\\emptyset', 'real roots', 'x \\\\notin A', 'A \\\\subseteq B')
    """
    if not s.isascii():
        s = _SET_SYMBOL.sub(lambda m: _SET_SYMBOLS[m.group(0)], s)  # `x ∉ A`, `A ∪ B`, `ℝ`
    if "\\" in s:
        s = _left_to_right(s)  # `A \\ni x` is `x \\in A`
    whole = s.strip().rstrip(".").strip()
    if wrapped := _WRAPPED.fullmatch(whole):
        whole = wrapped.group(1).strip()
    if _REALS.fullmatch(whole):
        return "\\mathbb{R}"
    if _EMPTY.fullmatch(whole):
        return "\\emptyset"
    if _DOES_NOT_EXIST.fullmatch(whole):
        return "\\text{DNE}"
    return _UNION.sub(r"\\cup ", s)
