"""The one path from problems to scored samples: sample what the cache lacks, score everything.

`sample_and_score` is what evaluation (`evaluate.py`), inference-time scaling (`scaling/sweep.py`),
the data engine (`data/generate.py`) and GRPO rollouts (`train/grpo_rollouts.py`) call:

1. every problem has n sample keys (`samples.sample_key`); a problem with any key missing from the
   cache is generated whole (all n samples in one request, so its samples share one prefill);
2. problems are generated `batch_problems` at a time; each batch's completions go into the cache as
   soon as they exist, so a killed run loses at most the batch in flight;
3. completions are scored through a `RewardSet` (the task's own unless one is given), one call per
   reward over the whole batch, and come back as `ScoredSample`s, per problem, in problem order.

What is in the cache wins over what was just drawn: a problem with some keys cached and some not is
drawn again, but the samples it already had keep their cached text. With greedy decoding (and
`copy_greedy`) one sample is drawn per problem and copied n times, since every greedy sample is the same.

A backend with `generate_results` (the OpenAI backend) reports a prompt whose request failed as a
typed error instead of raising; when the caller passes a `failures` dict, such a prompt is counted
there by error type and left out (its samples come back empty and stay uncached, so a rerun retries it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .backends.base import Backend, Completion, SamplingParams
from .rewards.base import is_failure
from .samples import ScoredSample, encode_reward
from .tasks.base import Problem, RewardSet, Task


class SampleCache(Protocol):
    """Where drawn completions are kept by sample key (`samples.CompletionCache`, or a data engine's records)."""

    def get(self, key: str) -> dict | None:
        """The cached completion (`Completion.to_dict()` fields), or None."""
        ...

    def put_many(self, items: list[tuple[str, dict]]) -> None:
        """Keep freshly drawn completions; a key already present keeps its first completion."""
        ...


@dataclass
class Drawn:
    """What `sample_and_score` returns. `samples` and `completions` are per problem, in problem order,
    aligned (a sample and the completion it was scored from); empty for a problem left out."""

    samples: list[list[ScoredSample]]
    completions: list[list[Completion]]
    new_tokens: int = 0  # completion tokens of this call's draws (a greedy copy counts as drawn)
    generate_s: float = 0.0  # seconds spent in the backend

    def flat(self) -> list[ScoredSample]:
        return [s for group in self.samples for s in group]


OnBatch = Callable[[list[int], list[list[Completion]], list[list[ScoredSample]]], None]


def sample_and_score(
    backend: Backend,
    task: Task,
    problems: Sequence[Problem],
    prompts: Sequence[Any],
    sampling: SamplingParams,
    *,
    rewards: RewardSet | None = None,
    keys: Sequence[Sequence[str]] | None = None,
    cache: SampleCache | None = None,
    batch_problems: int | None = None,
    copy_greedy: bool = True,
    score_cached: bool = True,
    failures: dict[str, int] | None = None,
    on_batch: OnBatch | None = None,
) -> Drawn:
    """Draw `sampling.n` samples per problem where the cache lacks them, score all of them, return them.

    `keys[i]` are problem i's n sample keys (needed with a cache; without one every problem is drawn and
    the samples' `key` is empty). `batch_problems` problems go into one backend call (default: all).
    `score_cached=False` leaves problems the cache already holds out of the result (the data engine has
    their verdicts on disk). `on_batch(indices, completions, samples)` runs after each drawn batch is
    scored, with the freshly drawn completions (the data engine writes its records there, scaling
    charges tokens).
    """
    n = sampling.n
    if len(prompts) != len(problems):
        raise ValueError(f"one prompt per problem: got {len(prompts)} prompts for {len(problems)} problems")
    if keys is None:
        if cache is not None:
            raise ValueError("a cache needs the samples' keys: pass keys=[[sample_key(...) per sample] per problem]")
        keys = [[""] * n for _ in problems]
    if any(len(ks) != n for ks in keys):
        raise ValueError(f"every problem needs sampling.n={n} keys")
    if batch_problems is not None and batch_problems < 1:
        raise ValueError(f"batch_problems must be >= 1: got {batch_problems}")
    rewards = rewards or task.reward_set()
    settings = sampling.to_dict()
    drawn = Drawn([[] for _ in problems], [[] for _ in problems])

    def score(indices: list[int], fresh: list[list[Completion]]) -> list[list[ScoredSample]]:
        """Score the samples of problems `indices` in one call per reward; keep them in `drawn`."""
        groups = []
        for i, completions in zip(indices, fresh):
            if cache is not None:  # the cache wins: a key cached before this call keeps its first completion
                completions = [
                    Completion(**got) if (got := cache.get(k)) is not None else c
                    for k, c in zip(keys[i], completions or [None] * n)
                ]
            groups.append(completions)
        fields: dict[str, list] = {}
        for i, group in zip(indices, groups):
            for name, value in task.scoring_fields(problems[i]).items():
                fields.setdefault(name, []).extend([value] * len(group))
        texts = [c.text for group in groups for c in group]
        scores = iter(rewards.score(texts, fields, task.extract_for) if texts else [])
        out = []
        for i, group in zip(indices, groups):
            samples = [
                _scored_sample(
                    task.name, problems[i], prompts[i], c, next(scores), settings, sampling.seed, backend.model_id, key
                )
                for c, key in zip(group, keys[i])
            ]
            drawn.samples[i], drawn.completions[i] = samples, group
            out.append(samples)
        return out

    todo = [i for i, ks in enumerate(keys) if cache is None or any(cache.get(k) is None for k in ks)]
    copying = copy_greedy and sampling.greedy
    draw = replace(sampling, n=1) if copying else sampling
    size = batch_problems or max(len(problems), 1)
    for start in range(0, len(todo), size):
        batch = todo[start : start + size]
        started = time.perf_counter()
        outputs = _generate(backend, [prompts[i] for i in batch], draw, failures is not None)
        drawn.generate_s += time.perf_counter() - started
        done, fresh = [], []
        for i, completions in zip(batch, outputs):
            if isinstance(completions, Exception):
                failures[type(completions).__name__] = failures.get(type(completions).__name__, 0) + 1
                continue
            if copying:  # every greedy sample is the same: copy the one drawn
                completions = [replace(completions[0], sample_index=j) for j in range(n)]
            drawn.new_tokens += sum(c.completion_tokens or 0 for c in completions)
            done.append(i)
            fresh.append(completions)
        if cache is not None:
            cache.put_many([(k, c.to_dict()) for i, cs in zip(done, fresh) for k, c in zip(keys[i], cs)])
        scored = score(done, fresh)
        if on_batch is not None:
            on_batch(done, fresh, scored)
    if score_cached:
        drew = set(todo)
        cached = [i for i in range(len(problems)) if i not in drew]
        for start in range(0, len(cached), size):
            batch = cached[start : start + size]
            score(batch, [[] for _ in batch])
    return drawn


def _generate(backend: Backend, prompts: list, sampling: SamplingParams, typed_errors: bool) -> list:
    """Completions per prompt; with `typed_errors`, a failed request's prompt gets its error (servers only)."""
    if typed_errors and hasattr(backend, "generate_results"):
        return backend.generate_results(prompts, sampling)
    return backend.generate(prompts, sampling)


def _scored_sample(
    task_name: str,
    problem: Problem,
    prompt: Any,
    c: Completion,
    score: Any,
    settings: dict,
    seed: int,
    model_id: str,
    key: str,
) -> ScoredSample:
    failed = score.reward if is_failure(score.reward) else None
    return ScoredSample(
        problem_id=problem.id,
        task=task_name,
        prompt=prompt,
        completion=c.text,
        token_ids=c.token_ids,
        prompt_tokens=c.prompt_tokens,
        completion_tokens=c.completion_tokens,
        finish_reason=c.finish_reason,
        extracted=score.extracted,
        reward=None if failed is not None else score.reward,
        correct=score.correct,
        breakdown={name: encode_reward(v) for name, v in score.breakdown.items()},
        failure=failed.reason if failed is not None else None,
        sampling=settings,
        sample_index=c.sample_index,
        seed=seed,
        model=model_id,
        key=key,
    )
