"""Shaping rewards from the open-r1 reward set: step markers, length-scaled correctness, Kimi's length
penalty and the n-gram repetition penalty. Each is a pure function under the contract in `base`.

- `reasoning_steps` (open-r1's heuristic; no paper): min(1, m / 3), m the number of step markers
  ("Step 2:", a numbered line "2.", a "-" or "*" bullet line, "First,", "Second,", "Next,", "Finally,").
  open-r1's pattern anchors "2." only at the very start of the text (no MULTILINE flag); here a
  numbered item counts at the start of any line, as its docstring intends.
- `cosine` (Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs", arXiv 2502.03373): with
  CosFn(t, T, eta_min, eta_max) = eta_min + (eta_max - eta_min) (1 + cos(t pi / T)) / 2, a completion
  of length L_gen under L_max scores CosFn(L_gen, L_max, r_L^c, r_0^c) when correct and
  CosFn(L_gen, L_max, r_L^w, r_0^w) when wrong (r_0 is the reward at length 0, r_L at L_max), and
  r_e when it reaches L_max and r_e is set. Short right answers earn most, short wrong ones lose
  most. Departure from open-r1: there cos keeps turning past L_max (a completion of 2 L_max scores
  like an empty one); here L_gen is clipped to L_max.
- `length` (Kimi k1.5, Kimi Team 2025, arXiv 2501.12599): over the k completions of one problem, with
  lambda_i = 0.5 - (len_i - min_len) / (max_len - min_len), a correct completion scores lambda_i and a
  wrong one min(0, lambda_i); all 0 when every length is equal. It needs the group, see below.
- `repetition_penalty` (Yeo et al. 2025, appendix C.2): (1 - distinct n-grams / n-grams) * P_max with
  P_max <= 0, over lower-cased whitespace words; 0 for text shorter than n words.

Correctness (`cosine`, `length`) is `accuracy`'s verdict (`math.score_answers`): a completion with no
gold answer scores None, a checker failure is a `RewardFailure`, never a length-only score.
open-r1 instead counts an unparseable gold as correct (`length`) or scores it 1.0 (`cosine`).

Length unit: tokens when the caller passes `completion_ids=[[...]]` (TRL does) or
`completion_tokens=[n, ...]`, else characters of the completion text (what open-r1 measures, and all
that reasoncraft's GRPO trainer passes). `length` normalises by the group's range, so the unit only
changes its values slightly; `cosine`'s L_max is in the unit chosen by `make_cosine_reward(unit=)`.

The group (Kimi's k samples of one problem): completions are grouped by their `prompts` field (TRL
passes it) or else their `question` field (every reasoncraft caller passes it: `Task.scoring_fields`,
used by `sampling.sample_and_score` for evaluation and GRPO alike), so a batch of B problems times G
samples gets B groups; without either field the whole call is one group (`Task.score_many` on one
problem). Two problems with the same question text share a group. open-r1 takes min and max over the
whole batch, mixing problems.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .base import RewardFn, is_failure, register_reward, register_reward_family
from .math import score_answers
from .text import completion_text

__all__ = [
    "reasoning_steps_reward",
    "cosine_scaled",
    "make_cosine_reward",
    "cosine_reward",
    "kimi_length_rewards",
    "length_reward",
    "repetition_penalty",
    "make_repetition_penalty_reward",
    "repetition_penalty_reward",
    "completion_lengths",
]

# -- reasoning steps ------------------------------------------------------------------------------

_STEP_MARKERS = re.compile(r"Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,", re.MULTILINE)


@register_reward("reasoning_steps")
def reasoning_steps_reward(completions: Sequence, **fields) -> list[float]:
    """min(1, markers / 3): full credit from three step markers on.

    >>> reasoning_steps_reward(["Step 1: add\\nStep 2: carry\\nStep 3: done", "First, add. Finally, stop.",
    ...                         "1. add\\n2. carry", "just the answer"])
    [1.0, 0.6666666666666666, 0.6666666666666666, 0.0]
    """
    return [min(1.0, len(_STEP_MARKERS.findall(completion_text(c))) / 3) for c in completions]


# -- lengths --------------------------------------------------------------------------------------


def completion_lengths(completions: Sequence, completion_ids=None, completion_tokens=None) -> tuple[list[int], str]:
    """Each completion's length and its unit: token counts when given, else characters.

    >>> completion_lengths(["abc", "de"]), completion_lengths(["abc", "de"], completion_ids=[[5], [6, 7]])
    (([3, 2], 'chars'), ([1, 2], 'tokens'))
    """
    if completion_tokens is None and completion_ids is not None:
        completion_tokens = [len(ids) for ids in completion_ids]
    if completion_tokens is not None:
        if len(completion_tokens) != len(completions):
            raise ValueError(
                f"{len(completion_tokens)} token counts for {len(completions)} completions; they must align"
            )
        return [int(n) for n in completion_tokens], "tokens"
    return [len(completion_text(c)) for c in completions], "chars"


def _correctness(completions: Sequence, answer) -> list:
    """1.0 / 0.0 / None / RewardFailure per completion: the accuracy reward's verdict."""
    if answer is None:
        raise TypeError("this reward needs the gold answers: pass answer=[...] with one entry per completion")
    return score_answers(completions, answer)


