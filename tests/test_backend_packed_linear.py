"""Decode steps through oneDNN's pre-packed weights: the same products as `F.linear` (float rounding apart),
the same greedy tokens and log-probs as the unpacked path, fresh copies after a weight changes, and the model
handed back untouched, and the copies kept between calls until a weight changes."""

from __future__ import annotations

import pytest
import torch

from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.backends.packed_linear import PackedLinears, packing_available
from reasoncraft.testing import tiny_model

pytestmark = pytest.mark.skipif(not packing_available(), reason="this torch build has no oneDNN linear ops")

CHATS = [[{"role": "user", "content": "What is 2 + 3?"}], [{"role": "user", "content": "Name a prime."}]]


@pytest.fixture(params=["llama", "qwen2"])
def tiny(request):
    return tiny_model(request.param, seed=11)


def _linears(model):
    return [m for m in model.modules() if type(m) is torch.nn.Linear]


def test_products_equal_f_linear_for_decode_shapes_with_and_without_bias():
    gen = torch.Generator().manual_seed(0)
    for bias in (False, True):
        layer = torch.nn.Linear(96, 300, bias=bias)
        packed = PackedLinears(layer, rows_hint=8)
        assert packed.modules == [layer]
        for shape in [(8, 1, 96), (3, 96), (1, 1, 96)]:
            x = torch.randn(*shape, generator=gen)
            with torch.inference_mode():
                want = torch.nn.functional.linear(x, layer.weight, layer.bias)
                with packed.active():
                    got = layer(x)
                    assert len(packed._packed) == 1  # this call went through the packed weight
            assert "forward" not in layer.__dict__ and len(packed._packed) == 1
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_longer_inputs_and_gradients_take_the_module_own_forward():
    layer = torch.nn.Linear(16, 8)
    packed = PackedLinears(layer, rows_hint=4)
    x = torch.randn(2, 5, 16, requires_grad=True)
    with packed.active():
        out = layer(x[:, :1])  # single position, but gradients on: the plain forward
        assert out.grad_fn is not None
        out.sum().backward()
        with torch.no_grad():
            layer(x[:, :1])
        assert len(packed._packed) == 1  # only the no-grad single-position call packed
    assert x.grad is not None and "forward" not in layer.__dict__
    assert "forward" not in layer.__dict__


def test_greedy_tokens_and_logprobs_equal_the_unpacked_path(tiny):
    model, tok = tiny
    sampling = SamplingParams(n=3, temperature=0.0, max_new_tokens=40, logprobs=True)
    plain = HFBackend(model, tok, packed_decode=False, fused_decode=False).generate(CHATS, sampling)
    packed_backend = HFBackend(model, tok, packed_decode=True, fused_decode=False)
    packed = packed_backend.generate(CHATS, sampling)
    for a_row, b_row in zip(plain, packed):
        for a, b in zip(a_row, b_row):
            assert a.token_ids == b.token_ids
            torch.testing.assert_close(torch.tensor(b.logprobs), torch.tensor(a.logprobs), rtol=1e-4, atol=1e-4)
    # the model is handed back as it was (no wrapped forwards); the copies stay for the next call until released
    assert all("forward" not in m.__dict__ for m in _linears(model))
    assert packed_backend._packed is not None and len(packed_backend._packed._packed) == len(_linears(model))
    packed_backend.release_packed()
    assert not packed_backend._packed._packed
    assert len(packed_backend._packed.modules) == len(_linears(model))


def test_a_changed_weight_is_repacked(tiny):
    model, tok = tiny
    sampling = SamplingParams(n=2, temperature=0.0, max_new_tokens=12, logprobs=True)
    backend = HFBackend(model, tok, packed_decode=True, fused_decode=False)
    backend.generate(CHATS, sampling)
    with torch.no_grad():  # an optimizer step: in place, same storage, a new version
        for m in _linears(model):
            m.weight.mul_(1.5)
    after = backend.generate(CHATS, sampling)
    want = HFBackend(model, tok, packed_decode=False, fused_decode=False).generate(CHATS, sampling)
    for a_row, b_row in zip(want, after):
        for a, b in zip(a_row, b_row):
            assert a.token_ids == b.token_ids
            torch.testing.assert_close(torch.tensor(b.logprobs), torch.tensor(a.logprobs), rtol=1e-4, atol=1e-4)


