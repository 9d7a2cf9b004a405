"""Evaluation metrics as pure functions of counts and answers.

- pass@1: the mean verdict over all n samples of every problem (DeepSeek-R1's "pass@1 averaged").
- pass@k: the unbiased estimator of Chen et al. 2021 (Codex), 1 - C(n-c, k) / C(n, k), from n
  samples of which c are correct, computed as a stable product.
- maj@k: majority vote (answers grouped by equivalence) over k samples; with n samples, the mean
  over the n // k disjoint blocks of k consecutive samples, so maj@n is DeepSeek-R1's cons@n.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn without replacement from n is correct.

    >>> pass_at_k(4, 1, 1), pass_at_k(4, 1, 4), round(pass_at_k(10, 3, 2), 4)
    (0.25, 1.0, 0.5333)
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n: got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def ks_up_to(n: int) -> list[int]:
    """1, 2, 4, ... up to n, with n itself last.

    >>> ks_up_to(6), ks_up_to(8), ks_up_to(1)
    ([1, 2, 4, 6], [1, 2, 4, 8], [1])
    """
    ks, k = [], 1
    while k < n:
        ks.append(k)
        k *= 2
    return ks + [n]


def majority_correct(
    answers: Sequence[str | None], correct: Sequence[bool | None], equal: Callable[[str, str], bool]
) -> bool:
    """Is the answer of the largest equivalence class correct? No answer at all counts as wrong."""
    from .scaling.core import majority_vote

    vote = majority_vote(answers, equal)
    return vote.index is not None and bool(correct[vote.index])


def maj_at_k(
    answers: Sequence[str | None], correct: Sequence[bool | None], k: int, equal: Callable[[str, str], bool]
) -> float:
    """Mean majority-vote accuracy over the len(answers) // k disjoint blocks of k samples.

    >>> maj_at_k(["1", "2", "1", "3"], [True, False, True, False], 2, str.__eq__)
    0.5
    """
    n = len(answers)
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= number of samples ({n}): got k={k}")
    blocks = n // k
    hits = [majority_correct(answers[b * k : (b + 1) * k], correct[b * k : (b + 1) * k], equal) for b in range(blocks)]
    return sum(hits) / blocks
