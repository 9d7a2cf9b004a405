"""Multiple-choice tasks: a generic format (question, choices, gold letter) and GPQA-Diamond.

``get_task("multiple-choice", data_path="questions.jsonl")`` reads a .jsonl, .json or .csv file whose
rows hold

- ``question``: the question text;
- the choices, either as ``choices`` (a list; in a CSV cell, a JSON list) or as columns ``A``, ``B``,
  ``C``, ... (consecutive letters from A; empty cells end the list);
- ``answer``: the gold letter (``B``; ``(B)`` and ``b`` are accepted);
- optionally ``id`` (default ``<name>-<row>``).

Rows in GPQA's own form (``Question``, ``Correct Answer``, ``Incorrect Answer 1..3``, ``Record ID``)
are read too, in any file of this task. GPQA lists the correct answer first, so its choices are
always shuffled; ``shuffle=True`` shuffles the generic rows as well. The order of each question's
choices is drawn from a generator seeded by ``seed`` and the question's id, so it is the same on
every machine, does not depend on the row order, and changes only with ``seed``.

``gpqa-diamond`` is GPQA's Diamond subset (198 questions; Rein et al. 2023), the multiple-choice
benchmark of the DeepSeek-R1 report. It is gated on the hub (Idavidrein/gpqa, config gpqa_diamond,
split train; accept its terms and log in), so a local copy is the usual source: ``data_path=`` the
CSV as distributed (``gpqa_diamond.csv``) or a JSONL of its rows, or a folder holding either, or the
folder named by ``REASONCRAFT_DATA``. Without one, the hub is tried through `datasets`.

Scoring: ``choice_accuracy`` (`rewards/choice.py`) reads the chosen letter (``Answer: B``, ``(B)``,
``B.``, ``\\boxed{B}``, or the choice's own text) and compares it with the gold letter. The prompt is
``multiple-choice`` (the choices as ``A) ...`` lines, the answer as ``Answer: LETTER`` on the last line).
Only a ``test`` split exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path
from typing import Any

from ..rewards.choice import choice_letters, extract_choice
from .base import Problem, Task, load_hub_rows
from .custom import read_table
from .registry import register_task

__all__ = ["MultipleChoiceTask", "GPQADiamond", "row_to_problem", "shuffle_choices"]

GPQA_HUB = ("Idavidrein/gpqa", "gpqa_diamond", "train")
GPQA_FILES = ("gpqa_diamond.csv", "gpqa_diamond.jsonl")
_GPQA_WRONG = ("Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")


def shuffle_choices(choices: list[str], gold: int, seed: int, key: str) -> tuple[list[str], int]:
    """`choices` in an order drawn from (seed, key), and the gold choice's new index.

    >>> options = ["right", "w1", "w2", "w3"]
    >>> shuffle_choices(options, 0, seed=0, key="q1") == shuffle_choices(options, 0, seed=0, key="q1")
    True
    >>> sorted(shuffle_choices(["right", "w1", "w2", "w3"], 0, seed=0, key="q1")[0])
    ['right', 'w1', 'w2', 'w3']
    """
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    order = list(range(len(choices)))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return [choices[i] for i in order], order.index(gold)


def _choices_of(row: dict, where: str) -> list[str]:
    if "choices" in row and row["choices"] not in (None, ""):
        choices = row["choices"]
        if isinstance(choices, str):  # a CSV cell
            try:
                choices = json.loads(choices)
            except json.JSONDecodeError:
                raise ValueError(
                    f"{where}: 'choices' must be a list (in a CSV cell, a JSON list such as "
                    '["3 kg", "12 kg"]); or give the choices as columns A, B, C, ...'
                ) from None
        if not isinstance(choices, list):
            raise ValueError(f"{where}: 'choices' must be a list of the answer options")
        return [str(c) for c in choices]
    letters = []
    for letter in choice_letters(26):
        value = row.get(letter)
        if value in (None, ""):
            break
        letters.append(str(value))
    return letters


def _gold_index(answer: Any, n: int, where: str) -> int:
    letter = str(answer).strip().strip("()").strip().upper()
    letters = choice_letters(n)
    if len(letter) != 1 or letter not in letters:
        raise ValueError(
            f"{where}: the answer must be the gold choice's letter, one of {', '.join(letters)}: got {answer!r}"
        )
    return letters.index(letter)


def row_to_problem(row: dict, index: int, name: str, seed: int = 0, shuffle: bool = False) -> Problem:
    """One row (the generic form or GPQA's) as a `Problem` whose answer is the gold letter and whose
    `fields["choices"]` are the options in the order shown to the model.

    >>> p = row_to_problem({"question": "2+2?", "choices": ["3", "4"], "answer": "B"}, 0, "toy")
    >>> p.id, p.answer, p.fields["choices"]
    ('toy-0', 'B', ['3', '4'])
    """
    where = f"{name} row {index + 1}"
    if "Correct Answer" in row:  # GPQA's raw form: the correct answer first, always shuffled
        question, choices, gold = row.get("Question"), [str(row["Correct Answer"]).strip()], 0
        choices += [str(row.get(k, "")).strip() for k in _GPQA_WRONG]
        problem_id = str(row.get("Record ID") or f"{name}-{index}")
        shuffle = True
    else:
        question, choices = row.get("question"), _choices_of(row, where)
        if "answer" not in row:
            raise ValueError(f"{where} needs an 'answer' column (the gold letter); it has {', '.join(sorted(row))}")
        problem_id = str(row.get("id") or f"{name}-{index}")
        gold = _gold_index(row["answer"], max(len(choices), 2), where)
    if question in (None, "") or not str(question).strip():
        raise ValueError(f"{where} has no question ('question' column, or GPQA's 'Question')")
    if len(choices) < 2 or any(c == "" for c in choices):
        raise ValueError(f"{where} needs at least two non-empty choices ('choices' list or columns A, B, ...)")
    if gold >= len(choices):
        raise ValueError(f"{where}: the answer letter names no choice (there are {len(choices)})")
    if shuffle:
        choices, gold = shuffle_choices(choices, gold, seed, problem_id)
    fields: dict = {"choices": choices}
    if row.get("High-level domain"):
        fields["domain"] = str(row["High-level domain"])
    return Problem(problem_id, str(question).strip(), choice_letters(len(choices))[gold], fields)


def format_options(choices: list[str]) -> str:
    """The choices as the prompt shows them.

    >>> print(format_options(["3 kg", "12 kg"]))
    A) 3 kg
    B) 12 kg
    """
    return "\n".join(f"{letter}) {choice}" for letter, choice in zip(choice_letters(len(choices)), choices))


class MultipleChoiceTask(Task):
    """A multiple-choice task from a local file; see the module docstring."""

    default_template = "multiple-choice"
    primary_reward = "choice_accuracy"
    splits = ("test",)

    def __init__(
        self,
        name: str = "multiple-choice",
        data_path: str | None = None,
        template: str | None = None,
        reward: str | None = None,
        seed: int = 0,
        shuffle: bool = False,
    ):
        super().__init__(template, reward)
        self.name, self.data_path, self.seed, self.shuffle = name, data_path, int(seed), bool(shuffle)
        self._cache: list[Problem] | None = None
        if data_path is None and type(self) is MultipleChoiceTask:
            raise ValueError(
                "the multiple-choice task needs data_path= a .jsonl, .json or .csv file of questions "
                "(question, choices or columns A, B, ..., answer letter); on the command line "
                "--task-option data_path=FILE"
            )

    def _rows(self) -> tuple[list[dict], str]:
        path = Path(self.data_path).expanduser()
        return read_table(path), str(path)

    def _split(self, split: str) -> list[Problem]:
        if self._cache is None:
            rows, where = self._rows()
            problems = [row_to_problem(row, i, self.name, self.seed, self.shuffle) for i, row in enumerate(rows)]
            if not problems:
                raise ValueError(f"{self.name}: {where} holds no questions")
            ids = [p.id for p in problems]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{self.name}: question ids repeat in {where}; ids must be unique")
            self._cache = problems
        return list(self._cache)

    def template_fields(self, problem: Problem) -> dict:
        choices = problem.fields["choices"]
        return {
            **super().template_fields(problem),
            "options": format_options(choices),
            "letters": choice_letters(len(choices)),
        }

    def reward_fields(self, problem: Problem) -> dict:
        return {"answer": problem.answer, "choices": problem.fields["choices"]}

    def extract(self, completion: str) -> str | None:
        return extract_choice(completion)

    def extract_for(self, completion: str, fields: dict) -> str | None:
        """The letter chosen, also when the completion writes the choice's text (`Answer: 12 kg`)."""
        return extract_choice(completion, fields.get("choices"))


