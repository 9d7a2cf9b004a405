"""reasoning-gym's procedural generators as tasks: ``rg:<dataset>`` (e.g. ``rg:basic_arithmetic``).

reasoning-gym (PyPI ``reasoning-gym``, optional: ``pip install 'reasoncraft[gym]'``) ships about a
hundred seeded generators (arithmetic, algebra, logic, puzzles, games) each with its own answer
scorer. ``get_task("rg:chain_sum", min_digits=2, max_digits=2)`` passes every option that is not one
of ours (``seed``, ``test_size``, ``dev_size``, ``train_size``, ``template``) to the generator's config.

Splits follow the rule of the built-in generators: each split draws from reasoning-gym with its own
seed, and a problem belongs to the split its question hashes to (`tasks.base.split_of`), so
train, dev and test never share a question.

Scoring extracts the final answer with `reasoncraft.rewards.extract_answer` (``<answer>`` tags,
``\\boxed{}``, "Answer:") and hands it to the generator's own ``score_answer``: each generator knows
what equivalence means for its answers (a grid, a list, a move sequence). That score can be partial
(reasoning-gym gives, e.g., len(gold)/len(answer) when the gold answer is a substring), so
``Score.correct`` is True only at 1.0. The reward is bound to the task's generator (it needs its
config), so it is reached through `task.rewards()` rather than by name.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from typing import Any

from ..rewards.extract import extract_answer
from ..rewards.text import completion_text
from .base import Problem, Task, draw_split, split_seed
from .registry import register_task


def _import_reasoning_gym():
    try:
        import reasoning_gym
    except ImportError:
        raise ImportError(
            "rg:<dataset> tasks need reasoning-gym: pip install 'reasoncraft[gym]' (or pip install reasoning-gym)"
        ) from None
    return reasoning_gym


class ReasoningGymTask(Task):
    """One reasoning-gym generator as a task with seeded, disjoint train/dev/test splits."""

    default_template = "cot"
    splits = ("train", "dev", "test")
    primary_reward = "reasoning_gym"

    def __init__(
        self,
        spec: str,
        *,
        seed: int = 0,
        test_size: int = 500,
        dev_size: int = 200,
        train_size: int = 10000,
        template: str | None = None,
        **config: Any,
    ):
        super().__init__(template)
        rg = _import_reasoning_gym()
        self.name, self.dataset_name, self.seed, self.config = spec, spec[len("rg:") :], seed, config
        from reasoning_gym.factory import DATASETS

        if self.dataset_name not in DATASETS:
            raise KeyError(f"reasoning-gym has no dataset {self.dataset_name!r}; known: {', '.join(sorted(DATASETS))}")
        self.sizes = {"test": test_size, "dev": dev_size, "train": train_size}
        self._scorer = rg.create_dataset(self.dataset_name, seed=0, size=1, **config)  # validates the config now
        self._cache: dict[str, list[Problem]] = {}
        self._entries: dict[str, dict] = {}  # question -> reasoning-gym's own entry, for its scorer

    def _split(self, split: str) -> list[Problem]:
        if split not in self._cache:
            rg = _import_reasoning_gym()
            size = self.sizes[split]
            source = rg.create_dataset(
                self.dataset_name,
                seed=split_seed(self.seed, split) % 2**31,
                size=max(1, 20 * size + 2000),
                **self.config,
            )
            indices = itertools.count()

            def draw(_rng) -> tuple[str, Problem]:
                entry = source[next(indices) % len(source)]
                self._entries.setdefault(entry["question"], entry)
                metadata = json.loads(json.dumps(entry.get("metadata", {}), default=str))
                return entry["question"], Problem(
                    "", entry["question"], str(entry["answer"]), {"rg_metadata": metadata}
                )

            drawn = draw_split(self.name, split, size, draw, random.Random(0))
            prefix = self.name if self.seed == 0 else f"{self.name}-s{self.seed}"
            self._cache[split] = [
                Problem(f"{prefix}-{split}-{i}", p.question, p.answer, p.fields) for i, p in enumerate(drawn)
            ]
        return list(self._cache[split])

    def reward_fields(self, problem: Problem) -> dict:
        return {
            "answer": problem.answer,
            "question": problem.question,
            "rg_metadata": problem.fields.get("rg_metadata", {}),
        }

    def reasoning_gym_reward(
        self, completions: Sequence, answer: Sequence, question: Sequence, rg_metadata: Sequence, **fields
    ) -> list[float]:
        """The generator's `score_answer` on the extracted answer (0.0 when none is found)."""
        scores = []
        for completion, gold, q, metadata in zip(completions, answer, question, rg_metadata):
            extracted = extract_answer(completion_text(completion))
            # the generator's own entry when this task drew it; else rebuilt from the JSON fields
            entry = self._entries.get(q) or {"question": q, "answer": gold, "metadata": metadata}
            scores.append(0.0 if extracted is None else float(self._scorer.score_answer(extracted, entry)))
        return scores

    def rewards(self) -> dict:
        return {"reasoning_gym": self.reasoning_gym_reward}


@register_task("rg:", prefix=True, examples=["rg:<dataset>"])
def make_reasoning_gym(spec: str, **options: Any) -> ReasoningGymTask:
    return ReasoningGymTask(spec, **options)
