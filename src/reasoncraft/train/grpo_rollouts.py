"""Turning a step's problems into scored rollout groups: the endless problem stream, the reward set the
trainer scores with, and one step's sampling. Part of the GRPO trainer (`grpo.py`).

Rollouts are drawn and scored by `sampling.sample_and_score`, the path evaluation, scaling and the data
engine use, through the trainer's `RewardSet` (the config's rewards and reward models, their weights); a
`Rollout` holds the `ScoredSample` plus what the loss needs. The training reward of a completion is the
weighted sum of its rewards (a reward that does not apply adds 0), plus DAPO's overlong penalty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..backends.base import Completion, SamplingParams
from ..rewards.base import is_failure
from ..rewards.length import overlong_penalties
from ..samples import ScoredSample, decode_reward
from ..sampling import sample_and_score
from ..tasks.base import RewardSet
from . import grpo_loss as L
from .grpo_batch import Rollout
from .grpo_config import GRPOConfig

# --- scoring ----------------------------------------------------------------------------------------


class RewardFailureRateExceeded(RuntimeError):
    """More reward calls failed than the config allows (`max_reward_failure_rate`)."""


def training_reward_set(config: GRPOConfig, reward_fns: Sequence, task: Any) -> RewardSet:
    """The config's rewards (then its reward models) with their weights; the task's primary reward decides
    `correct` when it is among them, else the first."""
    names = config.reward_names
    correct = task.primary_reward if task.primary_reward in names else names[0]
    return RewardSet.of(names, reward_fns, config.weights, correct)


def training_rewards(
    samples: Sequence[ScoredSample], rewards: RewardSet
) -> tuple[torch.Tensor, torch.Tensor, dict[str, float], int]:
    """Weighted reward of each scored sample, from its breakdown.

    Returns total rewards (N,), a (N,) bool mask of samples whose every reward was computed, the mean of
    each reward over the samples it applies to, and the number of failures. `None` (not applicable)
    contributes 0 to the total; a `RewardFailure` invalidates the sample.
    """
    total = torch.zeros(len(samples))  # (N,)
    valid = torch.ones(len(samples), dtype=torch.bool)  # (N,)
    means: dict[str, float] = {}
    failures = 0
    for name, weight in zip(rewards.names, rewards.weights):
        scored = []
        for i, sample in enumerate(samples):
            v = decode_reward(sample.breakdown[name])
            if is_failure(v):
                failures += 1
                valid[i] = False
            elif v is not None:
                total[i] += weight * float(v)
                scored.append(float(v))
        means[f"reward/{name}"] = sum(scored) / len(scored) if scored else float("nan")
    return total, valid, means, failures


# --- one step's rollouts ----------------------------------------------------------------------------


def make_prompt(task: Any, problem: Any, template: str, prompt_format: str = "chat") -> Any:
    """Chat messages for instruct models, or the template's single string for base models."""
    return task.prompt(problem, template) if prompt_format == "chat" else task.prompt_text(problem, template)


