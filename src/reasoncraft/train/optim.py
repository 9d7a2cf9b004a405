"""Optimiser mechanics shared by every trainer: AdamW, warm-up and decay, a guarded step.

`guarded_step` clips gradients and refuses to apply an update whose loss or gradient norm is not
finite (NaN/inf): the step is skipped, the gradients are dropped, and the caller reports it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

from ..config import OptimizerSection


def lr_factor(
    step: int, warmup_steps: int, total_steps: int, schedule: str = "cosine", min_ratio: float = 0.0
) -> float:
    """Multiplier of the peak learning rate at optimizer step `step` (0-based).

    Linear warm-up over `warmup_steps`, then `constant`, `linear` or `cosine` decay to
    `min_ratio` at `total_steps`.

    >>> [round(lr_factor(s, 2, 6, "linear"), 3) for s in range(6)]
    [0.5, 1.0, 1.0, 0.75, 0.5, 0.25]
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if schedule == "constant":
        return 1.0
    span = max(total_steps - warmup_steps, 1)
    progress = min((step - warmup_steps) / span, 1.0)
    if schedule == "linear":
        decay = 1.0 - progress
    elif schedule == "cosine":
        decay = 0.5 * (1.0 + math.cos(math.pi * progress))
    else:
        raise ValueError(f"unknown lr schedule {schedule!r}: use constant, linear or cosine")
    return min_ratio + (1.0 - min_ratio) * decay


def build_optimizer(
    params: Iterable[Any],
    lr: float,
    weight_decay: float,
    betas: tuple[float, float],
    warmup_steps: int,
    total_steps: int,
    schedule: str,
) -> tuple[Any, Any]:
    import torch

    params = [p for p in params if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters")
    # The fused kernel (torch >= 2.4 on CPU and CUDA) is what transformers' Trainer uses by default; the
    # per-tensor `foreach` path took 1.8-3.7 s per step for the default model's 135M fp32 parameters on
    # one CPU thread here, fused 0.2 s. Fall back where a dtype or device has no fused kernel.
    try:
        optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas, fused=True)
    except (RuntimeError, TypeError):
        optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, warmup_steps, total_steps, schedule)
    )
    return optimizer, scheduler


def optimizer_for(model: Any, settings: OptimizerSection, total_steps: int) -> tuple[list[Any], Any, Any]:
    """(the trainable parameters of `model`, AdamW over them, its warm-up/decay schedule over `total_steps`), as a
    trainer's optimizer section states them: learning rate, weight decay, betas, warm-up steps and schedule.

    Every trainer builds its optimizer here, so that a setting added to `OptimizerSection` reaches all of them.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer, scheduler = build_optimizer(
        params,
        settings.learning_rate,
        settings.weight_decay,
        (settings.adam_beta1, settings.adam_beta2),
        settings.warmup_steps,
        total_steps,
        settings.lr_schedule,
    )
    return params, optimizer, scheduler


def guarded_step(
    optimizer: Any, scheduler: Any, params: list[Any], max_grad_norm: float, loss_value: float
) -> tuple[bool, float]:
    """Clip, then step unless the loss or the gradient norm is NaN/inf. Returns (stepped, grad_norm)."""
    import torch

    norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm if max_grad_norm > 0 else float("inf"))
    grad_norm = float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)  # a DTensor under FSDP
    ok = math.isfinite(loss_value) and math.isfinite(grad_norm)
    if ok:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    with warnings.catch_warnings():  # after a skip torch warns that the scheduler stepped alone: intended
        warnings.simplefilter("ignore", UserWarning)
        scheduler.step()  # the schedule follows steps taken *or skipped*, so a skip does not shift it
    return ok, grad_norm
