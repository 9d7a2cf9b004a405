"""Sandbox throughput: isolated runs per second against plain `subprocess.run`, on N worker threads.

Four arms, each in its own subprocess (benchmarks/BENCHMARKS rules), each repeated; the median
and the spread are reported:

- `isolated-trivial`: `reasoncraft.sandbox` runs of `print(1)` (namespaces, cgroups, uid drop).
- `plain-trivial`: `subprocess.run([python3, "-c", "print(1)"])`, no isolation (the baseline).
- `isolated-humaneval`: HumanEval canonical solutions judged by the code reward's judge
  (tests in a separate judge process, candidate reached through the sandbox).
- `plain-humaneval`: the original harness's shape, `prompt + solution + test + check(entry)`
  in one unsandboxed `python3 -c` (exit code 0 = pass), which a candidate can forge.

Run (under the heavy lock on a shared machine):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/sandbox.py --workers 2

Writes benchmarks/results/sandbox.json; target: >= 20 isolated trivial runs/s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HUMANEVAL = ROOT.parent / "shared" / "data" / "humaneval.jsonl"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def _humaneval_rows(path: str, limit: int) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()][:limit]


def arm(name: str, workers: int, runs: int, humaneval: str) -> dict:
    """Run one arm in this process; return {"rate": runs/s, "ok": passes, "n": runs}."""
    if name.startswith("isolated"):
        from reasoncraft.sandbox import Limits, SandboxPool

        pool = SandboxPool(workers=workers)
        if name == "isolated-trivial":
            pool.run_python_many(["print(1)"] * workers)  # warm-up
            start = time.perf_counter()
            results = pool.run_python_many(["print(1)"] * runs, limits=Limits(wall_s=10))
            elapsed = time.perf_counter() - start
            ok = sum(r.ok and r.stdout == "1\n" for r in results)
        else:
            from reasoncraft.rewards.code import judge_program
            from reasoncraft.tasks import get_task

            task = get_task("humaneval", data_path=humaneval)
            problems = task.problems("test", limit=runs)
            judge = lambda sb, p: judge_program(sb, p.answer, task.tests_spec(p))  # noqa: E731
            pool.map(judge, problems[:workers])  # warm-up
            start = time.perf_counter()
            verdicts = pool.map(judge, problems)
            elapsed = time.perf_counter() - start
            ok = sum(v.passed for v in verdicts)
        pool.close()
        return {"rate": len(results if name == "isolated-trivial" else verdicts) / elapsed, "ok": ok}
    if name == "plain-trivial":
        argvs = [[PYTHON, "-c", "print(1)"]] * runs
        check = lambda p: p.returncode == 0 and p.stdout == "1\n"  # noqa: E731
    else:
        rows = _humaneval_rows(humaneval, runs)
        argvs = [
            [PYTHON, "-c", r["prompt"] + r["canonical_solution"] + "\n" + r["test"] + f"\ncheck({r['entry_point']})\n"]
            for r in rows
        ]
        check = lambda p: p.returncode == 0  # noqa: E731
    run = lambda argv: subprocess.run(argv, capture_output=True, text=True, timeout=30)  # noqa: E731
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(run, argvs[:workers]))  # warm-up
        start = time.perf_counter()
        procs = list(ex.map(run, argvs))
        elapsed = time.perf_counter() - start
    return {"rate": len(argvs) / elapsed, "ok": sum(map(check, procs))}


def run_arm_in_subprocess(name: str, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--arm",
        name,
        "--workers",
        str(args.workers),
        "--runs",
        str(args.humaneval_runs if "humaneval" in name else args.runs),
        "--humaneval",
        args.humaneval,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "runs": [round(v, 2) for v in values],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2, help="concurrent runs (the cores to use)")
    p.add_argument("--runs", type=int, default=100, help="trivial programs per repeat")
    p.add_argument("--humaneval-runs", type=int, default=40, help="HumanEval problems per repeat")
    p.add_argument("--repeats", type=int, default=3, help="repeats per arm (median reported)")
    p.add_argument("--humaneval", default=str(DEFAULT_HUMANEVAL), help="local humaneval.jsonl")
    p.add_argument("--arm", help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sandbox.json"))
    args = p.parse_args()
    if args.arm:
        print(json.dumps(arm(args.arm, args.workers, args.runs, args.humaneval)))
        return

    load_start = os.getloadavg()
    arms = ["isolated-trivial", "plain-trivial"]
    if Path(args.humaneval).exists():
        arms += ["isolated-humaneval", "plain-humaneval"]
    else:
        print(f"{args.humaneval} absent: HumanEval arms skipped", file=sys.stderr)
    measured: dict[str, list[dict]] = {a: [] for a in arms}
    for _ in range(args.repeats):  # interleave the arms so load drifts hit them alike
        for a in arms:
            measured[a].append(run_arm_in_subprocess(a, args))
            print(a, measured[a][-1], file=sys.stderr)
    load_end = os.getloadavg()
    rates = {a: summary([m["rate"] for m in ms]) for a, ms in measured.items()}
    for a, ms in measured.items():
        rates[a]["passed_per_repeat"] = [m["ok"] for m in ms]
    result = {
        "name": "sandbox",
        "date": datetime.date.today().isoformat(),
        "device": f"cpu, {os.cpu_count()} cores, {args.workers} workers ({platform.machine()})",
        "versions": {"python": platform.python_version(), "sandbox_python": PYTHON},
        "setting": (
            f"{args.runs} trivial programs (print(1)) and {args.humaneval_runs} HumanEval canonical "
            f"solutions per repeat, {args.workers} concurrent runs, {args.repeats} repeats, each arm "
            "in its own subprocess after a warm-up"
        ),
        "metric": "programs per second (higher is better)",
        "ours": {"name": "reasoncraft.sandbox, trivial program", **rates["isolated-trivial"]},
        "baseline": {"name": "plain subprocess.run, trivial program", **rates["plain-trivial"]},
        "speedup": round(rates["isolated-trivial"]["median"] / rates["plain-trivial"]["median"], 3),
        "target": 20.0,
        "target_met": rates["isolated-trivial"]["median"] >= 20.0,
        "humaneval": {
            "ours": {"name": "judged in the sandbox", **rates["isolated-humaneval"]},
            "baseline": {"name": "plain subprocess, one process per problem", **rates["plain-humaneval"]},
        }
        if "isolated-humaneval" in rates
        else None,
        "load": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in load_end]},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
