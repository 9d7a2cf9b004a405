"""A run that fails before doing any work leaves no new folder (issue #15): eval, scale, train grpo, train sft and
distill, each failing after its folder was claimed (the model does not load); a run that did some work keeps its
folder to resume from, and a folder that was there before stays."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import reasoncraft.train.grpo
import reasoncraft.train.sft
from helpers import MEMORISE, write_jsonl
from reasoncraft.backends import HFBackend
from reasoncraft.cli import app
from reasoncraft.testing import tiny_model


def _no_model(*args, **kwargs):
    raise OSError("nobody/nothing is not a local folder and is not in the hub cache (offline)")


@pytest.fixture
def unloadable(monkeypatch):
    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda cls, *a, **kw: _no_model()))
    monkeypatch.setattr(reasoncraft.train.grpo, "load_model", _no_model)
    monkeypatch.setattr(reasoncraft.train.sft, "load_model", _no_model)


def commands(tmp_path, out):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:2])
    return {
        "eval": ["eval", "-t", "arith-sum-2d", "--model", "nobody/nothing", "--limit", "2", "--out", out],
        "scale": ["scale", "--model", "nobody/nothing", "--limit", "2", "--max-n", "2", "--out", out],
        "train grpo": [
            "train",
            "grpo",
            "model=nobody/nothing",
            "task=arith-sum-2d",
            "eval_problems=0",
            f"out_dir={out}",
        ],
        "train sft": ["train", "sft", "model=nobody/nothing", f"datasets=[{data}]", f"out_dir={out}"],
        "distill": ["distill", "teacher=nobody/nothing", "task=arith-sum-2d", "limit=2", f"out_dir={out}"],
    }


@pytest.mark.parametrize("command", ["eval", "scale", "train grpo", "train sft", "distill"])
def test_a_failed_start_leaves_no_new_folder(tmp_path, unloadable, command):
    out = tmp_path / "runs" / "new" / "run"  # two of its parents are new too
    result = CliRunner().invoke(app, commands(tmp_path, str(out))[command], env={"HF_HUB_OFFLINE": "1"})
    assert result.exit_code != 0, result.output
    assert not (tmp_path / "runs").exists(), sorted(p.name for p in (tmp_path / "runs").rglob("*"))


def test_a_folder_that_was_there_stays_and_holds_nothing_new(tmp_path, unloadable):
    out = tmp_path / "mine"
    out.mkdir()
    result = CliRunner().invoke(app, commands(tmp_path, str(out))["eval"])
    assert result.exit_code != 0 and out.is_dir() and not list(out.iterdir())


def test_a_run_that_did_work_keeps_its_folder(tmp_path, monkeypatch):
    calls = {"n": 0}

    class Killed(HFBackend):
        def generate(self, prompts, sampling):
            calls["n"] += 1
            if calls["n"] > 1:
                raise KeyboardInterrupt
            return super().generate(prompts, sampling)

    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda cls, name, **kw: Killed(*tiny_model("llama"))))
    out = tmp_path / "scale"
    args = ["scale", "--model", "test/tiny", "--limit", "3", "--max-n", "2", "-s", "greedy", "--batch", "1"]
    result = CliRunner().invoke(app, [*args, "--max-new-tokens", "4", "--out", str(out)])
    assert result.exit_code == 130, result.output
    assert list((out / "results").rglob("greedy-n1.jsonl")), "the first problem's result is kept to resume from"
    assert (out / "identity.json").is_file()
