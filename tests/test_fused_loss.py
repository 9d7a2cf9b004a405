"""The LM head fused with the cross-entropy in chunks: the same loss and gradients as full logits, and the
trainer's use of it."""

from __future__ import annotations

import json

import pytest
import torch

from reasoncraft.testing import tiny_model
from reasoncraft.train.batching import IGNORE_INDEX, tokenize_chat
from reasoncraft.train.fused_loss import fused_head, fused_linear_nll, head_is_exact
from reasoncraft.train.sft import sft_step, train_sft
from reasoncraft.train.sft_config import SFTConfig

CHATS = [
    [{"role": "user", "content": f"What is {a} + {b}?"}, {"role": "assistant", "content": f"{a} + {b} = {a + b}"}]
    for a, b in ((2, 3), (7, 1), (4, 4), (9, 6), (5, 8), (1, 1))
]


def reference(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(
        (hidden @ weight.T).float(), targets, ignore_index=IGNORE_INDEX, reduction="sum"
    )


@pytest.mark.parametrize("chunk", [1, 5, 8, 1000])
def test_value_and_gradients_equal_full_logits(chunk):
    """Against plain cross-entropy on full logits: chunks that do not divide K, ignored positions, a scaled loss."""
    torch.manual_seed(0)
    hidden = torch.randn(37, 16, requires_grad=True)  # (K, H)
    weight = torch.randn(50, 16, requires_grad=True)  # (V, H)
    targets = torch.randint(0, 50, (37,))
    targets[::5] = IGNORE_INDEX
    (reference(hidden, weight, targets) * 0.3).backward()
    want = hidden.grad.clone(), weight.grad.clone()
    hidden.grad = weight.grad = None
    nll, count = fused_linear_nll(hidden, weight, targets, chunk_tokens=chunk)
    (nll * 0.3).backward()
    assert count == int((targets != IGNORE_INDEX).sum()) == 29
    assert nll.item() == pytest.approx(reference(hidden, weight, targets).item(), rel=1e-6)
    assert torch.allclose(hidden.grad, want[0], atol=1e-5) and torch.allclose(weight.grad, want[1], atol=1e-5)


def test_frozen_head_gets_no_gradient_and_bf16_matches_autocast():
    torch.manual_seed(1)
    hidden = torch.randn(20, 16, requires_grad=True)
    weight = torch.randn(50, 16)  # frozen, as under LoRA
    targets = torch.randint(0, 50, (20,))
    nll, _ = fused_linear_nll(hidden, weight, targets, chunk_tokens=7)
    nll.backward()
    assert weight.grad is None and hidden.grad is not None
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = hidden @ weight.T  # bf16 under autocast
    expected = torch.nn.functional.cross_entropy(logits.float(), targets, reduction="sum")
    bf16, _ = fused_linear_nll(hidden, weight, targets, chunk_tokens=7, compute_dtype=torch.bfloat16)
    assert bf16.item() == pytest.approx(expected.item(), rel=1e-5)
    assert bf16.item() != pytest.approx(nll.item(), rel=1e-6)  # the bf16 matmul really ran


def test_no_gradient_needed_gives_the_value_only():
    torch.manual_seed(2)
    hidden, weight, targets = torch.randn(9, 8), torch.randn(30, 8), torch.randint(0, 30, (9,))
    nll, _ = fused_linear_nll(hidden, weight, targets, chunk_tokens=4)
    assert not nll.requires_grad and nll.item() == pytest.approx(reference(hidden, weight, targets).item(), rel=1e-6)
    with pytest.raises(ValueError, match="chunk_tokens must be >= 1"):
        fused_linear_nll(hidden, weight, targets, chunk_tokens=0)


@pytest.mark.parametrize("tied, checkpointing", [(True, False), (False, False), (True, True)])
def test_an_sft_step_moves_the_weights_as_the_logits_path_does(tied, checkpointing):
    """Two rows accumulated, tied and untied embeddings, with and without gradient checkpointing: the fused
    step equals the step on completion logits."""
    from reasoncraft.train.lora import enable_gradient_checkpointing

    results = []
    for fused in (False, True):
        model, tok = tiny_model("llama", tie_word_embeddings=tied)
        if checkpointing:
            enable_gradient_checkpointing(model)
            model.train()
        examples = [tokenize_chat(tok, m) for m in CHATS]
        head = fused_head(model) if fused else None
        assert not fused or head is not None
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(params, lr=1.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
        out = sft_step(
            model,
            [examples[:3], examples[3:]],
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=0.0,
            block_mask=True,
            device="cpu",
            head=head,
            chunk_tokens=7,
        )
        results.append((out["loss"], [p.detach().clone() for p in params]))
    (loss_a, params_a), (loss_b, params_b) = results
    assert loss_b == pytest.approx(loss_a, rel=1e-5)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(params_a, params_b))


def test_a_model_that_rescales_its_logits_falls_back_to_full_logits(tmp_path):
    model, tok = tiny_model("llama")
    probe = torch.tensor([tokenize_chat(tok, CHATS[0]).input_ids[:16]])
    decoder, weight = fused_head(model)
    assert head_is_exact(model, decoder, weight, probe)
    forward = model.forward
    model.forward = lambda *a, **k: type(forward(*a, **k))(logits=forward(*a, **k).logits * 0.5)  # like logit_scale
    assert not head_is_exact(model, decoder, weight, probe)
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"messages": m}) + "\n" for m in CHATS))
    lines: list[str] = []
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=128,
        max_steps=1,
        out_dir=str(tmp_path / "run"),
        save_model=False,
        num_threads=1,
    )
    train_sft(config, model=model, tokenizer=tok, log=lines.append)
    assert "not its decoder times a plain LM head" in lines[0]
    model, tok = tiny_model("llama")
    lines.clear()
    train_sft(config, model=model, tokenizer=tok, log=lines.append)
    assert "fused with the cross-entropy in chunks of 256" in lines[0]


def test_lora_uses_the_fused_loss_and_matches_the_logits_path():
    pytest.importorskip("peft")
    from reasoncraft.train.lora import apply_lora

    losses = []
    for fused in (False, True):
        model, tok = tiny_model("llama")
        model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj"])
        head = fused_head(model)
        assert head is not None and not head[1].requires_grad  # the head is frozen under LoRA
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(params, lr=1.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
        examples = [tokenize_chat(tok, m) for m in CHATS]
        out = sft_step(
            model,
            [examples],
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=0.0,
            block_mask=True,
            device="cpu",
            head=head if fused else None,
        )
        losses.append((out["loss"], [p.detach().clone() for p in params]))
    assert losses[1][0] == pytest.approx(losses[0][0], rel=1e-5)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(losses[0][1], losses[1][1]))
