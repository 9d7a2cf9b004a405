"""The in-place KV cache of the `hf` backend: the same logits and tokens as transformers' `DynamicCache` and
`model.generate` across buffer growth, pruning and shared prefills, with one write per decode step."""

from __future__ import annotations

import inspect

import pytest
import torch

from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.backends.kv_headroom import MIN_CAPACITY, headroom_layer_class, with_headroom
from reasoncraft.testing import tiny_model


@pytest.fixture(scope="module", params=["llama", "qwen2"])
def tiny(request):
    return tiny_model(request.param, seed=5)


def _step(model, cache, tokens, mask):
    # transformers >= 5.2x names the cache argument `cache` (older: `past_key_values`)
    name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    out = model(input_ids=tokens, attention_mask=mask, use_cache=True, **{name: cache})
    cache = out.get("cache") if out.get("cache") is not None else out.past_key_values
    return out.logits[:, -1, :], cache


def _decode(model, prompt, steps, headroom, prune_at=None):
    """Greedy decode `steps` tokens from (B, L) prompt ids; optionally drop batch row 0 at step `prune_at`.
    Returns the logits of every step and the cache."""
    mask = torch.ones_like(prompt)
    with torch.no_grad():
        logits, cache = _step(model, None, prompt, mask)
        if headroom:
            cache = with_headroom(cache)
        seen = []
        for step in range(steps):
            tokens = logits.argmax(-1, keepdim=True)  # (B, 1)
            if step == prune_at:
                keep = torch.arange(1, tokens.shape[0])
                cache.batch_select_indices(keep)
                tokens, mask = tokens[keep], mask[keep]
            mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=-1)
            logits, cache = _step(model, cache, tokens, mask)
            seen.append(logits)
    return seen, cache


def test_logits_equal_dynamic_cache_across_growth_and_pruning(tiny):
    model, _ = tiny
    prompt = torch.randint(5, model.config.vocab_size, (3, 20), generator=torch.Generator().manual_seed(0))
    steps = 2 * MIN_CAPACITY + 30  # two growths of the buffer
    plain, _ = _decode(model, prompt, steps, headroom=False, prune_at=MIN_CAPACITY + 3)
    grown, cache = _decode(model, prompt, steps, headroom=True, prune_at=MIN_CAPACITY + 3)
    assert all(isinstance(layer, headroom_layer_class()) for layer in cache.layers)
    for a, b in zip(plain, grown):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)
    assert [x.argmax(-1).tolist() for x in plain] == [x.argmax(-1).tolist() for x in grown]
    # after a prune the buffer keeps its size instead of doubling
    assert cache.layers[0]._buffers.capacity == 4 * MIN_CAPACITY
    assert cache.layers[0].keys.shape[-2] == 20 + steps


def test_a_decode_step_writes_into_the_buffer_without_copying_it(tiny):
    model, _ = tiny
    prompt = torch.randint(5, model.config.vocab_size, (2, 10), generator=torch.Generator().manual_seed(1))
    _, cache = _decode(model, prompt, 5, headroom=True)
    layer = cache.layers[0]
    buffer_start = layer._buffers.keys.data_ptr()
    _, cache = _step(model, cache, torch.ones((2, 1), dtype=torch.long), torch.ones((2, 16), dtype=torch.long))
    assert layer._buffers.keys.data_ptr() == buffer_start  # same storage: one position written, nothing moved
    assert layer.keys.data_ptr() == buffer_start and layer.keys.shape[-2] == 16


def test_other_layer_kinds_and_caches_without_layers_are_left_alone():
    class NoLayers:
        pass

    bare = NoLayers()
    assert with_headroom(bare) is bare


def test_long_greedy_decode_matches_generate_past_several_growths(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok)
    prompt = "the quick brown fox"
    steps = 2 * MIN_CAPACITY + 40
    out = backend.generate([prompt], SamplingParams(temperature=0, max_new_tokens=steps))[0][0]
    ids = backend.encode(prompt)
    with torch.no_grad():
        ref = model.generate(
            torch.tensor([ids]), max_new_tokens=steps, do_sample=False, eos_token_id=None, pad_token_id=0
        )[0, len(ids) :]
    n = len(out.token_ids)
    assert n > 2 * MIN_CAPACITY  # the buffer grew twice during this decode
    assert out.token_ids == ref[:n].tolist()
