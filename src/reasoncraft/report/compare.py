"""Comparisons: the compare recipe's comparison.json as tables, and several runs given to one report.

comparison.json (written by recipes/, schema in notes/HELPERS.md) already holds the intervals: each route's
strict accuracy over seeds (mean, std, per seed) and its paired difference to the base model with a
bootstrap interval; the report only lays them out.

Runs given together (`reasoncraft report A B ...`) are compared here on each task they share: pass@1 with
a 95% bootstrap interval over problems, and the paired difference to the first run over the problems both
evaluated (`math.stats.paired_bootstrap`; a run's own interval is its paired difference to zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..math.stats import paired_bootstrap
from .sections import rate, table
from .svg import format_number


def _mean_std(entry: Any) -> str:
    if not isinstance(entry, dict) or entry.get("mean") is None:
        return "-"
    seeds = len(entry.get("per_seed") or [])
    std = entry.get("std")
    spread = f" ± {float(std):.3f}" if std is not None and seeds > 1 else ""
    return f"{float(entry['mean']):.3f}{spread}" + (f" ({seeds} seeds)" if seeds > 1 else "")


def _largest(values: Any) -> str:
    if not isinstance(values, dict) or not values:
        return "-"
    k = max(values, key=lambda key: int(key))
    return f"{rate(values[k])} (k={k})"


def _interval(entry: Any) -> str:
    if not isinstance(entry, dict) or entry.get("diff") is None:
        return "-"
    return f"{float(entry['diff']):+.3f} [{float(entry['low']):+.3f}, {float(entry['high']):+.3f}]"


def _number(value: Any, digits: int = 1) -> str:
    if not isinstance(value, (int, float)):
        return "-"
    return format_number(float(value)) if abs(value) >= 1e4 else f"{float(value):.{digits}f}"


def comparison_tables(comparison: dict) -> str:
    """The routes (accuracy with spread over seeds, difference to the base with its interval, compute) and pairs."""
    facts = ", ".join(
        f"{key} {comparison[key]}"
        for key in ("recipe", "preset", "base_model", "task", "split", "problems", "seeds")
        if comparison.get(key) is not None
    )
    routes = comparison.get("routes") or []
    rows = [
        [
            route.get("label") or route.get("route"),
            _mean_std(route.get("strict")),
            _mean_std(route.get("lenient")),
            _largest(route.get("pass@k")),
            _largest(route.get("maj@k")),
            rate(route.get("extraction_failure_rate")),
            _number(route.get("mean_completion_tokens")),
            _interval(route.get("vs_base")),
            _number(route.get("train_flops")),
            _number(route.get("inference_flops_per_problem")),
            _number(route.get("train_wall_s")),
        ]
        for route in routes
    ]
    header = [
        "route",
        "strict accuracy",
        "lenient",
        "pass@k",
        "maj@k",
        "format failures",
        "mean tokens",
        "vs base: diff [95% interval]",
        "train FLOPs",
        "inference FLOPs / problem",
        "train wall s",
    ]
    html = f'<p class="sub">{facts}</p>' + table(header, rows, "comparison")
    pairs = comparison.get("pairs") or []
    if pairs:
        pair_rows = [[p.get("a"), p.get("b"), _interval(p)] for p in pairs]
        html += "<h3>Pairs</h3>" + table(["a", "b", "a - b [95% interval]"], pair_rows, "pairs")
    return html


def per_problem(rows: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Task -> problem id -> share of its samples judged correct, from browser rows (keys k, p, v)."""
    sums: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        if "p" not in row:
            continue
        cell = sums.setdefault(str(row.get("k", "")), {}).setdefault(row["p"], [0.0, 0.0])
        cell[0] += 1.0 if row.get("v") == 1 else 0.0
        cell[1] += 1.0
    return {task: {p: c / n for p, (c, n) in problems.items()} for task, problems in sums.items()}


def runs_table(entries: Sequence[tuple[str, dict, dict[str, dict[str, float]]]]) -> str:
    """entries: (run label, one task's summary, per_problem of that run). One row per run and task."""
    first: dict[str, dict[str, float]] = {}
    rows = []
    for label, summary, problems in entries:
        task = summary["task"]
        scores = problems.get(task, {})
        own = paired_bootstrap(list(scores.values()), [0.0] * len(scores), draws=2000) if scores else None
        base = first.setdefault(task, scores)
        shared = sorted(set(base) & set(scores))
        versus = "-"
        if base is not scores and shared:
            d = paired_bootstrap([scores[p] for p in shared], [base[p] for p in shared], draws=2000)
            versus = f"{d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] ({len(shared)} problems)"
        rows.append(
            [
                label,
                task,
                summary["problems"],
                summary["samples_per_problem"],
                rate(summary["pass@1"]),
                f"[{own['low']:.3f}, {own['high']:.3f}]" if own else "-",
                rate(summary.get("lenient_accuracy")),
                rate(summary.get("extraction_failure_rate")),
                f"{float(summary.get('mean_completion_tokens', 0)):.1f}",
                versus,
            ]
        )
    header = [
        "run",
        "task",
        "problems",
        "n",
        "pass@1",
        "95% interval",
        "lenient",
        "format failures",
        "mean tokens",
        "vs first run: diff [95% interval]",
    ]
    return table(header, rows, "runs")
