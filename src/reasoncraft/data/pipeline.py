"""The distillation data pipeline: traces -> verified -> readable -> deduplicated -> decontaminated.

`build_sft_set` turns trace records (from `data.generate`, or journeys from `data.journey`) into an
SFT set, counting why each dropped record went:

1. rejection sampling: the task's verifier judged the trace correct (`filters.rejection_reason`);
2. readability (DeepSeek-R1 cold start): language consistency, length bounds, format, repetition;
3. decontamination of the prompt against the evaluation sets (`decontam`): removed records go,
   flagged ones stay (or go, with `drop_flagged`) and are listed in the report;
4. exact, then near-duplicate removal over prompt + completion (`dedup`).

The SFT set is JSON Lines in the chat `messages` format (`datasets.load_dataset("json", ...)`, TRL's
SFTTrainer and open-r1 read it as is); `to_dataset` gives a `datasets.Dataset`. It is derived from
the traces file, so it is rewritten whole (atomically) on every run; the traces file is the
append-only, resumable part.

`run_distill` is the library form of `reasoncraft distill`: generate (resumable), filter, write
`traces.jsonl`, `sft.jsonl`, `report.json` and the run record with the cost of generation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..samples import read_jsonl
from .decontam import Decontaminator
from .dedup import deduplicate
from .filters import Readability, readability_reasons, rejection_reason


def prompt_text(record: dict) -> str:
    """The user side of a record: every non-assistant message, joined."""
    return "\n".join(m["content"] for m in record["messages"] if m["role"] != "assistant")


def decontamination_text(record: dict) -> str:
    """What is checked against the evaluation sets: the prompt, and the problem as its task states it
    (a template may re-express a problem from its fields, e.g. Countdown's numbers and target)."""
    return prompt_text(record) + "\n" + record.get("question", "")


def _count(counts: dict, reason: str) -> None:
    counts[reason] = counts.get(reason, 0) + 1


def build_sft_set(
    records: Sequence[dict],
    *,
    rules: Readability | None = None,
    decontaminator: Decontaminator | None = None,
    near_threshold: float | None = 0.8,
    keep_unverified: bool = False,
    drop_flagged: bool = False,
    count_tokens: Callable[[str], int] | None = None,
) -> tuple[list[dict], dict]:
    """Filter trace records into an SFT set; return (kept records, report of counts and flagged items)."""
    rules = rules or Readability()
    dropped: dict[str, int] = {}
    survivors = []
    for r in records:
        reason = rejection_reason(r["verdict"], keep_unverified)
        if reason is not None:
            _count(dropped, reason)
            continue
        reasons = readability_reasons(
            r["completion"], r["tokens"].get("completion"), r.get("finish_reason", "stop"), rules, count_tokens
        )
        if reasons:
            _count(dropped, "readability:" + reasons[0])
            continue
        survivors.append(r)
    clean, flagged = [], []
    for r in survivors:  # before dedup, so that every contaminated record is reported, copies included
        match = decontaminator.check(decontamination_text(r)) if decontaminator is not None else None
        if match is not None:
            flagged.append({"key": r["key"], "problem_id": r["problem_id"], **match.to_dict()})
            if match.verdict == "removed" or drop_flagged:
                _count(dropped, f"contamination:{match.verdict}")
                continue
            r = {**r, "contamination": match.to_dict()}
        clean.append(r)
    # A journey contains its right trace word for word: it is deduplicated among journeys only.
    kept = []
    for group in ([r for r in clean if "journey" not in r], [r for r in clean if "journey" in r]):
        survivors_of_group, dup_counts = deduplicate(
            group, lambda r: prompt_text(r) + "\n" + r["completion"], near_threshold
        )
        kept += survivors_of_group
        for name, count in dup_counts.items():
            if count:
                dropped[name] = dropped.get(name, 0) + count
    report = {
        "input": len(records),
        "kept": len(kept),
        "dropped": dropped,
        "contamination": {
            "removed": sum(f["verdict"] == "removed" for f in flagged),
            "flagged": sum(f["verdict"] == "flagged" for f in flagged),
            "items": flagged,
        },
    }
    return kept, report


def write_jsonl_atomic(records: Sequence[dict], path: str | Path) -> Path:
    """Write a derived JSONL file whole: temp file, fsync, rename (a reader never sees half of it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def dataset_row(record: dict) -> dict:
    """The columns of an SFT record that every record has with the same type (an Arrow schema needs that):
    messages, ids, the verdict's `correct`, token counts, teacher id, and the journey source if any."""
    tokens = record.get("tokens", {})
    return {
        "messages": [{"role": m["role"], "content": m["content"]} for m in record["messages"]],
        "key": record["key"],
        "problem_id": record.get("problem_id"),
        "task": record.get("task"),
        "correct": record.get("verdict", {}).get("correct"),
        "prompt_tokens": tokens.get("prompt"),
        "completion_tokens": tokens.get("completion"),
        "teacher": record.get("teacher", {}).get("id"),
        "journey": (record.get("journey") or {}).get("reflection"),
    }


def to_dataset(path: str | Path) -> Any:
    """An SFT JSONL file as a `datasets.Dataset` with the columns of `dataset_row` (TRL's SFTTrainer
    reads its `messages` column as is); the JSONL keeps every field."""
    import datasets

    rows = [dataset_row(record) for record in read_jsonl(path)]
    return datasets.Dataset.from_list(rows)
