"""Process reward model training on automatic step labels (`reasoncraft train prm`).

Math-Shepherd (Wang et al. 2024, arXiv 2312.08935) trains a PRM on Monte Carlo step labels with a
cross-entropy at each step tag; Qwen2.5-Math-PRM (Zhang et al. 2025, arXiv 2501.07301) puts a two-way
token-classification head on the LM and reads it at a separator after each step. This trainer does the
latter on any causal LM (the default model by default):

* the causal LM's decoder gets a fresh 2-way head (`AutoModelForTokenClassification`, the backbone's
  weights copied over: `prm_model`); LoRA or full fine-tuning;
* each labelled solution (a labels.jsonl record of `data/step_labels.py`) is encoded as the scorer will
  read it (`scorers.trained.encode_steps`: question, then each step followed by the delimiter), and the loss
  is the cross-entropy against the step label at the last token of each step's delimiter only
  (`delimiter_loss`); every other position carries none. Soft labels (the share of rollouts that reached
  the answer, Math-Shepherd's SE) are targets in [0, 1]; hard labels (HE) are 0/1. The loss is the mean over
  every labelled step of the optimizer step, however it is split into micro-batches;
* an outcome reward model (`objective=orm`) is the one-step case: the whole solution is one step whose label
  is its verdict;
* the shared mechanics of `train/`: the run lifecycle (`run.py`: folder, seed, run record, metrics, trackers,
  checkpoints and exact resume, the saved folder with its model card), AdamW and the guarded step (`optim.py`).

Departures: a held-out share of the problems (`eval_fraction`) measures step accuracy (the label read at 0.5)
and loss before and after training instead of a task evaluation, since a PRM's use is ranking; what it does
for search is measured by `benchmarks/prm.py`. The saved folder's config.json records the objective and the
delimiter (`scorers.trained.CONFIG_KEY`), so `scorers.load_scorer(folder)` reads it with no other setting.

Launch:  reasoncraft train prm labels=runs/step-labels/labels.jsonl [key=value ...] [--resume RUN_DIR]
or from Python: `train_prm(PRMConfig(labels=[...]))`.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..config import ConfigError
from ..models import load_model, weights_hash
from ..record import count_parameters
from ..samples import read_jsonl
from ..scorers.trained import CONFIG_KEY, encode_steps
from .lora import enable_gradient_checkpointing
from .optim import guarded_step, optimizer_for
from .prm_config import PRMConfig
from .run import TrainingRun

# --- the loss: a pure function of tensors ---------------------------------------------------------


def delimiter_loss(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy of the 2-way head against the step labels, and how many labels there are.

    logits (B, T, 2); targets (B, T): the label in [0, 1] at each step's delimiter, NaN at every other
    position (no loss there). A soft label y is the target distribution (1 - y, y).

    >>> logits = torch.zeros(1, 3, 2); targets = torch.tensor([[float("nan"), 1.0, 0.25]])
    >>> loss, count = delimiter_loss(logits, targets); round(float(loss), 4), count
    (1.3863, 2)
    """
    keep = ~torch.isnan(targets)  # (B, T)
    logp = torch.log_softmax(logits[keep].float(), dim=-1)  # (M, 2)
    y = targets[keep].float()  # (M,)
    loss = -(y * logp[:, 1] + (1 - y) * logp[:, 0]).sum()
    return loss, int(keep.sum())


# --- data ------------------------------------------------------------------------------------------


@dataclass
class PRMExample:
    """One labelled solution as the model reads it: token ids, the positions that carry a label, the labels."""

    input_ids: list[int]
    marks: list[int]
    labels: list[float]
    problem_id: str


def read_label_records(paths: Sequence[str | Path]) -> list[dict]:
    """The records of labels.jsonl files; a record without steps and labels is an error naming the file."""
    records = []
    for path in paths:
        for row in read_jsonl(path, hint="label files are written by `reasoncraft step-labels`"):
            missing = [k for k in ("question", "steps", "hard", "soft", "correct", "solution") if k not in row]
            if missing:
                raise ConfigError(
                    f"{path}: a record lacks {missing}; is this a labels.jsonl of `reasoncraft step-labels`?"
                )
            records.append(row)
    if not records:
        raise ConfigError(f"the label files {list(paths)} hold no records")
    return records


