"""The math of GRPO and its variants, as pure functions of tensors.

Nothing here touches a model, a tokenizer or a backend: each function maps rewards, log-probabilities
and masks to advantages, per-token losses or scalars, so each can be checked against values worked
out by hand (tests/test_grpo_loss.py).

Letters, as in the papers: B prompts, G completions per prompt (a *group*), N = B*G rows, T the
padded completion length. A mask marks real (non-pad) completion tokens.

* Group-relative advantages (Shao et al. 2024, DeepSeekMath, eq. 3): A_i = (r_i - mean(r_group)) /
  (std(r_group) + eps). `scale="batch"` divides by the std of the whole batch (as TRL's
  `scale_rewards="batch"`), `scale="none"` is Dr. GRPO's unscaled advantage (Liu et al. 2025).
* Mean-baseline REINFORCE: A_i = r_i - mean(r over the batch), no groups, no std.
* Clipped surrogate (PPO, Schulman et al. 2017) with separate low/high clip ranges (DAPO's
  "clip-higher", Yu et al. 2025): -min(rho * A, clip(rho, 1 - eps_low, 1 + eps_high) * A).
* KL to a reference policy by the k3 estimator (Schulman 2020): exp(q - p) - (q - p) - 1, with
  p = log pi_theta, q = log pi_ref; unbiased, always >= 0.
* Aggregation of per-token losses into one scalar, named as TRL names them so configs carry over:
  `grpo` (mean over each sequence's tokens, then over sequences: the paper's 1/G sum 1/|o_i|),
  `bnpo` (mean over all real tokens of the local batch), `dr_grpo` (sum over tokens divided by
  N * max_completion_length, a constant: no length bias), `dapo` (sum over tokens divided by the
  number of real tokens in the *whole* global batch, across accumulation steps and processes).
* DAPO's dynamic sampling keeps only groups whose rewards are not all equal. (Its soft overlong
  penalty is a reward: `reasoncraft.rewards.length.overlong_penalty`.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch

ADVANTAGE_EPS = 1e-4  # TRL's constant: an all-equal group gets advantage 0, not 0/0


# --- advantages -----------------------------------------------------------------------------------


def group_advantages(rewards: torch.Tensor, group_size: int, scale: str = "group") -> torch.Tensor:
    """GRPO's group-relative advantage of each completion.

    rewards: (N,) with N = B*G, the G completions of a prompt adjacent. std is the unbiased one
    (Bessel's correction), as torch.std and TRL compute it.

    >>> group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0]), 2, scale="none").tolist()
    [0.5, -0.5, 0.0, 0.0]
    """
    if rewards.dim() != 1 or rewards.numel() % group_size:
        raise ValueError(
            f"rewards must be a flat tensor of B*G values with G={group_size}: got shape {tuple(rewards.shape)}"
        )
    grouped = rewards.view(-1, group_size)  # (B, G)
    centred = (grouped - grouped.mean(dim=1, keepdim=True)).view(-1)  # (N,)
    if scale == "none":
        return centred
    if scale == "group":
        std = grouped.std(dim=1, keepdim=True).expand_as(grouped).reshape(-1)  # (N,)
    elif scale == "batch":
        std = rewards.std().expand_as(rewards)  # (N,)
    else:
        raise ValueError(f"unknown advantage scale {scale!r}: use 'group', 'batch' or 'none'")
    return centred / (std + ADVANTAGE_EPS)


def reinforce_advantages(rewards: torch.Tensor, group_size: int = 1, scale: str = "none") -> torch.Tensor:
    """Plain REINFORCE with a mean baseline: A_i = r_i - mean(r) over the whole batch (groups ignored).

    >>> reinforce_advantages(torch.tensor([1.0, 0.0, 0.0, 1.0])).tolist()
    [0.5, -0.5, -0.5, 0.5]
    """
    if scale != "none":
        raise ValueError("REINFORCE with a mean baseline does not scale advantages: set scale_rewards to 'none'")
    return rewards - rewards.mean()


ADVANTAGES: dict[str, Callable[..., torch.Tensor]] = {"grpo": group_advantages, "reinforce": reinforce_advantages}


def zero_variance_groups(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """(B,) bool: True where every completion of the prompt got the same reward (no learning signal).

    >>> zero_variance_groups(torch.tensor([1.0, 1.0, 0.0, 1.0]), 2).tolist()
    [True, False]
    """
    grouped = rewards.view(-1, group_size)  # (B, G)
    return (grouped.max(dim=1).values - grouped.min(dim=1).values) == 0


# --- per-token quantities ---------------------------------------------------------------------------


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Per-token KL(pi || pi_ref) estimate, k3 = exp(q - p) - (q - p) - 1 (Schulman 2020).

    >>> round(k3_kl(torch.tensor([0.0]), torch.tensor([-1.0])).item(), 6)  # e^-1 + 1 - 1
    0.367879
    """
    delta = ref_logp - logp
    return torch.exp(delta) - delta - 1


