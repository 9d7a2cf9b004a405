"""The evaluation runner: a backend x tasks x N samples per problem -> scored samples and metrics.

For each task it renders every problem's prompt, draws N samples per problem through any backend,
scores each completion with the task's rewards (the same functions training uses), and summarises:
pass@1 (mean over the N samples), unbiased pass@k and maj@k for k = 1, 2, 4, ... N, lenient accuracy
(the task's `measures`: the last number or expression anywhere in a completion, for math-answer tasks),
mean completion tokens, the format-failure rate (`extraction_failure_rate`: no answer where the format
puts it), scoring-failure count, wall time and tokens/s. Strict pass@1 beside lenient accuracy and
format failures tells learning the answer format from learning to be right.

Samples are drawn and scored by `sampling.sample_and_score`, the path scaling, the data engine and
GRPO share. Resumable: raw completions go to a `CompletionCache` keyed by (model weights, prompt,
sampling, sample index) as soon as each batch is generated, so a rerun of the same command reuses
finished samples verbatim and a killed run loses at most the batch in flight; each task's result counts the
samples it took from the cache (`TaskResult.reused`, exact: the keys present before drawing). Scoring is
recomputed from the cached text (it is cheap and deterministic). With greedy decoding one sample is drawn per problem
and copied N times, since every greedy sample is the same.

Outputs in `out_dir`: samples.jsonl (one ScoredSample per line), summary.json, table.md, run.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .backends.base import Backend, SamplingParams, backend_hash
from .eval_config import PRESETS, EvalConfig  # noqa: F401 (the config of `reasoncraft eval`, importable from here too)
from .math.stats import ks_up_to, pass_at_k
from .math.votes import maj_at_k
from .models import reasoncraft_home
from .progress import progress_bars
from .record import Price, RunRecord
from .report import summary_table
from .rewards import math_equal
from .samples import CompletionCache, JsonlStore, ScoredSample, sample_key
from .sampling import sample_and_score
from .tasks import get_task
from .tasks.base import Task


@dataclass
class TaskResult:
    task: str
    samples: list[ScoredSample]
    summary: dict
    reused: int = 0  # samples taken from the completion cache (present before this run drew any)

    def reuse_line(self) -> str | None:
        """One quiet line when some samples came from the cache, e.g. "t: reused 128 of 200 samples (drew 72)".

        >>> TaskResult("t", [None] * 200, {}, reused=128).reuse_line()
        't: reused 128 of 200 samples from the cache (drew 72)'
        """
        if not self.reused:
            return None
        total = len(self.samples)
        return f"{self.task}: reused {self.reused} of {total} samples from the cache (drew {total - self.reused})"


def summarize(task: str, samples: list[ScoredSample], n: int, wall_s: float, new_tokens: int) -> dict:
    """Metrics of one task's scored samples (n per problem, in problem order)."""
    by_problem: dict[str, list[ScoredSample]] = {}
    for s in samples:
        by_problem.setdefault(s.problem_id, []).append(s)
    groups = [sorted(g, key=lambda s: s.sample_index) for g in by_problem.values()]
    ks = ks_up_to(n)
    total = max(len(samples), 1)
    summary = {
        "task": task,
        "problems": len(groups),
        "samples_per_problem": n,
        "pass@1": sum(bool(s.correct) for s in samples) / total,
        "pass@k": {k: _mean([pass_at_k(n, sum(bool(s.correct) for s in g), k) for g in groups]) for k in ks},
        "maj@k": {
            k: _mean([maj_at_k([s.extracted for s in g], [s.correct for s in g], k, math_equal) for g in groups])
            for k in ks
        },
        "mean_completion_tokens": sum(s.completion_tokens for s in samples) / total,
        "lenient_accuracy": _lenient(samples),
        "extraction_failure_rate": sum(s.extracted is None for s in samples) / total,
        "scoring_failures": sum(s.failure is not None for s in samples),
        "cut_at_limit_rate": sum(s.finish_reason == "length" for s in samples) / total,
        "wall_s": wall_s,
        "new_completion_tokens": new_tokens,
        "tokens_per_s": new_tokens / wall_s if wall_s > 0 else 0.0,
    }
    return summary


