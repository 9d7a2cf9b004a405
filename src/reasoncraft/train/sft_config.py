"""The configuration of `reasoncraft train sft` and `reasoncraft distill-train` style runs: one dataclass.

Sizes are stated once: examples are packed without padding into rows of at most `micro_batch_tokens`
tokens; one optimizer step accumulates gradients over `gradient_accumulation_steps` rows; the run
lasts `epochs` passes over the mixed data, or `max_steps` optimizer steps when given. The loss is
the mean over every completion token of the optimizer step, so accumulation changes nothing but memory.
Field names follow TRL's SFTConfig where one exists (`max_seq_length`, `gradient_accumulation_steps`,
`num_train_epochs` is `epochs` here).

`datasets` paths in a config file are relative to that file's folder (as a task YAML's data paths are);
paths typed on the command line are relative to the working directory. Loading resolves both to absolute
paths (`anchor_datasets`), so the saved config.yaml reruns from anywhere; `check_datasets` names a missing
file as it was given and as it resolved, before any model loads. `model` and `teacher` may also be local
folders: one that exists relative to the config file is read from there (`config.anchor_model`); names, hub ids
and paths typed on the command line are used as given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError, LoRASection, OptimizerSection, RunSection, anchor_model, need, redefault
from ..config import help_field as _h
from .loggers import normalize_report_to


class DataPath(str):
    """A data file's resolved (absolute) path that remembers how it was given: `given`, and `base`, the config
    file's folder it was relative to (None: the working directory)."""

    given: str
    base: str | None


def _anchor(path: Any, base: Path | None) -> DataPath:
    given = str(path)
    resolved = DataPath(os.path.abspath(os.path.join(base if base is not None else "", os.path.expanduser(given))))
    resolved.given = getattr(path, "given", given)
    resolved.base = getattr(path, "base", None if base is None else str(base))
    return resolved


def anchor_datasets(entries: Any, base: Path | None) -> Any:
    """`datasets` entries with each path resolved against `base` (a config file's folder) or, for None, the working
    directory; entries of another shape are left for `SFTConfig`'s checks to name."""
    if not isinstance(entries, list):
        return entries
    return [
        _anchor(e, base)
        if isinstance(e, str)
        else {**e, "path": _anchor(e["path"], base)}
        if isinstance(e, dict) and isinstance(e.get("path"), str)
        else e
        for e in entries
    ]


def check_datasets(config: SFTConfig) -> None:
    """Every datasets file exists: else one `ConfigError` line naming the path as given and as resolved."""
    if not config.datasets:
        raise ConfigError(
            "datasets is empty: name at least one JSONL file of chat `messages` (e.g. reasoncraft distill's sft.jsonl)"
        )
    for path, _ in config.dataset_weights():
        if Path(path).is_file():
            continue
        given, base = getattr(path, "given", str(path)), getattr(path, "base", None)
        where = "relative to the working directory"
        if base is not None:
            where = f"relative to {base or '.'}/, the config file's folder"
        problem = "is a folder, not a JSONL file" if Path(path).is_dir() else "does not exist"
        raise ConfigError(
            f"datasets: {given} ({where}) resolves to {os.path.abspath(path)}, which {problem}: fix the path, or "
            "write the file first (reasoncraft distill writes sft.jsonl; in a config file, paths are relative to the "
            "file; on the command line, to the working directory)"
        )


