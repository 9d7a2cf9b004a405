"""`reasoncraft report` on real run folders: an evaluation (a scripted backend with right, wrong, unformatted and
cut replies, through the real evaluation path), GRPO and a scaling sweep on a tiny random model, an incomplete
(killed) training run, several runs compared, comparison.json, and folders that are not runs.

The builders here are shared with tests/test_report_browser.py (which renders the same runs in Chromium)."""

from __future__ import annotations

import doctest
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import ScriptedBackend, tiny_config
from reasoncraft.backends.base import SamplingParams
from reasoncraft.cli import app
from reasoncraft.evaluate import evaluate
from reasoncraft.math.stats import paired_bootstrap
from reasoncraft.record import RunRecord
from reasoncraft.report import NotARunError, read_run, sections, svg, write_report
from reasoncraft.report import browse as browse_module
from reasoncraft.tasks import get_task

INJECTION = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script><!-- Answer: 1'


def scripted_reply(prompt: str, index: int, seed: int) -> str:
    """Right, wrong, unformatted (a format failure), cut at the length limit, or markup, by problem and index."""
    a, b = map(int, re.search(r"What is (\d+) \+ (\d+)\?", prompt).groups())
    kind = (a + b + index) % 5
    if kind == 0 or kind == 1:
        return f"{a} + {b} = {a + b}. Answer: {a + b}<eos>"
    if kind == 2:
        return f"Answer: {a + b + 1}<eos>"
    if kind == 3:
        return f"The sum is {a + b}<eos>" if index % 2 else INJECTION + "<eos>"
    return " ".join(["step"] * 40)  # no end: cut at max_new_tokens


def scripted_eval(out: Path, respond=scripted_reply, limit: int = 8, n: int = 4) -> Path:
    config = {"tasks": ["arith-sum-2d"], "samples": n, "split": "test", "limit": limit, "task_options": {}}
    evaluate(
        ScriptedBackend(respond),
        [get_task("arith-sum-2d")],
        SamplingParams(n=n, temperature=1.0, max_new_tokens=12),
        out,
        record=RunRecord("reasoncraft eval", config, out),
        cache_dir=out.parent / f"{out.name}-cache",
        limit=limit,
        show_progress=False,
    )
    return out


def grpo_run(out: Path) -> Path:
    """GRPO on the tiny llama for 4 steps, held-out evaluation before and after, rollouts logged every step."""
    from helpers import run

    run(tiny_config(out.parent, out_dir=str(out), eval_problems=4, log_samples_steps=1, steps=4))
    return out


