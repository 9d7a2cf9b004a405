"""CPU threads on a shared machine: our thread choice against torch's default, as a new user meets it.

Two settings, each arm a fresh process timed from start to exit (loading included), interleaved, median of
`--repeats` (>= 3 for a result) with min and max:

  generate  `reasoncraft generate "What is 23 + 45?" --samples 4 --temperature 0.7 --max-new-tokens 32` with
            `--threads 0` (ours: the cores not already busy, `reasoncraft.threads.auto_threads`) against
            `--threads <cores>` (torch's default: one thread per core);
  snippet   the README's Python snippet, copied from README.md as written, run as a script, with its
            `rc.use_threads()` line (ours) against the same script without it (torch's default);

each on a quiet machine and on one loaded by another process: the benchmark starts `--busy` (default 1)
`python -c "while True: pass"` processes, waits `--settle` seconds (default 60) so that the 1-minute load
average sees them, and kills them at the end (also when an arm fails). Issue #15 measured, on a 2-core
machine loaded by another process, 89 s (torch's default) against 7.7 s (one thread) for `generate`, and
102 s against 3.5 s for the snippet. os.getloadavg() at the start and end of each condition goes into the
JSON, and the count `auto_threads()` gives just before each `--threads 0` arm.

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/threads.py [--repeats 3]
    # a smoke of every arm (results in a temporary folder, not in benchmarks/results):
    nice -n 19 flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/threads.py --repeats 1 \
        --settle 0 --max-new-tokens 4 --out /tmp/threads-smoke
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
PROMPT = "What is 23 + 45?"
CHOICE = "rc.use_threads()"
DEFAULT_MODEL = "smollm2-135m"


def readme_snippet() -> str:
    """The README's Python snippet (the ```python block that loads the default model), as written."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    found = [b for b in blocks if "rc.load_model" in b and "backend.generate" in b]
    if not found:
        raise SystemExit(f"{README} holds no Python snippet with rc.load_model and backend.generate")
    if CHOICE not in found[0]:
        raise SystemExit(f"the README snippet has no {CHOICE} line: nothing to compare")
    return found[0]


def snippet_scripts(folder: Path, max_new_tokens: int | None, model: str = DEFAULT_MODEL) -> dict[str, Path]:
    """{"ours": the snippet as written, "baseline": the same without its rc.use_threads() line}; each prints the
    threads torch used as its last line. `model` and `max_new_tokens` replace the snippet's (smoke only)."""
    text = readme_snippet().replace(f'"{DEFAULT_MODEL}"', json.dumps(model))
    if max_new_tokens is not None:  # a smoke only: the result says so
        text = re.sub(r"max_new_tokens=\d+", f"max_new_tokens={max_new_tokens}", text)
    report = "\nimport json, torch\nprint(json.dumps({'threads': torch.get_num_threads()}))\n"
    scripts = {}
    without = "\n".join(line for line in text.splitlines() if CHOICE not in line)
    for arm, body in (("ours", text), ("baseline", without)):
        path = folder / f"snippet_{arm}.py"
        path.write_text(body + report)
        scripts[arm] = path
    return scripts


