"""metrics.png of a training run as a person reads it: the run named, panels named in words, whole steps, held-out
accuracy before and after marked (reasoncraft.train.plots)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from reasoncraft.train.plots import figure_run, plot_run  # noqa: E402

ROWS = [{"step": s, "reward": 0.1 * s, "accuracy": 0.05 * s, "entropy": 1.0 - 0.1 * s} for s in range(1, 8)]
HELD_OUT = {"before": {"accuracy": 0.125}, "after": {"accuracy": 0.375}}


def test_the_figure_names_the_run_its_panels_and_marks_held_out():
    fig = figure_run(
        ROWS, ["reward", "accuracy", "entropy", "absent"], run_name="train grpo runs/r1", evaluation=HELD_OUT
    )
    assert fig._suptitle.get_text() == "train grpo runs/r1"
    axes = fig.axes
    assert len(axes) == 3  # a key no row holds gets no panel
    titles = [ax.get_title(loc="left") for ax in axes]
    assert titles[0] == "Mean reward per completion" and "held-out before / after" in titles[1]
    assert all(ax.get_ylabel() for ax in axes) and axes[-1].get_xlabel() == "optimizer step"
    ticks = [t for t in axes[-1].get_xticks() if axes[-1].get_xlim()[0] <= t <= axes[-1].get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)  # whole steps, no 2.5
    notes = [child.get_text() for child in axes[1].texts]
    assert notes == ["held-out before: 0.125", "held-out after: 0.375"]


def test_held_out_gets_its_own_panel_without_training_accuracy(tmp_path):
    rows = [{"step": s, "loss": 1.0 / s} for s in range(1, 4)]
    fig = figure_run(rows, ["loss"], run_name="train sft", evaluation=HELD_OUT)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Training loss",
        "Accuracy: training, and held-out before / after",
    ]
    path = plot_run(rows, tmp_path / "metrics.png", ["loss"], run_name="train sft", evaluation=HELD_OUT)
    assert path.stat().st_size > 1000
    assert plot_run([], tmp_path / "none.png", ["loss"]) is None
