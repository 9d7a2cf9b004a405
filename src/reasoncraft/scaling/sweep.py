"""`reasoncraft scale`: model x task x strategies x budgets n = 1, 2, 4, ... N -> table, plot, compute-optimal curve.

How it spends compute:

* the sampling strategies (cot, majority, best-of-n, weighted-best-of-n) share one draw of N samples
  per problem, cached on disk; budget n takes the first n samples (a backend seeds each sample by
  its index, so the first n of N samples are the samples an n-sample run would draw);
* greedy and direct run once (their budget is one completion);
* beam and dvts run at every budget n >= 2 (beam width min(M, n)); budget forcing at a thinking
  cap of `budget_unit` * n tokens with up to n - 1 "Wait"s;
* every (split, strategy, n) writes its per-problem results as JSON Lines as problems finish, so a
  killed run resumes where it stopped, and a rerun with a larger N reuses everything it can.

Scoring: `scorer` is the rule-based arithmetic verifier, the task's oracle, or a reward model by
name (`scorers.load_scorer`); a PRM scores the steps that `step_delimiter` separates, for search and
(aggregated) for best-of-n, and an outcome scorer guides search through each prefix of steps.

Compute-optimal (see `compute_optimal`): pilot samples (the first `pilot` samples of the draw)
estimate difficulty (the scorer's mean pilot score, or pilot agreement), the dev split picks a
strategy per difficulty bin and budget, and the test split is scored with those picks; pilot tokens
are charged, except those a pooled strategy reuses as its own first samples.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..backends.base import Completion, backend_hash
from ..samples import CompletionCache, JsonlStore, ScoredSample, sample_key
from ..sampling import sample_and_score
from . import ALIASES, STRATEGIES, strategies_spent
from . import compute_optimal as co
from .base import Outcome
from .sampling import SelfConsistency

# How each registered strategy spends a budget (the registry in scaling/__init__.py says it).
POOLED = strategies_spent("pooled")
SINGLE = strategies_spent("once")
SEARCHED = strategies_spent("searched")
KNOWN = tuple(STRATEGIES)


@dataclass
class ScaleConfig:
    """Everything `reasoncraft scale` needs; validated once here."""

    model: str = field(default="smollm2-135m", metadata={"help": "Catalogue name, .gguf, local folder or hub id."})
    task: str = field(default="arith-sum-2d", metadata={"help": "Task name (reasoncraft.tasks)."})
    strategies: tuple[str, ...] = field(
        default=("greedy", "majority", "best-of-n", "beam", "dvts"),
        metadata={
            "help": f"Any of {', '.join(KNOWN)} (or {', '.join(ALIASES)}); on the command line one per --strategy.",
            "cli": ("--strategy", "-s"),
        },
    )
    max_n: int = field(default=16, metadata={"help": "Largest budget N; budgets are 1, 2, 4, ... N."})
    limit: int = field(default=100, metadata={"help": "Test problems."})
    dev_limit: int = field(
        default=0, metadata={"help": "Dev problems for compute-optimal selection (0 = no compute-optimal curve)."}
    )
    template: str | None = field(default=None, metadata={"help": "Prompt template (default: the task's)."})
    temperature: float = field(default=0.7, metadata={"help": "Sampling temperature of the sampled strategies."})
    max_new_tokens: int = field(default=128, metadata={"help": "Token limit of one completion."})
    scorer: str = field(
        default="rules",
        metadata={
            "help": (
                "Verifier for best-of-n and search: rules (arithmetic step verifier), oracle (the task's "
                "own check), or a reward model: a name from models.REWARD_MODELS, a local folder or a hub "
                "id."
            )
        },
    )
    scorer_kind: str | None = field(
        default=None,
        metadata={
            "help": (
                "Adapter of a reward-model scorer: step-tag, classification or orm (default: from its "
                "catalogue entry or config)."
            )
        },
    )
    step_delimiter: str = field(
        default="\n\n",
        metadata={
            "help": (
                "Where one step ends, for search and for scoring steps (a blank line, as "
                "search-and-learn; escapes such as \\n on the command line)."
            ),
            "escapes": True,
        },
    )
    aggregation: str = field(default="last", metadata={"help": "Step-score aggregation: last, min or prod."})
    beam_width: int = field(default=4, metadata={"help": "M for beam search and DVTS."})
    max_steps: int = field(default=8, metadata={"help": "Search iterations of beam search and DVTS."})
    budget_unit: int = field(default=32, metadata={"help": "Budget forcing: thinking cap per unit of n."})
    pilot: int = field(default=4, metadata={"help": "Pilot samples per problem for difficulty (compute-optimal)."})
    difficulty: str = field(
        default="auto",
        metadata={
            "help": (
                "Pilot difficulty: verifier (1 - mean verifier score, Snell et al.), agreement (1 - share "
                "agreeing with the pilot majority), or auto (verifier unless the scorer is the oracle)."
            )
        },
    )
    bins: int = field(
        default=5, metadata={"help": "Difficulty bins requested (compute-optimal); ties can leave fewer."}
    )
    min_bin_size: int = field(
        default=10, metadata={"help": "A difficulty bin with fewer dev problems joins its smaller neighbour."}
    )
    seed: int = field(default=0, metadata={"help": "Sampling seed."})
    batch: int = field(default=16, metadata={"help": "Problems per batch (a killed run loses at most one batch)."})
    out_dir: str = field(
        default="runs/scale",
        metadata={
            "help": "Where results, cache, table, plot, run.json and config.yaml go.",
            "cli": ("--out", "--out-dir"),
        },
    )
    cache_dir: str | None = field(
        default=None, metadata={"help": "Completion cache shared with eval (default: the eval cache)."}
    )
    device: str | None = field(default=None, metadata={"help": "cpu or cuda (default: cuda when present)."})

    def __post_init__(self) -> None:
        self.strategies = tuple(dict.fromkeys(ALIASES.get(s, s) for s in self.strategies))
        unknown = [s for s in self.strategies if s not in KNOWN]
        if unknown:
            raise ValueError(f"unknown strategies {unknown}: use any of {', '.join(KNOWN)}")
        if self.max_n < 1 or self.max_n & (self.max_n - 1):
            raise ValueError(f"max_n must be a power of two (budgets 1, 2, 4, ... N): got {self.max_n}")
        if self.limit < 1:
            raise ValueError(f"limit must be >= 1 test problem: got {self.limit}")
        if self.scorer in ("rules", "oracle") and self.scorer_kind is not None:
            raise ValueError(
                f"scorer_kind applies to a reward-model scorer, not to {self.scorer!r}: drop it or name a reward model"
            )
        if self.scorer not in ("rules", "oracle"):
            from ..models import ModelLoadError, check_reward_model_name

            try:
                check_reward_model_name(self.scorer, self.scorer_kind)
            except ModelLoadError as exc:
                raise ValueError(f"scorer must be rules, oracle or a reward model: {exc}") from None
        if not self.step_delimiter:
            raise ValueError("step_delimiter must be non-empty: e.g. a blank line '\\n\\n' or a newline '\\n'")
        if self.dev_limit and not 1 <= self.pilot <= self.max_n:
            raise ValueError(f"pilot samples must be between 1 and max_n={self.max_n}: got {self.pilot}")
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be >= 1: got {self.beam_width}")
        if self.difficulty not in ("auto", "verifier", "agreement"):
            raise ValueError(f"difficulty must be auto, verifier or agreement: got {self.difficulty!r}")
        if self.difficulty == "verifier" and self.scorer == "oracle":
            raise ValueError(
                "difficulty=verifier with scorer=oracle would read the gold answers of the test split: "
                "use difficulty=agreement (or auto), or a label-free scorer"
            )
        if self.bins < 1 or self.min_bin_size < 1:
            raise ValueError(f"bins and min_bin_size must be >= 1: got {self.bins} and {self.min_bin_size}")

    @property
    def difficulty_measure(self) -> str:
        """The difficulty measure in use (auto resolved)."""
        if self.difficulty != "auto":
            return self.difficulty
        return "agreement" if self.scorer == "oracle" else "verifier"

    @property
    def budgets(self) -> list[int]:
        return [2**i for i in range(self.max_n.bit_length())]


class TaskVerifier:
    """The oracle outcome scorer: the task's own check against the gold answer (the best-of-N upper bound)."""

    def __init__(self, task: Any, problems: Sequence[Any]):
        from ..scorers.base import ScorerUsage

        self.task, self.by_question = task, {p.question: p for p in problems}
        self.usage = ScorerUsage()

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        self.usage.calls += 1
        return [float(bool(self.task.score(self.by_question[q], s).correct)) for q, s in zip(questions, solutions)]