class GPQADiamond(MultipleChoiceTask):
    """GPQA-Diamond: a local copy (data_path, REASONCRAFT_DATA) or the gated hub dataset."""

    def __init__(
        self,
        name: str = "gpqa-diamond",
        data_path: str | None = None,
        template: str | None = None,
        reward: str | None = None,
        seed: int = 0,
    ):
        super().__init__(name, data_path, template, reward, seed, shuffle=True)

    def _local_file(self) -> Path | None:
        folders = []
        if self.data_path is not None:
            path = Path(self.data_path).expanduser()
            if path.is_file():
                return path
            if not path.is_dir():
                raise FileNotFoundError(f"data_path {self.data_path!r} for {self.name} is neither a file nor a folder")
            folders.append(path)
        if os.environ.get("REASONCRAFT_DATA"):
            folders.append(Path(os.environ["REASONCRAFT_DATA"]).expanduser())
        for folder in folders:
            for file_name in GPQA_FILES:
                if (folder / file_name).is_file():
                    return folder / file_name
        if self.data_path is not None:
            raise FileNotFoundError(f"{self.name}: no {' or '.join(GPQA_FILES)} in the folder {self.data_path!r}")
        return None

    def _rows(self) -> tuple[list[dict], str]:
        local = self._local_file()
        if local is not None:
            return read_table(local), str(local)
        how = (
            f"the dataset is gated: accept its terms on the hub and log in, or pass data_path= a local copy "
            f"({' or '.join(GPQA_FILES)}, with GPQA's columns), or set REASONCRAFT_DATA to a folder holding one"
        )
        hub_id, config, split = GPQA_HUB
        return load_hub_rows(hub_id, config, split, how), f"{hub_id} ({config})"


@register_task("multiple-choice")
def make_multiple_choice(spec: str, **options: Any) -> MultipleChoiceTask:
    """`get_task("multiple-choice", data_path=...)`."""
    return MultipleChoiceTask(spec, **options)


@register_task("gpqa-diamond")
def make_gpqa_diamond(spec: str, **options: Any) -> GPQADiamond:
    """`get_task("gpqa-diamond")`, with `data_path=` a local copy."""
    return GPQADiamond(spec, **options)
