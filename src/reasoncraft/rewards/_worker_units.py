"""Math-Verify's unit clean-up without the entries that are names (loaded by `_verify_worker.py`, not imported).

Math-Verify (its LaTeX normalisation, `units=True`) drops a word of its unit list that ends an answer after a
digit, `}` or a space. The list holds single letters (`c`, `t`, `h`, `s`, `m`, `g`, `d`, `l`, `o`), letter pairs
(`ab`, `bc`) and patterns of one letter, a space and any character (`a .` ... `h .`, `q .`, `s .`: the list is
joined into the pattern unescaped), so `5 - 5c` was read as 5 - 5, `x + 3t` as x + 3, `\\frac{1}{2} b h` as 1/2
and `2\\pi r h` as 2 pi r: a name at the end of a formula was lost, on both sides alike. This project reads units
before the worker (`units`, `normalize`), where a letter after a number is a product (`5 m` is 5m); so here the
unit pattern is rebuilt, in Math-Verify's own way, without those entries. Its other entries (`cm`, `kg`, `feet`,
`hour`, `apple` ...) are dropped as before.
"""

from __future__ import annotations

import re

# a single letter, a letter then ` .` (one letter, a space, any character), or two letters that are two names
_NAME_ENTRY = re.compile(r"[A-Za-z](?: \.)?|ab|bc")


def keep_names(normalization) -> int:
    """Replace `normalization.units_regex` (the module `latex2sympy2_extended.math_normalization`) by the same
    pattern without the entries that are names; return how many entries were left out (0, changing nothing, when
    the module no longer has that list and pattern: another version of Math-Verify's normalisation)."""
    units = getattr(normalization, "units", None)
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units) or not units:
        return 0
    if not hasattr(normalization, "units_regex"):
        return 0
    kept = [unit for unit in units if not _NAME_ENTRY.fullmatch(unit)]
    pattern = f"(?:{'|'.join(kept)})(?:s|es)?"
    normalization.units_regex = re.compile(f"(\\d|\\}}|\\s)\\s*(?:{pattern})\\s*$")
    return len(units) - len(kept)