def test_wrapped_and_non_plain_modules_are_left_alone():
    class Scaled(torch.nn.Linear):  # a subclass (as LoRA or quantised layers are) keeps its own forward
        pass

    model = torch.nn.Sequential(torch.nn.Linear(4, 4), Scaled(4, 4), torch.nn.Linear(4, 4).to(torch.float64))
    hooked = torch.nn.Linear(4, 4)
    hooked.forward = hooked.forward  # an instance-level wrapper, as accelerate's hooks install
    model.append(hooked)
    packed = PackedLinears(model, rows_hint=2)
    assert packed.modules == [model[0]]


def test_auto_packing_steps_aside_when_memory_is_short(tiny, monkeypatch):
    import reasoncraft.backends.hf as hf

    model, tok = tiny
    sampling = SamplingParams(n=1, temperature=0.0, max_new_tokens=4)
    entered = []
    real_active = hf.PackedLinears.active

    def spy(self):
        entered.append(self)
        return real_active(self)

    monkeypatch.setattr(hf.PackedLinears, "active", spy)
    monkeypatch.setattr(hf, "available_bytes", lambda: 1024)  # far less than twice the weights
    HFBackend(model, tok, fused_decode=False).generate(CHATS, sampling)  # automatic: decodes unpacked
    assert entered == []
    HFBackend(model, tok, packed_decode=True, fused_decode=False).generate(
        CHATS, sampling
    )  # asked for: packs whatever the memory
    assert len(entered) == 1
    monkeypatch.setattr(hf, "available_bytes", lambda: None)  # memory unknown: packs
    HFBackend(model, tok, fused_decode=False).generate(CHATS, sampling)
    assert len(entered) == 2


def test_copies_are_packed_once_across_calls_and_again_after_an_update(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok, packed_decode=True, fused_decode=False)
    sampling = SamplingParams(n=2, temperature=0.0, max_new_tokens=6)
    backend.generate(CHATS, sampling)
    first = {key: entry[1] for key, entry in backend._packed._packed.items()}
    assert len(first) == len(_linears(model))
    backend.generate(CHATS, sampling)
    again = backend._packed._packed
    assert all(again[key][1] is tensor for key, tensor in first.items())  # unchanged weights: not packed again
    with torch.no_grad():
        model.lm_head.weight.mul_(1.0)  # an in-place update bumps the version
    backend.generate(CHATS, sampling)
    assert backend._packed._packed[id(model.lm_head)][1] is not first[id(model.lm_head)]


def test_a_model_in_training_gets_its_copies_freed_after_each_call(tiny):
    model, tok = tiny
    backend = HFBackend(model, tok, packed_decode=True, fused_decode=False)
    sampling = SamplingParams(n=1, temperature=0.0, max_new_tokens=4)
    model.train()
    try:
        backend.generate(CHATS, sampling)
        assert model.training and not backend._packed._packed  # a trainer's next step changes every weight
    finally:
        model.eval()
    backend.generate(CHATS, sampling)
    assert backend._packed._packed  # an evaluating model keeps them for the next call


def test_held_copies_count_as_free_memory_and_are_dropped_when_packing_steps_aside(tiny, monkeypatch):
    import reasoncraft.backends.hf as hf

    model, tok = tiny
    sampling = SamplingParams(n=1, temperature=0.0, max_new_tokens=4)
    backend = HFBackend(model, tok, fused_decode=False)
    backend.generate(CHATS, sampling)  # plenty of memory: packs and keeps the copies (eval mode)
    assert backend._packed.holding
    size = backend._packed.nbytes
    monkeypatch.setattr(hf, "available_bytes", lambda: size)  # with the held copies counted: exactly enough
    backend.generate(CHATS, sampling)
    assert backend._packed.holding
    monkeypatch.setattr(hf, "available_bytes", lambda: 0)  # not even with them: unpacked, and the copies go
    backend.generate(CHATS, sampling)
    assert not backend._packed.holding