def clean_env() -> dict:
    """The caller's environment without thread settings (so each arm chooses as a new user's would), offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["HF_HUB_OFFLINE"] = "1"
    return env


def timed(command: list[str], timeout: float) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=clean_env(), timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return time.perf_counter() - started, proc.stdout


def generate_command(threads: int, max_new_tokens: int, model: str = DEFAULT_MODEL) -> list[str]:
    args = ["generate", PROMPT, "--samples", "4", "--temperature", "0.7", "--max-new-tokens", str(max_new_tokens)]
    return [sys.executable, "-m", "reasoncraft.cli", *args, "--model", model, "--threads", str(threads)]


def busy_processes(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def measure(name: str, arms: dict, repeats: int, timeout: float) -> dict:
    """Run the arms interleaved `repeats` times; their medians, min and max, and the speedup of ours."""
    from reasoncraft.threads import auto_threads

    times: dict[str, list[float]] = {arm: [] for arm in arms}
    auto: list[int] = []
    threads_used: dict[str, list[int]] = {arm: [] for arm in arms}
    for _ in range(repeats):
        for arm, command in arms.items():
            if arm == "ours":
                auto.append(auto_threads())  # what the arm is about to choose, seen from here
            seconds, out = timed(command, timeout)
            times[arm].append(seconds)
            last = out.strip().splitlines()[-1] if out.strip() else ""
            if last.startswith("{") and "threads" in last:
                threads_used[arm].append(json.loads(last)["threads"])
            print(f"{name} {arm}: {seconds:.1f} s", flush=True)
    result = {arm: common.summary(values) for arm, values in times.items()}
    result["auto_threads_before_ours"] = auto
    result["threads_used"] = {arm: used for arm, used in threads_used.items() if used}
    result["speedup"] = result["baseline"]["median"] / result["ours"]["median"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy", type=int, default=1, help="Busy-loop processes of the loaded condition.")
    parser.add_argument("--settle", type=float, default=60.0, help="Seconds between starting them and measuring.")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="Smoke only: shorter completions.")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="Smoke only: another model (e.g. a tiny folder).")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds one arm may take.")
    parser.add_argument("--out", type=Path, default=None, help="Write threads.json and RESULTS.md here instead.")
    args = parser.parse_args()
    if args.out is not None:  # a smoke: keep benchmarks/results and RESULTS.md as they are
        args.out.mkdir(parents=True, exist_ok=True)
        common.RESULTS_DIR, common.RESULTS_MD = args.out, args.out / "RESULTS.md"
    cores = len(os.sched_getaffinity(0))
    tokens = args.max_new_tokens or 32
    scripts = snippet_scripts(Path(tempfile.mkdtemp(prefix="threads-")), args.max_new_tokens, args.model)
    arms = {
        "generate": {
            "ours": generate_command(0, tokens, args.model),
            "baseline": generate_command(cores, tokens, args.model),
        },
        "snippet": {name: [sys.executable, str(path)] for name, path in scripts.items()},
    }
    load_start = os.getloadavg()
    timed(generate_command(1, 4, args.model), args.timeout)  # warm-up: the model files into the page cache
    conditions: dict[str, dict] = {}
    busy: list[subprocess.Popen] = []
    try:
        for condition in ("quiet", "loaded"):
            if condition == "loaded":
                busy = busy_processes(args.busy)
                time.sleep(args.settle)
            entry: dict = {"load_start": os.getloadavg()}
            for name, pair in arms.items():
                entry[name] = measure(f"{condition} {name}", pair, args.repeats, args.timeout)
            entry["load_end"] = os.getloadavg()
            conditions[condition] = entry
    finally:
        for process in busy:
            process.kill()
            process.wait()
    load_end = os.getloadavg()
    smoke = args.max_new_tokens is not None or args.repeats < 3 or args.model != DEFAULT_MODEL
    result = {
        "name": "threads",
        "device": f"cpu, {cores} cores, shared",
        "versions": common.versions(),
        "setting": (
            f"{args.model}; generate: 1 prompt x 4 samples, {tokens} new tokens, T=0.7; snippet: the README's "
            f"Python snippet{f' with max_new_tokens={args.max_new_tokens}' if args.max_new_tokens else ''}; "
            f"wall s per fresh process incl. load; loaded = {args.busy} busy-loop process(es), {args.settle:.0f} s "
            "settle"
        ),
        "metric": "seconds per command (lower is better)",
        "repeats": args.repeats,
        "smoke": smoke,
        "load": {"start": load_start, "end": load_end},
        "arms": {
            "ours": "generate --threads 0 / the snippet with rc.use_threads() (auto: the cores not already busy)",
            "baseline": f"generate --threads {cores} / the snippet without it (torch's default, {cores} threads)",
        },
        "conditions": conditions,
    }

    def pair(condition: str, name: str) -> str:
        c = conditions[condition][name]
        return f"{c['ours']['median']:.1f} s vs {c['baseline']['median']:.1f} s"

    line = (
        f"threads{' (SMOKE, not a result)' if smoke else ''}: ours (`--threads 0` / `rc.use_threads()`) vs torch's "
        f"default, median of {args.repeats}, {args.model}, wall s incl. load: generate quiet "
        f"{pair('quiet', 'generate')}, loaded ({args.busy} busy process) {pair('loaded', 'generate')}; "
        "README snippet quiet "
        f"{pair('quiet', 'snippet')}, loaded {pair('loaded', 'snippet')}; load {load_start[0]:.1f} -> "
        f"{load_end[0]:.1f} ({cores} cores, shared). `benchmarks/threads.py`"
    )
    path = common.write_result(result, line)
    print(line)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
