"""The command line as a user meets it: help lists the commands; the demo recipe runs end to end."""

from __future__ import annotations

from typer.testing import CliRunner

from reasoncraft.cli import app


def test_help_lists_the_commands():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("eval", "demo", "scale", "models", "generate", "tasks", "train"):
        assert command in result.output


def test_demo_runs_on_a_local_folder(tmp_path):
    from reasoncraft.testing import tiny_model

    model, tok = tiny_model("llama")
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    result = CliRunner().invoke(app, ["demo", "--model", str(tmp_path), "--problems", "3", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Q: What is") == 3
    assert "tokens/s" in result.output and "/3 right" in result.output


def test_eval_rejects_a_bad_preset_with_the_fix():
    result = CliRunner().invoke(app, ["eval", "--task", "arith-sum-2d", "--preset", "fast"])
    assert result.exit_code != 0
    assert "unknown preset" in result.output
