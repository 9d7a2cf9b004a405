"""`reasoncraft distill` then `reasoncraft train sft` from the command line, on a tiny saved model."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.testing import tiny_model


def test_distill_then_train_sft_from_the_command_line(tmp_path):
    runner = CliRunner()
    data_dir = tmp_path / "data"
    model, tok = tiny_model("qwen2")
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    result = runner.invoke(
        app,
        [
            "distill",
            "configs/distill_countdown_shortcut.yaml",
            "limit=8",
            f"out_dir={data_dir}",
            "decontam_tasks=[countdown-3]",
            f"count_tokens_with={tmp_path / 'tiny'}",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (data_dir / "sft.jsonl").read_text().splitlines()]
    assert len(rows) == 8 and all(r["verdict"]["correct"] for r in rows)
    assert (data_dir / "report.html").is_file() and f"report: {data_dir / 'report.html'}" in result.output
    assert all(
        r["tokens"]["completion"] == len(tok(r["completion"], add_special_tokens=False)["input_ids"]) for r in rows
    )
    run = tmp_path / "sft"
    result = runner.invoke(
        app,
        [
            "train",
            "sft",
            f"model={tmp_path / 'tiny'}",
            f"datasets=[{data_dir / 'sft.jsonl'}]",
            "max_steps=2",
            "max_seq_length=256",
            "micro_batch_tokens=512",
            "device=cpu",
            "num_threads=1",
            f"out_dir={run}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (run / "model" / "config.json").exists() and (run / "run.json").exists()
    assert f"report: {run / 'report.html'}" in result.output and "loss" in (run / "report.html").read_text()
    bad = runner.invoke(app, ["train", "sft", "max_seq_lenght=8"])
    assert bad.exit_code != 0 and "max_seq_length" in bad.output
