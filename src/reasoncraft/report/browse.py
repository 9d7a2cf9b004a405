"""The sample browser's data: every sample file of a run, as compact rows the page renders a page at a time.

Three sample records reach the browser, all read from the run folder:

- scored samples (`samples.ScoredSample`: eval, held-out evaluations, recipe routes) and distill traces
  (problem, completion, verdict), both as "scored" rows with the filters correct / wrong / unextractable /
  scoring failure / cut at the length limit;
- GRPO's logged rollouts (step, prompt, completion, reward, advantage): "rollout" rows, grouped by step;
- scale results (one row per problem, strategy and budget: the pick, its verdict, tokens; the candidates
  with their scores and the pick where the rows carry them).

For a training run the held-out evaluations before and after are also paired by problem ("pair" rows).
A row is a dict with one-letter keys, absent where empty, to keep a 100,000-sample page small:

    p problem id   i sample index   c completion   x extracted answer   v verdict (1, 0, or absent)
    r reward       b breakdown      f failure      e finish reason      n completion tokens
    k group (task, step, or strategy)   a advantage   m candidates [{c, x, s, pick}]

Prompts are stored once per problem (`problems[p] = {"q": prompt, "g": gold answer, "l": level}`), not once
per sample. Gold answers and levels are not in the sample files; they are filled in from the task only where
its problems are local: a seeded generator, or a test file given as data_path (no download while a report is
written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..tasks import get_task
from ..tasks.base import GeneratedTask
from .folders import RunFolder, read_rows

SCORED_FILTERS = ["correct", "wrong", "unextractable", "failure", "cut"]
PAIR_FILTERS = ["improved", "regressed", "right-both", "wrong-both"]


def prompt_text(prompt: Any) -> str:
    """A prompt as text: chat messages as "role: content" blocks, a string as it is.

    >>> prompt_text([{"role": "user", "content": "What is 2 + 2?"}])
    'user: What is 2 + 2?'
    """
    if isinstance(prompt, list):
        return "\n\n".join(f"{m.get('role', '?')}: {m.get('content', '')}" for m in prompt if isinstance(m, dict))
    return "" if prompt is None else str(prompt)


def _verdict(correct: Any) -> int | None:
    return None if correct is None else int(bool(correct))


def _compact(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None and v != {} and v != ""}


def scored_row(record: dict) -> dict:
    """One scored sample (a ScoredSample dict, or a distill trace with its `verdict`) as a browser row."""
    verdict = record.get("verdict") if isinstance(record.get("verdict"), dict) else None
    if verdict is not None:  # a distill trace
        tokens = record.get("tokens") or {}
        return _compact(
            {
                "p": record.get("problem_id"),
                "i": record.get("sample_index", 0),
                "c": record.get("completion", ""),
                "x": verdict.get("extracted"),
                "v": _verdict(verdict.get("correct")),
                "r": verdict.get("reward"),
                "b": verdict.get("breakdown") or None,
                "e": record.get("finish_reason"),
                "n": tokens.get("completion"),
                "k": record.get("task"),
            }
        )
    return _compact(
        {
            "p": record.get("problem_id"),
            "i": record.get("sample_index", 0),
            "c": record.get("completion", ""),
            "x": record.get("extracted"),
            "v": _verdict(record.get("correct")),
            "r": record.get("reward"),
            "b": record.get("breakdown") or None,
            "f": record.get("failure"),
            "e": record.get("finish_reason"),
            "n": record.get("completion_tokens"),
            "k": record.get("task"),
        }
    )


def _problem(record: dict) -> str:
    if "messages" in record and "question" in record:  # a distill trace: the user turn is the prompt
        return prompt_text([m for m in record["messages"] if m.get("role") != "assistant"])
    return prompt_text(record.get("prompt"))


def scored_dataset(title: str, records: Iterable[dict], facts: dict[str, dict]) -> dict:
    problems: dict[str, dict] = {}
    rows = []
    for record in records:
        row = scored_row(record)
        pid = row.setdefault("p", f"#{len(rows)}")
        if pid not in problems:
            problems[pid] = _compact({"q": _problem(record), **facts.get(pid, {})})
        rows.append(row)
    return {"title": title, "kind": "scored", "group": "task", "filters": SCORED_FILTERS, "problems": problems} | {
        "rows": rows
    }


def rollout_dataset(records: Iterable[dict]) -> dict:
    """GRPO's logged rollouts: the prompt, completion, reward and advantage at a step."""
    ids: dict[str, str] = {}
    problems: dict[str, dict] = {}
    rows = []
    for record in records:
        prompt = prompt_text(record.get("prompt"))
        pid = ids.setdefault(prompt, f"prompt {len(ids) + 1}")
        problems.setdefault(pid, {"q": prompt})
        rows.append(
            _compact(
                {
                    "p": pid,
                    "c": record.get("completion", ""),
                    "r": record.get("reward"),
                    "a": record.get("advantage"),
                    "k": f"step {record.get('step')}",
                }
            )
        )
    title = "training rollouts (logged every log_samples_steps)"
    return {"title": title, "kind": "rollout", "group": "step", "filters": [], "problems": problems, "rows": rows}


