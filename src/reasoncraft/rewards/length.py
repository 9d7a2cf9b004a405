"""Length shaping: DAPO's soft overlong punishment, the one implementation the trainer and rewards share.

Yu et al. 2025 (DAPO, eq. 13): a completion of L tokens, under a limit L_max with a buffer of
L_cache tokens before it, gets

    0                              if L <= L_max - L_cache
    ((L_max - L_cache) - L) / L_cache   if L_max - L_cache < L <= L_max
    -1                             if L > L_max

added to its reward, so a model learns to finish before it is cut off without the hard cliff of
scoring every truncated sample as wrong. `train/grpo.py` applies it from the config
(`overlong_buffer`); `make_overlong_reward` is the same penalty as a reward function under the
contract, for other trainers (TRL passes `completion_ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["overlong_penalty", "overlong_penalties", "make_overlong_reward"]


def _check(max_tokens: int, buffer_tokens: int) -> None:
    if not 0 < buffer_tokens <= max_tokens:
        raise ValueError(
            f"need 0 < buffer_tokens <= max_tokens for the overlong penalty: got buffer_tokens={buffer_tokens} "
            f"and max_tokens={max_tokens}"
        )


def overlong_penalty(n_tokens: int, max_tokens: int, buffer_tokens: int) -> float:
    """DAPO's soft overlong punishment of one completion of `n_tokens` tokens.

    >>> [overlong_penalty(n, max_tokens=20, buffer_tokens=4) for n in (10, 16, 18, 20, 25)]
    [0.0, 0.0, -0.5, -1.0, -1.0]
    """
    _check(max_tokens, buffer_tokens)
    soft_start = max_tokens - buffer_tokens
    if n_tokens <= soft_start:
        return 0.0
    if n_tokens <= max_tokens:
        return (soft_start - n_tokens) / buffer_tokens
    return -1.0


def overlong_penalties(lengths: Sequence[int], max_tokens: int, buffer_tokens: int) -> list[float]:
    """`overlong_penalty` of each length.

    >>> overlong_penalties([3, 7, 12], max_tokens=10, buffer_tokens=4)
    [0.0, -0.25, -1.0]
    """
    _check(max_tokens, buffer_tokens)
    return [overlong_penalty(int(n), max_tokens, buffer_tokens) for n in lengths]


def make_overlong_reward(max_tokens: int, buffer_tokens: int) -> Callable[..., list[float]]:
    """The overlong penalty as a reward function. Needs the per-completion token counts as
    `completion_ids=[[...], ...]` (TRL passes these) or `completion_tokens=[int, ...]`.
    `completions` may be left out, as in TRL's keyword call `reward(completion_ids=...)` (open-r1's
    `soft_overlong_punishment` takes only the ids); when given it must align with the counts.

    >>> overlong = make_overlong_reward(max_tokens=100, buffer_tokens=20)
    >>> overlong(["a", "b", "c", "d"], completion_tokens=[50, 80, 90, 120])
    [0.0, 0.0, -0.5, -1.0]
    >>> overlong(completion_ids=[[1] * 50, [1] * 90, [1] * 110])
    [0.0, -0.5, -1.0]
    """
    _check(max_tokens, buffer_tokens)

    def overlong_reward(
        completions: Sequence | None = None, completion_ids=None, completion_tokens=None, **fields
    ) -> list[float]:
        if completion_tokens is None:
            if completion_ids is None:
                raise TypeError(
                    "overlong_reward needs completion_ids=[[...]] or completion_tokens=[...] per completion"
                )
            completion_tokens = [len(ids) for ids in completion_ids]
        if completions is not None and len(completion_tokens) != len(completions):
            raise ValueError(f"{len(completion_tokens)} token counts for {len(completions)} completions")
        return overlong_penalties(completion_tokens, max_tokens, buffer_tokens)

    return overlong_reward
