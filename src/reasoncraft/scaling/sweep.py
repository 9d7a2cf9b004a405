"""`reasoncraft scale`: model x task x strategies x budgets n = 1, 2, 4, ... N -> table, plot, compute-optimal curve.

How it spends compute:

* the sampling strategies (cot, majority, best-of-n, weighted-best-of-n) share one draw of N samples
  per problem, cached on disk; budget n takes the first n samples (a backend seeds each sample by
  its index, so the first n of N samples are the samples an n-sample run would draw);
* greedy and direct run once (their budget is one completion);
* beam and dvts run at every budget n >= 2 (beam width min(M, n)); budget forcing at a thinking
  cap of `budget_unit` * n tokens with up to n - 1 "Wait"s;
* every (split, strategy, n) writes its per-problem results as JSON Lines as problems finish, so a
  killed run resumes where it stopped, and a rerun with a larger N reuses everything it can;
* on a terminal, a bar with ETA for the shared draw and one per strategy (over its budgets) says how far
  it is (`reasoncraft.progress`; `progress=False` or a pipe keeps it quiet).

Scoring: `scorer` is the rule-based arithmetic verifier, the task's oracle, or a reward model by
name (`scorers.load_scorer`); a PRM scores the steps that `step_delimiter` separates, for search and
(aggregated) for best-of-n, and an outcome scorer guides search through each prefix of steps.

Compute-optimal (`sweep_optimal`, over the pure selection in `compute_optimal`): pilot samples (the
first `pilot` samples of the draw) estimate difficulty (the scorer's mean pilot score, or pilot
agreement), the dev split picks a strategy per difficulty bin and budget, and the test split is scored
with those picks; pilot tokens are charged, except those a pooled strategy reuses as its own first
samples.

This module holds the run itself (the shared draw, each strategy at each budget, resuming from disk)
and `run_scale`; the command's config is `scale_config.ScaleConfig`, and the table and plot come from
`sweep_report`. Every name it offered before that split is still importable from here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..backends.base import Completion, backend_hash
from ..models import reasoncraft_home, weights_hash
from ..progress import progress_bars
from ..record import RunRecord
from ..samples import CompletionCache, JsonlStore, ScoredSample, sample_key
from ..sampling import sample_and_score
from ..scorers import ArithmeticVerifier, OutcomeAsSteps, StepsAsOutcome, is_process_scorer, load_scorer
from ..scorers.base import ScorerUsage
from ..tasks import get_task
from . import STRATEGIES
from .base import Outcome
from .sampling import SelfConsistency
from .scale_config import KNOWN, POOLED, SEARCHED, SINGLE, ScaleConfig
from .sweep_optimal import compute_optimal_curve, pilot_difficulty, reused_pilot_tokens
from .sweep_report import markdown_table, plot, summarize

# The names `reasoncraft.scaling.sweep` has always offered; each now lives in the module named above.
__all__ = [
    "KNOWN",
    "POOLED",
    "SEARCHED",
    "SINGLE",
    "ScaleConfig",
    "Sweep",
    "TaskVerifier",
    "compute_optimal_curve",
    "markdown_table",
    "pilot_difficulty",
    "plot",
    "reused_pilot_tokens",
    "run_scale",
    "summarize",
]


class TaskVerifier:
    """The oracle outcome scorer: the task's own check against the gold answer (the best-of-N upper bound)."""

    def __init__(self, task: Any, problems: Sequence[Any]):
        self.task, self.by_question = task, {p.question: p for p in problems}
        self.usage = ScorerUsage()

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        self.usage.calls += 1
        return [float(bool(self.task.score(self.by_question[q], s).correct)) for q, s in zip(questions, solutions)]


# --- the sweep ----------------------------------------------------------------------------------------


