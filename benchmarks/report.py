"""How a report of a large evaluation opens: 100,000 scored samples, first paint in headless Chromium and file size.

Ours: `reasoncraft.report.write_report` (samples as JSON blocks, rendered 20 at a time). Baseline: the same
samples written straight into the page as HTML (one <article> per sample, every prompt and completion in the
DOM), which is what a report without paging does. The samples come from a real `evaluate` run (500
arith-sum-2d test problems x 200 samples) whose backend writes a chain of thought of varying length with a
right, wrong, unformatted or cut answer, so samples.jsonl has the shape and size of a real evaluation's.

Each arm runs in its own process: writing the page (Python), then opening it in headless Chromium (Debian's
chromium and chromedriver) `--repeats` times: first contentful paint, and the time until the first page of
samples is on screen (ours) or the load event (the baseline, whose samples are all in the HTML). The acceptance
of issue #17: first paint <= 3 s and the page <= 1.5x samples.jsonl.

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/report.py [--samples 100000] [--repeats 3]
    .venv/bin/python benchmarks/report.py screenshot REPORT.html OUT.png [--width 1280] [--height 0]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import shutil
import sys
import time
from pathlib import Path

from common import run_arm, summary, versions, write_result

HERE = Path(__file__).resolve()
FILLER = ["First I line up the digits.", "Then I add the ones.", "Carry the one.", "Wait, let me check again."]


class ScriptedReasoner:
    """A backend without a model: a chain of thought of 2-40 sentences, then a right or wrong answer, or none."""

    model_id = "scripted-reasoner"

    def generate(self, prompts, sampling):
        from reasoncraft.backends.base import Completion

        out = []
        for prompt in prompts:
            text = prompt if isinstance(prompt, str) else "\n".join(m["content"] for m in prompt)
            a, b = (int(x) for x in text.split("What is ")[1].split("?")[0].split(" + "))
            group = []
            for index in range(sampling.n):
                h = int(hashlib.sha256(f"{text}|{index}|{sampling.seed}".encode()).hexdigest()[:8], 16)
                steps = " ".join(FILLER[(h >> k) % 4] for k in range(2 + h % 39))
                kind = h % 7
                answer = {0: a + b + 1, 1: None}.get(kind, a + b)
                reply = f"{a} + {b}: {steps} " + (f"Answer: {answer}" if answer is not None else f"so {a + b}")
                words = reply.split()
                cut = kind == 6
                if cut:
                    words = words[: sampling.max_new_tokens]
                finish = "length" if cut or len(words) >= sampling.max_new_tokens else "stop"
                ids = [1 + (i * 7919 + h) % 49000 for i in range(len(words))]
                group.append(Completion(" ".join(words), ids, len(text.split()), len(ids), finish, index))
            out.append(group)
        return out


def make_eval(folder: Path, samples: int) -> dict:
    """A real evaluation folder of `samples` scored samples (500 problems x samples/500)."""
    from reasoncraft.backends.base import SamplingParams
    from reasoncraft.evaluate import evaluate
    from reasoncraft.record import RunRecord
    from reasoncraft.tasks import get_task

    n = samples // 500
    config = {"tasks": ["arith-sum-2d"], "samples": n, "split": "test", "limit": 500, "task_options": {}}
    start = time.perf_counter()
    evaluate(
        ScriptedReasoner(),
        [get_task("arith-sum-2d")],
        SamplingParams(n=n, temperature=1.0, max_new_tokens=160),
        folder,
        record=RunRecord("reasoncraft eval", config, folder),
        cache_dir=folder.parent / "cache",
        limit=500,
        batch_problems=50,
        show_progress=False,
    )
    return {
        "samples": n * 500,
        "seconds": time.perf_counter() - start,
        "bytes": (folder / "samples.jsonl").stat().st_size,
    }


def naive_page(folder: Path, out: Path) -> None:
    """The baseline: every sample as HTML in the DOM (what a report without paging writes)."""
    from reasoncraft.samples import iter_jsonl

    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>samples</title></head><body>"]
    for _, s in iter_jsonl(folder / "samples.jsonl"):
        prompt = "\n".join(m["content"] for m in s["prompt"]) if isinstance(s["prompt"], list) else str(s["prompt"])
        parts.append(
            f"<article><h4>{html.escape(s['problem_id'])} #{s['sample_index']} {'right' if s['correct'] else 'wrong'}"
            f"</h4><details><summary>prompt</summary><pre>{html.escape(prompt)}</pre></details>"
            f"<pre>{html.escape(s['completion'])}</pre><p>extracted: {html.escape(str(s['extracted']))}"
            f" reward {s['reward']}</p></article>"
        )
    parts.append("</body></html>")
    out.write_text("".join(parts))


def write_arm(arm: str, folder: str, out: str) -> dict:
    start = time.perf_counter()
    if arm == "ours":
        from reasoncraft.report import write_report

        write_report([folder], out, png=False)
    else:
        naive_page(Path(folder), Path(out))
    return {"write_s": time.perf_counter() - start, "bytes": Path(out).stat().st_size}


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1600")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def paint_arm(page: str, waits_for_samples: bool) -> dict:
    """Open the page once in a fresh Chromium: first contentful paint, and when the samples are on screen."""
    driver = browser()
    try:
        driver.set_page_load_timeout(300)
        driver.get(Path(page).resolve().as_uri())
        ready = None
        for _ in range(3000):
            ready = driver.execute_script(
                "var n = document.querySelectorAll(arguments[0]).length;"
                "return n > 0 && document.readyState === 'complete' ? performance.now() : null;",
                "#rc-samples article" if waits_for_samples else "article",
            )
            if ready is not None:
                break
            time.sleep(0.01)
        paint = driver.execute_script(
            "var e = performance.getEntriesByName('first-contentful-paint'); return e.length ? e[0].startTime : null;"
        )
        load = driver.execute_script(
            "var t = performance.getEntriesByType('navigation')[0]; return t ? t.loadEventEnd : null;"
        )
        heap = driver.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : null;")
        return {"first_paint_s": paint / 1000, "samples_shown_s": ready / 1000, "load_s": load / 1000, "js_heap": heap}
    finally:
        driver.quit()


def screenshot(page: str, out: str, width: int, height: int) -> None:
    """A screenshot of a report for docs/: the whole page down to `height` pixels (0: all of it)."""
    driver = browser()
    try:
        driver.set_window_size(width, 1200)
        driver.get(Path(page).resolve().as_uri())
        time.sleep(0.5)
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(full, height) if height else full)
        time.sleep(0.3)
        driver.save_screenshot(out)
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", default="/tmp/reasoncraft-report-bench")
    parser.add_argument("--arm", choices=["make", "write", "paint"], help=argparse.SUPPRESS)
    parser.add_argument("--which", default="ours", help=argparse.SUPPRESS)
    if len(sys.argv) > 1 and sys.argv[1] == "screenshot":
        shot = argparse.ArgumentParser()
        shot.add_argument("command")
        shot.add_argument("page")
        shot.add_argument("out")
        shot.add_argument("--width", type=int, default=1280)
        shot.add_argument("--height", type=int, default=0)
        a = shot.parse_args()
        screenshot(a.page, a.out, a.width, a.height)
        return
    args = parser.parse_args()
    work = Path(args.work)
    folder = work / "eval"
    if args.arm == "make":
        print(json.dumps(make_eval(folder, args.samples)))
        return
    if args.arm == "write":
        print(json.dumps(write_arm(args.which, str(folder), str(work / f"{args.which}.html"))))
        return
    if args.arm == "paint":
        print(json.dumps(paint_arm(str(work / f"{args.which}.html"), args.which == "ours")))
        return

    load_start = os.getloadavg()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    made = run_arm(str(HERE), ["--arm", "make", "--samples", str(args.samples), "--work", str(work)])
    arms = {}
    for which in ("ours", "baseline"):
        written = [
            run_arm(str(HERE), ["--arm", "write", "--which", which, "--work", str(work)]) for _ in range(args.repeats)
        ]
        painted = [
            run_arm(str(HERE), ["--arm", "paint", "--which", which, "--work", str(work)]) for _ in range(args.repeats)
        ]
        arms[which] = {
            "bytes": written[-1]["bytes"],
            "size_ratio": written[-1]["bytes"] / made["bytes"],
            "write_s": summary([w["write_s"] for w in written]),
            "first_paint_s": summary([p["first_paint_s"] for p in painted]),
            "samples_shown_s": summary([p["samples_shown_s"] for p in painted]),
            "load_s": summary([p["load_s"] for p in painted]),
            "js_heap_bytes": summary([p["js_heap"] or 0 for p in painted]),
        }
    ours, base = arms["ours"], arms["baseline"]
    result = {
        "name": "report",
        "device": f"cpu, {os.cpu_count()} cores shared; {shutil.which('chromium')} headless",
        "versions": versions("selenium"),
        "setting": f"report of a real evaluation folder: {made['samples']} scored samples (500 arith-sum-2d test "
        f"problems x {made['samples'] // 500}, scripted chains of thought), samples.jsonl {made['bytes']:,} bytes",
        "metric": "first contentful paint in headless Chromium, seconds (lower is better); page size / samples.jsonl",
        "ours": {"name": "reasoncraft report (JSON blocks, 20 rows a page)", **ours},
        "baseline": {"name": "every sample as HTML in the DOM", **base},
        "speedup": base["first_paint_s"]["median"] / ours["first_paint_s"]["median"],
        "target": {"first_paint_s": 3.0, "size_ratio": 1.5},
        "load": {"start": load_start, "end": os.getloadavg()},
        "samples_jsonl_bytes": made["bytes"],
    }
    line = (
        f"report (cpu, 2 cores shared, load {load_start[0]:.1f}->{os.getloadavg()[0]:.1f}; fifth session, issue #17): "
        f"{made['samples']:,}-sample eval, first paint {ours['first_paint_s']['median']:.2f} s "
        f"(min {ours['first_paint_s']['min']:.2f}, max {ours['first_paint_s']['max']:.2f}), first page of samples "
        f"{ours['samples_shown_s']['median']:.2f} s, page {ours['size_ratio']:.2f}x samples.jsonl "
        f"({ours['bytes'] / 1e6:.1f} MB of {made['bytes'] / 1e6:.1f} MB), "
        f"written in {ours['write_s']['median']:.1f} s; "
        f"baseline (every sample in the DOM): first paint {base['first_paint_s']['median']:.2f} s, load "
        f"{base['load_s']['median']:.2f} s, {base['size_ratio']:.2f}x. Targets: paint <= 3 s, size <= 1.5x. "
        "Command: `flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/report.py`"
    )
    print(json.dumps(result, indent=2))
    print(write_result(result, line))


if __name__ == "__main__":
    main()
