"""The scored sample, the common currency of every stage, and the crash-safe JSON Lines store.

A `ScoredSample` is one completion of one problem with everything needed to audit or reuse it:
problem id, prompt, completion text and token ids, token counts, extracted answer, reward
breakdown, verdict, sampling settings, sample index and seed. Evaluation writes them, scaling picks
among them, the data engine filters them into SFT sets.

`JsonlStore` is append-only: each batch is written, flushed and fsynced before the call returns,
so a killed process loses at most the batch in flight; a truncated last line (a kill mid-write) is
skipped on reading, and the next append starts on a fresh line. `iter_jsonl` / `read_jsonl` are the
one JSON Lines reader, tolerant for these stores and strict (file and line named) for a user's file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .rewards.base import RewardFailure, is_failure


@dataclass
class ScoredSample:
    problem_id: str
    task: str
    prompt: Any  # chat messages or text, as sent to the backend
    completion: str
    token_ids: list[int]
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    extracted: str | None
    reward: float | None  # None when not applicable or when scoring failed (see `failure`)
    correct: bool | None
    breakdown: dict = field(default_factory=dict)  # reward name -> value (a failure is {"failure": reason})
    failure: str | None = None  # why scoring failed (infrastructure), never folded into reward 0
    sampling: dict = field(default_factory=dict)
    sample_index: int = 0
    seed: int = 0
    model: str = ""
    key: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def encode_reward(value: Any) -> Any:
    """A reward value as JSON: floats and None as they are, a failure as {"failure": reason}."""
    return {"failure": value.reason} if is_failure(value) else value


def decode_reward(value: Any) -> Any:
    return RewardFailure(value["failure"]) if isinstance(value, dict) and "failure" in value else value


def sample_key(model_hash: str, prompt: Any, sampling: dict, sample_index: int) -> str:
    """The cache key of one sample: a hash of (model weights, prompt, sampling without n, sample index).

    `n` is left out so that the samples of an n=4 run are samples 0..3 of an n=16 run.
    """
    settings = {k: v for k, v in sampling.items() if k not in ("n", "logprobs")}
    blob = json.dumps([model_hash, prompt, settings, sample_index], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def iter_jsonl(
    path: str | Path, hint: str = "", on_bad_line: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each line of a JSON Lines file: the one JSONL reader.

    Two uses, two semantics:

    - a file a user gives (task data, SFT data; the default): blank lines are skipped and a line that
      is not JSON is an error naming the file and the line, with `hint` appended (how to fix it);
    - our own append-only stores (`JsonlStore`, with `on_bad_line`): a line that does not decode is
      passed to `on_bad_line(number)` and skipped. A kill mid-write leaves one partial line, and the
      next append starts on a fresh line after it, so that line can sit anywhere in the file (a blank
      line does not decode either, and is counted the same way).
    """
    if on_bad_line is not None:  # bytes: json.loads finds the encoding of each record itself
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    value = json.loads(raw)
                except json.JSONDecodeError:
                    on_bad_line(number)
                    continue
                yield number, value
        return
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"{path}:{number}: not valid JSON ({exc.msg})" + (f"; {hint}" if hint else "")
                ) from None
            yield number, value


def read_jsonl(path: str | Path, hint: str = "", on_bad_line: Callable[[int], None] | None = None) -> list[Any]:
    """The values of a JSON Lines file, read by `iter_jsonl` (same arguments, same two semantics)."""
    return [value for _, value in iter_jsonl(path, hint, on_bad_line)]


class JsonlStore:
    """Append-only JSON Lines with per-batch fsync; tolerant of a truncated last line."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.skipped_lines = 0

    def read(self) -> Iterator[dict]:
        if not self.path.exists():
            return
        for _, record in iter_jsonl(self.path, on_bad_line=self._skip):
            yield record

    def _skip(self, number: int) -> None:
        self.skipped_lines += 1  # a kill mid-write leaves one partial line; its batch is redone

    def append(self, records: Iterable[dict]) -> None:
        lines = [json.dumps(r, default=str) + "\n" for r in records]
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as handle:
            if handle.tell() > 0 and not self._ends_with_newline():
                handle.write(b"\n")  # never glue a record onto a truncated line
            handle.write("".join(lines).encode())
            handle.flush()
            os.fsync(handle.fileno())

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"


class CompletionCache:
    """Raw completions keyed by `sample_key`, one JSONL file per model, shared by eval and scale."""

    def __init__(self, folder: str | Path, model_hash: str):
        self.store = JsonlStore(Path(folder) / f"{model_hash[:24]}.jsonl")
        self.entries: dict[str, dict] = {}
        for record in self.store.read():
            self.entries.setdefault(record["key"], record["completion"])

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def put_many(self, items: list[tuple[str, dict]]) -> None:
        fresh = [(k, c) for k, c in items if k not in self.entries]
        self.store.append({"key": k, "completion": c} for k, c in fresh)
        self.entries.update(fresh)