def scale_run(out: Path) -> Path:
    """`reasoncraft scale` on a saved tiny llama: majority and best-of-n (oracle scorer) at budgets 1 and 2."""
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    model.save_pretrained(out.parent / "tiny")
    tokenizer.save_pretrained(out.parent / "tiny")
    args = ["scale", "--model", str(out.parent / "tiny"), "--limit", "3", "--max-n", "2", "-s", "majority"]
    args += ["-s", "best-of-n", "--scorer", "oracle", "--max-new-tokens", "8", "--device", "cpu"]
    args += ["--out", str(out), "--cache-dir", str(out.parent / "cache")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


class Page(HTMLParser):
    """What a test reads back from a report: table cells, chart polylines, script blocks, external references."""

    def __init__(self, text: str):
        super().__init__()
        self.cells: list[str] = []
        self.polylines: list[dict] = []
        self.scripts: list[dict] = []
        self.external: list[str] = []
        self._cell: list[str] | None = None
        self._script: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs and not attrs[name].startswith("#"):
                self.external.append(attrs[name])
        if tag == "link":
            self.external.append(str(attrs))
        if tag in ("td", "th"):
            self._cell = []
        if tag == "polyline":
            self.polylines.append(attrs)
        if tag == "script":
            self._script = {**attrs, "text": ""}

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._script is not None:
            self._script["text"] += data

    def dataset(self, title_part: str) -> dict:
        index = json.loads(next(s["text"] for s in self.scripts if s.get("id") == "rc-index"))
        number = next(i for i, meta in enumerate(index) if title_part in meta["title"])
        blocks = [json.loads(s["text"]) for s in self.scripts if s.get("id", "").startswith(f"rc-ds-{number}-")]
        return {"problems": blocks[0]["problems"], "rows": [row for block in blocks for row in block["rows"]]}


def read_page(path: Path) -> Page:
    return Page(path.read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return {"eval": scripted_eval(root / "eval"), "grpo": grpo_run(root / "grpo")}


def test_report_modules_doctests():
    for module in (svg, sections, browse_module):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_eval_report_holds_the_summary_numbers_and_every_sample(runs):
    out = write_report([runs["eval"]])
    assert out == runs["eval"] / "report.html"
    page = read_page(out)
    (summary,) = json.loads((runs["eval"] / "summary.json").read_text())
    total, correct, wrong = sections.sample_counts(summary)
    assert 0 < correct < total and wrong > 0 and summary["extraction_failure_rate"] > 0
    for value in (f"{summary['pass@1']:.3f}", f"{summary['lenient_accuracy']:.3f}", str(total), str(wrong)):
        assert value in page.cells
    samples = [json.loads(line) for line in (runs["eval"] / "samples.jsonl").read_text().splitlines()]
    data = page.dataset("scored samples")
    assert len(data["rows"]) == len(samples) == total
    assert sum(r.get("v") == 0 for r in data["rows"]) == wrong
    assert sum("x" not in r and "f" not in r for r in data["rows"]) == sum(s["extracted"] is None for s in samples)
    assert sum(r.get("e") == "length" for r in data["rows"]) == sum(s["finish_reason"] == "length" for s in samples)
    # gold answers come from the task's local generator
    gold = {p.id: p.answer for p in get_task("arith-sum-2d").problems("test")}
    assert all(data["problems"][pid]["g"] == gold[pid] for pid in data["problems"])
    assert (runs["eval"] / "report_plots" / "accuracy-vs-compute.png").stat().st_size > 1000


def test_report_needs_no_network_and_keeps_model_text_out_of_the_markup(runs):
    text = (runs["eval"] / "report.html").read_text() if (runs["eval"] / "report.html").exists() else ""
    text = text or write_report([runs["eval"]]).read_text()
    page = Page(text)
    assert page.external == []  # no script src, stylesheet link, image or font from anywhere
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)
    # the completion with markup sits inside a JSON block, escaped so that it cannot end the block
    assert "window.pwned=2" in text and "</script><script>window.pwned" not in text
    assert len([s for s in page.scripts if "src" in s]) == 0
    assert sum(1 for s in page.scripts if s.get("type") != "application/json") == 1  # the browser's own code


def test_report_is_smaller_than_its_samples_file(runs):
    out = write_report([runs["eval"]], runs["eval"].parent / "size.html", png=False)
    assert out.stat().st_size <= 1.5 * (runs["eval"] / "samples.jsonl").stat().st_size


def test_grpo_report_has_one_point_per_metrics_row_and_before_after_pairs(runs):
    out = write_report([runs["grpo"]])
    page = read_page(out)
    metrics = [json.loads(line) for line in (runs["grpo"] / "metrics.jsonl").read_text().splitlines()]
    curves = {p["data-label"]: int(p["data-n"]) for p in page.polylines}
    for key in ("reward", "reward/sevens", "completion_length_mean", "entropy", "lr", "tokens_per_s", "clip_fraction"):
        assert curves[key] == sum(key in row for row in metrics) == len(metrics) == 4, key
    numeric = {k for row in metrics for k, v in row.items() if isinstance(v, float)} - {"train_seconds"}
    assert numeric <= set(curves)  # every measured quantity has its curve (the cumulative clock is not one)
    for line in page.polylines:
        assert len(line["points"].split()) == int(line["data-n"])
    pairs = page.dataset("before and after")
    before = [json.loads(line) for line in (runs["grpo"] / "eval/before/samples.jsonl").read_text().splitlines()]
    assert len(pairs["rows"]) == len(before) == 4
    assert all({"a", "b"} <= set(row) for row in pairs["rows"])
    rollouts = page.dataset("training rollouts")
    assert len(rollouts["rows"]) == len((runs["grpo"] / "samples.jsonl").read_text().splitlines())
    evaluation = json.loads((runs["grpo"] / "summary.json").read_text())["evaluation"]
    assert f"{evaluation['before']['accuracy']:.3f}" in page.cells and "change" in page.cells
    assert (runs["grpo"] / "report_plots" / "training.png").exists()


def test_a_killed_training_run_renders_what_is_there_and_says_what_is_missing(runs, tmp_path):
    killed = tmp_path / "killed"
    shutil.copytree(runs["grpo"], killed)
    for name in ("run.json", "summary.json", "report.html"):
        (killed / name).unlink(missing_ok=True)
    shutil.rmtree(killed / "eval" / "after")
    lines = (killed / "metrics.jsonl").read_text().splitlines()
    (killed / "metrics.jsonl").write_text("\n".join(lines[:2]) + "\n" + lines[2][:25])  # a kill mid-write
    run = read_run(killed)
    assert run.kind == "grpo" and len(run.metrics) == 2
    text = write_report([killed]).read_text()
    assert "This run is incomplete" in text and "metrics for 2 of 4 steps" in text
    assert "run.json" in text and "eval/after" in text and "1 unreadable line(s) skipped" in text
    page = Page(text)
    assert {int(p["data-n"]) for p in page.polylines} == {2}
    assert page.dataset("held-out before")["rows"]


def test_a_killed_evaluation_says_its_samples_are_missing(tmp_path):
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "config.yaml").write_text("tasks: [arith-sum-2d]\nmodel: tiny\nsamples: 4\n")
    text = write_report([folder], png=False).read_text()
    assert "samples.jsonl" in text and "rerun the same command to resume" in text and "No sample file" in text


