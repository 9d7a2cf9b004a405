"""Run-folder identity: before a command writes into an output folder, it checks what the folder holds.

Every command (`eval`, `scale`, `train grpo`, `train sft`, `distill`, and the recipes' stages) calls
`claim(out_dir, command, config)` once, after its config is resolved and before anything loads or writes.
The folder keeps `identity.json`: the command and the resolved config that wrote it. Then:

    the folder is new or empty                          -> a fresh run
    the same command, the same config                   -> continue (eval and scale reuse their samples,
                                                           distill its traces, a trainer its last checkpoint)
    the same command, only settings that extend the run -> continue, saying what grew ("limit 8 -> 16")
    the same command, a config that changes the outputs -> refused: a one-line diff, exit 2, unless
                                                           `resume` (continue, saying what changed) or
                                                           `overwrite` (clear the folder first)
    another command's folder                            -> refused unless `overwrite`
    files that no reasoncraft run wrote                 -> refused, and never cleared

Which settings do not change what the outputs mean (where the run writes, on which device, with how many
threads, at what price, in what batches) or only extend them (more problems) is said per command below;
every other config key is part of the identity. Folders written before identity.json existed are read
from their run.json (command and config), so an old eval folder is recognised too.

`drop_rows_after(path, step)` is the other half of a safe resume: a JSON Lines log of per-step rows
(GRPO's samples.jsonl) keeps only the rows up to the step a resumed run continues from, so a step that
was running when the process was killed is not logged twice.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import ConfigError, config_dict

IDENTITY_NAME = "identity.json"
RECORD_NAME = "run.json"  # record.RECORD_NAME; read here only for folders written before identity.json
CONFIG_NAME = "config.yaml"

# Settings that never change what a run's outputs mean: where and how fast it runs, what it costs, how it reports.
NEUTRAL = frozenset(
    {
        "out_dir",
        "device",
        "dtype",
        "progress",
        "cache_dir",
        "num_threads",
        "threads",
        "batch_problems",
        "batch",
        "max_concurrency",
        "max_retries",
        "request_timeout",
        "price_per_hour",
        "price_per_million_tokens",
        "price_per_million_prompt_tokens",
        "price_per_million_completion_tokens",
        "report_to",
        "save_steps",
        "keep_checkpoints",
        "save_model",
        "log_samples_steps",
        "count_tokens_with",
    }
)
# Settings that only add to what a folder holds (more problems, larger budgets, more strategies): a rerun continues.
EXTENDING: dict[str, frozenset[str]] = {
    "eval": frozenset({"limit", "tasks"}),
    "scale": frozenset({"limit", "dev_limit", "max_n", "strategies"}),
    "distill": frozenset({"limit"}),
}


class RunFolderError(ConfigError):
    """The output folder holds another run (or files of no run): the message says how to proceed."""


@dataclass
class Claim:
    """What `claim` decided: `state` is new, continued, resumed or overwritten; `changed` lists "key: old -> new"."""

    out_dir: Path
    command: str
    state: str
    changed: list[str] = field(default_factory=list)
    previous: dict | None = None

    @property
    def continuing(self) -> bool:
        """Whether the folder already held this run (continued or resumed), so its outputs are reused."""
        return self.state in ("continued", "resumed")

    def message(self) -> str | None:
        """One line for the user, or None for a fresh run."""
        changes = f" ({'; '.join(self.changed)})" if self.changed else ""
        if self.state == "continued":
            return f"continuing the {self.command} run in {self.out_dir}/{changes}"
        if self.state == "resumed":
            return f"resuming the {self.command} run in {self.out_dir}/ with a changed config{changes}"
        if self.state == "overwritten":
            return f"cleared {self.out_dir}/ (--overwrite) for a new {self.command} run"
        return None


def plain(value: Any) -> Any:
    """JSON-normal form, so that a tuple read back from YAML or JSON compares equal to the list it was."""
    return json.loads(json.dumps(value, default=str))


def identity_of(command: str, config: Any) -> dict:
    """The config a folder's identity compares: the resolved config as plain data (a dataclass or a mapping)."""
    values = config if isinstance(config, dict) else config_dict(config)
    return plain(values)


def read_identity(folder: str | Path) -> dict | None:
    """{"command", "config"} of the run a folder holds: identity.json, else an older run.json; None for neither."""
    folder = Path(folder)
    for name in (IDENTITY_NAME, RECORD_NAME):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("command"), str):
            command = data["command"].removeprefix("reasoncraft ")  # run.json of eval said "reasoncraft eval"
            return {"command": command, "config": data.get("config") or {}}
    return None


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."


