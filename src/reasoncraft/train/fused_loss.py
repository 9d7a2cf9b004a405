"""The LM head and the completion cross-entropy fused and chunked: (tokens x vocabulary) logits never exist at once.

A causal LM's loss over K completion tokens needs K x V logits (V = 49,152 for SmolLM2: 190 KB per
token in fp32). Autograd keeps them, the log-softmax it saves, and their gradient, three K x V
tensors at the start of the backward pass, which is where a small model's training peaks. Here the
LM head runs on chunks of `chunk_tokens` hidden states; each chunk's softmax gives its part of the
loss *and*, right away, its gradient with respect to the hidden states and to the head's weight
(d NLL / d logits = softmax - one-hot), so only one chunk's logits are alive at a time and nothing
is recomputed. The backward pass only scales the stored gradients by the incoming one. This is the
idea of Liger-Kernel's fused linear cross-entropy, in plain torch, so it runs on CPUs too.

That shortcut applies where the loss is a fixed-weight sum of token NLLs (SFT). A loss that is a
non-linear function of each log-probability (GRPO's clipped ratio, its KL term) needs the logits'
gradient only once the loss is known: `chunked_token_logprobs` returns each target token's
log-probability under softmax(logits / temperature) (and the entropy, detached), computed chunk by
chunk in the forward pass, keeping only the hidden states and one log-normaliser per token; the
backward pass recomputes each chunk's logits to form d logp / d logits = (one-hot - softmax) / T.
Both share the chunk loop's pieces (`_chunk_logits`, `_head_grads`). `fused_head` decides once per
model whether either shortcut is exact; `head_bypassed` lets a model's own forward (peft, FSDP see a
normal call) return the final hidden states instead of logits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from .batching import IGNORE_INDEX


def _chunk_logits(h: torch.Tensor, w: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """fp32 logits / T of one chunk: the matmul in the hidden states' dtype, as the model's LM head computes it."""
    logits = (h @ w.T).float()  # (c, V)
    return logits if temperature == 1.0 else logits.div_(temperature)


def _head_grads(
    grad: torch.Tensor,
    h: torch.Tensor,
    w: torch.Tensor,
    grad_h: torch.Tensor | None,
    grad_w: torch.Tensor | None,
    start: int,
) -> None:
    """Given d loss / d logits of one chunk (c, V), write its rows of d / d hidden and add its part of d / d weight."""
    if grad_h is not None:
        grad_h[start : start + grad.shape[0]] = grad @ w  # (c, H)
    if grad_w is not None:
        if grad.dtype == torch.float32:
            grad_w.addmm_(grad.T, h.float())  # (V, H)
        else:
            grad_w += (grad.T @ h).float()


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
            logits = _chunk_logits(h, w)  # (c, V)
            lse = torch.logsumexp(logits, dim=-1, keepdim=True)  # (c, 1)
            total += ((lse - logits.gather(1, safe)).squeeze(1) * keep).sum()
            if not (want_h or want_w):
                continue
            grad = logits.sub_(lse).exp_()  # softmax, in place: (c, V)
            grad.scatter_add_(1, safe, torch.full_like(safe, -1, dtype=grad.dtype))  # minus the one-hot target
            grad.mul_(keep.unsqueeze(1))  # positions without a target contribute nothing
            _head_grads(grad.to(compute_dtype), h, w, grad_h, grad_w, start)
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


class _ChunkedTokenLogprobs(torch.autograd.Function):
    """log softmax(hidden @ weight.T / T)[target] per row, chunk by chunk; the backward pass recomputes the logits."""

    @staticmethod
    def forward(
        ctx: Any,
        hidden: torch.Tensor,
        weight: torch.Tensor,
        targets: torch.Tensor,
        temperature: float,
        chunk_tokens: int,
        entropy: torch.Tensor | None,
    ) -> torch.Tensor:
        w = weight.to(hidden.dtype)  # (V, H)
        logp = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device)  # (K,)
        lse = torch.empty_like(logp)  # (K,): log-normalisers, kept for the backward pass
        for start in range(0, hidden.shape[0], chunk_tokens):
            end = start + chunk_tokens
            logits = _chunk_logits(hidden[start:end], w, temperature)  # (c, V)
            lse[start:end] = torch.logsumexp(logits, dim=-1)
            logp[start:end] = logits.gather(1, targets[start:end, None]).squeeze(1) - lse[start:end]
            if entropy is not None:  # H = -sum(p * log p), detached (lse - sum(p * z) loses digits)
                log_probs = logits.sub_(lse[start:end, None])  # (c, V), in place: the logits are not needed again
                entropy[start:end] = -(log_probs.exp() * log_probs).sum(-1)
        ctx.save_for_backward(hidden, weight, targets, lse)
        ctx.temperature, ctx.chunk_tokens = temperature, chunk_tokens
        return logp

    @staticmethod
    def backward(ctx: Any, grad_logp: torch.Tensor) -> tuple:
        hidden, weight, targets, lse = ctx.saved_tensors
        want_h, want_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        w = weight.to(hidden.dtype)  # (V, H)
        grad_h = torch.empty_like(hidden) if want_h else None  # (K, H)
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device) if want_w else None  # (V, H)
        T, c = ctx.temperature, ctx.chunk_tokens
        for start in range(0, hidden.shape[0], c):
            end = start + c
            h = hidden[start:end]  # (c, H)
            # d logp / d raw logits = (one-hot - softmax) / T, times the incoming gradient of each row
            grad = _chunk_logits(h, w, T).sub_(lse[start:end, None]).exp_()  # softmax: (c, V)
            grad.scatter_add_(1, targets[start:end, None], torch.full_like(grad[:, :1], -1.0))
            grad.mul_((grad_logp[start:end] / -T)[:, None])
            _head_grads(grad.to(hidden.dtype), h, w, grad_h, grad_w, start)
        return grad_h, None if grad_w is None else grad_w.to(weight.dtype), None, None, None, None


def chunked_token_logprobs(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    temperature: float = 1.0,
    chunk_tokens: int = 256,
    with_entropy: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Each target token's log-probability under softmax(hidden @ weight.T / temperature), and the entropy.

    The same values and gradients as `log_softmax((hidden @ weight.T).float() / T).gather(targets)`, at the
    memory of one chunk's logits: hidden (K, H), weight (V, H), targets (K,) -> logp (K,) fp32 with a
    gradient, entropy (K,) detached (None unless asked).
    """
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be >= 1: got {chunk_tokens}")
    entropy = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device) if with_entropy else None
    logp = _ChunkedTokenLogprobs.apply(hidden, weight, targets, float(temperature), chunk_tokens, entropy)
    return logp, entropy


def _identity(hidden: torch.Tensor) -> torch.Tensor:
    return hidden


@contextmanager
def head_bypassed(model: Any) -> Iterator[torch.nn.Module]:
    """Within the block the model's LM head returns its input, so its forward's `logits` are the final hidden
    states (after `logits_to_keep`); yields the head, whose `.weight` is read after the forward (FSDP gathers
    it there). For models where `fused_head` holds."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # LoRA: the adapted model
    head = base.get_output_embeddings()
    head.forward = _identity  # an instance attribute shadows the class's forward for this module only
    try:
        yield head
    finally:
        del head.forward


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
