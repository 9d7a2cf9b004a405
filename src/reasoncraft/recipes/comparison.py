"""The comparison of routes: comparison.json, table.md and a plot of accuracy against total compute.

Everything about accuracy is computed from the evaluation stages' `samples.jsonl` (the scored samples
`reasoncraft eval` wrote), so the table can be recomputed from them alone; compute comes from the stages'
run records. One row per route plus the base model:

- strict accuracy (the task's reward, as evaluation scores it) and lenient accuracy (`rewards.lenient`), as
  mean, spread (population std over seeds) and per seed; a trained route is evaluated greedily (one sample
  per problem), the scaling route by majority vote over its N samples (maj@N, both columns: `per_problem`).
  Lenient maj@N votes over what the lenient reward reads from each sample (`lenient_answer`: the strict
  answer, else the last number or expression anywhere), with the strict vote's grouping and tie-break
  (`math.votes.maj_at_k`, equivalence by `math_equal`, a tie to the class seen first); samples with no
  lenient answer do not vote; the winner is right when its class's first sample scored lenient_accuracy 1.0
  in its stored breakdown (the sample whose answer the vote returns, as the strict vote reads `correct`), so
  no gold answer is checked again. "n/a" when a sample lacks that breakdown (runs from before it);
- pass@k and maj@k where sampled, the format-failure rate, mean completion tokens;
- training compute: FLOPs (the run records' 2N/6N estimate; teacher generation included, the r1-zero stage
  that r1 builds on included) and wall seconds, summed over every stage the route depends on; for r1-zero, r1
  and distill beside the ceiling `train_flops_budget` and the upper bound the plan held it to (`recipes.budget`);
- inference compute per test problem (prompt + completion tokens, and 2 N FLOPs per token);
- with `scaling_prm`, a PRM row under the scaling row (`recipes.prm`): the PRM sweep's weighted vote at N over
  the same samples, strict as the sweep scored its pick, lenient the same weighted vote over the lenient reading
  (`picked`); its training compute is the labels and the PRM's training, its inference the samples' tokens plus
  the PRM's scoring tokens (2N each: the PRM is the base model with a two-way head); pass@k, format failures and
  tokens per completion are those of the samples it picks among;
- a paired bootstrap 95% interval (problems resampled, `math.stats.paired_bootstrap`) of each route against
  the base and between routes, on per-problem strict accuracy averaged over seeds (lenient has none).

The points of the plot: one per route and budget; total compute = training FLOPs + inference FLOPs on all
the test problems. The scaling route gives one point per strategy and budget from its sweep (and the PRM row from
the PRM sweep, its training compute included).
"""

from __future__ import annotations

import itertools
import json
import statistics
from pathlib import Path
from typing import Any

from ..math.stats import paired_bootstrap
from ..math.votes import maj_at_k, weighted_vote
from ..rewards import math_equal
from ..rewards.lenient import lenient_answer
from ..rewards.text import completion_text
from ..samples import read_jsonl
from .settings import BUDGETED
from .stages import Context


