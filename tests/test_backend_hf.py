"""The in-process backend against references: model.generate for greedy tokens, a teacher-forced
forward pass for log-probabilities, and a one-row-at-a-time run for batching and pruning."""

from __future__ import annotations

import pytest
import torch

from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.backends.sampling import CANDIDATES, sample_tokens
from reasoncraft.testing import tiny_model

PROMPTS = [
    "What is 12 + 7?",
    [{"role": "user", "content": "Using the numbers [3, 5, 8], create an equation that equals 16."}],
    "the quick",
    [{"role": "system", "content": "Think step by step."}, {"role": "user", "content": "def add(a, b):"}],
]


@pytest.fixture(scope="module", params=["llama", "qwen2"])
def tiny(request):
    return tiny_model(request.param, seed=3)


def teacher_forced_logprobs(model, prompt_ids, completion_ids, temperature):
    ids = torch.tensor([prompt_ids + completion_ids])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, len(prompt_ids) - 1 : -1].float()  # (T, V)
    logp = torch.log_softmax(logits / (temperature or 1.0), dim=-1)
    return logp.gather(-1, torch.tensor(completion_ids)[:, None]).squeeze(-1).tolist()


def test_greedy_matches_model_generate_batched_and_alone(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok)
    out = backend.generate(PROMPTS, SamplingParams(temperature=0, max_new_tokens=24))
    encoded = [backend.encode(p) for p in PROMPTS]
    # Reference 1: each prompt alone through model.generate.
    for ids, completions in zip(encoded, out):
        ref = model.generate(
            torch.tensor([ids]),
            attention_mask=torch.ones(1, len(ids), dtype=torch.long),
            max_new_tokens=24,
            do_sample=False,
        )[0, len(ids) :].tolist()
        assert completions[0].token_ids == ref
    # Reference 2: the whole left-padded batch through model.generate.
    tok.padding_side = "left"
    batch = tok.pad({"input_ids": encoded}, return_tensors="pt")
    ref = model.generate(**batch, max_new_tokens=24, do_sample=False)[:, batch["input_ids"].shape[1] :]
    for row, completions in zip(ref.tolist(), out):
        assert completions[0].token_ids == row[: len(completions[0].token_ids)]


def test_logprobs_match_teacher_forced_forward(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok)
    sampling = SamplingParams(n=3, temperature=0.7, top_k=50, top_p=0.9, max_new_tokens=20, logprobs=True, seed=11)
    for prompt, completions in zip(PROMPTS, backend.generate(PROMPTS, sampling)):
        prompt_ids = backend.encode(prompt)
        for c in completions:
            ref = teacher_forced_logprobs(model, prompt_ids, c.token_ids, 0.7)
            assert len(c.logprobs) == len(c.token_ids) == c.completion_tokens
            assert max(abs(a - b) for a, b in zip(c.logprobs, ref)) < 1e-4


def test_samples_do_not_depend_on_batching_or_pruning(tiny):
    model, tok = tiny
    sampling = SamplingParams(n=4, temperature=1.0, max_new_tokens=16, seed=5)
    together = HFBackend(model, tok, max_batch_rows=64).generate(PROMPTS, sampling)
    one_by_one = HFBackend(model, tok, max_batch_rows=1).generate(PROMPTS, sampling)
    assert [[c.token_ids for c in cs] for cs in together] == [[c.token_ids for c in cs] for cs in one_by_one]
    # A prompt sampled alone gets the same samples as inside a batch; sample indices differ from each other.
    alone = HFBackend(model, tok).generate(PROMPTS[1:2], sampling)[0]
    assert [c.token_ids for c in alone] == [c.token_ids for c in together[1]]
    assert len({tuple(c.token_ids) for c in alone}) > 1
    assert [c.sample_index for c in alone] == [0, 1, 2, 3]


def test_finished_rows_leave_the_batch_and_stop_early(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok)
    free = backend.generate(PROMPTS, SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=2))
    # Make a token the model samples early an end-of-sequence token: rows must end right there.
    early = free[0][0].token_ids[3]
    backend.eos_ids = backend.eos_ids | {early}
    ended = backend.generate(PROMPTS, SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=2))
    for before, after in zip(free, ended):
        for b, a in zip(before, after):
            cut = b.token_ids.index(early) + 1 if early in b.token_ids else len(b.token_ids)
            assert a.token_ids == b.token_ids[:cut]
            assert a.finish_reason == ("stop" if early in b.token_ids else "length")


