"""Text a reader cannot see is not read; text a reader sees in colour or overlapped is (fourteenth session, attacks).

A rendered answer hides some of its source: `\\phantom{6}5` shows 5 (the phantom only takes the room of a 6),
`{\\color{white}6}5` shows 5 on a white page, and `\\scalebox{0}{6}` shows nothing. The first round of attacks
refused every such answer (the stricter reading), which also refused honest styling (`\\textcolor{red}{5}`,
`\\color{blue}5`) and let a hidden box next to a visible one read as a second answer. `visible_text` reads the
source as a reader sees it:

- removed: `\\phantom`, `\\hphantom`, `\\vphantom` with their argument; `\\textcolor` / `\\mathcolor` in an
  invisible colour (`white`, `transparent`, `[rgb]{1,1,1}`, `[HTML]{FFFFFF}`, `[gray]{1}`) with their argument;
  `\\color{white}` with what it colours (to the end of its group, or to the next `\\color`); `\\scalebox{0}` and
  `\\resizebox{0pt}` with their argument;
- kept, the command dropped: a visible colour (`\\textcolor{red}{5}` is 5), `\\smash`, and the overlap boxes
  `\\llap`, `\\rlap`, `\\clap`, `\\mathllap`, `\\mathrlap`, `\\mathclap` (their text is printed, on top of its
  neighbour: `\\llap{6}5` reads 65, not 5); `\\tiny` and other sizes are visible text and are left alone.

Characters that print nothing (zero-width spaces and joiners, direction marks, variation selectors) are removed:
`1\\u200b2` shows 12. Fullwidth punctuation and letters are read as ASCII, as fullwidth digits already were. A
bidirectional override or isolate (`\\u202e56\\u202c` shows 65) is no answer at all (`reordered_text`).

So `\\phantom{6}5` is 5 (equal to 5, not to 6), and a hidden box never makes a wrong visible answer right: what is
hidden is gone, so `\\boxed{6}\\phantom{\\boxed{5}}` answers 6, and `{\\color{white}\\boxed{5}}` alone answers nothing.
"""

from __future__ import annotations

import re

__all__ = ["visible_text", "reordered_text"]

# characters that print nothing: zero-width spaces and joiners, the word joiner, the byte-order mark, the
# left-to-right and right-to-left marks, variation selectors (`5\ufe0f`); `1\u200b2` shows 12
_NO_WIDTH = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x200E, 0x200F, *range(0xFE00, 0xFE10)])
# fullwidth ASCII punctuation and letters (`（1,2）`) as ASCII, as fullwidth digits already were
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_INVISIBLE_CHARS = re.compile("[\u200b-\u200f\u2060\ufeff\ufe00-\ufe0f\uff01-\uff5e]")
# overrides, embeddings and isolates reorder what follows: `\u202e56\u202c` shows 65, so no reading is safe
_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")

_COMMAND = re.compile(
    r"\\(?P<name>[hv]?phantom|textcolor|mathcolor|color|scalebox|resizebox|smash|(?:math)?[lrc]lap)(?![A-Za-z])\s*"
)
_OPTION = re.compile(r"\[[^\[\]{}]*\]\s*")
_INVISIBLE = re.compile(
    r"\s*(?:white|transparent|(?:\[rgb\])?\{?\s*1\s*,\s*1\s*,\s*1\s*\}?|\[RGB\]\{?\s*255\s*,\s*255\s*,\s*255\s*\}?"
    r"|\[HTML\]\{?\s*F{6}\s*\}?|\[gray\]\{?\s*1\s*\}?|#F{3}(?:F{3})?)\s*",
    re.IGNORECASE,
)
# a bare group left empty by what it hid (`{\\color{white}6}5`), not an argument (`\\frac{1}{ }`, `x^{ }`)
_EMPTY_GROUP = re.compile(r"(?<![\\\w}^_\]])\{\s*\}")
_ZERO = re.compile(r"\s*[-+]?0*\.?0*\s*(?:pt|em|ex|cm|mm|in|bp|px)?\s*")


def _closers(text: str) -> dict[int, int]:
    """For each `{` (not `\\{`) that is closed, the index of its `}`: one pass, so no search rescans the text."""
    stack, pairs = [], {}
    for k, c in enumerate(text):
        if c in "{}" and (k == 0 or text[k - 1] != "\\"):
            if c == "{":
                stack.append(k)
            elif stack:
                pairs[stack.pop()] = k
    return pairs