# --- the sweep ----------------------------------------------------------------------------------------


class Sweep:
    """One `reasoncraft scale` run: owns the backend, the task and the on-disk results."""

    def __init__(self, config: ScaleConfig, backend: Any, record: Any = None):
        from ..tasks import get_task

        self.config, self.backend, self.record = config, backend, record
        self.task = get_task(config.task)
        self.template = config.template or self.task.default_template
        self.out = Path(config.out_dir)
        if config.cache_dir is None:
            from ..models import reasoncraft_home

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
        )
        settings = {k: v for k, v in asdict(config).items() if k not in varying}
        settings["model_id"] = str(getattr(backend, "model_id", ""))
        for key, default in (("scorer_kind", None), ("step_delimiter", "\n\n")):
            if (
                settings[key] == default
            ):  # left out at their defaults, so results written before they existed stay valid
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
        drawn = sample_and_score(
            self.backend,
            self.task,
            problems,
            prompts,
            sampling,
            keys=keys,
            cache=cache,
            batch_problems=self.config.batch,
            on_batch=lambda _, groups, __: [self._charge(group) for group in groups],
        )
        self.pool_wall_s[split] = drawn.generate_s
        self._pools[split] = {problem.id: samples for problem, samples in zip(problems, drawn.samples)}
        return self._pools[split]

    def _charge(self, group: Sequence[Completion]) -> None:
        if self.record is not None and group:
            self.record.add_tokens(prompt=group[0].prompt_tokens, completion=sum(c.completion_tokens for c in group))

    # -- strategies ------------------------------------------------------------------------------
    def reward_model(self) -> Any:
        """The rules verifier, or the reward model named by `scorer` (loaded once per sweep)."""
        if self._reward_model is None:
            from ..scorers import ArithmeticVerifier, load_scorer

            c = self.config
            self._reward_model = (
                ArithmeticVerifier()
                if c.scorer == "rules"
                else load_scorer(c.scorer, kind=c.scorer_kind, device=c.device)
            )
        return self._reward_model

    def outcome_scorer(self, problems: Sequence[Any]) -> Any:
        """What best-of-n ranks with: the oracle, an ORM, or a PRM's aggregated step scores."""
        from ..scorers import StepsAsOutcome, is_process_scorer

        if self.config.scorer == "oracle":
            return TaskVerifier(self.task, problems)
        scorer = self.reward_model()
        if is_process_scorer(scorer):
            return StepsAsOutcome(scorer, self.config.aggregation, separator=self.config.step_delimiter)
        return scorer

    def step_scorer(self, problems: Sequence[Any]) -> Any:
        """What search scores partial solutions with: a PRM, or an outcome scorer on each prefix of steps."""
        from ..scorers import OutcomeAsSteps, is_process_scorer

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
        self, split: str, name: str, n: int, problems: Sequence[Any], pool: dict[str, list[ScoredSample]] | None
    ) -> list[dict] | None:
        """Per-problem results of strategy `name` at budget n (resumed from disk where present)."""
        strategy = self.build(name, n, problems)
        if strategy is None:
            return None
        path = self.out / "results" / self.settings_key / split / f"{name}-n{n}.jsonl"
        store = JsonlStore(path)
        have = {r["id"]: r for r in store.read()}
        todo = [p for p in problems if p.id not in have]
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
        }

    # -- everything --------------------------------------------------------------------------------
    def table(self, split: str, problems: Sequence[Any]) -> dict[str, dict[int, list[dict]]]:
        pool = self.pool(split, problems) if any(s in POOLED for s in self.config.strategies) else None
        results: dict[str, dict[int, list[dict]]] = {}
        for name in self.config.strategies:
            for n in self.config.budgets:
                rows = self.run(split, name, n, problems, pool)
                if rows is not None:
                    results.setdefault(name, {})[n] = rows
        return results


