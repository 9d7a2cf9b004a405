"""What the report plots, decided once per kind of run, and drawn twice: inline SVG and a PNG twin.

A `Chart` is data (title, axis labels with units, series); `svg.line_chart` draws it into the page and
`write_pngs` draws the same charts with matplotlib (imported only there) into PNG files beside the report,
for people who do not open HTML. Both use the palette of `svg.py`.

- training: one chart per metric, x = step, one point per metrics row that has the metric; the reward
  components share the reward chart;
- evaluation: pass@k and maj@k against completion tokens per problem (k samples x mean tokens), per task;
- scaling: accuracy against generated tokens per problem, one line per strategy, and the compute-optimal
  curve where the sweep made one (as scale.png);
- comparison: accuracy against total FLOPs (training + inference on the test problems: comparison.json's
  points) per route, or for several runs
  given together, their pass@k curves against tokens per problem.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .svg import PALETTE, Series

# Metric key -> (title, y label with its unit); keys not named here are plotted after these, titled by
# `readable_title` (the key in words).
TRAINING_METRICS = {
    "reward": ("reward (total and per component)", "reward"),
    "accuracy": ("accuracy on training rollouts", "share correct"),
    "completion_length_mean": ("completion length", "tokens"),
    "kl": ("KL to the reference policy", "nats / token"),
    "clip_fraction": ("clip fraction", "share of tokens"),
    "entropy": ("policy entropy", "nats / token"),
    "reflection_rate": ("reflection-word rate", "share of completions"),
    "tokens_per_s": ("throughput", "tokens / s"),
    "lr": ("learning rate", "learning rate"),
    "loss": ("loss", "loss"),
    "nll": ("negative log-likelihood", "nats / token"),
    "grad_norm": ("gradient norm", "L2 norm"),
    "clipped_share": ("cut at the length limit", "share of completions"),
    "zero_variance_group_share": ("groups with equal rewards", "share of groups"),
    "step_time": ("step time", "s"),
    "completion_tokens": ("completion tokens per step (in the loss)", "tokens"),
    "train_tokens": ("tokens per step (prompt + completion)", "tokens"),
    "generation_time": ("generation time", "s"),
}
# A key whose meaning depends on the trainer: (run kind, key) -> (title, y label).
KIND_METRICS = {("sft", "kl"): ("KL to the teacher (distillation)", "nats / token")}
NOT_PLOTTED = {"step", "skipped", "epoch", "train_seconds", "groups_sampled", "groups_trained", "skipped_updates"}


@dataclass
class Chart:
    id: str
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    log_x: int | None = None
    y_range: tuple[float, float] | None = None

    def style(self) -> dict:
        """The keyword arguments of `svg.line_chart` besides the series."""
        return {
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "log_x": self.log_x,
            "y_range": self.y_range,
            "chart_id": self.id,
        }


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def readable_title(key: str) -> str:
    """A metric key in words, for keys the tables above do not name.

    >>> readable_title("zero_reward_share"), readable_title("reward/format")
    ('zero reward share', 'reward: format')
    """
    return key.replace("/", ": ").replace("_", " ")


def training_charts(rows: Sequence[dict], kind: str = "grpo") -> list[Chart]:
    """One chart per numeric metric in the rows (x = step); reward/<name> components join the reward chart.
    `kind` (grpo, sft) picks the title of a key that means another thing in each trainer (`KIND_METRICS`)."""
    keys: list[str] = []
    for row in rows:
        keys += [k for k, v in row.items() if k not in keys and k not in NOT_PLOTTED and _number(v)]
    components = [k for k in keys if k.startswith("reward/")]
    ordered = [k for k in TRAINING_METRICS if k in keys] + [k for k in keys if k not in TRAINING_METRICS]
    charts = []
    for key in ordered:
        if key in components:
            continue
        words = readable_title(key)
        title, unit = KIND_METRICS.get((kind, key)) or TRAINING_METRICS.get(key, (words, words))
        names = [key] + (components if key == "reward" else [])
        series = [
            Series(name, [(float(r["step"]), float(r[name])) for r in rows if _number(r.get(name)) and "step" in r])
            for name in names
        ]
        share = unit.startswith("share") or key == "accuracy"
        charts.append(Chart(f"train-{key}", title, "step", unit, series, y_range=(0.0, 1.0) if share else None))
    return charts


def _pass_k_series(label: str, summary: dict) -> list[Series]:
    tokens = float(summary.get("mean_completion_tokens") or 0.0)
    out = []
    for metric in ("pass@k", "maj@k"):
        values = summary.get(metric) or {}
        points = sorted((int(k) * tokens, float(v)) for k, v in values.items() if _number(v))
        out.append(Series(f"{label} {metric}", points))
    return out


def eval_charts(summaries: Sequence[dict], prefix: str = "") -> list[Chart]:
    """pass@k and maj@k of each task against completion tokens per problem (only where k > 1 was drawn)."""
    charts = []
    for s in summaries:
        if len(s.get("pass@k") or {}) < 2:
            continue
        charts.append(
            Chart(
                f"eval-{prefix}{s['task']}",
                f"{s['task']}: accuracy against samples drawn",
                "completion tokens per problem (k samples)",
                "accuracy",
                _pass_k_series(s["task"], s),
                log_x=2,
                y_range=(0.0, 1.0),
            )
        )
    return charts


def scale_charts(summary: dict) -> list[Chart]:
    """Accuracy against generated tokens per problem (as scale.png), per strategy and compute-optimal."""
    by_strategy: dict[str, list[tuple[float, float]]] = {}
    for row in summary.get("rows") or []:
        by_strategy.setdefault(row["strategy"], []).append((float(row["completion_tokens"]), float(row["accuracy"])))
    series = [Series(name, sorted(points)) for name, points in by_strategy.items()]
    optimal = summary.get("compute_optimal")
    if isinstance(optimal, dict) and optimal.get("points"):
        points = sorted((float(t), float(a)) for t, a in optimal["points"])
        series.append(Series("compute-optimal (incl. pilots)", points))
    chart = Chart(
        "scale-accuracy",
        "accuracy against compute, per strategy",
        "generated tokens per problem (policy)",
        "accuracy",
        series,
        log_x=2,
        y_range=(0.0, 1.0),
    )
    return [chart] if series else []


def comparison_charts(comparison: dict) -> list[Chart]:
    by_route: dict[str, list[tuple[float, float]]] = {}
    for point in comparison.get("points") or []:
        if _number(point.get("compute_flops")) and _number(point.get("accuracy")) and point["compute_flops"] > 0:
            by_route.setdefault(str(point.get("route")), []).append((float(point["compute_flops"]), point["accuracy"]))
    series = [Series(route, sorted(points)) for route, points in by_route.items()]
    if not series:
        return []
    title, x_label = "accuracy against compute, per route", "FLOPs: training + inference on the test set"
    return [Chart("comparison-accuracy", title, x_label, "accuracy", series, 10, (0.0, 1.0))]


def runs_comparison_chart(labelled: Sequence[tuple[str, dict]]) -> list[Chart]:
    """Several eval runs given together: each run's pass@k against completion tokens per problem."""
    series = []
    for label, summary in labelled:
        tokens = float(summary.get("mean_completion_tokens") or 0.0)
        points = sorted((int(k) * tokens, float(v)) for k, v in (summary.get("pass@k") or {}).items() if _number(v))
        series.append(Series(label, points))
    if not any(len(s.points) for s in series):
        return []
    return [
        Chart(
            "runs-accuracy",
            "pass@k of each run against tokens drawn",
            "completion tokens per problem (k samples)",
            "pass@k",
            series,
            log_x=2,
            y_range=(0.0, 1.0),
        )
    ]


