"""The in-process backend's static-KV-cache decode (the CUDA-graph path), checked on the CPU uncompiled:
greedy tokens equal `model.generate`, samples and log-probabilities equal the dynamic path's, early-finished
rows end where they should; on CUDA (gpu tier) the compiled path against `generate` and the dynamic path."""

from __future__ import annotations

import pytest
import torch

from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.testing import tiny_model

PROMPTS = [
    "What is 12 + 7?",
    [{"role": "user", "content": "Using the numbers [3, 5, 8], create an equation that equals 16."}],
    "the quick",
]


@pytest.fixture(scope="module", params=["llama", "qwen2"])
def tiny(request):
    return tiny_model(request.param, seed=3)


def test_static_cache_greedy_equals_model_generate(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok, static_cache=True)
    out = backend.generate(PROMPTS, SamplingParams(temperature=0, max_new_tokens=24))
    for prompt, completions in zip(PROMPTS, out):
        ids = backend.encode(prompt)
        ones = torch.ones(1, len(ids), dtype=torch.long)
        ref = model.generate(torch.tensor([ids]), attention_mask=ones, max_new_tokens=24, do_sample=False)
        assert completions[0].token_ids == ref[0, len(ids) :].tolist()


def test_static_cache_samples_equal_the_dynamic_path(tiny):
    model, tok = tiny
    sampling = SamplingParams(n=3, temperature=0.9, top_p=0.95, max_new_tokens=14, logprobs=True, seed=5)
    dynamic = HFBackend(model, tok).generate(PROMPTS, sampling)
    static = HFBackend(model, tok, static_cache=True).generate(PROMPTS, sampling)
    for a, b in zip(dynamic, static):
        for x, y in zip(a, b):
            assert x.token_ids == y.token_ids and x.finish_reason == y.finish_reason
            assert x.logprobs == pytest.approx(y.logprobs, abs=1e-5)


def test_static_cache_rows_that_finish_early_end_there(tiny):
    """A finished row stays in the fixed batch (decoding padding) but its completion ends at its stop."""
    model, tok = tiny
    sampling = SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=2)
    free = HFBackend(model, tok, static_cache=True).generate(PROMPTS, sampling)
    early = free[0][0].token_ids[3]
    backend = HFBackend(model, tok, static_cache=True)
    backend.eos_ids = backend.eos_ids | {early}
    ended = backend.generate(PROMPTS, sampling)
    for before, after in zip(free, ended):
        for b, a in zip(before, after):
            cut = b.token_ids.index(early) + 1 if early in b.token_ids else len(b.token_ids)
            assert a.token_ids == b.token_ids[:cut]
            assert a.finish_reason == ("stop" if early in b.token_ids else "length")


def test_the_cpu_keeps_the_dynamic_path_by_default(tiny, monkeypatch):
    model, tok = tiny
    backend = HFBackend(model, tok)
    monkeypatch.setattr(backend, "_generate_chunk_static", lambda *a: pytest.fail("static path used on the CPU"))
    assert backend.generate(PROMPTS[:1], SamplingParams(temperature=0, max_new_tokens=3))[0][0].token_ids


@pytest.mark.gpu
def test_compiled_static_decode_on_cuda_equals_generate_and_the_dynamic_path():
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    model, tok = tiny_model("llama", seed=3)
    model.to("cuda")
    backend = HFBackend(model, tok)  # on CUDA: static cache and torch.compile(mode="reduce-overhead") by default
    out = backend.generate(PROMPTS, SamplingParams(temperature=0, max_new_tokens=16))
    assert backend._compiled is not None
    for prompt, completions in zip(PROMPTS, out):
        ids = backend.encode(prompt)
        ref = model.generate(torch.tensor([ids], device="cuda"), max_new_tokens=16, do_sample=False)[0, len(ids) :]
        assert completions[0].token_ids == ref.tolist()
    sampling = SamplingParams(n=4, temperature=1.0, max_new_tokens=16, seed=1)
    compiled = backend.generate(PROMPTS, sampling)
    dynamic = HFBackend(model, tok, static_cache=False).generate(PROMPTS, sampling)
    same = sum(x.token_ids == y.token_ids for a, b in zip(compiled, dynamic) for x, y in zip(a, b))
    assert same >= 0.75 * 4 * len(PROMPTS)  # kernels differ on CUDA: near-ties may round the other way
