"""Turning sampled rollouts into training tensors, and the policy's log-probabilities of them.

Part of the GRPO trainer (`grpo.py`): a `Rollout` is one sampled completion with what the loss
needs; `pad_rollouts` lays a micro-batch out so every completion starts at the same column;
`completion_logprobs` runs the model over it (the LM head only on completion positions);
`shared_prompt_logprobs` does the same while encoding each group's prompt once.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Sequence

import torch

from . import grpo_loss as L


# --- turning rollouts into training tensors ---------------------------------------------------------


@dataclass
class Rollout:
    """One sampled completion, with what the loss needs."""

    group: int  # index of its prompt within the step
    prompt_ids: list[int]
    completion_ids: list[int]
    sample_logprobs: list[float]
    text: str
    finish_reason: str
    reward: float = 0.0
    advantage: float = 0.0


def pad_rollouts(rollouts: Sequence[Rollout], pad_id: int) -> dict[str, torch.Tensor]:
    """Left-pad prompts and right-pad completions so every completion starts at the same column.

    input_ids, attention_mask, position_ids: (n, P + T); completion_mask, sample_logprobs: (n, T).
    """
    n = len(rollouts)
    P = max(len(r.prompt_ids) for r in rollouts)
    T = max(len(r.completion_ids) for r in rollouts)
    input_ids = torch.full((n, P + T), pad_id, dtype=torch.long)  # (n, P+T)
    attention = torch.zeros((n, P + T), dtype=torch.long)  # (n, P+T)
    completion_mask = torch.zeros((n, T))  # (n, T)
    sample_logprobs = torch.zeros((n, T))  # (n, T)
    has_logprobs = torch.zeros((n, 1))  # (n, 1): 1 where the sampler reported its log-probabilities
    for i, r in enumerate(rollouts):
        p, t = len(r.prompt_ids), len(r.completion_ids)
        input_ids[i, P - p : P] = torch.tensor(r.prompt_ids)
        input_ids[i, P : P + t] = torch.tensor(r.completion_ids)
        attention[i, P - p : P + t] = 1
        completion_mask[i, :t] = 1
        if r.sample_logprobs:
            sample_logprobs[i, :t] = torch.tensor(r.sample_logprobs)
            has_logprobs[i] = 1
    positions = (attention.cumsum(-1) - 1).clamp(min=0)  # (n, P+T), as the sampler numbered them
    return {"input_ids": input_ids, "attention_mask": attention, "position_ids": positions,
            "completion_mask": completion_mask, "sample_logprobs": sample_logprobs, "has_logprobs": has_logprobs}


def completion_logprobs(model: Any, batch: dict[str, torch.Tensor], temperature: float, with_entropy: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """log pi(token) of every completion token under softmax(logits / T), and its entropy (detached).

    Only the T + 1 last positions go through the LM head: prompt logits are never computed.
    """
    T = batch["completion_mask"].shape[1]
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                position_ids=batch["position_ids"], use_cache=False, logits_to_keep=T + 1)
    logits = out.logits[:, :-1, :].float() / temperature  # (n, T, V): position t predicts token t+1
    targets = batch["input_ids"][:, -T:]  # (n, T)
    logp = logits.gather(-1, targets[..., None]).squeeze(-1) - torch.logsumexp(logits, dim=-1)  # (n, T)
    entropy = None
    if with_entropy:
        with torch.no_grad():
            entropy = L.entropy_from_logits(logits.detach())  # (n, T)
    return logp, entropy


def shared_prompt_logprobs(model: Any, chunk: Sequence[Rollout], group_size: int, pad_id: int, temperature: float,
                           with_entropy: bool, device: Any) -> tuple[torch.Tensor, torch.Tensor | None, dict[str, torch.Tensor]]:
    """As `completion_logprobs`, but each group's prompt goes through the model once, not G times.

    The k prompts of the micro-batch are encoded with gradients on (k, P); their key/value cache is
    repeated G times along the batch (a differentiable copy, so the gradient through the prompt's
    keys and values is exact) and the k*G completions attend to it. On short completions of a long
    chat prompt this trains on a fraction of the tokens the padded full-sequence forward would.
    Returns logp and entropy (n, T) in `chunk` order and the padded completion tensors.
    """
    k = len(chunk) // group_size
    prompts = [chunk[g * group_size].prompt_ids for g in range(k)]
    P = max(len(p) for p in prompts)
    T = max(len(r.completion_ids) for r in chunk)
    prompt_ids = torch.full((k, P), pad_id, dtype=torch.long)  # (k, P) left-padded
    prompt_mask = torch.zeros((k, P), dtype=torch.long)  # (k, P)
    for g, ids in enumerate(prompts):
        prompt_ids[g, P - len(ids):] = torch.tensor(ids)
        prompt_mask[g, P - len(ids):] = 1
    tail = pad_rollouts(chunk, pad_id)  # completion_mask, sample_logprobs (n, T); input_ids (n, P'+T)
    completion_ids = tail["input_ids"][:, -T:]  # (n, T)
    prompt_ids, prompt_mask, completion_ids = prompt_ids.to(device), prompt_mask.to(device), completion_ids.to(device)
    positions = (prompt_mask.cumsum(-1) - 1).clamp(min=0)  # (k, P)
    out = model(input_ids=prompt_ids, attention_mask=prompt_mask, position_ids=positions, use_cache=True, logits_to_keep=1)
    cache = out.get("cache") if out.get("cache") is not None else out.past_key_values
    cache.batch_repeat_interleave(group_size)  # (k*G, heads, P, d): one copy per completion, in the graph
    first_logits = out.logits[:, -1:, :].repeat_interleave(group_size, dim=0)  # (n, 1, V) predicts token 0
    mask = torch.cat([prompt_mask.repeat_interleave(group_size, dim=0),
                      torch.ones_like(completion_ids)], dim=-1)  # (n, P+T); right padding is masked by the loss
    completion_positions = prompt_mask.sum(-1, keepdim=True).repeat_interleave(group_size, dim=0) + torch.arange(T, device=device)  # (n, T)
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft hides the signature
    cache_arg = "cache" if "cache" in inspect.signature(base.forward).parameters else "past_key_values"
    rest = model(input_ids=completion_ids[:, :-1], attention_mask=mask[:, :-1], position_ids=completion_positions[:, :-1],
                 use_cache=True, **{cache_arg: cache}) if T > 1 else None
    logits = first_logits if rest is None else torch.cat([first_logits, rest.logits], dim=1)  # (n, T, V)
    logits = logits.float() / temperature
    logp = logits.gather(-1, completion_ids[..., None]).squeeze(-1) - torch.logsumexp(logits, dim=-1)  # (n, T)
    entropy = None
    if with_entropy:
        with torch.no_grad():
            entropy = L.entropy_from_logits(logits.detach())  # (n, T)
    return logp, entropy, {k_: v.to(device) for k_, v in tail.items() if k_ in ("completion_mask", "sample_logprobs", "has_logprobs")}


def micro_batches_by_group(rollouts: list[Rollout], size: int, group_size: int) -> list[list[Rollout]]:
    """Whole groups per micro-batch (their prompt is shared), groups of similar length together."""
    groups = [rollouts[i : i + group_size] for i in range(0, len(rollouts), group_size)]
    groups.sort(key=lambda g: len(g[0].prompt_ids) + max(len(r.completion_ids) for r in g))
    per = max(size // group_size, 1)
    return [[r for g in groups[i : i + per] for r in g] for i in range(0, len(groups), per)]


def micro_batches(rollouts: list[Rollout], size: int) -> list[list[Rollout]]:
    """Sort by length so rows of similar length share a micro-batch (less padding), then chunk."""
    ordered = sorted(rollouts, key=lambda r: len(r.prompt_ids) + len(r.completion_ids))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
