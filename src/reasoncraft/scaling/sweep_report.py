"""What `reasoncraft scale` reports: one row per (strategy, n), the markdown table, and the plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


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


def markdown_table(rows: Sequence[dict]) -> str:
    """The rows of `summarize` as the markdown table that `table.md` holds."""
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