class _Reader:
    """The source and its brace pairs, read command by command."""

    def __init__(self, text: str):
        self.text, self.pairs = text, _closers(text)

    def group(self, start: int) -> tuple[int, int] | None:
        """The `{...}` group opening at `start` (spaces skipped) as (its `{`, the index after its `}`), or None."""
        while start < len(self.text) and self.text[start] == " ":
            start += 1
        close = self.pairs.get(start)
        return None if close is None else (start, close + 1)

    def inner(self, group: tuple[int, int]) -> str:
        return self.text[group[0] + 1 : group[1] - 1]

    def switch_end(self, start: int) -> int:
        """Where a colour switch at `start` stops: the `}` of its group, or the next `\\color` at its depth."""
        text, k = self.text, start
        while k < len(text):
            if text[k] == "{" and k in self.pairs:
                k = self.pairs[k] + 1
                continue
            if text[k] == "}" and (k == 0 or text[k - 1] != "\\"):
                return k
            if text.startswith("\\color", k) and not text[k + 6 : k + 7].isalpha():
                return k
            k += 1
        return len(text)


def _one_command(r: _Reader, m: re.Match) -> tuple[str, int, int] | None:
    """What the command matched at `m` does: ("hide", end of what it hides, _) or ("keep", start, end of the group
    whose text stays); None when it is not well formed (then it is left as written)."""
    text, name, pos = r.text, m.group("name"), m.end()
    option = _OPTION.match(text, pos)
    model = option.group(0) if option else ""
    pos = option.end() if option else pos
    first = r.group(pos)
    if first is None:
        return None
    if name.endswith("phantom"):
        return "hide", first[1], 0
    if name == "smash" or name.endswith("lap"):
        return "keep", first[0], first[1]
    spec = model + r.inner(first)
    if name == "color":  # a switch: it colours the rest of its group
        return ("hide", r.switch_end(first[1]), 0) if _INVISIBLE.fullmatch(spec) else ("hide", first[1], 0)
    second = r.group(first[1])
    if second is None:
        return None
    if name == "resizebox":  # `\\resizebox{width}{height}{text}`
        third = r.group(second[1])
        if third is None:
            return None
        if _ZERO.fullmatch(spec) or _ZERO.fullmatch(r.inner(second)):
            return "hide", third[1], 0
        return "keep", third[0], third[1]
    hidden = _ZERO.fullmatch(spec) if name == "scalebox" else _INVISIBLE.fullmatch(spec)
    return ("hide", second[1], 0) if hidden else ("keep", second[0], second[1])


def visible_text(text: str) -> str:
    """`text` as a reader sees it rendered (see the module docstring); unchanged when it hides or styles nothing.

    >>> visible_text(r"\\phantom{6}5"), visible_text(r"{\\color{white}6}5"), visible_text(r"\\textcolor{red}{5}")
    (' 5', ' 5', '5')
    >>> visible_text(r"\\boxed{6}\\textcolor{white}{\\boxed{5}}"), visible_text(r"\\llap{6}5")
    ('\\\\boxed{6} ', '65')
    >>> visible_text(r"\\color{white}{6}\\color{black}5"), visible_text(r"\\scalebox{0}{6}5")
    ('  5', ' 5')
    """
    if _INVISIBLE_CHARS.search(text):
        text = text.translate(_NO_WIDTH).translate(_FULLWIDTH)
    if "\\" not in text or not _COMMAND.search(text):
        return text
    r = _Reader(text)
    cut: list[tuple[int, int, str]] = []  # (start, end, what stands there instead), in order, never overlapping
    pos = 0
    while (m := _COMMAND.search(text, pos)) is not None:
        done = _one_command(r, m)
        if done is None:
            pos = m.end()
        elif done[0] == "hide":
            cut.append((m.start(), done[1], " "))
            pos = done[1]
        else:  # the command and its braces go, its text stays and is read on (it may hide or style more)
            _, open_at, end = done
            cut.append((m.start(), open_at + 1, ""))
            cut.append((end - 1, end, ""))
            pos = open_at + 1
    cut.sort()
    out, pos = [], 0
    for start, end, instead in cut:
        out += [text[pos:start], instead]
        pos = end
    return _EMPTY_GROUP.sub(" ", "".join(out) + text[pos:])


def reordered_text(text: str) -> bool:
    """Whether `text` holds a bidirectional override, embedding or isolate, which shows its digits in another order
    than they are written (`\u202e56\u202c` shows 65): an answer that cannot be read as written.

    >>> reordered_text("\u202e56\u202c"), reordered_text("56")
    (True, False)
    """
    return bool(_REORDERING.search(text))
