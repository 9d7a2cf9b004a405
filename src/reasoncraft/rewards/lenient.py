"""Lenient accuracy and strict-format failures: telling "learned the answer format" from "learned to be right".

Strict accuracy (`accuracy`) reads the answer only where the format puts it (`<answer>`, `\\boxed{}`,
"Answer:"), so a model that computes the right number but never writes it in the expected place
scores 0. Two measures separate the two skills:

- `lenient_accuracy`: the answer is the strict extraction when there is one, else the last number
  or math expression anywhere in the completion (`last_expression`), checked against the gold
  answer with `math_equal`'s checker (`checker.math_verdicts`, via `math.score_answers`). Hedged
  completions (several different boxed answers, repeated blocks) still score 0.
- `is_format_failure`: no answer can be read by the task's strict rule (`extract_answer`, or the
  task's own `Task.extract`).

Why the strict answer comes first, rather than the last number of every completion: a well-formed
completion that adds a number after its answer (`\\boxed{42}, found in 3 steps`) keeps its verdict,
so lenient accuracy is strict accuracy plus the right answers among format failures; on the
completions the strict rule can read, the two agree by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .base import register_reward
from .extract import all_boxed, extract_answer
from .math import score_answers
from .text import completion_text

__all__ = ["last_expression", "lenient_answer", "lenient_accuracy_reward", "is_format_failure"]

# Math spans as models write them: $...$, $$...$$, \(...\), \[...\]; contents must not be empty.
_MATH_SPANS = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
# A plain number, with thousands commas, a decimal part, a sign, or a simple fraction (3/4).
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?(?![\w])|(?<![\w.])-?\.\d+")


def _boxed_spans(text: str) -> list[tuple[int, str]]:
    """(end position, content) of each `\\boxed{}` / `\\fbox{}` answer."""
    spans = []
    for m in re.finditer(r"\\(?:boxed|fbox)(?![A-Za-z])", text):
        boxes = all_boxed(text[m.start() :])
        if boxes:
            content = boxes[0]
            spans.append((text.find(content, m.end()) + len(content) + 1, content))
    return spans


def last_expression(text: str) -> str | None:
    """The last number or math expression anywhere in `text` (a `\\boxed{}`, a `$...$`/`\\(...\\)`
    span, or a plain number), whichever ends last; None when there is none.

    >>> last_expression("Adding 17 and 25 we get 42 apples.")
    '42'
    >>> last_expression("so the ratio is $\\\\frac{3}{4}$, done"), last_expression("half: 1/2")
    ('\\\\frac{3}{4}', '1/2')
    >>> last_expression("It costs 1,250 dollars"), last_expression("no numbers here")
    ('1250', None)
    """
    found: list[tuple[int, str]] = []
    for m in _MATH_SPANS.finditer(text):
        content = next(g for g in m.groups() if g is not None).strip()
        if content:
            found.append((m.end(), content))
    for m in _NUMBER.finditer(text):
        found.append((m.end(), m.group(0).replace(",", "").replace(" ", "")))
    found.extend(_boxed_spans(text))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1]


def lenient_answer(text: str, extract: Callable[[str], str | None] = extract_answer) -> str | None:
    """The strict answer when `extract` finds one, else `last_expression`.

    >>> lenient_answer("Answer: 42\\nThat took 3 steps."), lenient_answer("17 + 25 = 42")
    ('42', '42')
    """
    return extract(text) or last_expression(text)


@register_reward("lenient_accuracy")
def lenient_accuracy_reward(completions: Sequence, answer: Sequence | None = None, **fields) -> list:
    """1.0 when the lenient answer (`lenient_answer`) equals the gold `answer`, 0.0 otherwise; None
    without a gold answer; a RewardFailure when the checker failed.

    >>> lenient_accuracy_reward(["17 + 25 = 42", "Answer: 41", "so it is $\\\\frac{1}{2}$", "I give up"],
    ...                         answer=["42", "42", "0.5", "3"])
    [1.0, 0.0, 1.0, 0.0]
    """
    return score_answers(completions, answer, lenient_answer)


def is_format_failure(completion, extract: Callable[[str], str | None] = extract_answer) -> bool:
    """True when the strict rule `extract` (default `extract_answer`; pass a task's `Task.extract`)
    reads no answer from the completion.

    >>> is_format_failure("17 + 25 = 42"), is_format_failure("<think>17 + 25</think><answer>42</answer>")
    (True, False)
    >>> is_format_failure("Answer:")
    True
    """
    answer = extract(completion_text(completion))
    return answer is None or not str(answer).strip()


lenient_accuracy_reward.extract = lenient_answer  # how it reads the answer (as gsm8k_accuracy's `extract`)