def per_problem(samples: list[dict], vote: int | None = None) -> dict[str, dict[str, float | None]]:
    """Per problem id: strict and lenient accuracy of its samples (their mean), or maj@`vote` when given
    (`lenient_maj_at_k`); lenient is None where a sample has no `lenient_accuracy` in its breakdown.

    >>> rows = [{"problem_id": "a", "correct": True, "extracted": "3", "breakdown": {"lenient_accuracy": 1.0}},
    ...         {"problem_id": "b", "correct": False, "extracted": None, "breakdown": {"lenient_accuracy": 0.0}}]
    >>> per_problem(rows)["a"], per_problem(rows)["b"]["strict"]
    ({'strict': 1.0, 'lenient': 1.0}, 0.0)
    >>> votes = [{"problem_id": "a", "sample_index": i, "completion": text, "extracted": strict, "correct": ok,
    ...           "breakdown": {"lenient_accuracy": lenient}} for i, (text, strict, ok, lenient) in enumerate([
    ...     ("3 + 4 = 7", None, None, 1.0), ("Answer: 8", "8", False, 0.0), ("so 7", None, None, 1.0)])]
    >>> per_problem(votes, vote=3)["a"]  # strict: "8" alone; lenient: "7" twice against "8"
    {'strict': 0.0, 'lenient': 1.0}
    """
    groups: dict[str, list[dict]] = {}
    for s in samples:
        groups.setdefault(s["problem_id"], []).append(s)
    out = {}
    for pid, group in groups.items():
        group.sort(key=lambda s: s.get("sample_index", 0))
        if vote is not None:
            strict = maj_at_k([s["extracted"] for s in group], [s["correct"] for s in group], vote, math_equal)
            out[pid] = {"strict": strict, "lenient": lenient_maj_at_k(group, vote)}
            continue
        lenient = [s.get("breakdown", {}).get("lenient_accuracy") for s in group]
        out[pid] = {
            "strict": sum(bool(s["correct"]) for s in group) / len(group),
            "lenient": None if any(v is None for v in lenient) else sum(v == 1.0 for v in lenient) / len(group),
        }
    return out


def lenient_maj_at_k(group: list[dict], k: int) -> float | None:
    """maj@k of one problem's samples (in sample order) under lenient reading; None when a sample has no
    `lenient_accuracy` in its breakdown (nothing to score the winner by, so no guess).

    The strict vote's own path (`maj_at_k`: classes by `math_equal`, a tie to the class seen first, the
    class's first sample says whether it is right), fed each sample's lenient answer (`lenient_answer` on
    its completion, the reading the lenient reward scored; None, no vote, when there is none) and its stored
    verdict (lenient_accuracy 1.0; 0.0 or a scoring failure is wrong). When a class's samples disagree (a
    hedged completion, a checker failure, `math_equal` joining answers the gold check tells apart), the
    first sample decides, as in the strict vote: it is the one whose answer the vote returns.

    >>> row = lambda text, lenient: {"completion": text, "breakdown": {"lenient_accuracy": lenient}}
    >>> lenient_maj_at_k([row("I get 8", 0.0), row("no idea", 0.0), row("7", 1.0)], 3)  # a tie: "8" seen first
    0.0
    >>> lenient_maj_at_k([row("Answer: 7", 1.0), {"completion": "Answer: 7", "breakdown": {}}], 2) is None
    True
    """
    verdicts = [s.get("breakdown", {}).get("lenient_accuracy") for s in group]
    if any(v is None for v in verdicts):
        return None
    answers = [lenient_answer(completion_text(s["completion"])) or None for s in group]
    return maj_at_k(answers, [v == 1.0 for v in verdicts], k, math_equal)


def picked(rows: list[dict], samples: list[dict]) -> dict[str, dict[str, float | None]]:
    """Per problem id: strict and lenient accuracy of a scored vote, from a sweep's per-problem rows (`correct`:
    its pick's strict verdict; `candidates`: each sample's text and score, in sample order) and the samples voted
    on (their stored lenient verdicts). Lenient is the same weighted vote over what the lenient reward reads
    (`lenient_answer`; no answer, no vote; a tie to the class seen first), right when the winning class's first
    member scored lenient_accuracy 1.0, as `lenient_maj_at_k` reads a majority; None when a candidate is not
    among the samples or has no lenient verdict.

    >>> rows = [{"id": "a", "correct": False, "candidates": [{"text": "so 7", "score": 0.9},
    ...          {"text": "Answer: 8", "score": 0.2}, {"text": "Answer: 8", "score": 0.3}]}]
    >>> samples = [{"problem_id": "a", "completion": t, "breakdown": {"lenient_accuracy": v}}
    ...            for t, v in (("so 7", 1.0), ("Answer: 8", 0.0))]
    >>> picked(rows, samples)["a"]  # "7" weighs 0.9 against "8"'s 0.5
    {'strict': 0.0, 'lenient': 1.0}
    """
    verdicts = {
        (s["problem_id"], completion_text(s["completion"])): s.get("breakdown", {}).get("lenient_accuracy")
        for s in samples
    }
    out = {}
    for row in rows:
        candidates = row["candidates"]
        found = [verdicts.get((row["id"], completion_text(c["text"]))) for c in candidates]
        lenient = None
        if candidates and all(v is not None for v in found):
            answers = [lenient_answer(completion_text(c["text"])) or None for c in candidates]
            vote = weighted_vote(answers, [c["score"] or 0.0 for c in candidates], math_equal)
            lenient = float(vote.index is not None and found[vote.index] == 1.0)
        out[row["id"]] = {"strict": float(row["correct"]), "lenient": lenient}
    return out


