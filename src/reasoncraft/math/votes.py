"""Votes over answers grouped by equivalence, and maj@k.

Self-consistency (Wang et al. 2022) votes over the answers of several samples, grouped by
mathematical equivalence rather than raw strings; weighted best-of-N (Li et al. 2023; Snell et al.
2024) weighs each vote by a verifier's score. maj@k is the accuracy of the majority answer of k
samples: `maj_at_k` averages it over the disjoint blocks of k samples (maj@n is DeepSeek-R1's
cons@n); `subsampled_vote_accuracy` estimates it from a larger draw by random k-subsets. Both vote
with `majority_vote`, the one vote. A tie goes to the class seen first.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .select import argmax_first

__all__ = [
    "Equal",
    "Vote",
    "equivalence_classes",
    "weighted_vote",
    "majority_vote",
    "majority_correct",
    "maj_at_k",
    "subsampled_vote_accuracy",
]

Equal = Callable[[str, str], bool]


@dataclass(frozen=True)
class Vote:
    """The outcome of a (weighted) vote over candidate answers."""

    index: int | None  # the candidate that represents the winning class (its first member); None if no answer
    answer: str | None
    classes: tuple[tuple[int, ...], ...]  # candidate indices per equivalence class, in order of first appearance
    weights: tuple[float, ...]  # total weight of each class


def equivalence_classes(answers: Sequence[str | None], equal: Equal) -> list[list[int]]:
    """Group candidate indices whose answers are equivalent; `None` (no answer extracted) joins no class.

    Each answer is compared with the first member of each class (`equal(representative, answer)`);
    identical strings join without a call to `equal`.

    >>> equivalence_classes(["1/2", "0.5", None, "2"], lambda a, b: float(eval(a)) == float(eval(b)))
    [[0, 1], [3]]
    """
    classes: list[list[int]] = []
    representatives: list[str] = []
    for i, answer in enumerate(answers):
        if answer is None:
            continue
        for members, rep in zip(classes, representatives):
            if answer == rep or equal(rep, answer):
                members.append(i)
                break
        else:
            classes.append([i])
            representatives.append(answer)
    return classes


def weighted_vote(answers: Sequence[str | None], weights: Sequence[float], equal: Equal) -> Vote:
    """The equivalence class with the largest total weight wins; a tie goes to the class seen first.

    With all weights 1 this is majority vote (self-consistency); with verifier scores as weights it
    is weighted best-of-N (Li et al. 2023; Snell et al. 2024).

    >>> v = weighted_vote(["3", "4", "4", "3"], [0.9, 0.3, 0.3, 0.2], str.__eq__)
    >>> v.answer, v.index, v.weights
    ('3', 0, (1.1, 0.6))
    """
    if len(answers) != len(weights):
        raise ValueError(f"one weight per answer: got {len(answers)} answers and {len(weights)} weights")
    classes = equivalence_classes(answers, equal)
    if not classes:
        return Vote(None, None, (), ())
    totals = tuple(math.fsum(float(weights[i]) for i in members) for members in classes)
    winner = argmax_first(totals)
    first = classes[winner][0]
    return Vote(first, answers[first], tuple(tuple(c) for c in classes), totals)


def majority_vote(answers: Sequence[str | None], equal: Equal) -> Vote:
    """Self-consistency: the largest equivalence class wins; a tie goes to the class seen first.

    >>> majority_vote(["7", None, "8", "7.0"], lambda a, b: float(a) == float(b)).answer
    '7'
    """
    return weighted_vote(answers, [1.0] * len(answers), equal)


def majority_correct(answers: Sequence[str | None], correct: Sequence[bool | None], equal: Equal) -> bool:
    """Is the answer of the largest equivalence class correct? No answer at all counts as wrong.

    >>> majority_correct(["1", "2", "1"], [True, False, True], str.__eq__), majority_correct([None], [None], str.__eq__)
    (True, False)
    """
    vote = majority_vote(answers, equal)
    return vote.index is not None and bool(correct[vote.index])


def maj_at_k(answers: Sequence[str | None], correct: Sequence[bool | None], k: int, equal: Equal) -> float:
    """Mean majority-vote accuracy over the len(answers) // k disjoint blocks of k samples.

    >>> maj_at_k(["1", "2", "3", "1"], [True, False, False, True], 2, str.__eq__)  # blocks: "1" wins, then "3"
    0.5
    """
    n = len(answers)
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= number of samples ({n}): got k={k}")
    blocks = n // k
    hits = [majority_correct(answers[b * k : (b + 1) * k], correct[b * k : (b + 1) * k], equal) for b in range(blocks)]
    return sum(hits) / blocks


def subsampled_vote_accuracy(
    class_ids: Sequence[int | None], correct: Sequence[bool], k: int, draws: int, seed: int = 0
) -> float:
    """Expected maj@k of one problem, estimated from a larger draw of samples by random k-subsets.

    `class_ids[i]` is the equivalence class of sample i's answer (None: no answer) and `correct[i]`
    whether it is right (a class is as right as its last sample says); each draw votes over a random
    k-subset (tie: the class seen first in the subset's order) and scores the winner.

    >>> subsampled_vote_accuracy([0, 0, 1, None], [True, True, False, False], k=4, draws=10)
    1.0
    """
    if not 1 <= k <= len(class_ids):
        raise ValueError(f"k must be between 1 and the number of samples ({len(class_ids)}): got {k}")
    class_correct = {c: ok for c, ok in zip(class_ids, correct) if c is not None}
    rng = random.Random(seed)
    wins = 0
    for _ in range(draws):
        subset = rng.sample(range(len(class_ids)), k)
        vote = majority_vote([class_ids[i] for i in subset], operator.eq)
        if vote.index is not None:
            wins += bool(class_correct[vote.answer])
    return wins / draws
