"""SFT's logged learning rate and where its `datasets:` paths are read from.

- metrics.jsonl's `lr` is the rate the step used (before the fix it was the scheduler's next one);
- paths in a config file are relative to that file's folder (as task YAML paths are), paths typed on the
  command line to the working directory; a missing file is one line naming it as given and as resolved,
  before any model loads;
- model references (SFT's `model` and `teacher`, distill's `teacher` and `count_tokens_with`) in a config file
  are read relative to the file when such a folder exists there; names and hub ids stay as they are.
"""

from __future__ import annotations

import json

import pytest

from helpers import MEMORISE, write_jsonl
from reasoncraft.testing import tiny_model
from reasoncraft.train.optim import lr_factor
from reasoncraft.train.sft import train_sft
from reasoncraft.train.sft_config import SFTConfig


def test_logged_lr_is_the_rate_the_step_used(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    model, tok = tiny_model("llama")
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=96,
        max_steps=4,
        learning_rate=1e-3,
        warmup_steps=2,
        lr_schedule="linear",
        num_threads=1,
        save_steps=0,
        out_dir=str(tmp_path / "run"),
        log_steps=0,
    )
    train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    logged = [r["lr"] for r in rows if "lr" in r]
    # warm-up 0.5, 1.0 then linear decay 1.0, 0.5: the next step's rate would read 1.0, 1.0, 0.5, 0.0
    expected = [1e-3 * lr_factor(s, 2, 4, "linear") for s in range(4)]
    assert expected == pytest.approx([5e-4, 1e-3, 1e-3, 5e-4])
    assert logged == pytest.approx(expected)


def test_datasets_in_a_config_file_are_relative_to_the_file(tmp_path, monkeypatch):
    from reasoncraft.config import load_config, save_config

    (tmp_path / "configs").mkdir()
    (tmp_path / "data").mkdir()
    data = write_jsonl(tmp_path / "data" / "d.jsonl", MEMORISE[:2])
    config_file = tmp_path / "configs" / "sft.yaml"
    config_file.write_text("datasets:\n  - ../data/d.jsonl\n  - {path: ../data/d.jsonl, weight: 0.5}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the file's folder decides, not the working directory
    config = load_config(SFTConfig, "../configs/sft.yaml")
    assert config.dataset_weights() == [(str(data), 1.0), (str(data), 0.5)]
    # typed on the command line: relative to the working directory
    monkeypatch.chdir(tmp_path)
    typed = load_config(SFTConfig, str(config_file), ["datasets=[data/d.jsonl]"])
    assert typed.datasets == [str(data)]
    # the saved config holds resolved paths, so it reruns from its own folder
    saved = save_config(typed, tmp_path / "run" / "config.yaml")
    assert load_config(SFTConfig, saved) == typed


def test_a_missing_dataset_is_one_line_before_the_model_loads(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import reasoncraft.models
    from reasoncraft.cli import app

    def no_model(*args, **kwargs):
        raise AssertionError("the model must not load for a missing dataset")

    monkeypatch.setattr(reasoncraft.models, "load_model", no_model)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "sft.yaml").write_text(f"datasets: [sft.jsonl]\nout_dir: {tmp_path / 'run'}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["train", "sft", "configs/sft.yaml"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "datasets: sft.jsonl (relative to configs/, the config file's folder)" in lines[0]
    assert str(tmp_path / "configs" / "sft.jsonl") in lines[0] and "does not exist" in lines[0]
    assert not (tmp_path / "run").exists()
    typed = CliRunner().invoke(app, ["train", "sft", "datasets=[nowhere/x.jsonl]", f"out_dir={tmp_path / 'run'}"])
    assert typed.exit_code == 2 and "nowhere/x.jsonl (relative to the working directory)" in typed.output
    assert str(tmp_path / "nowhere" / "x.jsonl") in typed.output and not (tmp_path / "run").exists()


def test_model_folders_in_a_config_file_are_relative_to_the_file(tmp_path, monkeypatch):
    from reasoncraft.config import load_config
    from reasoncraft.data.distill import DistillConfig

    for name in ("student", "teacher"):
        (tmp_path / "models" / name).mkdir(parents=True)
    (tmp_path / "configs").mkdir()
    write_jsonl(tmp_path / "d.jsonl", MEMORISE[:2])
    sft_file = tmp_path / "configs" / "sft.yaml"
    sft_file.write_text("model: ../models/student\nteacher: ../models/teacher\ndatasets: [../d.jsonl]\n")
    distill_file = tmp_path / "configs" / "distill.yaml"
    distill_file.write_text("teacher: ../models/teacher\ncount_tokens_with: ../models/student\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the file's folder decides, not the working directory
    sft = load_config(SFTConfig, sft_file)
    assert (sft.model, sft.teacher) == (str(tmp_path / "models" / "student"), str(tmp_path / "models" / "teacher"))
    distill = load_config(DistillConfig, distill_file)
    assert distill.teacher == str(tmp_path / "models" / "teacher")
    assert distill.count_tokens_with == str(tmp_path / "models" / "student")
    # names, hub ids and paths that do not exist beside the file are kept as written
    sft_file.write_text("model: smollm2-135m\nteacher: HuggingFaceTB/SmolLM2-360M-Instruct\n")
    assert (load_config(SFTConfig, sft_file).model, load_config(SFTConfig, sft_file).teacher) == (
        "smollm2-135m",
        "HuggingFaceTB/SmolLM2-360M-Instruct",
    )
    distill_file.write_text("teacher: countdown-dfs-journey\n")
    assert load_config(DistillConfig, distill_file).teacher == "countdown-dfs-journey"
    # typed on the command line: as given (relative to the working directory)
    monkeypatch.chdir(tmp_path)
    typed = load_config(SFTConfig, sft_file, ["teacher=models/teacher"])
    assert typed.teacher == "models/teacher"


def test_a_missing_teacher_is_one_line_before_any_model_loads(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import reasoncraft.models
    from reasoncraft.cli import app

    def no_model(*args, **kwargs):
        raise AssertionError("no model may load for a teacher that does not exist")

    monkeypatch.setattr(reasoncraft.models, "load_model", no_model)
    write_jsonl(tmp_path / "d.jsonl", MEMORISE[:2])
    monkeypatch.chdir(tmp_path)
    args = ["train", "sft", "datasets=[d.jsonl]", "teacher=runs/nowhere/model", f"out_dir={tmp_path / 'run'}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("error: teacher= 'runs/nowhere/model' is not a catalogue name")
    assert not (tmp_path / "run").exists()