def write_pngs(groups: dict[str, list[Chart]], folder: Path) -> list[Path]:
    """One PNG per group of charts (panels in a grid, the same series, labels and colours as the page)."""
    import matplotlib  # lazy: heavy, and only the PNG twins need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: as above

    written = []
    for name, charts in groups.items():
        charts = [c for c in charts if any(s.points for s in c.series)]
        if not charts:
            continue
        columns = min(3, len(charts))
        rows = math.ceil(len(charts) / columns)
        fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.0 * rows), squeeze=False)
        for ax, chart in zip(axes.flat, charts):
            for index, s in enumerate(chart.series):
                points = [(x, y) for x, y in s.points if not chart.log_x or x > 0]
                ax.plot(
                    [p[0] for p in points],
                    [p[1] for p in points],
                    color=PALETTE[index % len(PALETTE)],
                    marker="." if len(points) <= 120 else None,
                    linewidth=1.4,
                    label=s.label,
                )
            if chart.log_x:
                ax.set_xscale("log", base=chart.log_x)
            if chart.y_range:
                ax.set_ylim(*chart.y_range)
            ax.set_title(chart.title, fontsize=9, loc="left")
            ax.set_xlabel(chart.x_label, fontsize=8)
            ax.set_ylabel(chart.y_label, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            if len(chart.series) > 1:
                ax.legend(fontsize=7)
        for ax in list(axes.flat)[len(charts) :]:
            ax.axis("off")
        fig.tight_layout()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