class Sweep:
    """One `reasoncraft scale` run: owns the backend, the task and the on-disk results."""

    def __init__(self, config: ScaleConfig, backend: Any, record: Any = None, progress: Any = None):
        """`progress`: a `progress.progress_bars` display, or None for no progress."""
        self.config, self.backend, self.record, self.progress = config, backend, record, progress
        self.task = get_task(config.task, **config.task_options)
        self.template = config.template or self.task.default_template
        self.out = Path(config.out_dir)
        if config.cache_dir is None:
            self.cache_dir = reasoncraft_home() / "cache" / "completions"  # the eval cache
        else:
            self.cache_dir = Path(config.cache_dir)
        self._pools: dict[str, dict[str, list[ScoredSample]]] = {}
        self._reward_model: Any = None
        # Results are reused only by a run with the same settings (budgets, limits and strategies may change).
        varying = (
            "strategies",
            "max_n",
            "limit",
            "dev_limit",
            "batch",
            "out_dir",
            "cache_dir",
            "device",
            "pilot",
            "bins",
            "difficulty",
            "min_bin_size",
            "progress",
        )
        settings = {k: v for k, v in asdict(config).items() if k not in varying}
        settings["model_id"] = str(getattr(backend, "model_id", ""))
        # Left out at their defaults, so that results written before these settings existed stay valid.
        settings.pop("data_path")  # its file is in task_options; both left out when empty (older results stay valid)
        for key, default in (("scorer_kind", None), ("step_delimiter", "\n\n"), ("task_options", {})):
            if settings[key] == default:
                del settings[key]
        self.settings_key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
        self.pool_wall_s: dict[str, float] = {}

    # -- the shared draw of N samples --------------------------------------------------------------
    def pool(self, split: str, problems: Sequence[Any]) -> dict[str, list[ScoredSample]]:
        """N scored samples per problem, in sample order: {problem id: [ScoredSample, ...]}.

        Drawn and scored by `sampling.sample_and_score` through the completion cache that `reasoncraft
        eval` uses (same keys: model weights, prompt, sampling without n, sample index), so either command
        reuses the other's samples and a killed run loses at most the batch in flight.
        """
        if split in self._pools:
            return self._pools[split]
        sampling = SelfConsistency(
            n=self.config.max_n,
            temperature=self.config.temperature,
            max_new_tokens=self.config.max_new_tokens,
            seed=self.config.seed,
        ).sampling()
        model_hash = backend_hash(self.backend)
        cache = CompletionCache(self.cache_dir, model_hash)
        prompts = [self.task.prompt(p, self.template) for p in problems]
        keys = [[sample_key(model_hash, pr, sampling.to_dict(), i) for i in range(sampling.n)] for pr in prompts]
        whole = sum(all(cache.get(k) is not None for k in row) for row in keys)  # problems the cache holds
        bar = self._bar(f"{split}: {sampling.n} samples per problem", len(problems), whole)

        def on_batch(done: list[int], groups: list, _: Any) -> None:
            for group in groups:
                self._charge(group)
            self._advance(bar, len(done))

        drawn = sample_and_score(
            self.backend,
            self.task,
            problems,
            prompts,
            sampling,
            keys=keys,
            cache=cache,
            batch_problems=self.config.batch,
            on_batch=on_batch,
        )
        self._advance(bar, len(problems), done=True)
        self.pool_wall_s[split] = drawn.generate_s
        self._pools[split] = {problem.id: samples for problem, samples in zip(problems, drawn.samples)}
        return self._pools[split]

    def _bar(self, description: str, total: int, completed: int = 0) -> Any:
        return self.progress.add_task(description, total=total, completed=completed) if self.progress else None

    def _advance(self, bar: Any, count: int, *, done: bool = False, description: str | None = None) -> None:
        """Move `bar` on by `count` problems (to `count` when `done`), renaming it when a description is given."""
        if self.progress is None or bar is None:
            return
        moved = {"completed": count} if done else {"advance": count}
        self.progress.update(bar, **moved, **({"description": description} if description else {}))

    def _charge(self, group: Sequence[Completion]) -> None:
        if self.record is not None and group:
            self.record.add_tokens(prompt=group[0].prompt_tokens, completion=sum(c.completion_tokens for c in group))

    # -- strategies ------------------------------------------------------------------------------
    def reward_model(self) -> Any:
        """The rules verifier, or the reward model named by `scorer` (loaded once per sweep)."""
        if self._reward_model is None:
            c = self.config
            self._reward_model = (
                ArithmeticVerifier()
                if c.scorer == "rules"
                else load_scorer(c.scorer, kind=c.scorer_kind, device=c.device)
            )
        return self._reward_model

    def outcome_scorer(self, problems: Sequence[Any]) -> Any:
        """What best-of-n ranks with: the oracle, an ORM, or a PRM's aggregated step scores."""
        if self.config.scorer == "oracle":
            return TaskVerifier(self.task, problems)
        scorer = self.reward_model()
        if is_process_scorer(scorer):
            return StepsAsOutcome(scorer, self.config.aggregation, separator=self.config.step_delimiter)
        return scorer

    def step_scorer(self, problems: Sequence[Any]) -> Any:
        """What search scores partial solutions with: a PRM, or an outcome scorer on each prefix of steps."""
        scorer = TaskVerifier(self.task, problems) if self.config.scorer == "oracle" else self.reward_model()
        return scorer if is_process_scorer(scorer) else OutcomeAsSteps(scorer, separator=self.config.step_delimiter)

    def pilot_scorer(self) -> Any | None:
        """The label-free scorer that rates pilot samples for difficulty, or None for agreement."""
        return self.outcome_scorer([]) if self.config.difficulty_measure == "verifier" else None

    def build(self, name: str, n: int, problems: Sequence[Any]) -> Any | None:
        """The strategy `name` at budget n, or None where the budget does not apply to it."""
        c = self.config
        entry = STRATEGIES[name]

        def make(**settings: Any) -> Any:
            return entry.cls(**entry.options, **settings)

        sampled = dict(temperature=c.temperature, max_new_tokens=c.max_new_tokens, seed=c.seed, template=self.template)
        if name == "cot":
            return make(**sampled) if n == 1 else None
        if name == "majority":
            return make(n=n, **sampled)
        if name in ("best-of-n", "weighted-best-of-n"):
            return make(n=n, scorer=self.outcome_scorer(problems), **sampled)
        if name == "greedy":
            return make(max_new_tokens=c.max_new_tokens, template=self.template) if n == 1 else None
        if name == "direct":
            return make(template="direct") if n == 1 else None
        if name == "budget":
            return make(thinking_tokens=c.budget_unit * n, num_waits=n - 1, template=self.template)
        if n < 2:
            return None
        return make(
            scorer=self.step_scorer(problems),
            n=n,
            separator=c.step_delimiter,
            beam_width=min(c.beam_width, n),
            aggregation=c.aggregation,
            max_steps=c.max_steps,
            max_step_tokens=c.max_new_tokens,
            max_final_tokens=c.max_new_tokens,
            temperature=c.temperature,
            seed=c.seed,
            template=self.template,
        )

    def run(
        self,
        split: str,
        name: str,
        n: int,
        problems: Sequence[Any],
        pool: dict[str, list[ScoredSample]] | None,
        bar: Any = None,
    ) -> list[dict] | None:
        """Per-problem results of strategy `name` at budget n (resumed from disk where present); `bar` moves
        on by each problem done."""
        strategy = self.build(name, n, problems)
        if strategy is None:
            self._advance(bar, len(problems))
            return None
        path = self.out / "results" / self.settings_key / split / f"{name}-n{n}.jsonl"
        store = JsonlStore(path)
        have = {r["id"]: r for r in store.read()}
        todo = [p for p in problems if p.id not in have]
        self._advance(bar, len(problems) - len(todo), description=f"{split}: {name} n={n}")
        for start in range(0, len(todo), self.config.batch):
            batch = todo[start : start + self.config.batch]
            questions = [p.question for p in batch]
            t0 = time.perf_counter()
            if name in POOLED:
                samples = [[_completion(s) for s in pool[p.id]] for p in batch]
                outcomes = strategy.choose(questions, samples)
            else:
                prompts = [self.task.prompt(p, strategy.template) for p in batch]
                outcomes = strategy.solve(self.backend, prompts, questions)
                for o in outcomes:
                    if self.record is not None:
                        self.record.add_tokens(prompt=o.usage.prompt_tokens, completion=o.usage.completion_tokens)
            wall = (time.perf_counter() - t0) / len(batch)
            rows = [self._row(p, o, wall, pool) for p, o in zip(batch, outcomes)]
            for r in rows:
                have[r["id"]] = r
            store.append(rows)
            self._advance(bar, len(batch))
        return [have[p.id] for p in problems]

    def _row(self, problem: Any, outcome: Outcome, wall: float, pool: dict | None) -> dict:
        known = {s.completion: bool(s.correct) for s in pool[problem.id]} if pool else {}
        correct = known[outcome.text] if outcome.text in known else bool(self.task.score(problem, outcome.text).correct)
        return {
            "id": problem.id,
            "correct": correct,
            "answer": outcome.answer,
            **outcome.usage.to_dict(),
            "wall_s": wall,
            "text": outcome.text,  # the pick and what it was picked from, for the report's sample browser
            "candidates": [{"text": c.text, "answer": c.answer, "score": c.score} for c in outcome.candidates],
        }

    # -- everything --------------------------------------------------------------------------------
    def table(self, split: str, problems: Sequence[Any]) -> dict[str, dict[int, list[dict]]]:
        pool = self.pool(split, problems) if any(s in POOLED for s in self.config.strategies) else None
        results: dict[str, dict[int, list[dict]]] = {}
        for name in self.config.strategies:
            bar = self._bar(f"{split}: {name}", len(problems) * len(self.config.budgets))
            for n in self.config.budgets:
                rows = self.run(split, name, n, problems, pool, bar)
                if rows is not None:
                    results.setdefault(name, {})[n] = rows
        return results


