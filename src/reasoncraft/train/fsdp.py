"""Sharded data parallelism (FSDP2, `torch.distributed.fsdp.fully_shard`) for the GRPO trainer.

With `fsdp: true` and several processes (torchrun / accelerate launch), each decoder layer and the
model root are sharded: every process holds 1/world of the parameters, gradients and AdamW state,
gathers a layer's weights just before using it and frees them after (`reshard_after_forward=True`,
ZeRO-3-like; False keeps them gathered between forward and backward, ZeRO-2-like: more memory, less
communication). Gradients are reduce-scattered and averaged by FSDP itself, so the trainer's explicit
all-reduce is skipped. Rollouts run through the same sharded model (each decode step gathers the
weights): correct, but for large models rollouts belong on a vLLM/SGLang server.

Checkpoints and the exported model hold full (unsharded) tensors, gathered collectively and written by
rank 0, so a sharded run resumes on any number of processes and its model folder is a normal one.
"""

from __future__ import annotations

from typing import Any


def shard(model: Any, reshard_after_forward: bool = True) -> Any:
    """Shard each decoder layer, then the root (embeddings, final norm, LM head), in place."""
    from torch.distributed.fsdp import fully_shard

    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        raise ValueError(
            f"fsdp: cannot find decoder layers at model.model.layers in {type(model).__name__}; "
            "only decoder-only transformers models are supported"
        )
    for layer in layers:
        fully_shard(layer, reshard_after_forward=reshard_after_forward)
    fully_shard(model, reshard_after_forward=reshard_after_forward)
    return model


def _options(**extra: Any) -> Any:
    from torch.distributed.checkpoint.state_dict import StateDictOptions

    return StateDictOptions(full_state_dict=True, cpu_offload=True, **extra)


def full_states(model: Any, optimizer: Any | None = None) -> tuple[dict, dict | None]:
    """Full model (and optimizer) state dicts, gathered from every process; only rank 0 receives them,
    the others get empty dicts. Every process must call this."""
    from torch.distributed.checkpoint.state_dict import get_model_state_dict, get_optimizer_state_dict

    model_state = get_model_state_dict(model, options=_options())
    optimizer_state = get_optimizer_state_dict(model, optimizer, options=_options()) if optimizer is not None else None
    return model_state, optimizer_state


def load_full_states(
    model: Any, model_state: dict, optimizer: Any | None = None, optimizer_state: dict | None = None
) -> None:
    """Load full state dicts (read by every process) into the sharded model and optimizer."""
    from torch.distributed.checkpoint.state_dict import set_model_state_dict, set_optimizer_state_dict

    set_model_state_dict(model, model_state, options=_options())
    if optimizer is not None and optimizer_state is not None:
        set_optimizer_state_dict(model, optimizer, optimizer_state, options=_options())