def clipped_surrogate(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, eps_low: float, eps_high: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped objective per token, as a loss (negated), with DAPO's asymmetric clip range.

    logp, old_logp: (N, T); advantages: (N,). Returns the per-token loss (N, T) and two bool masks
    (N, T): where the ratio was clipped below (A < 0) and above (A > 0), i.e. where no gradient flows.
    """
    ratio = torch.exp(logp - old_logp)  # (N, T)
    adv = advantages[:, None]  # (N, 1)
    unclipped = ratio * adv
    clipped = torch.clamp(ratio, 1 - eps_low, 1 + eps_high) * adv
    loss = -torch.min(unclipped, clipped)  # (N, T)
    low = (ratio < 1 - eps_low) & (adv < 0)
    high = (ratio > 1 + eps_high) & (adv > 0)
    return loss, low, high


def truncated_importance_weights(logp: torch.Tensor, sample_logp: torch.Tensor, cap: float) -> torch.Tensor:
    """Per-token correction for rollouts sampled by another engine (vLLM, SGLang): min(pi/pi_sampler, cap).

    The server's numerics differ from the trainer's, so its samples are slightly off-policy; each
    token's loss is weighted by the truncated ratio of the trainer's probability to the sampler's
    (truncated importance sampling, as TRL's `vllm_importance_sampling_correction`). Detached.

    >>> truncated_importance_weights(torch.tensor([0.0, 0.0]), torch.tensor([0.0, -2.0]), cap=2.0).tolist()
    [1.0, 2.0]
    """
    return torch.exp(logp.detach() - sample_logp).clamp(max=cap)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of softmax(logits) per position: (..., V) -> (...)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(-1)


# --- aggregation: one small function per loss type -------------------------------------------------


def aggregate_grpo(per_token: torch.Tensor, mask: torch.Tensor, **_: float) -> torch.Tensor:
    """Mean over each sequence's real tokens, then mean over sequences (GRPO paper)."""
    per_seq = (per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)  # (N,)
    return per_seq.mean()


def aggregate_bnpo(per_token: torch.Tensor, mask: torch.Tensor, **_: float) -> torch.Tensor:
    """Mean over all real tokens of this (local) batch."""
    return (per_token * mask).sum() / mask.sum().clamp(min=1.0)


def aggregate_dr_grpo(
    per_token: torch.Tensor, mask: torch.Tensor, *, max_completion_length: int, **_: float
) -> torch.Tensor:
    """Sum over real tokens / (N * max_completion_length): a constant divisor, so no length bias (Dr. GRPO)."""
    return (per_token * mask).sum() / (per_token.shape[0] * max_completion_length)


def aggregate_dapo(per_token: torch.Tensor, mask: torch.Tensor, *, global_tokens: float, **_: float) -> torch.Tensor:
    """Sum over real tokens / real tokens in the whole global batch (all micro-batches, all processes).

    `global_tokens` is per process (total / world size), because DDP averages gradients over processes.
    """
    return (per_token * mask).sum() / max(float(global_tokens), 1.0)


AGGREGATIONS: dict[str, Callable[..., torch.Tensor]] = {
    "grpo": aggregate_grpo,
    "bnpo": aggregate_bnpo,
    "dr_grpo": aggregate_dr_grpo,
    "dapo": aggregate_dapo,
}


def micro_batch_weight(loss_type: str, rows: int, total_rows: int, tokens: float, total_tokens: float) -> float:
    """How much a micro-batch's aggregated loss counts when gradients are accumulated.

    `grpo` and `dr_grpo` average per sequence, so a micro-batch weighs rows / total_rows; `bnpo`
    averages per token of its own micro-batch, so it weighs by its share of tokens (making the
    accumulated loss equal to the loss of one big batch); `dapo` already divides by the global
    token count, so it weighs 1.
    """
    if loss_type == "dapo":
        return 1.0
    if loss_type == "bnpo":
        return tokens / max(total_tokens, 1.0)
    return rows / total_rows


def policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    aggregate: Callable[..., torch.Tensor],
    *,
    eps_low: float,
    eps_high: float,
    beta: float = 0.0,
    ref_logp: torch.Tensor | None = None,
    token_weights: torch.Tensor | None = None,
    **aggregate_args: float,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The full GRPO loss of one micro-batch, and its diagnostics (detached, summed over real tokens).

    logp, old_logp, mask (and ref_logp when beta > 0, token_weights when given): (N, T); advantages: (N,).
    `token_weights` multiply the policy term (off-policy correction of server rollouts).
    """
    per_token, low, high = clipped_surrogate(logp, old_logp, advantages, eps_low, eps_high)  # (N, T)
    if token_weights is not None:
        per_token = per_token * token_weights
    stats = {}
    if beta:
        if ref_logp is None:
            raise ValueError("beta > 0 needs the reference model's log-probabilities")
        kl = k3_kl(logp, ref_logp)  # (N, T)
        per_token = per_token + beta * kl
        stats["kl_sum"] = (kl * mask).sum().detach()
    loss = aggregate(per_token, mask, **aggregate_args)
    m = mask.bool()
    stats["clip_low_sum"] = (low & m).sum().float()
    stats["clip_high_sum"] = (high & m).sum().float()
    return loss, stats