def _completion(s: ScoredSample) -> Completion:
    return Completion(s.completion, s.token_ids, s.prompt_tokens, s.completion_tokens, s.finish_reason, s.sample_index)


def summarize(results: dict[str, dict[int, list[dict]]]) -> list[dict]:
    """One row per (strategy, n): accuracy and mean tokens per problem."""
    rows = []
    for name, by_n in results.items():
        for n, per_problem in sorted(by_n.items()):
            m = len(per_problem)
            rows.append(
                {
                    "strategy": name,
                    "n": n,
                    "accuracy": sum(r["correct"] for r in per_problem) / m,
                    "completion_tokens": sum(r["completion_tokens"] for r in per_problem) / m,
                    "prompt_tokens": sum(r["prompt_tokens"] for r in per_problem) / m,
                    "scorer_tokens": sum(r["scorer_tokens"] for r in per_problem) / m,
                    "wall_s": sum(r["wall_s"] for r in per_problem) / m,
                    "problems": m,
                }
            )
    return rows


def pilot_difficulty(
    pool: dict, problems: Sequence[Any], pilot: int, scorer: Any = None
) -> tuple[list[float], list[float], float]:
    """Per problem: difficulty from its first `pilot` samples, their tokens; and the scorer tokens the pilots cost.

    With `scorer` (a label-free outcome scorer), difficulty is 1 - its mean score of the pilots (Snell et
    al.'s model-predicted difficulty); without one, 1 - the share of pilots that agree with their majority.
    """
    from .base import default_equal, default_extract

    extract, equal = default_extract(), default_equal()
    firsts = [pool[p.id][:pilot] for p in problems]
    if scorer is None:
        scores = [co.agreement_scores([extract(s.completion) for s in first], equal) for first in firsts]
        spent = 0.0
    else:
        before = scorer.usage.snapshot()
        flat = scorer.score(
            [p.question for p, first in zip(problems, firsts) for _ in first],
            [s.completion for first in firsts for s in first],
        )
        scores = [flat[i * pilot : (i + 1) * pilot] for i in range(len(problems))]
        spent = scorer.usage.since(before).tokens / max(len(problems), 1)
    tokens = [float(sum(s.completion_tokens for s in first)) for first in firsts]
    return co.difficulty_from_pilots(scores), tokens, spent


