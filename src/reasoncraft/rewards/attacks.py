"""The answer-level rules of the fourteenth session's attacks, asked once by the checker before anything parses.

Each is a small rule by kind, in its own module with its reason: `computed` (an operation whose purpose is to be
worked out, `\\gcd(10, 15)`), `doubt` (words of doubt or of a range, a question mark, `6 = 5`) and `expansions` (a
power of a sum too costly to expand). The completion-level rules (a second answer stated elsewhere, a negated or
struck-through box, drafts in the reasoning) are in `statements`.
"""

from __future__ import annotations

from .computed import computed_answer
from .doubt import doubtful_answer
from .expansions import costly_expansion
from .hidden import reordered_text

__all__ = ["refused_answer"]


def refused_answer(gold: str, candidate: str) -> bool:
    """Whether one of the rules refuses `candidate` against `gold` (not equal, decided without parsing).

    >>> refused_answer("5", r"\\gcd(10, 15)"), refused_answer("5", r"5 \\text{ maybe } 6"), refused_answer("5", "5")
    (True, True, False)
    """
    if reordered_text(candidate) and not reordered_text(gold):  # `\u202e56\u202c` shows 65 (`hidden`)
        return True
    return computed_answer(gold, candidate) or doubtful_answer(gold, candidate) or costly_expansion(gold, candidate)
