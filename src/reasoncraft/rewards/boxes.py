"""Finding boxed answers: `\\boxed{...}` / `\\fbox{...}` groups with nested and escaped braces, `\\boxed 7`, and a box
that never closes. Used by the extractor (`extract.py`) and the rewards that read boxes."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["all_boxed", "box_spans", "braced", "last_boxed", "unclosed_box"]

_BOX_COMMANDS = ("\\boxed", "\\fbox")
_BRACE = re.compile(r"(?<!\\)[{}]")


def braced(text: str, open_index: int) -> tuple[str, int] | None:
    """Content of the `{...}` group opening at `text[open_index]` and the index after it."""
    depth = 0
    for i in range(open_index, len(text)):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            continue  # an escaped brace: `\{` does not open or close a group
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : i], i + 1
    return None  # unbalanced: the box never closes


def _closing_braces(text: str) -> dict[int, int]:
    """Every `{` of `text` that closes, mapped to the index of its `}`, in one pass (as `braced` counts: a brace
    after a backslash does not count). The box finders look groups up here instead of scanning from each
    `\\boxed{` to the end: `\\boxed{` repeated 30,000 times without a `}` took minutes (fourteenth session)."""
    closing, stack = {}, []
    for m in _BRACE.finditer(text):
        if m.group(0) == "{":
            stack.append(m.start())
        elif stack:
            closing[stack.pop()] = m.start()
    return closing


def _group(text: str, closing: dict[int, int], open_index: int) -> tuple[str, int] | None:
    """`braced(text, open_index)`, looked up in `closing`."""
    close = closing.get(open_index)
    return None if close is None else (text[open_index + 1 : close], close + 1)


def all_boxed(text: str) -> list[str]:
    """Every `\\boxed{}` / `\\fbox{}` answer in order of appearance (nested braces respected).

    >>> all_boxed(r"so \\boxed{\\frac{1}{2}} or \\fbox{3} or \\boxed 7.")
    ['\\\\frac{1}{2}', '3', '7']
    """
    found: list[tuple[int, str]] = []
    closing = _closing_braces(text) if "{" in text else {}
    for command in _BOX_COMMANDS:
        start = 0
        while (i := text.find(command, start)) != -1:
            j = i + len(command)
            if j < len(text) and text[j].isalpha():  # `\boxedx` is another command
                start = j
                continue
            k = j
            while k < len(text) and text[k] == " ":
                k += 1
            if k < len(text) and text[k] == "{":
                group = _group(text, closing, k)
                if group is None:
                    break
                found.append((i, group[0].strip()))
                start = group[1]
            elif k > j:  # `\boxed 5`: the token after the space
                token = re.match(r"[^\s$]+", text[k:])
                if token:
                    found.append((i, token.group(0).rstrip(".,;")))
                start = k
            else:
                start = j
    return [answer for _, answer in sorted(found)]


def last_boxed(text: str) -> str | None:
    """The last boxed answer, or None.

    >>> last_boxed(r"first \\boxed{2}, finally \\boxed{\\{1, 2\\}}")
    '\\\\{1, 2\\\\}'
    >>> last_boxed("no box") is None
    True
    """
    boxes = all_boxed(text)
    return boxes[-1] if boxes else None


def unclosed_box(text: str) -> str | None:
    """The rest of the text after the last `\\boxed{` when that box never closes (a truncated or
    hand-copied answer: `\\boxed{W(n) = 1`), without trailing math delimiters; else None."""
    starts = [m.end() for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text)]
    if not starts or braced(text, starts[-1] - 1) is not None:
        return None
    rest = re.sub(r"(?:\s|\$|\\\]|\\\))+$", "", text[starts[-1] :]).strip()
    return rest or None


@lru_cache(maxsize=8)  # the readers of one completion ask for its boxes several times
def box_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, content) of every `\\boxed{}` / `\\fbox{}` group, in order."""
    spans = []
    closing = _closing_braces(text) if "{" in text else {}
    for command in _BOX_COMMANDS:
        start = 0
        while (i := text.find(command, start)) != -1:
            k = i + len(command)
            while k < len(text) and text[k] == " ":
                k += 1
            group = _group(text, closing, k) if k < len(text) and text[k] == "{" else None
            if group is None and k > i + len(command) and (token := re.match(r"[^\s${]+", text[k:])):
                group = (token.group(0).rstrip(".,;"), k + token.end())  # `\boxed 7`, as `all_boxed` reads it
            if group is None:
                start = k
                continue
            spans.append((i, group[1], group[0].strip()))
            start = group[1]
    return tuple(sorted(spans))
