"""CPU threads on a shared machine: `reasoncraft generate` with the default `--threads 0` (the cores not already busy)
against torch's own default (every core, `--threads` = the core count), each arm a fresh process, wall time from
start to the last sample (loading included), as a new user runs it.

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/threads.py [--repeats 3]

Issue #15 measured 89 s (torch's default) against 7.7 s (one thread) on a loaded 2-core machine for
`generate --n 4 --max-new-tokens 32`. The load (`os.getloadavg`) at start and end goes into the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

COMMAND = ["generate", "What is 23 + 45?", "--samples", "4", "--temperature", "0.7", "--max-new-tokens", "32"]


def run_arm(threads: int) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reasoncraft.cli", *COMMAND, "--threads", str(threads)],
        check=True,
        capture_output=True,
        env=env,
        timeout=900,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    load_start = os.getloadavg()
    run_arm(1)  # warm-up: the model file into the page cache
    ours, torch_default = [], []
    for _ in range(args.repeats):  # interleaved, so both arms see the same load over time
        ours.append(run_arm(0))
        torch_default.append(run_arm(cores))
    load_end = os.getloadavg()

    def stats(xs):
        return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}

    import torch
    import transformers

    result = {
        "name": "threads",
        "date": date.today().isoformat(),
        "device": f"cpu, {cores} cores, shared",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "setting": "reasoncraft generate (smollm2-135m) 1 prompt x 4 samples, 32 new tokens, T=0.7, wall s incl. load",
        "metric": "seconds per command (lower is better)",
        "load": {"start": load_start, "end": load_end},
        "ours": {"name": "--threads 0 (auto: cores not busy)", **stats(ours)},
        "baseline": {"name": f"torch default ({cores} threads)", **stats(torch_default)},
        "speedup": statistics.median(torch_default) / statistics.median(ours),
    }
    out = Path(__file__).parent / "results" / "threads.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
