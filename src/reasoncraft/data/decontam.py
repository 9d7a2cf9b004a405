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

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

from .dedup import words


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """
    >>> sorted(ngrams(["a", "b", "c"], 2))
    [('a', 'b'), ('b', 'c')]
    """
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


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

    def __init__(self, eval_sets: dict[str, Sequence[tuple[str, str]]], *, n: int = 8, remove_overlap: float = 0.5,
                 flag_overlap: float = 0.2, flag_containment: float = 0.6, max_document_frequency: int = 20):
        if n < 1:
            raise ValueError(f"n-gram size must be >= 1: got {n}")
        if not 0 < remove_overlap <= 1 or not 0 < flag_containment <= 1:
            raise ValueError(f"remove_overlap and flag_containment must be in (0, 1]: got {remove_overlap}, {flag_containment}")
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
            if best is None or (match.verdict, match.overlap, match.containment) > (best.verdict, best.overlap, best.containment):
                best = match
        return best


def eval_sets_from_tasks(tasks: Sequence[str] | None = None, task_options: dict[str, dict] | None = None,
                         splits: Sequence[str] = ("test",)) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """The evaluation problems of `tasks` (default: every registered task), read through the tasks.

    Returns ({"<task>/<split>": [(problem id, question), ...]}, {task: why it could not be read}).
    A task whose data is not available here (a hub dataset offline, a missing file) is reported in
    the second dict rather than silently skipped; pass its local copy with task_options
    ({"math500": {"data_path": "math500.jsonl"}}).
    """
    from ..tasks import get_task, list_tasks

    sets: dict[str, list[tuple[str, str]]] = {}
    unavailable: dict[str, str] = {}
    for spec in tasks if tasks is not None else list_tasks():
        try:
            task = get_task(spec, **(task_options or {}).get(spec, {}))
            for split in splits:
                if split in task.splits:
                    sets[f"{spec}/{split}"] = [(p.id, p.question) for p in task.problems(split)]
        except Exception as exc:  # noqa: BLE001 - reported to the caller, never swallowed
            unavailable[spec] = f"{type(exc).__name__}: {exc}"
    return sets, unavailable