def to_example(
    record: dict, tokenizer: Any, objective: str, label_kind: str, separator: str, max_seq_length: int
) -> PRMExample | None:
    """A label record as a training example; None when no labelled step fits in `max_seq_length` tokens.

    prm: each step with a label; orm: the whole solution as one step, labelled by its verdict."""
    if record.get("separator", separator) != separator:
        raise ConfigError(
            f"the labels were split on {record['separator']!r} but step_delimiter is {separator!r}: "
            "set step_delimiter to the labels' delimiter"
        )
    if objective == "orm":
        steps, labels = [record["solution"]], [float(bool(record["correct"]))]
    else:
        steps, labels = record["steps"], record[label_kind]
    ids, marks = encode_steps(tokenizer, record["question"], steps, separator)
    kept = [(m, float(y)) for m, y in zip(marks, labels) if y is not None and m < max_seq_length]
    if not kept:
        return None
    return PRMExample(ids[:max_seq_length], [m for m, _ in kept], [y for _, y in kept], record["problem_id"])


def held_out_problem(problem_id: str, fraction: float, seed: int) -> bool:
    """Whether a problem is in the held-out share (a seeded hash, so all its solutions go the same way).

    >>> sum(held_out_problem(str(i), 0.25, 0) for i in range(1000)) in range(200, 300)
    True
    """
    digest = hashlib.sha256(f"{seed}\0{problem_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def collate(examples: Sequence[PRMExample], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded input ids, attention mask, and targets with the label at each mark and NaN elsewhere."""
    width = max(len(e.input_ids) for e in examples)
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)  # (B, T)
    mask = torch.zeros((len(examples), width), dtype=torch.long)  # (B, T)
    targets = torch.full((len(examples), width), float("nan"))  # (B, T)
    for i, e in enumerate(examples):
        input_ids[i, : len(e.input_ids)] = torch.tensor(e.input_ids)
        mask[i, : len(e.input_ids)] = 1
        targets[i, e.marks] = torch.tensor(e.labels)
    return {"input_ids": input_ids, "attention_mask": mask, "targets": targets}


class ExampleStream:
    """Micro-batches in a fresh seeded order each epoch; its position (epoch, index) resumes exactly."""

    def __init__(self, examples: Sequence[PRMExample], size: int, seed: int, epoch: int = 0, index: int = 0):
        if not examples:
            raise ValueError("no training examples")
        self.examples, self.size, self.seed, self.epoch, self.index = list(examples), size, seed, epoch, index
        self.order = self._order()

    def _order(self) -> list[int]:
        order = list(range(len(self.examples)))
        random.Random(self.seed * 1_000_003 + self.epoch).shuffle(order)
        return order

    def take(self) -> list[PRMExample]:
        batch = []
        while len(batch) < self.size:
            if self.index == len(self.order):
                self.epoch, self.index = self.epoch + 1, 0
                self.order = self._order()
            batch.append(self.examples[self.order[self.index]])
            self.index += 1
        return batch

    def state(self) -> dict:
        return {"epoch": self.epoch, "index": self.index}


# --- the model ----------------------------------------------------------------------------------------


def prm_model(causal_lm: Any) -> Any:
    """A 2-way token-classification model whose decoder is a copy of `causal_lm`'s (a fresh head on top)."""
    from transformers import AutoModelForTokenClassification  # lazy: heavy

    config = copy.deepcopy(causal_lm.config)
    config.num_labels, config.architectures = 2, None
    config.id2label, config.label2id = {0: "bad", 1: "good"}, {"bad": 0, "good": 1}
    dtype = next(causal_lm.parameters()).dtype
    model = AutoModelForTokenClassification.from_config(config, dtype=dtype)
    result = model.base_model.load_state_dict(causal_lm.base_model.state_dict(), strict=False)
    if result.missing_keys:
        raise ValueError(f"the decoder of {type(causal_lm).__name__} did not fill {result.missing_keys[:5]}")
    return model.to(next(causal_lm.parameters()).device)