def _lenient(samples: list[ScoredSample]) -> float | None:
    """Share of samples right under lenient reading (`rewards.lenient`; a failure counts as wrong);
    None when the task reports no lenient accuracy."""
    if not samples or any("lenient_accuracy" not in s.breakdown for s in samples):
        return None
    return sum(s.breakdown["lenient_accuracy"] == 1.0 for s in samples) / len(samples)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate_task(
    backend: Backend,
    task: Task,
    sampling: SamplingParams,
    cache: CompletionCache,
    *,
    split: str = "test",
    limit: int | None = None,
    template: str | None = None,
    batch_problems: int = 16,
    model_hash: str = "",
    progress: Any = None,
    prompt_format: str = "chat",
    progress_label: str = "",
) -> TaskResult:
    """Evaluate one task; `sampling.n` is the number of samples per problem.

    `prompt_format="text"` renders the template's single-string base-model prompt instead of chat messages.
    `progress` is a `progress.progress_bars` display (or None); the task's bar is `progress_label` + its name.
    """
    problems = task.problems(split, limit)
    prompts = [task.prompt(p, template) if prompt_format == "chat" else task.prompt_text(p, template) for p in problems]
    settings = sampling.to_dict()
    keys = [[sample_key(model_hash, prompt, settings, i) for i in range(sampling.n)] for prompt in prompts]
    cached = [[cache.get(k) is not None for k in row] for row in keys]  # before drawing: what the cache had
    reused = sum(map(sum, cached))
    bar = None
    if progress is not None:  # problems the cache holds whole are done already
        bar = progress.add_task(f"{progress_label}{task.name}", total=len(problems), completed=sum(map(all, cached)))
    advance = (lambda done, *_: progress.update(bar, advance=len(done))) if progress is not None else None
    drawn = sample_and_score(
        backend,
        task,
        problems,
        prompts,
        sampling,
        keys=keys,
        rewards=task.reward_set(measures=True),
        cache=cache,
        batch_problems=batch_problems,
        on_batch=advance,
    )
    if progress is not None:
        progress.update(bar, completed=len(problems))
    scored = drawn.flat()
    summary = summarize(task.name, scored, sampling.n, drawn.generate_s, drawn.new_tokens)
    return TaskResult(task.name, scored, summary, reused=reused)


def evaluate(
    backend: Backend,
    tasks: Sequence[Task],
    sampling: SamplingParams,
    out_dir: str | Path,
    *,
    record: RunRecord,
    cache_dir: str | Path | None = None,
    split: str = "test",
    limit: int | None = None,
    template: str | None = None,
    batch_problems: int = 16,
    show_progress: bool = True,
    prompt_format: str = "chat",
    progress_label: str = "",
) -> list[TaskResult]:
    """Evaluate every task, write samples.jsonl, summary.json, table.md and run.json into out_dir.

    `show_progress`: a bar with ETA per task, on a terminal only (`reasoncraft.progress`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_hash = backend_hash(backend)
    record.set_model(backend.model_id, model_hash, _parameters(backend))
    cache = CompletionCache(cache_dir or reasoncraft_home() / "cache" / "completions", model_hash)
    results = []
    with progress_bars(show_progress) as progress:
        for task in tasks:
            results.append(
                evaluate_task(
                    backend,
                    task,
                    sampling,
                    cache,
                    split=split,
                    limit=limit,
                    template=template,
                    batch_problems=batch_problems,
                    model_hash=model_hash,
                    progress=progress,
                    prompt_format=prompt_format,
                    progress_label=progress_label,
                )
            )
    samples_path = out / "samples.jsonl"
    samples_path.unlink(missing_ok=True)
    store = JsonlStore(samples_path)
    for result in results:
        store.append(s.to_dict() for s in result.samples)
        record.add_tokens(
            prompt=sum(s.prompt_tokens for s in result.samples),
            completion=sum(s.completion_tokens for s in result.samples),
        )
    summaries = [r.summary for r in results]
    (out / "summary.json").write_text(json.dumps(summaries, indent=2))
    (out / "table.md").write_text(summary_table(summaries))
    record.finish(
        summary=summaries,
        cache_skipped_lines=cache.store.skipped_lines,
        reused_samples={r.task: r.reused for r in results},
    )
    return results


def run_eval(
    config: EvalConfig,
    out_dir: str | Path,
    *,
    device: str | None = None,
    price: Any = None,
    cache_dir: str | Path | None = None,
    show_progress: bool = True,
    backend: Backend | None = None,
    command: str = "reasoncraft eval",
) -> list[TaskResult]:
    """Build the backend and tasks a config names and evaluate them (the library form of `reasoncraft eval`)."""

    tasks = [get_task(spec, **config.task_options) for spec in config.tasks]
    if backend is None:
        if config.base_url is not None:
            from .backends.openai import backend_from_url  # lazy: httpx, only for server URLs

            backend = backend_from_url(config.base_url, config.model)
        else:
            from .backends.hf import HFBackend  # lazy: torch and transformers

            backend = HFBackend.from_name(config.model, device=device)
    record = RunRecord(command, asdict(config), Path(out_dir), price=price or Price())
    return evaluate(
        backend,
        tasks,
        config.sampling(),
        out_dir,
        record=record,
        cache_dir=cache_dir,
        split=config.split,
        limit=config.limit,
        template=config.template,
        batch_problems=config.batch_problems,
        show_progress=show_progress,
    )


def _parameters(backend: Backend) -> int | None:
    model = getattr(backend, "model", None)
    return sum(p.numel() for p in model.parameters()) if model is not None and hasattr(model, "parameters") else None
