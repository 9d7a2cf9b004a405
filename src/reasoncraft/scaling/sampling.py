"""Strategies that sample whole solutions and then pick one: the parallel-sampling family.

* `Direct` — answer without reasoning, greedy (the cheapest baseline: what do the reasoning tokens buy?).
* `ChainOfThought` — one chain-of-thought sample at a temperature (pass@1 of sampling).
* `Greedy` — one chain-of-thought completion decoded greedily.
* `SelfConsistency` — n samples, majority vote over answers grouped by mathematical equivalence
  (Wang et al. 2022, arXiv 2203.11171; equivalence by `reasoncraft.rewards.math_equal`).
* `BestOfN` — n samples, the one a verifier scores highest; `weighted=True` sums verifier scores
  per equivalence class instead (weighted best-of-N, Li et al. 2023 / Snell et al. 2024 sec. 5).

Each is `solve` = draw samples, then `choose`; `choose` alone works on samples drawn earlier, which
is how `reasoncraft scale` serves n = 1, 2, 4, ... N from one cached draw of N samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import Backend, Completion, Prompt, SamplingParams
from ..math.select import argmax_first, best_of_n
from ..math.votes import majority_vote, weighted_vote
from .base import Candidate, Outcome, Usage, check_batch, default_equal, default_extract


@dataclass
class SampleThenSelect:
    """Draw `n` samples per problem, then choose one (subclasses say how)."""

    n: int = 1
    temperature: float = 0.7
    top_p: float = 1.0
    max_new_tokens: int = 256
    seed: int = 0
    template: str = "cot"
    extract: Callable[[str], str | None] | None = field(default=None, repr=False)
    name: str = "sample"

    def __post_init__(self) -> None:
        self.sampling()  # validates n, temperature, ...
        if self.n > 1 and self.temperature == 0:
            raise ValueError(f"{self.name}: n={self.n} greedy samples would all be identical; set temperature > 0")

    def sampling(self) -> SamplingParams:
        return SamplingParams(
            n=self.n, temperature=self.temperature, top_p=self.top_p, max_new_tokens=self.max_new_tokens, seed=self.seed
        )

    def solve(self, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> list[Outcome]:
        check_batch(prompts, questions)
        return self.choose(questions, backend.generate(list(prompts), self.sampling()))

    def choose(self, questions: Sequence[str], samples: Sequence[Sequence[Completion]]) -> list[Outcome]:
        """Pick one of the first `n` samples of each problem (samples may hold more, drawn for a larger n)."""
        check_batch(samples, questions)
        extract = self.extract or default_extract()
        outcomes = []
        for question, group in zip(questions, samples):
            if len(group) < self.n:
                raise ValueError(f"{self.name} needs {self.n} samples per problem; got {len(group)}")
            group = list(group[: self.n])
            usage = Usage()
            usage.add_group(group)
            candidates = [Candidate(c.text, extract(c.text)) for c in group]
            index, info = self.select(question, candidates, usage)
            outcomes.append(Outcome(candidates[index].answer, candidates[index].text, candidates, usage, info))
        return outcomes

    def select(self, question: str, candidates: list[Candidate], usage: Usage) -> tuple[int, dict]:
        """The index of the chosen candidate; one sample means no choice."""
        return 0, {}


@dataclass
class Direct(SampleThenSelect):
    """The answer alone, decoded greedily from the "direct" prompt."""

    temperature: float = 0.0
    max_new_tokens: int = 32
    template: str = "direct"
    name: str = "direct"


@dataclass
class ChainOfThought(SampleThenSelect):
    """One chain-of-thought sample at `temperature`."""

    name: str = "cot"


@dataclass
class Greedy(SampleThenSelect):
    """One chain-of-thought completion, greedy."""

    temperature: float = 0.0
    name: str = "greedy"


@dataclass
class SelfConsistency(SampleThenSelect):
    """Majority vote over n samples, answers grouped by mathematical equivalence."""

    n: int = 8
    equal: Callable[[str, str], bool] | None = field(default=None, repr=False)
    name: str = "majority"

    def select(self, question: str, candidates: list[Candidate], usage: Usage) -> tuple[int, dict]:
        vote = majority_vote([c.answer for c in candidates], self.equal or default_equal())
        return (vote.index if vote.index is not None else 0), {"class_sizes": list(vote.weights)}


@dataclass
class BestOfN(SampleThenSelect):
    """The verifier's favourite of n samples; `weighted` sums scores per answer class instead."""

    n: int = 8
    scorer: Any = field(default=None, repr=False)  # an OutcomeScorer (wrap a PRM in scorers.StepsAsOutcome)
    weighted: bool = False
    equal: Callable[[str, str], bool] | None = field(default=None, repr=False)
    name: str = "best-of-n"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.scorer is None or not callable(getattr(self.scorer, "score", None)):
            raise ValueError(
                f"{self.name} needs an outcome scorer with .score(questions, solutions); "
                "wrap a PRM in reasoncraft.scorers.StepsAsOutcome(prm, aggregation)"
            )

    def select(self, question: str, candidates: list[Candidate], usage: Usage) -> tuple[int, dict]:
        before = self.scorer.usage.snapshot()
        scores = self.scorer.score([question] * len(candidates), [c.text for c in candidates])
        usage.scorer_tokens += self.scorer.usage.since(before).tokens
        for c, s in zip(candidates, scores):
            c.score = float(s)
        if not self.weighted:
            return best_of_n(scores), {}
        vote = weighted_vote([c.answer for c in candidates], scores, self.equal or default_equal())
        if vote.index is None:  # no answer extracted anywhere: fall back to the best-scored text
            return best_of_n(scores), {}
        # Within the winning class, return its best-scored member as the chosen text.
        members = vote.classes[argmax_first(vote.weights)]
        return members[argmax_first([scores[i] for i in members])], {"class_weights": list(vote.weights)}
