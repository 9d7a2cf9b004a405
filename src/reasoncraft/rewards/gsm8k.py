"""GSM8K's answer convention: the number after `####`, else the last number of the text.

A pure function over strings, like the rest of `extract` (which re-exports it); nothing is evaluated.
"""

from __future__ import annotations

import re

__all__ = ["last_number"]

_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?|-?\$?\.\d+")


def _clean_number(token: str) -> str | None:
    token = token.replace("$", "").replace(",", "")
    if token in ("", "-"):
        return None
    return token


def last_number(text: str) -> str | None:
    """GSM8K style: the number after `####` if present, else the last number in the text.

    Thousands commas, a dollar sign and a trailing full stop are removed.

    >>> last_number("She pays $1,250.\\n#### 1,250")
    '1250'
    >>> last_number("3 apples and 4 pears make 7.")
    '7'
    >>> last_number("It costs $-0.50 now") , last_number("none")
    ('-0.50', None)
    """
    hashes = text.rfind("####")
    if hashes != -1:
        m = _NUMBER.search(text[hashes + 4 :])
        if m:
            return _clean_number(m.group(0))
    numbers = _NUMBER.findall(text)
    for token in reversed(numbers):
        cleaned = _clean_number(token)
        if cleaned is not None:
            return cleaned
    return None
