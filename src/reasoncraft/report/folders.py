"""Reading a run folder as the commands leave it: what kind of run it is, what it holds, what is missing.

The report is built from files only, never from a live object, so it works on any folder a command wrote,
finished or killed. What each command writes (see the commands' docstrings):

    eval        run.json, config.yaml, summary.json (a list, one entry per task), table.md, samples.jsonl
    scale       run.json, config.yaml, summary.json ({"rows", "compute_optimal"}), table.md, scale.png,
                results/<settings>/<split>/<strategy>-n<N>.jsonl (one row per problem)
    train grpo  run.json, config.yaml, metrics.jsonl (one row per step), summary.json, samples.jsonl (the
                rollouts logged every log_samples_steps), eval/before and eval/after (held-out evaluations,
                each an eval folder)
    train sft   run.json, config.yaml, metrics.jsonl, summary.json, and eval/before|after where configured
    distill     run.json, config.yaml, traces.jsonl (teacher samples with verdicts), sft.jsonl, report.json
    a recipe    stage folders, each with stage.json and its engine's outputs; the comparison stage's folder
                holds comparison.json (schema in notes/HELPERS.md), whose sample paths are relative to the
                recipe's folder. Either the recipe's folder or the comparison stage's folder can be reported.

run.json is written last, so a folder without it is a run that was killed or is still running; JSON Lines
files are read tolerantly (a line cut by a kill is counted and skipped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..record import RECORD_NAME
from ..samples import iter_jsonl

MARKERS = (RECORD_NAME, "config.yaml", "identity.json", "stage.json", "summary.json", "metrics.jsonl")
DATA_MARKERS = ("samples.jsonl", "traces.jsonl", "comparison.json")
EXPECTED = {
    "eval": ("run.json", "summary.json", "samples.jsonl"),
    "scale": ("run.json", "summary.json", "results"),
    "grpo": ("run.json", "metrics.jsonl", "summary.json"),
    "sft": ("run.json", "metrics.jsonl", "summary.json"),
    "distill": ("run.json", "traces.jsonl", "report.json"),
    "recipe": ("comparison.json",),
}
WHY_MISSING = {
    "run.json": "the run record is written last: the run was killed or is still running",
    "summary.json": "no summary: the run did not reach its end",
    "samples.jsonl": "no samples file: an evaluation writes it when every task is done (finished batches "
    "are in the completion cache; rerun the same command to resume)",
    "metrics.jsonl": "no training metrics: no step finished",
    "results": "no per-problem results of any strategy",
    "traces.jsonl": "no teacher traces",
    "report.json": "no filtering report: distillation stopped before filtering",
    "comparison.json": "no comparison: the recipe's compare stage has not run",
}


class NotARunError(ValueError):
    """The folder holds nothing a reasoncraft command writes (the one-line CLI error)."""


@dataclass
class RunFolder:
    path: Path
    kind: str  # eval, scale, grpo, sft, distill, recipe
    command: str
    record: dict | None = None
    config: dict = field(default_factory=dict)
    summary: Any = None
    metrics: list[dict] = field(default_factory=list)
    held_out: dict[str, RunFolder] = field(default_factory=dict)  # "before"/"after" -> an eval folder
    comparison: dict | None = None
    root: Path | None = None  # a recipe's folder: comparison.json's sample paths are relative to it
    missing: list[str] = field(default_factory=list)  # one sentence per missing piece
    notes: list[str] = field(default_factory=list)  # lines skipped, and the like

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def read_rows(path: Path, notes: list[str]) -> list[dict]:
    """The rows of one of our JSON Lines files; a line cut by a kill is counted in `notes`, not fatal."""
    bad: list[int] = []
    rows = [row for _, row in iter_jsonl(path, on_bad_line=bad.append) if isinstance(row, dict)]
    if bad:
        notes.append(f"{path.name}: {len(bad)} unreadable line(s) skipped (line {bad[0]}: cut by a kill?)")
    return rows


def _read_config(path: Path, record: dict | None) -> dict:
    if record and isinstance(record.get("config"), dict):
        return record["config"]
    identity = read_json(path / "identity.json")
    if isinstance(identity, dict) and isinstance(identity.get("config"), dict):
        return identity["config"]
    config_file = path / "config.yaml"
    if config_file.exists():
        loaded = yaml.safe_load(config_file.read_text())
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _command(path: Path, record: dict | None) -> str:
    for source in (record, read_json(path / "identity.json")):
        if isinstance(source, dict) and source.get("command"):
            return str(source["command"]).removeprefix("reasoncraft ").strip()
    stage = read_json(path / "stage.json")
    return str(stage.get("kind", "")) if isinstance(stage, dict) else ""


def stage_files(path: Path) -> list[Path]:
    return (
        sorted(path.glob("*/stage.json")) + sorted(path.glob("*/*/stage.json")) + sorted(path.glob("*/*/*/stage.json"))
    )


def _comparison_file(path: Path) -> Path | None:
    if (path / "comparison.json").exists():
        return path / "comparison.json"
    return next(
        (f.parent / "comparison.json" for f in stage_files(path) if (f.parent / "comparison.json").exists()), None
    )


STAGE_KINDS = {"evaluate": "eval", "scale": "scale", "grpo": "grpo", "sft": "sft", "distill": "distill"}


def _kind(path: Path, command: str) -> str:
    stage = read_json(path / "stage.json")
    if isinstance(stage, dict) and stage.get("kind") in STAGE_KINDS:  # a recipe's stage: its engine's outputs
        return STAGE_KINDS[stage["kind"]]
    if _comparison_file(path) or command.split()[:1] in (["run"], ["compare"], ["recipe"]) or stage_files(path):
        return "recipe"  # `reasoncraft run ROUTE` writes run.json with command "run ROUTE" in the recipe's folder
    if command.startswith("eval") or "held-out evaluation" in command:
        return "eval"
    for kind, words in (("grpo", ("grpo",)), ("sft", ("sft",)), ("distill", ("distill",)), ("scale", ("scale",))):
        if any(w in command for w in words):
            return kind
    if "eval" in command or command == "evaluate":
        return "eval"
    if (path / "metrics.jsonl").exists():
        first = next((row for _, row in iter_jsonl(path / "metrics.jsonl", on_bad_line=lambda n: None)), {})
        return "grpo" if "reward" in first else "sft"
    if (path / "traces.jsonl").exists():
        return "distill"
    if (path / "results").is_dir():
        return "scale"
    return "eval"


def read_run(path: str | Path) -> RunFolder:
    """Read a run folder; raise `NotARunError` (one line) when it holds nothing a command writes."""
    path = Path(path)
    if not path.is_dir():
        raise NotARunError(f"{path}: no such folder; give the folder a command wrote (its --out / out_dir)")
    if not any((path / m).exists() for m in MARKERS + DATA_MARKERS) and not stage_files(path):
        raise NotARunError(
            f"{path} is not a run folder: it holds no run.json, config.yaml, summary.json, metrics.jsonl, "
            "samples.jsonl or comparison.json; give the folder a reasoncraft command wrote (its --out / out_dir)"
        )
    record = read_json(path / RECORD_NAME)
    record = record if isinstance(record, dict) else None
    command = _command(path, record)
    run = RunFolder(path, _kind(path, command), command or "unknown", record, _read_config(path, record))
    run.summary = read_json(path / "summary.json")
    if run.summary is None and record:
        run.summary = _summary_from_record(run.kind, record)
    if (path / "metrics.jsonl").exists():
        run.metrics = read_rows(path / "metrics.jsonl", run.notes)
    if run.kind == "recipe":
        found = _comparison_file(path)
        run.comparison = read_json(found) if found else None
        run.root = path if found != path / "comparison.json" else _recipe_root(path)
    for name in ("before", "after"):
        folder = path / "eval" / name
        if folder.is_dir() and any((folder / m).exists() for m in MARKERS + DATA_MARKERS):
            run.held_out[name] = read_run(folder)
    _note_missing(run)
    return run


def _recipe_root(path: Path) -> Path:
    """The recipe folder above a stage folder: the nearest ancestor whose subfolders hold stage.json files."""
    for parent in path.resolve().parents:
        if any(parent.glob("*/stage.json")) and parent != path.resolve():
            return parent
    return path


def _summary_from_record(kind: str, record: dict) -> Any:
    if kind == "eval":
        return record.get("summary")
    return record.get({"scale": "scale", "grpo": "train", "sft": "train", "distill": "distill"}.get(kind, ""))


def _note_missing(run: RunFolder) -> None:
    for name in EXPECTED[run.kind]:
        if name == "comparison.json" and run.comparison is not None:
            continue
        if not (run.path / name).exists():
            run.missing.append(f"{name}: {WHY_MISSING[name]}")
    if run.kind in ("grpo", "sft"):
        planned = run.config.get("steps") if run.kind == "grpo" else run.config.get("max_steps")
        done = max((int(r.get("step", 0)) for r in run.metrics), default=0)
        if isinstance(planned, int) and planned > 0 and done < planned:
            run.missing.append(f"training steps: metrics for {done} of {planned} steps")
        if run.kind == "grpo" and int(run.config.get("eval_problems", 0) or 0) > 0:
            for name in ("before", "after"):
                if name not in run.held_out:
                    run.missing.append(f"eval/{name}: the held-out evaluation {name} training did not run")
    if run.kind == "eval" and run.record is None and not (run.path / "samples.jsonl").exists():
        tasks = run.config.get("tasks") or []
        if tasks:
            run.missing.append(f"every task's results ({', '.join(map(str, tasks))})")
