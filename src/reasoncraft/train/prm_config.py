"""The configuration of `reasoncraft train prm`: one dataclass (labels are made by `reasoncraft step-labels`,
whose `StepLabelConfig` lives beside the labeller in `data/step_labels.py`).

Sizes are stated once: an optimizer step
sees `batch_size` labelled solutions, in micro-batches of `micro_batch_size`; the run lasts `epochs` passes
over the training records, or `max_steps` steps when given. `eval_fraction` of the solutions (a seeded,
whole-problem split) is held out to measure step accuracy before and after training.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import LoRASection, OptimizerSection, RunSection, need, redefault
from ..config import help_field as _h
from .loggers import normalize_report_to

LABEL_KINDS = ("soft", "hard")
OBJECTIVES = ("prm", "orm")


@dataclass
class PRMConfig(RunSection, LoRASection, OptimizerSection):
    """Every setting of a PRM (or ORM) training run; optimizer, LoRA and run sections as in SFT and GRPO."""

    model: str = _h("Causal LM the reward model starts from (catalogue name, folder, hub id).", "smollm2-135m")
    labels: list = _h("labels.jsonl files written by `reasoncraft step-labels` (or in their format).", factory=list)
    objective: str = _h(
        "prm: a label at every step's delimiter; orm: the outcome label at the end of the whole solution "
        "(the one-step case).",
        "prm",
    )
    label_kind: str = _h("soft (share of rollouts that reached the answer) or hard (any did) targets.", "soft")
    step_delimiter: str = _h(
        "Delimiter written after the question and each step (recorded in the saved folder; must be what the "
        "labels were split on).",
        "\n\n",
        escapes=True,
    )
    max_seq_length: int = _h("Longest example in tokens; steps past it carry no loss.", 512)
    batch_size: int = _h("Labelled solutions per optimizer step.", 16)
    micro_batch_size: int = _h("Solutions per forward/backward pass (divides batch_size).", 8)
    epochs: float = _h("Passes over the training records (ignored when max_steps is set).", 2.0)
    max_steps: int | None = _h("Optimizer steps to run (default: from epochs).", None)
    eval_fraction: float = _h("Share of problems held out to measure step accuracy before and after (0: none).", 0.1)
    learning_rate: float = redefault(OptimizerSection, "learning_rate", 5e-5)
    adam_beta2: float = redefault(OptimizerSection, "adam_beta2", 0.999)
    lr_schedule: str = redefault(OptimizerSection, "lr_schedule", "cosine")
    out_dir: str = redefault(RunSection, "out_dir", "runs/prm")
    merge_lora: bool = _h("Merge a LoRA adapter into the saved model (the folder then loads with no peft).", True)
    log_steps: int = _h("Print a line every this many steps.", 1)

    def __post_init__(self) -> None:
        super().__post_init__()
        need(self.objective in OBJECTIVES, f"objective must be one of {', '.join(OBJECTIVES)}: got {self.objective!r}")
        need(self.label_kind in LABEL_KINDS, f"label_kind must be soft or hard: got {self.label_kind!r}")
        need(bool(self.step_delimiter), "step_delimiter must be non-empty, e.g. '\\n\\n'")
        for name in ("max_seq_length", "batch_size", "micro_batch_size"):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        need(
            self.batch_size % self.micro_batch_size == 0,
            f"micro_batch_size must divide batch_size: got {self.micro_batch_size} and {self.batch_size}",
        )
        need(self.max_steps is None or self.max_steps >= 1, f"max_steps must be >= 1 or None: got {self.max_steps}")
        need(self.epochs > 0, f"epochs must be > 0: got {self.epochs}")
        need(0 <= self.eval_fraction < 1, f"eval_fraction must be in [0, 1): got {self.eval_fraction}")
        self.report_to = normalize_report_to(self.report_to)