def pair_dataset(before: list[dict], after: list[dict], facts: dict[str, dict]) -> dict:
    """Held-out before and after training, side by side: one row per (problem, sample index) in both."""
    first = {(r.get("problem_id"), r.get("sample_index", 0)): r for r in before}
    problems: dict[str, dict] = {}
    rows = []
    for record in after:
        key = (record.get("problem_id"), record.get("sample_index", 0))
        if key not in first:
            continue
        a, b = scored_row(first[key]), scored_row(record)
        problems.setdefault(str(key[0]), _compact({"q": _problem(record), **facts.get(str(key[0]), {})}))
        rows.append({"p": str(key[0]), "k": b.get("k"), "a": a, "b": b})
    title = "held-out: before and after training, side by side"
    return {"title": title, "kind": "pair", "group": "task", "filters": PAIR_FILTERS, "problems": problems} | {
        "rows": rows
    }


_RESULT_NAME = re.compile(r"^(?P<strategy>.+)-n(?P<n>\d+)$")


def scale_dataset(folder: Path, notes: list[str], facts: dict[str, dict]) -> dict | None:
    """The per-problem picks of every strategy and budget of a scale run (results/<settings>/<split>/)."""
    files = sorted((folder / "results").glob("*/*/*.jsonl"))
    if not files:
        return None
    rows = []
    for path in sorted(files, key=lambda p: (p.parent.name != "test", _order(p.stem))):
        group = f"{path.stem} ({path.parent.name})" if path.parent.name != "test" else path.stem
        for record in read_rows(path, notes):
            considered = [c for c in record.get("candidates") or [] if isinstance(c, dict)]
            candidates = [_candidate(c, record.get("text")) for c in considered]
            rows.append(
                _compact(
                    {
                        "p": record.get("id"),
                        "c": record.get("text"),
                        "x": record.get("answer"),
                        "v": _verdict(record.get("correct")),
                        "n": record.get("completion_tokens"),
                        "k": group,
                        "m": candidates or None,
                    }
                )
            )
    problems = {r["p"]: facts.get(r["p"], {}) for r in rows if "p" in r}
    title = "strategies: the answer each picked, per problem and budget"
    return {
        "title": title,
        "kind": "scored",
        "group": "strategy",
        "filters": ["correct", "wrong", "unextractable"],
        "problems": problems,
        "rows": rows,
    }


def _candidate(candidate: dict, picked: str | None) -> dict:
    text = candidate.get("text")
    return _compact({"c": text, "x": candidate.get("answer"), "s": candidate.get("score"), "pick": text == picked})


def _order(stem: str) -> tuple[str, int]:
    match = _RESULT_NAME.match(stem)
    return (match["strategy"], int(match["n"])) if match else (stem, 0)


def _local(task: object, options: dict, split: str) -> bool:
    """Whether the task's problems can be read without a download: a seeded generator, or a test file."""
    if isinstance(task, GeneratedTask):
        return type(task)._split is GeneratedTask._split  # not a data-file variant
    data_path = options.get("data_path")
    return split == "test" and isinstance(data_path, str) and Path(data_path).expanduser().is_file()


def problem_facts(tasks: Iterable[str], options: dict, split: str) -> dict[str, dict]:
    """Problem id -> {"g": reference answer, "l": level where the task has levels}, for local problems only."""
    facts: dict[str, dict] = {}
    for spec in tasks:
        try:
            task = get_task(str(spec), **(options or {}))
            if not _local(task, options or {}, split):
                continue  # problems from a hub: not fetched while writing a report
            problems = task.problems(split)
        except Exception:  # an unknown task, a split it lacks, a bad option: the samples show without gold answers
            continue
        for p in problems:
            facts[p.id] = _compact({"g": p.answer, "l": p.fields.get("level")})
    return facts


def run_facts(run: RunFolder, records: list[dict]) -> dict[str, dict]:
    config = run.config
    tasks = config.get("tasks") or ([config["task"]] if config.get("task") else [])
    tasks = tasks or sorted({str(r.get("task")) for r in records[:1000] if r.get("task")})
    split = config.get("split") or config.get("eval_split") or "test"
    return problem_facts(tasks, config.get("task_options") or {}, split)


def datasets(run: RunFolder) -> list[dict]:
    """Every browsable sample set of a run, most useful first."""
    out: list[dict] = []
    path = run.path
    if run.kind in ("eval", "distill") or (run.kind == "recipe" and (path / "samples.jsonl").exists()):
        name = "traces.jsonl" if run.kind == "distill" else "samples.jsonl"
        if (path / name).exists():
            records = read_rows(path / name, run.notes)
            title = "teacher traces" if run.kind == "distill" else "scored samples"
            out.append(scored_dataset(title, records, run_facts(run, records)))
    if run.kind == "scale":
        dataset = scale_dataset(path, run.notes, run_facts(run, []))
        if dataset:
            out.append(dataset)
    if run.kind in ("grpo", "sft"):
        held = {}
        for name, folder in run.held_out.items():
            if (folder.path / "samples.jsonl").exists():
                held[name] = read_rows(folder.path / "samples.jsonl", run.notes)
        facts = run_facts(run.held_out.get("after") or run.held_out.get("before") or run, sum(held.values(), []))
        if "before" in held and "after" in held:
            out.append(pair_dataset(held["before"], held["after"], facts))
        for name in ("after", "before"):
            if name in held:
                out.append(scored_dataset(f"held-out {name} training", held[name], facts))
        if run.kind == "grpo" and (path / "samples.jsonl").exists():
            out.append(rollout_dataset(read_rows(path / "samples.jsonl", run.notes)))
    if run.kind == "recipe" and run.comparison:
        for route in run.comparison.get("routes") or []:
            for relative in route.get("samples") or []:
                file = (run.root or path) / relative
                if file.exists():
                    records = read_rows(file, run.notes)
                    out.append(scored_dataset(f"{route.get('label') or route.get('route')}: {relative}", records, {}))
    return out
