"""The LM head and the completion cross-entropy fused and chunked: (tokens x vocabulary) logits never exist at once.

A causal LM's loss over K completion tokens needs K x V logits (V = 49,152 for SmolLM2: 190 KB per
token in fp32). Autograd keeps them, the log-softmax it saves, and their gradient, three K x V
tensors at the start of the backward pass, which is where a small model's training peaks. Here the
LM head runs on chunks of `chunk_tokens` hidden states; each chunk's softmax gives its part of the
loss *and*, right away, its gradient with respect to the hidden states and to the head's weight
(d NLL / d logits = softmax - one-hot), so only one chunk's logits are alive at a time and nothing
is recomputed. The backward pass only scales the stored gradients by the incoming one. This is the
idea of Liger-Kernel's fused linear cross-entropy, in plain torch, so it runs on CPUs too.

It applies where the loss is a fixed-weight sum of token NLLs (SFT); a loss that is a non-linear
function of each log-probability (GRPO's clipped ratio) needs the logits' gradient after the loss is
known, which this does not provide. `fused_head` decides once per model whether the shortcut is exact.
"""

from __future__ import annotations

from typing import Any

import torch

from .batching import IGNORE_INDEX


class _FusedLinearNLL(torch.autograd.Function):
    """Summed NLL of `targets` under softmax(hidden @ weight.T); gradients computed in the forward pass."""

    @staticmethod
    def forward(
        ctx: Any,
        hidden: torch.Tensor,
        weight: torch.Tensor,
        targets: torch.Tensor,
        chunk_tokens: int,
        compute_dtype: torch.dtype,
    ) -> torch.Tensor:
        want_h, want_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        w = weight.to(compute_dtype)  # (V, H); a view when the dtypes already match
        grad_h = torch.empty_like(hidden) if want_h else None  # (K, H)
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device) if want_w else None  # (V, H)
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        for start in range(0, hidden.shape[0], chunk_tokens):
            h = hidden[start : start + chunk_tokens].to(compute_dtype)  # (c, H)
            t = targets[start : start + chunk_tokens]  # (c,)
            keep = t != IGNORE_INDEX  # (c,)
            safe = torch.where(keep, t, 0).unsqueeze(1)  # (c, 1)
            logits = (h @ w.T).float()  # (c, V)
            lse = torch.logsumexp(logits, dim=-1, keepdim=True)  # (c, 1)
            total += ((lse - logits.gather(1, safe)).squeeze(1) * keep).sum()
            if not (want_h or want_w):
                continue
            grad = logits.sub_(lse).exp_()  # softmax, in place: (c, V)
            grad.scatter_add_(1, safe, torch.full_like(safe, -1, dtype=grad.dtype))  # minus the one-hot target
            grad.mul_(keep.unsqueeze(1))  # positions without a target contribute nothing
            grad = grad.to(compute_dtype)
            if want_h:
                grad_h[start : start + chunk_tokens] = grad @ w  # (c, H)
            if want_w:
                if compute_dtype == torch.float32:
                    grad_w.addmm_(grad.T, h)  # (V, H)
                else:
                    grad_w += (grad.T @ h).float()
        ctx.weight_dtype = weight.dtype
        ctx.grads = (grad_h, grad_w)
        return total

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple:
        grad_h, grad_w = ctx.grads
        ctx.grads = None  # the stored gradients are used once
        if grad_h is not None:
            grad_h = grad_h * grad_out.to(grad_h.dtype)
        if grad_w is not None:
            grad_w = grad_w.mul_(grad_out).to(ctx.weight_dtype)
        return grad_h, grad_w, None, None, None


def fused_linear_nll(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    chunk_tokens: int = 256,
    compute_dtype: torch.dtype | None = None,
) -> tuple[torch.Tensor, int]:
    """Summed NLL of the targets that carry loss (IGNORE_INDEX elsewhere), and how many there are.

    The same value and gradients as `cross_entropy((hidden @ weight.T).float(), targets, reduction="sum")`,
    at the memory of one chunk's logits. hidden (K, H), weight (V, H), targets (K,). `compute_dtype`: the
    matmuls' dtype (default the hidden states'; bfloat16 mirrors autocast), the softmax is always fp32.
    """
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be >= 1: got {chunk_tokens}")
    dtype = compute_dtype or hidden.dtype
    nll = _FusedLinearNLL.apply(hidden, weight, targets, chunk_tokens, dtype)
    return nll, int((targets != IGNORE_INDEX).sum())


def fused_head(model: Any) -> tuple[Any, torch.Tensor] | None:
    """(decoder, LM-head weight) when the model's logits are exactly `decoder(...) @ weight.T`, else None.

    Structural check only (a bias-free nn.Linear head on the base model's decoder); `head_is_exact` then
    checks the numbers, since some models scale or soft-cap their logits after the head.
    """
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # LoRA: the adapted model
    get_head = getattr(base, "get_output_embeddings", None)
    head = get_head() if get_head is not None else None
    decoder = getattr(base, getattr(base, "base_model_prefix", ""), None)
    if type(head) is not torch.nn.Linear or head.bias is not None or not isinstance(decoder, torch.nn.Module):
        return None
    return decoder, head.weight


@torch.no_grad()
def head_is_exact(model: Any, decoder: Any, weight: torch.Tensor, input_ids: torch.Tensor) -> bool:
    """Whether the model's own logits equal decoder hidden states times the head's weight on `input_ids` (1, L)."""
    was_training = model.training
    model.eval()  # dropout would make the two passes differ
    try:
        logits = model(input_ids=input_ids, use_cache=False).logits.float()  # (1, L, V)
        hidden = decoder(input_ids=input_ids, use_cache=False).last_hidden_state  # (1, L, H)
        ours = (hidden @ weight.T).float()
    finally:
        model.train(was_training)
    return ours.shape == logits.shape and torch.allclose(ours, logits, rtol=1e-3, atol=1e-3)
