"""metrics.png of a training run, drawn for a person: the run's name in the title, each panel named in words with
its unit, whole optimizer steps on the x axis, and the held-out accuracy before and after training marked on the
accuracy panel (or on a panel of its own when the run logs no training accuracy).

`plot_run(rows, path, keys, run_name=..., evaluation=...)` is what `TrainingRun.finish` calls; `rows` are the lines
of metrics.jsonl, `evaluation` the held-out results ({"before": {...}, "after": {...}}, each with `accuracy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

# Panel titles and y labels of the keys the trainers plot (GRPO, SFT, PRM); any other key is titled by its name.
LABELS: dict[str, tuple[str, str]] = {
    "reward": ("Mean reward per completion", "reward"),
    "accuracy": ("Training accuracy (share of correct completions)", "share correct"),
    "completion_length_mean": ("Completion length", "tokens (mean)"),
    "zero_variance_group_share": ("Groups with no learning signal (all rewards equal)", "share of groups"),
    "entropy": ("Policy entropy", "nats per token"),
    "clip_fraction": ("Clipped tokens (PPO ratio outside the clip range)", "share of tokens"),
    "loss": ("Training loss", "loss"),
    "kl": ("KL to the teacher", "nats per token"),
    "grad_norm": ("Gradient norm (before clipping)", "L2 norm"),
    "lr": ("Learning rate", "learning rate"),
    "learning_rate": ("Learning rate", "learning rate"),
    "tokens_per_s": ("Training throughput", "tokens / s"),
}


def _held_out(evaluation: Mapping[str, Any] | None) -> dict[str, float]:
    marks = {}
    for when in ("before", "after"):
        result = (evaluation or {}).get(when)
        if isinstance(result, Mapping) and isinstance(result.get("accuracy"), (int, float)):
            marks[when] = float(result["accuracy"])
    return marks


def plot_run(
    rows: Iterable[dict[str, Any]],
    path: str | Path,
    keys: Sequence[str],
    *,
    run_name: str = "",
    evaluation: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write the PNG (one panel per key the rows hold, plus held-out marks); None when there is nothing to plot."""
    import matplotlib  # lazy: heavy, and only when a run finishes

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: heavy (see above)

    fig = figure_run(rows, keys, run_name=run_name or Path(path).parent.name, evaluation=evaluation)
    if fig is None:
        return None
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def figure_run(
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    *,
    run_name: str,
    evaluation: Mapping[str, Any] | None = None,
) -> Any:
    """The matplotlib figure `plot_run` saves (None when there is nothing to plot)."""
    rows = [r for r in rows if isinstance(r.get("step"), (int, float))]
    keys = [k for k in keys if any(isinstance(r.get(k), (int, float)) for r in rows)]
    marks = _held_out(evaluation)
    if not rows or (not keys and not marks):
        return None
    import matplotlib  # lazy: heavy, and only when a run finishes

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: heavy (see above)
    from matplotlib.ticker import MaxNLocator  # lazy: heavy (see above)

    panels = list(keys) if "accuracy" in keys or not marks else [*keys, "held-out accuracy"]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 2.4 * len(panels) + 0.6), sharex=True, squeeze=False)
    last_step = max(int(r["step"]) for r in rows)
    for ax, key in zip(axes[:, 0], panels):
        title, unit = LABELS.get(key, (key.replace("_", " ").capitalize(), key))
        if key in keys:
            points = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", linewidth=1, label="training")
        if key in ("accuracy", "held-out accuracy") and marks:
            title, unit = ("Accuracy: training, and held-out before / after", "share correct")
            for when, step, colour, side in (("before", 0, "tab:red", 1), ("after", last_step, "tab:green", -1)):
                if when in marks:
                    ax.scatter([step], [marks[when]], s=60, marker="D", color=colour, zorder=3)
                    ax.annotate(
                        f"held-out {when}: {marks[when]:.3f}",
                        (step, marks[when]),
                        textcoords="offset points",
                        xytext=(6 * side, 6),
                        ha="left" if side > 0 else "right",
                        fontsize=8,
                        color=colour,
                    )
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_ylabel(unit, fontsize=8)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.ticklabel_format(axis="y", useOffset=False)  # values as logged, not as offsets from +5.751
    axes[-1, 0].set_xlabel("optimizer step")
    axes[-1, 0].set_xlim(-0.5 if "before" in marks else None, last_step + 0.5)
    fig.suptitle(run_name, fontsize=11)
    fig.tight_layout()
    return fig
