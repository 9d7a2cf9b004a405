"""The fused llama-family decode step: the model's own logits (float rounding apart) step by step, the unfused
path's tokens and log-probs through `HFBackend`, rebuilt after a weight changes, and refused for models it does
not cover (they decode through the model's forward)."""

from __future__ import annotations

import pytest
import torch

from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.backends.fused_decode import FusedDecoder, FusedRun, fusable
from reasoncraft.testing import tiny_model
from reasoncraft.train.lora import enable_gradient_checkpointing

PROMPTS = ["What is 2 + 3?", "Name a prime number, then explain why it is prime."]


@pytest.fixture(params=["llama", "qwen2"])
def tiny(request):
    return tiny_model(request.param, seed=5)


def _prefill(model, tok, n):
    """Left-padded prompts of different lengths through the model, each repeated n times, as the backend does."""
    ids = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    width = max(map(len, ids))
    input_ids = torch.full((len(ids), width), tok.pad_token_id)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, row in enumerate(ids):
        input_ids[i, width - len(row) :], mask[i, width - len(row) :] = torch.tensor(row), 1
    positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    out = model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True)
    cache = out.past_key_values
    cache.batch_repeat_interleave(n)
    return out.logits[:, -1].repeat_interleave(n, 0), cache, mask.repeat_interleave(n, 0)


@pytest.mark.parametrize("pack", [True, False])
def test_step_logits_equal_the_model_forward_over_many_steps(tiny, pack):
    model, tok = tiny
    with torch.no_grad():
        logits, cache, mask = _prefill(model, tok, n=2)
        fused = FusedDecoder(model, rows_hint=4, pack=pack).begin(cache, capacity=mask.shape[1] + 30)
        positions = mask.sum(-1, keepdim=True) - 1
        for step in range(30):
            tokens = logits.argmax(-1)
            if step == 12:  # a finished row leaves the batch in both
                keep = torch.tensor([0, 2, 3])
                cache.batch_select_indices(keep)
                fused.select(keep)
                tokens, mask, positions = tokens[keep], mask[keep], positions[keep]
            mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], -1)
            positions = positions + 1
            got = fused.step(tokens, mask, positions)
            out = model(input_ids=tokens[:, None], attention_mask=mask, position_ids=positions, cache=cache)
            logits, cache = out.logits[:, -1], out.past_key_values
            torch.testing.assert_close(got, logits, rtol=1e-5, atol=1e-5)


def test_backend_tokens_and_logprobs_equal_the_unfused_path(tiny):
    model, tok = tiny
    for sampling in (
        SamplingParams(n=3, temperature=0.0, max_new_tokens=40, logprobs=True),
        SamplingParams(n=4, temperature=1.0, top_p=0.9, max_new_tokens=40, logprobs=True, seed=3),
    ):
        fused_backend = HFBackend(model, tok, fused_decode=True)
        fused = fused_backend.generate(PROMPTS, sampling)
        assert fused_backend._fused is not None  # this call went through the fused decoder
        plain = HFBackend(model, tok, fused_decode=False).generate(PROMPTS, sampling)
        for a_row, b_row in zip(plain, fused):
            for a, b in zip(a_row, b_row):
                assert a.token_ids == b.token_ids and a.finish_reason == b.finish_reason
                torch.testing.assert_close(torch.tensor(b.logprobs), torch.tensor(a.logprobs), rtol=1e-4, atol=1e-4)


def test_rebuilt_after_a_weight_changes_and_freed_after_a_training_call(tiny, monkeypatch):
    model, tok = tiny
    steps = []
    real_step = FusedRun.step
    monkeypatch.setattr(FusedRun, "step", lambda self, *args: steps.append(1) or real_step(self, *args))
    sampling = SamplingParams(n=2, temperature=0.0, max_new_tokens=12, logprobs=True)
    backend = HFBackend(model, tok)  # automatic: fused on the CPU for these families
    backend.generate(PROMPTS, sampling)
    first = backend._fused[1]
    backend.generate(PROMPTS, sampling)
    assert backend._fused[1] is first  # unchanged weights: built once
    with torch.no_grad():  # an optimizer step: in place, same storage, a new version
        for p in model.parameters():
            p.mul_(1.3)
    after = backend.generate(PROMPTS, sampling)
    assert backend._fused[1] is not first
    want = HFBackend(model, tok, fused_decode=False).generate(PROMPTS, sampling)
    assert [c.token_ids for cs in after for c in cs] == [c.token_ids for cs in want for c in cs]
    model.train()
    enable_gradient_checkpointing(model)  # a trainer's model: its embedding hook does not stop the fused path
    try:
        assert fusable(model)
        steps.clear()
        trained = backend.generate(PROMPTS, sampling)
        assert steps  # decoded through the fused step
        assert backend._fused is None and model.training  # a trainer's next step changes every weight
    finally:
        model.eval()
    assert [c.token_ids for cs in trained for c in cs] == [c.token_ids for cs in want for c in cs]


