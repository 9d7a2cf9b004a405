"""Format rewards for R1-Zero style output: `<think>...</think>` then `<answer>...</answer>`.

- `format_reward`: 1.0 when the whole completion is exactly one think block followed by exactly one
  non-empty, unhedged answer block, else 0.0 (DeepSeek-R1-Zero's format reward);
- `tag_count_reward`: 0.25 for each of the four tags present exactly once; any tag present more
  than once earns 0.0 overall, so repeating blocks can never pay;
- `open_r1_format_reward` (`format_open_r1`): open-r1's rule, for runs that must compare with it.

How `format` is stricter than open-r1's `format` (and why it stays so): open-r1 matches
`^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$` from the start with re.MULTILINE, so it
(a) accepts an empty think or answer block, (b) accepts repeated blocks and "A or B" answers (the
lazy `.*?` spans extra tags), and (c) accepts any text after `</answer>` once a newline follows it
(`$` matches before every newline). Each of these lets a policy collect the format reward while
hedging or padding. It also (d) demands a newline around every tag, which reasoncraft does not:
`<think>x</think><answer>4</answer>` is well formed here and not there.

DAPO's overlong penalty is a length reward and lives in `length`.

`DEFAULT_REWARDS` names the rewards used when a recipe names none. `format_reward` judges
structure only; whether the answer is right is `accuracy`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .base import register_reward
from .extract import answer_tag
from .text import REPEATABLE_TAGS, completion_text, is_hedged

__all__ = ["format_reward", "tag_count_reward", "open_r1_format_reward", "is_well_formed", "DEFAULT_REWARDS"]

# R1-Zero's pair: the answer is right, and it comes as one think block then one answer block.
# `tag_count` is a shaping reward for small models that have not found the format yet; opt in.
DEFAULT_REWARDS = ("accuracy", "format")

_TAGS = REPEATABLE_TAGS
_R1_FORMAT = re.compile(r"<think>(?P<think>.+?)</think>\s*<answer>(?P<answer>.+?)</answer>", re.DOTALL)
_OPEN_R1_FORMAT = re.compile(r"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$", re.DOTALL | re.MULTILINE)


@register_reward("format")
def format_reward(completions: Sequence, **fields) -> list[float]:
    """1.0 for exactly `<think>reasoning</think><answer>one answer</answer>`, else 0.0.

    >>> format_reward(["<think>2+2 is 4</think>\\n<answer>4</answer>", "<answer>4</answer>",
    ...                "<think>a</think><answer>4</answer><think>b</think><answer>4</answer>"])
    [1.0, 0.0, 0.0]
    """
    return [1.0 if is_well_formed(completion_text(c)) else 0.0 for c in completions]


def is_well_formed(text: str) -> bool:
    """`format`'s rule for one completion text (`code_format` builds on it).

    >>> is_well_formed("<think>a</think><answer>4</answer>"), is_well_formed("<think></think><answer>4</answer>")
    (True, False)
    """
    text = text.strip()
    m = _R1_FORMAT.fullmatch(text)
    return (
        m is not None
        and all(text.count(tag) == 1 for tag in _TAGS)
        and m.group("think").strip() != ""
        and m.group("answer").strip() != ""
        and not is_hedged(text, answer_tag(text))
    )


@register_reward("format_open_r1")
def open_r1_format_reward(completions: Sequence, **fields) -> list[float]:
    """open-r1's format rule: 1.0 when the text starts `<think>\\n...\\n</think>\\n<answer>\\n...\\n</answer>`
    and ends there or at a newline. Looser than `format` (see the module docstring).

    >>> open_r1_format_reward(["<think>\\nx\\n</think>\\n<answer>\\n4\\n</answer>",
    ...                        "<think>x</think><answer>4</answer>",
    ...                        "<think>\\n\\n</think>\\n<answer>\\n3 or 4\\n</answer>\\nanything"])
    [1.0, 0.0, 1.0]
    """
    return [1.0 if _OPEN_R1_FORMAT.match(completion_text(c)) else 0.0 for c in completions]


@register_reward("tag_count")
def tag_count_reward(completions: Sequence, **fields) -> list[float]:
    """0.25 per R1 tag present exactly once; 0.0 if any tag is repeated.

    >>> tag_count_reward(["<think>x</think><answer>1</answer>", "<think>x</think>",
    ...                   "<think>x</think><answer>1</answer><answer>1</answer>"])
    [1.0, 0.5, 0.0]
    """
    scores = []
    for completion in completions:
        text = completion_text(completion)
        counts = [text.count(tag) for tag in _TAGS]
        scores.append(0.0 if any(c > 1 for c in counts) else 0.25 * sum(c == 1 for c in counts))
    return scores