# -- cosine (Yeo et al. 2025) -----------------------------------------------------------------------


def cosine_scaled(length: float, max_len: float, value_at_zero: float, value_at_max: float) -> float:
    """CosFn: `value_at_zero` at length 0, `value_at_max` at `max_len` and beyond, a half cosine between.

    >>> [round(cosine_scaled(t, 100, 1.0, 0.5), 4) for t in (0, 50, 100, 150)]
    [1.0, 0.75, 0.5, 0.5]
    """
    t = min(max(length, 0.0), max_len)
    return value_at_max + 0.5 * (value_at_zero - value_at_max) * (1.0 + math.cos(t * math.pi / max_len))


def make_cosine_reward(
    max_len: int = 1000,
    correct_at_zero: float = 1.0,
    correct_at_max: float = 0.5,
    wrong_at_zero: float = -1.0,
    wrong_at_max: float = -0.5,
    exceed: float | None = None,
    unit: str = "chars",
) -> RewardFn:
    """Yeo et al.'s cosine length-scaled correctness reward (see the module docstring).

    Defaults are open-r1's function defaults (r_0^c = 1, r_L^c = 0.5, r_0^w = -1, r_L^w = -0.5, L_max =
    1000 characters); `exceed` is r_e for completions of L_max or more (None: no special case);
    `unit="tokens"` measures L_gen in tokens and then needs `completion_ids` or `completion_tokens`.

    >>> reward = make_cosine_reward(max_len=100)
    >>> [round(r, 3) for r in reward(["Answer: 4", "Answer: 5", "Answer: 4" + " " * 91], answer=["4"] * 3)]
    [0.99, -0.99, 0.5]
    """
    if max_len <= 0:
        raise ValueError(f"max_len must be > 0: got {max_len}")
    if unit not in ("chars", "tokens"):
        raise ValueError(f"unit must be 'chars' or 'tokens': got {unit!r}")

    def cosine_reward(
        completions: Sequence, answer=None, completion_ids=None, completion_tokens=None, **fields
    ) -> list:
        if unit == "tokens" and completion_ids is None and completion_tokens is None:
            raise TypeError(
                "a cosine reward with unit='tokens' needs completion_ids=[[...]] or completion_tokens=[...]"
            )
        ids, tokens = (completion_ids, completion_tokens) if unit == "tokens" else (None, None)
        lengths, _ = completion_lengths(completions, ids, tokens)
        out: list = []
        for verdict, length in zip(_correctness(completions, answer), lengths):
            if verdict is None or is_failure(verdict):
                out.append(verdict)
            elif exceed is not None and length >= max_len:
                out.append(float(exceed))
            elif verdict >= 1.0:
                out.append(cosine_scaled(length, max_len, correct_at_zero, correct_at_max))
            else:
                out.append(cosine_scaled(length, max_len, wrong_at_zero, wrong_at_max))
        return out

    return cosine_reward


cosine_reward: RewardFn = register_reward("cosine")(make_cosine_reward())


# -- Kimi k1.5 length penalty ------------------------------------------------------------------------


def kimi_length_rewards(lengths: Sequence[float], correct: Sequence[bool]) -> list[float]:
    """Kimi k1.5's length reward of one group of completions of the same problem.

    >>> kimi_length_rewards([10, 20, 30, 10], [True, True, True, False])
    [0.5, 0.0, -0.5, 0.0]
    >>> kimi_length_rewards([7, 7], [True, False])
    [0.0, 0.0]
    """
    if len(lengths) != len(correct):
        raise ValueError(f"{len(lengths)} lengths for {len(correct)} verdicts; they must align")
    if not lengths:
        return []
    shortest, longest = min(lengths), max(lengths)
    if shortest == longest:
        return [0.0] * len(lengths)
    out = []
    for length, ok in zip(lengths, correct):
        lam = 0.5 - (length - shortest) / (longest - shortest)
        out.append(lam if ok else min(0.0, lam))
    return out


