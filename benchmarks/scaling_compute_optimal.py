"""Compute-optimal test-time scaling (Snell et al. 2024) against best-of-N, on the default model.

One `reasoncraft scale` sweep (direct, greedy, majority, best-of-N and weighted best-of-N with the
rule-based arithmetic verifier; n = 1 ... 16; 200 test and 100 dev problems of 2-digit sums) gives
the fixed strategies' curves; the compute-optimal curve picks a strategy per difficulty bin and
budget on dev and applies it on test, pilot tokens charged. It is computed twice, with difficulty
from the verifier's mean pilot score (the default) and from pilot agreement, and compared with
best-of-N (the issue's baseline) and with every fixed strategy (the best of them may beat it).

Accuracy from a cached draw is deterministic, so there are no repeats; `--cached-only` refuses to
generate (it raises instead), which makes a rerun over an existing sweep light. A fresh sweep
generates ~90k tokens with the real model: run it under the heavy lock.

    .venv/bin/python benchmarks/scaling_compute_optimal.py --out runs/scale-co --cached-only

Writes benchmarks/results/scaling_compute_optimal.json and .png; the RESULTS.md line is written by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS_DIR, device_name, versions  # noqa: E402

STRATEGIES = ("direct", "greedy", "majority", "best-of-n", "weighted-best-of-n")


def curve(rows: list[dict], name: str) -> list[list[float]]:
    return [[round(r["completion_tokens"], 1), r["accuracy"]] for r in rows if r["strategy"] == name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/scale-co", help="Sweep folder (its results/ are reused).")
    parser.add_argument("--limit", type=int, default=200, help="Test problems.")
    parser.add_argument("--dev-limit", type=int, default=100, help="Dev problems.")
    parser.add_argument("--max-n", type=int, default=16, help="Largest budget.")
    parser.add_argument("--cached-only", action="store_true", help="Fail instead of generating anything.")
    args = parser.parse_args()

    import torch

    from reasoncraft.backends import HFBackend
    from reasoncraft.models import weights_hash
    from reasoncraft.scaling.sweep import ScaleConfig, run_scale

    torch.set_num_threads(1)
    load_start = os.getloadavg()
    backend = HFBackend.from_name("smollm2-135m", device="cpu")
    if args.cached_only:

        def refuse(*_, **__):
            raise RuntimeError("--cached-only: this sweep is not fully cached; rerun without it, under the heavy lock")

        backend.generate = refuse
    runs = {}
    for difficulty in ("agreement", "verifier"):  # verifier last: its plot and summary stay in --out
        config = ScaleConfig(
            model="smollm2-135m",
            task="arith-sum-2d",
            strategies=STRATEGIES,
            max_n=args.max_n,
            limit=args.limit,
            dev_limit=args.dev_limit,
            difficulty=difficulty,
            out_dir=args.out,
            device="cpu",
        )
        runs[difficulty] = run_scale(config, backend=backend)
    load_end = os.getloadavg()

    summary = runs["verifier"]
    rows, optimal = summary["rows"], summary["compute_optimal"]
    fixed = {name: curve(rows, name) for name in STRATEGIES}
    keep = (
        "difficulty",
        "pilot",
        "pilot_tokens",
        "edges",
        "bins_requested",
        "bins_effective",
        "min_bin_size",
        "dev_bin_sizes",
        "test_bin_sizes",
        "points",
        "choices",
        "savings",
        "savings_vs",
    )
    from datetime import date

    result = {
        "name": "scaling_compute_optimal",
        "date": date.today().isoformat(),
        "device": f"{device_name()}, 1 torch thread",
        "versions": versions(),
        "model": {"name": "smollm2-135m", "weights_sha256": weights_hash(backend.model)},
        "setting": (
            f"arith-sum-2d, first {args.limit} test and {args.dev_limit} dev problems, smollm2-135m, T=0.7, "
            f"<= 128 new tokens, n = 1..{args.max_n} from one draw of {args.max_n} samples per problem; rule-based "
            f"arithmetic verifier; {config.pilot} pilot samples (the draw's first), {config.bins} bins requested, "
            f"min {config.min_bin_size} dev problems per bin"
        ),
        "metric": "test accuracy against mean generated policy tokens per problem (compute-optimal: pilots included)",
        "config": asdict(config),
        "ours": {k: optimal[k] for k in keep},
        "ours_agreement_difficulty": {k: runs["agreement"]["compute_optimal"][k] for k in keep},
        "baseline": {"name": "best-of-N (rule verifier)", "points": fixed["best-of-n"]},
        "fixed_strategies": fixed,
        "load": {"start": load_start, "end": load_end},
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    shutil.copy(Path(args.out) / "scale.png", RESULTS_DIR / "scaling_compute_optimal.png")
    print(json.dumps(result["ours"], indent=1))
    # The RESULTS.md line is written by hand after reading these numbers (it must say what they mean).
    (RESULTS_DIR / "scaling_compute_optimal.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