def test_a_folder_that_is_not_a_run_fails_with_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotARunError, match="is not a run folder"):
        read_run(tmp_path)
    for folder in (tmp_path, tmp_path / "absent"):
        result = CliRunner().invoke(app, ["report", str(folder)])
        assert result.exit_code == 2
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output


def test_scale_report_shows_every_strategy_row_and_pick(tmp_path):
    folder = scale_run(tmp_path / "scale")
    result = CliRunner().invoke(app, ["report", str(folder), "--no-png"])
    assert result.exit_code == 0, result.output
    page = read_page(folder / "report.html")
    summary = json.loads((folder / "summary.json").read_text())
    assert f"{summary['rows'][0]['accuracy']:.3f}" in page.cells
    strategies = {row["strategy"] for row in summary["rows"]}
    assert {p["data-label"] for p in page.polylines} == strategies
    results = list((folder / "results").glob("*/*/*.jsonl"))
    data = page.dataset("strategies")
    assert len(data["rows"]) == sum(len(f.read_text().splitlines()) for f in results)
    assert {r["k"] for r in data["rows"]} == {f.stem for f in results}


def test_several_runs_are_compared_with_paired_intervals(runs, tmp_path):
    def always_right(prompt, index, seed):
        a, b = map(int, re.search(r"What is (\d+) \+ (\d+)\?", prompt).groups())
        return f"Answer: {a + b}<eos>"

    better = scripted_eval(tmp_path / "better", respond=always_right)
    out = write_report([runs["eval"], better], tmp_path / "both.html", png=False)
    page = read_page(out)
    first = [json.loads(line) for line in (runs["eval"] / "samples.jsonl").read_text().splitlines()]
    by_problem: dict[str, list[bool]] = {}
    for s in first:
        by_problem.setdefault(s["problem_id"], []).append(bool(s["correct"]))
    scores = [sum(v) / len(v) for v in by_problem.values()]
    expected = paired_bootstrap([1.0] * len(scores), scores, draws=2000)
    row = f"{expected['diff']:+.3f} [{expected['low']:+.3f}, {expected['high']:+.3f}] ({len(scores)} problems)"
    assert row in page.cells
    assert {p["data-label"] for p in page.polylines if p["data-label"].startswith(("eval", "better"))} >= {
        "eval arith-sum-2d",
        "better arith-sum-2d",
    }


def test_comparison_json_is_drawn_with_its_intervals(runs, tmp_path):
    """A recipe folder: stage folders with stage.json, the comparison stage's comparison.json (HELPERS.md schema)
    pointing at an evaluation stage's samples, relative to the recipe folder."""
    recipe = tmp_path / "recipe"
    shutil.copytree(runs["eval"], recipe / "base-eval")
    (recipe / "base-eval" / "stage.json").write_text(
        json.dumps({"name": "base-eval", "kind": "evaluate", "done": True})
    )
    (recipe / "comparison").mkdir()
    (recipe / "comparison" / "stage.json").write_text(
        json.dumps({"name": "comparison", "kind": "compare", "done": True})
    )
    route = {
        "strict": {"mean": 0.25, "std": 0.05, "per_seed": [0.2, 0.3]},
        "lenient": {"mean": 0.5, "std": 0.0, "per_seed": [0.5, 0.5]},
        "pass@k": {"1": 0.25},
        "maj@k": {"1": 0.25},
        "extraction_failure_rate": 0.4,
        "mean_completion_tokens": 12.0,
        "train_flops": 0.0,
        "train_wall_s": 0.0,
        "inference_tokens_per_problem": 60.0,
        "inference_flops_per_problem": 1.2e7,
        "budget": "greedy",
        "samples": ["base-eval/samples.jsonl"],
    }
    comparison = {
        "recipe": "compare",
        "preset": "quick",
        "base_model": "tiny",
        "task": "arith-sum-2d",
        "split": "test",
        "problems": 8,
        "seeds": [0, 1],
        "routes": [
            {**route, "route": "base", "label": "base (tiny)", "vs_base": None},
            {**route, "route": "r1-zero", "label": "r1-zero (GRPO)", "train_flops": 3e12},
        ],
        "pairs": [{"a": "r1-zero", "b": "base", "diff": 0.125, "low": -0.05, "high": 0.3}],
        "points": [
            {"route": "base", "budget": "greedy", "compute_flops": 1e8, "accuracy": 0.25},
            {"route": "r1-zero", "budget": "greedy", "compute_flops": 3e12, "accuracy": 0.375},
        ],
    }
    comparison["routes"][1]["vs_base"] = {"diff": 0.125, "low": -0.05, "high": 0.3}
    (recipe / "comparison" / "comparison.json").write_text(json.dumps(comparison))
    for folder in (recipe, recipe / "comparison"):
        page = read_page(write_report([folder], tmp_path / "cmp.html", png=False))
        assert "0.250 ± 0.050 (2 seeds)" in page.cells and "+0.125 [-0.050, +0.300]" in page.cells
        assert {p["data-label"] for p in page.polylines} == {"base", "r1-zero"}
        assert len(page.dataset("base (tiny)")["rows"]) == len(
            (runs["eval"] / "samples.jsonl").read_text().splitlines()
        )
        assert "base-eval" in page.cells and "comparison" in page.cells


