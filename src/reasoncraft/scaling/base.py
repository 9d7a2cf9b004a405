"""What every strategy shares: its result per problem, its accounting, and talking to a backend.

A strategy solves a batch of problems with `solve(backend, prompts, questions) -> list[Outcome]`:
`prompts` are what the policy sees (text, or chat messages), `questions` the bare problem text a
scorer reads. Each `Outcome` holds the chosen completion, its extracted answer, every candidate
considered, and a `Usage`: the policy's prompt and completion tokens and the scorer's tokens spent
on that problem, so accuracy can be plotted against tokens per problem. Wall time is measured per
`solve` call (problems share batches, so it is not split among them).

Strategies that continue a partial solution (step-level search, budget forcing) need the prompt
as text: `render_prompt` applies the backend's chat template once, and continuation is then plain
text concatenation, as search-and-learn does with vLLM.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from ..backends.base import Backend, Completion, Prompt, SamplingParams
from ..rewards import math_equal
from ..rewards.extract import extract_answer


@dataclass
class Usage:
    """Tokens one problem cost: policy prompt (prefill) and completion tokens, scorer tokens, backend calls."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    scorer_tokens: int = 0
    requests: int = 0

    def add_group(self, group: Sequence[Completion]) -> None:
        """Charge one request's samples: the prompt once (samples share the prefill), every completion."""
        if group:
            self.prompt_tokens += group[0].prompt_tokens
            self.completion_tokens += sum(c.completion_tokens for c in group)
            self.requests += 1

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values())))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Candidate:
    """One complete solution a strategy considered."""

    text: str
    answer: str | None
    score: float | None = None  # the verifier's aggregated score, where a verifier was used
    step_scores: list[float] | None = None


@dataclass
class Outcome:
    """A strategy's result on one problem."""

    answer: str | None  # the chosen answer (extracted), None when none could be extracted
    text: str  # the chosen completion
    candidates: list[Candidate]
    usage: Usage = field(default_factory=Usage)
    info: dict = field(default_factory=dict)  # strategy-specific facts (e.g. "waits" for budget forcing)


@dataclass
class Solved:
    """The outcomes of one `solve` call and the wall time it took."""

    outcomes: list[Outcome]
    wall_seconds: float

    @property
    def usage(self) -> Usage:
        total = Usage()
        for o in self.outcomes:
            total = total + o.usage
        return total


class Strategy(Protocol):
    """A way of spending inference compute on a batch of problems."""

    name: str
    template: str  # the prompt template (in prompts.py) the strategy expects its prompts to use

    def solve(self, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> list[Outcome]: ...


def timed_solve(strategy: Strategy, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> Solved:
    """Run a strategy and measure its wall time."""
    start = time.perf_counter()
    outcomes = strategy.solve(backend, prompts, questions)
    return Solved(outcomes, time.perf_counter() - start)


def default_extract() -> Callable[[str], str | None]:
    return extract_answer


def default_equal() -> Callable[[str, str], bool]:
    """The project's one equivalence checker; strategies never bring a second one."""
    return math_equal


def check_batch(prompts: Sequence[Prompt], questions: Sequence[str]) -> None:
    if len(prompts) != len(questions):
        raise ValueError(f"one question per prompt: got {len(prompts)} prompts and {len(questions)} questions")


def render_prompt(backend: Any, prompt: Prompt) -> str:
    """The prompt as the text the model reads: text as is; chat messages through the backend's chat template."""
    if isinstance(prompt, str):
        return prompt
    render = getattr(backend, "render_prompt", None)
    if callable(render):
        return render(prompt)
    tokenizer = getattr(backend, "tokenizer", None)
    if tokenizer is None or getattr(tokenizer, "chat_template", None) is None:
        raise ValueError(
            "this strategy continues partial solutions, so it needs the prompt as text: pass text prompts, "
            "or a backend with a tokenizer that has a chat template"
        )
    return tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)


def ended_on_stop_string(completion: Completion, backend: Any) -> bool:
    """Whether generation stopped at a stop string (a step boundary) rather than end-of-sequence or the limit.

    A backend reports both as finish_reason "stop"; an end-of-sequence token is told apart by the last
    sampled token being one of the backend's `eos_ids`.
    """
    if completion.finish_reason != "stop":
        return False
    eos_ids = getattr(backend, "eos_ids", None) or set()
    return not (completion.token_ids and completion.token_ids[-1] in eos_ids)


def expand(
    backend: Backend,
    requests: Sequence[tuple[int, str, int]],
    sampling: SamplingParams,
    usages: Sequence[Usage],
) -> list[list[Completion]]:
    """Sample `count` continuations of each `(problem, text, count)` request, batched over problems.

    Requests with the same problem and text are merged into one request whose samples are split
    among them in order, so equal prefixes never draw equal samples (a backend seeds each sample by
    prompt, seed and sample index). Requests are grouped by sample count into as few backend calls
    as possible. Each problem's usage is charged. The i-th result belongs to the i-th request.
    """
    merged: dict[tuple[int, str], list[int]] = {}
    for i, (problem, text, count) in enumerate(requests):
        if count < 1:
            raise ValueError(f"a request needs >= 1 sample: got {count}")
        merged.setdefault((problem, text), []).append(i)
    by_count: dict[int, list[tuple[int, str]]] = {}
    for key, members in merged.items():
        by_count.setdefault(sum(requests[i][2] for i in members), []).append(key)
    samples: dict[tuple[int, str], list[Completion]] = {}
    for count in sorted(by_count):
        keys = by_count[count]
        groups = backend.generate([text for _, text in keys], _with_n(sampling, count))
        for key, group in zip(keys, groups):
            samples[key] = group
            usages[key[0]].add_group(group)
    results: list[list[Completion]] = [[] for _ in requests]
    for key, members in merged.items():
        pool, start = samples[key], 0
        for i in members:
            results[i] = pool[start : start + requests[i][2]]
            start += requests[i][2]
    return results


def _with_n(sampling: SamplingParams, n: int) -> SamplingParams:
    return replace(sampling, n=n)
