"""`reasoncraft step-labels`, `reasoncraft train prm` and `reasoncraft scale --scorer FOLDER` end to end on a tiny
random model saved as a folder: labels, a trained folder, and a scaling run that reads it with no other flag."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.testing import tiny_model


def test_labels_then_train_then_scale_with_the_trained_folder(tmp_path):
    model, tokenizer = tiny_model("llama", seed=2)
    model.save_pretrained(tmp_path / "policy")
    tokenizer.save_pretrained(tmp_path / "policy")
    policy = str(tmp_path / "policy")
    runner = CliRunner()
    labels = runner.invoke(
        app,
        ["step-labels", f"policy={policy}", "problems=2", "solutions=2", "rollouts=2", "max_new_tokens=8",
         f"out_dir={tmp_path / 'labels'}", "device=cpu", "num_threads=1"],
    )  # fmt: skip
    assert labels.exit_code == 0, labels.output
    assert "4 solutions" in labels.output
    records = [json.loads(line) for line in (tmp_path / "labels" / "labels.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(len(r["hard"]) == len(r["steps"]) for r in records)
    trained = runner.invoke(
        app,
        ["train", "prm", f"labels={tmp_path / 'labels' / 'labels.jsonl'}", f"model={policy}", "max_steps=2",
         "batch_size=2", "micro_batch_size=2", "eval_fraction=0", f"out_dir={tmp_path / 'prm'}", "device=cpu",
         "num_threads=1"],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert (tmp_path / "prm" / "model" / "config.json").is_file()
    again = runner.invoke(
        app,
        ["train", "prm", f"labels={tmp_path / 'labels' / 'labels.jsonl'}", f"model={policy}", "max_steps=2",
         "batch_size=2", "micro_batch_size=2", "eval_fraction=0", f"out_dir={tmp_path / 'prm'}", "device=cpu",
         "num_threads=1"],
    )  # fmt: skip
    assert again.exit_code == 0 and "already holds this finished run" in again.output
    scaled = runner.invoke(
        app,
        ["scale", "--model", policy, "--limit", "2", "--max-n", "2", "-s", "best-of-n", "-s", "beam-search",
         "--beam-width", "2", "--max-new-tokens", "6", "--scorer", str(tmp_path / "prm" / "model"),
         "--out", str(tmp_path / "scale"), "--cache-dir", str(tmp_path / "cache")],
    )  # fmt: skip
    assert scaled.exit_code == 0, scaled.output
    rows = json.loads((tmp_path / "scale" / "run.json").read_text())["scale"]["rows"]
    assert [r["scorer_tokens"] > 0 for r in rows if r["n"] == 2] == [True, True]


def test_a_missing_label_file_is_one_line_before_any_model_loads(tmp_path):
    result = CliRunner().invoke(app, ["train", "prm", f"labels={tmp_path / 'none.jsonl'}", f"out_dir={tmp_path}/p"])
    assert result.exit_code == 2 and "none.jsonl" in result.output
