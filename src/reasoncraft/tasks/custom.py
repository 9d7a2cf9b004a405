"""User tasks: problems from a JSONL, JSON, CSV file or a hub dataset, described by a YAML mapping.

``get_task("my_task.yaml")`` (or ``get_task("custom", config="my_task.yaml")``, or a dict) reads::

    name: capitals                 # optional; default: the YAML file's stem
    source: capitals.csv           # .jsonl, .json (a list of objects) or .csv; relative to the YAML file
    # or, per split:
    # splits: {test: test.jsonl, dev: dev.jsonl, train: train.jsonl}
    # or a hub dataset (needs `datasets` and the hub):
    # hub: {path: openai/gsm8k, config: main, splits: {test: test, train: train}}
    columns:
      question: prompt             # required: the column holding the question
      answer: target               # required: the column holding the gold answer
      id: uid                      # optional: a unique id column (default: <name>-<split>-<row>)
      fields: [topic]              # optional: more columns kept in Problem.fields (templates may use them)
    template: cot                  # optional: a template name from reasoncraft.prompts (default cot)
    reward: accuracy               # optional: a reward name from reasoncraft.rewards (default accuracy)
    dev_fraction: 0.1              # optional, single source only: hold out this share as dev

With one source and no ``dev_fraction`` the task has only a test split. ``dev_fraction`` assigns each
row to dev or test by a hash of its id, so the split is the same on every machine and never
changes when rows are added. Every problem must have a non-empty question and answer, and ids must
be unique; errors name the file, the row and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from ..prompts import get_template
from ..rewards.base import get_reward
from .base import Problem, Task, load_hub_rows, read_jsonl
from .registry import register_task

_KEYS = {"name", "source", "splits", "hub", "columns", "template", "reward", "dev_fraction"}


def read_table(path: Path) -> list[dict]:
    """Rows of a .jsonl, .json (list of objects) or .csv file."""
    if not path.is_file():
        raise FileNotFoundError(f"task data file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(str(path))
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(f"{path}: a .json task file must hold a list of objects (one per problem)")
        return data
    if suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    raise ValueError(f"{path}: unsupported task file type {suffix!r}; use .jsonl, .json or .csv")


def _hub_table(hub: dict, split: str) -> list[dict]:
    hub_split = hub.get("splits", {}).get(split, split)
    how = "export the data to JSONL or CSV and point the task's source: (or --data-path) at the file"
    return load_hub_rows(hub["path"], hub.get("config"), hub_split, how)


class CustomTask(Task):
    """A task built from a YAML (or dict) column mapping; see the module docstring."""

    def __init__(
        self,
        config: dict,
        base_dir: Path | None = None,
        default_name: str = "custom",
        template: str | None = None,
        data_path: str | None = None,
    ):
        unknown = set(config) - _KEYS
        if unknown:
            raise ValueError(
                f"unknown key(s) in the task mapping: {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}"
            )
        columns = config.get("columns") or {}
        for required in ("question", "answer"):
            if not columns.get(required):
                raise ValueError(
                    f"the task mapping needs columns.{required}: the name of the column holding the {required}"
                )
        self.columns = columns
        self.name = str(config.get("name") or default_name)
        super().__init__(template or config.get("template") or "cot")
        get_template(self.default_template)  # fail now, listing the known templates
        self.primary_reward = config.get("reward", "accuracy")
        get_reward(self.primary_reward)  # fail now, listing the known rewards
        base_dir = base_dir or Path.cwd()
        sources = {"test": data_path} if data_path else None
        if sources is None and config.get("source"):
            sources = {"test": config["source"]}
        if sources is None and config.get("splits"):
            sources = dict(config["splits"])
        self.hub = config.get("hub") if sources is None else None
        if sources is None and self.hub is None:
            raise ValueError("the task mapping needs source: (a file), splits: (a file per split) or hub: (a dataset)")
        if sources is not None:
            bad = set(sources) - {"train", "dev", "test"}
            if bad or "test" not in sources:
                raise ValueError(f"splits must be among train, dev, test and include test: got {', '.join(sources)}")
            self.sources = {s: (Path(p) if Path(p).is_absolute() else base_dir / p) for s, p in sources.items()}
            names = list(sources)
        else:
            if "path" not in self.hub:
                raise ValueError("hub: needs path: (the dataset id, e.g. openai/gsm8k)")
            self.sources = {}
            names = list(self.hub.get("splits", {"test": "test"}))
        self.dev_fraction = float(config.get("dev_fraction", 0.0))
        if self.dev_fraction:
            if not 0 < self.dev_fraction < 1 or "dev" in names or len(names) != 1:
                raise ValueError("dev_fraction (0 < f < 1) applies only to a single source without its own dev split")
            names = ["dev", "test"]
        self.splits = tuple(s for s in ("train", "dev", "test") if s in names)
        self._cache: dict[str, list[Problem]] = {}

    def _rows(self, split: str) -> tuple[list[dict], str]:
        if self.hub is not None:
            return _hub_table(self.hub, split), f"{self.hub['path']} ({split})"
        path = self.sources[split]
        return read_table(path), str(path)

    def _load(self, split: str) -> list[Problem]:
        rows, where = self._rows(split)
        cols = self.columns
        wanted = [cols["question"], cols["answer"], *([cols["id"]] if cols.get("id") else []), *cols.get("fields", [])]
        if rows:
            missing = [c for c in wanted if c not in rows[0]]
            if missing:
                raise ValueError(
                    f"{where}: column(s) {', '.join(map(repr, missing))} named in the task mapping are not in "
                    "the data; "
                    f"its columns are {', '.join(map(repr, rows[0]))}. Fix columns: in the task YAML"
                )
        problems = []
        for i, row in enumerate(rows):
            question, answer = row.get(cols["question"]), row.get(cols["answer"])
            if question in (None, "") or answer in (None, ""):
                raise ValueError(f"{where}: row {i + 1} has an empty question or answer; every problem needs both")
            pid = str(row[cols["id"]]) if cols.get("id") else f"{self.name}-{split}-{i}"
            fields = {k: row.get(k) for k in cols.get("fields", [])}
            problems.append(Problem(pid, str(question), str(answer), fields))
        ids = [p.id for p in problems]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{where}: ids in column {cols.get('id')!r} repeat; ids must be unique")
        return problems

    def _split(self, split: str) -> list[Problem]:
        if split not in self._cache:
            if self.dev_fraction:
                source = next(iter(self.sources)) if self.sources else next(iter(self.hub.get("splits", {"test": 0})))
                everything = self._load(source)
                for part in ("dev", "test"):
                    self._cache[part] = [p for p in everything if self._is_dev(p.id) == (part == "dev")]
            else:
                self._cache[split] = self._load(split)
        return list(self._cache[split])

    def _is_dev(self, problem_id: str) -> bool:
        digest = hashlib.sha256(f"{self.name}\0{problem_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.dev_fraction

    def problems(self, split: str = "test", limit: int | None = None) -> list[Problem]:
        if split == "dev" and "dev" not in self.splits:
            raise ValueError(
                f"task {self.name!r} has no dev split: give splits: {{dev: ...}} or dev_fraction: in its YAML"
            )
        return super().problems(split, limit)


def load_task_config(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"task mapping {str(path)!r} does not exist")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise ValueError(f"{path}: a task mapping must be a YAML mapping (name:, source:, columns:, ...)")
    return config


@register_task("custom")
def make_custom(spec: str, config: str | Path | dict | None = None, **options: Any) -> CustomTask:
    """`get_task("custom", config="task.yaml" or {...})`; `get_task("task.yaml")` does the same."""
    if config is None:
        raise ValueError("the custom task needs config= a YAML file or a mapping (see reasoncraft.tasks.custom)")
    if isinstance(config, dict):
        return CustomTask(config, **options)
    path = Path(config).expanduser()
    return CustomTask(load_task_config(path), base_dir=path.parent, default_name=path.stem, **options)
