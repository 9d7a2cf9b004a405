"""The run record: one `run.json` beside every command's outputs.

Every command (eval, scale, train, distill, the comparison) writes the same record, so runs can be
compared on equal terms: what ran (command, resolved config), on which weights (model id and a hash
of the weights), with what (library versions, device), and what it cost (wall time, device-hours,
prompt / completion / training tokens, an estimated FLOP count, money at a user-given price).

FLOPs are the usual dense-transformer estimate (Kaplan et al. 2020): 2 N per token of inference
and 6 N per token of training, N = the number of non-embedding-counted parameters as reported by
the model (we count all parameters; for small models with large vocabularies this overstates).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

RECORD_NAME = "run.json"
_LIBRARIES = ("reasoncraft", "torch", "transformers", "accelerate", "peft", "datasets", "math_verify", "trl", "httpx")


@dataclass(frozen=True)
class Price:
    """What compute costs: per device-hour, and/or per million prompt / completion tokens (hosted APIs)."""

    per_hour: float = 0.0
    per_million_prompt_tokens: float = 0.0
    per_million_completion_tokens: float = 0.0

    def cost(self, device_hours: float, prompt_tokens: int, completion_tokens: int) -> float:
        """
        >>> Price(per_hour=2.0, per_million_completion_tokens=1.0).cost(0.5, 10, 2_000_000)
        3.0
        """
        return (
            self.per_hour * device_hours
            + self.per_million_prompt_tokens * prompt_tokens / 1e6
            + self.per_million_completion_tokens * completion_tokens / 1e6
        )


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape results; only those already imported or importable cheaply."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name.replace("_", "-"))
        except metadata.PackageNotFoundError:
            continue
    return versions


def describe_device() -> dict[str, Any]:
    """The device in words: GPU name and count where CUDA is present, else CPU cores."""
    info: dict[str, Any] = {"platform": platform.platform(), "cpu_count": os.cpu_count()}
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        info["kind"] = "cuda"
    else:
        info["kind"] = "cpu"
    return info


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


@dataclass
class RunRecord:
    """Accumulates a run's accounting and writes `run.json`; later stages add fields, never a second file."""

    command: str
    config: dict
    out_dir: Path
    price: Price = field(default_factory=Price)
    model_id: str | None = None
    weights_sha256: str | None = None
    parameters: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    training_tokens: int = 0
    flops: float = 0.0
    devices: int = 1
    started: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)

    def set_model(self, model_id: str, weights_sha256: str | None = None, parameters: int | None = None) -> None:
        self.model_id, self.weights_sha256, self.parameters = model_id, weights_sha256, parameters

    def add_tokens(self, prompt: int = 0, completion: int = 0, training: int = 0) -> None:
        """Count tokens; with a known parameter count, the FLOP estimate follows (2N infer, 6N train)."""
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.training_tokens += training
        if self.parameters:
            self.flops += 2.0 * self.parameters * (prompt + completion) + 6.0 * self.parameters * training

    def add_flops(self, flops: float) -> None:
        self.flops += flops

    def to_dict(self, **extra: Any) -> dict:
        wall = time.time() - self.started
        device_hours = wall * self.devices / 3600.0
        record = {
            "command": self.command,
            "config": self.config,
            "model": {"id": self.model_id, "weights_sha256": self.weights_sha256, "parameters": self.parameters},
            "versions": library_versions(),
            "device": describe_device(),
            "started": datetime.fromtimestamp(self.started, timezone.utc).isoformat(),
            "wall_s": round(wall, 3),
            "device_hours": device_hours,
            "tokens": {
                "prompt": self.prompt_tokens,
                "completion": self.completion_tokens,
                "training": self.training_tokens,
            },
            "flops_estimate": self.flops,
            "price": vars(self.price),
            "cost": self.price.cost(device_hours, self.prompt_tokens, self.completion_tokens),
        }
        record.update(extra)
        return record

    def finish(self, **extra: Any) -> Path:
        """Write run.json atomically (temp file, then rename) and return its path."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / RECORD_NAME
        tmp = path.with_suffix(f".json.{os.getpid()}.tmp")  # one per process: every rank of a launch may write it
        tmp.write_text(json.dumps(self.to_dict(**extra), indent=2, default=str))
        os.replace(tmp, path)
        return path
