"""A decode step written out for llama-family models on the CPU: one call per step instead of ~20 modules per layer.

A decode step of a small model on a CPU is not all matrix products: at 8 rows, the 30 layers of the default
model spend ~40% of a step in the small operations around them (module calls, the mask built each step, the
rotary tables, `repeat_kv`'s copies of the keys and values for grouped-query attention, the cache's
bookkeeping). `FusedDecoder` runs the same arithmetic with fewer, larger operations:

* the query, key and value projections are one product (their weights stacked), and so are the gate and up
  projections; each product uses a pre-packed oneDNN weight where the build has it (`packed_linear.py`);
* keys and values live in per-layer buffers with room for every token of the call, written in place;
* grouped-query attention reads each key/value head once, its query heads stacked as rows of one query,
  instead of copying the keys and values per query head;
* the rotary tables come from the model's own rotary module (so every RoPE variant it supports is honoured),
  once per step for all layers.

Same model, same precision: logits agree with the model's forward up to float rounding (tested), so greedy
decoding picks `generate`'s tokens. Used by `HFBackend` for the decode steps of plain fp32/bf16 CPU models of the
families below whose modules are the stock ones (no LoRA wrapper, quantised layer or hook), unless
`HFBackend(fused_decode=False)`; anything else decodes through the model's forward.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .packed_linear import packing_available

FAMILIES = {"LlamaForCausalLM": "Llama", "Qwen2ForCausalLM": "Qwen2"}  # class -> prefix of its module classes


def fusable(model: torch.nn.Module) -> bool:
    """Whether `FusedDecoder` can run this model: a stock llama/qwen2 CPU model, full attention, silu MLP."""
    prefix = FAMILIES.get(type(model).__name__)
    if prefix is None or not hasattr(model, "model") or not hasattr(model, "lm_head"):
        return False
    config = model.config
    if getattr(config, "hidden_act", None) != "silu" or getattr(config, "pretraining_tp", 1) != 1:
        return False
    if any(t != "full_attention" for t in getattr(config, "layer_types", None) or []):
        return False  # sliding-window layers need their own mask
    for module in model.modules():
        hooks = [h for h in module._forward_hooks.values() if not _harmless(h)]
        if "forward" in module.__dict__ or hooks or module._forward_pre_hooks:
            return False  # something wraps the stock computation (hooks, patched forwards)
    expected = {f"{prefix}Attention", f"{prefix}MLP", f"{prefix}RMSNorm", f"{prefix}DecoderLayer"}
    for layer in model.model.layers:
        kinds = {type(layer).__name__, type(layer.self_attn).__name__, type(layer.mlp).__name__}
        kinds.add(type(layer.input_layernorm).__name__)
        if not kinds <= expected:
            return False
        linears = [getattr(layer.self_attn, n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")]
        linears += [getattr(layer.mlp, n) for n in ("gate_proj", "up_proj", "down_proj")]
        if any(type(m) is not torch.nn.Linear for m in linears):
            return False  # LoRA, quantised or otherwise replaced layers
    weight = model.lm_head.weight
    plain = type(weight.data) is torch.Tensor  # not a DTensor shard
    return plain and weight.device.type == "cpu" and weight.dtype in (torch.float32, torch.bfloat16)


def _harmless(hook: object) -> bool:
    """transformers' gradient-checkpointing hook on the input embeddings: it only marks outputs as needing
    gradients, which a decode step (no gradients) does not have."""
    return getattr(hook, "__qualname__", "").endswith("enable_input_require_grads.<locals>.make_inputs_require_grads")


class _Product:
    """x @ W.T + b for a stack of linear layers' weights, through a packed oneDNN weight where available."""

    def __init__(self, linears: list[torch.nn.Linear], rows_hint: int, pack: bool):
        with torch.no_grad():
            weight = torch.cat([m.weight.detach() for m in linears]) if len(linears) > 1 else linears[0].weight.detach()
            self.bias = None  # a layer without a bias beside one with: zeros in its rows
            if any(m.bias is not None for m in linears):
                parts = [m.bias if m.bias is not None else m.weight.new_zeros(m.out_features) for m in linears]
                self.bias = torch.cat([b.detach() for b in parts])
            self.packed = pack and weight.dtype == torch.float32
            self.weight = torch.ops.mkldnn._reorder_linear_weight(weight, rows_hint) if self.packed else weight

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.packed:
            return torch.ops.mkldnn._linear_pointwise(x, self.weight, self.bias, "none", [], "")
        return F.linear(x, self.weight, self.bias)