@dataclass
class SFTConfig(RunSection, LoRASection, OptimizerSection):
    """Every setting of an SFT run; the optimizer, LoRA and run sections are shared with GRPO (reasoncraft.config)."""

    # what to train on
    model: str = _h(
        "Catalogue name, local folder, .gguf file or hub id of the student (a folder in a config file: relative to "
        "the file when it exists there).",
        "smollm2-135m",
        paths=anchor_model,
    )
    datasets: list = _h(
        "JSONL files in the chat `messages` format (reasoncraft distill's sft.jsonl, TRL/open-r1 data); "
        "an entry may be {path: x.jsonl, weight: 0.5}: weight w takes w times the file's examples per "
        "epoch (a seeded subset below 1, repeats above), as R1 mixed reasoning and other data. Relative "
        "paths: in a config file, to the file's folder; on the command line, to the working directory.",
        factory=list,
        paths=anchor_datasets,
    )
    messages_field: str = _h("Column holding the chat messages.", "messages")
    max_seq_length: int = _h("Longest example in tokens; longer completions are cut at the right.", 1024)
    # sizes
    micro_batch_tokens: int = _h("Packing budget: tokens per padding-free row (one forward/backward).", 2048)
    packing: str = _h(
        "How examples fill rows: bfd (best-fit decreasing, fuller rows; rows shuffled), greedy (in shuffled "
        "order) or none (one example per row, in a seeded order that only depends on how many examples "
        "there are: with gradient_accumulation_steps=k, every step sees k examples, the same k for two "
        "datasets of the same problems in the same order).",
        "bfd",
    )
    gradient_accumulation_steps: int = _h("Rows whose gradients are summed into one optimizer step.", 1)
    epochs: float = _h("Passes over the mixed data (ignored when max_steps is set).", 1.0)
    max_steps: int | None = _h("Optimizer steps to run (default: from epochs).", None)
    # optimisation (weight decay, warm-up, clipping: OptimizerSection), with SFT's own defaults
    learning_rate: float = redefault(OptimizerSection, "learning_rate", 2e-5)
    adam_beta2: float = redefault(OptimizerSection, "adam_beta2", 0.999)
    lr_schedule: str = redefault(OptimizerSection, "lr_schedule", "cosine")
    autocast_bf16: bool = _h(
        "Mixed precision: forward and backward under torch.autocast(bfloat16), weights, gradients and "
        "AdamW kept in the model's dtype (TRL's bf16=True, its default). Faster on GPUs and on CPUs "
        "with AMX/AVX512-BF16; the loss is still computed in fp32.",
        False,
    )
    loss_chunk_tokens: int = _h(
        "Positions per chunk of the LM head fused with the cross-entropy: the (tokens x vocabulary) "
        "logits are never held at once, which lowers peak memory (train/fused_loss.py). 0 computes "
        "the logits of all completion positions at once; distillation always does.",
        256,
    )
    # classical distillation (Hinton et al. 2015) from a teacher's logits
    teacher: str | None = _h(
        "Teacher model for KL distillation on the completion tokens (must share the tokenizer): catalogue name, "
        "local folder or hub id (a folder in a config file: relative to the file when it exists there).",
        None,
        paths=anchor_model,
    )
    distill_alpha: float = _h(
        "Weight of the KL term: loss = (1 - alpha) * CE + alpha * T^2 * KL(teacher || student).", 0.5
    )
    distill_temperature: float = _h("Temperature T of both distributions in the KL term.", 1.0)
    # held-out evaluation before and after training (greedy, scored by the task)
    eval_task: str | None = _h("Task to evaluate greedily before and after training (None: no evaluation).", None)
    eval_task_options: dict = _h("Keyword options of the evaluation task, e.g. {max_target: 50}.", factory=dict)
    eval_template: str | None = _h("Prompt template for the evaluation (default: the task's).", None)
    eval_split: str = _h("Split to evaluate on.", "test")
    eval_problems: int = _h("Problems to evaluate.", 200)
    eval_max_new_tokens: int = _h("Token limit per evaluation answer.", 512)
    # run mechanics (seed, checkpoints, device, threads, trackers: RunSection)
    out_dir: str = redefault(RunSection, "out_dir", "runs/sft")
    merge_lora: bool = _h("Merge a LoRA adapter into the saved model (False keeps the adapter folder).", True)
    log_steps: int = _h("Print a line every this many steps.", 1)

    def __post_init__(self) -> None:
        super().__post_init__()  # the shared sections' own rules
        for name in ("max_seq_length", "micro_batch_tokens", "gradient_accumulation_steps"):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        need(
            self.micro_batch_tokens >= self.max_seq_length,
            f"micro_batch_tokens must hold the longest example: got {self.micro_batch_tokens} "
            f"< max_seq_length={self.max_seq_length}",
        )
        need(self.max_steps is None or self.max_steps >= 1, f"max_steps must be >= 1 or None: got {self.max_steps}")
        need(self.epochs > 0, f"epochs must be > 0: got {self.epochs}")
        need(self.packing in ("bfd", "greedy", "none"), f"packing must be bfd, greedy or none: got {self.packing!r}")
        need(
            self.loss_chunk_tokens >= 0,
            f"loss_chunk_tokens must be >= 0 (0 = no chunking): got {self.loss_chunk_tokens}",
        )
        need(0 <= self.distill_alpha <= 1, f"distill_alpha must be in [0, 1]: got {self.distill_alpha}")
        need(self.distill_temperature > 0, f"distill_temperature must be > 0: got {self.distill_temperature}")
        for entry in self.datasets:
            need(
                isinstance(entry, str) or (isinstance(entry, dict) and "path" in entry),
                f"each datasets entry is a path or {{path: ..., weight: ...}}: got {entry!r}",
            )
            need(
                not isinstance(entry, dict) or float(entry.get("weight", 1.0)) >= 0,
                f"dataset weights must be >= 0: got {entry!r}",
            )
        self.report_to = normalize_report_to(self.report_to)

    def dataset_weights(self) -> list[tuple[str, float]]:
        """(path, weight) for each dataset entry."""
        return [(e, 1.0) if isinstance(e, str) else (e["path"], float(e.get("weight", 1.0))) for e in self.datasets]
