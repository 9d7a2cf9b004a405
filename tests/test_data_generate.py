"""Trace generation: keys, verdicts, resume, and a SIGKILL mid-run against a faulty fake server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_openai_server import FakeOpenAIServer  # noqa: E402
from reasoncraft.backends import HFBackend, SamplingParams  # noqa: E402
from reasoncraft.data.countdown import CountdownSearchTeacher  # noqa: E402
from reasoncraft.data.generate import generate_traces, read_records, teacher_id, trace_keys  # noqa: E402
from reasoncraft.tasks import get_task  # noqa: E402

FAST = dict(
    request_timeout=0.5,
    connect_timeout=0.5,
    max_retries=3,
    backoff_base=0.02,
    backoff_cap=0.1,
    request_deadline=4.0,
    breaker_threshold=1000,
    watchdog_window=None,
    api_key_env=None,
)


def lines_by_key(path: Path) -> Counter:
    counts: Counter = Counter()
    for raw in path.read_bytes().splitlines():
        try:
            counts[json.loads(raw)["key"]] += 1
        except json.JSONDecodeError:
            pass
    return counts


def test_solver_traces_are_verified_messages_records(tmp_path):
    task = get_task("countdown-3", max_target=50)
    problems = task.problems("train", limit=6)
    teacher = CountdownSearchTeacher("journey")
    out = tmp_path / "traces.jsonl"
    report = generate_traces(task, problems, teacher, out, k=2, count_tokens=lambda t: len(t.split()))
    records, skipped = read_records(out)
    assert skipped == 0 and report.records_written == 12 and len(records) == 12
    r = next(iter(records.values()))
    assert [m["role"] for m in r["messages"]] == ["user", "assistant"]
    assert r["messages"][-1]["content"] == r["completion"]
    assert r["verdict"]["correct"] is True and r["tokens"]["completion"] == len(r["completion"].split())
    assert r["teacher"]["kind"] == "solver" and r["teacher"]["id"] == teacher.model_id
    assert report.correct == 12
    # A rerun generates nothing: every key is on disk.
    again = generate_traces(task, problems, teacher, out, k=2)
    assert again.records_written == 0 and again.records_total == 12
    assert len(out.read_text().splitlines()) == 12


def test_backend_traces_resume_after_truncated_last_line(tmp_path):
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    backend = HFBackend(model, tokenizer, model_id="tiny")
    task = get_task("arith-sum-2d")
    problems = task.problems("train", limit=4)
    sampling = SamplingParams(temperature=1.0, max_new_tokens=6, seed=3)
    out = tmp_path / "traces.jsonl"
    first = generate_traces(task, problems, backend, out, k=3, sampling=sampling, batch_problems=2)
    assert first.records_written == 12 and first.prompt_tokens > 0 and first.completion_tokens > 0
    records, _ = read_records(out)
    assert all(r["verdict"]["correct"] is False or r["verdict"]["correct"] is True for r in records.values())
    assert {r["teacher"]["sampling"]["temperature"] for r in records.values()} == {1.0}
    # Keys are the hash of (teacher weights, prompt, sampling without n, sample index).
    expected = {k for p in problems for k in trace_keys(teacher_id(backend), task.prompt(p), sampling, 3)}
    assert set(records) == expected
    # A kill mid-write: cut the last record in half. The rerun skips the partial line and redoes it.
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 40])
    second = generate_traces(task, problems, backend, out, k=3, sampling=sampling, batch_problems=2)
    assert second.skipped_lines == 1 and second.records_written == 1
    counts = lines_by_key(out)
    assert set(counts) == expected and set(counts.values()) == {1}


CHILD = """
import sys
from reasoncraft.backends import SamplingParams
from reasoncraft.backends.openai import OpenAIBackend
from reasoncraft.data.generate import generate_traces
from reasoncraft.tasks import get_task
url, out, fast = sys.argv[1], sys.argv[2], eval(sys.argv[3])
task = get_task("countdown-3", max_target=50)
backend = OpenAIBackend(url, "fake-model", **fast)
report = generate_traces(task, task.problems("train", limit=24), backend, out, k=2,
                         sampling=SamplingParams(temperature=0.7, max_new_tokens=32, seed=1), batch_problems=2)
