"""Evaluation: metrics against closed forms, the crash-safe store, and resumable runs that reuse
finished samples verbatim after a SIGKILL."""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pytest

from helpers import ScriptedBackend
from reasoncraft.backends.base import SamplingParams
from reasoncraft.evaluate import EvalConfig, evaluate
from reasoncraft.metrics import ks_up_to, maj_at_k, pass_at_k
from reasoncraft.record import RunRecord
from reasoncraft.samples import JsonlStore, sample_key
from reasoncraft.tasks import get_task


def pass_at_k_by_enumeration(n: int, c: int, k: int) -> float:
    """The definition: the share of k-subsets of the n samples that hold at least one correct one."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(combinations(range(n), k))
    return sum(any(samples[i] for i in s) for s in subsets) / len(subsets)


def test_pass_at_k_matches_closed_form_and_enumeration():
    rng = random.Random(0)
    for _ in range(200):
        n = rng.randint(1, 12)
        c, k = rng.randint(0, n), rng.randint(1, n)
        closed = 1.0 - math.comb(n - c, k) / math.comb(n, k)
        assert pass_at_k(n, c, k) == pytest.approx(closed, abs=1e-12)
        if n <= 10:
            assert pass_at_k(n, c, k) == pytest.approx(pass_at_k_by_enumeration(n, c, k), abs=1e-12)
    assert pass_at_k(64, 64, 1) == 1.0 and pass_at_k(64, 0, 64) == 0.0
    with pytest.raises(ValueError, match="1 <= k <= n"):
        pass_at_k(4, 1, 5)


def test_maj_at_k_hand_worked():
    same = lambda a, b: float(a) == float(b)  # noqa: E731
    answers = ["7", "7.0", "8", None, "8", "8", "9", "7"]
    correct = [True, True, False, None, False, False, False, True]
    # k=8: classes {7: 3}, {8: 3} -> a tie goes to the class seen first, "7", which is correct.
    assert maj_at_k(answers, correct, 8, same) == 1.0
    # k=4: blocks [7, 7.0, 8, None] -> 7 (right); [8, 8, 9, 7] -> 8 (wrong).
    assert maj_at_k(answers, correct, 4, same) == 0.5
    # k=1 equals the mean verdict, counting no answer as wrong.
    assert maj_at_k(answers, correct, 1, same) == 3 / 8
    assert maj_at_k([None, None], [None, None], 2, same) == 0.0
    assert ks_up_to(64) == [1, 2, 4, 8, 16, 32, 64]


def test_store_survives_a_truncated_last_line(tmp_path):
    store = JsonlStore(tmp_path / "s.jsonl")
    store.append([{"key": "a"}, {"key": "b"}])
    with open(store.path, "ab") as handle:
        handle.write(b'{"key": "c", "compl')  # a kill mid-write
    store.append([{"key": "d"}])
    reread = JsonlStore(store.path)
    assert [r["key"] for r in reread.read()] == ["a", "b", "d"]
    assert reread.skipped_lines == 1


def test_sample_key_ignores_n_but_not_what_changes_samples():
    base = {"n": 4, "temperature": 0.7, "seed": 0, "logprobs": False}
    key = sample_key("w", [{"role": "user", "content": "q"}], base, 2)
    assert key == sample_key("w", [{"role": "user", "content": "q"}], {**base, "n": 16}, 2)
    assert key != sample_key("w", [{"role": "user", "content": "q"}], {**base, "seed": 1}, 2)
    assert key != sample_key("w2", [{"role": "user", "content": "q"}], base, 2)
    assert key != sample_key("w", [{"role": "user", "content": "q"}], base, 3)


def test_config_errors_name_the_fix():
    with pytest.raises(ValueError, match="give --model"):
        EvalConfig(tasks=["arith-sum-2d"], model=None)
    with pytest.raises(ValueError, match="--samples must be >= 1"):
        EvalConfig(tasks=["arith-sum-2d"], samples=0)
    with pytest.raises(ValueError, match="unknown preset"):
        EvalConfig.resolve("fast", tasks=["arith-sum-2d"])
    r1 = EvalConfig.resolve("r1", tasks=["arith-sum-2d"], max_new_tokens=64)
    assert (r1.temperature, r1.top_p, r1.samples, r1.max_new_tokens) == (0.6, 0.95, 64, 64)


RUNNER = r"""
import json, os, signal, sys
from reasoncraft.backends import HFBackend
from reasoncraft.evaluate import EvalConfig, evaluate
from reasoncraft.record import RunRecord
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_model

