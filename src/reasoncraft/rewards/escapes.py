"""A text escaped twice (JSON inside JSON, a raw string written with doubled backslashes) back to LaTeX; used by
`extract.final_answer` before it looks for an answer. A pure function over strings."""

from __future__ import annotations

import re

__all__ = ["undoubled"]

# `\\boxed`, `\\text`: a string escaped twice (JSON inside JSON, a raw string written with doubled
# backslashes). A LaTeX line break `\\` is followed by a space, a digit or one letter, not a command name.
_DOUBLED_BACKSLASH = re.compile(r"(?<!\\)\\\\(?=[A-Za-z]{2,})")


def undoubled(text: str) -> str:
    r"""A text escaped twice loses one level: `\\frac` -> `\frac`. When every run of backslashes has an
    even length, the whole text was escaped twice and every run is halved (a matrix row break written
    `\\\\` becomes `\\`); otherwise only doubled commands are (a once-escaped `\\` row break stays).

    >>> undoubled(r"\\begin{matrix} 1 \\\\ 2 \\end{matrix}"), undoubled(r"\begin{matrix} 1 \\ 2 \end{matrix}")
    ('\\begin{matrix} 1 \\\\ 2 \\end{matrix}', '\\begin{matrix} 1 \\\\ 2 \\end{matrix}')
    """
    if not _DOUBLED_BACKSLASH.search(text):
        return text
    if all(len(run) % 2 == 0 for run in re.findall(r"\\+", text)):
        return re.sub(r"\\+", lambda m: "\\" * (len(m.group(0)) // 2), text)
    return _DOUBLED_BACKSLASH.sub(r"\\", text)