print(report.to_dict())
"""


def test_sigkill_and_faults_leave_exactly_one_record_per_key(tmp_path):
    """Acceptance: 429, 500, hangs and drops injected, the generator SIGKILLed mid-run, rerun: one record
    per key, none lost, fault counts reported."""
    from reasoncraft.backends.openai import OpenAIBackend

    task = get_task("countdown-3", max_target=50)
    problems = task.problems("train", limit=24)
    prompts = [task.prompt(p) for p in problems]
    out = tmp_path / "traces.jsonl"
    with FakeOpenAIServer(latency=0.15, hang_limit=3.0, max_lifetime=90.0) as server:
        server.inject(prompts[1], "429", "429:0.1")
        server.inject(prompts[3], "500")
        server.inject(prompts[5], "hang")
        server.inject(prompts[7], "drop")
        server.inject(
            prompts[20], "500", "500", "500", "500"
        )  # 1 + max_retries attempts: the run that meets it fails it
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.base_url, str(out), repr(FAST)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < 6):
            time.sleep(0.05)
        assert child.poll() is None, f"the child finished before it could be killed: {child.communicate()}"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        killed_at = lines_by_key(out)
        assert 6 <= sum(killed_at.values()) < 48
        with open(out, "ab") as handle:  # as if the kill had landed mid-write
            handle.write(b'{"key": "half a rec')
        backend = OpenAIBackend(server.base_url, "fake-model", **FAST)
        sampling = SamplingParams(temperature=0.7, max_new_tokens=32, seed=1)
        first = generate_traces(task, problems, backend, out, k=2, sampling=sampling, batch_problems=2)
        assert first.failures == {"BackendServerError": 1}  # prompt 20, after its retries; not written
        assert first.retries.get("BackendServerError", 0) >= 3  # prompt 20's retries before it gave up
        assert first.records_total == 46
        rerun = generate_traces(task, problems, backend, out, k=2, sampling=sampling, batch_problems=2)
        assert rerun.failures == {} and rerun.records_written == 2
        faults = Counter(r["fault"] for r in server.log if r["fault"])
    counts = lines_by_key(out)
    expected = {k for prompt in prompts for k in trace_keys("server:fake-model", prompt, sampling, 2)}
    assert set(counts) == expected, "a key is missing or foreign"
    assert set(counts.values()) == {1}, "a key was written twice"
    assert rerun.records_total == 48 and first.skipped_lines == 1
    assert faults == {"429": 1, "429:0.1": 1, "500": 5, "hang": 1, "drop": 1}
    # Retries the reruns saw never exceed the faults served (the killed child's are lost with it).
    assert sum(first.retries.values()) + sum(rerun.retries.values()) <= sum(faults.values())
    print(
        {
            "injected_faults_served": dict(faults),
            "records_before_kill": sum(killed_at.values()),
            "first_rerun": first.to_dict(),
            "second_rerun_written": rerun.records_written,
        }
    )


def test_cold_start_recipe_runs_with_an_in_process_teacher_folder(tmp_path):
    """The R1 cold-start recipe on a (tiny, untrained) checkpoint: every trace is judged, counted and priced."""
    from reasoncraft.config import load_config
    from reasoncraft.data.distill import DistillConfig, run_distill
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("qwen2")
    model.save_pretrained(tmp_path / "ckpt")
    tok.save_pretrained(tmp_path / "ckpt")
    config = load_config(
        DistillConfig,
        "configs/distill_r1_cold_start.yaml",
        [
            f"teacher={tmp_path / 'ckpt'}",
            "limit=3",
            "k=2",
            "max_new_tokens=8",
            "device=cpu",
            "price_per_million_completion_tokens=1.5",
            f"out_dir={tmp_path / 'run'}",
        ],
    )
    report = run_distill(config, log=lambda m: None)
    generation, filtering = report["generation"], report["filtering"]
    assert generation["records_total"] == 6 and generation["completion_tokens"] > 0
    assert filtering["input"] == 6 and filtering["kept"] + sum(filtering["dropped"].values()) == 6
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["cost"] == pytest.approx(1.5 * generation["completion_tokens"] / 1e6)
    parameters = sum(p.numel() for p in model.parameters())  # a model teacher's FLOPs: 2 N per token drawn
    drawn = generation["prompt_tokens"] + generation["completion_tokens"]
    assert run["flops_estimate"] == pytest.approx(2.0 * parameters * drawn) and drawn > 0
    # the traces on disk (all drawn by this run) embody its tokens; a rerun draws nothing and reports the same data
    assert (generation["data_prompt_tokens"], generation["data_completion_tokens"]) == (
        generation["prompt_tokens"],
        generation["completion_tokens"],
    )
    again = run_distill(config, log=lambda m: None)["generation"]
    assert again["prompt_tokens"] == again["completion_tokens"] == 0 and again["records_on_disk_before"] == 6
    assert (again["data_prompt_tokens"], again["data_completion_tokens"]) == (
        generation["prompt_tokens"],
        generation["completion_tokens"],
    )
