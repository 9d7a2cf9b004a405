"""SFT: completion-only loss on a hand-built batch, packing, memorisation, exact resume, LoRA, KL distillation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from helpers import MEMORISE, conversation, write_jsonl
from reasoncraft.config import ConfigError
from reasoncraft.testing import tiny_model, tiny_tokenizer
from reasoncraft.train.batching import IGNORE_INDEX, Example, collate_packed, pack, tokenize_chat
from reasoncraft.train.sft import completion_nll, distill_kl, mix, row_forward, train_sft
from reasoncraft.train.sft_config import SFTConfig


def test_prompt_tokens_carry_no_loss_on_a_hand_built_batch():
    model, tok = tiny_model("llama")
    a = tokenize_chat(tok, conversation("What is 2 + 3?", "5"))
    b = tokenize_chat(tok, conversation("Add 7 and 1.", "7 + 1 = 8"))
    # By hand: the prompt is the ChatML rendering up to and including "<|im_start|>assistant\n".
    for ex, (q, ans) in zip((a, b), (("What is 2 + 3?", "5"), ("Add 7 and 1.", "7 + 1 = 8"))):
        prompt_text = f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"
        n_prompt = len(tok(prompt_text, add_special_tokens=False)["input_ids"])
        completion_ids = tok(f"{ans}<|im_end|>\n", add_special_tokens=False)["input_ids"]
        assert ex.loss_mask == [False] * n_prompt + [True] * len(completion_ids)
        assert ex.input_ids[n_prompt:] == completion_ids
    batch = collate_packed([a, b])
    assert batch["input_ids"].shape == (1, len(a) + len(b))  # packed, no padding
    assert batch["position_ids"][0].tolist() == list(range(len(a))) + list(range(len(b)))
    with torch.no_grad():
        logits, targets = row_forward(model, batch, block_mask=True)
        nll, count = completion_nll(logits, targets)
        # Reference: each example alone, full logits, cross-entropy summed over its completion tokens only.
        expected, expected_count = 0.0, 0
        for ex in (a, b):
            full = model(input_ids=torch.tensor([ex.input_ids])).logits[0]  # (T, V)
            for t in range(1, len(ex)):
                if ex.loss_mask[t]:
                    expected -= torch.log_softmax(full[t - 1], -1)[ex.input_ids[t]].item()
                    expected_count += 1
    assert count == expected_count == sum(a.loss_mask) + sum(b.loss_mask)
    assert nll.item() == pytest.approx(expected, rel=1e-4)


def test_pack_refuses_an_example_over_budget_and_tokenize_cuts_the_completion():
    with pytest.raises(ValueError, match="exceeds the packing budget"):
        pack([Example([1] * 9, [True] * 9)], 8)
    tok = tiny_tokenizer()
    long = tokenize_chat(tok, conversation("q", "word " * 200), max_tokens=40)
    assert len(long) == 40 and not long.loss_mask[0] and long.loss_mask[-1]
    with pytest.raises(ValueError, match="end with an assistant message"):
        tokenize_chat(tok, [{"role": "user", "content": "q"}])


def test_distill_kl_matches_a_plain_loop():
    torch.manual_seed(0)
    s, t = torch.randn(5, 7), torch.randn(5, 7)
    targets = torch.tensor([3, IGNORE_INDEX, 1, 2, IGNORE_INDEX])
    expected = 0.0
    for i in (0, 2, 3):
        p = torch.softmax(t[i] / 2.0, -1)
        q = torch.softmax(s[i] / 2.0, -1)
        expected += float((p * (p.log() - q.log())).sum()) * 4.0
    assert distill_kl(s, t, targets, 2.0).item() == pytest.approx(expected, rel=1e-5)
    assert distill_kl(s, s, targets, 1.0).item() == pytest.approx(0.0, abs=1e-6)


def test_mixture_weights_take_subsets_and_repeats():
    mixed = mix([("r", list(range(10)), 0.3), ("o", list(range(4)), 2.0)], seed=1)
    assert sum(s == "r" for s, _ in mixed) == 3 and sum(s == "o" for s, _ in mixed) == 8
    assert mixed == mix([("r", list(range(10)), 0.3), ("o", list(range(4)), 2.0)], seed=1)


def test_tiny_model_memorises_16_examples(tmp_path):
    """Acceptance: a tiny model memorises 16 examples and reproduces >= 90% exactly with greedy decoding."""
    from reasoncraft.backends import HFBackend, SamplingParams
    from reasoncraft.models import load_model

    model, tok = tiny_model("llama")
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE)
    # Cosine decay lets the weights settle: at a constant 5e-3, Adam keeps oscillating late in training, and
    # a change of 1e-7 in one step's loss (a different attention kernel) moved the ending from 16/16 to 14/16.
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=256,
        gradient_accumulation_steps=2,
        max_steps=200,
        learning_rate=5e-3,
        lr_schedule="cosine",
        num_threads=1,
        out_dir=str(tmp_path / "run"),
        log_steps=0,
    )
    summary = train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    assert summary["final_metrics"]["loss"] < 0.2
    trained, trained_tok = load_model(str(tmp_path / "run" / "model"), device="cpu")  # the saved HF folder
    backend = HFBackend(trained, trained_tok)
    outs = backend.generate([m[:1] for m in MEMORISE], SamplingParams(temperature=0, max_new_tokens=32))
    exact = sum(o[0].text == m[1]["content"] for o, m in zip(outs, MEMORISE))
    print({"memorised_exactly": exact, "of": len(MEMORISE), "final_loss": summary["final_metrics"]["loss"]})
    assert exact >= 15, [o[0].text for o in outs]
    card = (tmp_path / "run" / "model" / "README.md").read_text()
    assert "train sft" in card and "16 examples" in card
    assert (tmp_path / "run" / "run.json").exists() and (tmp_path / "run" / "metrics.png").exists()


class Crash(RuntimeError):
    pass


def _final_weights(run: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(run / "model" / "model.safetensors")


def test_exact_resume_matches_an_uninterrupted_run(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE)
    common = dict(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=96,
        gradient_accumulation_steps=2,
        max_steps=6,
        learning_rate=1e-3,
        save_steps=3,
        log_steps=1,
        num_threads=1,
    )
    model, tok = tiny_model("llama")
    train_sft(SFTConfig(**common, out_dir=str(tmp_path / "straight")), model=model, tokenizer=tok, log=lambda m: None)

    def crash_at_step_4(message: str) -> None:
        if message.startswith("step 4/"):
            raise Crash(message)

    model, tok = tiny_model("llama")
    broken = SFTConfig(**common, out_dir=str(tmp_path / "resumed"))
    with pytest.raises(Crash):
        train_sft(broken, model=model, tokenizer=tok, log=crash_at_step_4)
    model, tok = tiny_model("llama")  # a fresh process would start from the initial weights
    train_sft(broken, model=model, tokenizer=tok, resume=str(tmp_path / "resumed"), log=lambda m: None)
    a, b = _final_weights(tmp_path / "straight"), _final_weights(tmp_path / "resumed")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    rows = [json.loads(line) for line in (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]


def test_lora_trains_only_adapters_and_saves_a_merged_model(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    model, tok = tiny_model("qwen2")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    config = SFTConfig(
        model="tiny",
        datasets=[{"path": str(data), "weight": 1.0}],
        max_seq_length=64,
        micro_batch_tokens=128,
        max_steps=3,
        learning_rate=1e-2,
        lora_r=4,
        out_dir=str(tmp_path / "run"),
        gradient_checkpointing=True,
        eval_task="arith-sum-2d",
        eval_problems=3,
        eval_max_new_tokens=6,
        log_steps=0,
        num_threads=1,
    )
    summary = train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    assert set(summary["evaluation"]) == {"before", "after"} and summary["evaluation"]["after"]["problems"] == 3
    card = (tmp_path / "run" / "model" / "README.md").read_text()
    for when in ("before", "after"):
        assert f"held-out `arith-sum-2d` (split `test`, greedy, 3 problems) {when} training" in card
        assert (tmp_path / "run" / "eval" / when / "summary.json").exists()  # reasoncraft.evaluate's outputs
    base = {k: v for k, v in model.state_dict().items() if "lora" not in k}
    assert any("lora_B" in k for k in model.state_dict())
    for name, value in base.items():  # the base weights stayed frozen
        original = name.replace("base_model.model.", "").replace(".base_layer", "")
        assert torch.equal(value, before[original]), name
    merged = _final_weights(tmp_path / "run")
    assert not all(torch.equal(merged[k], before[k]) for k in merged if k in before)  # adapters merged in


def test_kl_distillation_from_the_same_model_starts_at_zero_and_tokenizers_must_match(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    model, tok = tiny_model("llama")
    teacher, _ = tiny_model("llama")  # same seed: same weights as the student at step 0
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=256,
        max_steps=2,
        teacher="tiny-teacher",
        distill_alpha=1.0,
        out_dir=str(tmp_path / "run"),
        save_model=False,
        log_steps=0,
        num_threads=1,
    )
    train_sft(config, model=model, tokenizer=tok, teacher=teacher, log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert rows[0]["kl"] == pytest.approx(0.0, abs=1e-6) and rows[0]["loss"] == pytest.approx(0.0, abs=1e-6)
    from reasoncraft.train.sft import tokenizers_match

    assert tokenizers_match(tok, tiny_tokenizer()) and not tokenizers_match(tok, tiny_tokenizer(vocab_size=300))


def test_config_is_validated_at_the_edge():
    with pytest.raises(ConfigError, match="micro_batch_tokens must hold the longest example"):
        SFTConfig(max_seq_length=512, micro_batch_tokens=256)
    with pytest.raises(ConfigError, match="weights must be >= 0"):
        SFTConfig(datasets=[{"path": "x", "weight": -1}])


@pytest.mark.parametrize("name", ["batching", "sft"])
def test_module_doctests(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"reasoncraft.train.{name}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_best_fit_packing_against_a_plain_loop():
    import random

    from reasoncraft.train.batching import pack_best_fit

    rng = random.Random(0)
    examples = [Example([1] * n, [True] * n) for n in (rng.randint(1, 60) for _ in range(200))]
    rows = pack_best_fit(examples, 64)
    assert sorted(id(e) for row in rows for e in row) == sorted(id(e) for e in examples)  # each example once
    assert all(sum(len(e) for e in row) <= 64 for row in rows)
    # Reference: the same best-fit-decreasing rule written as a plain scan over the rows.
    bins: list[int] = []
    for n in sorted((len(e) for e in examples), reverse=True):
        fits = [i for i, used in enumerate(bins) if used + n <= 64]
        if fits:
            best = max(fits, key=lambda i: (bins[i], -i))
            bins[best] += n
        else:
            bins.append(n)
    assert len(rows) == len(bins) and sorted(sum(len(e) for e in r) for r in rows) == sorted(bins)
    assert len(rows) <= len(pack(examples, 64))


def test_gradient_accumulation_equals_one_big_row():
    """Two rows accumulated in one optimizer step move the weights exactly as one row holding both."""
    from reasoncraft.train.sft import sft_step

    examples = [tokenize_chat(tiny_tokenizer(), m) for m in MEMORISE[:6]]
    results = []
    for rows in ([examples[:3], examples[3:]], [examples]):
        model, _ = tiny_model("llama")
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(params, lr=1.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
        out = sft_step(
            model,
            rows,
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=0.0,
            block_mask=True,
            device="cpu",
        )
        results.append((out, [p.detach().clone() for p in params]))
    (split, split_params), (whole, whole_params) = results
    assert split["completion_tokens"] == whole["completion_tokens"]
    assert split["loss"] == pytest.approx(whole["loss"], rel=1e-5)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(split_params, whole_params))


def test_a_template_that_drops_the_reasoning_is_refused():
    tok = tiny_tokenizer()
    # Like DeepSeek-R1-Distill's template: assistant turns keep only the text after </think>.
    tok.chat_template = (
        "{% for m in messages %}{% set c = m['content'] %}{% if m['role'] == 'assistant' and '</think>' in c %}"
        "{% set c = c.split('</think>')[-1] %}{% endif %}{{ '<|im_start|>' + m['role'] + '\\n' + c + '<|im_end|>\\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
    )
    with pytest.raises(ValueError, match="changes the assistant message"):
        tokenize_chat(tok, conversation("2 + 2?", "<think>2 + 2 = 4</think><answer>4</answer>"))
    assert sum(tokenize_chat(tok, conversation("2 + 2?", "<answer>4</answer>")).loss_mask) > 0


@pytest.mark.gpu
def test_packed_rows_and_memorisation_on_cuda(tmp_path):
    """On a GPU: the packed row matches separate examples, and the trainer learns in bf16 on CUDA."""
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    model, tok = tiny_model("qwen2")
    model = model.to("cuda")
    a, b = (tokenize_chat(tok, m) for m in MEMORISE[:2])
    batch = {k: v.to("cuda") for k, v in collate_packed([a, b]).items()}
    with torch.no_grad():
        packed = model(
            input_ids=batch["input_ids"], position_ids=batch["position_ids"], attention_mask=batch["attention_mask"]
        ).logits[0]
        alone = torch.cat([model(input_ids=torch.tensor([e.input_ids], device="cuda")).logits[0] for e in (a, b)])
    assert torch.allclose(packed, alone, atol=1e-4)
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE)
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=256,
        gradient_accumulation_steps=2,
        max_steps=200,
        learning_rate=5e-3,
        lr_schedule="constant",
        out_dir=str(tmp_path / "run"),
        log_steps=0,
        save_model=False,
    )
    summary = train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    assert summary["final_metrics"]["loss"] < 0.2


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_packed_row_equals_examples_alone(attention):
    """The block-diagonal mask keeps packed examples apart under both attention implementations."""
    model, tok = tiny_model("llama", attn_implementation=attention)
    a, b = (tokenize_chat(tok, m) for m in MEMORISE[:2])
    batch = collate_packed([a, b])
    with torch.no_grad():
        logits, targets = row_forward(model, batch, block_mask=True)
        alone = []
        for e in (a, b):
            full = model(input_ids=torch.tensor([e.input_ids])).logits[0]  # (T, V)
            alone += [full[t - 1] for t in range(1, len(e)) if e.loss_mask[t]]
    assert model.config._attn_implementation == attention
    assert torch.allclose(logits, torch.stack(alone), atol=1e-5)


def _old_path_loss(model, row):
    """The loss as the trainer computed it before rows of one example dropped their mask: an additive
    block-diagonal mask built by a plain loop, on every row, whatever the attention implementation."""
    ids = [t for e in row for t in e.input_ids]
    owner = [k for k, e in enumerate(row) for _ in range(len(e))]
    L = len(ids)
    mask = torch.full((1, 1, L, L), torch.finfo(torch.float32).min)
    for q in range(L):
        for k in range(q + 1):
            if owner[q] == owner[k]:
                mask[0, 0, q, k] = 0.0
    positions = [i for e in row for i in range(len(e))]
    logits = model(
        input_ids=torch.tensor([ids]), position_ids=torch.tensor([positions]), attention_mask=mask, use_cache=False
    ).logits[0]  # (L, V)
    nll, count = torch.zeros(()), 0
    for t in range(L - 1):
        e_next = row[owner[t + 1]]
        if owner[t + 1] == owner[t] and e_next.loss_mask[positions[t + 1]]:
            nll = nll - torch.log_softmax(logits[t], -1)[ids[t + 1]]
            count += 1
    return nll / count


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_fast_path_loss_and_gradients_equal_the_old_masked_path(attention):
    """One example alone (no mask now) and two packed (boolean mask under SDPA): same loss and gradients
    as the old additive-mask path, within 1e-5 relative."""
    model, tok = tiny_model("llama", attn_implementation=attention)
    a, b = (tokenize_chat(tok, m) for m in MEMORISE[:2])
    for row in ([a], [a, b]):
        batch = collate_packed(row)
        assert ("attention_mask" in batch) == (len(row) > 1)
        model.zero_grad()
        logits, targets = row_forward(model, batch, block_mask=True)
        nll, count = completion_nll(logits, targets)
        (nll / count).backward()
        new_grads = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()
        old = _old_path_loss(model, row)
        old.backward()
        assert (nll / count).item() == pytest.approx(old.item(), rel=1e-5)
        for new, p in zip(new_grads, model.parameters()):
            assert torch.allclose(new, p.grad, rtol=1e-5, atol=1e-7)


def test_bf16_autocast_is_close_to_fp32_and_trains(tmp_path):
    """Mixed precision: same loss as fp32 to bf16 accuracy on a fixed batch; weights stay fp32; the loss falls."""
    from reasoncraft.train.sft import sft_step

    examples = [tokenize_chat(tiny_tokenizer(), m) for m in MEMORISE[:4]]
    losses = {}
    for autocast in (False, True):
        model, _ = tiny_model("llama")
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(params, lr=0.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
        losses[autocast] = sft_step(
            model,
            [examples[:2], examples[2:]],
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=1.0,
            block_mask=True,
            device="cpu",
            autocast_bf16=autocast,
        )
        assert all(p.dtype == torch.float32 for p in params)
    assert losses[True]["loss"] == pytest.approx(losses[False]["loss"], rel=2e-2)
    assert losses[True]["loss"] != losses[False]["loss"]  # bf16 really ran
    model, tok = tiny_model("llama")
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE)
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=256,
        max_steps=30,
        learning_rate=5e-3,
        autocast_bf16=True,
        out_dir=str(tmp_path / "run"),
        log_steps=0,
        save_model=False,
        num_threads=1,
    )
    train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["loss"] < 0.5 * rows[0]["loss"]


def test_packing_none_gives_one_example_per_row_in_an_order_set_by_the_seed_alone():
    """Two datasets of the same problems (different traces, different lengths) are visited in the same order."""
    from reasoncraft.train.sft import PackedStream

    short = [Example([i] * 3, [True] * 3) for i in range(10)]
    long = [Example([i] * (20 + i), [True] * (20 + i)) for i in range(10)]
    a, b = PackedStream(short, 64, seed=3, packing="none"), PackedStream(long, 64, seed=3, packing="none")
    order_a = [a.take()[0].input_ids[0] for _ in range(25)]  # into the third epoch
    order_b = [b.take()[0].input_ids[0] for _ in range(25)]
    assert order_a == order_b
    assert sorted(order_a[:10]) == list(range(10)) and order_a[:10] != list(range(10))  # each once per epoch, shuffled
    assert order_a[:10] != order_a[10:20]  # a fresh order each epoch
    other = PackedStream(short, 64, seed=4, packing="none")
    assert [other.take()[0].input_ids[0] for _ in range(10)] != order_a[:10]  # the seed sets the order
    with pytest.raises(ConfigError, match="packing must be bfd, greedy or none"):
        SFTConfig(packing="bestfit")
