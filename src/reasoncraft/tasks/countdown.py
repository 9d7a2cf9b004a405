"""Countdown: combine the given numbers, each exactly once, with + - * / and parentheses to hit a target.

Specs:

- ``countdown``: 3 or 4 numbers in 1..99, targets in 1..100, the strict default reward
  (``rewards.countdown.countdown_reward``) and the ``countdown`` chat template;
- ``countdown-N`` (e.g. ``countdown-3``, ``countdown-5``): exactly N numbers;
- ``countdown-tinyzero`` / ``countdown-tinyzero-N``: the TinyZero preset, the same problems with
  TinyZero's prompt (``tinyzero-countdown``) and its exact scorer (``countdown_tinyzero``: 0 / 0.1 / 1).

Options: ``seed`` (0), ``test_size`` (500), ``dev_size`` (200), ``train_size`` (10000),
``min_count``/``max_count`` (or ``count`` for both), ``min_number``/``max_number``,
``min_target``/``max_target``, ``template``; or ``data_path`` to read problems from a data set
instead, such as TinyZero's own (``hf:Jiayi-Pan/Countdown-Tasks-3to4`` or a local export), split as
TinyZero split it (see `_CountdownData`).

Every problem is solvable: the generator draws the numbers, then combines them at random into one
expression whose every intermediate result is a positive integer (a + b, a - b with a > b, a * b, a / b
when b divides a), and keeps it when the result lands in the target range. That expression is the
problem's `answer` (one solution; any other that hits the target scores the same). A problem
belongs to one split by a hash of its sorted numbers and target, so splits are disjoint.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ..rewards.countdown import TINYZERO_REPLY_START, tinyzero_extract
from ..rewards.extract import answer_tag
from .base import GeneratedTask, Problem, Task, load_hub_rows, read_jsonl
from .registry import register_task


@dataclass(frozen=True)
class CountdownSpec:
    """Difficulty: how many numbers, their range and the target range (all inclusive)."""

    min_count: int = 3
    max_count: int = 4
    min_number: int = 1
    max_number: int = 99
    min_target: int = 1
    max_target: int = 100

    def __post_init__(self) -> None:
        if not 2 <= self.min_count <= self.max_count <= 8:
            raise ValueError(f"need 2 <= min_count <= max_count <= 8: got {self.min_count} and {self.max_count}")
        if not 1 <= self.min_number <= self.max_number:
            raise ValueError(f"need 1 <= min_number <= max_number: got {self.min_number} and {self.max_number}")
        if not 1 <= self.min_target <= self.max_target:
            raise ValueError(f"need 1 <= min_target <= max_target: got {self.min_target} and {self.max_target}")

    def solve_at_random(self, rng: random.Random, numbers: list[int]) -> tuple[str, int]:
        """Combine all `numbers` in a random order and shape; every step stays a positive integer."""
        items = [(str(n), n) for n in numbers]
        while len(items) > 1:
            i, j = rng.sample(range(len(items)), 2)
            (ta, a), (tb, b) = items[i], items[j]
            choices = [(f"{ta} + {tb}", a + b), (f"{ta} * {tb}", a * b)]
            if a > b:
                choices.append((f"{ta} - {tb}", a - b))
            if b > 1 and a % b == 0:
                choices.append((f"{ta} / {tb}", a // b))
            # Keep the running value within reach of the target range (the rest can only add at most
            # max_number each); when no step does, any step (the draw is then rejected).
            bound = self.max_target + self.max_number * (len(items) - 2)
            text, value = rng.choice([c for c in choices if c[1] <= bound] or choices)
            items = [item for k, item in enumerate(items) if k not in (i, j)] + [(f"({text})", value)]
        text, value = items[0]
        return (text[1:-1] if text.startswith("(") and text.endswith(")") else text), value

    def draw(self, rng: random.Random) -> tuple[str, Problem]:
        for _ in range(10_000):
            count = rng.randint(self.min_count, self.max_count)
            numbers = [rng.randint(self.min_number, self.max_number) for _ in range(count)]
            solution, target = self.solve_at_random(rng, numbers)
            if self.min_target <= target <= self.max_target:
                key = f"{sorted(numbers)}->{target}"
                question = f"Using the numbers {numbers}, create an equation that equals {target}."
                return key, Problem("", question, solution, {"numbers": numbers, "target": target})
        raise ValueError(
            f"no target in {self.min_target}..{self.max_target} came out of {self.min_count}-{self.max_count} "
            f"numbers in {self.min_number}..{self.max_number} in 10,000 tries; widen the target range"
        )


class CountdownTask(GeneratedTask):
    """Countdown with the strict default reward."""

    default_template = "countdown"
    primary_reward = "countdown"

    def reward_fields(self, problem: Problem) -> dict:
        return {"numbers": list(problem.fields["numbers"]), "target": problem.fields["target"]}

    def extract(self, completion: str) -> str | None:
        return answer_tag(completion)


class TinyZeroCountdownTask(CountdownTask):
    """Countdown as TinyZero prompts and scores it (0 / 0.1 / 1)."""

    default_template = "tinyzero-countdown"
    primary_reward = "countdown_tinyzero"

    def extract(self, completion: str) -> str | None:
        return tinyzero_extract(TINYZERO_REPLY_START + completion)


# TinyZero's data layout (examples/data_preprocess/countdown.py): from Jiayi-Pan/Countdown-Tasks-3to4's
# train split, rows [0, 327680) train and the next 1024 test. Dev is the next 200, which TinyZero never used.
TINYZERO_TRAIN_SIZE, TINYZERO_TEST_SIZE, DATA_DEV_SIZE = 327_680, 1_024, 200
TINYZERO_HUB_ID = "Jiayi-Pan/Countdown-Tasks-3to4"


def _countdown_rows(data_path: str) -> list[dict]:
    if data_path.startswith("hf:"):
        how = "export it to JSONL (fields nums or numbers, and target) and pass that file as data_path (--data-path)"
        return load_hub_rows(data_path[3:], None, "train", how)
    if data_path.endswith(".parquet"):
        import datasets

        return [dict(r) for r in datasets.load_dataset("parquet", data_files=data_path, split="train")]
    return read_jsonl(data_path)


class _CountdownData:
    """Countdown problems from a data set instead of the generator (`data_path=`): a JSONL or
    parquet file with ``nums`` (or ``numbers``) and ``target``, or ``hf:Jiayi-Pan/Countdown-Tasks-3to4``.
    A file of at least 328,904 rows is split as TinyZero split it (train: the first 327,680 rows,
    test: the next 1,024, dev: the 200 after those); a smaller file is a test split only. These
    rows carry no reference solution, so `Problem.answer` is empty (no reward reads it)."""

    def __init__(self, name: str, data_path: str, template: str | None = None):
        Task.__init__(self, template)
        self.name, self.data_path = name, data_path
        self._rows = [self._problem(row, i) for i, row in enumerate(_countdown_rows(data_path))]
        tinyzero = len(self._rows) >= TINYZERO_TRAIN_SIZE + TINYZERO_TEST_SIZE + DATA_DEV_SIZE
        self.splits = ("train", "dev", "test") if tinyzero else ("test",)

    def _problem(self, row: dict, index: int) -> Problem:
        numbers = row.get("nums", row.get("numbers"))
        if numbers is None or "target" not in row:
            raise ValueError(
                f"{self.data_path} row {index + 1} needs nums (or numbers) and target; it has {', '.join(row)}"
            )
        numbers, target = [int(n) for n in numbers], int(row["target"])
        question = f"Using the numbers {numbers}, create an equation that equals {target}."
        return Problem(f"{self.name}-{index}", question, "", {"numbers": numbers, "target": target})

    def _split(self, split: str) -> list[Problem]:
        if self.splits == ("test",):
            return list(self._rows)
        test_end = TINYZERO_TRAIN_SIZE + TINYZERO_TEST_SIZE
        bounds = {
            "train": (0, TINYZERO_TRAIN_SIZE),
            "test": (TINYZERO_TRAIN_SIZE, test_end),
            "dev": (test_end, test_end + DATA_DEV_SIZE),
        }
        start, end = bounds[split]
        return self._rows[start:end]


class CountdownDataTask(_CountdownData, CountdownTask):
    """Countdown from a data set, strict reward."""


class TinyZeroCountdownDataTask(_CountdownData, TinyZeroCountdownTask):
    """Countdown from a data set (TinyZero's own, typically), TinyZero's prompt and reward."""


_SPEC = re.compile(r"^countdown(-tinyzero)?(?:-(\d+))?$")


@register_task(
    "countdown", prefix=True, examples=["countdown", "countdown-3", "countdown-tinyzero", "countdown-tinyzero-4"]
)
def make_countdown(
    spec: str,
    count: int | None = None,
    min_count: int | None = None,
    max_count: int | None = None,
    min_number: int = 1,
    max_number: int = 99,
    min_target: int = 1,
    max_target: int = 100,
    data_path: str | None = None,
    **options,
) -> CountdownTask:
    """Build a Countdown task from ``countdown[-tinyzero][-N]`` and difficulty options."""
    m = _SPEC.match(spec)
    if m is None:
        raise ValueError(
            f"unknown Countdown spec {spec!r}: use countdown, countdown-N, countdown-tinyzero or countdown-tinyzero-N"
        )
    fixed = int(m.group(2)) if m.group(2) else count
    if fixed is not None and (min_count is not None or max_count is not None):
        raise ValueError("give either count (or the -N suffix) or min_count/max_count, not both")
    low = fixed if fixed is not None else (min_count if min_count is not None else 3)
    high = fixed if fixed is not None else (max_count if max_count is not None else 4)
    difficulty = CountdownSpec(low, high, min_number, max_number, min_target, max_target)
    if data_path is not None:
        extra = set(options) - {"template"}
        if extra:
            raise ValueError(f"with data_path the problems come from the file; drop {', '.join(sorted(extra))}")
        cls = TinyZeroCountdownDataTask if m.group(1) else CountdownDataTask
        return cls(spec, data_path, **options)
    cls = TinyZeroCountdownTask if m.group(1) else CountdownTask
    return cls(spec, difficulty, split_namespace="countdown", **options)