def test_stop_strings_cut_text_and_end_generation(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok)
    sampling = SamplingParams(temperature=0, max_new_tokens=30)
    free = backend.generate(PROMPTS[:1], sampling)[0][0]
    stop = free.text[5:8]
    assert stop and stop in free.text
    cut = backend.generate(PROMPTS[:1], SamplingParams(temperature=0, max_new_tokens=30, stop=(stop,)))[0][0]
    assert cut.finish_reason == "stop"
    assert cut.text == free.text[: free.text.find(stop)]
    assert cut.token_ids == free.token_ids[: len(cut.token_ids)]
    assert stop in tok.decode(cut.token_ids) and stop not in tok.decode(cut.token_ids[:-1])


def test_counts_limits_and_training_mode_restored(tiny):
    model, tok = tiny
    model.train()
    backend = HFBackend(model, tok)
    out = backend.generate(PROMPTS, SamplingParams(n=2, temperature=0.9, max_new_tokens=7, seed=1))
    assert model.training
    model.eval()
    for prompt, completions in zip(PROMPTS, out):
        assert len(completions) == 2
        for c in completions:
            assert c.prompt_tokens == len(backend.encode(prompt))
            assert 1 <= c.completion_tokens <= 7 and c.completion_tokens == len(c.token_ids)
            assert c.finish_reason in {"stop", "length"}
            assert c.logprobs is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "n must be >= 1"),
        ({"temperature": -1}, "temperature must be >= 0"),
        ({"top_p": 0}, "top_p must be in"),
        ({"top_k": -2}, "top_k must be >= 0"),
        ({"max_new_tokens": 0}, "max_new_tokens must be >= 1"),
        ({"stop": ("",)}, "stop strings must be non-empty"),
    ],
)
def test_sampling_params_reject_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SamplingParams(**kwargs)


def test_lone_stop_string_is_not_split_into_characters():
    assert SamplingParams(stop="Answer:").stop == ("Answer:",)


@pytest.mark.gpu
def test_greedy_matches_generate_on_cuda():
    model, tok = tiny_model("llama", seed=3)
    model.to("cuda")
    backend = HFBackend(model, tok)
    ids = backend.encode(PROMPTS[0])
    out = backend.generate(PROMPTS[:1], SamplingParams(temperature=0, max_new_tokens=16))[0][0]
    ref = model.generate(torch.tensor([ids], device="cuda"), max_new_tokens=16, do_sample=False)[0, len(ids) :]
    assert out.token_ids == ref.tolist()


def reference_distribution(row: torch.Tensor, temperature: float, top_k: int, top_p: float) -> dict[int, float]:
    """Temperature, then top-k, then the top-p nucleus of the renormalised top-k, written as a plain loop."""
    scaled = [x / temperature for x in row.tolist()]
    order = sorted(range(len(scaled)), key=lambda i: -scaled[i])
    keep = order[:top_k] if top_k else order
    z = sum(torch.tensor([scaled[i] for i in keep]).exp().tolist())
    probs = {i: torch.tensor(scaled[i]).exp().item() / z for i in keep}
    nucleus, mass = {}, 0.0
    for i in keep:
        if mass >= top_p:
            break
        nucleus[i] = probs[i]
        mass += probs[i]
    total = sum(nucleus.values())
    return {i: p / total for i, p in nucleus.items()}


@pytest.mark.parametrize(
    "temperature, top_k, top_p, spread",
    [(1.0, 0, 1.0, 1.0), (0.7, 0, 0.9, 1.0), (1.0, 5, 1.0, 1.0), (1.3, 10, 0.6, 1.0), (1.0, 0, 0.95, 0.01)],
)
def test_sampler_draws_exactly_the_filtered_distribution(temperature, top_k, top_p, spread):
    """Inverse-CDF sampling on a grid of M uniforms hits each token p*M times, up to one draw.
    spread=0.01 makes logits flat, so the nucleus reaches past the top-64 candidates (the fallback path)."""
    torch.manual_seed(0)
    row = torch.randn(300) * 3 * spread
    draws = 20_000
    uniform = (torch.arange(draws, dtype=torch.float64) + 0.5) / draws
    tokens = sample_tokens(row.expand(draws, -1), temperature, top_k, top_p, uniform)
    counts = torch.bincount(tokens, minlength=row.numel())
    expected = reference_distribution(row, temperature, top_k, top_p)
    assert set(torch.nonzero(counts).flatten().tolist()) <= set(expected)
    for token, p in expected.items():
        assert abs(counts[token].item() - p * draws) <= 1.5
    if spread < 1:
        assert len(expected) > CANDIDATES


def test_greedy_sampler_is_argmax():
    logits = torch.tensor([[0.1, 2.0, -1.0], [3.0, 3.0, 0.0]])
    assert sample_tokens(logits, 0.0, 0, 1.0, None).tolist() == [1, 0]
