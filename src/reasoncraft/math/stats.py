"""Estimators over samples: unbiased pass@k, the k grid, and a paired bootstrap interval.

- pass@1: the mean verdict over all n samples of every problem (DeepSeek-R1's "pass@1 averaged").
- pass@k: the unbiased estimator of Chen et al. 2021 (Codex), 1 - C(n-c, k) / C(n, k), from n
  samples of which c are correct, computed as a stable product.
- paired bootstrap: the mean difference of two arms over the same problems and its percentile
  confidence interval (Efron and Tibshirani 1993), resampling problems with replacement.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

__all__ = ["pass_at_k", "ks_up_to", "paired_bootstrap"]


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


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], draws: int = 10_000, seed: int = 0, level: float = 0.95
) -> dict:
    """Mean of a - b over paired items (problems) and its percentile bootstrap confidence interval.

    >>> r = paired_bootstrap([1, 1, 1, 0], [0, 1, 0, 0], draws=2000)
    >>> r["diff"], r["low"] <= r["diff"] <= r["high"]
    (0.5, True)
    """
    if len(a) != len(b) or not a:
        raise ValueError(f"paired samples need equal, non-zero lengths: got {len(a)} and {len(b)}")
    diffs = [x - y for x, y in zip(a, b)]
    rng = random.Random(seed)
    m = len(diffs)
    means = sorted(math.fsum(diffs[rng.randrange(m)] for _ in range(m)) / m for _ in range(draws))
    tail = (1.0 - level) / 2.0
    return {
        "diff": math.fsum(diffs) / m,
        "low": means[int(tail * (draws - 1))],
        "high": means[int((1.0 - tail) * (draws - 1))],
        "level": level,
        "draws": draws,
        "n": m,
    }