def _group_keys(n: int, prompts, question) -> list:
    key_field = prompts if prompts is not None else question
    if key_field is None:
        return [0] * n
    if len(key_field) != n:
        raise ValueError(f"{len(key_field)} prompts/questions for {n} completions; they must align")
    return [repr(k) for k in key_field]  # TRL's chat prompts are lists of dicts: not hashable as they are


@register_reward("length")
def length_reward(
    completions: Sequence,
    answer=None,
    prompts=None,
    question=None,
    completion_ids=None,
    completion_tokens=None,
    **fields,
) -> list:
    """Kimi k1.5's length penalty, computed within each problem's group (see the module docstring).

    A completion without a gold answer scores None and one the checker failed on a RewardFailure;
    both are left out of their group's min and max.

    >>> length_reward(["Answer: 4", "Some thought. Answer: 4", "Much more thought here. Answer: 4"], answer=["4"] * 3)
    [0.5, -0.08333333333333337, -0.5]
    >>> length_reward(["Answer: 4", "Answer: 5", "x", "After a long thought, Answer: 9"],
    ...               answer=["4", "4", "9", "9"], question=["q1", "q1", "q2", "q2"])
    [0.0, 0.0, 0.0, -0.5]
    """
    lengths, _ = completion_lengths(completions, completion_ids, completion_tokens)
    verdicts = _correctness(completions, answer)
    out: list = list(verdicts)  # None and failures stay as they are
    groups: dict = {}
    for i, key in enumerate(_group_keys(len(lengths), prompts, question)):
        if verdicts[i] is not None and not is_failure(verdicts[i]):
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        rewards = kimi_length_rewards([lengths[i] for i in members], [verdicts[i] >= 1.0 for i in members])
        for i, r in zip(members, rewards):
            out[i] = r
    return out


# -- n-gram repetition penalty (Yeo et al. 2025, appendix C.2) ----------------------------------------


def repetition_penalty(text: str, ngram_size: int = 3, max_penalty: float = -1.0) -> float:
    """(1 - distinct / total word n-grams) * max_penalty, over lower-cased whitespace-split words.

    >>> repetition_penalty("this is a this is a test", ngram_size=2)  # 4 distinct of 6 bigrams
    -0.33333333333333337
    >>> repetition_penalty("A B C D", ngram_size=3), repetition_penalty("two words", ngram_size=3)
    (0.0, 0.0)
    """
    words = text.lower().split()
    if len(words) < ngram_size:
        return 0.0
    ngrams = [tuple(words[i : i + ngram_size]) for i in range(len(words) - ngram_size + 1)]
    distinct = len(set(ngrams))
    return 0.0 if distinct == len(ngrams) else (1.0 - distinct / len(ngrams)) * max_penalty


def make_repetition_penalty_reward(ngram_size: int = 3, max_penalty: float = -1.0) -> RewardFn:
    """The repetition penalty as a reward; defaults are open-r1's (3-grams, P_max = -1).

    Words are split on whitespace, so scripts written without spaces (Chinese, Japanese) count as
    one word per run of text; open-r1 segments Chinese with jieba, which reasoncraft does not depend on.

    >>> make_repetition_penalty_reward(2)(["this this this this this", ""])
    [-0.75, 0.0]
    """
    if ngram_size < 1:
        raise ValueError(f"ngram_size must be >= 1: got {ngram_size}")
    if max_penalty > 0:
        raise ValueError(f"max_penalty must be <= 0 (it is a penalty): got {max_penalty}")

    def repetition_penalty_reward(completions: Sequence, **fields) -> list[float]:
        return [repetition_penalty(completion_text(c), ngram_size, max_penalty) for c in completions]

    repetition_penalty_reward.__qualname__ = f"repetition_penalty_reward[{ngram_size}]"
    return repetition_penalty_reward


def _repetition_family(setting: str) -> RewardFn:
    if not setting.isdigit() or int(setting) < 1:
        raise ValueError(f"the setting is the n-gram size, a whole number >= 1 (repetition_penalty:4): got {setting!r}")
    return make_repetition_penalty_reward(int(setting))


repetition_penalty_reward: RewardFn = register_reward("repetition_penalty")(make_repetition_penalty_reward())
register_reward_family("repetition_penalty", _repetition_family)