def pick_scores(pick: dict, sweep: dict, samples: list[dict], ctx: Context) -> tuple[dict, float]:
    """A PRM row's per-problem scores (`picked`) and its inference tokens per problem (the samples' and the
    scorer's), read from the sweep stage's record at the row's strategy and budget."""
    rows = read_jsonl(ctx.path(sweep["outputs"]["results"][f"{pick['strategy']}-n{pick['n']}"]))
    found = next(r for r in sweep["outputs"]["rows"] if (r["strategy"], r["n"]) == (pick["strategy"], pick["n"]))
    return picked(rows, samples), found["prompt_tokens"] + found["completion_tokens"] + found["scorer_tokens"]


def spread(values: list[float | None]) -> dict:
    """Mean, population std and the values per seed (None where a value is not defined)."""
    if not values or any(v is None for v in values):
        return {"mean": None, "std": None, "per_seed": values}
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values), "per_seed": values}


def _mean_of(dicts: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.fmean(d[k] for d in dicts) for k in dicts[0]} if dicts else {}


def stage_compute(ctx: Context, names: list[str]) -> tuple[float, float]:
    """(FLOPs, wall seconds) of stages: a stage's own `flops` output (teacher generation) or its run record's."""
    flops = wall = 0.0
    for name in names:
        record = ctx.records[name]
        outputs = record.get("outputs") or {}
        run = json.loads((ctx.path(name) / "run.json").read_text())
        flops += outputs["flops"] if outputs.get("flops") is not None else float(run.get("flops_estimate") or 0.0)
        wall += float(record.get("wall_s") or 0.0)
    return flops, wall


def route_row(spec: dict, ctx: Context, problem_ids: list[str]) -> tuple[dict, list[float]]:
    """One row of the table and the route's per-problem strict accuracy (mean over seeds), in `problem_ids` order."""
    strict, lenient, summaries, by_problem, flops, walls, tokens, inference = [], [], [], [], [], [], [], []
    for seed_spec in spec["seeds"]:
        record = ctx.records[seed_spec["eval"]]
        samples = read_jsonl(ctx.path(record["outputs"]["samples"]))
        if "pick" in spec:
            scores, per = pick_scores(spec["pick"], ctx.records[seed_spec["sweep"]], samples, ctx)
        else:
            scores = per_problem(samples, spec.get("vote"))
            per = sum(s["prompt_tokens"] + s["completion_tokens"] for s in samples) / len(problem_ids)
        by_problem.append([scores[pid]["strict"] for pid in problem_ids])
        strict.append(statistics.fmean(by_problem[-1]))
        values = [scores[pid]["lenient"] for pid in problem_ids]
        lenient.append(None if any(v is None for v in values) else statistics.fmean(values))
        summaries.append(record["outputs"]["summary"])
        f, w = stage_compute(ctx, seed_spec["train"])
        flops.append(f)
        walls.append(w)
        parameters = json.loads((ctx.path(seed_spec["eval"]) / "run.json").read_text())["model"]["parameters"] or 0
        tokens.append(per)
        inference.append(2.0 * parameters * per)
    row = {
        "route": spec["route"],
        "label": spec["label"],
        "strict": spread(strict),
        "lenient": spread(lenient),
        "pass@k": _mean_of([{str(k): v for k, v in s["pass@k"].items()} for s in summaries]),
        "maj@k": _mean_of([{str(k): v for k, v in s["maj@k"].items()} for s in summaries]),
        "extraction_failure_rate": statistics.fmean(s["extraction_failure_rate"] for s in summaries),
        "mean_completion_tokens": statistics.fmean(s["mean_completion_tokens"] for s in summaries),
        "train_flops": statistics.fmean(flops),
        "train_flops_per_seed": flops,
        "train_wall_s": statistics.fmean(walls),
        "inference_tokens_per_problem": statistics.fmean(tokens),
        "inference_flops_per_problem": statistics.fmean(inference),
        "budget": spec["budget"],
        "samples": [ctx.records[s["eval"]]["outputs"]["samples"] for s in spec["seeds"]],
    }
    mean_per_problem = [statistics.fmean(seed[i] for seed in by_problem) for i in range(len(problem_ids))]
    return row, mean_per_problem


