"""Options as a new user meets them: one name per concept (old names as aliases), --threads wherever a model runs,
--data-path and --task-option wherever a task is named, --show-config as a dry run, a warning for copies of
one greedy sample."""

from __future__ import annotations

import os

import pytest
import typer
import yaml
from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.cli.checks import auto_threads, use_threads
from reasoncraft.config import load_config
from reasoncraft.data.distill import DistillConfig
from reasoncraft.eval_config import EvalConfig
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.sft_config import SFTConfig


def _options(*path: str) -> set[str]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return {n for p in command.params for n in [*p.opts, *p.secondary_opts]}


@pytest.mark.parametrize(
    "path",
    [("eval",), ("scale",), ("generate",), ("demo",), ("distill",), ("train", "grpo"), ("train", "sft")],
)
def test_every_command_that_runs_a_model_takes_threads(path):
    assert "--threads" in _options(*path)


@pytest.mark.parametrize("path", [("eval",), ("scale",), ("distill",)])
def test_commands_naming_a_task_take_data_path_and_task_options(path):
    assert {"--data-path", "--task-option"} <= _options(*path)


def test_old_names_are_aliases_of_one_name_per_concept():
    config = load_config(EvalConfig, None, ["tasks=[arith-sum-2d]", "n=4", "out=runs/x", "problems=5"])
    assert (config.samples, config.out_dir, config.limit) == (4, "runs/x", 5)
    assert load_config(DistillConfig, None, ["samples=3"]).k == 3
    assert load_config(SFTConfig, None, ["steps=7", "threads=1"]).max_steps == 7
    assert load_config(GRPOConfig, None, ["max_steps=9", "threads=2"]).num_threads == 2
    assert load_config(GRPOConfig, None, ["max_steps=9"]).steps == 9
    assert {"--samples", "--n"} <= _options("generate") and {"--limit", "--problems"} <= _options("demo")


def test_show_config_is_a_dry_run_of_the_file_and_overrides(tmp_path):
    runner = CliRunner()
    config = tmp_path / "eval.yaml"
    config.write_text(f"tasks: [arith-sum-2d]\nsamples: 2\nout_dir: {tmp_path / 'run'}\n")
    shown = runner.invoke(app, ["eval", str(config), "temperature=0.7", "--limit", "3", "--show-config"])
    assert shown.exit_code == 0, shown.output
    values = yaml.safe_load(shown.output)
    assert (values["samples"], values["temperature"], values["limit"]) == (2, 0.7, 3)
    assert not (tmp_path / "run").exists()  # nothing ran
    grpo = runner.invoke(app, ["train", "grpo", "configs/r1_zero_quickstart.yaml", "steps=3", "--show-config"])
    assert grpo.exit_code == 0 and yaml.safe_load(grpo.output)["steps"] == 3
    distill = runner.invoke(
        app,
        ["distill", "configs/distill_countdown_journey.yaml", "--data-path", "d.jsonl", "--show-config"],
    )
    assert yaml.safe_load(distill.output)["task_options"] == {"max_target": 50, "data_path": "d.jsonl"}
    listing = runner.invoke(app, ["eval", "--show-config"])
    assert listing.exit_code == 0 and "samples (int, default 1)" in listing.output


def test_several_greedy_samples_are_warned_about(tmp_path):
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(app, ["eval", "-t", "arith-sum-2d", "--samples", "8", "--out", str(tmp_path / "file")])
    assert "warning: --samples 8 at temperature 0" in result.output and "--temperature" in result.output
    quiet = CliRunner().invoke(
        app, ["eval", "-t", "arith-sum-2d", "--samples", "8", "--temperature", "0.7", "--out", str(tmp_path / "file")]
    )
    assert "warning" not in quiet.output


def test_threads_default_leaves_busy_cores_alone(monkeypatch):
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    from reasoncraft import threads

    monkeypatch.setattr(threads, "busy_cores", lambda: 1.4)  # what /proc/stat says is busy now
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert auto_threads() == 1  # one of two cores is busy
    monkeypatch.setattr(threads, "busy_cores", lambda: 9.0)
    assert auto_threads() == 1  # never fewer than one
    monkeypatch.setattr(threads, "busy_cores", lambda: 0.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert auto_threads() == 8  # nor more than eight
    import torch

    before = torch.get_num_threads()
    try:
        assert use_threads(1) == 1 and torch.get_num_threads() == 1 and os.environ["OMP_NUM_THREADS"] == "1"
        assert use_threads(0) == 1  # what a launcher (or the user) set wins over the automatic count
    finally:
        torch.set_num_threads(before)


def test_task_options_typed_on_the_command_line_add_to_the_files(tmp_path):
    config = tmp_path / "eval.yaml"
    config.write_text("tasks: [countdown-3]\ntask_options: {max_target: 50}\n")
    shown = CliRunner().invoke(app, ["eval", str(config), "--task-option", "seed=3", "--show-config"])
    assert yaml.safe_load(shown.output)["task_options"] == {"max_target": 50, "seed": 3}
