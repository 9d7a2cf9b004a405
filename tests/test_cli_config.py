"""`eval` and `scale` configurable by file: options derived from their config dataclasses, one loader, config saved."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.config import load_config
from reasoncraft.eval_config import EvalConfig
from reasoncraft.scaling.sweep import ScaleConfig

# every option name the commands had before their options were derived (tests, README and docs use them)
EVAL_OPTIONS = [
    "--task",
    "-t",
    "--model",
    "--base-url",
    "--samples",
    "--temperature",
    "--top-p",
    "--top-k",
    "--max-new-tokens",
    "--seed",
    "--split",
    "--limit",
    "--template",
    "--task-option",
    "--preset",
    "--batch-problems",
    "--out",
    "--cache-dir",
    "--device",
    "--price-per-hour",
    "--price-per-million-tokens",
    "--no-progress",
]
SCALE_OPTIONS = [
    "--model",
    "--task",
    "--strategy",
    "-s",
    "--max-n",
    "--limit",
    "--dev-limit",
    "--scorer",
    "--scorer-kind",
    "--step-delimiter",
    "--pilot",
    "--difficulty",
    "--bins",
    "--min-bin-size",
    "--aggregation",
    "--beam-width",
    "--temperature",
    "--max-new-tokens",
    "--seed",
    "--out",
    "--cache-dir",
    "--device",
]


def _command(name: str):
    return typer.main.get_command(app).commands[name]


@pytest.mark.parametrize("name, cls, old", [("eval", EvalConfig, EVAL_OPTIONS), ("scale", ScaleConfig, SCALE_OPTIONS)])
def test_options_are_derived_from_the_config_fields(name, cls, old):
    params = {p.name: p for p in _command(name).params}
    for f in dataclasses.fields(cls):  # one option per field, with the field's help string
        assert f.name in params, f.name
        assert params[f.name].help.startswith(f.metadata["help"]), f.name
    names = {n for p in params.values() for n in [*p.opts, *p.secondary_opts]}
    assert set(old) <= names, set(old) - names
    help_text = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "250"}).output
    assert "[default: 16]" in help_text  # defaults are shown (batch_problems for eval, max_n and batch for scale)
    if name == "scale":
        assert "[default: (\\n\\n)]" in help_text  # the step delimiter as typed, not as two line breaks


def test_eval_help_shows_defaults_and_one_progress_switch():
    output = CliRunner().invoke(app, ["eval", "--help"], env={"COLUMNS": "250"}).output
    assert "[default: 512]" in output and "runs/eval/TASK-MODEL" in output
    assert "--no-no-progress" not in output


@pytest.fixture
def tiny_backend(monkeypatch, tmp_path):
    """A tiny random model saved as a folder (names checked before loading must resolve); returns the folder."""
    from reasoncraft.backends import HFBackend
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    monkeypatch.setattr(
        HFBackend, "from_name", classmethod(lambda cls, name, **kw: HFBackend(*tiny_model("llama"), model_id=name))
    )
    return tmp_path / "tiny"


def test_eval_from_a_file_with_overrides_and_options(tmp_path, tiny_backend):
    config = tmp_path / "eval.yaml"
    config.write_text(
        f"tasks: [arith-sum-2d]\nmodel: {tiny_backend}\nsamples: 2\ntemperature: 1.0\nmax_new_tokens: 4\n"
        f"limit: 2\nout_dir: {tmp_path / 'run'}\ncache_dir: {tmp_path / 'cache'}\nprogress: false\n"
    )
    result = CliRunner().invoke(app, ["eval", str(config), "samples=3", "top_p=9e-1", "--limit", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "| arith-sum-2d | 3 | 3 |" in result.output  # 3 problems (the option), 3 samples (the override)
    saved = load_config(EvalConfig, tmp_path / "run" / "config.yaml")
    assert (saved.samples, saved.limit, saved.seed, saved.top_p, saved.max_new_tokens) == (3, 3, 5, 0.9, 4)
    assert json.loads((tmp_path / "run" / "run.json").read_text())["config"]["samples"] == 3
    # the saved config reproduces the run: everything comes from the cache
    again = CliRunner().invoke(app, ["eval", str(tmp_path / "run" / "config.yaml")])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "run" / "summary.json").read_text())[0]["new_completion_tokens"] == 0


def test_eval_config_errors_come_before_the_model(tmp_path, monkeypatch):
    from reasoncraft.backends import HFBackend

    def no_model(*args, **kwargs):
        raise AssertionError("a bad config loaded a model")

    monkeypatch.setattr(HFBackend, "from_name", classmethod(no_model))
    config = tmp_path / "eval.yaml"
    config.write_text("tasks: [arith-sum-2d]\nsamples: many\n")
    result = CliRunner().invoke(app, ["eval", str(config), f"out_dir={tmp_path / 'run'}"], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "samples: 'many' is not a valid int" in result.output
    result = CliRunner().invoke(
        app,
        ["eval", "--task", "arith-sum-2d", "--task-option", "nonsense", "--out", str(tmp_path / "run")],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 2 and "expected key=value" in result.output
    result = CliRunner().invoke(app, ["eval", "--out", str(tmp_path / "run")], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "tasks is required" in result.output
    assert not (tmp_path / "run").exists()


def test_a_preset_sits_under_what_the_user_states(tmp_path):
    config = tmp_path / "eval.yaml"
    config.write_text("tasks: [math500]\npreset: r1\nmax_new_tokens: 2048\n")
    r1 = load_config(EvalConfig, config)
    assert (r1.temperature, r1.top_p, r1.samples, r1.max_new_tokens, r1.preset) == (0.6, 0.95, 64, 2048, "r1")
    assert load_config(EvalConfig, config, ["samples=8"]).samples == 8


def test_scale_from_a_file_with_an_escaped_delimiter_override(tmp_path, tiny_backend):
    config = tmp_path / "scale.yaml"
    config.write_text(
        f"model: {tiny_backend}\nstrategies: [greedy, self-consistency]\nmax_n: 2\nlimit: 2\nmax_new_tokens: 4\n"
        f"out_dir: {tmp_path / 'run'}\ncache_dir: {tmp_path / 'cache'}\n"
    )
    result = CliRunner().invoke(app, ["scale", str(config), "step_delimiter=\\n", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "| majority | 2 |" in result.output
    saved = load_config(ScaleConfig, tmp_path / "run" / "config.yaml")
    assert (saved.strategies, saved.step_delimiter, saved.seed) == (("greedy", "majority"), "\n", 3)
    assert json.loads((tmp_path / "run" / "run.json").read_text())["config"]["seed"] == 3


@pytest.mark.parametrize(
    "path, cls", [("configs/eval_quickstart.yaml", EvalConfig), ("configs/scale_quickstart.yaml", ScaleConfig)]
)
def test_the_example_configs_load(path, cls):
    assert isinstance(load_config(cls, path), cls)


def test_module_entry_point_runs_the_same_app():
    result = subprocess.run(
        [sys.executable, "-m", "reasoncraft.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for command in ("eval", "scale", "train", "distill", "generate"):
        assert command in result.stdout