def build_comparison(config: dict, ctx: Context) -> dict:
    """comparison.json's content from the finished stages (see the module docstring)."""
    base_samples = read_jsonl(ctx.path(ctx.records[config["routes"][0]["seeds"][0]["eval"]]["outputs"]["samples"]))
    problem_ids = list(dict.fromkeys(s["problem_id"] for s in base_samples))
    rows, accuracy = [], {}
    for spec in config["routes"]:
        row, accuracy[spec["route"]] = route_row(spec, ctx, problem_ids)
        rows.append(row)
    base = config["routes"][0]["route"]
    ceiling = config.get("train_flops_budget")
    for spec, row in zip(config["routes"], rows):
        vs = paired_bootstrap(accuracy[row["route"]], accuracy[base]) if row["route"] != base else None
        row["vs_base"] = {k: vs[k] for k in ("diff", "low", "high")} if vs else None
        held = row["route"] in BUDGETED and ceiling is not None
        row["train_flops_planned"] = spec.get("planned_flops") if held else None  # per seed, an upper bound
        row["train_flops_ceiling"] = ceiling if held else None
        row["over_budget"] = bool(held and max(row["train_flops_per_seed"]) > ceiling)
    pairs = []
    for a, b in itertools.combinations([r["route"] for r in rows if r["route"] != base], 2):
        result = paired_bootstrap(accuracy[a], accuracy[b])
        pairs.append({"a": a, "b": b, "diff": result["diff"], "low": result["low"], "high": result["high"]})
    return {
        **{k: config[k] for k in ("recipe", "preset", "base_model", "task", "split")},
        "problems": len(problem_ids),
        "seeds": config["seeds"],
        "train_flops_budget": config.get("train_flops_budget"),
        "routes": rows,
        "pairs": pairs,
        "points": points(config, rows, ctx, len(problem_ids)),
    }


