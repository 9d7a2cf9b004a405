"""The math of inference-time scaling, as pure functions of strings and floats.

Every strategy in `scaling/` is orchestration around these: how step scores are aggregated
(Snell et al. 2024, arXiv 2408.03314, section 5: `last`, `min`, `prod`), how answers vote
(Wang et al. 2022 self-consistency, grouped by mathematical equivalence rather than raw strings),
which candidate a verifier selects (best-of-N, weighted best-of-N), which beams survive a
step of beam search and how the survivors share the next step's samples.

Ties are broken by position (the earliest candidate wins) everywhere, so a result never depends
on sort stability or on the order of a dict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

Equal = Callable[[str, str], bool]


# --- step scores ------------------------------------------------------------------------------------


def aggregate_last(step_scores: Sequence[float]) -> float:
    """The score of the last step (a PRM trained on reward-to-go already summarises the prefix).

    >>> aggregate_last([0.9, 0.2, 0.7])
    0.7
    """
    return float(step_scores[-1])


def aggregate_min(step_scores: Sequence[float]) -> float:
    """The weakest step: a solution is as good as its worst step.

    >>> aggregate_min([0.9, 0.2, 0.7])
    0.2
    """
    return float(min(step_scores))


def aggregate_prod(step_scores: Sequence[float]) -> float:
    """The product of the step scores: the chance every step is right, if they were independent.

    >>> round(aggregate_prod([0.9, 0.5, 0.8]), 6)
    0.36
    """
    return float(math.prod(step_scores))


AGGREGATIONS: dict[str, Callable[[Sequence[float]], float]] = {
    "last": aggregate_last,
    "min": aggregate_min,
    "prod": aggregate_prod,
}


def get_aggregation(name: str) -> Callable[[Sequence[float]], float]:
    """The aggregation function called `name`; a clear error for an unknown name."""
    try:
        return AGGREGATIONS[name]
    except KeyError:
        raise ValueError(f"unknown step-score aggregation {name!r}: use one of {', '.join(AGGREGATIONS)}") from None


def aggregate(step_scores: Sequence[float], how: str) -> float:
    """Aggregate one solution's step scores; a solution without steps scores 0.

    >>> aggregate([0.9, 0.2, 0.7], "min"), aggregate([], "last")
    (0.2, 0.0)
    """
    if len(step_scores) == 0:
        return 0.0
    return get_aggregation(how)(step_scores)


# --- steps --------------------------------------------------------------------------------------------


def split_steps(text: str, separator: str = "\n\n") -> list[str]:
    """Split a solution into steps on `separator` (a blank line, as search-and-learn does); empty pieces drop.

    >>> split_steps("12 + 7 = 19\\n\\nAnswer: 19\\n\\n")
    ['12 + 7 = 19', 'Answer: 19']
    """
    return [part.strip() for part in text.split(separator) if part.strip()]


# --- selection ------------------------------------------------------------------------------------------


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


def _key(score: float) -> float:
    return float("-inf") if score != score else float(score)  # NaN -> lowest


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


# --- voting -----------------------------------------------------------------------------------------------


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


def best_of_n(scores: Sequence[float]) -> int:
    """Best-of-N: the candidate the verifier scores highest (earliest on a tie).

    >>> best_of_n([0.2, 0.8, 0.5])
    1
    """
    return argmax_first(scores)


# --- statistics -------------------------------------------------------------------------------------


def subsampled_vote_accuracy(
    class_ids: Sequence[int | None], correct: Sequence[bool], k: int, draws: int, seed: int = 0
) -> float:
    """Expected maj@k of one problem, estimated from a larger draw of samples by random k-subsets.

    `class_ids[i]` is the equivalence class of sample i's answer (None: no answer) and `correct[i]`
    whether it is right; each draw votes over a random k-subset (tie: the class seen first in the
    subset's order) and scores the winner.

    >>> subsampled_vote_accuracy([0, 0, 1, None], [True, True, False, False], k=4, draws=10)
    1.0
    """
    import random

    if not 1 <= k <= len(class_ids):
        raise ValueError(f"k must be between 1 and the number of samples ({len(class_ids)}): got {k}")
    class_correct = {c: ok for c, ok in zip(class_ids, correct) if c is not None}
    rng = random.Random(seed)
    wins = 0
    for _ in range(draws):
        subset = rng.sample(range(len(class_ids)), k)
        counts: dict[int, int] = {}
        for i in subset:
            if class_ids[i] is not None:
                counts[class_ids[i]] = counts.get(class_ids[i], 0) + 1
        if counts:
            top = max(counts.values())
            winner = next(c for c in counts if counts[c] == top)  # dicts keep first-seen order
            wins += bool(class_correct[winner])
    return wins / draws


def paired_bootstrap(a: Sequence[float], b: Sequence[float], draws: int = 10_000, seed: int = 0, level: float = 0.95) -> dict:
    """Mean of a - b over paired items (problems) and its percentile bootstrap confidence interval.

    >>> r = paired_bootstrap([1, 1, 1, 0], [0, 1, 0, 0], draws=2000)
    >>> r["diff"], r["low"] <= r["diff"] <= r["high"]
    (0.5, True)
    """
    import random

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
