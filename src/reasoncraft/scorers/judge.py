"""Judges that are language models over any backend: an LLM judge, and the policy judging itself.

`LLMJudge` asks a model (any `Backend`: in-process, or a server through the OpenAI-compatible
client) whether a solution is correct, `n` times, and scores the solution by the fraction of
verdicts that say it is. Replies that give no verdict count as neither; a solution whose replies
all fail to give one scores `undecided`. With `n=1` and temperature 0 the score is 0 or 1; more
samples at a temperature give a graded score, which is what weighted best-of-N and search need.

`self_evaluation(policy)` is the same judge with the policy as the model and the P(True) question
of Kadavath et al. (2022, arXiv 2207.05221) as the prompt: the policy rates its own answers.

Prompts live in `prompts.py` ("judge", "self-eval"). A judge is an outcome scorer; wrap it in
`OutcomeAsSteps` to guide step-level search with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..backends.base import SamplingParams
from ..prompts import get_template, render
from .base import ScorerUsage, check_lengths

_YES = re.compile(r"^\W*(yes|correct|true|\(?a\)?)(\W|$)", re.IGNORECASE)
_NO = re.compile(r"^\W*(no|incorrect|wrong|false|\(?b\)?)(\W|$)", re.IGNORECASE)


def parse_verdict(reply: str) -> bool | None:
    """True for a reply that opens with yes / correct / true / (A), False for no / incorrect / false / (B).

    >>> parse_verdict(" Yes, it is right."), parse_verdict("(B) False"), parse_verdict("Maybe")
    (True, False, None)
    """
    if _YES.match(reply):
        return True
    if _NO.match(reply):
        return False
    return None


def verdict_score(verdicts: Sequence[bool | None], undecided: float = 0.5) -> float:
    """The fraction of decided verdicts that say "correct"; `undecided` when none decided.

    >>> verdict_score([True, False, None, True]), verdict_score([None])
    (0.6666666666666666, 0.5)
    """
    decided = [v for v in verdicts if v is not None]
    return sum(decided) / len(decided) if decided else undecided


class LLMJudge:
    """An outcome scorer that asks a model, through any backend, whether each solution is correct."""

    def __init__(
        self,
        backend: Any,
        template: str = "judge",
        n: int = 1,
        temperature: float = 0.0,
        max_new_tokens: int = 8,
        undecided: float = 0.5,
        seed: int = 0,
    ):
        get_template(template)  # fail early on an unknown name
        if n > 1 and temperature == 0:
            raise ValueError(f"n={n} judge samples at temperature 0 would all agree: set temperature > 0 or n=1")
        self.backend, self.template, self.undecided = backend, template, undecided
        self.sampling = SamplingParams(n=n, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
        self.usage = ScorerUsage()

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        check_lengths(questions, solutions)
        if not questions:
            return []
        prompts = [render(self.template, question=q, solution=s) for q, s in zip(questions, solutions)]
        groups = self.backend.generate(prompts, self.sampling)
        self.usage.calls += 1
        for group in groups:
            self.usage.prompt_tokens += group[0].prompt_tokens if group else 0
            self.usage.completion_tokens += sum(c.completion_tokens for c in group)
        return [verdict_score([parse_verdict(c.text) for c in group], self.undecided) for group in groups]


def self_evaluation(policy: Any, **kwargs: Any) -> LLMJudge:
    """The policy judging its own solutions with the P(True) prompt ("self-eval")."""
    return LLMJudge(policy, template="self-eval", **kwargs)
