"""Prose against a math answer: a cheap rule that can only say "not equal".

A model that answers a numeric question with a sentence ("a result of combining both the rules of
mathematics ...") gives Math-Verify a long string of letters, which its LaTeX parser reads as a
product of dozens of symbols; under CPU load that can overrun the checker's deadline and turn a plainly
wrong answer into a scoring failure. `prose_verdict` rules such a pair out in microseconds, before any
slow path.

The rule is built so that it cannot take a verdict of "equal" away:

- the gold answer is short math: no word of two letters or more outside LaTeX commands and math
  names (`12`, `\\frac{1}{2}`, `x^2+1`, `(1,2)`, `B`), at most 80 characters; a worded gold
  (`\\text{Monday}`, `even`) is never judged here;
- the candidate is prose: at least `MIN_PROSE_WORDS` words of two letters or more that are not math
  names (`sin`, `pi`, `sqrt`, ...), and no math span or box (`$`, `\\(`, `\\[`, `\\boxed`), which would
  mark where the answer is;
- the candidate holds no trace of the gold: none of the gold's numbers appears among the
  candidate's numbers, and a gold without digits (`x^2+1`, `B`) does not appear in the candidate at
  all (letters compared with case and spaces ignored).

So `12 apples`, `x = 3 or x = -3`, `\\text{Monday}`, `(B)` and `so the total is 12 apples in all` are
never ruled out here; they go on to the other rules.
"""

from __future__ import annotations

import re

from .funcspell import FUNCTION_WORDS

__all__ = ["MIN_PROSE_WORDS", "prose_verdict", "prose_words"]

MIN_PROSE_WORDS = 4
_MAX_GOLD_CHARS = 80

# names that are math, not prose, when written without a backslash
_MATH_NAMES = (
    frozenset(
        """sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh ln log lg exp sqrt pi inf infty
    infinity mod gcd lcm min max det deg arg lim sup dim ker cis frac cdot times div pm mp le ge ne lt gt
    leq geq neq cup cap emptyset mathbb mathrm text oo union""".split()
    )
    | FUNCTION_WORDS
)  # `acot`, `coth`, `arsinh`, `ceil`: `coth^2(x) - csch^2(x)` is no sentence
_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")
_MATH_MARKS = re.compile(r"\$|\\\(|\\\[|\\boxed|\\fbox")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def prose_words(text: str) -> list[str]:
    """The words of `text` that are not LaTeX commands or math names (two letters or more).

    >>> prose_words(r"a result of combining \\sqrt{2} and sin(x)")
    ['result', 'of', 'combining', 'and']
    >>> prose_words(r"x = 3 \\text{ or } x = -3")
    ['or']
    """
    return [w for w in _WORD.findall(_COMMAND.sub(" ", text)) if w.lower() not in _MATH_NAMES]


def _numbers(text: str) -> set[str]:
    """Digit runs as numbers, spelled one way (`012` and `12`, `3.50` and `3.5` are the same)."""
    out = set()
    for n in _NUMBER.findall(text.replace("{,}", "").replace(",", "")):
        whole, _, frac = n.partition(".")
        out.add((whole.lstrip("0") or "0") + ("." + frac.rstrip("0") if frac.rstrip("0") else ""))
    return out


def _squeezed(text: str) -> str:
    return re.sub(r"\s+|\\[,;:! ]", "", text).casefold()


def prose_verdict(gold: str, candidate: str) -> bool | None:
    """False when `candidate` is prose that cannot be the short math answer `gold`; None otherwise
    (undecided: never True).

    >>> prose_verdict("12", "a result of combining both the rules of mathematics and logic")
    False
    >>> prose_verdict("12", "so the total is 12 apples in all") is None  # the gold is in it
    True
    >>> prose_verdict(r"\\text{Monday}", "it is the first day of the week") is None  # a worded gold
    True
    >>> prose_verdict("12", "12 apples") is None, prose_verdict("3", "x = 3 or x = -3") is None
    (True, True)
    """
    if len(gold) > _MAX_GOLD_CHARS or prose_words(gold):
        return None
    if _MATH_MARKS.search(candidate) or len(prose_words(candidate)) < MIN_PROSE_WORDS:
        return None
    gold_numbers = _numbers(gold)
    if gold_numbers:
        if gold_numbers & _numbers(candidate):
            return None
    elif _squeezed(gold) in _squeezed(candidate):
        return None
    return False