def _completion(s: ScoredSample) -> Completion:
    return Completion(s.completion, s.token_ids, s.prompt_tokens, s.completion_tokens, s.finish_reason, s.sample_index)


def run_scale(config: ScaleConfig, backend: Any = None) -> dict:
    """Run the sweep; write results/, table.md, scale.png, summary.json and run.json under `config.out_dir`."""
    out = Path(config.out_dir)
    record = RunRecord("scale", asdict(config), out)
    if backend is None:
        from ..backends import HFBackend  # lazy: heavy (HFBackend imports torch)

        backend = HFBackend.from_name(config.model, device=config.device)
        record.set_model(config.model, weights_hash(backend.model), sum(p.numel() for p in backend.model.parameters()))
    else:
        record.set_model(str(getattr(backend, "model_id", "backend")))
    started = time.perf_counter()
    with progress_bars(config.progress) as bars:
        sweep = Sweep(config, backend, record, progress=bars)
        test_problems = sweep.task.problems("test", limit=config.limit)
        test = sweep.table("test", test_problems)
        rows = summarize(test)
        optimal = None
        if config.dev_limit:
            dev_problems = sweep.task.problems("dev", limit=config.dev_limit)
            dev = sweep.table("dev", dev_problems)
            optimal = compute_optimal_curve(
                config,
                dev,
                test,
                sweep.pool("dev", dev_problems),
                sweep.pool("test", test_problems),
                dev_problems,
                test_problems,
                sweep.pilot_scorer(),
            )
    table = markdown_table(rows)
    (out / "table.md").write_text(table + "\n")
    png = plot(rows, optimal, out / "scale.png", f"{config.model} on {config.task} ({config.limit} test problems)")
    summary = {
        "rows": rows,
        "compute_optimal": optimal,
        "plot": str(png),
        "wall_s": time.perf_counter() - started,
        "sample_draw_wall_s": sweep.pool_wall_s,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    record.finish(scale=summary)
    return summary
