"""Turning sampled rollouts into training tensors, and the policy's log-probabilities of them.

Part of the GRPO trainer (`grpo.py`): a `Rollout` is one scored sample with what the loss
needs; `pad_rollouts` lays a micro-batch out so every completion starts at the same column;
`completion_logprobs` runs the model over it (the LM head only on completion positions);
`shared_prompt_logprobs` does the same with each group's prompt encoded once and no padding.

Two layouts, picked per micro-batch by `packed_row_fits`: one padding-free row per group (prompt once,
completions back to back, a block mask) saves recomputing the prompt G times, but its attention grows
with (P + G*T)^2; one row per completion (prompt recomputed, padded) grows with G * (P + T)^2. Above a
measured row length (`GRPOConfig.shared_prompt_max_tokens`, benchmarks/grpo_packing.py) the second wins.

With `chunk_tokens` > 0 neither ever holds (tokens x vocabulary) logits: the model's forward returns the
final hidden states (`fused_loss.head_bypassed`) and `fused_loss.chunked_token_logprobs` applies the LM head
chunk by chunk, recomputing each chunk's logits in the backward pass. 0 keeps the plain logits path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ..samples import ScoredSample
from . import grpo_loss as L
from .fused_loss import chunked_token_logprobs, head_bypassed

# --- turning rollouts into training tensors ---------------------------------------------------------


@dataclass
class Rollout:
    """One scored sample (`samples.ScoredSample`: text, finish reason, reward breakdown, verdict), with what
    the loss needs: the token ids as the sampler saw them, its log-probabilities, the training reward and
    the advantage."""

    group: int  # index of its prompt within the step
    prompt_ids: list[int]
    completion_ids: list[int]
    sample_logprobs: list[float]
    sample: ScoredSample | None = None  # None only for tensor-layout tests and benchmarks
    reward: float = 0.0  # the reward set's weighted sum (plus any overlong penalty): what advantages use
    advantage: float = 0.0

    @property
    def text(self) -> str:
        return self.sample.completion if self.sample is not None else ""

    @property
    def finish_reason(self) -> str:
        return self.sample.finish_reason if self.sample is not None else ""


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
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "position_ids": positions,
        "completion_mask": completion_mask,
        "sample_logprobs": sample_logprobs,
        "has_logprobs": has_logprobs,
    }


def token_logprobs(
    model: Any,
    forward: Callable[[], torch.Tensor],
    targets: torch.Tensor,
    temperature: float,
    with_entropy: bool,
    chunk_tokens: int = 0,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """log pi(target) under softmax(logits / T) of the (K,) positions `forward()` returns, and the entropy.

    `forward()` runs the model and returns the rows of its `logits` that predict `targets` (K,): (K, V), or
    with `chunk_tokens` > 0, where the LM head is bypassed, the final hidden states (K, H), which go through
    the head in chunks (never K x V at once, recomputed in the backward pass). Entropy is detached.
    """
    if chunk_tokens:
        with head_bypassed(model) as head:
            hidden = forward()  # (K, H)
            return chunked_token_logprobs(hidden, head.weight, targets, temperature, chunk_tokens, with_entropy)
    logits = forward().float() / temperature  # (K, V)
    logp = logits.gather(-1, targets[:, None]).squeeze(-1) - torch.logsumexp(logits, dim=-1)  # (K,)
    entropy = None
    if with_entropy:
        with torch.no_grad():
            entropy = L.entropy_from_logits(logits.detach())  # (K,)
    return logp, entropy


def _unflatten(values: torch.Tensor | None, real: torch.Tensor) -> torch.Tensor | None:
    """(K,) values of the real completion tokens back into (n, T), zeros where padded."""
    if values is None:
        return None
    return torch.zeros(real.shape, dtype=values.dtype, device=values.device).masked_scatter(real, values)


def completion_logprobs(
    model: Any, batch: dict[str, torch.Tensor], temperature: float, with_entropy: bool, chunk_tokens: int = 0
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """log pi(token) of every completion token under softmax(logits / T), and its entropy (detached), (n, T).

    One row per completion (the prompt recomputed in each). Only the T + 1 last positions go through the
    LM head, and of those only the ones that predict a real completion token.
    """
    T = batch["completion_mask"].shape[1]
    real = batch["completion_mask"].bool()  # (n, T)

    def forward() -> torch.Tensor:
        out = model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            position_ids=batch["position_ids"],
            use_cache=False,
            logits_to_keep=T + 1,
        )
        return out.logits[:, :-1][real]  # (K, V or H): position t predicts token t+1

    targets = batch["input_ids"][:, -T:][real]  # (K,)
    logp, entropy = token_logprobs(model, forward, targets, temperature, with_entropy, chunk_tokens)
    return _unflatten(logp, real), _unflatten(entropy, real)


def group_rows(chunk: Sequence[Rollout], group_size: int, pad_id: int) -> dict[str, torch.Tensor]:
    """Lay each group out as one padding-free row: its prompt once, then its G completions one after another.

    Completion tokens attend to their group's prompt and to their own earlier tokens, nothing else, and are
    numbered from the prompt's length, exactly as the sampler saw them. Returns (k = groups):
    input_ids, position_ids (k, L); attention_mask (k, 1, L, L) bool; `predictors` (n, T), the row-major
    index into the flattened (k*L) positions whose logits predict each completion token (0 where padded).
    """
    k = len(chunk) // group_size
    rows, positions, owners, predictors = [], [], [], []
    for g in range(k):
        group = chunk[g * group_size : (g + 1) * group_size]
        prompt = list(group[0].prompt_ids)
        P = len(prompt)
        ids, pos, owner = prompt[:], list(range(P)), [-1] * P  # owner -1: the prompt, seen by every completion
        for j, r in enumerate(group):
            start = len(ids)
            # token 0 is predicted by the prompt's last position, token t by the completion's position t - 1
            predictors.append([P - 1] + list(range(start, start + len(r.completion_ids) - 1)))
            ids += r.completion_ids
            pos += range(P, P + len(r.completion_ids))
            owner += [j] * len(r.completion_ids)
        rows.append(ids), positions.append(pos), owners.append(owner)
    L = max(len(r) for r in rows)
    T = max(len(r.completion_ids) for r in chunk)
    input_ids = torch.full((k, L), pad_id, dtype=torch.long)  # (k, L)
    position_ids = torch.zeros((k, L), dtype=torch.long)  # (k, L)
    owner = torch.full((k, L), -2, dtype=torch.long)  # (k, L): -2 marks right padding
    for g in range(k):
        n = len(rows[g])
        input_ids[g, :n], position_ids[g, :n], owner[g, :n] = (
            torch.tensor(rows[g]),
            torch.tensor(positions[g]),
            torch.tensor(owners[g]),
        )
    causal = torch.ones(L, L, dtype=torch.bool).tril()  # (L, L)
    query, key = owner[:, :, None], owner[:, None, :]  # (k, L, 1), (k, 1, L)
    allowed = causal & ((key == -1) | (key == query))  # (k, L, L): the prompt, or the same completion
    allowed |= torch.eye(L, dtype=torch.bool)  # padding attends to itself (a row with no key gives NaN)
    index = torch.zeros((len(chunk), T), dtype=torch.long)  # (n, T)
    for i, row in enumerate(predictors):
        index[i, : len(row)] = torch.tensor(row) + (i // group_size) * L
    return {
        "input_ids": input_ids,
        "position_ids": position_ids,
        "attention_mask": allowed[:, None],
        "predictors": index,
    }


def attention_kind(model: Any) -> str:
    """The model's attention implementation (sdpa, eager, flash_attention_2, ...), through a peft wrapper."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft hides the config
    return getattr(base.config, "_attn_implementation", None) or "sdpa"


