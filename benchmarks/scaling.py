"""Inference-time scaling benchmark, two parts, on the CPU with the default model (smollm2-135m).

speed    batched PRM beam search and DVTS (all problems at once) against the one-problem-at-a-time
         path (search-and-learn's way), on the same problems, seeds and rule-based step verifier.
         Each arm runs in its own subprocess (peak memory is a high-water mark), warms up, then
         repeats; problems/s median with min and max. The arms' chosen answers are compared.
quality  the new user's question: 2-digit sums, 200 test problems, maj@8 against greedy pass@1.
         One draw of 16 samples per problem at temperature 0.7 (cached in the eval cache);
         maj@8 per problem is the mean over random 8-sample subsets of the draw, and the paired
         bootstrap over problems gives a 95% interval for maj@8 - greedy. The same run makes the
         `reasoncraft scale` table and plot (accuracy against generated tokens per problem).

Run (the real model is heavy, so under the shared lock):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/scaling.py --part all

Writes benchmarks/results/scaling.json and benchmarks/results/scaling.png.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SPEED = dict(
    problems=8, n=4, beam_width=2, max_steps=4, max_step_tokens=48, max_final_tokens=48, temperature=0.7, seed=0
)


def _problems(limit: int):
    from reasoncraft.tasks import get_task

    task = get_task("arith-sum-2d")
    return task, task.problems("test", limit=limit)


def speed_arm(search: str, mode: str, repeats: int) -> dict:
    """One arm in this process: `search` (beam, dvts) solved `mode` (batched, single); prints JSON."""
    from reasoncraft.backends import HFBackend
    from reasoncraft.scaling import DVTS, BeamSearch
    from reasoncraft.scorers import ArithmeticVerifier

    backend = HFBackend.from_name("smollm2-135m", device="cpu")
    task, problems = _problems(SPEED["problems"])
    prompts, questions = [task.prompt(p) for p in problems], [p.question for p in problems]
    settings = {k: v for k, v in SPEED.items() if k != "problems"}
    strategy = (BeamSearch if search == "beam" else DVTS)(scorer=ArithmeticVerifier(), **settings)

    def once():
        if mode == "batched":
            return strategy.solve(backend, prompts, questions)
        return [strategy.solve(backend, [p], [q])[0] for p, q in zip(prompts, questions)]

    once()  # warm-up
    times, outcomes = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        outcomes = once()
        times.append(time.perf_counter() - start)
    correct = [bool(task.score(p, o.text).correct) for p, o in zip(problems, outcomes)]
    return {
        "times_s": times,
        "problems_per_s": [len(problems) / t for t in times],
        "answers": [o.answer for o in outcomes],
        "texts": [o.text for o in outcomes],
        "accuracy": sum(correct) / len(correct),
        "completion_tokens": sum(o.usage.completion_tokens for o in outcomes),
        "peak_mem_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def speed(repeats: int) -> dict:
    out = {}
    for search in ("beam", "dvts"):
        arms = {}
        for mode in ("batched", "single"):
            proc = subprocess.run(
                [sys.executable, __file__, "--arm", f"{search}:{mode}", "--repeats", str(repeats)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            arms[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{search} {mode}: {arms[mode]['problems_per_s']}", flush=True)
        ours, base = arms["batched"], arms["single"]
        same = sum(a == b for a, b in zip(ours["answers"], base["answers"]))
        same_text = sum(a == b for a, b in zip(ours["texts"], base["texts"]))
        out[search] = {
            "metric": "problems per second (higher is better)",
            "ours": {
                "name": f"{search}, all {SPEED['problems']} problems batched",
                **_spread(ours["problems_per_s"]),
                "peak_mem_mb": round(ours["peak_mem_mb"]),
                "accuracy": ours["accuracy"],
                "completion_tokens": ours["completion_tokens"],
            },
            "baseline": {
                "name": f"{search}, one problem at a time (search-and-learn's path)",
                **_spread(base["problems_per_s"]),
                "peak_mem_mb": round(base["peak_mem_mb"]),
                "accuracy": base["accuracy"],
                "completion_tokens": base["completion_tokens"],
            },
            "speedup": statistics.median(ours["problems_per_s"]) / statistics.median(base["problems_per_s"]),
            "same_answers": f"{same}/{SPEED['problems']}",
            "same_texts": f"{same_text}/{SPEED['problems']}",
        }
    return {
        "setting": f"arith-sum-2d test, {SPEED['problems']} problems, smollm2-135m on CPU, rule-based step verifier, "
        f"n={SPEED['n']}, M={SPEED['beam_width']}, {SPEED['max_steps']} steps of <= {SPEED['max_step_tokens']} tokens, "
        f"T={SPEED['temperature']}, aggregation last, {repeats} repeats after a warm-up",
        **out,
    }


class _CachedOnly:
    """Stands in for the model when every sample is already cached (`--model-hash`): generates nothing."""

    model_id = "smollm2-135m"

    def __init__(self, model_hash: str):
        import reasoncraft.evaluate as evaluate
        import reasoncraft.scaling.sweep as sweep

        for module in (evaluate, sweep):  # the cache is keyed by the weights' hash; both look it up
            module.backend_hash = lambda backend: model_hash

    def generate(self, prompts, sampling):
        raise RuntimeError("a sample is missing from the cache: run without --model-hash to generate it")


def quality(limit: int, samples: int, k: int, dev_limit: int, model_hash: str | None = None) -> dict:
    from reasoncraft.backends import HFBackend
    from reasoncraft.math import equivalence_classes, paired_bootstrap, subsampled_vote_accuracy
    from reasoncraft.rewards import math_equal
    from reasoncraft.scaling.base import default_extract
    from reasoncraft.scaling.sweep import ScaleConfig, Sweep, run_scale

    backend = HFBackend.from_name("smollm2-135m", device="cpu") if model_hash is None else _CachedOnly(model_hash)
    run_dir = ROOT / "runs" / "bench-scaling"
    config = ScaleConfig(
        strategies=("direct", "greedy", "majority", "best-of-n", "weighted-best-of-n"),
        max_n=samples,
        limit=limit,
        dev_limit=dev_limit,
        temperature=0.7,
        max_new_tokens=128,
        out_dir=str(run_dir),
    )
    started = time.perf_counter()
    summary = run_scale(config, backend=backend)
    sweep = Sweep(config, backend)
    problems = sweep.task.problems("test", limit=limit)
    pool = sweep.pool("test", problems)  # all cached by now: nothing is generated
    greedy = {r["id"]: r for r in _jsonl(run_dir / "results" / sweep.settings_key / "test" / "greedy-n1.jsonl")}
    extract = default_extract()
    maj, greedy_correct = [], []
    for i, p in enumerate(problems):
        answers = [extract(s.completion) for s in pool[p.id]]
        classes = equivalence_classes(answers, math_equal)
        class_of = {m: c for c, members in enumerate(classes) for m in members}
        ids = [class_of.get(j) for j in range(len(answers))]
        maj.append(subsampled_vote_accuracy(ids, [bool(s.correct) for s in pool[p.id]], k=k, draws=200, seed=i))
        greedy_correct.append(float(greedy[p.id]["correct"]))
    ci = paired_bootstrap(maj, greedy_correct, draws=10_000, seed=0)
    maj_ci = paired_bootstrap(maj, [0.0] * len(maj), draws=10_000, seed=1)
    greedy_ci = paired_bootstrap(greedy_correct, [0.0] * len(maj), draws=10_000, seed=2)
    png = RESULTS / "scaling.png"
    png.write_bytes(Path(summary["plot"]).read_bytes())
    pass1 = statistics.mean(bool(s.correct) for p in problems for s in pool[p.id])
    return {
        "setting": f"arith-sum-2d test, first {limit} problems, smollm2-135m (catalogue GGUF weights) on CPU, template "
        f"'arithmetic', max 128 new tokens; greedy decoding vs one draw of {samples} samples/problem at T=0.7, "
        f"maj@{k} = mean over 200 random {k}-subsets per problem, votes grouped by math_equal; "
        f"paired bootstrap over problems (10,000 draws)",
        "metric": "accuracy (fraction of problems right)",
        "ours": {
            "name": f"maj@{k} (self-consistency)",
            "accuracy": statistics.mean(maj),
            "ci95": [maj_ci["low"], maj_ci["high"]],
        },
        "baseline": {
            "name": "greedy pass@1",
            "accuracy": statistics.mean(greedy_correct),
            "ci95": [greedy_ci["low"], greedy_ci["high"]],
        },
        "difference": {"mean": ci["diff"], "ci95": [ci["low"], ci["high"]]},
        "sampled_pass_at_1": pass1,
        "table": summary["rows"],
        "compute_optimal": summary["compute_optimal"],
        "wall_s": time.perf_counter() - started,
    }


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _versions() -> dict:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("torch", "transformers")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("speed", "quality", "all"), default="all")
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=200, help="Test problems for the quality part.")
    parser.add_argument("--samples", type=int, default=16, help="Samples drawn per problem (a power of two).")
    parser.add_argument("--k", type=int, default=8, help="maj@k.")
    parser.add_argument("--dev-limit", type=int, default=0, help="Dev problems for the compute-optimal curve.")
    parser.add_argument("--model-hash", help="Recompute the quality figures from cached samples only (no model load).")
    args = parser.parse_args()
    if args.arm:
        search, mode = args.arm.split(":")
        print(json.dumps(speed_arm(search, mode, args.repeats)), flush=True)
        return
    path = RESULTS / "scaling.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    load_start = os.getloadavg()
    result.update(
        {
            "name": "scaling",
            "date": date.today().isoformat(),
            "device": f"cpu, {os.cpu_count()} cores (shared)",
            "versions": _versions(),
        }
    )
    if args.part in ("speed", "all"):
        result["speed"] = speed(args.repeats)
        result["speed"]["load"] = {"start": load_start, "end": os.getloadavg()}
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2))
    if args.part in ("quality", "all"):
        q_start = os.getloadavg()
        result["quality"] = quality(args.limit, args.samples, args.k, args.dev_limit, args.model_hash)
        result["quality"]["load"] = {"start": q_start, "end": os.getloadavg()}
        path.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k in ("speed", "quality")}, indent=2, default=str)[:4000])


if __name__ == "__main__":
    main()
