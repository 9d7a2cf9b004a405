"""A number stated as a bound is no answer; a number stated as an estimate is that number.

"Answer: at least 12", "more than 12 apples", "12 or more", "no more than 12", "almost 12", "not 12" (and a negated
value, "cannot be 12", "isn't 12", "anything but 12", "other than 12"; a number rejected, "12 does not work",
"12 is incorrect"; an operation in words, "half of 12", "12 squared"): the
sentence says where the value lies, not what it is, so the extractor must not hand `12` to the comparison
(against a gold 12 that would reward a hedge). `x \\ge 12` written as math stays a relation and is compared
as one. "Answer: approximately 12", "about $3.14$", "exactly 7": the word qualifies a stated value, which
is compared as usual (the decimal rules still decide whether 3.14 is close enough to the gold).
"""

from __future__ import annotations

import re

# a bound word or phrase right before the item (`$` and spaces between allowed)
_BOUND_BEFORE = re.compile(
    r"\b(?:at\s+(?:least|most)|no\s+(?:more|less|fewer|greater|larger|smaller|higher|lower)\s+than"
    r"|(?:more|less|fewer|greater|larger|bigger|smaller|higher|lower)\s+than|up\s+to|over|under|above|below"
    r"|nearly|almost|not|exceed(?:s|ing)?|beyond|upwards\s+of"
    # a negated value (fourteenth session): "cannot be 7", "must not be 7", "isn't 7", "anything but 7", "other than 7"
    r"|(?:can(?:not|'t|\s+not)|must\s+not|should\s+not|could\s+not|will\s+not|won't)\s+(?:be|equal)(?:\s+to)?"
    r"|(?:not|never)\s+(?:be|equal)(?:\s+to)?|(?:is|are|was|were|does|do)n't(?:\s+(?:be|equal)(?:\s+to)?)?"
    r"|anything\s+but|other\s+than|except(?:\s+for)?|never"
    # an operation in words on the number (fourteenth session): "half of 7", "twice 7", "the square root of 7"
    r"|half\s+of|twice|double|triple|(?:square|cube)(?:\s+root)?\s+of)[\s$]*$",
    re.IGNORECASE,
)
# ... or right after it: "12 or more", "12 and up", "12+"
_BOUND_AFTER = re.compile(
    r"^[\s$]*(?:or\s+(?:more|less|fewer|greater|larger|smaller|higher|lower|above|below|over|under)\b"
    r"|and\s+(?:up|above|over|more)\b|\+(?![\s$]*[\d\w\\(])"
    # rejected right after it or raised to a power in words (fourteenth session): "7 does not satisfy the equation",
    # "7 is incorrect", "Checking 7: it fails", "7 squared"
    r"|:?\s*(?:it\s+)?(?:does\s+not|doesn't|did\s+not|didn't|fails|failed|is\s+(?:not|incorrect|wrong)|isn't"
    r"|was\s+(?:not|incorrect|wrong)|wasn't)\b|(?:squared|cubed)\b)",
    re.IGNORECASE,
)
_ESTIMATE = re.compile(
    r"^\s*(?:approximately|approx\.?|about|around|roughly|exactly|precisely|~|≈|\\approx)\s*(?=[\d$\\.+-])",
    re.IGNORECASE,
)


def stated_as_bound(text: str, item: str) -> bool:
    """Whether the last occurrence of `item` in `text` is written as a bound on the value.

    >>> stated_as_bound("Answer: at least 12", "12"), stated_as_bound("so 12 or more apples", "12")
    (True, True)
    >>> stated_as_bound("There are 12 apples.", "12"), stated_as_bound("The least is 12", "12")
    (False, False)
    """
    at = text.rfind(item)
    if at < 0:
        return False
    return bool(_BOUND_BEFORE.search(text[:at]) or _BOUND_AFTER.match(text[at + len(item) :]))


def without_estimate_word(answer: str) -> str:
    """`answer` without a leading word that marks an estimate or stresses the value.

    >>> without_estimate_word("approximately $3.14$"), without_estimate_word("about 12")
    ('$3.14$', '12')
    >>> without_estimate_word("around")
    'around'
    """
    return _ESTIMATE.sub("", answer, count=1)
