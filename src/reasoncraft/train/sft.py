"""Supervised fine-tuning on reasoning traces, with optional distillation from a teacher's logits.

DeepSeek-R1 (arXiv 2501.12948) fine-tunes on verified reasoning traces twice: a few thousand
cold-start traces before RL, and ~800K traces (600K reasoning, 200K other) for the distilled
students, which are "only SFT, no RL". This trainer does that step:

* the loss is the cross-entropy of the assistant's tokens only (the prompt carries no loss), averaged
  over every completion token of an optimizer step, however the step is split into micro-batches;
* the chat template of the student renders each example (`batching.tokenize_chat`);
* examples are packed without padding (`batching.pack_best_fit`, or greedily in order), kept apart by a
  block-diagonal causal mask where a row holds several (by position ids under flash attention; a row
  of one example needs no mask, which keeps SDPA on its causal fast path); only positions that predict a
  completion token go through the LM head, so prompt logits are never computed, and the head is fused with
  the cross-entropy in chunks (`fused_loss.py`), so the completion logits are never held whole either;
* several datasets are mixed with weights, full fine-tuning or LoRA, gradient accumulation, and the
  shared mechanics of `train/`: the run lifecycle (`run.py`: output folder, seed, run record, metrics and
  trackers, checkpoints and exact resume, held-out evaluation before and after, the final Hugging Face
  folder with its model card), AdamW and the guarded step (`optim.py`);
* optional classical distillation (Hinton et al. 2015): with `teacher` set, the loss is
  (1 - alpha) * CE + alpha * T^2 * KL(p_teacher^T || p_student^T) on the same completion tokens,
  which needs the teacher and student to share a tokenizer (checked). The article contrasts this
  with SFT on teacher outputs, which needs no shared vocabulary.

Launch:  reasoncraft train sft configs/sft_countdown_shortcut.yaml [key=value ...] [--resume RUN_DIR]
or from Python: `train_sft(load_config(SFTConfig, path, overrides))`.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from ..backends import HFBackend
from ..config import ConfigError
from ..models import load_model, weights_hash
from ..record import count_parameters
from ..samples import iter_jsonl
from ..tasks import get_task
from .batching import IGNORE_INDEX, Example, collate_packed, pack, pack_best_fit, shifted_targets, tokenize_chat
from .fused_loss import fused_head, fused_linear_nll, head_is_exact
from .held_out import held_out_eval
from .lora import apply_lora, enable_gradient_checkpointing
from .optim import guarded_step, optimizer_for
from .run import TrainingRun
from .sft_config import SFTConfig, check_datasets

# --- the loss: pure functions of tensors ----------------------------------------------------------


def completion_nll(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Summed negative log-likelihood of the targets that carry loss, and how many there are.

    logits (K, V) at the K positions kept, targets (K,) with IGNORE_INDEX where there is no loss.
    """
    nll = torch.nn.functional.cross_entropy(logits.float(), targets, ignore_index=IGNORE_INDEX, reduction="sum")
    return nll, int((targets != IGNORE_INDEX).sum())


