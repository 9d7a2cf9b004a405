"""Small helpers shared by the rewards: completion text and hedged-answer detection."""

from __future__ import annotations

import re

from .extract import all_boxed
from .normalize import MAX_ANSWER_CHARS, normalize_answer
from .statements import response_text

__all__ = ["completion_text", "is_hedged", "REPEATABLE_TAGS"]

# R1 tags that may appear at most once; repeating a block is a way to hedge
REPEATABLE_TAGS = ("<think>", "</think>", "<answer>", "</answer>")


def completion_text(completion) -> str:
    """The text of a completion: a string, or TRL's chat form `[{"role": ..., "content": ...}]`.

    >>> completion_text([{"role": "assistant", "content": "Answer: 3"}])
    'Answer: 3'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict) and "content" in completion:
        return str(completion["content"])
    if isinstance(completion, (list, tuple)) and all(isinstance(m, dict) and "content" in m for m in completion):
        return "".join(str(m["content"]) for m in completion)
    raise TypeError(
        f"a completion must be a string or a list of chat messages with 'content': got {type(completion).__name__}"
    )


def _canonical(answer: str) -> str:
    return normalize_answer(answer) if len(answer) <= MAX_ANSWER_CHARS else answer


_OR = re.compile(r"\bor\b|\\lor\b|\\vee\b", re.IGNORECASE)


def is_hedged(text: str, answer: str | None, gold: str | None = None) -> bool:
    """True when a completion offers several answers: different boxed answers, a repeated
    think or answer block, or an "A or B" answer. Hedging must not be rewarded.

    >>> is_hedged(r"\\boxed{3} or maybe \\boxed{4}", "4"), is_hedged(r"\\boxed{4} so \\boxed{4}", "4")
    (True, False)
    >>> is_hedged("<answer>2 or 3 or 5</answer>", "2 or 3 or 5")
    True
    >>> is_hedged("<answer>4</answer><answer>4</answer>", "4")
    True
    """
    if any(text.count(tag) > 1 for tag in REPEATABLE_TAGS):
        return True
    boxes = {_canonical(b) for b in all_boxed(response_text(text))}  # not drafts in the reasoning (`statements`)
    if len(boxes) > 1:
        return True
    # "A or B" hedges, unless the gold answer itself is an "or" answer
    return bool(answer and _OR.search(answer) and not (gold and _OR.search(gold)))
