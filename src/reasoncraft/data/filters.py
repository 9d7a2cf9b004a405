"""Rejection sampling and the readability filters DeepSeek-R1 used for its cold-start data.

DeepSeek-R1 (arXiv 2501.12948, §2.3.1 and §2.3.3) kept only correct reasoning traces and filtered out
"chain-of-thought with mixed languages, long paragraphs, and code blocks", keeping a readable format.
Each check here is a pure function of one trace; `readability_reasons` runs the configured ones and
returns why a trace fails (an empty list keeps it), so a filter report can count each reason.

- language consistency: the share of letters written in the expected script (R1's language-mixing
  problem shows as Chinese inside English reasoning); maths notation and digits do not count;
- length bounds: completion tokens within [min_tokens, max_tokens], and not cut off by the length limit;
- format: the trace has the layout its template asks for (`r1`: one think block then one answer
  block; `answer`: an "Answer:" line; `boxed`: a \\boxed{}; `none`: no check);
- repetition: a trace whose lines repeat (a degenerate loop) is unreadable whatever its answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..rewards.extract import after_answer_marker, last_boxed
from ..rewards.format import format_reward

FORMATS = ("r1", "answer", "boxed", "none")


def letter_script(char: str) -> str | None:
    """The script of a letter (LATIN, CJK, CYRILLIC, ...), None for anything that is not a letter.

    >>> letter_script("a"), letter_script("中"), letter_script("7"), letter_script("é")
    ('LATIN', 'CJK', None, 'LATIN')
    """
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if not name:
        return "UNKNOWN"
    first = name.split(" ")[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL"):
        return "CJK"
    if first in ("MATHEMATICAL", "GREEK"):  # maths letters (\alpha written as α) are not a language switch
        return None
    return first


def script_share(text: str, script: str = "LATIN") -> float:
    """Share of the letters of `text` in `script`; 1.0 for a text with no letters.

    >>> script_share("The answer is 42.")
    1.0
    >>> round(script_share("First add them 所以答案是"), 2)
    0.71
    """
    scripts = [s for s in map(letter_script, text) if s is not None]
    if not scripts:
        return 1.0
    return sum(1 for s in scripts if s == script) / len(scripts)


def repeated_line_share(text: str, min_chars: int = 20) -> float:
    """Share of the non-trivial lines (>= min_chars) that repeat an earlier line exactly.

    >>> repeated_line_share("a long enough line here\\na long enough line here\\nanother distinct line ok")
    0.3333333333333333
    """
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= min_chars]
    if not lines:
        return 0.0
    return (len(lines) - len(set(lines))) / len(lines)


def format_ok(text: str, layout: str) -> bool:
    """Whether a trace has the layout `layout` (one of FORMATS).

    >>> format_ok("<think>2+2=4</think><answer>4</answer>", "r1"), format_ok("so 4", "answer")
    (True, False)
    """
    if layout == "none":
        return True
    if layout == "r1":
        return format_reward([text])[0] == 1.0
    if layout == "answer":
        return after_answer_marker(text) is not None
    if layout == "boxed":
        return last_boxed(text) is not None
    raise ValueError(f"unknown trace format {layout!r}: use one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class Readability:
    """Which readability checks apply, with their limits."""

    script: str = "LATIN"  # expected script of the reasoning; "" turns the language check off
    min_script_share: float = 0.95
    min_tokens: int = 1
    max_tokens: int = 16384
    drop_truncated: bool = True  # a trace cut off by the token limit has no complete answer
    layout: str = "none"  # one of FORMATS
    max_repeated_line_share: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.min_script_share <= 1:
            raise ValueError(f"min_script_share must be in [0, 1]: got {self.min_script_share}")
        if not 0 <= self.min_tokens <= self.max_tokens:
            raise ValueError(f"need 0 <= min_tokens <= max_tokens: got {self.min_tokens} and {self.max_tokens}")
        if self.layout not in FORMATS:
            raise ValueError(f"layout must be one of {', '.join(FORMATS)}: got {self.layout!r}")


def readability_reasons(
    text: str,
    completion_tokens: int | None,
    finish_reason: str,
    rules: Readability,
    count_tokens: Callable[[str], int] | None = None,
) -> list[str]:
    """Why a trace fails the readability rules (empty: it passes).

    >>> readability_reasons("<think>x</think><answer>4</answer>", 5, "stop", Readability(layout="r1"))
    []
    >>> readability_reasons("答案 <answer>4</answer>", 5, "length", Readability(layout="r1"))
    ['language', 'truncated', 'format']
    """
    reasons = []
    if rules.script and script_share(text, rules.script) < rules.min_script_share:
        reasons.append("language")
    if completion_tokens is None and count_tokens is not None:
        completion_tokens = count_tokens(text)
    if completion_tokens is not None and not rules.min_tokens <= completion_tokens <= rules.max_tokens:
        reasons.append("length")
    if rules.drop_truncated and finish_reason == "length":
        reasons.append("truncated")
    if not format_ok(text, rules.layout):
        reasons.append("format")
    if repeated_line_share(text) > rules.max_repeated_line_share:
        reasons.append("repetition")
    return reasons


def rejection_reason(verdict: dict, keep_unverified: bool = False) -> str | None:
    """Rejection sampling: keep a trace the verifier judged correct; say why not otherwise.

    >>> rejection_reason({"correct": True}), rejection_reason({"correct": False}), rejection_reason({"correct": None})
    (None, 'incorrect', 'unverified')
    """
    if verdict.get("correct") is True:
        return None
    if verdict.get("correct") is None:
        return None if keep_unverified else "unverified"
    return "incorrect"