out, cache, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
model, tok = tiny_model("llama", seed=1)

class Counting(HFBackend):
    calls = 0
    def generate(self, prompts, sampling):
        result = super().generate(prompts, sampling)
        Counting.calls += 1
        print("generated", len(prompts), flush=True)
        return result

class Killing(Counting):
    def generate(self, prompts, sampling):
        if Counting.calls == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().generate(prompts, sampling)

backend = (Killing if kill_after >= 0 else Counting)(model, tok, model_id="tiny")
config = EvalConfig(tasks=["arith-sum-2d"], samples=3, temperature=1.0, max_new_tokens=12, limit=10, batch_problems=3)
record = RunRecord("test", {}, out)
evaluate(backend, [get_task("arith-sum-2d")], config.sampling(), out, record=record, cache_dir=cache,
         limit=config.limit, batch_problems=config.batch_problems, show_progress=False)
"""


def _run(tmp_path: Path, out: str, cache: str, kill_after: int) -> subprocess.CompletedProcess:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path / out), str(tmp_path / cache), str(kill_after)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _samples(path: Path) -> list[dict]:
    keep = ("problem_id", "sample_index", "completion", "token_ids", "correct", "extracted", "key")
    return [{k: json.loads(line)[k] for k in keep} for line in path.read_text().splitlines()]


def test_killed_run_resumes_without_redoing_finished_samples(tmp_path):
    whole = _run(tmp_path, "whole", "cache-whole", -1)
    assert whole.returncode == 0, whole.stderr[-2000:]
    assert whole.stdout.count("generated") == 4  # 10 problems in batches of 3
    killed = _run(tmp_path, "resumed", "cache-resumed", 2)
    assert killed.returncode == -9 and killed.stdout.count("generated") == 2
    resumed = _run(tmp_path, "resumed", "cache-resumed", -1)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.stdout.count("generated") == 2  # only the batches that were not finished
    assert _samples(tmp_path / "resumed" / "samples.jsonl") == _samples(tmp_path / "whole" / "samples.jsonl")
    strip = lambda s: {k: v for k, v in s.items() if k not in ("wall_s", "tokens_per_s", "new_completion_tokens")}  # noqa: E731
    whole_summary = json.loads((tmp_path / "whole" / "summary.json").read_text())
    resumed_summary = json.loads((tmp_path / "resumed" / "summary.json").read_text())
    assert [strip(s) for s in whole_summary] == [strip(s) for s in resumed_summary]
    run = json.loads((tmp_path / "resumed" / "run.json").read_text())
    assert run["model"]["weights_sha256"] and run["tokens"]["completion"] > 0 and run["wall_s"] > 0


def test_evaluate_writes_every_output_and_counts_tokens(tmp_path):
    from reasoncraft.backends import HFBackend
    from reasoncraft.tasks import get_task
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("qwen2", seed=2)
    backend = HFBackend(model, tok, model_id="tiny")
    config = EvalConfig(tasks=["arith-sum-2d"], samples=4, temperature=0.0, max_new_tokens=8, limit=5)
    record = RunRecord("test", {"x": 1}, tmp_path)
    [result] = evaluate(
        backend,
        [get_task("arith-sum-2d")],
        config.sampling(),
        tmp_path,
        record=record,
        cache_dir=tmp_path / "cache",
        limit=5,
        show_progress=False,
    )
    assert {p.name for p in tmp_path.iterdir()} >= {"samples.jsonl", "summary.json", "table.md", "run.json"}
    assert len(result.samples) == 20
    # Greedy: one draw per problem, copied to every sample index.
    by_problem = {}
    for s in result.samples:
        by_problem.setdefault(s.problem_id, set()).add(tuple(s.token_ids))
    assert all(len(v) == 1 for v in by_problem.values())
    assert result.summary["pass@k"][4] == result.summary["pass@1"]  # identical samples: pass@4 = pass@1
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["tokens"]["completion"] == sum(s.completion_tokens for s in result.samples)
    assert run["flops_estimate"] > 0 and run["config"] == {"x": 1}
    assert "arith-sum-2d" in (tmp_path / "table.md").read_text()


def test_hf_and_a_server_replaying_its_completions_give_identical_scored_samples(tmp_path):
    """The same evaluation through the in-process backend and through the OpenAI-compatible backend
    (a fake server on 127.0.0.1 replaying hf's completions) yields the same scored samples."""
    sys.path.insert(0, str(Path(__file__).parent))
    from fake_openai_server import FakeOpenAIServer
    from reasoncraft.backends import HFBackend
    from reasoncraft.backends.openai import OpenAIBackend
    from reasoncraft.tasks import get_task
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("llama", seed=4)
    hf = HFBackend(model, tok, model_id="tiny")
    task = get_task("arith-sum-2d")
    config = EvalConfig(tasks=["arith-sum-2d"], samples=3, temperature=1.0, max_new_tokens=10, limit=6, seed=7)
    sampling = config.sampling()
    prompts = [task.prompt(p) for p in task.problems("test", 6)]
    with FakeOpenAIServer(model="tiny", replay_seed_base=sampling.seed) as server:
        server.replay(prompts, hf.generate(prompts, sampling))
        server_backend = OpenAIBackend(server.base_url, model="tiny")
        runs = {}
        for name, backend in (("hf", hf), ("server", server_backend)):
            out = tmp_path / name
            [result] = evaluate(
                backend,
                [task],
                sampling,
                out,
                record=RunRecord("test", {}, out),
                cache_dir=tmp_path / f"cache-{name}",
                limit=6,
                show_progress=False,
            )
            runs[name] = [{k: v for k, v in s.to_dict().items() if k not in ("key", "model")} for s in result.samples]
    assert runs["hf"] == runs["server"]
    assert len(runs["hf"]) == 18


@pytest.mark.slow
def test_eval_command_on_the_default_model_offline_and_resumed(tmp_path):
    """`reasoncraft eval` as a user runs it, offline on the CPU; the rerun generates nothing new."""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    cmd = [
        sys.executable,
        "-m",
        "reasoncraft.cli",
        "eval",
        "--model",
        "smollm2-135m",
        "--task",
        "arith-sum-2d",
        "--limit",
        "8",
        "--samples",
        "2",
        "--max-new-tokens",
        "32",
        "--out",
        str(tmp_path / "run"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
    ]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "| arith-sum-2d | 8 | 2 |" in first.stdout
    assert f"report: {tmp_path / 'run' / 'report.html'}" in first.stdout
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())[0]
    assert summary["new_completion_tokens"] > 0
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    again = json.loads((tmp_path / "run" / "summary.json").read_text())[0]
    assert again["new_completion_tokens"] == 0
    assert again["pass@1"] == summary["pass@1"] and again["maj@k"] == summary["maj@k"]


def test_lenient_accuracy_and_format_failures_are_reported_beside_strict(tmp_path):
    """A reply that computes the right sum but never writes "Answer:" is wrong under strict scoring,
    right under lenient reading, and a format failure; the measure never enters the reward."""

    def respond(prompt, index, seed):
        a, b = map(int, re.search(r"What is (\d+) \+ (\d+)\?", prompt).groups())
        return [f"{a} + {b} = {a + b}<eos>", f"Answer: {a + b}<eos>", f"{a} + {b} = {a + b + 1}<eos>"][index % 3]

    task = get_task("arith-sum-2d")
    sampling = SamplingParams(n=3, temperature=1.0, max_new_tokens=16)
    record = RunRecord("test", {}, tmp_path / "out")
    (result,) = evaluate(
        ScriptedBackend(respond),
        [task],
        sampling,
        tmp_path / "out",
        record=record,
        cache_dir=tmp_path / "cache",
        limit=4,
        show_progress=False,
    )
    s = result.summary
    assert s["pass@1"] == pytest.approx(1 / 3)  # only "Answer: N" is read strictly
    assert s["lenient_accuracy"] == pytest.approx(2 / 3)  # plus the right sum written without the format
    assert s["extraction_failure_rate"] == pytest.approx(2 / 3)
    for sample in result.samples:
        assert sample.breakdown["lenient_accuracy"] in (0.0, 1.0)
        assert sample.reward == sample.breakdown["accuracy"]  # the measure is not summed into the reward
    table = (tmp_path / "out" / "table.md").read_text()
    assert "| lenient |" in table and "| 0.667 |" in table
    countdown = get_task("countdown-3")
    (cd,) = evaluate(
        ScriptedBackend(lambda p, i, seed: "<answer>1 + 2</answer><eos>"),
        [countdown],
        sampling,
        tmp_path / "cd",
        record=RunRecord("test", {}, tmp_path / "cd"),
        cache_dir=tmp_path / "cache",
        limit=2,
        show_progress=False,
    )
    assert cd.summary["lenient_accuracy"] is None  # no gold number to read leniently
    assert "lenient_accuracy" not in cd.samples[0].breakdown