def sample_step(
    backend: Any,
    task: Any,
    stream: ProblemStream,
    config: GRPOConfig,
    step: int,
    reward_fns: list,
    rank: int = 0,
    world: int = 1,
    local: Any = None,
) -> tuple[list[Rollout], dict]:
    """Sample, score and (with dynamic sampling) filter one step's rollouts; return them and stats.

    With several processes, each takes its own B of the B * world prompts drawn from the shared stream.
    `local` (the in-process backend) re-tokenises a server's completions that came back without token ids.
    """
    B, G = config.prompts_per_step, config.num_generations
    rewards = training_reward_set(config, reward_fns, task)
    kept: list[Rollout] = []
    stats = {
        "reward_failures": 0,
        "reward_calls": 0,
        "zero_variance_groups": 0,
        "groups_sampled": 0,
        "dropped_failed_groups": 0,
        "prompt_tokens": 0,
    }
    means_sum: dict[str, list[float]] = {}
    first_round: list[Rollout] = []
    for round_ in range(1 + (config.max_refill_rounds if config.dynamic_sampling else 0)):
        problems = stream.take(B * world)[rank * B : (rank + 1) * B]
        sampling = SamplingParams(
            n=G,
            temperature=config.temperature,
            top_p=config.top_p,
            top_k=config.top_k,
            max_new_tokens=config.max_completion_length,
            logprobs=True,
            seed=config.seed * 1_000_003 + step * 101 + round_,
        )
        prompts = [make_prompt(task, p, config.template, config.prompt_format) for p in problems]
        # no cache: every step samples from new weights; one backend call for the whole step
        drawn = sample_and_score(backend, task, problems, prompts, sampling, rewards=rewards, copy_greedy=False)
        rollouts = []
        for g, (prompt, completions, samples) in enumerate(zip(prompts, drawn.completions, drawn.samples)):
            stats["prompt_tokens"] += completions[0].prompt_tokens
            rollouts.extend(rollout(g, c, s, prompt, local) for c, s in zip(completions, samples))
        total, valid, means, failures = training_rewards([r.sample for r in rollouts], rewards)
        stats["reward_failures"] += failures
        stats["reward_calls"] += len(rollouts) * len(rewards.names)
        if stats["reward_failures"] > config.max_reward_failure_rate * stats["reward_calls"]:
            raise RewardFailureRateExceeded(
                f"step {step}: {stats['reward_failures']} of {stats['reward_calls']} reward calls failed, above "
                f"max_reward_failure_rate={config.max_reward_failure_rate}; fix the reward infrastructure "
                "(checker, sandbox, judge server) or raise the limit"
            )
        for k, v in means.items():
            means_sum.setdefault(k, []).append(v)
        if config.overlong_buffer:
            penalties = overlong_penalties(
                [len(r.completion_ids) for r in rollouts], config.max_completion_length, config.overlong_buffer
            )
            total = total + torch.tensor(penalties)  # (N,)
        for r, value in zip(rollouts, total.tolist()):
            r.reward = value
        if round_ == 0:
            first_round = rollouts
        stats["groups_sampled"] += B
        flat = torch.tensor([r.reward for r in rollouts])  # (B*G,)
        zero_var = L.zero_variance_groups(flat, G).tolist()  # (B,)
        stats["zero_variance_groups"] += sum(zero_var)
        group_ok = valid.view(B, G).all(dim=1).tolist()  # (B,) a failed reward removes its group
        stats["dropped_failed_groups"] += B - sum(group_ok)
        if config.mask_truncated_completions:  # a group cut off entirely trains on nothing: no signal either
            cut = [all(r.finish_reason == "length" for r in rollouts[g * G : (g + 1) * G]) for g in range(B)]
            zero_var = [z or c for z, c in zip(zero_var, cut)]
        for g in range(B):
            if group_ok[g] and not (config.dynamic_sampling and zero_var[g]):
                kept.extend(r for r in rollouts[g * G : (g + 1) * G])
        if len(kept) >= B * G:
            break
    kept = kept[: B * G]
    # Stats describe what the policy produced in the first round (not the filtered set), so that
    # accuracy and lengths are comparable with and without dynamic sampling.
    stats["reward_means"] = {k: sum(v) / len(v) for k, v in means_sum.items()}
    stats["first_round"] = first_round
    return kept, stats


def rollout(group: int, c: Completion, sample: ScoredSample, prompt: Any, local: Any = None) -> Rollout:
    """A scored completion as a Rollout. An in-process completion carries its token ids and log-probabilities;
    a server's carries its token ids when it returned them (vLLM), else the text is re-tokenised by `local`
    (SGLang, hosted APIs), in which case its log-probabilities no longer align with the tokens and the
    off-policy correction is off for it."""
    if local is None:
        return Rollout(group, c.prompt_token_ids, c.token_ids, c.logprobs or [], sample)
    prompt_ids = c.prompt_token_ids or local.encode(prompt)
    if c.token_ids:
        return Rollout(group, prompt_ids, c.token_ids, c.logprobs or [], sample)
    ids = local.tokenizer(c.text, add_special_tokens=False)["input_ids"]
    if c.finish_reason == "stop" and local.tokenizer.eos_token_id is not None:
        ids = ids + [local.tokenizer.eos_token_id]
    return Rollout(group, prompt_ids, ids or [local.tokenizer.eos_token_id], [], sample)


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
