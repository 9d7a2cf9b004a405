"""Stages: the unit a recipe is made of, their keys and their records; `recipes.schedule` runs them.

A stage has a name (its folder under the recipe's output folder, e.g. `r1/seed0/sft-cold`), a kind (which
engine it calls: evaluate, scale, grpo, sft, distill, general, compare; `recipes.kinds`), a config (plain
data) and inputs (role -> the name of an earlier stage whose outputs it reads, e.g. {"model": "r1-zero/grpo"}).
A recipe is a list of stages in an order where every input comes earlier.

Each stage folder holds what its engine writes (samples.jsonl, model/, sft.jsonl, ..., and the engine's own
`run.json`) plus `stage.json`:

    {"name", "kind", "config", "config_hash", "inputs": {role: {"stage", "key"}}, "key", "done",
     "started", "finished", "wall_s", "outputs"}

`key` hashes the kind, the config hash and the inputs' keys, so a stage's key changes when anything upstream
of it changes (a Merkle chain: no model file is hashed). On a rerun a stage whose stage.json says done with
the same key is skipped; any other stage's folder is removed and the stage runs again, so a stage killed
half-way (SIGKILL anywhere) never leaves half an output behind. Sampled completions live in the recipe's
shared completion cache (`cache/`, outside the stage folders), so an evaluation or a sweep interrupted in
a stage does not draw its finished batches again.

A stage whose output is empty or too small for the next one raises `StageOutputTooSmall`, which names the
stage, what it produced and what to change; the recipe stops there and never trains on nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError

STAGE_FILE = "stage.json"


class StageOutputTooSmall(RuntimeError):
    """A stage produced too little for the stages after it; the message says which, what and what to change."""

    def __init__(self, stage: str, produced: str, fix: str):
        super().__init__(f"stage {stage} produced {produced}; the recipe stops here. To fix: {fix}")
        self.stage, self.produced, self.fix = stage, produced, fix


@dataclass(frozen=True)
class Stage:
    """One step of a recipe: `kind` is a name in `recipes.kinds.KINDS`; `inputs` maps a role to an earlier stage."""

    name: str
    kind: str
    config: Mapping[str, Any]
    inputs: Mapping[str, str] = field(default_factory=dict)
    trains: bool = False  # its compute counts as training compute of every route that depends on it
    about: str = ""  # one line for the plan
    sized_by: str = ""  # the recipe fields that size its compute, named when it does not fit train_flops_budget


def digest(data: Any) -> str:
    """A short, stable hash of plain data (sorted keys).

    >>> digest({"b": 1, "a": [2]}) == digest({"a": [2], "b": 1})
    True
    """
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def stage_key(stage: Stage, input_keys: Mapping[str, str]) -> str:
    """The identity of a stage's outputs: its kind, its config and the identities of its inputs."""
    return digest(
        {"kind": stage.kind, "config": digest(dict(stage.config)), "inputs": dict(sorted(input_keys.items()))}
    )


def check_order(stages: Sequence[Stage], kinds: Mapping[str, Any]) -> None:
    """Every kind known, every name unique, every input an earlier stage: checked before any compute."""
    seen: set[str] = set()
    for stage in stages:
        if stage.kind not in kinds:
            raise ConfigError(f"stage {stage.name}: unknown kind {stage.kind!r}; known kinds: {', '.join(kinds)}")
        if stage.name in seen:
            raise ConfigError(f"stage name {stage.name!r} is used twice: give each stage its own name")
        for role, upstream in stage.inputs.items():
            if upstream not in seen:
                raise ConfigError(
                    f"stage {stage.name}: input {role!r} names stage {upstream!r}, which does not come before it "
                    "in the recipe: name an earlier stage"
                )
        seen.add(stage.name)


def dependencies(stages: Sequence[Stage], name: str) -> list[str]:
    """`name` and every stage it depends on, directly or not, in recipe order."""
    by_name = {s.name: s for s in stages}
    wanted, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in wanted:
            wanted.add(current)
            todo.extend(by_name[current].inputs.values())
    return [s.name for s in stages if s.name in wanted]


def read_stage(folder: Path) -> dict | None:
    """A stage folder's stage.json, or None when absent or unreadable (a kill while writing it)."""
    try:
        return json.loads((folder / STAGE_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return None


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


@dataclass
class Context:
    """What every stage kind may use besides its own config: the recipe folder, the shared cache, the log."""

    root: Path
    log: Callable[[str], None] = print
    device: str | None = None
    records: dict[str, dict] = field(default_factory=dict)  # stage name -> its stage.json (finished stages)

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache" / "completions"

    def rel(self, path: str | Path) -> str:
        """A path inside the recipe folder as it is stored in stage.json and comparison.json (relative)."""
        return str(Path(path).resolve().relative_to(self.root.resolve()))

    def path(self, rel: str) -> Path:
        return self.root / rel


def shares_cache(a: Stage, b: Stage) -> bool:
    """Whether two stages sample one model through the recipe's completion cache (one file per model): they
    must not append to it at the same time."""
    sampling = ("evaluate", "scale")
    same_model = "model" in a.config and a.config["model"] == b.config.get("model")
    return a.kind in sampling and b.kind in sampling and same_model
