"""The unit words after a number taken from prose: `The area is 12 square inches.` answers `12 square inches`, not 12.

The extractor takes the last number of a prose answer, and the unit words after it were lost with the prose; so a
gold that states its unit (`12\\text{ ft}^2`, `60 miles per hour`, `5 meters`) equalled an answer in prose that states
another (`12 square inches`, `60 kilometers per hour`, `The rope is 5 feet long.`): only the numbers were compared.
Kept, the unit is read by `units.read_quantity` and the unit rules decide (different units are not equal; the same
unit in another spelling, or one converted exactly, still is). Found by mutating the units of right answers
(mutants14, fourteenth session). Only words the unit table knows, of two letters or more (a lone `m` or `s` after
a number in prose may be a letter or a word), never the preposition `in` (`5 in total`).
"""

from __future__ import annotations

import re

from .units import read_quantity

__all__ = ["with_unit_words"]

# up to four words after the number: `square feet`, `miles per hour`, `km/h`, `cubic centimeters`
_WORDS_AFTER = re.compile(r"\s+([A-Za-z][A-Za-z./^\d]*(?:\s+[A-Za-z][A-Za-z./^\d]*){0,3})")
_NOT_A_UNIT_START = {"in", "at", "a", "an", "am", "pm", "as", "is", "of", "or", "and", "to", "on", "by"}


def with_unit_words(text: str, item: str) -> str:
    """`item`, the answer taken from prose `text`, with the known unit words that follow it there; else `item`.

    >>> with_unit_words("The area is 12 square inches.", "12"), with_unit_words("It takes 20 minutes/day.", "20")
    ('12 \\\\text{ square inches}', '20 \\\\text{ minutes/day}')
    >>> with_unit_words("There are 5 in total.", "5"), with_unit_words("5 apples", "5"), with_unit_words("x = 5 m", "5")
    ('5', '5', '5')
    """
    at = text.rfind(item)
    if at < 0 or not re.fullmatch(r"-?[\d,]*\.?\d+", item.strip()):
        return item
    m = _WORDS_AFTER.match(text, at + len(item))
    if m is None:
        return item
    words = m.group(1).rstrip(".").split()
    if words[0].lower() in _NOT_A_UNIT_START or len(words[0].rstrip(".")) < 2:
        return item
    for n in range(len(words), 0, -1):
        unit = " ".join(words[:n]).rstrip(".")
        if read_quantity(f"{item} {unit}") is not None:
            return f"{item} \\text{{ {unit}}}"  # as a unit: bare, `minutes/day` reads as a product of letters
    return item
