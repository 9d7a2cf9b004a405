"""What PRM-guided step-level search (beam search, DVTS) shares: its settings, scoring partial
solutions in one batched call, and choosing the final answer among the finished solutions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import SamplingParams
from ..math.select import argmax_first, best_of_n
from ..math.steps import get_aggregation, split_steps
from ..math.votes import weighted_vote
from .base import Candidate, Usage, default_equal

SELECTIONS = ("best", "weighted", "majority")


@dataclass
class SearchSettings:
    """Settings common to beam search and DVTS (search-and-learn's defaults where it has one)."""

    scorer: Any = field(default=None, repr=False)  # a StepScorer (PRM); wrap an outcome scorer in OutcomeAsSteps
    n: int = 16  # total beams per problem (the generation budget N)
    beam_width: int = 4  # M: children per kept beam (beam search) / candidates per subtree step (DVTS)
    aggregation: str = "last"  # how step scores make one score: last, min or prod
    max_steps: int = 40  # search iterations; the last one generates to the end without a step stop
    max_step_tokens: int = 256  # token limit of one step
    max_final_tokens: int = 512  # token limit of the last iteration's completion
    temperature: float = 0.8
    top_p: float = 1.0
    seed: int = 0
    separator: str = "\n\n"  # steps end at a blank line
    select: str = "best"  # final answer: best (highest aggregated score), weighted or majority vote
    stop_at_answer: bool = True  # a beam whose text already has an extractable answer is finished
    template: str = "cot"
    extract: Callable[[str], str | None] | None = field(default=None, repr=False)
    equal: Callable[[str, str], bool] | None = field(default=None, repr=False)

    def validate(self, name: str) -> None:
        if self.scorer is None or not callable(getattr(self.scorer, "score_steps", None)):
            raise ValueError(
                f"{name} needs a step scorer (PRM) with .score_steps(questions, steps); for an outcome scorer "
                "use reasoncraft.scorers.OutcomeAsSteps(scorer); offline use reasoncraft.scorers.ArithmeticVerifier()"
            )
        if self.beam_width < 1 or self.n % self.beam_width != 0:
            raise ValueError(f"{name}: beam_width M must divide n: got n={self.n} and M={self.beam_width}")
        if self.temperature <= 0:
            raise ValueError(f"{name} samples several steps per beam; temperature must be > 0: got {self.temperature}")
        if self.max_steps < 1:
            raise ValueError(f"{name}: max_steps must be >= 1: got {self.max_steps}")
        if self.select not in SELECTIONS:
            raise ValueError(f"{name}: select must be one of {', '.join(SELECTIONS)}: got {self.select!r}")
        get_aggregation(self.aggregation)

    def step_sampling(self, iteration: int) -> SamplingParams:
        """One step per sample; the last iteration writes to the end. Each iteration has its own seed."""
        last = iteration == self.max_steps - 1
        return SamplingParams(
            n=1,
            temperature=self.temperature,
            top_p=self.top_p,
            max_new_tokens=self.max_final_tokens if last else self.max_step_tokens,
            stop=() if last else (self.separator,),
            seed=self.seed + iteration,
        )


def score_partials(
    scorer: Any,
    questions: Sequence[str],
    texts: Sequence[str],
    owners: Sequence[int],
    usages: Sequence[Usage],
    separator: str,
) -> list[list[float]]:
    """Step scores of each partial solution, in one scorer call for all problems.

    The scorer's tokens are charged to problems in proportion to the characters each submitted
    (exact when one problem is searched at a time; the total is always exact).
    """
    if not texts:
        return []
    steps = [split_steps(t, separator) or [t] for t in texts]
    before = scorer.usage.snapshot()
    scores = scorer.score_steps(list(questions), steps)
    spent = scorer.usage.since(before).tokens
    if spent:
        sizes = [len(q) + len(t) for q, t in zip(questions, texts)]
        total = sum(sizes) or 1
        shares: dict[int, float] = {}
        for owner, size in zip(owners, sizes):
            shares[owner] = shares.get(owner, 0.0) + spent * size / total
        for owner, share in shares.items():
            usages[owner].scorer_tokens += round(share)
    return [list(map(float, s)) for s in scores]


def choose_final(candidates: list[Candidate], select: str, equal: Callable[[str, str], bool] | None) -> int:
    """Index of the final solution: the best-scored one, or the winner of a (weighted) vote over answers."""
    scores = [c.score if c.score is not None else float("-inf") for c in candidates]
    if select == "best":
        return best_of_n(scores)
    # Weighted voting sums scores; unbounded scores (ORM logits) below 0 count as 0 rather than as votes against.
    weights = [max(s, 0.0) for s in scores] if select == "weighted" else [1.0] * len(candidates)
    vote = weighted_vote([c.answer for c in candidates], weights, equal or default_equal())
    if vote.index is None:
        return best_of_n(scores)
    members = vote.classes[argmax_first(vote.weights)]
    return members[argmax_first([scores[i] for i in members])]
