"""A short label before an answer: "Result: -5.5", "**Output:** 12", "Final value: x = 3".

`extract.final_answer` recognises "Answer:" (and its spellings in other languages) as a marker; other words used
the same way, a label of one to three words and a colon at the start of the text or of its last line, were left
in front of the answer, so `Result: 4` read as the text `Result: 4` (no number) against 4. `after_label` drops
the label when what follows is math, never prose: `Check: 5 is wrong` keeps its words, and a hedge after a label
(`Result: 5 or 6`) stays a hedge, which the checker reads as no one answer.

A label is words of two letters or more (`x: 5` is no label, `3:4` is a ratio), with no digit (`Step 3: 12`
is one step of a working, not its result) and no verb (`the sum is: ...` is a sentence, read as prose), before
its colon; markdown bold around it is dropped. A lone dollar sign after it (`Prix : 2,74 $`) is a price in prose.
A leading "Thus,", "So", "Hence" is dropped too (`without_lead`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["after_label", "without_lead"]

_LEAD_WORD = re.compile(r"^\s*(?:thus|so|hence|therefore|then|finally)\b,?\s*", re.IGNORECASE)  # `Thus, x = 5`

_LABEL = re.compile(
    r"(?:\*\*|__)?(?P<label>[A-Za-z]{2,}(?:[ -][A-Za-z]{2,}){0,2})\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<rest>.+?)"
    r"\s*(?:\*\*|__)?\s*"
)
_VERB = re.compile(r"\b(?:is|are|was|were|be|equals?|gives?|get|gets|got|becomes?)\b", re.IGNORECASE)
_DOLLAR = re.compile(r"(?<!\\)\$")
_THEN_LINE = re.compile(r"\n\s*(?=\S[^\n]*\Z)")  # the start of the last non-empty line


def after_label(text: str, is_prose: Callable[[str], bool]) -> str | None:
    """What follows a label at the start of `text` or of its last line, when it is math (`is_prose` false);
    else None.

    >>> after_label("Result: -5.5", lambda s: False), after_label("**Output:** 12", lambda s: False)
    ('-5.5', '12')
    >>> after_label("Step 3: 12", lambda s: False), after_label("x: 5", lambda s: False)
    (None, None)
    >>> after_label("Check: 5 is wrong", lambda s: " is " in s) is None
    True
    """
    stripped = text.strip()
    lines = _THEN_LINE.split(stripped)
    for candidate in dict.fromkeys((stripped, lines[-1])):
        m = _LABEL.fullmatch(candidate)
        if m is None or _VERB.search(m.group("label")) or len(_DOLLAR.findall(m.group("rest"))) % 2:
            continue  # `the sum is: ...` is a sentence, `2,74 $` a price (a lone dollar sign)
        if "\n" not in m.group("rest") and not is_prose(m.group("rest")):
            return m.group("rest")
    return None


def without_lead(text: str, is_prose: Callable[[str], bool]) -> str:
    """`text` stripped, without a leading "Thus,"/"So"/"Hence" and without a label before math (`after_label`).

    >>> without_lead("Thus, x = 5", lambda s: False), without_lead(" Result: 7 ", lambda s: False)
    ('x = 5', '7')
    """
    text = _LEAD_WORD.sub("", text)
    return after_label(text, is_prose) or text.strip()
