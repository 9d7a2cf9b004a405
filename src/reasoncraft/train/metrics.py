"""Per-step training metrics: JSON Lines on disk, a PNG plot, and the text statistics trainers log.

Shared by every trainer. `MetricsLog` appends one JSON object per step to `metrics.jsonl`; on
resume it drops lines past the resumed step, so the file reads as one uninterrupted run. It also
mirrors each step's numbers to the optional trackers of `report_to` (TensorBoard, W&B: loggers.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..samples import read_jsonl
from .loggers import scalars

# The "aha" signal of R1-Zero: words with which a model checks or revises its own reasoning.
REFLECTION_PATTERN = re.compile(
    r"\b(wait|verify|verifying|double[- ]check|let me check|let me re-?check|re-?evaluate|re-?examine|hmm|mistake)\b",
    re.IGNORECASE,
)


def reflection_rate(texts: Sequence[str]) -> float:
    """Share of completions that contain at least one reflection word.

    >>> reflection_rate(["Wait, let me check: 3+4=7", "7", "I should verify this."])
    0.6666666666666666
    """
    if not texts:
        return 0.0
    return sum(1 for t in texts if REFLECTION_PATTERN.search(t)) / len(texts)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN/inf; keep them visible
    return value


class MetricsLog:
    """Append-only JSONL of per-step metrics, mirrored to tracker sinks (loggers.open_sinks)."""

    def __init__(self, path: str | Path, resume_step: int | None = None, sinks: Sequence[Any] = ()):
        self.path = Path(path)
        self.sinks = list(sinks)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is not None and self.path.exists():
            kept = [
                row for row in read_jsonl(self.path, on_bad_line=_partial_line) if row.get("step", 0) <= resume_step
            ]
            self.path.write_text("".join(json.dumps(row) + "\n" for row in kept))
        elif resume_step is None and self.path.exists():
            self.path.unlink()  # a fresh run in an old folder starts a fresh log

    def write(self, metrics: dict[str, Any]) -> None:
        with open(self.path, "a") as handle:
            handle.write(json.dumps({k: _clean(v) for k, v in metrics.items()}) + "\n")
        if self.sinks:
            self.report(metrics, metrics["step"])

    def report(self, values: dict[str, Any], step: int) -> None:
        """Send the numeric entries to the trackers only (e.g. held-out evaluation as `eval/...`)."""
        numbers = scalars(values)
        for sink in self.sinks:
            sink.log(numbers, step)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
        self.sinks = []

    def read(self) -> list[dict[str, Any]]:
        return read_metrics(self.path)


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    return read_jsonl(path, on_bad_line=_partial_line)


def _partial_line(number: int) -> None:
    """A kill mid-write leaves a partial last line in our own log: it is skipped, like the step it held."""


def plot_metrics(rows: Iterable[dict[str, Any]], path: str | Path, keys: Sequence[str]) -> Path | None:
    """A PNG with one panel per key present in the rows (x = step). Returns None when nothing to plot."""
    rows = list(rows)
    keys = [k for k in keys if any(isinstance(r.get(k), (int, float)) for r in rows)]
    if not rows or not keys:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(keys), 1, figsize=(7, 2.2 * len(keys)), sharex=True, squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        points = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", linewidth=1)
        ax.set_ylabel(key, fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("step")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
