"""Reward models trained by `reasoncraft train prm`: their input format and the adapters that read them.

A trained PRM is a causal LM with a two-way token-classification head (`AutoModelForTokenClassification`,
the shape of Qwen2.5-Math-PRM's head). It reads the question and the steps, each followed by the step
delimiter, and P(step good) = softmax(logits)[1] is read at the last token of the delimiter after each step:

    question <sep> step 1 <sep> step 2 <sep> ...        scores at the ^ of each <sep> after a step

The token ids are built piece by piece (`encode_steps`), never by tokenizing the joined text, so a delimiter
cannot merge with the text around it and the positions the trainer put its loss on are exactly the ones
the scorer reads, for any tokenizer and any delimiter. An outcome reward model (ORM) is the one-step case:
the whole solution is one step, scored at its one delimiter.

The folder records how it must be read in its config.json under `reasoncraft_prm` (objective, delimiter,
label kind, base model), so `scorers.load_scorer(folder)` and `reasoncraft scale --scorer FOLDER` need no
other flag: `trained_settings` reads that block and `registry.load_scorer` picks `TrainedPRM` or `TrainedORM`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import check_lengths
from .hf import _HFScorer, _one_per_step

CONFIG_KEY = "reasoncraft_prm"
OBJECTIVES = ("prm", "orm")


def encode_steps(tokenizer: Any, question: str, steps: Sequence[str], separator: str) -> tuple[list[int], list[int]]:
    """Token ids of "question <sep> step_1 <sep> ... step_n <sep>" and the position of the last token of each
    delimiter after a step (one position per step): where the head is trained and read."""
    sep = tokenizer.encode(separator, add_special_tokens=False)
    if not sep:
        raise ValueError(f"the step delimiter {separator!r} encodes to no tokens with this tokenizer")
    ids = tokenizer.encode(question.strip(), add_special_tokens=False) + sep
    marks = []
    for step in steps:
        ids = ids + tokenizer.encode(step.strip(), add_special_tokens=False) + sep
        marks.append(len(ids) - 1)
    return ids, marks


def trained_settings(name_or_path: str | Path) -> dict | None:
    """The `reasoncraft_prm` block of a folder's config.json, or None when it is not a folder trained here."""
    config = Path(str(name_or_path)).expanduser() / "config.json"
    if not config.is_file():
        return None
    settings = json.loads(config.read_text()).get(CONFIG_KEY)
    if settings is None:
        return None
    if settings.get("objective") not in OBJECTIVES or not settings.get("separator"):
        raise ValueError(
            f"{config}: the {CONFIG_KEY} block needs objective (one of {', '.join(OBJECTIVES)}) and separator; "
            f"got {settings}"
        )
    return settings


class _TrainedScorer(_HFScorer):
    def __init__(self, model: Any, tokenizer: Any, separator: str = "\n\n", batch_size: int = 8):
        super().__init__(model, tokenizer, batch_size)
        self.separator = separator

    def _step_scores(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        check_lengths(questions, solutions)
        encoded = [encode_steps(self.tokenizer, q, s, self.separator) for q, s in zip(questions, solutions)]
        out: list[list[float]] = []
        for _, batch in self._batches(encoded):
            logits, _ = self._forward([ids for ids, _ in batch])  # (B, T, 2)
            if logits.dim() != 3 or logits.shape[-1] != 2:
                raise ValueError(f"a trained PRM has a 2-way token head; this model's logits are {tuple(logits.shape)}")
            good = logits.softmax(dim=-1)[:, :, 1]  # (B, T) P(step good)
            for row, (_, marks) in enumerate(batch):
                out.append(_one_per_step(good[row, marks].tolist(), len(marks), "delimiter"))
        return out


class TrainedPRM(_TrainedScorer):
    """A PRM trained by `reasoncraft train prm`: P(step good) at the delimiter after each step."""

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        return self._step_scores(questions, solutions)


class TrainedORM(_TrainedScorer):
    """An ORM trained by `reasoncraft train prm` (objective orm): P(solution correct), the solution one step."""

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        return [scores[0] for scores in self._step_scores(questions, [[s] for s in solutions])]


TRAINED_ADAPTERS: dict[str, type] = {"prm": TrainedPRM, "orm": TrainedORM}