def test_short_memory_decodes_fused_but_unpacked(tiny, monkeypatch):
    import reasoncraft.backends.hf as hf

    model, tok = tiny
    monkeypatch.setattr(hf, "available_bytes", lambda: 1024)
    backend = HFBackend(model, tok)
    backend.generate(PROMPTS, SamplingParams(n=1, temperature=0.0, max_new_tokens=4))
    assert not backend._fused[1].head.packed


def test_bfloat16_models_decode_fused_unpacked():
    model, tok = tiny_model("llama", seed=2)
    model = model.to(torch.bfloat16)
    with torch.no_grad():
        logits, cache, mask = _prefill(model, tok, n=1)
        decoder = FusedDecoder(model, rows_hint=2, pack=True)
        assert not decoder.head.packed  # packing is for fp32 weights
        fused = decoder.begin(cache, capacity=mask.shape[1] + 1)
        tokens, positions = logits.argmax(-1), mask.sum(-1, keepdim=True)
        mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], -1)
        got = fused.step(tokens, mask, positions)
        want = model(input_ids=tokens[:, None], attention_mask=mask, position_ids=positions, cache=cache).logits[:, -1]
    torch.testing.assert_close(got.float(), want.float(), rtol=0.05, atol=0.05)


def test_rope_scaling_comes_from_the_model_rotary_module():
    rope = {"rope_type": "linear", "factor": 4.0, "rope_theta": 500.0}
    model, tok = tiny_model("llama", seed=4, rope_parameters=rope)
    sampling = SamplingParams(n=2, temperature=0.0, max_new_tokens=24, logprobs=True)
    fused = HFBackend(model, tok, fused_decode=True).generate(PROMPTS, sampling)
    plain = HFBackend(model, tok, fused_decode=False).generate(PROMPTS, sampling)
    assert [c.token_ids for cs in fused for c in cs] == [c.token_ids for cs in plain for c in cs]


def test_models_it_does_not_cover_decode_through_their_forward():
    class Wrapped(torch.nn.Linear):  # as LoRA or quantised layers replace a projection
        pass

    model, tok = tiny_model("llama", seed=1)
    assert fusable(model)
    old = model.model.layers[0].self_attn.q_proj
    model.model.layers[0].self_attn.q_proj = Wrapped(old.in_features, old.out_features, bias=False)
    assert not fusable(model)
    with pytest.raises(ValueError, match="fused_decode=False"):
        HFBackend(model, tok, fused_decode=True).generate(PROMPTS, SamplingParams(max_new_tokens=2))
    backend = HFBackend(model, tok)  # automatic: the model's forward
    backend.generate(PROMPTS, SamplingParams(max_new_tokens=2))
    assert backend._fused is None

    hooked, _ = tiny_model("qwen2", seed=1)
    hooked.model.layers[1].mlp.register_forward_hook(lambda module, args, out: out)
    assert not fusable(hooked)
    gelu, _ = tiny_model("llama", seed=1, hidden_act="gelu")
    assert not fusable(gelu)
    sliding, _ = tiny_model("qwen2", seed=1, use_sliding_window=True, sliding_window=8, max_window_layers=0)
    assert not fusable(sliding)


def test_runs_of_one_decoder_are_independent():
    model, tok = tiny_model("qwen2", seed=3)
    decoder = FusedDecoder(model, rows_hint=4, pack=True)
    with torch.no_grad():
        outputs = {}
        for interleaved in (False, True):
            runs = []
            for n in (1, 2):  # two runs of different batch sizes, as two calls sharing a backend would make
                logits, cache, mask = _prefill(model, tok, n=n)
                run = decoder.begin(cache, capacity=mask.shape[1] + 8)
                runs.append([run, logits, mask, mask.sum(-1, keepdim=True) - 1])
            order = [0, 1] * 8 if interleaved else [0] * 8 + [1] * 8
            got = {0: [], 1: []}
            for r in order:
                run, logits, mask, positions = runs[r]
                mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], -1)
                logits = run.step(logits.argmax(-1), mask, positions + 1)
                runs[r][1:] = [logits, mask, positions + 1]
                got[r].append(logits)
            outputs[interleaved] = got
    for r in (0, 1):
        torch.testing.assert_close(torch.stack(outputs[True][r]), torch.stack(outputs[False][r]))