def apply_head_lora(model: Any, r: int, alpha: int, dropout: float, target_modules: Sequence[str]) -> Any:
    """LoRA adapters on the decoder's `target_modules`, the fresh head trained in full and saved with the adapter
    (peft's modules_to_save), so a checkpoint resumes with its head and the merged folder holds it."""
    from peft import LoraConfig, get_peft_model  # lazy: heavy

    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [m for m in target_modules if m in present]
    if not targets:
        raise ConfigError(f"none of lora_target_modules {list(target_modules)} is a module of {type(model).__name__}")
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=targets,
        modules_to_save=["score"],
        task_type="TOKEN_CLS",
    )
    return get_peft_model(model, config)


# --- one optimizer step and the held-out measure -------------------------------------------------------


def prm_step(
    model: Any,
    micro_batches: Sequence[list[PRMExample]],
    *,
    optimizer: Any,
    scheduler: Any,
    params: list,
    max_grad_norm: float,
    pad_id: int,
    device: Any,
) -> dict:
    """Accumulate the gradient of the mean delimiter loss over every labelled step of `micro_batches`, then
    one guarded optimizer step."""
    batches = [{k: v.to(device) for k, v in collate(mb, pad_id).items()} for mb in micro_batches]
    total = sum(int((~torch.isnan(b["targets"])).sum()) for b in batches)
    loss_value, tokens = 0.0, 0
    for batch in batches:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits  # (B, T, 2)
        summed, _ = delimiter_loss(logits, batch["targets"])
        loss = summed / total
        loss.backward()
        loss_value += float(loss.detach())
        tokens += int(batch["attention_mask"].sum())
    stepped, grad_norm = guarded_step(optimizer, scheduler, params, max_grad_norm, loss_value)
    return {"loss": loss_value, "grad_norm": grad_norm, "skipped": not stepped, "labels": total, "train_tokens": tokens}


def step_metrics(model: Any, examples: Sequence[PRMExample], pad_id: int, device: Any, batch_size: int = 8) -> dict:
    """Loss and step accuracy (the label and the prediction read at 0.5) over `examples`, in eval mode."""
    was_training = model.training
    model.eval()
    loss, count, right = 0.0, 0, 0
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            batch = {k: v.to(device) for k, v in collate(examples[start : start + batch_size], pad_id).items()}
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits  # (B, T, 2)
            summed, n = delimiter_loss(logits, batch["targets"])
            keep = ~torch.isnan(batch["targets"])  # (B, T)
            good = logits[keep].float().softmax(-1)[:, 1]  # (M,)
            right += int(((good >= 0.5) == (batch["targets"][keep] >= 0.5)).sum())
            loss, count = loss + float(summed), count + n
    model.train(was_training)
    return {
        "loss": loss / max(count, 1),
        "step_accuracy": right / max(count, 1),
        "labels": count,
        "solutions": len(examples),
    }


# --- the loop ------------------------------------------------------------------------------------------

PLOT_KEYS = ("loss", "grad_norm", "lr", "tokens_per_s")


def _model_card_section(config: PRMConfig, records: int, train: int, held: int, evaluation: dict) -> str:
    lines = [
        "",
        "## Process reward model",
        "",
        f"A {'PRM' if config.objective == 'prm' else 'ORM'} with a 2-way token head on `{config.model}`, trained on "
        f"{config.label_kind} step labels from {', '.join(f'`{p}`' for p in config.labels)} ({records} labelled "
        f"solutions: {train} for training, {held} held out by problem). Input: the question and each step followed "
        f"by {config.step_delimiter!r}; P(step good) is read at the last token of each delimiter. Load it with "
        "`reasoncraft.scorers.load_scorer(<this folder>)` or `reasoncraft scale --scorer <this folder>`.",
        "",
    ]
    for when, result in evaluation.items():
        lines.append(
            f"- held-out step accuracy {when} training: {result['step_accuracy']:.3f} (loss {result['loss']:.4f}, "
            f"{result['labels']} labelled steps of {result['solutions']} solutions)"
        )
    return "\n".join(lines) + "\n"


