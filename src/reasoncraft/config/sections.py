"""Fields with help strings, and the sections several trainers share.

A config declares each field with `help_field` (its help string is shown by `--show-config` and `--help`);
the optimizer, LoRA and run settings are declared once here and composed into each trainer's dataclass
(class GRPOConfig(RunSection, LoRASection, OptimizerSection)), keeping flat keys. A trainer changes a
section's default with `redefault`, keeping the help string written here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from .coerce import ConfigError


def help_field(text: str, default: Any = None, factory: Any = None, *, required: bool = False, **meta: Any) -> Any:
    """A dataclass field with its help string (shown by `--show-config` and `--help`).

    `factory` for mutable defaults; `required=True` for a field without a default. Extra keywords
    go into the metadata, for the command line: `cli=("--out",)` names the option (default: the
    field name with dashes), `escapes=True` turns backslash escapes typed on a command line
    ("\\n") into the characters they name.
    """
    metadata = {"help": text, **meta}
    if required:
        return dataclasses.field(metadata=metadata)
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def redefault(section: type, name: str, default: Any) -> Any:
    """The field `name` of a shared section with another default (its help string stays the one written there)."""
    source = next(f for f in dataclasses.fields(section) if f.name == name)
    return dataclasses.field(default=default, metadata=source.metadata)


LR_SCHEDULES = ("constant", "linear", "cosine")
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def need(condition: bool, message: str) -> None:
    """Raise a `ConfigError` with `message` (which says how to fix it) unless `condition` holds."""
    if not condition:
        raise ConfigError(message)


@dataclasses.dataclass
class Section:
    """A group of fields several configs share; `title` names the group in `--help`."""

    title: ClassVar[str] = ""

    def __post_init__(self) -> None:  # the end of the cooperative chain of section checks
        pass


@dataclasses.dataclass
class OptimizerSection(Section):
    """AdamW with warm-up and a decay schedule, gradient clipping and checkpointing."""

    title: ClassVar[str] = "Optimizer"

    learning_rate: float = help_field("Peak learning rate (AdamW).", 1e-5)
    weight_decay: float = help_field("AdamW weight decay.", 0.0)
    adam_beta1: float = help_field("AdamW beta1.", 0.9)
    adam_beta2: float = help_field("AdamW beta2.", 0.99)
    warmup_steps: int = help_field("Optimizer steps of linear warm-up.", 0)
    lr_schedule: str = help_field("Decay after warm-up: constant, linear or cosine.", "constant")
    max_grad_norm: float = help_field("Clip the gradient norm to this (0 = no clipping).", 1.0)
    gradient_checkpointing: bool = help_field(
        "Recompute activations in the backward pass (saves memory, costs time).", False
    )

    def __post_init__(self) -> None:
        need(self.learning_rate >= 0, f"learning_rate must be >= 0: got {self.learning_rate}")
        need(self.weight_decay >= 0, f"weight_decay must be >= 0: got {self.weight_decay}")
        for name in ("adam_beta1", "adam_beta2"):
            need(0 <= getattr(self, name) < 1, f"{name} must be in [0, 1): got {getattr(self, name)}")
        need(self.warmup_steps >= 0, f"warmup_steps must be >= 0: got {self.warmup_steps}")
        need(
            self.lr_schedule in LR_SCHEDULES,
            f"unknown lr_schedule {self.lr_schedule!r}: use one of {', '.join(LR_SCHEDULES)}",
        )
        need(self.max_grad_norm >= 0, f"max_grad_norm must be >= 0 (0 = no clipping): got {self.max_grad_norm}")
        super().__post_init__()


@dataclasses.dataclass
class LoRASection(Section):
    """LoRA adapters through peft; `lora_r = 0` trains every parameter."""

    title: ClassVar[str] = "LoRA"

    lora_r: int = help_field("LoRA rank (0 = full fine-tuning).", 0)
    lora_alpha: int = help_field("LoRA alpha.", 32)
    lora_dropout: float = help_field("LoRA dropout.", 0.0)
    lora_target_modules: list[str] = help_field("Module names LoRA adapts.", factory=lambda: list(LORA_TARGETS))

    def __post_init__(self) -> None:
        need(self.lora_r >= 0, "lora_r must be >= 0 (0 = full fine-tuning)")
        need(0 <= self.lora_dropout < 1, f"lora_dropout must be in [0, 1): got {self.lora_dropout}")
        need(
            not self.lora_r or bool(self.lora_target_modules),
            "lora_target_modules is empty: name the modules LoRA adapts (e.g. [q_proj, v_proj]) or set lora_r=0",
        )
        super().__post_init__()


@dataclasses.dataclass
class RunSection(Section):
    """Where a training run writes, how it is seeded, how often it saves, where it runs and reports."""

    title: ClassVar[str] = "Run"

    seed: int = help_field("Seed of the data order, sampling, dropout and initialisation.", 0)
    out_dir: str = help_field("Run folder: metrics.jsonl, metrics.png, checkpoints/, model/, run.json.", "runs/train")
    save_steps: int = help_field("Checkpoint every this many steps (0 = only at the end, -1 = never).", 0)
    keep_checkpoints: int = help_field("Checkpoints to keep (older ones are deleted).", 2)
    save_model: bool = help_field("Save the final model as a Hugging Face folder under out_dir/model.", True)
    device: str | None = help_field("cpu or cuda (default: cuda when present).", None)
    dtype: str | None = help_field("float32 or bfloat16 (default: bf16 on GPU, fp32 on CPU).", None)
    num_threads: int = help_field(
        "torch CPU threads (0 = OMP_NUM_THREADS when set, else the cores not already busy, at most 8, from the "
        "command line, or torch's default from the library).",
        0,
        cli=("--threads", "--num-threads"),
    )
    report_to: list[str] = help_field(
        "Trackers the per-step metrics also go to, beside metrics.jsonl: tensorboard, "
        "wandb (TRL's name; W&B reads its WANDB_* environment).",
        factory=list,
    )

    def __post_init__(self) -> None:
        need(bool(self.out_dir), "out_dir must name a folder for the run's outputs")
        need(
            self.save_steps >= -1, f"save_steps must be >= -1 (0 = only at the end, -1 = never): got {self.save_steps}"
        )
        need(self.num_threads >= 0, f"num_threads must be >= 0 (0 = chosen for you): got {self.num_threads}")
        super().__post_init__()