def differences(command: str, old: dict, new: dict) -> tuple[list[str], list[str]]:
    """(changes of identity, changes that only extend the run), each as "key: old -> new", in the new config's order.

    >>> differences("eval", {"limit": 8, "temperature": 0.0, "device": "cpu"}, {"limit": 16, "temperature": 0.7})
    (['temperature: 0.0 -> 0.7'], ['limit: 8 -> 16'])
    """
    extending = EXTENDING.get(command, frozenset())
    changed, extended = [], []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in NEUTRAL or old.get(key) == new.get(key):
            continue
        line = f"{key}: {_show(old.get(key))} -> {_show(new.get(key))}"
        (extended if key in extending else changed).append(line)
    return changed, extended


def _brief(lines: list[str], most: int = 3) -> str:
    shown = "; ".join(lines[:most])
    return shown + (f"; and {len(lines) - most} more" if len(lines) > most else "")


def _is_run_folder(folder: Path) -> bool:
    return any((folder / name).exists() for name in (IDENTITY_NAME, RECORD_NAME, CONFIG_NAME))


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def check_writable(out_dir: str | Path, option: str = "--out") -> Path:
    """The folder as a Path, after checking it can be a run folder: not a file, and writable (or creatable)."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"{option} {folder} is a file, not a folder: name a folder for the run's outputs")
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise RunFolderError(f"{option} {folder}: {probe} is a file, not a folder: choose another path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise RunFolderError(f"{option} {folder}: cannot write in {probe}: choose a folder you can write to")
    return folder


def claim(
    out_dir: str | Path,
    command: str,
    config: Any,
    *,
    resume: bool = False,
    overwrite: bool = False,
    option: str = "--out",
) -> Claim:
    """Check the folder against this run (the table in the module docstring), then write its identity.json.

    Raises `RunFolderError` (a user error: one line that names the fix) when the folder holds another run.
    `option` is how the command names its output folder in that line (`--out`, `out_dir=`).
    """
    folder = check_writable(out_dir, option)
    new = identity_of(command, config)
    previous = read_identity(folder) if folder.is_dir() else None
    state, changed = "new", []
    if folder.is_dir() and _visible(folder):
        if overwrite:
            if not _is_run_folder(folder):
                raise RunFolderError(
                    f"{folder} holds files no reasoncraft run wrote ({_visible(folder)[0].name}, ...): "
                    f"--overwrite clears only run folders; choose another {option}"
                )
            clear(folder)
            state = "overwritten"
        elif previous is None:
            ours = _is_run_folder(folder)
            what = "an unfinished run of unknown command" if ours else "files no reasoncraft run wrote"
            if not (resume and _is_run_folder(folder)):
                raise RunFolderError(
                    f"{folder} holds {what}: choose another {option}"
                    + (", --resume to continue it, or --overwrite to clear it" if _is_run_folder(folder) else "")
                )
            state = "resumed"
        elif previous["command"] != command:
            raise RunFolderError(
                f"{folder} holds a `{previous['command']}` run, not `{command}`: choose another {option}, "
                "or --overwrite to clear it"
            )
        else:
            changed, extended = differences(command, plain(previous["config"]), new)
            if changed and not resume:
                raise RunFolderError(
                    f"{folder} holds a `{command}` run with another config ({_brief(changed)}): --resume to continue "
                    f"it with the new config, --overwrite to clear it, or choose another {option}"
                )
            state = "resumed" if changed else "continued"
            changed = changed + extended
    write_identity(folder, command, new, changed if state == "resumed" else [])
    return Claim(folder, command, state, changed, previous)


def write_identity(folder: Path, command: str, config: dict, changed: list[str]) -> Path:
    """identity.json: the command, its resolved config, and (appended) each resume's changes of config."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / IDENTITY_NAME
    history: list = []
    if path.is_file():
        try:
            history = json.loads(path.read_text()).get("resumed_with_changes", [])
        except (OSError, json.JSONDecodeError, AttributeError):
            history = []
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if changed:
        history = [*history, {"at": now, "changed": changed}]
    data = {"command": command, "config": config, "written": now, "resumed_with_changes": history}
    tmp = path.with_suffix(f".json.{os.getpid()}.tmp")  # one per process: every rank of a launch writes it
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
    return path


def clear(folder: Path) -> None:
    """Remove everything inside a run folder (the folder itself stays)."""
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def drop_rows_after(path: str | Path, step: int, key: str = "step") -> int:
    """Keep only the JSON Lines rows of `path` whose `key` is <= `step` (and rows without it); return how many went.

    A resumed run calls it for its per-step logs, so that the rows of a step that was cut short by a kill (and
    is now run again) are not there twice. A torn last line (the kill came mid-write) goes too.
    """
    path = Path(path)
    if not path.is_file():
        return 0
    kept, dropped = [], 0
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            dropped += 1
            continue
        if isinstance(row, dict) and isinstance(row.get(key), int) and row[key] > step:
            dropped += 1
            continue
        kept.append(line)
    if dropped:
        tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")
        tmp.write_text("".join(line + "\n" for line in kept))
        os.replace(tmp, path)
    return dropped
