"""Model wrappers every trainer shares: LoRA adapters (Hu et al. 2021, through peft) and gradient
checkpointing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def apply_lora(model: Any, r: int, alpha: int, dropout: float, target_modules: Sequence[str]) -> Any:
    """The model with LoRA adapters of rank `r` on `target_modules`; the base weights are frozen."""
    from peft import LoraConfig, get_peft_model

    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    missing = [m for m in target_modules if m not in present]
    if len(missing) == len(target_modules):
        raise ValueError(
            f"none of lora_target_modules {list(target_modules)} is a module of this model; "
            f"its linear layers include {sorted(present)[:12]}"
        )
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=[m for m in target_modules if m in present],
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def enable_gradient_checkpointing(model: Any) -> None:
    """Recompute activations in the backward pass; the training forward then keeps no KV cache.

    transformers >= 5.2x names it `activation_checkpointing_enable` (the old name warns); older releases
    only have `gradient_checkpointing_enable`.
    """
    enable = getattr(model, "activation_checkpointing_enable", None) or model.gradient_checkpointing_enable
    enable()
    model.config.use_cache = False
