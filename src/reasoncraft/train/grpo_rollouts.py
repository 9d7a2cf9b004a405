"""Turning a step's problems into scored rollout groups: the endless problem stream and the weighted
reward of each completion. Part of the GRPO trainer (`grpo.py`)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch


# --- scoring ----------------------------------------------------------------------------------------


class RewardFailureRateExceeded(RuntimeError):
    """More reward calls failed than the config allows (`max_reward_failure_rate`)."""


def score_completions(
    reward_fns: Sequence[Callable], weights: Sequence[float], names: Sequence[str], texts: list[str], fields: dict[str, list]
) -> tuple[torch.Tensor, torch.Tensor, dict[str, float], int]:
    """Weighted reward of each completion under the reward contract.

    Returns total rewards (N,), a (N,) bool mask of completions whose every reward was computed,
    the mean of each reward over the completions it applies to, and the number of failures.
    `None` (not applicable) contributes 0 to the total; a `RewardFailure` invalidates the completion.
    """
    from ..rewards.base import is_failure

    total = torch.zeros(len(texts))  # (N,)
    valid = torch.ones(len(texts), dtype=torch.bool)  # (N,)
    means: dict[str, float] = {}
    failures = 0
    for fn, weight, name in zip(reward_fns, weights, names):
        values = fn(texts, **fields)
        if len(values) != len(texts):
            raise ValueError(f"reward {name!r} returned {len(values)} values for {len(texts)} completions")
        scored = []
        for i, v in enumerate(values):
            if is_failure(v):
                failures += 1
                valid[i] = False
            elif v is not None:
                total[i] += weight * float(v)
                scored.append(float(v))
        means[f"reward/{name}"] = sum(scored) / len(scored) if scored else float("nan")
    return total, valid, means, failures


# --- data -------------------------------------------------------------------------------------------


class ProblemStream:
    """An endless, seeded, resumable stream of training problems: a fresh permutation each epoch."""

    def __init__(self, problems: Sequence[Any], seed: int, epoch: int = 0, index: int = 0):
        if not problems:
            raise ValueError("the training split holds no problems")
        self.problems, self.seed, self.epoch, self.index = list(problems), seed, epoch, index
        self._order = self._permutation()

    def _permutation(self) -> list[int]:
        generator = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        return torch.randperm(len(self.problems), generator=generator).tolist()

    def take(self, n: int) -> list[Any]:
        out = []
        for _ in range(n):
            if self.index == len(self.problems):
                self.epoch, self.index = self.epoch + 1, 0
                self._order = self._permutation()
            out.append(self.problems[self._order[self.index]])
            self.index += 1
        return out

    def state(self) -> dict:
        return {"epoch": self.epoch, "index": self.index}
