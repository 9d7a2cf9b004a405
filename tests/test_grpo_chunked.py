"""The GRPO training forward with the LM head applied in chunks: the same log-probabilities and gradients as
full logits (tiny models, sdpa and eager, both layouts, gradient checkpointing, LoRA, the reference model),
and a peak memory that does not grow with vocabulary x completion tokens."""

import weakref

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_map
from torch.utils.weak import WeakIdKeyDictionary

from helpers import run, tiny_config
from reasoncraft.testing import tiny_model
from reasoncraft.train.fused_loss import chunked_token_logprobs
from reasoncraft.train.grpo import _reference_logprobs
from reasoncraft.train.grpo_batch import (
    Rollout,
    completion_logprobs,
    packed_row_fits,
    pad_rollouts,
    shared_prompt_logprobs,
)
from reasoncraft.train.lora import apply_lora, enable_gradient_checkpointing


def test_chunked_token_logprobs_equal_a_plain_log_softmax():
    torch.manual_seed(0)
    hidden = torch.randn(13, 8, dtype=torch.float64, requires_grad=True)  # (K, H)
    weight = torch.randn(50, 8, dtype=torch.float64, requires_grad=True)  # (V, H)
    targets = torch.randint(0, 50, (13,))
    upstream = torch.randn(13, dtype=torch.float64)  # a non-uniform incoming gradient, as GRPO's loss gives
    logp, entropy = chunked_token_logprobs(hidden, weight, targets, temperature=0.7, chunk_tokens=4, with_entropy=True)
    (logp.double() * upstream).sum().backward()
    grads = hidden.grad.clone(), weight.grad.clone()
    hidden.grad = weight.grad = None
    full = torch.log_softmax((hidden @ weight.T) / 0.7, dim=-1)  # (K, V): the reference computation
    ref = full.gather(1, targets[:, None]).squeeze(1)
    (ref * upstream).sum().backward()
    assert torch.allclose(logp.double(), ref, atol=1e-5)
    assert torch.allclose(entropy.double(), -(full.exp() * full).sum(-1).detach(), atol=1e-5)
    assert torch.allclose(grads[0], hidden.grad, atol=1e-5) and torch.allclose(grads[1], weight.grad, atol=1e-5)
    with pytest.raises(ValueError, match="chunk_tokens must be >= 1"):
        chunked_token_logprobs(hidden, weight, targets, chunk_tokens=0)


def _rollouts(seed: int = 0) -> list[Rollout]:
    torch.manual_seed(seed)
    return [
        Rollout(g, prompt, torch.randint(20, 300, (2 + 3 * i,)).tolist(), [])
        for g, prompt in enumerate([[5, 6, 7, 8, 9], [10, 11, 12]])
        for i in range(3)
    ]


def _logprobs_and_grads(model, rollouts, pad_id, layout, chunk_tokens):
    """Log-probs, entropy and every trainable gradient of a GRPO-like loss (non-uniform weight per token)."""
    model.zero_grad()
    if layout == "shared":
        logp, entropy, batch = shared_prompt_logprobs(model, rollouts, 3, pad_id, 0.7, True, "cpu", chunk_tokens)
    else:
        batch = pad_rollouts(rollouts, pad_id)
        logp, entropy = completion_logprobs(model, batch, 0.7, True, chunk_tokens)
    mask = batch["completion_mask"]
    weights = torch.linspace(-1, 1, mask.numel()).view_as(mask)  # like advantages times clipped ratios
    (torch.exp(logp) * weights * mask).sum().backward()  # non-linear in logp, as the clipped ratio is
    grads = [p.grad.clone() for p in model.parameters() if p.requires_grad]
    return logp * mask, entropy * mask, grads


@pytest.mark.parametrize("arch, attention", [("llama", "sdpa"), ("qwen2", "eager")])
@pytest.mark.parametrize("layout", ["shared", "per_completion"])
@pytest.mark.parametrize("variant", ["plain", "checkpointing", "lora"])
def test_chunked_head_gives_the_full_logits_logprobs_and_gradients(arch, attention, layout, variant):
    model, tok = tiny_model(arch, attn_implementation=attention)
    if variant == "checkpointing":
        enable_gradient_checkpointing(model)
    if variant == "lora":
        model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj"])
        for name, p in model.named_parameters():  # adapters start at B = 0: give them a gradient path to check
            if "lora_B" in name:
                torch.nn.init.normal_(p, std=0.1)
    model.train()
    rollouts = _rollouts()
    full = _logprobs_and_grads(model, rollouts, tok.pad_token_id, layout, chunk_tokens=0)
    chunked = _logprobs_and_grads(model, rollouts, tok.pad_token_id, layout, chunk_tokens=3)
    assert torch.allclose(full[0], chunked[0], atol=1e-5)
    assert torch.allclose(full[1], chunked[1], atol=1e-5)
    assert len(full[2]) == len(chunked[2]) > 0
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(full[2], chunked[2]))


