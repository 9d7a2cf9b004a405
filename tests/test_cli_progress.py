"""Progress with ETA (`reasoncraft.progress`) for eval, scale and the trainers' held-out evaluations, and the exact
"reused N of M samples" line of a resumed eval; on tiny random models, in-process.

The bars show on a terminal only: the tests set TTY_COMPATIBLE=1 (rich reads it) to see them, and check that
without it (CliRunner's output is not a terminal) or with --no-progress nothing of them is printed.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers import MEMORISE, write_jsonl
from reasoncraft.backends import HFBackend
from reasoncraft.cli import app
from reasoncraft.testing import tiny_model

TERMINAL = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "0", "COLUMNS": "200"}


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A tiny random model saved as a folder (names are checked before loading); from_name builds it fresh and
    counts its generate calls in `calls` (a list the test may cut short with `fail_after`)."""
    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    state = {"calls": 0, "fail_after": None}

    class Counting(HFBackend):
        def generate(self, prompts, sampling):
            state["calls"] += 1
            if state["fail_after"] is not None and state["calls"] > state["fail_after"]:
                raise KeyboardInterrupt  # a kill between two batches
            return super().generate(prompts, sampling)

    monkeypatch.setattr(
        HFBackend, "from_name", classmethod(lambda cls, name, **kw: Counting(*tiny_model("llama"), model_id=name))
    )
    return tmp_path / "tiny", state


def _eval(model, tmp_path, *extra):
    args = ["eval", "-t", "arith-sum-2d", "--model", str(model), "--samples", "2", "--temperature", "1.0"]
    args += ["--max-new-tokens", "4", "--batch-problems", "1", "--out", str(tmp_path / "run")]
    return [*args, "--cache-dir", str(tmp_path / "cache"), *extra]


def test_eval_shows_a_bar_with_eta_on_a_terminal_only(tiny, tmp_path):
    model, _ = tiny
    shown = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "2"), env=TERMINAL)
    assert shown.exit_code == 0, shown.output
    assert "arith-sum-2d" in shown.output and "2/2" in shown.output and "ETA" in shown.output
    quiet = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "3"))  # not a terminal
    assert quiet.exit_code == 0, quiet.output
    assert "ETA" not in quiet.output and "━" not in quiet.output
    off = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "3", "--no-progress"), env=TERMINAL)
    assert off.exit_code == 0 and "ETA" not in off.output


def test_reused_line_counts_the_cached_samples_exactly(tiny, tmp_path):
    model, state = tiny
    state["fail_after"] = 2  # two problems (one per batch) drawn and cached, then killed
    killed = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "4"))
    assert killed.exit_code != 0
    state["fail_after"], state["calls"] = None, 0
    again = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "5"))  # more problems than the first run
    assert again.exit_code == 0, again.output
    assert "arith-sum-2d: reused 4 of 10 samples from the cache (drew 6)" in again.output
    assert state["calls"] == 3  # only the three problems the cache lacked were drawn
    whole = CliRunner().invoke(app, _eval(model, tmp_path, "--limit", "5"))
    assert "arith-sum-2d: reused 10 of 10 samples from the cache (drew 0)" in whole.output
    import json

    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["reused_samples"] == {"arith-sum-2d": 10}


def _scale(tmp_path, *extra):
    args = ["scale", "--model", "test/tiny", "--limit", "3", "--max-n", "2", "-s", "greedy", "-s", "majority"]
    args += ["-s", "beam", "--beam-width", "2", "--max-new-tokens", "4", "--out", str(tmp_path / "scale")]
    return [*args, "--cache-dir", str(tmp_path / "cache"), *extra]


def test_scale_shows_the_draw_and_each_strategy_with_eta(tiny, tmp_path):
    shown = CliRunner().invoke(app, _scale(tmp_path), env=TERMINAL)
    assert shown.exit_code == 0, shown.output
    for stage in ("test: 2 samples per problem", "test: majority n=2", "test: beam n=2", "test: greedy n=1"):
        assert stage in shown.output, shown.output
    assert "ETA" in shown.output and "6/6" in shown.output  # a strategy's bar runs over problems x budgets
    quiet = CliRunner().invoke(app, _scale(tmp_path, "--limit", "4"))
    assert quiet.exit_code == 0, quiet.output
    assert "ETA" not in quiet.output and "samples per problem" not in quiet.output
    off = CliRunner().invoke(app, _scale(tmp_path, "--no-progress"), env=TERMINAL)
    assert off.exit_code == 0 and "ETA" not in off.output


def test_sft_held_out_evaluations_show_progress(tmp_path, monkeypatch):
    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    args = ["train", "sft", f"model={tmp_path / 'tiny'}", f"datasets=[{data}]", "max_steps=1", "max_seq_length=64"]
    args += ["micro_batch_tokens=128", "eval_task=arith-sum-2d", "eval_problems=3", "eval_max_new_tokens=4"]
    args += ["device=cpu", "num_threads=1", "save_steps=0", "save_model=false", f"out_dir={tmp_path / 'run'}"]
    result = CliRunner().invoke(app, args, env=TERMINAL)
    assert result.exit_code == 0, result.output
    for when in ("before", "after"):
        assert f"held-out evaluation {when}: arith-sum-2d" in result.output, result.output
    assert "3/3" in result.output and "ETA" in result.output
    quiet = CliRunner().invoke(app, [*args[:-1], f"out_dir={tmp_path / 'quiet'}"])
    assert quiet.exit_code == 0 and "ETA" not in quiet.output and "held-out before" in quiet.output


def test_grpo_held_out_evaluations_show_progress(tmp_path):
    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    args = ["train", "grpo", f"model={tmp_path / 'tiny'}", "task=arith-sum-2d", "steps=1", "batch_size=4"]
    args += ["num_generations=2", "micro_batch_size=4", "max_completion_length=4", "eval_problems=2"]
    args += ["save_model=false", "log_samples_steps=0", "device=cpu", "num_threads=1", f"out_dir={tmp_path / 'run'}"]
    result = CliRunner().invoke(app, args, env=TERMINAL)
    assert result.exit_code == 0, result.output
    for when in ("before", "after"):
        assert f"held-out evaluation {when}: arith-sum-2d" in result.output, result.output
    assert "2/2" in result.output and "ETA" in result.output