def train_prm(
    config: PRMConfig,
    *,
    model: Any = None,
    tokenizer: Any = None,
    resume: str | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train a PRM (or ORM) as configured; return a summary. `model`/`tokenizer` (a causal LM) override the config."""
    if not config.labels:
        raise ConfigError("labels is empty: name at least one labels.jsonl written by `reasoncraft step-labels`")
    if config.lora_r and not config.merge_lora:
        raise ConfigError(
            "merge_lora=false would save only a LoRA adapter, which load_scorer cannot read as a PRM: "
            "keep merge_lora=true"
        )
    records = read_label_records(config.labels)
    run = TrainingRun("train prm", config, resume=resume, one_process=True, log=log)
    if model is None:
        model, tokenizer = load_model(config.model, dtype=config.dtype, device=config.device)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    if pad_id is None:
        raise ConfigError("the tokenizer has neither a pad nor an eos token")
    examples = [
        e
        for r in records
        if (
            e := to_example(
                r, tokenizer, config.objective, config.label_kind, config.step_delimiter, config.max_seq_length
            )
        )
    ]
    held = [e for e in examples if held_out_problem(e.problem_id, config.eval_fraction, config.seed)]
    train = [e for e in examples if not held_out_problem(e.problem_id, config.eval_fraction, config.seed)]
    if not train:
        raise ConfigError(f"no training examples: {len(records)} records, {len(held)} held out; lower eval_fraction")
    model = prm_model(model)
    device = next(model.parameters()).device
    setattr(
        model.config,
        CONFIG_KEY,
        {
            "objective": config.objective,
            "separator": config.step_delimiter,
            "label_kind": config.label_kind,
            "base_model": config.model,
        },
    )
    if config.gradient_checkpointing:
        enable_gradient_checkpointing(model)
    if config.lora_r:
        model = apply_head_lora(
            model, config.lora_r, config.lora_alpha, config.lora_dropout, config.lora_target_modules
        )
    accumulate = config.batch_size // config.micro_batch_size
    steps = config.max_steps or max(1, math.ceil(config.epochs * len(train) / config.batch_size))
    params, optimizer, scheduler = optimizer_for(model, config, steps)
    log(
        f"PRM ({config.objective}, {config.label_kind} labels): {len(train)} solutions to train on, "
        f"{len(held)} held out, "
        f"{sum(len(e.marks) for e in train)} labelled steps; {steps} optimizer steps of {config.batch_size} solutions; "
        f"trainable parameters {sum(p.numel() for p in params):,}"
    )
    data_state = run.start(
        model,
        optimizer,
        scheduler,
        model_id=config.model,
        weights_sha256=weights_hash(model),
        parameters=count_parameters(model),
    )
    stream = ExampleStream(train, config.micro_batch_size, config.seed, **(data_state or {}))
    evaluation = {}
    if held:
        evaluation["before"] = step_metrics(model, held, pad_id, device, config.micro_batch_size)
        log(f"held-out before: step accuracy {evaluation['before']['step_accuracy']:.3f}")
    model.train()
    for step in range(run.step + 1, steps + 1):
        started = time.perf_counter()
        lr = scheduler.get_last_lr()[0]  # the rate this step uses; after it the scheduler already holds the next one
        result = prm_step(
            model,
            [stream.take() for _ in range(accumulate)],
            optimizer=optimizer,
            scheduler=scheduler,
            params=params,
            max_grad_norm=config.max_grad_norm,
            pad_id=pad_id,
            device=device,
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
        run.log_step(metrics, seconds=elapsed, training_tokens=result["train_tokens"])
        if config.log_steps and step % config.log_steps == 0:
            log(f"step {step}/{steps} loss {result['loss']:.4f} grad_norm {result['grad_norm']:.3f}")
        run.checkpoint(step, last_step=steps, data=stream.state())
    model.eval()
    if held:
        evaluation["after"] = step_metrics(model, held, pad_id, device, config.micro_batch_size)
        log(f"held-out after: step accuracy {evaluation['after']['step_accuracy']:.3f}")
        run.metrics.report({f"held_out/{k}": v for k, v in evaluation["after"].items()}, steps)
    summary = run.finish(
        tokenizer,
        steps=steps,
        plot_keys=PLOT_KEYS,
        merge_lora=config.merge_lora,
        examples=len(train),
        held_out=evaluation,
        solutions={"train": len(train), "held_out": len(held), "records": len(records)},
    )
    if config.save_model:
        card = Path(config.out_dir) / "model" / "README.md"
        card.write_text(card.read_text() + _model_card_section(config, len(records), len(train), len(held), evaluation))
    return summary
