"""A KV cache that grows in place: the `hf` backend's decode without a copy of the whole cache per token.

transformers' `DynamicLayer` appends each new token's keys and values with `torch.cat`, which allocates and
copies the layer's whole cache at every decode step: at reasoning lengths that copy is quadratic in the
length and, on the CPU, measured at 17% of decoding 256 tokens (a random-init model of the default's shape,
8 rows, one thread; `aten::cat` second only to the matrix products). `HeadroomLayer` keeps the keys and
values in a buffer with spare positions and hands the model a view of the filled part, so a decode step
writes one position; the buffer doubles when full (amortised: each position is copied O(1) times).

Everything else stays `DynamicLayer`'s: pruning finished rows (`batch_select_indices`) and sharing a prefill
(`batch_repeat_interleave`) replace `keys`/`values` with new tensors, and the next `update` notices that
they no longer live in the buffer and moves them into a new one (one copy per such event, not per token).
Values are unchanged, so decoding picks the same tokens (tested against `DynamicCache` and `generate`).
"""

from __future__ import annotations

from typing import Any

import torch

MIN_CAPACITY = 128  # positions; a new buffer holds at least this many, rounded up to a multiple of it


def _capacity(needed: int, current: int) -> int:
    """Room for `needed` positions: at least double the current buffer, in multiples of MIN_CAPACITY.

    >>> _capacity(40, 0), _capacity(129, 128), _capacity(300, 256)
    (128, 256, 512)
    """
    size = max(needed, 2 * current, MIN_CAPACITY)
    return -(-size // MIN_CAPACITY) * MIN_CAPACITY


def _layer_base() -> type:
    from transformers.cache_utils import DynamicLayer  # lazy: heavy

    return DynamicLayer


class _Buffers:
    """The spare-room storage of one layer: keys and values (B, H, capacity, D)."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, capacity: int):
        shape = (*keys.shape[:-2], capacity, keys.shape[-1])
        self.keys = keys.new_empty(shape)
        self.values = values.new_empty((*values.shape[:-2], capacity, values.shape[-1]))
        filled = keys.shape[-2]
        self.keys[..., :filled, :] = keys
        self.values[..., :filled, :] = values

    @property
    def capacity(self) -> int:
        return self.keys.shape[-2]

    def holds(self, keys: torch.Tensor) -> bool:
        """Whether `keys` is this buffer's filled prefix (not a tensor a prune or repeat put there)."""
        return keys.data_ptr() == self.keys.data_ptr() and keys.shape[:-2] == self.keys.shape[:-2]


def headroom_layer_class() -> type:
    """`HeadroomLayer`, built on the installed transformers' `DynamicLayer` (imported only when asked for)."""
    global _HEADROOM_LAYER
    if _HEADROOM_LAYER is None:
        base = _layer_base()

        class HeadroomLayer(base):  # type: ignore[misc, valid-type]
            """A `DynamicLayer` whose `update` writes into spare room instead of concatenating."""

            _buffers: _Buffers | None = None

            def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any):
                if not self.is_initialized or self.keys is None or self.keys.numel() == 0:
                    return super().update(key_states, value_states, *args, **kwargs)
                filled, new = self.keys.shape[-2], key_states.shape[-2]
                buffers = self._buffers
                current = 0 if buffers is None else buffers.capacity
                if filled + new > current:  # full: a buffer at least twice as large
                    buffers = self._buffers = _Buffers(self.keys, self.values, _capacity(filled + new, current))
                elif not buffers.holds(self.keys):  # pruned or repeated since: move into a buffer of the same size
                    buffers = self._buffers = _Buffers(self.keys, self.values, current)
                buffers.keys[..., filled : filled + new, :] = key_states
                buffers.values[..., filled : filled + new, :] = value_states
                self.keys = buffers.keys[..., : filled + new, :]
                self.values = buffers.values[..., : filled + new, :]
                return self.keys, self.values

            def reset(self) -> None:
                self._buffers = None
                super().reset()

        _HEADROOM_LAYER = HeadroomLayer
    return _HEADROOM_LAYER


_HEADROOM_LAYER: type | None = None


def with_headroom(cache: Any) -> Any:
    """Turn the plain `DynamicLayer`s of a transformers cache into `HeadroomLayer`s, in place; returns the cache.

    Layers of other kinds (sliding windows, linear attention, offloaded) and caches without a `layers` list
    (older transformers) are left as they are: they decode as before, only without the saving.
    """
    layers = getattr(cache, "layers", None)
    if not isinstance(layers, list):
        return cache
    base, headroom = _layer_base(), headroom_layer_class()
    for i, layer in enumerate(layers):
        if type(layer) is base:
            fresh = headroom.__new__(headroom)
            fresh.__dict__.update(layer.__dict__)  # same state (keys, values, device, flags): only update differs
            layers[i] = fresh
    return cache
