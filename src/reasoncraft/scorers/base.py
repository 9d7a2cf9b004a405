"""The two scorer contracts and the adapters between them.

A *step scorer* (a process reward model, PRM) scores every step of each solution:

    score_steps(questions, solutions) -> list[list[float]]   # one list of step scores per solution

where `solutions[i]` is the list of steps of one solution to `questions[i]`. An *outcome scorer*
(an outcome reward model, ORM; an LLM judge; a verifier) scores whole solutions:

    score(questions, solutions) -> list[float]                # one score per solution

Scores are "higher is better"; probabilistic scorers return probabilities in [0, 1]. Every scorer
carries a `usage` (`ScorerUsage`): the tokens it read and generated, so a strategy can charge the
scorer's compute next to the policy's. `rewards/` stays model-free; these judge with models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..math.steps import aggregate, get_aggregation, split_steps


@dataclass
class ScorerUsage:
    """What a scorer has spent so far: calls, tokens read (prompt) and tokens generated."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def snapshot(self) -> ScorerUsage:
        return ScorerUsage(self.calls, self.prompt_tokens, self.completion_tokens)

    def since(self, before: ScorerUsage) -> ScorerUsage:
        return ScorerUsage(
            self.calls - before.calls,
            self.prompt_tokens - before.prompt_tokens,
            self.completion_tokens - before.completion_tokens,
        )


@runtime_checkable
class StepScorer(Protocol):
    """A process reward model: one score per step of each solution."""

    usage: ScorerUsage

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]: ...


@runtime_checkable
class OutcomeScorer(Protocol):
    """An outcome reward model, judge or verifier: one score per whole solution."""

    usage: ScorerUsage

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]: ...


def check_lengths(questions: Sequence, solutions: Sequence) -> None:
    if len(questions) != len(solutions):
        raise ValueError(f"one question per solution: got {len(questions)} questions and {len(solutions)} solutions")


class StepsAsOutcome:
    """An outcome scorer from a PRM: split the solution into steps, score them, aggregate (last/min/prod)."""

    def __init__(self, prm: StepScorer, aggregation: str = "last", separator: str = "\n\n"):
        get_aggregation(aggregation)  # fail early on an unknown name
        self.prm, self.aggregation, self.separator = prm, aggregation, separator

    @property
    def usage(self) -> ScorerUsage:
        return self.prm.usage

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        check_lengths(questions, solutions)
        steps = [split_steps(s, self.separator) or [s] for s in solutions]
        return [aggregate(s, self.aggregation) for s in self.prm.score_steps(questions, steps)]


class OutcomeAsSteps:
    """A PRM from an outcome scorer: the score of step t is the outcome score of the prefix of steps 1..t.

    This is how an LLM judge or the policy's self-evaluation guides step-level search. Prefix scores
    are cached, so a beam search pays once for each new step rather than for the whole prefix again.
    """

    def __init__(self, scorer: OutcomeScorer, separator: str = "\n\n"):
        self.scorer, self.separator = scorer, separator
        self._cache: dict[tuple[str, str], float] = {}

    @property
    def usage(self) -> ScorerUsage:
        return self.scorer.usage

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        check_lengths(questions, solutions)
        keys = [
            [(q, self.separator.join(steps[: t + 1])) for t in range(len(steps))]
            for q, steps in zip(questions, solutions)
        ]
        missing = list(dict.fromkeys(k for row in keys for k in row if k not in self._cache))
        if missing:
            for key, value in zip(missing, self.scorer.score([q for q, _ in missing], [p for _, p in missing])):
                self._cache[key] = value
        return [[self._cache[k] for k in row] for row in keys]
