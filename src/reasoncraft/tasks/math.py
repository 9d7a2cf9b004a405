"""The math benchmarks: MATH-500, GSM8K (test), AIME 2024, AIME 2025, AMC 2023.

Where the problems come from, in this order:

1. ``data_path=`` (the CLI's ``--data-path``): a JSON Lines file, or a folder holding the standard
   file names below (``math500.jsonl``, ``gsm8k_test.jsonl``, ...);
2. the folder named by the environment variable ``REASONCRAFT_DATA``, when set;
3. the Hugging Face hub names users know, through `datasets` (imported only then):
   HuggingFaceH4/MATH-500 (test), openai/gsm8k (main: test; train for dev/train),
   HuggingFaceH4/aime_2024 (train), math-ai/aime25 (test), math-ai/amc23 (test).

A row needs the question (``problem`` or ``question``) and the gold ``answer``; ``id``/``unique_id``,
``solution``, ``level``, ``subject`` and ``url`` are kept when present. Answers are normalised the way
each benchmark defines them: GSM8K's rationale ``... #### 1,250`` gives ``1250``; the integer
answers of AIME and AMC lose leading zeros and a ``.0`` (``025`` and ``27.0`` give ``25`` and ``27``).

Splits: ``test`` is the benchmark. These are test-only benchmarks, so they have no ``dev`` split
(asking for one is an error that says so), except GSM8K, whose ``dev`` is the first 200 problems of
its train split and whose ``train`` is the rest (``gsm8k_train.jsonl``, or the 2,000-row
``gsm8k_train_sample.jsonl``, in a data folder; openai/gsm8k train on the hub).

Scoring: ``accuracy`` (the final ``<answer>``, ``\\boxed{}`` or "Answer:", checked by `math_equal`);
GSM8K uses ``gsm8k_accuracy``, which falls back to the last number in the text as GSM8K's own scorer
does. The default prompt is ``math-boxed``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .base import Problem, Task, load_hub_rows, read_jsonl
from .registry import register_task


@dataclass(frozen=True)
class Benchmark:
    """Where one benchmark lives locally and on the hub."""

    files: dict[str, tuple[str, ...]]  # split -> candidate file names in a data folder, first found wins
    hub: dict[str, tuple[str, str | None, str]]  # split -> (hub id, config, hub split)
    integer_answers: bool = False
    reward: str = "accuracy"
    dev_size: int = 0  # problems taken from the front of the train source for "dev"


BENCHMARKS: dict[str, Benchmark] = {
    "math500": Benchmark({"test": ("math500.jsonl",)}, {"test": ("HuggingFaceH4/MATH-500", None, "test")}),
    "gsm8k": Benchmark(
        {"test": ("gsm8k_test.jsonl",), "train": ("gsm8k_train.jsonl", "gsm8k_train_sample.jsonl")},
        {"test": ("openai/gsm8k", "main", "test"), "train": ("openai/gsm8k", "main", "train")},
        reward="gsm8k_accuracy",
        dev_size=200,
    ),
    "aime24": Benchmark({"test": ("aime24.jsonl",)}, {"test": ("HuggingFaceH4/aime_2024", None, "train")}, True),
    "aime25": Benchmark({"test": ("aime25.jsonl",)}, {"test": ("math-ai/aime25", None, "test")}, True),
    "amc23": Benchmark({"test": ("amc23.jsonl",)}, {"test": ("math-ai/amc23", None, "test")}, True),
}

_KEPT_FIELDS = ("solution", "level", "subject", "url", "source")


def normalise_answer(answer, integer: bool) -> str:
    """The gold answer as a string; integer benchmarks drop leading zeros and a ``.0``.

    >>> normalise_answer("025", True), normalise_answer(27.0, True), normalise_answer("\\\\frac{1}{2}", False)
    ('25', '27', '\\\\frac{1}{2}')
    """
    text = str(answer).strip()
    if integer and re.fullmatch(r"-?\d+(?:\.0+)?", text):
        return str(int(float(text)) if "." in text else int(text))
    return text


def row_to_problem(row: dict, index: int, name: str, integer_answers: bool = False) -> Problem:
    """One benchmark row (the shared JSONL schema or a hub row) as a `Problem`.

    >>> row_to_problem({"question": "2+2?", "answer": "2 + 2 = <<2+2=4>>4\\n#### 4"}, 7, "gsm8k_test")
    Problem(id='gsm8k_test_0007', question='2+2?', answer='4', fields={'solution': '2 + 2 = <<2+2=4>>4'})
    """
    question = row.get("problem", row.get("question"))
    if question is None or "answer" not in row:
        raise ValueError(
            f"{name} row {index} needs a 'problem' (or 'question') and an 'answer' column; it has "
            f"{', '.join(sorted(row))}. For other column names use a custom task (tasks.custom)"
        )
    answer, fields = row["answer"], {k: row[k] for k in _KEPT_FIELDS if row.get(k) not in (None, "")}
    if isinstance(answer, str) and "####" in answer:  # GSM8K's rationale form
        rationale, answer = answer.rsplit("####", 1)
        fields.setdefault("solution", rationale.strip())
        answer = answer.strip().replace(",", "")
    problem_id = row.get("id", row.get("unique_id"))
    problem_id = f"{name}_{index:04d}" if problem_id in (None, "") else str(problem_id)
    return Problem(problem_id, str(question), normalise_answer(answer, integer_answers), fields)


def _local_file(name: str, split: str, data_path: str | None) -> Path | None:
    folders = []
    if data_path is not None:
        path = Path(data_path).expanduser()
        if path.is_file():
            if split == "test":
                return path
            folders.append(path.parent)  # a train file may sit beside the test file
        elif path.is_dir():
            folders.append(path)
        else:
            raise FileNotFoundError(f"--data-path {data_path!r} for {name} is neither a file nor a folder")
    if os.environ.get("REASONCRAFT_DATA"):
        folders.append(Path(os.environ["REASONCRAFT_DATA"]).expanduser())
    for folder in folders:
        for file_name in BENCHMARKS[name].files.get(split, ()):
            if (folder / file_name).is_file():
                return folder / file_name
    return None


def _hub_rows(name: str, split: str) -> list[dict]:
    hub_id, config, hub_split = BENCHMARKS[name].hub[split]
    how = (
        f"pass --data-path (data_path=) a JSON Lines copy of {hub_id} with 'problem' and 'answer' columns, or a "
        f"folder holding {' or '.join(BENCHMARKS[name].files[split])}, or set REASONCRAFT_DATA to such a folder"
    )
    try:
        return load_hub_rows(hub_id, config, hub_split, how)
    except RuntimeError as e:
        raise RuntimeError(f"{name}: no local copy found and {e}") from None


class MathBenchmark(Task):
    """A fixed math benchmark; see the module docstring for sources, splits and scoring."""

    default_template = "math-boxed"

    def __init__(self, name: str, data_path: str | None = None, template: str | None = None, reward: str | None = None):
        if name not in BENCHMARKS:
            raise KeyError(f"unknown math benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
        self.name, self.data_path, self.benchmark = name, data_path, BENCHMARKS[name]
        self.primary_reward = self.benchmark.reward
        super().__init__(template, reward)
        self.splits = ("train", "dev", "test") if "train" in self.benchmark.files else ("test",)
        self._cache: dict[str, list[Problem]] = {}

    def _source(self, split: str) -> list[Problem]:
        if split not in self._cache:
            local = _local_file(self.name, split, self.data_path)
            rows = read_jsonl(str(local)) if local is not None else _hub_rows(self.name, split)
            prefix = f"{self.name}_{split}"  # ids of rows without one: gsm8k_test_0000, as in the shared copies
            self._cache[split] = [
                row_to_problem(row, i, prefix, self.benchmark.integer_answers) for i, row in enumerate(rows)
            ]
            if not self._cache[split]:
                raise ValueError(f"{self.name}: the {split} source {local or 'on the hub'} holds no problems")
            ids = [p.id for p in self._cache[split]]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{self.name}: problem ids repeat in {local or 'the hub copy'}; ids must be unique")
        return self._cache[split]

    def _split(self, split: str) -> list[Problem]:
        if split == "test":
            return list(self._source("test"))
        train = self._source("train")
        dev_size = self.benchmark.dev_size
        return list(train[:dev_size] if split == "dev" else train[dev_size:])

    def problems(self, split: str = "test", limit: int | None = None) -> list[Problem]:
        if split == "dev" and "dev" not in self.splits:
            raise ValueError(
                f"{self.name} is a test-only benchmark: it has no dev split. Evaluate on split='test', and tune "
                "on a task with a dev split (gsm8k, the arith-* and countdown tasks) so the test set stays unseen"
            )
        return super().problems(split, limit)


for _name in BENCHMARKS:
    register_task(_name)(MathBenchmark)
