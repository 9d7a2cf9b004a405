"""Set operations on written finite sets, worked out first: `\\{1,2,3\\} \\setminus \\{2\\}` is `\\{1, 3\\}`.

Math-Verify reads `\\cup` between two written sets but not `\\setminus`, `\\backslash` or (reliably) `\\cap`, and
an answer in braces without backslashes (`{1,2,3}\\backslash{1,2}`, as education checkers write sets) not at all;
so `{1,2,3}\\backslash{1,2,3,4}` was not the empty set `{}`. `evaluated_sets` works such an answer out into one
written set, so the rest of the checker compares two sets:

- every operand is a written set whose items are plain numbers (compared by exact value: `0.5` and `\\frac{1}{2}`
  are one item) or single letters (compared by name), or the empty set (`\\emptyset`, `\\varnothing`, `∅`, `{}`);
  an item of any other kind (`x+1`, which might be `1+x`) leaves the answer as it was, so no item is kept or
  dropped by a spelling;
- one operation throughout (`A \\cup B \\cup C`, `A \\setminus B \\setminus C`, worked left to right); mixed
  operations are left as written (which one binds first is a convention);
- a lone empty pair of braces (`{}`, `\\{\\}`) is the empty set, `\\emptyset`.

Nothing here evaluates its input; items are read with `exact.plain_number`.
"""

from __future__ import annotations

import re

from .exact import plain_number

__all__ = ["evaluated_sets"]

_EMPTY = re.compile(r"\\(?:emptyset|varnothing)(?![A-Za-z])|∅|\\?\{\s*\\?\}")
_OPERATION = re.compile(r"\\(?:cup|cap|setminus|smallsetminus|backslash)(?![A-Za-z])|[∪∩∖]")
_SAME = {"\\smallsetminus": "\\setminus", "\\backslash": "\\setminus", "∖": "\\setminus", "∪": "\\cup", "∩": "\\cap"}
_SET = re.compile(r"(?:\\left)?\\?\{(?P<items>.*?)(?:\\right)?\\?\}")
_LETTER = re.compile(r"[A-Za-z]")
_DELIMITERS = re.compile(r"^\s*\$*\s*|\s*\$*\s*$")


def _items(written: str) -> list[tuple[object, str]] | None:
    """(identity, spelling) of each item of a written set, or None when an item is neither a number nor a letter."""
    m = _EMPTY.fullmatch(written.strip())
    if m:
        return []
    m = _SET.fullmatch(written.strip())
    if m is None:
        return None
    parts = _top_level_items(m.group("items"))
    if parts is None:
        return None
    items = []
    for item in parts:
        number = plain_number(item)
        if number is not None and not number.percent:
            items.append((number.value, item))
        elif _LETTER.fullmatch(item):
            items.append((item, item))
        else:
            return None
    return items


def _top_level_items(inside: str) -> list[str] | None:
    """`inside` split at its commas outside braces (`\\frac{1}{2}, 3`), or None when its braces do not balance."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inside):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return None
        if ch == "," and depth == 0:
            parts.append(inside[start:i].strip())
            start = i + 1
    parts.append(inside[start:].strip())
    return parts if depth == 0 else None


def _apply(operation: str, left: list, right: list) -> list:
    right_keys = {key for key, _ in right}
    if operation == "\\cup":
        return left + [(key, s) for key, s in right if key not in {k for k, _ in left}]
    if operation == "\\cap":
        return [(key, s) for key, s in left if key in right_keys]
    return [(key, s) for key, s in left if key not in right_keys]


def evaluated_sets(answer: str) -> str:
    """`answer` with its set operations worked out (see the module docstring), or unchanged.

    >>> evaluated_sets(r"\\{1,2,3\\} \\setminus \\{2\\}"), evaluated_sets("{1,2,3}\\\\backslash{1,2,3,4}")
    ('\\\\{1, 3\\\\}', '\\\\emptyset')
    >>> evaluated_sets(r"\\{1,2\\} \\cap \\{2, 5\\}"), evaluated_sets("{}")
    ('\\\\{2\\\\}', '\\\\emptyset')
    >>> evaluated_sets(r"\\{x+1\\} \\setminus \\{1+x\\}")  # items that are not numbers or letters: as written
    '\\\\{x+1\\\\} \\\\setminus \\\\{1+x\\\\}'
    """
    text = _DELIMITERS.sub("", answer)
    if _EMPTY.fullmatch(text):
        return "\\emptyset"
    operations = [_SAME.get(m.group(0), m.group(0)) for m in _OPERATION.finditer(text)]
    if not operations or len(set(operations)) > 1:
        return answer
    operands = [_items(part) for part in _OPERATION.split(text)]
    if any(items is None for items in operands):
        return answer
    result = operands[0]
    for right in operands[1:]:
        result = _apply(operations[0], result, right)
    seen: dict[object, str] = {}
    for key, spelling in result:
        seen.setdefault(key, spelling)
    return "\\{" + ", ".join(seen.values()) + "\\}" if seen else "\\emptyset"