@pytest.mark.parametrize("lora", [False, True])
def test_reference_logprobs_chunked_equal_full(lora):
    model, tok = tiny_model("llama")
    reference = None
    if lora:
        model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj"])
    else:
        reference, _ = tiny_model("llama", seed=1)
    batch = pad_rollouts(_rollouts(1), tok.pad_token_id)
    full = _reference_logprobs(model, reference, batch, 0.7, 0)
    chunked = _reference_logprobs(model, reference, batch, 0.7, 2)
    mask = batch["completion_mask"]
    assert torch.allclose(full * mask, chunked * mask, atol=1e-5)
    assert not chunked.requires_grad


def test_training_with_a_chunked_head_matches_full_logits(tmp_path):
    """Two steps with beta > 0 (reference log-probs) and entropy logged: the same losses and metrics."""
    rows = []
    for chunk in (0, 5):
        _, summary = run(tiny_config(tmp_path / str(chunk), steps=2, beta=0.1, logprob_chunk_tokens=chunk))
        rows.append(summary["final_metrics"])
    for key in ("loss", "kl", "entropy", "grad_norm", "reward", "logprob_gap"):
        assert rows[0][key] == pytest.approx(rows[1][key], abs=1e-5), key


# --- memory ------------------------------------------------------------------------------------------------------


class PeakTensorBytes(TorchDispatchMode):
    """The high-water mark of the bytes held by tensors created inside the block (forward and backward)."""

    def __init__(self) -> None:
        super().__init__()
        self.live = self.peak = 0
        self._seen = WeakIdKeyDictionary()

    def _track(self, t):
        if isinstance(t, torch.Tensor) and t.untyped_storage() not in self._seen:
            storage = t.untyped_storage()
            size = storage.nbytes()
            self._seen[storage] = size
            self.live += size
            self.peak = max(self.peak, self.live)
            weakref.finalize(storage, self._free, size)

    def _free(self, size: int) -> None:
        self.live -= size

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        tree_map(self._track, out)
        return out


def _peak_bytes(model, completions: int, length: int, chunk_tokens: int) -> int:
    torch.manual_seed(0)
    vocab = model.get_output_embeddings().weight.shape[0]
    rollouts = [Rollout(0, [5, 6, 7, 8], torch.randint(20, vocab, (length,)).tolist(), []) for _ in range(completions)]
    batch = pad_rollouts(rollouts, 0)
    model.zero_grad()
    with PeakTensorBytes() as tracker:
        logp, _ = completion_logprobs(model, batch, 1.0, True, chunk_tokens)
        (logp * batch["completion_mask"]).sum().backward()
        del logp
    return tracker.peak


def _model_with_vocabulary(vocab: int):
    model, _ = tiny_model("llama")
    model.resize_token_embeddings(vocab, mean_resizing=False)
    return model.train()


def test_forward_peak_does_not_grow_with_vocabulary_times_completion_tokens():
    """Peak tensor memory of a training forward and backward over 4 completions, with an 8K vocabulary less
    the same with a 320-token one: what the vocabulary costs. With the head applied in chunks it is bounded by
    the vocabulary-sized parameters' gradients plus a few chunks of logits, whatever the completion length;
    full logits of 4 x 256 tokens are 32 MiB in fp32 alone, and autograd keeps several."""
    small, big, hidden, chunk = 320, 8192, 64, 32
    bound = 4 * (big - small) * hidden * 4 + 6 * chunk * big * 4  # bytes: weight gradients + a few chunks
    for length in (64, 256):
        cost = _peak_bytes(_model_with_vocabulary(big), 4, length, chunk) - _peak_bytes(
            _model_with_vocabulary(small), 4, length, chunk
        )
        assert cost <= bound, (length, cost, bound)
    full = _peak_bytes(_model_with_vocabulary(big), 4, 256, 0) - _peak_bytes(_model_with_vocabulary(small), 4, 256, 0)
    assert full > 4 * 256 * big * 4 > 2 * bound, (full, bound)  # the check would catch full logits


# --- layout switch ------------------------------------------------------------------------------------------------


def test_packed_row_fits_measures_prompt_plus_the_groups_completions():
    group = [Rollout(0, [1, 2, 3], [4] * 5, []), Rollout(0, [1, 2, 3], [4] * 2, [])]  # packed row: 3 + 7 = 10
    assert packed_row_fits(group, 2, 10) and packed_row_fits(group, 2, 0)
    assert not packed_row_fits(group, 2, 9)


def test_long_groups_train_one_row_per_completion_with_the_same_result(tmp_path):
    """Above shared_prompt_max_tokens a group trains as one row per completion: the same numbers as packing."""
    rows = []
    for name, overrides in {
        "packed": dict(shared_prompt_max_tokens=0),
        "switched": dict(shared_prompt_max_tokens=4),
        "unshared": dict(share_prompt_forward=False),
    }.items():
        _, summary = run(tiny_config(tmp_path / name, steps=2, **overrides))
        rows.append(summary["final_metrics"])
    for key in ("loss", "entropy", "grad_norm", "reward"):
        assert rows[0][key] == pytest.approx(rows[1][key], abs=1e-5), key
        assert rows[1][key] == rows[2][key], key  # the switched layout is the per-completion forward