def distill_kl(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, targets: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Summed KL(p_teacher || p_student) at `temperature` over the positions with a target, times T^2.

    T^2 keeps the gradient scale independent of T (Hinton et al. 2015, §2). Shapes: (K, V), (K, V), (K,).
    """
    keep = targets != IGNORE_INDEX  # (K,)
    s = torch.log_softmax(student_logits[keep].float() / temperature, dim=-1)  # (k, V)
    t = torch.log_softmax(teacher_logits[keep].float() / temperature, dim=-1)  # (k, V)
    return (t.exp() * (t - s)).sum() * temperature**2


# --- data ------------------------------------------------------------------------------------------


def read_messages(path: str | Path, field: str = "messages") -> list[list[dict]]:
    """The conversations of a JSONL file; a row without `field` is an error naming the line."""
    rows = []
    for number, row in iter_jsonl(path):
        if field not in row:
            raise ValueError(f"{path}:{number}: no {field!r} column; set messages_field to the column of chat messages")
        rows.append(row[field])
    if not rows:
        raise ValueError(f"{path} holds no examples")
    return rows


def mix(sources: Sequence[tuple[str, list, float]], seed: int) -> list[tuple[str, Any]]:
    """Weighted mixture: weight w takes floor(w) full copies of a source plus a seeded w - floor(w) share.

    >>> [s for s, _ in mix([("a", [1, 2, 3, 4], 0.5), ("b", [5], 2.0)], seed=0)]
    ['a', 'a', 'b', 'b']
    """
    out = []
    for name, rows, weight in sources:
        whole, part = int(weight), weight - int(weight)
        out += [(name, r) for _ in range(whole) for r in rows]
        if part > 0:
            rng = random.Random(f"{seed}|{name}")
            take = sorted(rng.sample(range(len(rows)), round(part * len(rows))))
            out += [(name, rows[i]) for i in take]
    return out


class PackedStream:
    """Packed rows in a fresh seeded order each epoch; its position (epoch, row) resumes exactly.

    `packing`: "bfd" packs rows by best-fit decreasing, then shuffles the rows; "greedy" shuffles the
    examples, then packs them in order; "none" gives each example a row of its own in shuffled order,
    so two datasets of equally many examples are visited in the same order (same problems per step).
    """

    def __init__(
        self,
        examples: Sequence[Example],
        max_tokens: int,
        seed: int,
        epoch: int = 0,
        row: int = 0,
        packing: str = "bfd",
    ):
        if not examples:
            raise ValueError("no training examples")
        self.examples, self.max_tokens, self.seed, self.packing = list(examples), max_tokens, seed, packing
        self.epoch, self.row = epoch, row
        self.rows = self._pack()

    def _pack(self) -> list[list[Example]]:
        rng = random.Random(self.seed * 1_000_003 + self.epoch)
        if self.packing == "bfd":
            rows = pack_best_fit(self.examples, self.max_tokens)
            rng.shuffle(rows)
            return rows
        order = list(range(len(self.examples)))
        rng.shuffle(order)
        if self.packing == "none":
            return [[self.examples[i]] for i in order]
        return pack([self.examples[i] for i in order], self.max_tokens)

    def take(self) -> list[Example]:
        if self.row == len(self.rows):
            self.epoch, self.row = self.epoch + 1, 0
            self.rows = self._pack()
        row = self.rows[self.row]
        self.row += 1
        return row

    def state(self) -> dict:
        return {"epoch": self.epoch, "row": self.row}


def load_examples(config: SFTConfig, tokenizer: Any) -> list[Example]:
    sources = [
        (str(path), read_messages(path, config.messages_field), weight) for path, weight in config.dataset_weights()
    ]
    return [
        tokenize_chat(tokenizer, messages, config.max_seq_length, source)
        for source, messages in mix(sources, config.seed)
    ]


def tokenizers_match(a: Any, b: Any) -> bool:
    """Whether two tokenizers map the same strings to the same ids (needed for logit distillation)."""
    return a.get_vocab() == b.get_vocab()


# --- one optimizer step ------------------------------------------------------------------------------


def _row_inputs(model: Any, batch: dict, block_mask: bool) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """Forward keyword arguments for one packed row, the indices (K,) of the positions that predict a completion
    token, and those tokens (K,)."""
    targets = shifted_targets(batch["labels"], batch["position_ids"])[0]  # (L,)
    keep = (targets != IGNORE_INDEX).nonzero().squeeze(-1)  # (K,)
    # No mask (a row of one example, or flash kernels reading position ids): causal attention, which keeps
    # SDPA on its fast path. With one: SDPA takes the boolean block mask as is; eager adds the mask to the
    # scores, so it gets an additive one in the model's dtype.
    mask = batch.get("attention_mask") if block_mask else None  # (1, 1, L, L) bool or None
    if mask is not None and getattr(model.config, "_attn_implementation", None) != "sdpa":
        dtype = next(model.parameters()).dtype
        mask = torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(~mask, torch.finfo(dtype).min)
    inputs = {
        "input_ids": batch["input_ids"],
        "position_ids": batch["position_ids"],
        "attention_mask": mask,
        "use_cache": False,
    }
    return inputs, keep, targets[keep]


def row_forward(model: Any, batch: dict, block_mask: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (K, V) at the K positions that predict a completion token, and those targets (K,)."""
    inputs, keep, targets = _row_inputs(model, batch, block_mask)
    return model(**inputs, logits_to_keep=keep).logits[0], targets  # (K, V), (K,)


def row_hidden(decoder: Any, batch: dict, block_mask: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The decoder's last hidden states (K, H) at the K positions that predict a completion token,
    and the targets (K,)."""
    inputs, keep, targets = _row_inputs(decoder, batch, block_mask)
    return decoder(**inputs).last_hidden_state[0, keep], targets  # (K, H), (K,)


def sft_step(
    model: Any,
    rows: Sequence[list[Example]],
    *,
    optimizer: Any,
    scheduler: Any,
    params: list,
    max_grad_norm: float,
    block_mask: bool,
    device: Any,
    teacher: Any = None,
    alpha: float = 0.0,
    temperature: float = 1.0,
    autocast_bf16: bool = False,
    head: tuple | None = None,
    chunk_tokens: int = 256,
) -> dict:
    """Accumulate the gradient of the token-mean loss over `rows`, then one guarded optimizer step.

    `autocast_bf16`: the forward passes run under bfloat16 autocast (mixed precision); the loss is fp32.
    `head`: (decoder, LM-head weight) from `fused_head`: the cross-entropy is fused with the LM head in
    chunks of `chunk_tokens` positions (`fused_loss.py`); without it, or with a teacher, the loss is computed
    from the completion positions' logits.
    """
    distilling = teacher is not None and alpha > 0
    fused = head is not None and not distilling

    def autocast() -> Any:
        return torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=autocast_bf16)

    batches = [{k: v.to(device) for k, v in collate_packed(r, block_mask).items()} for r in rows]
    total = sum(int((shifted_targets(b["labels"], b["position_ids"]) != IGNORE_INDEX).sum()) for b in batches)
    if total == 0:
        raise ValueError(
            "an optimizer step holds no completion tokens: every example's completion was cut off; raise max_seq_length"
        )
    acc = {"loss": 0.0, "nll": 0.0, "kl": 0.0}
    for batch in batches:
        if fused:
            with autocast():
                hidden, targets = row_hidden(head[0], batch, block_mask)  # (K, H), (K,)
            nll, _ = fused_linear_nll(hidden, head[1], targets, chunk_tokens, torch.bfloat16 if autocast_bf16 else None)
            loss = nll / total
        else:
            with autocast():
                logits, targets = row_forward(model, batch, block_mask)  # (K, V), (K,)
            nll, _ = completion_nll(logits, targets)
            loss = nll / total
            if distilling:
                with torch.no_grad(), autocast():
                    teacher_logits, _ = row_forward(teacher, batch, block_mask)  # (K, V)
                V = min(logits.shape[-1], teacher_logits.shape[-1])  # embeddings padded past the shared vocabulary
                kl = distill_kl(logits[:, :V], teacher_logits[:, :V], targets, temperature) / total
                loss = (1 - alpha) * loss + alpha * kl
                acc["kl"] += float(kl.detach())
                del teacher_logits
            # The graph holds what backward needs; our (K, V) logits would only add to the peak memory.
            del logits
        loss.backward()
        acc["loss"] += float(loss.detach())
        acc["nll"] += float(nll.detach()) / total
    stepped, grad_norm = guarded_step(optimizer, scheduler, params, max_grad_norm, acc["loss"])
    tokens = sum(b["input_ids"].numel() for b in batches)
    result = {
        "loss": acc["loss"],
        "nll": acc["nll"],
        "grad_norm": grad_norm,
        "skipped": not stepped,
        "completion_tokens": total,
        "train_tokens": tokens,
    }
    if distilling:
        result["kl"] = acc["kl"]
    return result


# --- the loop ------------------------------------------------------------------------------------------


def _steps(config: SFTConfig, rows_per_epoch: int) -> int:
    per_epoch = math.ceil(rows_per_epoch / config.gradient_accumulation_steps)
    return config.max_steps or max(1, math.ceil(config.epochs * per_epoch))


def _load_teacher(config: SFTConfig, tokenizer: Any, teacher: Any, device: Any) -> Any:
    if teacher is None and config.teacher is None:
        return None
    if teacher is None:
        teacher, teacher_tokenizer = load_model(config.teacher, dtype=config.dtype, device=config.device)
        if not tokenizers_match(tokenizer, teacher_tokenizer):
            raise ConfigError(
                f"teacher {config.teacher!r} and student {config.model!r} tokenize differently, so their "
                "logits cannot be compared; distil from the teacher's outputs instead (reasoncraft distill, "
                "then train sft without teacher)"
            )
    return teacher.to(device).eval().requires_grad_(False)


def _loss_head(
    model: Any, examples: Sequence[Example], chunk_tokens: int, distilling: bool, device: Any
) -> tuple[tuple | None, str]:
    """(decoder, head weight) for the fused chunked loss, or None; and a phrase for the log saying which loss runs."""
    if not chunk_tokens:
        return None, "cross-entropy on completion logits (loss_chunk_tokens=0)"
    if distilling:
        return None, "cross-entropy and KL on completion logits (distillation needs the student's logits)"
    head = fused_head(model)
    probe = torch.tensor([examples[0].input_ids[:16]], device=device)  # (1, <=16)
    if head is None or not head_is_exact(model, *head, probe):
        return (
            None,
            "cross-entropy on completion logits (this model's logits are not its decoder times a plain LM head)",
        )
    return head, f"LM head fused with the cross-entropy in chunks of {chunk_tokens} positions"


def held_out_evaluator(config: SFTConfig, model: Any, tokenizer: Any) -> Callable[[str, Path], dict] | None:
    """Greedy held-out evaluation of the configured task through reasoncraft.evaluate, for `TrainingRun.held_out`;
    None without an eval_task."""
    if not config.eval_task:
        return None
    task = get_task(config.eval_task, **config.eval_task_options)
    policy = model.get_base_model() if hasattr(model, "get_base_model") else model  # LoRA: the adapted base model
    backend = HFBackend(policy, tokenizer, model_id=config.model)

    def evaluate(when: str, folder: Path) -> dict:
        return held_out_eval(
            backend,
            task,
            split=config.eval_split,
            limit=config.eval_problems,
            template=config.eval_template,
            max_new_tokens=config.eval_max_new_tokens,
            out_dir=folder,
            command=f"train sft: held-out evaluation {when}",
        )

    return evaluate


PLOT_KEYS = ("loss", "kl", "grad_norm", "lr", "tokens_per_s")


def train_sft(
    config: SFTConfig,
    *,
    model: Any = None,
    tokenizer: Any = None,
    teacher: Any = None,
    resume: str | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Run SFT as configured; return a summary. `model`/`tokenizer`/`teacher` override the config (tests)."""
    # checks the resume path, trackers and launch (one process) before any model loads; folder, threads, seed
    run = TrainingRun("train sft", config, resume=resume, one_process=True, log=log)
    check_datasets(config)  # each file exists (named as given and as resolved), before any model loads
    if model is None:
        model, tokenizer = load_model(config.model, dtype=config.dtype, device=config.device)
    device = next(model.parameters()).device
    examples = load_examples(config, tokenizer)
    teacher = _load_teacher(config, tokenizer, teacher, device)
    if config.gradient_checkpointing:
        enable_gradient_checkpointing(model)
    if config.lora_r:
        model = apply_lora(model, config.lora_r, config.lora_alpha, config.lora_dropout, config.lora_target_modules)
    head, loss_kind = _loss_head(
        model, examples, config.loss_chunk_tokens, teacher is not None and config.distill_alpha > 0, device
    )
    attention = getattr(model.config, "_attn_implementation", "") or ""
    block_mask = not attention.startswith("flash")  # flash kernels read example boundaries from position ids
    stream = PackedStream(examples, config.micro_batch_tokens, config.seed, packing=config.packing)
    steps = _steps(config, len(stream.rows))
    params, optimizer, scheduler = optimizer_for(model, config, steps)
    log(
        f"SFT: {len(examples)} examples packed into {len(stream.rows)} rows of <= {config.micro_batch_tokens} tokens; "
        f"{steps} optimizer steps of {config.gradient_accumulation_steps} rows; trainable parameters "
        f"{sum(p.numel() for p in params):,}; attention {'block-diagonal mask' if block_mask else 'position ids'}; "
        f"loss: {loss_kind}"
    )
    # config saved, run record and metrics log opened; on resume: weights, optimizer, RNGs and data position back
    data_state = run.start(
        model,
        optimizer,
        scheduler,
        model_id=config.model,
        weights_sha256=weights_hash(model),
        parameters=count_parameters(model),
    )
    if data_state is not None:
        stream = PackedStream(examples, config.micro_batch_tokens, config.seed, **data_state, packing=config.packing)
    evaluate = held_out_evaluator(config, model, tokenizer)
    run.held_out("before", evaluate, step=0)
    model.train()
    for step in range(run.step + 1, steps + 1):
        started = time.perf_counter()
        rows = [stream.take() for _ in range(config.gradient_accumulation_steps)]
        lr = scheduler.get_last_lr()[0]  # the rate this step uses: after it the scheduler already holds the next one
        result = sft_step(
            model,
            rows,
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=config.max_grad_norm,
            block_mask=block_mask,
            device=device,
            teacher=teacher,
            alpha=config.distill_alpha,
            temperature=config.distill_temperature,
            autocast_bf16=config.autocast_bf16,
            head=head,
            chunk_tokens=config.loss_chunk_tokens,
        )
        elapsed = time.perf_counter() - started
        metrics = {
            "step": step,
            **result,
            "lr": lr,
            "epoch": stream.epoch,
            "step_time": elapsed,
            "tokens_per_s": result["train_tokens"] / elapsed,
        }
        metrics = run.log_step(metrics, seconds=elapsed, training_tokens=result["train_tokens"])
        if result["skipped"]:
            log(f"step {step}: non-finite loss or gradient, update skipped")
        if config.log_steps and step % config.log_steps == 0:
            log(
                f"step {step}/{steps} loss {result['loss']:.4f} grad_norm {result['grad_norm']:.3f} "
                f"{metrics['tokens_per_s']:.0f} tok/s"
            )
        run.checkpoint(step, last_step=steps, data=stream.state())  # when due
    model.eval()
    run.held_out("after", evaluate, step=steps)
    # metrics.png, the model folder with its card, summary.json and run.json
    return run.finish(
        tokenizer,
        steps=steps,
        plot_keys=PLOT_KEYS,
        merge_lora=config.merge_lora,
        examples=len(examples),
        rows_per_epoch=len(stream.rows),
    )
