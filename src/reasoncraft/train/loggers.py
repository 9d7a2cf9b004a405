"""Optional experiment trackers beside the JSONL metrics log: TensorBoard and Weights & Biases.

A trainer's config names them in `report_to` (TRL's field name): a list of "tensorboard" and
"wandb", empty by default. `MetricsLog` (metrics.py) stays the record of a run; each sink here only
mirrors the numeric entries of every step to its backend. The backends are imported when a run
starts, never at package import; a missing one fails before any model is loaded, naming the pip
package to install.

* TensorBoard: event files under `<out_dir>/tensorboard` (`tensorboard --logdir <out_dir>`). On
  `--resume` from step N, events past step N (written by the killed run) are purged from view.
* W&B: `wandb.init` reads its own environment (WANDB_PROJECT, WANDB_ENTITY, WANDB_MODE=offline or
  disabled, WANDB_DIR, WANDB_API_KEY); when WANDB_PROJECT is unset the project is "reasoncraft" and
  when WANDB_DIR is unset the files go under `<out_dir>`. The run id is kept in
  `<out_dir>/wandb_run_id` so that `--resume` continues the same W&B run (W&B ignores steps it
  already holds, so steps the killed run logged after its last checkpoint keep their first values).
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ..config import ConfigError

# name in report_to -> (module that must be importable, pip package that provides it)
BACKENDS = {"tensorboard": ("tensorboard", "tensorboard"), "wandb": ("wandb", "wandb")}


def normalize_report_to(value: Any) -> list[str]:
    """The validated list of trackers: a name or a list of names; "none" or [] for none.

    >>> normalize_report_to("tensorboard"), normalize_report_to(["wandb", "tensorboard"]), normalize_report_to("none")
    (['tensorboard'], ['wandb', 'tensorboard'], [])
    """
    names = [value] if isinstance(value, str) else list(value or [])
    names = [n for n in names if n != "none"]
    for name in names:
        if name not in BACKENDS:
            raise ConfigError(f"unknown report_to entry {name!r}: use a list of {', '.join(BACKENDS)} (or none)")
    if len(set(names)) != len(names):
        raise ConfigError(f"report_to names a tracker twice: {names}")
    return names


def require_backends(report_to: Sequence[str]) -> None:
    """Fail now, naming the pip package, when a tracker in report_to is not installed."""
    for name in report_to:
        module, package = BACKENDS[name]
        if importlib.util.find_spec(module) is None:
            raise ConfigError(
                f"report_to includes {name!r} but the {module!r} package is not installed: "
                f"pip install {package} (or remove {name!r} from report_to)"
            )


def scalars(values: dict[str, Any]) -> dict[str, float]:
    """The entries a tracker can plot: finite ints and floats (not bools), without the step itself."""
    return {
        k: float(v)
        for k, v in values.items()
        if k != "step" and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    }


class Sink(Protocol):
    def log(self, values: dict[str, float], step: int) -> None: ...
    def close(self) -> None: ...


class TensorBoardSink:
    """Scalars to TensorBoard event files through torch's SummaryWriter."""

    def __init__(self, log_dir: str | Path, resume_step: int | None = None):
        from torch.utils.tensorboard import SummaryWriter

        self.log_dir = Path(log_dir)
        # purge_step hides the killed run's events at or after the first step the resumed run writes
        self.writer = SummaryWriter(str(self.log_dir), purge_step=None if resume_step is None else resume_step + 1)

    def log(self, values: dict[str, float], step: int) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, global_step=step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class WandbSink:
    """Scalars to a W&B run; its settings come from W&B's own environment variables."""

    def __init__(self, out_dir: str | Path, config: dict, resume: bool):
        import wandb

        out_dir = Path(out_dir)
        id_file = out_dir / "wandb_run_id"
        run_id = (
            id_file.read_text().strip() if resume and id_file.exists() and not os.environ.get("WANDB_RUN_ID") else None
        )
        self.run = wandb.init(
            project=os.environ.get("WANDB_PROJECT") or "reasoncraft",
            name=out_dir.name,
            config=config,
            dir=os.environ.get("WANDB_DIR") or str(out_dir),
            id=run_id,
            resume="allow" if run_id else None,
        )
        id_file.write_text(self.run.id + "\n")

    def log(self, values: dict[str, float], step: int) -> None:
        self.run.log(values, step=step)

    def close(self) -> None:
        self.run.finish()


def open_sinks(
    report_to: Sequence[str], out_dir: str | Path, config: dict, resume_step: int | None = None
) -> list[Sink]:
    """One sink per tracker named in report_to (call on the main process only)."""
    require_backends(report_to)
    sinks: list[Sink] = []
    for name in report_to:
        if name == "tensorboard":
            sinks.append(TensorBoardSink(Path(out_dir) / "tensorboard", resume_step))
        elif name == "wandb":
            sinks.append(WandbSink(out_dir, config, resume=resume_step is not None))
    return sinks