def shared_prompt_logprobs(
    model: Any,
    chunk: Sequence[Rollout],
    group_size: int,
    pad_id: int,
    temperature: float,
    with_entropy: bool,
    device: Any,
    chunk_tokens: int = 0,
) -> tuple[torch.Tensor, torch.Tensor | None, dict[str, torch.Tensor]]:
    """As `completion_logprobs`, but each group's prompt goes through the model once and nothing is padded.

    Each group is one row (`group_rows`): its prompt, then its G completions back to back, with an
    attention mask that lets every completion see the prompt and its own past only. On short completions
    of a long chat prompt this trains on a fraction of the tokens of the padded full-sequence forward,
    and only the positions that predict a completion token go through the LM head.
    Needs an attention that takes an arbitrary mask (sdpa, eager), not flash kernels.
    Returns logp and entropy (n, T) in `chunk` order and the padded completion tensors.
    """
    rows = {k_: v.to(device) for k_, v in group_rows(chunk, group_size, pad_id).items()}
    tail = pad_rollouts(chunk, pad_id)  # completion_mask, sample_logprobs (n, T); input_ids (n, P'+T)
    T = tail["completion_mask"].shape[1]
    completion_ids = tail["input_ids"][:, -T:].to(device)  # (n, T)
    mask = rows["attention_mask"]  # (k, 1, L, L) bool
    if attention_kind(model) != "sdpa":  # eager adds the mask to the scores
        dtype = next(model.parameters()).dtype
        mask = torch.zeros(mask.shape, dtype=dtype, device=device).masked_fill(~mask, torch.finfo(dtype).min)
    real = tail["completion_mask"].to(device).bool()  # (n, T): padded slots never reach the LM head
    flat = rows["predictors"][real]  # (K,) indices into the flattened (k * L) positions
    L_ = rows["input_ids"].shape[1]
    keep = torch.unique(flat % L_)  # (J,) sorted columns that predict a completion token in some row

    def forward() -> torch.Tensor:
        # Through the model's own forward (not its decoder and head separately) so that wrappers (peft,
        # FSDP) see a normal call; `logits_to_keep` as indices sends only those columns to the LM head.
        out = model(
            input_ids=rows["input_ids"],
            attention_mask=mask,
            position_ids=rows["position_ids"],
            use_cache=False,
            logits_to_keep=keep,
        )
        column = torch.searchsorted(keep, flat % L_)  # (K,) where each predictor landed among the kept columns
        return out.logits[flat // L_, column]  # (K, V or H)

    logp, entropy = token_logprobs(model, forward, completion_ids[real], temperature, with_entropy, chunk_tokens)
    return (
        _unflatten(logp, real),
        _unflatten(entropy, real),
        {k_: v.to(device) for k_, v in tail.items() if k_ in ("completion_mask", "sample_logprobs", "has_logprobs")},
    )


def packed_row_fits(chunk: Sequence[Rollout], group_size: int, max_tokens: int) -> bool:
    """Whether every group of the micro-batch fits one packed row of at most `max_tokens` (0: no limit).

    A packed row is P + the group's completion tokens; its attention costs grow with its length squared, so
    past a measured length one row per completion is faster (see the module docstring).
    """
    if not max_tokens:
        return True
    for g in range(0, len(chunk), group_size):
        group = chunk[g : g + group_size]
        if len(group[0].prompt_ids) + sum(len(r.completion_ids) for r in group) > max_tokens:
            return False
    return True


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