class FusedDecoder:
    """The weights of one model, stacked and packed for decode steps: read once, kept while they do not change
    (`HFBackend` rebuilds it when a weight's version moves). `begin` starts one decoding run; runs are independent,
    so one decoder may serve several calls."""

    def __init__(self, model: torch.nn.Module, rows_hint: int, pack: bool):
        config, inner = model.config, model.model
        pack = pack and packing_available()
        self.heads, self.kv_heads = config.num_attention_heads, config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.eps = config.rms_norm_eps
        self.embed, self.rotary = inner.embed_tokens.weight, inner.rotary_emb
        self.norm = inner.norm.weight
        self.head = _Product([model.lm_head], rows_hint, pack)
        self.layers = []
        for layer in inner.layers:
            attn, mlp = layer.self_attn, layer.mlp
            self.layers.append(
                (
                    layer.input_layernorm.weight,
                    _Product([attn.q_proj, attn.k_proj, attn.v_proj], rows_hint, pack),
                    _Product([attn.o_proj], rows_hint, pack),
                    layer.post_attention_layernorm.weight,
                    _Product([mlp.gate_proj, mlp.up_proj], rows_hint, pack),
                    _Product([mlp.down_proj], rows_hint, pack),
                )
            )

    def begin(self, cache: object, capacity: int) -> FusedRun:
        """A run that takes over a prefill's cache (a transformers `Cache`, rows already repeated), with room for
        `capacity` positions in all."""
        return FusedRun(self, cache, capacity)

    def _rms(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        normed = F.rms_norm(x.float(), (x.shape[-1],), eps=self.eps)  # in fp32, as the model's RMSNorm
        return weight * normed.to(x.dtype)


class FusedRun:
    """One decoding run's keys and values, in per-layer buffers (B, kv_heads, capacity, D) written in place:
    `step` feeds one token per row, `select` keeps some rows."""

    def __init__(self, decoder: FusedDecoder, cache: object, capacity: int):
        self.decoder = decoder
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.length = 0
        for layer in cache.layers:
            keys, values = layer.keys, layer.values  # (B, kv_heads, L, D)
            self.length = keys.shape[-2]
            k = keys.new_empty((*keys.shape[:-2], capacity, keys.shape[-1]))
            v = values.new_empty((*values.shape[:-2], capacity, values.shape[-1]))
            k[..., : self.length, :], v[..., : self.length, :] = keys, values
            self.keys.append(k)
            self.values.append(v)

    def select(self, index: torch.Tensor) -> None:
        """Keep the rows at `index` (finished samples leave the batch): layer by layer, copying only the filled
        positions, so the copy costs one layer's room at a time and never touches the unwritten part."""
        for buffers in (self.keys, self.values):
            for layer, old in enumerate(buffers):
                new = old.new_empty((len(index), *old.shape[1:]))
                new[:, :, : self.length] = old[index, :, : self.length]
                buffers[layer] = new

    @torch.no_grad()
    def step(self, tokens: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """Logits (B, V) after feeding `tokens` (B,) at `positions` (B, 1); `mask` (B, length + 1) marks the
        cache positions (the new one included) each row attends to."""
        d = self.decoder
        B, t = tokens.shape[0], self.length
        H, KV, D = d.heads, d.kv_heads, d.head_dim
        groups = H // KV
        x = F.embedding(tokens, d.embed)  # (B, hidden)
        cos, sin = d.rotary(x[:, None], positions)  # (B, 1, D)
        cos, sin = cos.view(B, 1, D), sin.view(B, 1, D)
        keep = mask[:, : t + 1].bool().view(B, 1, 1, t + 1)
        half = D // 2
        for (ln1, qkv, out, ln2, gate_up, down), k_buf, v_buf in zip(d.layers, self.keys, self.values):
            projected = qkv(d._rms(x, ln1))  # (B, (H + 2 KV) D)
            q, k, v = projected.view(B, H + 2 * KV, D).split((H, KV, KV), dim=1)
            qk = torch.cat((q, k), dim=1)  # rotate queries and keys together: (B, H + KV, D)
            rotated = torch.cat((-qk[..., half:], qk[..., :half]), dim=-1)
            qk = qk * cos + rotated * sin
            k_buf[:, :, t] = qk[:, H:]
            v_buf[:, :, t] = v
            query = qk[:, :H].reshape(B, KV, groups, D)  # each key/value head's query heads as rows
            attended = F.scaled_dot_product_attention(
                query, k_buf[:, :, : t + 1], v_buf[:, :, : t + 1], attn_mask=keep, scale=D**-0.5
            )  # (B, KV, groups, D)
            x = x + out(attended.reshape(B, H * D))
            gate, up = gate_up(d._rms(x, ln2)).chunk(2, dim=-1)
            x = x + down(F.silu(gate) * up)
        self.length = t + 1
        return d.head(d._rms(x, d.norm))