def reused_pilot_tokens(results: dict, pool: dict, problems: Sequence[Any], pilot: int) -> dict:
    """Tokens of the pilots each pooled strategy's count already holds: its first min(n, pilot) samples."""
    out: dict[str, dict[int, list[float]]] = {}
    for name, by_n in results.items():
        if name in POOLED:
            for n in by_n:
                out.setdefault(name, {})[n] = [
                    float(sum(s.completion_tokens for s in pool[p.id][: min(n, pilot)])) for p in problems
                ]
    return out


def compute_optimal_curve(
    config: ScaleConfig,
    dev: dict,
    test: dict,
    dev_pool: dict,
    test_pool: dict,
    dev_problems: Sequence[Any],
    test_problems: Sequence[Any],
    pilot_scorer: Any = None,
) -> dict:
    """Snell et al.'s selection: difficulty bins from pilot samples on dev, best strategy per bin and
    budget, applied on test.

    Both splits are charged for their pilots (less what pooled strategies reuse) before choosing, so
    ties on dev go to the strategy that is cheaper once the pilots are paid for.
    """

    def table(results: dict) -> dict:
        return {
            name: {n: [(r["correct"], float(r["completion_tokens"])) for r in rows] for n, rows in by_n.items()}
            for name, by_n in results.items()
        }

    dev_difficulty, dev_pilot_tokens, _ = pilot_difficulty(dev_pool, dev_problems, config.pilot, pilot_scorer)
    test_difficulty, test_pilot_tokens, scorer_tokens = pilot_difficulty(
        test_pool, test_problems, config.pilot, pilot_scorer
    )
    dev_t = co.charge_pilots(
        table(dev), dev_pilot_tokens, reused_pilot_tokens(dev, dev_pool, dev_problems, config.pilot)
    )
    test_plain = table(test)
    test_t = co.charge_pilots(
        test_plain, test_pilot_tokens, reused_pilot_tokens(test, test_pool, test_problems, config.pilot)
    )
    baseline_name = "best-of-n" if "best-of-n" in test_plain else "majority"
    curve = co.optimal_curve(
        dev_t,
        test_t,
        dev_difficulty,
        test_difficulty,
        config.budgets,
        config.bins,
        config.min_bin_size,
        test_plain.get(baseline_name),
    )
    # Against every fixed strategy too, not only the named baseline: a strong fixed one can beat the selection.
    savings_vs = {
        name: co.compute_savings(
            curve["points"], [(co.mean_tokens(r), co.accuracy(r)) for _, r in sorted(by_n.items())]
        )
        for name, by_n in test_plain.items()
    }
    return {
        "difficulty": "verifier" if pilot_scorer is not None else "agreement",
        "pilot": config.pilot,
        "pilot_tokens": co.mean_tokens([(True, t) for t in test_pilot_tokens]),
        "pilot_scorer_tokens": scorer_tokens,
        "baseline": baseline_name,
        **curve,
        "savings_vs": savings_vs,
    }


