"""Choosing candidates by score: argmax, top-k, best-of-N, and how surviving beams share the next step.

Ties are broken by position (the earliest candidate wins) everywhere, so a result never depends
on sort stability or on the order of a dict. NaN counts as the lowest score.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["argmax_first", "top_k_indices", "best_of_n", "expansion_counts"]


def _key(score: float) -> float:
    return float("-inf") if score != score else float(score)  # NaN -> lowest


def argmax_first(scores: Sequence[float]) -> int:
    """Index of the largest score; the earliest wins a tie. NaN counts as the lowest score.

    >>> argmax_first([0.1, 0.7, 0.7, 0.3])
    1
    """
    if len(scores) == 0:
        raise ValueError("argmax of an empty list of scores")
    best = 0
    for i, s in enumerate(scores):
        if _key(s) > _key(scores[best]):
            best = i
    return best


def top_k_indices(scores: Sequence[float], k: int) -> list[int]:
    """Indices of the k highest scores, best first; ties keep the earlier index.

    >>> top_k_indices([0.2, 0.9, 0.5, 0.9], 2)
    [1, 3]
    """
    if k < 0:
        raise ValueError(f"k must be >= 0: got {k}")
    order = sorted(range(len(scores)), key=lambda i: (-_key(scores[i]), i))
    return order[:k]


def best_of_n(scores: Sequence[float]) -> int:
    """Best-of-N: the candidate the verifier scores highest (earliest on a tie).

    >>> best_of_n([0.2, 0.8, 0.5])
    1
    """
    return argmax_first(scores)


def expansion_counts(parents: int, n: int) -> list[int]:
    """How many children each of `parents` surviving beams gets so that n beams are active again.

    search-and-learn repeats the active beams and cuts the list at n, so the first n % parents
    beams get one child more than the rest.

    >>> expansion_counts(4, 16), expansion_counts(3, 8)
    ([4, 4, 4, 4], [3, 3, 2])
    """
    if parents < 1 or n < 1:
        raise ValueError(f"need >= 1 parent and n >= 1: got {parents} and {n}")
    return [n // parents + (1 if i < n % parents else 0) for i in range(parents)]