def test_the_report_after_a_command_never_fails_the_finished_run(runs, tmp_path):
    from reasoncraft.report import report_after_run

    lines: list[str] = []
    assert report_after_run(runs["eval"], lines.append) == runs["eval"] / "report.html"
    assert lines == [f"report: {runs['eval'] / 'report.html'}"]
    (tmp_path / "empty").mkdir()
    assert report_after_run(tmp_path / "empty", lines.append) is None
    assert lines[-1].startswith("report: not written (NotARunError:") and "reasoncraft report" in lines[-1]


def test_levels_and_gold_answers_come_from_a_local_test_file(tmp_path, shared_data):
    """MATH-500 from a local file (data_path): the report shows each problem's gold answer and accuracy per level."""
    out = tmp_path / "math"
    task = get_task("math500", data_path=str(shared_data / "math500.jsonl"))
    config = {"tasks": ["math500"], "split": "test", "task_options": {"data_path": str(shared_data / "math500.jsonl")}}
    evaluate(
        ScriptedBackend(lambda prompt, index, seed: f"So the answer is $\\boxed{{{index + 1}}}$.<eos>"),
        [task],
        SamplingParams(n=2, temperature=1.0, max_new_tokens=16),
        out,
        record=RunRecord("reasoncraft eval", config, out),
        cache_dir=tmp_path / "cache",
        limit=12,
        show_progress=False,
    )
    page = read_page(write_report([out], png=False))
    problems = {p.id: p for p in task.problems("test")[:12]}
    data = page.dataset("scored samples")
    assert {pid: facts["g"] for pid, facts in data["problems"].items()} == {p: v.answer for p, v in problems.items()}
    levels = sorted({str(p.fields["level"]) for p in problems.values()})
    start = page.cells.index("pass@1", page.cells.index("level"))  # the level table's header ends with pass@1
    body = page.cells[start + 1 :]
    shown = [body[i + 1] for i in range(0, 6 * len(levels), 6)]
    assert shown == sorted(levels, key=int)
    assert sum(int(body[i + 3]) for i in range(0, 6 * len(levels), 6)) == 24  # every sample in one level


def test_scale_rows_that_carry_candidates_show_their_scores_and_pick(tmp_path):
    """The row format proposed for the sweep (today it writes only the pick): the chosen text and every candidate
    with its answer and verifier score; the browser marks the candidate whose text was chosen."""
    results = tmp_path / "scale" / "results" / "k" / "test"
    results.mkdir(parents=True)
    row = {
        "id": "p0",
        "correct": True,
        "answer": "7",
        "completion_tokens": 12,
        "text": "3 + 4 = 7. Answer: 7",
        "candidates": [
            {"text": "3 + 4 = 8. Answer: 8", "answer": "8", "score": 0.2},
            {"text": "3 + 4 = 7. Answer: 7", "answer": "7", "score": 0.9},
        ],
    }
    (results / "best-of-n-n2.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "scale" / "summary.json").write_text(json.dumps({"rows": [], "compute_optimal": None}))
    data = Page(write_report([tmp_path / "scale"], png=False).read_text()).dataset("strategies")
    (shown,) = data["rows"]
    assert shown["k"] == "best-of-n-n2" and shown["v"] == 1 and shown["c"] == row["text"]
    assert [c.get("pick", False) for c in shown["m"]] == [False, True] and [c["s"] for c in shown["m"]] == [0.2, 0.9]
