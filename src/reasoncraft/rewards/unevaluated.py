"""An answer that still holds an operation to carry out is no answer to a gold that does not.

A model asked for a number can answer with the question itself: `\\int_0^1 x\\,dx`, `\\frac{d}{dx} x^2`,
`\\lim_{x \\to 0} \\frac{\\sin x}{x}`, `\\sum_{k=1}^{3} k`. A computer algebra system evaluates such an answer and
finds the gold's value, so a checker that hands it on rewards restating the problem, which reinforcement learning
would learn to do. Here the answer is refused (not equal) when its final value (the text after its last `=`, so
that `\\frac{d}{dx}(x^2) = 2x` still answers `2x`) holds an integral, a derivative, a limit, a sum or a product and
the gold holds none (a gold that is itself such an expression is compared as before).
"""

from __future__ import annotations

import re

_OPERATION = re.compile(
    r"\\(?:int|iint|iiint|oint|sum|prod|lim|partial)(?![A-Za-z])"  # LaTeX: ∫, Σ, Π, lim, ∂
    r"|\\[dt]?frac\s*\{\s*d\s*\^?\s*\d*\s*\}\s*\{\s*d\s*[A-Za-z]"  # \frac{d}{dx}, \dfrac{d^2}{dx^2}
    r"|[∫∑∏∂]|\bd/d[a-z]\b"  # Unicode and plain text
    r"|\b(?:integrate|diff|limit|Sum|Integral|Derivative|Limit|Product)\(",  # sympy and CAS spellings
)


def unevaluated_answer(gold: str, candidate: str) -> bool:
    """Whether the candidate's final value still holds an operation to carry out that the gold does not.

    >>> unevaluated_answer("1/2", r"\\int_0^1 x\\,dx"), unevaluated_answer("2x", r"\\frac{d}{dx}(x^2) = 2x")
    (True, False)
    >>> unevaluated_answer(r"\\sum_{k=1}^{n} k", r"\\sum_{k=1}^{n} k"), unevaluated_answer("6", "1 + 2 + 3")
    (False, False)
    >>> unevaluated_answer("6", r"\\sum_{k=1}^{3} k"), unevaluated_answer("6", r"\\sum_{k=1}^{3} k = 6")
    (True, False)
    """
    if not _OPERATION.search(candidate):
        return False  # the common case: no operation anywhere, so no walk for the final side
    return bool(_OPERATION.search(_final_side(candidate))) and not _OPERATION.search(gold)


def _final_side(text: str) -> str:
    """The text after its last `=` outside brackets (`\\sum_{k=1}^{3} k = 6` gives ` 6`; the `=` of `k=1` is
    inside braces)."""
    depth, cut = 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "{([") - (ch in "})]")
        if ch == "=" and depth == 0:
            cut = i + 1
    return text[cut:]
