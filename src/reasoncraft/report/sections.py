"""The HTML of each part of a run's report: the run record, what is missing, and the tables of each kind.

Plain functions from the files' contents to HTML strings; every value from a file is escaped. Numbers are
written as the markdown tables write them (3 decimals for rates and accuracies), so the page and table.md
agree. Counts of samples (correct, wrong) are derived from the summary: total = problems x n, correct =
pass@1 x total, wrong = total - correct - scoring failures (a failed score has no verdict).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from .folders import RunFolder, read_json
from .svg import format_number

KIND_NAMES = {
    "eval": "evaluation",
    "scale": "inference-time scaling sweep",
    "grpo": "GRPO training",
    "sft": "SFT training",
    "distill": "distillation (teacher traces)",
    "recipe": "recipe comparison",
}


def rate(value: Any) -> str:
    return "-" if value is None else f"{float(value):.3f}"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], css: str = "") -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def duration(seconds: Any) -> str:
    """
    >>> duration(3725.2), duration(42.0)
    ('1 h 02 min 05 s', '42.0 s')
    """
    if not isinstance(seconds, (int, float)):
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min {secs:02d} s" if hours else f"{minutes} min {secs:02d} s"


def sample_counts(summary: dict) -> tuple[int, int, int]:
    """(samples, correct, wrong) of one task's evaluation summary.

    >>> sample_counts({"problems": 4, "samples_per_problem": 2, "pass@1": 0.25, "scoring_failures": 1})
    (8, 2, 5)
    """
    total = int(summary["problems"]) * int(summary["samples_per_problem"])
    correct = round(float(summary["pass@1"]) * total)
    return total, correct, total - correct - int(summary.get("scoring_failures") or 0)


def missing_box(run: RunFolder) -> str:
    items = [f"<li>{escape(m)}</li>" for m in run.missing] + [f"<li>{escape(n)}</li>" for n in run.notes]
    if not items:
        return ""
    lead = "This run is incomplete; what is here is shown below. Missing:" if run.missing else "Notes:"
    return f'<div class="warn"><b>{lead}</b><ul>{"".join(items)}</ul></div>'


def record_section(run: RunFolder) -> str:
    """Model and weights hash, versions, device, wall time, tokens, FLOPs, cost, the command and the config."""
    r = run.record or {}
    model = r.get("model") or {}
    rows: list[tuple[str, str]] = []
    config_file = next((run.path / n for n in ("config.yaml", "recipe.yaml") if (run.path / n).exists()), None)
    rerun = f"reasoncraft {run.command} {config_file}" if config_file else ""
    if (run.path / "stage.json").exists():
        rerun = f"a stage of a recipe ({run.command}): rerun the recipe; its finished stages are kept"
    if r.get("argv"):
        rows.append(("command", " ".join(map(str, r["argv"]))))
    rows.append(("rerun", rerun or f"reasoncraft {run.command} (no config.yaml in the folder)"))
    model_id = model.get("id") or run.config.get("model") or "-"
    size = f" ({model['parameters']:,} parameters)" if model.get("parameters") else ""
    rows.append(("model", f"{model_id}{size}"))
    if model.get("weights_sha256"):
        rows.append(("weights sha256", model["weights_sha256"]))
    if r:
        device = r.get("device") or {}
        cores = f"{device.get('kind', '?')}, {device.get('cpu_count', '?')} cores"
        where = ", ".join(device.get("gpus") or []) or cores
        rows.append(("device", where))
        rows.append(("started", str(r.get("started", "-"))))
        hours = float(r.get("device_hours") or 0)
        rows.append(("wall time", f"{duration(r.get('wall_s'))} ({hours:.4f} device-hours)"))
        tokens = r.get("tokens") or {}
        rows.append(
            (
                "tokens",
                ", ".join(f"{k} {int(v):,}" for k, v in tokens.items()) if tokens else "-",
            )
        )
        rows.append(("FLOPs (estimate)", format_number(float(r.get("flops_estimate") or 0))))
        rows.append(("cost", f"{float(r.get('cost') or 0):.4f} at the given price"))
        versions = r.get("versions") or {}
        rows.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    else:
        rows.append(("run record", "none (run.json is written when the run ends)"))
    items = "".join(f"<dt>{escape(k)}</dt><dd><code>{escape(v)}</code></dd>" for k, v in rows)
    config = json.dumps(run.config, indent=2, default=str) if run.config else "(no config found)"
    return (
        f'<dl class="record">{items}</dl>'
        f"<details><summary>config ({len(run.config)} keys)</summary><pre>{escape(config)}</pre></details>"
    )


def eval_table(summaries: Sequence[dict]) -> str:
    """The evaluation summary: one row per task, with the sample counts the browser filters can be checked on."""
    rows = []
    for s in summaries:
        k = max(s.get("pass@k") or {"1": 0}, key=int)
        total, correct, wrong = sample_counts(s)
        rows.append(
            [
                s["task"],
                s["problems"],
                s["samples_per_problem"],
                rate(s["pass@1"]),
                rate(s.get("lenient_accuracy")),
                f"{rate(s['pass@k'][k])} (k={k})",
                f"{rate(s['maj@k'][k])} (k={k})",
                total,
                correct,
                wrong,
                rate(s.get("extraction_failure_rate")),
                s.get("scoring_failures", 0),
                rate(s.get("cut_at_limit_rate")),
                f"{float(s.get('mean_completion_tokens', 0)):.1f}",
                f"{float(s.get('wall_s', 0)):.1f}",
                f"{float(s.get('tokens_per_s', 0)):.1f}",
            ]
        )
    header = [
        "task",
        "problems",
        "n",
        "pass@1",
        "lenient",
        "pass@k",
        "maj@k",
        "samples",
        "correct",
        "wrong",
        "format failures",
        "scoring failures",
        "cut at limit",
        "mean tokens",
        "wall s",
        "tok/s",
    ]
    return table(header, rows, "summary")


def pass_k_tables(summaries: Sequence[dict]) -> str:
    parts = []
    for s in summaries:
        if len(s.get("pass@k") or {}) < 2:
            continue
        rows = [[k, rate(s["pass@k"][k]), rate(s["maj@k"].get(k))] for k in sorted(s["pass@k"], key=int)]
        parts.append(f"<h4>{escape(s['task'])}</h4>" + table(["k", "pass@k", "maj@k"], rows, "passk"))
    return "".join(parts)


def scale_table(summary: dict) -> str:
    rows = [
        [
            r["strategy"],
            r["n"],
            rate(r["accuracy"]),
            f"{float(r['completion_tokens']):.1f}",
            f"{float(r.get('scorer_tokens') or 0):.1f}",
            r["problems"],
            f"{float(r.get('wall_s') or 0):.3f}",
        ]
        for r in summary.get("rows") or []
    ]
    header = ["strategy", "n", "accuracy", "completion tokens / problem", "scorer tokens / problem", "problems"]
    header.append("wall s")
    return table(header, rows, "scale")


HELD_OUT_ROWS = (
    ("accuracy (strict pass@1)", "accuracy"),
    ("lenient accuracy", "lenient_accuracy"),
    ("no extractable answer", "extraction_failure_rate"),
    ("cut at the length limit", "cut_at_limit_rate"),
    ("mean completion tokens", "mean_completion_tokens"),
    ("scoring failures", "scoring_failures"),
    ("problems", "problems"),
)


def held_out_table(run: RunFolder) -> str:
    """Held-out before and after training, from summary.json's evaluation (or the eval/ folders' summaries)."""
    evaluation = (run.summary or {}).get("evaluation") if isinstance(run.summary, dict) else None
    evaluation = dict(evaluation or {})
    for name, folder in run.held_out.items():
        if name not in evaluation and isinstance(folder.summary, list) and folder.summary:
            first = folder.summary[0]
            evaluation[name] = {**first, "accuracy": first.get("pass@1")}
    if not evaluation:
        return ""
    names = [n for n in ("before", "after") if n in evaluation]
    rows = []
    for label, key in HELD_OUT_ROWS:
        values = [evaluation[n].get(key) for n in names]
        cells = [_value(key, v) for v in values]
        change = ""
        if len(values) == 2 and all(isinstance(v, (int, float)) for v in values) and key != "problems":
            change = _value(key, values[1] - values[0], signed=True)
        rows.append([label, *cells] + ([change] if len(names) == 2 else []))
    header = ["held-out", *names] + (["change"] if len(names) == 2 else [])
    return table(header, rows, "held-out")


def _value(key: str, value: Any, signed: bool = False) -> str:
    if value is None:
        return "-"
    sign = "+" if signed else ""
    if key in ("problems", "scoring_failures"):
        return f"{int(value):{sign}d}"
    if key == "mean_completion_tokens":
        return f"{float(value):{sign}.1f}"
    return f"{float(value):{sign}.3f}"


def training_facts(run: RunFolder) -> str:
    summary = run.summary if isinstance(run.summary, dict) else {}
    done = max((int(r.get("step", 0)) for r in run.metrics), default=0)
    facts = [("steps logged", str(done)), ("metrics rows", str(len(run.metrics)))]
    if summary.get("train_seconds") is not None:
        facts.append(("training time", duration(summary["train_seconds"])))
    final = summary.get("final_metrics") or (run.metrics[-1] if run.metrics else {})
    for key in ("reward", "accuracy", "loss", "completion_length_mean"):
        if isinstance(final.get(key), (int, float)):
            facts.append((f"last {key}", f"{final[key]:.4g}"))
    return table(["training", "value"], facts, "train")


def distill_tables(run: RunFolder) -> str:
    report = run.summary if isinstance(run.summary, dict) and "generation" in run.summary else None
    if report is None:
        report = read_json(run.path / "report.json")
    if not isinstance(report, dict):
        return ""
    generation = report.get("generation") or {}
    filtering = report.get("filtering") or {}
    contamination = filtering.get("contamination") or {}
    rows = [
        ("problems", generation.get("problems", "-")),
        ("traces", generation.get("records_total", "-")),
        ("verified correct", generation.get("correct", "-")),
        ("kept for SFT", filtering.get("kept", report.get("kept", "-"))),
        ("dropped", json.dumps(filtering.get("dropped", report.get("dropped", {})))),
        ("contamination: flagged / removed", f"{contamination.get('flagged', 0)} / {contamination.get('removed', 0)}"),
        ("prompt tokens", f"{generation.get('prompt_tokens', 0):,}"),
        ("completion tokens", f"{generation.get('completion_tokens', 0):,}"),
    ]
    return table(["distillation", "value"], rows, "distill")


def level_table(dataset: dict) -> str:
    """Accuracy per difficulty level (the task's `level` field, e.g. MATH's 1-5), from the browser's rows."""
    levels = {pid: facts["l"] for pid, facts in dataset["problems"].items() if "l" in facts}
    if not levels:
        return ""
    cells: dict[tuple[str, str], list[int]] = {}
    problems: dict[tuple[str, str], set] = {}
    for row in dataset["rows"]:
        if row.get("p") not in levels:
            continue
        key = (str(row.get("k", "")), str(levels[row["p"]]))
        counts = cells.setdefault(key, [0, 0])
        counts[0] += row.get("v") == 1
        counts[1] += 1
        problems.setdefault(key, set()).add(row["p"])
    rows = [
        [task, level, len(problems[(task, level)]), total, correct, rate(correct / total)]
        for (task, level), (correct, total) in sorted(
            cells.items(), key=lambda item: (item[0][0], _level_key(item[0][1]))
        )
    ]
    return table(["task", "level", "problems", "samples", "correct", "pass@1"], rows, "levels")


def _level_key(level: str) -> tuple[float, str]:
    digits = "".join(c for c in level if c.isdigit())
    return (float(digits) if digits else float("inf"), level)
