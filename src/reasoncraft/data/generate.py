"""Trace generation: a teacher writes k traces per problem, each verified by the task's scorer.

A teacher is any `Backend` (in-process model, OpenAI-compatible server) or a programmatic `Solver`
(a function of the problem, e.g. the Countdown depth-first search of `data.countdown`). Each trace
becomes one record in the chat `messages` format that TRL and open-r1 train on, plus what is
needed to audit and filter it later:

    {"key", "problem_id", "task", "question", "messages": [..., {"role": "assistant", "content": trace}],
     "completion", "verdict": {"correct", "reward", "extracted", "breakdown"},
     "tokens": {"prompt", "completion"}, "finish_reason", "sample_index",
     "teacher": {"id", "kind", "sampling", "template"}, "answer"}

Drawn and scored by `sampling.sample_and_score` (the path evaluation, scaling and GRPO use), with the
records on disk as its cache. Crash-safe and resumable: records are appended to a
`samples.JsonlStore` (flushed and fsynced per batch of problems, a truncated last line skipped), each
keyed by `samples.sample_key(teacher, prompt, sampling, sample index)`. A rerun reads the keys already
on disk and generates only the missing ones, so a run killed at any moment and rerun ends with
exactly one record per key.

Faults: a backend with `generate_results` (the OpenAI backend) reports a prompt whose request
failed after its retries as a typed error; that prompt's records are not written (the next run
retries them) and the failure is counted by error type in the report, as are the retries the
client made on the way (read from its log records).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..backends.base import Backend, Completion, SamplingParams, backend_hash
from ..samples import JsonlStore, ScoredSample, sample_key
from ..sampling import sample_and_score


@runtime_checkable
class Solver(Protocol):
    """A programmatic teacher: writes the trace for one problem itself (no model)."""

    model_id: str

    def solve(self, problem: Any, sample_index: int) -> str: ...


@dataclass
class GenerationReport:
    """What one generation run did; `failures` maps an error type to the prompts it failed."""

    problems: int = 0
    records_on_disk_before: int = 0
    records_written: int = 0
    records_total: int = 0
    correct: int = 0
    prompt_tokens: int = 0  # drawn by this run (what it cost)
    completion_tokens: int = 0
    failures: dict = field(default_factory=dict)
    retries: dict = field(default_factory=dict)  # error type -> retries the server client made (OpenAI backend)
    skipped_lines: int = 0
    wall_s: float = 0.0
    # every trace of this run's keys on disk, whichever run drew it: what the data embodies, the same after a kill
    # and rerun (a recipe counts a data stage's FLOPs from these)
    data_prompt_tokens: int = 0
    data_completion_tokens: int = 0

    def to_dict(self) -> dict:
        return dict(vars(self))

    def summary_line(self) -> str:
        """What the run did, in words, for the console (report.json keeps the numbers).

        >>> GenerationReport(4, 2, 6, 8, 5, 512, 359, {"BackendTimeout": 1}, {}, 0, 0.34).summary_line()
        'generation: 4 problems, 8 traces (6 new, 2 already on disk), 5 correct; tokens 512 prompt + 359 completion; \
failures BackendTimeout 1; 0.3 s'
        """
        parts = [
            f"generation: {self.problems} problems, {self.records_total} traces ({self.records_written} new, "
            f"{self.records_on_disk_before} already on disk), {self.correct} correct",
            f"tokens {self.prompt_tokens} prompt + {self.completion_tokens} completion",
        ]
        for name, counts in (("failures", self.failures), ("retries", self.retries)):
            if counts:
                parts.append(f"{name} " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
        if self.skipped_lines:
            parts.append(f"{self.skipped_lines} unreadable lines skipped (a killed run's last line)")
        return "; ".join(parts + [f"{self.wall_s:.1f} s"])


def teacher_id(teacher: Backend | Solver) -> str:
    """What identifies a teacher in the record keys: a weights hash for an in-process model, else its id."""
    if isinstance(teacher, Solver) and not isinstance(teacher, Backend):
        return f"solver:{teacher.model_id}"
    return backend_hash(teacher)


def trace_keys(teacher_hash: str, prompt: Any, sampling: SamplingParams, k: int) -> list[str]:
    """The k record keys of one prompt (sampling without `n`, so k=4 keys are a prefix of k=16 keys)."""
    settings = sampling.to_dict()
    return [sample_key(teacher_hash, prompt, settings, i) for i in range(k)]


def trace_record(problem: Any, sample: ScoredSample, teacher: dict) -> dict:
    """One scored sample as an SFT record in the chat `messages` format, with its verdict and token counts."""
    return {
        "key": sample.key,
        "problem_id": problem.id,
        "task": sample.task,
        "question": problem.question,  # as the task states it: what decontamination compares
        "messages": [*sample.prompt, {"role": "assistant", "content": sample.completion}],
        "completion": sample.completion,
        "answer": problem.answer,
        "verdict": {
            "correct": sample.correct,
            "reward": {"failure": sample.failure} if sample.failure is not None else sample.reward,
            "extracted": sample.extracted,
            "breakdown": sample.breakdown,
        },
        "tokens": {"prompt": sample.prompt_tokens, "completion": sample.completion_tokens},
        "finish_reason": sample.finish_reason,
        "sample_index": sample.sample_index,
        "teacher": teacher,
    }


class RecordsCache:
    """The trace records on disk as `sample_and_score`'s cache: a key with a record is never drawn again.

    New records are written with their verdicts by `generate_traces` after each batch is scored, so
    `put_many` (raw completions, before scoring) keeps nothing.
    """

    def __init__(self, records: dict[str, dict]):
        self.records = records

    def get(self, key: str) -> dict | None:
        r = self.records.get(key)
        if r is None:
            return None
        return {
            "text": r["completion"],
            "token_ids": [],
            "prompt_tokens": r["tokens"]["prompt"],
            "completion_tokens": r["tokens"]["completion"],
            "finish_reason": r["finish_reason"],
            "sample_index": r["sample_index"],
        }

    def put_many(self, items: list[tuple[str, dict]]) -> None:
        pass


def read_records(path: str | Path) -> tuple[dict[str, dict], int]:
    """Records on disk by key (the first of any repeat wins) and the number of unreadable lines skipped."""
    store = JsonlStore(path)
    records: dict[str, dict] = {}
    for record in store.read():
        records.setdefault(record["key"], record)
    return records, store.skipped_lines


class RetryCounter(logging.Handler):
    """Counts the retries the OpenAI backend's transport logs ("retry i/n of ...: error"), by error type."""

    LOGGER = "reasoncraft.backends.openai"

    def __init__(self, counts: dict):
        super().__init__(logging.INFO)
        self.counts = counts

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("retry ") and record.args:
            name = type(record.args[-1]).__name__
            self.counts[name] = self.counts.get(name, 0) + 1

    def __enter__(self) -> RetryCounter:
        logger = logging.getLogger(self.LOGGER)
        self._level = logger.level
        if not logger.isEnabledFor(logging.INFO):
            logger.setLevel(logging.INFO)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.setLevel(self._level)


