"""Data parallelism for trainers, the same code on one process or many (`torchrun`, `accelerate launch`).

Launchers set WORLD_SIZE / RANK / MASTER_ADDR / MASTER_PORT; `init()` then joins the process group
(NCCL on CUDA, gloo on the CPU). Each process samples its own share of prompts and computes its own
gradients; `average_gradients` all-reduces them before the optimizer step, so every process applies
the same update and the weights stay identical. Gradients are averaged explicitly instead of
through a DDP wrapper because a trainer may call the model more than once per backward pass (GRPO
encodes a group's prompt once, then its completions), which DDP's reducer does not allow.
Without a launcher every function here is a no-op. Sharding is the trainer's own (`fsdp: true`,
`train/fsdp.py`); `init()` refuses a launch configured for accelerate's FSDP or DeepSpeed plugins,
which these trainers do not use, rather than silently training full replicas.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any


def init() -> tuple[int, int]:
    """Join the process group when launched by torchrun/accelerate; return (rank, world_size)."""
    import torch
    import torch.distributed as dist

    for variable, name in (("ACCELERATE_USE_FSDP", "FSDP"), ("ACCELERATE_USE_DEEPSPEED", "DeepSpeed")):
        if os.environ.get(variable, "").lower() == "true":  # set by `accelerate launch` with such a config
            raise RuntimeError(
                f"reasoncraft's trainers do not use accelerate's {name} plugin: every process would hold "
                "the full model while you expect a sharded one. Launch data-parallel (accelerate launch "
                "--config_file configs/accelerate/multi_gpu.yaml, or torchrun) and set fsdp=true in the "
                "GRPO config to shard; see docs/training.md"
            )
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank(), dist.get_world_size()


def active() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    import torch.distributed as dist

    return dist.get_rank() if active() else 0


def is_main() -> bool:
    return rank() == 0


def average_gradients(params: Iterable[Any]) -> None:
    """All-reduce every gradient to the mean over processes (flattened into one buffer: one call)."""
    if not active():
        return
    import torch
    import torch.distributed as dist

    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def all_reduce_sum(value: float) -> float:
    if not active():
        return value
    import torch
    import torch.distributed as dist

    t = torch.tensor([float(value)], dtype=torch.float64)
    dist.all_reduce(t)
    return float(t)


def mean_over_processes(metrics: dict) -> dict:
    """Average the numeric entries of a metrics dict over processes (others are kept from this one)."""
    if not active():
        return metrics
    import torch
    import torch.distributed as dist

    keys = sorted(
        k for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "step"
    )
    t = torch.tensor([float(metrics[k]) for k in keys], dtype=torch.float64)
    dist.all_reduce(t)
    t /= dist.get_world_size()
    return {**metrics, **dict(zip(keys, t.tolist()))}


def barrier() -> None:
    if active():
        import torch.distributed as dist

        dist.barrier()
