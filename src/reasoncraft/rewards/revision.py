"""A stated answer that the text takes back: "The answer is 9. Wait, actually it's 10."

`extract` asks `withdrawn(after, answer)` with the text that follows a stated or boxed answer. A completion
that changes its mind after its answer states no one final answer, as a hedge does not, so the answer found
before the change is not taken (taking the later value instead would read a guess in mid-sentence).
"""

from __future__ import annotations

import re

from .normalize import normalize_answer
from .units import read_quantity, unit_verdict

__all__ = ["withdrawn"]

# words that open a change of mind
_REVISION = re.compile(
    r"\b(?:wait|actually|correction|oops|mistake|scratch that|instead|re-?check\w*|recalculat\w*|reconsider\w*)\b"
    r"|\bno,",
    re.IGNORECASE,
)
_LATER_ITEM = re.compile(r"\\boxed\s*\{([^{}]*)\}|\$([^$]+)\$|(-?\d[\d,]*(?:\.\d+)?)")

# "A common mistake is to answer 6": a mistake described, not a change of mind
_DESCRIBED_MISTAKE = re.compile(r"\b(?:common|typical|frequent|usual|classic|easy)\s+mistakes?\b", re.IGNORECASE)


def withdrawn(after: str, answer: str) -> bool:
    """Whether `after`, the text after a stated or boxed `answer`, takes it back: a revision word ("wait",
    "actually", "no,"), then math whose last item is not the answer ("Wait, actually it's 10" after 9; not
    "Actually, let me check: 2 + 3 = 5" after 5).

    >>> withdrawn(". Wait, actually it's 10.", "9"), withdrawn(". Actually, let me check: 2 + 3 = 5.", "5")
    (True, False)
    >>> withdrawn(". So our answer is correct.", "44"), withdrawn(". Wait, that is right.", "9")
    (False, False)
    >>> withdrawn(". Wait, let me verify: $2+3=5$.", "5"), withdrawn(". Wait, actually $x = 10$.", "9")
    (False, True)
    >>> withdrawn(". A common mistake is to answer 6.", "5"), withdrawn(". My mistake, it is 6.", "5")
    (False, True)
    """
    cue = _REVISION.search(_DESCRIBED_MISTAKE.sub(" ", after) if "mistake" in after.lower() else after)
    if cue is None:
        return False
    items = list(_LATER_ITEM.finditer(after[cue.end() :]))
    if not items:
        return False
    last = next(g for g in items[-1].groups() if g is not None)
    final_side = last.rsplit("=", 1)[-1]  # "Wait, let me verify: $2+3=5$": a check ends on its value
    if normalize_answer(answer) not in {normalize_answer(last), normalize_answer(final_side)}:
        return True
    # the same number in another unit (`15 cm^2`, then `it is 15 cm^3`): normalising dropped the units (14th session)
    before, after = read_quantity(answer), read_quantity(last)
    return before is not None and after is not None and unit_verdict(before, after) is False
