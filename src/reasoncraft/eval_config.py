"""The configuration of `reasoncraft eval`: one dataclass, loadable from YAML and `key=value` overrides.

Kept apart from the runner (`evaluate.py`) so that reading or checking a config, and building the
command line from it, imports nothing of the evaluation machinery. The command-line options of
`reasoncraft eval` are derived from these fields (`reasoncraft.cli.options`); `cli` in a field's
metadata keeps the option names the command has always had (`--task`, `-t`, `--out`).

Presets set several sampling settings at once; what a user states (on the command line or in a
file) wins over the preset, the preset over the defaults.

Launch:  reasoncraft eval --task arith-sum-2d --samples 4 --temperature 0.7    or
         reasoncraft eval configs/eval_quickstart.yaml [key=value ...]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backends.base import SamplingParams
from .config import ConfigError
from .config import help_field as _h

PRESETS: dict[str, dict] = {
    # DeepSeek-R1's protocol: temperature 0.6, top-p 0.95, 64 samples, pass@1 averaged, cons@64 (= maj@64).
    "r1": {"temperature": 0.6, "top_p": 0.95, "samples": 64, "max_new_tokens": 32768},
    "greedy": {"temperature": 0.0, "samples": 1},
}


def _slug(name: str) -> str:
    """The last part of a name, path or URL, in characters a folder name keeps: "Qwen/Qwen2.5-7B" -> "Qwen2.5-7B"."""
    stem = Path(name.rstrip("/")).name or name
    stem = stem.removesuffix(".gguf").removesuffix(".yaml").removesuffix(".yml")
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", stem).strip("_") or "x"


def default_out_dir(tasks: list[str], model: str) -> str:
    """runs/eval/TASK-MODEL (the first task, +N for more).

    >>> default_out_dir(["arith-sum-2d"], "smollm2-135m"), default_out_dir(["math500", "gsm8k"], "Qwen/Qwen2.5-7B")
    ('runs/eval/arith-sum-2d-smollm2-135m', 'runs/eval/math500+1-Qwen2.5-7B')
    """
    more = f"+{len(tasks) - 1}" if len(tasks) > 1 else ""
    return f"runs/eval/{_slug(tasks[0])}{more}-{_slug(model)}"


@dataclass
class EvalConfig:
    """Everything `reasoncraft eval` needs; validated once here, saved in run.json and as config.yaml."""

    tasks: list[str] = _h(
        "Task spec, e.g. arith-sum-2d, math500, gsm8k (see `reasoncraft tasks`).", required=True, cli=("--task", "-t")
    )
    model: str | None = _h(
        "In-process: catalogue name, .gguf file, folder or hub id; with base_url: the model name the server serves.",
        "smollm2-135m",
    )
    base_url: str | None = _h("OpenAI-compatible server URL(s), comma-separated (vLLM, SGLang, hosted).", None)
    max_retries: int = _h("Retries of a failed request to a server (rate limits, 5xx; garbage gets at most 2).", 6)
    samples: int = _h("Samples per problem, N (pass@k and maj@k for k = 1, 2, 4, ... N).", 1)
    temperature: float = _h("Sampling temperature; 0 = greedy.", 0.0)
    top_p: float = _h("Nucleus sampling mass.", 1.0)
    top_k: int = _h("Top-k sampling; 0 = off.", 0)
    max_new_tokens: int = _h("Token limit per completion.", 512)
    seed: int = _h("Sampling seed.", 0)
    split: str = _h("Task split: test or dev.", "test")
    limit: int | None = _h("Evaluate only the first LIMIT problems of each task (default: all).", None)
    template: str | None = _h("Prompt template name (default: each task's own).", None)
    task_options: dict[str, Any] = _h(
        "Keyword options of every task, e.g. data_path=gsm8k.jsonl (on the command line "
        "one key=value per --task-option).",
        factory=dict,
        cli=("--task-option",),
    )
    data_path: str | None = _h(
        "Local data file of the task(s) (JSONL, CSV, parquet): the same as --task-option data_path=FILE.", None
    )
    batch_problems: int = _h("Problems per generation batch (a killed run loses at most one batch).", 16)
    preset: str | None = _h(
        "Sampling preset: r1 (T=0.6, top-p 0.95, 64 samples, cons@64) or greedy; settings "
        "given explicitly win over it.",
        None,
    )
    out_dir: str | None = _h(
        "Output folder: samples.jsonl, summary.json, table.md, run.json, config.yaml "
        "(default: runs/eval/TASK-MODEL, so that evaluations of other tasks or models do not meet in one folder).",
        None,
        cli=("--out", "--out-dir"),
    )
    cache_dir: str | None = _h("Completion cache shared by eval and scale (default: under REASONCRAFT_HOME).", None)
    device: str | None = _h("cpu or cuda (default: cuda when present).", None)
    price_per_hour: float = _h("Device price per hour, for the cost in run.json.", 0.0)
    price_per_million_tokens: float = _h("Price per million completion tokens (hosted APIs).", 0.0)
    progress: bool = _h("Show progress with ETA while sampling.", True)
    threads: int = _h("CPU threads of the in-process model (0 = the cores not already busy, at most 8).", 0)

    def __post_init__(self) -> None:
        self.task_options = dict(self.task_options or {})
        if self.out_dir is None and self.tasks:
            self.out_dir = default_out_dir(self.tasks, self.model or self.base_url or "model")
        if not self.tasks:
            raise ConfigError("name at least one task: --task arith-sum-2d (see `reasoncraft tasks`)")
        if self.model is None and self.base_url is None:
            raise ConfigError("give --model (in-process model) or --base-url (an OpenAI-compatible server)")
        if self.data_path is not None:
            if self.task_options.get("data_path", self.data_path) != self.data_path:
                raise ConfigError("--data-path and --task-option data_path=... name different files: give one")
            self.task_options["data_path"] = self.data_path
        if self.samples < 1:
            raise ConfigError(f"--samples must be >= 1: got {self.samples}")
        if self.temperature < 0:
            raise ConfigError(f"--temperature must be >= 0 (0 = greedy): got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"--top-p must be in (0, 1] (1 = off): got {self.top_p}")
        if self.top_k < 0:
            raise ConfigError(f"--top-k must be >= 0 (0 = off): got {self.top_k}")
        if self.max_new_tokens < 1:
            raise ConfigError(f"--max-new-tokens must be >= 1: got {self.max_new_tokens}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1 problem (leave it out for all): got {self.limit}")
        if self.max_retries < 0:
            raise ConfigError(f"--max-retries must be >= 0: got {self.max_retries}")
        if self.threads < 0:
            raise ConfigError(f"--threads must be >= 0 (0 = the cores not already busy): got {self.threads}")
        if self.batch_problems < 1:
            raise ConfigError(f"--batch-problems must be >= 1: got {self.batch_problems}")
        if self.preset is not None and self.preset not in PRESETS:
            raise ConfigError(f"unknown preset {self.preset!r}: use one of {', '.join(PRESETS)}")

    @classmethod
    def resolve(cls, preset: str | None, **given) -> EvalConfig:
        """Explicit options win over the preset, the preset over the defaults (None means not given)."""
        return cls.from_values({"preset": preset, **{k: v for k, v in given.items() if v is not None}})

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> EvalConfig:
        """The config from the values a user stated (file, overrides, options), the preset under them."""
        values = dict(values)
        preset = values.pop("preset", None)
        if preset is not None and preset not in PRESETS:
            raise ConfigError(f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}")
        return cls(preset=preset, **{**PRESETS.get(preset, {}), **values})

    def sampling(self) -> SamplingParams:
        return SamplingParams(
            n=self.samples,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            max_new_tokens=self.max_new_tokens,
            seed=self.seed,
        )
