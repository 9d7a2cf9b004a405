"""Markdown tables of runs and comparisons, which a person can paste anywhere (table.md, the CLI output)."""

from __future__ import annotations

from collections.abc import Sequence


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def summary_table(summaries: Sequence[dict]) -> str:
    """One markdown row per task: strict pass@1, lenient accuracy, pass@k and maj@k at the largest k,
    tokens, format and scoring failures, speed (lenient is "-" for tasks without one).

    >>> table = summary_table([{"task": "t", "problems": 2, "samples_per_problem": 1, "pass@1": 0.5,
    ...     "lenient_accuracy": 1.0, "pass@k": {1: 0.5}, "maj@k": {1: 0.5}, "mean_completion_tokens": 10.0,
    ...     "extraction_failure_rate": 0.5, "scoring_failures": 0, "wall_s": 1.0, "tokens_per_s": 20.0}])
    >>> print(table.splitlines()[0][:63])
    | task | problems | n | pass@1 | lenient | pass@k (k=1) | maj@k
    >>> print(table.splitlines()[2])
    | t | 2 | 1 | 0.500 | 1.000 | 0.500 | 0.500 | 10.0 | 0.500 | 0 | 1.0 | 20.0 |
    """
    header = (
        "| task | problems | n | pass@1 | lenient | pass@k (k={k}) | maj@k (k={k}) | mean tokens | format failures "
        "| scoring failures | wall s | tok/s |"
    )
    lines = []
    for s in summaries:
        k = max(s["pass@k"], key=int)
        if not lines:
            lines += [header.format(k=k), "|" + "---|" * 12]
        lenient = s.get("lenient_accuracy")
        lines.append(
            f"| {s['task']} | {s['problems']} | {s['samples_per_problem']} | {_fmt(s['pass@1'])} | "
            f"{'-' if lenient is None else _fmt(lenient)} | "
            f"{_fmt(s['pass@k'][k])} | {_fmt(s['maj@k'][k])} | {s['mean_completion_tokens']:.1f} | "
            f"{_fmt(s['extraction_failure_rate'])} | {s['scoring_failures']} | {s['wall_s']:.1f} | "
            f"{s['tokens_per_s']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def pass_k_table(summary: dict) -> str:
    """pass@k and maj@k for every k of one task, as a markdown table."""
    rows = ["| k | pass@k | maj@k |", "|---|---|---|"]
    for k in sorted(summary["pass@k"], key=int):
        rows.append(f"| {k} | {_fmt(summary['pass@k'][k])} | {_fmt(summary['maj@k'][k])} |")
    return "\n".join(rows) + "\n"
