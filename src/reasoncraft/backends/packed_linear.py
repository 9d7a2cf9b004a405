"""Decode-step matrix products through oneDNN with pre-packed weights, on the CPU.

A decode step multiplies a few rows (the live samples) by every weight matrix of the model, so it is bound
by reading the weights. PyTorch's default CPU product for such a skinny input (`F.linear`, MKL's sgemm)
reads a large fp32 weight at ~5 GB/s on this project's machine; oneDNN, given the weight once reordered into
its blocked layout (`torch.ops.mkldnn._reorder_linear_weight`, the op inductor's CPU freezing uses), reads
it at ~9-12 GB/s. Measured (one thread, a random-init model of the default model's shape, 8 rows): the
matrix products of a decode step 96 -> 56 ms, a 256-token decode 1.4x faster end to end.

Same products in the same precision: outputs agree with `F.linear` up to float rounding (~1e-6 relative),
so a sampled token can differ where two tokens are all but tied (7 of 8 sampled rows were identical over
256 tokens in the measurement). The packed copies (the linear weights' size again) are kept between `generate`
calls, so many short calls (a beam search's steps) pack once, and each is rebuilt when its weight changes (an
optimizer step bumps its version); `release()` frees them. By default the backend packs only when they take at most
half of the memory the system has available.

Used by `HFBackend` for decode steps only (the prefill keeps `F.linear`); off wherever the op is missing,
on other devices, for sharded models, and for any module that is not a plain `nn.Linear` (LoRA layers
call their plain base layer, which is packed) or whose forward is already wrapped (accelerate hooks).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

DTYPES = (torch.float32,)  # what was measured; bf16 needs CPU support oneDNN checks at run time


def available_bytes() -> int | None:
    """Memory the system can still give (Linux `MemAvailable`); None where that cannot be read."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@functools.cache
def packing_available() -> bool:
    """Whether this torch build has oneDNN's packed linear ops and they run (x86 CPU builds do)."""
    try:
        weight = torch.ones(4, 3)
        packed = torch.ops.mkldnn._reorder_linear_weight(weight, 2)
        out = torch.ops.mkldnn._linear_pointwise(torch.ones(2, 3), packed, None, "none", [], "")
    except (AttributeError, RuntimeError):
        return False
    return bool(torch.equal(out, torch.full((2, 4), 3.0)))


class PackedLinears:
    """While `active()`, the model's plain CPU `nn.Linear` modules run single-position inputs through packed
    weights; anything else (a longer input, gradients on, another dtype) takes their own forward."""

    def __init__(self, model: Any, rows_hint: int):
        self.rows_hint = rows_hint
        self.modules = [
            m
            for m in model.modules()
            if type(m) is torch.nn.Linear
            and "forward" not in m.__dict__
            and m.weight.device.type == "cpu"
            and m.weight.dtype in DTYPES
            and type(m.weight.data) is torch.Tensor  # not a DTensor shard
        ]
        self.nbytes = sum(m.weight.numel() * m.weight.element_size() for m in self.modules)  # the copies' size
        self._packed: dict[int, tuple[tuple[int, int], torch.Tensor]] = {}
        self._users = 0
        self._lock = threading.Lock()

    @contextmanager
    def active(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                for m in self.modules:
                    m.forward = functools.partial(self._forward, m)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    for m in self.modules:
                        m.__dict__.pop("forward", None)

    @property
    def holding(self) -> bool:
        """Whether packed copies are held (from an earlier call)."""
        return bool(self._packed)

    def release(self) -> None:
        """Free the packed copies (the next decode packs again)."""
        self._packed.clear()

    def _weight(self, module: torch.nn.Linear) -> torch.Tensor:
        weight = module.weight
        key = (weight.data_ptr(), weight._version)
        entry = self._packed.get(id(module))
        if entry is None or entry[0] != key:
            with torch.no_grad():
                entry = (key, torch.ops.mkldnn._reorder_linear_weight(weight.detach(), self.rows_hint))
            self._packed[id(module)] = entry
        return entry[1]

    def _forward(self, module: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
        single = x.dim() == 2 or (x.dim() == 3 and x.shape[1] == 1)  # (rows, hidden) or (rows, 1, hidden)
        if not single or torch.is_grad_enabled() or x.dtype != module.weight.dtype or x.device.type != "cpu":
            return torch.nn.Linear.forward(module, x)
        return torch.ops.mkldnn._linear_pointwise(x, self._weight(module), module.bias, "none", [], "")
