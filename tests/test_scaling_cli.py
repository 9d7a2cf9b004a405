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
    result = CliRunner().invoke(app, [
        "scale", "--model", "tiny", "--limit", "3", "--max-n", "2", "-s", "greedy", "-s", "majority", "-s", "beam",
        "--beam-width", "2", "--max-new-tokens", "8", "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
    ])
    assert result.exit_code == 0, result.output
    assert "| majority | 2 |" in result.output
    assert (out / "scale.png").exists()
    record = json.loads((out / "run.json").read_text())
    assert record["model"]["id"] == "tiny" and record["model"]["weights_sha256"]
    bad = CliRunner().invoke(app, ["scale", "--max-n", "6", "--out", str(out)])
    assert bad.exit_code != 0 and "power of two" in bad.output