def generate_traces(
    task: Any,
    problems: Sequence[Any],
    teacher: Backend | Solver,
    out_path: str | Path,
    *,
    k: int = 4,
    sampling: SamplingParams | None = None,
    template: str | None = None,
    batch_problems: int = 16,
    count_tokens: Callable[[str], int] | None = None,
    record: Any = None,
    log: Callable[[str], None] = lambda message: None,
) -> GenerationReport:
    """Write k verified traces per problem to `out_path` (append-only; a rerun fills in what is missing).

    `sampling` (its `n` is replaced by k) applies to backend teachers and is part of every key;
    `count_tokens` counts a solver's tokens (backends report their own). `record` (a `RunRecord`)
    receives the tokens this run generated, for the cost report.
    """
    if k < 1:
        raise ValueError(f"k (traces per problem) must be >= 1: got {k}")
    if batch_problems < 1:
        raise ValueError(f"batch_problems must be >= 1: got {batch_problems}")
    sampling = SamplingParams(**{**(sampling or SamplingParams()).to_dict(), "n": k})
    is_solver = isinstance(teacher, Solver) and not isinstance(teacher, Backend)
    teacher_hash = teacher_id(teacher)
    teacher_info = {
        "id": teacher.model_id,
        "hash": teacher_hash,
        "kind": "solver" if is_solver else "backend",
        "sampling": {} if is_solver else sampling.to_dict(),
        "template": template or task.default_template,
    }
    # A solver's output does not depend on sampling settings, so they stay out of its keys.
    key_sampling = SamplingParams(n=k, temperature=0.0, max_new_tokens=1) if is_solver else sampling
    store = JsonlStore(out_path)
    existing, skipped = read_records(out_path)
    report = GenerationReport(problems=len(problems), records_on_disk_before=len(existing), skipped_lines=skipped)
    started = time.perf_counter()
    prompts = [task.prompt(p, template) for p in problems]
    keys = [trace_keys(teacher_hash, prompt, key_sampling, k) for prompt in prompts]
    to_draw = sum(1 for key_list in keys if any(key not in existing for key in key_list))

    def write(indices: list[int], completions: list[list[Completion]], samples: list[list[ScoredSample]]) -> None:
        fresh = []
        for i, group, scored in zip(indices, completions, samples):
            for c, sample in zip(group, scored):
                # Every generated token costs, also a sample whose key a killed run had already written.
                report.prompt_tokens += c.prompt_tokens or 0
                report.completion_tokens += c.completion_tokens or 0
                if sample.key not in existing:
                    existing[sample.key] = trace_record(problems[i], sample, teacher_info)
                    fresh.append(existing[sample.key])
        store.append(fresh)  # one flush + fsync per batch: a kill loses at most this batch
        report.records_written += len(fresh)
        done[0] += len(indices)
        elapsed = time.perf_counter() - started
        eta = elapsed / done[0] * (to_draw - done[0])
        log(
            f"traces: {done[0]} of {to_draw} problems drawn, {report.records_written} records written "
            f"({elapsed:.0f} s, ETA {eta:.0f} s)"
        )

    done = [0]
    backend = SolverBackend(teacher, problems, prompts, count_tokens) if is_solver else teacher
    with RetryCounter(report.retries):
        # A solver's k traces differ by sample index even when the sampling settings say greedy.
        sample_and_score(
            backend,
            task,
            problems,
            prompts,
            sampling,
            keys=keys,
            cache=RecordsCache(existing),
            batch_problems=batch_problems,
            copy_greedy=not is_solver,
            score_cached=False,
            failures=report.failures,
            on_batch=write,
        )
    on_disk = [existing[key] for key_list in keys for key in key_list if key in existing]
    report.records_total = len(on_disk)
    report.data_prompt_tokens = sum((r.get("tokens") or {}).get("prompt") or 0 for r in on_disk)
    report.data_completion_tokens = sum((r.get("tokens") or {}).get("completion") or 0 for r in on_disk)
    report.correct = sum(
        1 for key_list in keys for key in key_list if key in existing and existing[key]["verdict"]["correct"] is True
    )
    report.wall_s = round(time.perf_counter() - started, 3)
    if record is not None:
        record.add_tokens(prompt=report.prompt_tokens, completion=report.completion_tokens)
    return report


class SolverBackend:
    """A programmatic teacher as a backend: each prompt's k traces are `solver.solve(problem, j)`, j < k.

    `count_tokens` counts a trace's tokens (None when not given: a solver reports none)."""

    def __init__(
        self,
        solver: Solver,
        problems: Sequence[Any],
        prompts: Sequence[list[dict]],
        count_tokens: Callable[[str], int] | None,
    ):
        self.solver, self.model_id, self.count_tokens = solver, solver.model_id, count_tokens
        self.problems = {json.dumps(prompt, sort_keys=True): problem for prompt, problem in zip(prompts, problems)}

    def generate(self, prompts: Sequence[list[dict]], sampling: SamplingParams) -> list[list[Completion]]:
        out = []
        for prompt in prompts:
            problem = self.problems[json.dumps(prompt, sort_keys=True)]
            prompt_tokens = self._count("".join(m["content"] for m in prompt))
            texts = [self.solver.solve(problem, j) for j in range(sampling.n)]
            out.append(
                [Completion(text, [], prompt_tokens, self._count(text), "stop", j) for j, text in enumerate(texts)]
            )
        return out

    def _count(self, text: str) -> int | None:
        return self.count_tokens(text) if self.count_tokens else None
