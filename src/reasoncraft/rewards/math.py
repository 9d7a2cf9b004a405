"""The accuracy reward: extract the final answer and check it against the gold answer.

`accuracy_reward(completions, answer=[...])` scores 1.0 when the extracted answer equals the gold
answer (`checker.math_verdicts`, batched), 0.0 when it is wrong, missing, or hedged (several
different boxed answers, a repeated think/answer block, "A or B"), `None` when there is no gold answer, and a
`RewardFailure` when the checker could not decide. `gsm8k_accuracy_reward` falls back to the last
number in the text, as GSM8K's own scorer does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .base import RewardFailure, register_reward
from .checker import math_verdicts
from .extract import extract_answer, last_number
from .statements import all_equal, stated_answers
from .text import completion_text, is_hedged

__all__ = ["accuracy_reward", "gsm8k_accuracy_reward", "score_answers"]


def _gold_list(answer, n: int) -> list:
    if answer is None:
        raise TypeError("accuracy needs the gold answers: pass answer=[...] with one entry per completion")
    if isinstance(answer, (str, int, float)):
        raise TypeError("answer must be a list with one gold answer per completion, not a single value")
    if len(answer) != n:
        raise ValueError(f"answer has {len(answer)} entries for {n} completions; they must align")
    return list(answer)


def score_answers(
    completions: Sequence, answer: Sequence, extractor: Callable[[str], str | None] = extract_answer
) -> list[float | None | RewardFailure]:
    """Extract with `extractor`, then check every extracted answer in one batch."""
    texts = [completion_text(c) for c in completions]
    golds = _gold_list(answer, len(texts))
    scores: list = [0.0] * len(texts)
    pairs, where = [], []
    for k, (text, gold) in enumerate(zip(texts, golds)):
        if gold is None:
            scores[k] = None
            continue
        stated = stated_answers(text, extractor)  # the answer, then any other the text states (`statements`)
        if not stated or is_hedged(text, stated[0], str(gold)):
            continue
        pairs += [(str(gold), answer) for answer in stated]
        where += [k] * len(stated)
    verdicts: dict[int, list] = {}
    for k, verdict in zip(where, math_verdicts(pairs)):
        verdicts.setdefault(k, []).append(verdict)
    for k, answers in verdicts.items():  # equal only when every answer stated is equal
        verdict = all_equal(answers)
        scores[k] = verdict if isinstance(verdict, RewardFailure) else (1.0 if verdict else 0.0)
    return scores


@register_reward("accuracy")
def accuracy_reward(completions: Sequence, answer: Sequence | None = None, **fields) -> list:
    """1.0 if the final answer (`<answer>` tag, else last `\\boxed{}`, else "Answer:") equals the
    gold `answer`, 0.0 otherwise; None without a gold answer; RewardFailure if the checker failed.

    >>> accuracy_reward(["... so Answer: 1/2", r"\\boxed{3} or \\boxed{4}", "no idea"], answer=["0.5", "4", "1"])
    [1.0, 0.0, 0.0]
    >>> accuracy_reward(["Answer: 7"], answer=[None])
    [None]
    """
    return score_answers(completions, answer)


def _gsm8k_extract(text: str) -> str | None:
    return extract_answer(text) or last_number(text)


@register_reward("gsm8k_accuracy")
def gsm8k_accuracy_reward(completions: Sequence, answer: Sequence | None = None, **fields) -> list:
    """Like `accuracy_reward`, falling back to the last number in the text (GSM8K convention).

    >>> gsm8k_accuracy_reward(["She has 3 + 4 = 7 apples.", "#### 1,200"], answer=["7", "1200"])
    [1.0, 1.0]
    """
    return score_answers(completions, answer, _gsm8k_extract)


gsm8k_accuracy_reward.extract = _gsm8k_extract  # how it reads the answer; Task.extract shows the same