def markdown_table(rows: Sequence[dict]) -> str:
    lines = [
        "| strategy | n | accuracy | completion tokens / problem | scorer tokens / problem | problems |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['strategy']} | {r['n']} | {r['accuracy']:.3f} | {r['completion_tokens']:.1f} | "
            f"{r['scorer_tokens']:.1f} | {r['problems']} |"
        )
    return "\n".join(lines)


def plot(rows: Sequence[dict], optimal: dict | None, path: Path, title: str) -> Path:
    """Accuracy against generated tokens per problem, one line per strategy, plus the compute-optimal curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in dict.fromkeys(r["strategy"] for r in rows):
        mine = sorted((r["completion_tokens"], r["accuracy"]) for r in rows if r["strategy"] == name)
        ax.plot([t for t, _ in mine], [a for _, a in mine], marker="o", label=name)
    if optimal and optimal.get("points"):
        pts = sorted(optimal["points"])
        ax.plot([t for t, _ in pts], [a for _, a in pts], "k--", marker="s", label="compute-optimal (incl. pilots)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("generated tokens per problem (policy)")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def run_scale(config: ScaleConfig, backend: Any = None) -> dict:
    """Run the sweep; write results/, table.md, scale.png, summary.json and run.json under `config.out_dir`."""
    from ..record import RunRecord

    out = Path(config.out_dir)
    record = RunRecord("scale", asdict(config), out)
    if backend is None:
        from ..backends import HFBackend
        from ..models import weights_hash

        backend = HFBackend.from_name(config.model, device=config.device)
        record.set_model(config.model, weights_hash(backend.model), sum(p.numel() for p in backend.model.parameters()))
    else:
        record.set_model(str(getattr(backend, "model_id", "backend")))
    sweep = Sweep(config, backend, record)
    started = time.perf_counter()
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