def points(config: dict, rows: list[dict], ctx: Context, problems: int) -> list[dict]:
    """Accuracy against total compute: one point per route and budget (the scaling sweep: per strategy and n)."""
    out = [
        {
            "route": r["route"],
            "budget": r["budget"],
            "compute_flops": r["train_flops"] + r["inference_flops_per_problem"] * problems,
            "accuracy": r["strict"]["mean"],
        }
        for r in rows
    ]
    for spec, row in zip(config["routes"], rows):
        sweeps = [s["sweep"] for s in spec["seeds"] if s.get("sweep")]
        if not sweeps:
            continue
        parameters = json.loads((ctx.path(spec["seeds"][0]["eval"]) / "run.json").read_text())["model"]["parameters"]
        by_budget: dict[tuple[str, int], list[dict]] = {}
        for name in sweeps:
            for r in ctx.records[name]["outputs"]["rows"]:
                by_budget.setdefault((r["strategy"], r["n"]), []).append(r)
        for (strategy, n), found in by_budget.items():
            tokens = statistics.fmean(r["prompt_tokens"] + r["completion_tokens"] + r["scorer_tokens"] for r in found)
            out.append(
                {
                    "route": spec["route"],
                    "budget": f"{strategy}@{n}",
                    "compute_flops": row["train_flops"] + 2.0 * (parameters or 0) * tokens * problems,
                    "accuracy": statistics.fmean(r["accuracy"] for r in found),
                }
            )
    return out


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def markdown(comparison: dict) -> str:
    """table.md: one row per route."""
    lines = [
        f"{comparison['base_model']} on {comparison['task']}, {comparison['problems']} {comparison['split']} "
        f"problems, seeds {comparison['seeds']} (preset {comparison['preset']})",
        "",
        "| route | budget | strict | lenient | vs base (95% CI) | best pass@k | format failures | tokens/completion "
        "| train FLOPs spent / ceiling | train wall s | inference FLOPs/problem |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in comparison["routes"]:
        strict = _pct(r["strict"]["mean"]) + (
            f" ± {r['strict']['std']:.3f}" if len(r["strict"]["per_seed"]) > 1 else ""
        )
        vs = r["vs_base"]
        vs_text = "—" if vs is None else f"{vs['diff']:+.3f} ({vs['low']:+.3f}, {vs['high']:+.3f})"
        top = max(r["pass@k"], key=int) if r["pass@k"] else None
        best = f"{r['pass@k'][top]:.3f} (k={top})" if top else "n/a"
        ceiling = r.get("train_flops_ceiling")
        spent = f"{r['train_flops']:.3g}" + (f" / {ceiling:.3g}" if ceiling is not None else "")
        spent += " (over budget)" if r.get("over_budget") else ""
        lines.append(
            f"| {r['label']} | {r['budget']} | {strict} | {_pct(r['lenient']['mean'])} | {vs_text} | {best} | "
            f"{r['extraction_failure_rate']:.3f} | {r['mean_completion_tokens']:.1f} | {spent} | "
            f"{r['train_wall_s']:.0f} | {r['inference_flops_per_problem']:.3g} |"
        )
    if comparison["pairs"]:
        lines += ["", "| a - b | diff | 95% CI |", "|---|---:|---|"]
        for p in comparison["pairs"]:
            lines.append(f"| {p['a']} - {p['b']} | {p['diff']:+.3f} | ({p['low']:+.3f}, {p['high']:+.3f}) |")
    return "\n".join(lines) + "\n"


def plot(comparison: dict, path: Path) -> Path:
    """Accuracy against total compute (training + inference on the test problems), one point per route and budget."""
    import matplotlib  # lazy: heavy

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: heavy

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for route in dict.fromkeys(p["route"] for p in comparison["points"]):
        mine = sorted(
            (p["compute_flops"], p["accuracy"], p["budget"]) for p in comparison["points"] if p["route"] == route
        )
        ax.plot(
            [m[0] for m in mine], [m[1] for m in mine], marker="o", linestyle="-" if len(mine) > 1 else "", label=route
        )
    ax.set_xscale("log")
    ax.set_xlabel("total compute, FLOPs (training + inference on the test problems)")
    ax.set_ylabel("held-out accuracy (strict)")
    ax.set_title(f"{comparison['base_model']} on {comparison['task']} ({comparison['problems']} problems)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_comparison(config: dict, ctx: Context, out: Path) -> dict:
    """Write comparison.json, table.md and comparison.png into `out`; return their paths and the table."""
    comparison = build_comparison(config, ctx)
    (out / "comparison.json").write_text(json.dumps(comparison, indent=2))
    table = markdown(comparison)
    (out / "table.md").write_text(table)
    plot(comparison, out / "comparison.png")
    return {
        "comparison": ctx.rel(out / "comparison.json"),
        "table": ctx.rel(out / "table.md"),
        "plot": ctx.rel(out / "comparison.png"),
    }


def load(path: str | Path) -> dict[str, Any]:
    """A comparison.json."""
    return json.loads(Path(path).read_text())
