"""`reasoncraft scale` from the command line, on a tiny random model (the hub-free stand-in for a real one)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reasoncraft.cli import app


def test_scale_command_runs_and_writes_its_outputs(tmp_path, monkeypatch):
    from reasoncraft.backends import HFBackend
    from reasoncraft.testing import tiny_model

    def tiny(name, dtype=None, device=None, **kwargs):
        model, tokenizer = tiny_model("llama")
        return HFBackend(model, tokenizer, model_id=name)

    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda cls, name, **kw: tiny(name, **kw)))
    out = tmp_path / "scale"
    result = CliRunner().invoke(
        app,
        [
            "scale",
            "--model",
            "test/tiny",  # a hub id passes the name check; from_name is the tiny model
            "--limit",
            "3",
            "--max-n",
            "2",
            "-s",
            "greedy",
            "-s",
            "majority",
            "-s",
            "beam",
            "--beam-width",
            "2",
            "--max-new-tokens",
            "8",
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| majority | 2 |" in result.output
    assert (out / "scale.png").exists()
    record = json.loads((out / "run.json").read_text())
    assert record["model"]["id"] == "test/tiny" and record["model"]["weights_sha256"]
    assert f"report: {out / 'report.html'}" in result.output and "majority" in (out / "report.html").read_text()
    # each row keeps the pick and the candidates it was picked from (the report's browser shows both)
    (majority,) = (out / "results").glob("*/test/majority-n2.jsonl")
    rows = [json.loads(line) for line in majority.read_text().splitlines()]
    assert len(rows) == 3 and all(len(r["candidates"]) == 2 for r in rows)
    assert all(r["text"] in [c["text"] for c in r["candidates"]] for r in rows)
    bad = CliRunner().invoke(app, ["scale", "--max-n", "6", "--out", str(out)])
    assert bad.exit_code != 0 and "power of two" in bad.output


def test_scale_command_takes_a_reward_model_folder_and_a_step_delimiter(tmp_path, monkeypatch):
    from helpers import save_step_tag_prm
    from reasoncraft.backends import HFBackend
    from reasoncraft.testing import tiny_model

    monkeypatch.setattr(
        HFBackend, "from_name", classmethod(lambda cls, name, **kw: HFBackend(*tiny_model("llama"), model_id=name))
    )
    save_step_tag_prm(tmp_path / "prm")
    out = tmp_path / "scale"
    result = CliRunner().invoke(
        app,
        [
            "scale",
            "--model",
            "test/tiny",  # a hub id passes the name check; from_name is the tiny model
            "--limit",
            "2",
            "--max-n",
            "2",
            "-s",
            "best-of-n",
            "-s",
            "beam-search",
            "--beam-width",
            "2",
            "--max-new-tokens",
            "6",
            "--scorer",
            str(tmp_path / "prm"),
            "--step-delimiter",
            "\\n",
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| beam | 2 |" in result.output
    record = json.loads((out / "run.json").read_text())
    assert record["config"]["step_delimiter"] == "\n" and record["config"]["strategies"] == ["best-of-n", "beam"]
    assert [r["scorer_tokens"] > 0 for r in record["scale"]["rows"] if r["n"] == 2] == [True, True]
    bad = CliRunner().invoke(app, ["scale", "--scorer", "no-such-prm", "--out", str(out)])
    assert bad.exit_code != 0 and "not a known reward model" in bad.output
