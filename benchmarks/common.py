"""Shared mechanics of every benchmark (../shared/BENCHMARKS.md): run each arm in its own
subprocess, take the median and spread, write benchmarks/results/NAME.json and a line in
benchmarks/RESULTS.md (newest first)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
RESULTS_MD = HERE / "RESULTS.md"


def run_arm(script: str, args: list[str], timeout: float = 3600) -> dict:
    """Run `python script args` in a fresh process; it prints one JSON object as its last line."""
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"arm {args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_bench_model(spec: str, device: str = "cpu", dtype: str = "float32"):
    """`(model, tokenizer)` for a benchmark arm, in train-ready form on `device`.

    `random:FOLDER` builds a model from FOLDER's config.json with random weights (seed 0) and FOLDER's
    tokenizer: the GPU machine cannot receive the default model's weights (the transfer limit is
    64 MiB), so GPU speed checks run a random-init model of the same shape. Anything else is passed
    to `reasoncraft.load_model`.
    """
    import torch

    from reasoncraft.models import load_model

    if not spec.startswith("random:"):
        return load_model(spec, device=device, dtype=dtype)
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder = spec.split(":", 1)[1]
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder), dtype=getattr(torch, dtype))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model.to(device).eval(), tokenizer


def peak_memory_mb(device: str) -> float:
    """Peak GPU memory allocated by torch on CUDA, else this process's peak resident memory."""
    if device.startswith("cuda"):
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss is in KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def device_name() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return f"cuda, {torch.cuda.get_device_name(0)}"
    except ImportError:
        pass
    return f"cpu, {os.cpu_count()} cores ({platform.processor() or platform.machine()})"


def versions(*names: str) -> dict:
    from importlib import metadata

    found = {}
    for name in ("torch", "transformers", *names):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def write_result(result: dict, line: str) -> Path:
    """Write results/NAME.json and put `line` at the top of RESULTS.md's list."""
    result.setdefault("date", date.today().isoformat())
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{result['name']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    header = (
        "# Benchmark results\n\nOne line per result, newest first. JSON with every number: `benchmarks/results/`.\n\n"
    )
    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else header
    body = old[len(header) :] if old.startswith(header) else old
    RESULTS_MD.write_text(header + f"- {result['date']} {line}\n" + body)
    return path
