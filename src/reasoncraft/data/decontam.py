"""Decontamination: keep evaluation problems out of training data, by word 8-gram overlap.

The evaluation sets are read through the tasks (`eval_sets_from_tasks`: every registered task's
test split, or the tasks named), so whatever the toolkit evaluates on is what it decontaminates
against. Texts are compared as lower-cased words and punctuation marks (`dedup.words`).

For a training text and an evaluation item:
- `overlap` = the share of the item's 8-grams found in the text. At or above `remove_overlap`
  (default 0.5) the record is **removed**: a planted copy has overlap 1.0;
- a lightly reworded copy breaks many 8-grams but keeps most word 3-grams, so the record is
  **flagged** when `overlap` reaches `flag_overlap` (default 0.2) or `containment` (the share of the
  item's 3-grams found in the text) reaches `flag_containment` (default 0.6). A single shared 8-gram
  is not enough: templated questions ("..., create an equation that equals 21.") share one with many
  unrelated problems. Flagged records are kept unless the caller drops them, and are listed in the
  report for a person to look at.

Boilerplate: an n-gram that occurs in more than `max_document_frequency` evaluation items ("express
your answer as a common fraction") says nothing about contamination and is ignored on both sides.
An item shorter than n words is matched as a whole word sequence.
"""

from __future__ import annotations

import os
import socket
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlparse

from ..tasks import get_task, list_tasks
from .dedup import words


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """
    >>> sorted(ngrams(["a", "b", "c"], 2))
    [('a', 'b'), ('b', 'c')]
    """
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


@dataclass(frozen=True)
class Match:
    """The evaluation item a training text overlaps most, and how much."""

    eval_set: str
    item_id: str
    overlap: float  # share of the item's n-grams (8-grams) in the text
    containment: float  # share of the item's 3-grams in the text
    verdict: str  # "removed" or "flagged"

    def to_dict(self) -> dict:
        return dict(vars(self))


class _GramIndex:
    """Inverted index from n-grams to the evaluation items that hold them, boilerplate dropped."""

    def __init__(self, items: list[list[str]], n: int, max_document_frequency: int):
        self.n = n
        grams = [ngrams(t, n) if len(t) >= n else {tuple(t)} for t in items]
        frequency = Counter(g for gs in grams for g in gs)
        self.grams = [{g for g in gs if frequency[g] <= max_document_frequency} for gs in grams]
        self.index: dict[tuple, list[int]] = defaultdict(list)
        for i, gs in enumerate(self.grams):
            for g in gs:
                self.index[g].append(i)
        self.lengths = sorted({len(g) for gs in self.grams for g in gs})

    def shared(self, tokens: list[str]) -> Counter:
        """Item index -> number of its (non-boilerplate) n-grams present in `tokens`."""
        present: set[tuple] = set()
        for length in self.lengths:  # n, and the lengths of items shorter than n words
            present |= {g for g in ngrams(tokens, length) if g in self.index}
        hits: Counter = Counter()
        for g in present:
            for i in self.index[g]:
                hits[i] += 1
        return hits


class Decontaminator:
    """Checks training texts against evaluation sets; see the module docstring for the rules."""

    def __init__(
        self,
        eval_sets: dict[str, Sequence[tuple[str, str]]],
        *,
        n: int = 8,
        remove_overlap: float = 0.5,
        flag_overlap: float = 0.2,
        flag_containment: float = 0.6,
        max_document_frequency: int = 20,
    ):
        if n < 1:
            raise ValueError(f"n-gram size must be >= 1: got {n}")
        if not 0 < remove_overlap <= 1 or not 0 < flag_containment <= 1:
            raise ValueError(
                f"remove_overlap and flag_containment must be in (0, 1]: got {remove_overlap}, {flag_containment}"
            )
        if not 0 < flag_overlap <= remove_overlap:
            raise ValueError(f"need 0 < flag_overlap <= remove_overlap: got {flag_overlap} and {remove_overlap}")
        self.remove_overlap, self.flag_overlap, self.flag_containment = remove_overlap, flag_overlap, flag_containment
        self.items = [(name, item_id) for name, rows in eval_sets.items() for item_id, _ in rows]
        tokens = [words(text) for rows in eval_sets.values() for _, text in rows]
        self.long = _GramIndex(tokens, n, max_document_frequency)
        self.short = _GramIndex(tokens, 3, max_document_frequency)
        self.sizes = {name: len(rows) for name, rows in eval_sets.items()}

    def check(self, text: str) -> Match | None:
        """The strongest overlap of `text` with any evaluation item, or None when there is none worth flagging."""
        tokens = words(text)
        long_hits, short_hits = self.long.shared(tokens), self.short.shared(tokens)
        best: Match | None = None
        for i in set(long_hits) | set(short_hits):
            overlap = long_hits[i] / max(len(self.long.grams[i]), 1)
            containment = short_hits[i] / max(len(self.short.grams[i]), 1)
            if overlap >= self.remove_overlap:
                verdict = "removed"
            elif overlap >= self.flag_overlap or containment >= self.flag_containment:
                verdict = "flagged"
            else:
                continue
            match = Match(*self.items[i], round(overlap, 4), round(containment, 4), verdict)
            if best is None or (match.verdict, match.overlap, match.containment) > (
                best.verdict,
                best.overlap,
                best.containment,
            ):
                best = match
        return best


OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")

HOW_TO_PROVIDE = (
    "give the decontamination a local copy: decontam_task_options {task: {data_path: FILE.jsonl}} "
    "(distill config; eval_sets_from_tasks' task_options), or REASONCRAFT_DATA=FOLDER for the math sets"
)


def offline_requested() -> bool:
    """Whether the user asked the Hugging Face libraries not to touch the network."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on") for v in OFFLINE_VARIABLES)


def hub_reachable(timeout: float = 3.0) -> bool:
    """One TCP connection to the hub (HF_ENDPOINT, else huggingface.co): False offline, in at most `timeout` s."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((url.hostname or "huggingface.co", port), timeout=timeout).close()
        return True
    except OSError:
        return False


# Where the hub libraries keep their offline switch once imported; read at import time, so setting the
# environment alone does not reach an already imported library.
_OFFLINE_FLAGS = (
    ("huggingface_hub.constants", ("HF_HUB_OFFLINE",)),
    ("datasets.config", ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")),
)


@contextmanager
def hub_offline() -> Iterator[None]:
    """Inside: `datasets` and `huggingface_hub` read only local caches, so a missing set fails at once
    (no connection retries). Outside, everything is as before, including for a library imported inside."""
    saved_env = {v: os.environ.get(v) for v in OFFLINE_VARIABLES}
    imported_before = {name for name, _ in _OFFLINE_FLAGS if name in sys.modules}
    saved_flags = [
        (sys.modules[name], attr, getattr(sys.modules[name], attr))
        for name, attrs in _OFFLINE_FLAGS
        if name in imported_before
        for attr in attrs
        if hasattr(sys.modules[name], attr)
    ]
    os.environ.update({v: "1" for v in OFFLINE_VARIABLES})
    for module, attr, _ in saved_flags:
        setattr(module, attr, True)
    try:
        yield
    finally:
        for v, value in saved_env.items():
            if value is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = value
        for module, attr, value in saved_flags:
            setattr(module, attr, value)
        for name, attrs in _OFFLINE_FLAGS:  # imported inside: it froze "offline" at import; give back the real setting
            if name in sys.modules and name not in imported_before:
                for attr in attrs:
                    if hasattr(sys.modules[name], attr):
                        setattr(sys.modules[name], attr, offline_requested())


def _read_sets(
    specs: Sequence[str], task_options: dict[str, dict], splits: Sequence[str], sets: dict[str, list[tuple[str, str]]]
) -> dict[str, str]:
    """Add each task's evaluation problems to `sets`; return {task: why it could not be read}."""
    failed: dict[str, str] = {}
    for spec in specs:
        try:
            task = get_task(spec, **task_options.get(spec, {}))
            read = {
                f"{spec}/{split}": [(p.id, p.question) for p in task.problems(split)]
                for split in splits
                if split in task.splits
            }
            sets.update(read)
        except Exception as exc:  # noqa: BLE001 - reported to the caller, never swallowed
            failed[spec] = f"{type(exc).__name__}: {exc}"
    return failed


def eval_sets_from_tasks(
    tasks: Sequence[str] | None = None, task_options: dict[str, dict] | None = None, splits: Sequence[str] = ("test",)
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """The evaluation problems of `tasks` (default: every registered task), read through the tasks.

    Returns ({"<task>/<split>": [(problem id, question), ...]}, {task: why it could not be read}).
    Every set is read from local files and caches first, with the hub libraries offline, so nothing
    waits on the network; only the sets that need the hub are then read online, and only when the hub
    answers (one 3 s probe, skipped when HF_HUB_OFFLINE / HF_DATASETS_OFFLINE is set). A set that could
    not be read is in the second dict with the reason and how to provide it, never silently skipped;
    the caller must say those sets were not checked.
    """
    specs = list(tasks) if tasks is not None else list_tasks()
    sets: dict[str, list[tuple[str, str]]] = {}
    with hub_offline():
        failed = _read_sets(specs, task_options or {}, splits, sets)
    if failed and not offline_requested():
        if hub_reachable():
            failed = _read_sets(list(failed), task_options or {}, splits, sets)
        else:
            failed = {
                spec: f"{reason} (read from local files and caches only: the Hugging Face hub is unreachable)"
                for spec, reason in failed.items()
            }
    return sets, {spec: f"{reason}; to check against it, {HOW_TO_PROVIDE}" for spec, reason in failed.items()}
