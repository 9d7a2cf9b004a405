"""Run-folder identity (`reasoncraft.runs`): one run per folder; mixing, overwriting and duplicated rows refused.

The command-line cases are the ones issue #15 found losing or mixing data on the old code: a distillation into
the folder of another teacher, `eval --out` into a GRPO folder, a new `train grpo` into an old folder, and the
rows of a killed GRPO step logged twice after `--resume`.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reasoncraft import runs
from reasoncraft.cli import app
from reasoncraft.config import config_dict
from reasoncraft.eval_config import EvalConfig
from reasoncraft.train.grpo_config import GRPOConfig


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to show that a refused command changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(args: list[str]):
    return CliRunner().invoke(app, args, env={"COLUMNS": "200"})


# --- the decision table -----------------------------------------------------------------------------------------


def test_a_new_folder_then_the_same_run_continues(tmp_path):
    config = EvalConfig(tasks=["arith-sum-2d"], limit=8, out_dir=str(tmp_path / "run"))
    assert runs.claim(tmp_path / "run", "eval", config).state == "new"
    assert json.loads((tmp_path / "run" / runs.IDENTITY_NAME).read_text())["command"] == "eval"
    again = runs.claim(tmp_path / "run", "eval", EvalConfig(tasks=["arith-sum-2d"], limit=8, device="cpu"))
    assert again.state == "continued" and again.changed == []  # where it runs is no part of what it means
    more = runs.claim(tmp_path / "run", "eval", EvalConfig(tasks=["arith-sum-2d"], limit=16))
    assert (more.state, more.changed) == ("continued", ["limit: 8 -> 16"])  # more problems extend the run


def test_a_changed_config_is_refused_with_a_one_line_diff_unless_resume(tmp_path):
    folder = tmp_path / "run"
    runs.claim(folder, "eval", EvalConfig(tasks=["arith-sum-2d"]))
    (folder / "samples.jsonl").write_text('{"x": 1}\n')
    hotter = EvalConfig(tasks=["arith-sum-2d"], temperature=0.7, samples=4)
    with pytest.raises(runs.RunFolderError) as refused:
        runs.claim(folder, "eval", hotter)
    message = str(refused.value)
    assert "\n" not in message and "samples: 1 -> 4" in message and "temperature: 0.0 -> 0.7" in message
    assert "--resume" in message and "--overwrite" in message
    resumed = runs.claim(folder, "eval", hotter, resume=True)
    assert resumed.state == "resumed" and "samples: 1 -> 4" in resumed.changed
    assert (folder / "samples.jsonl").exists()  # resume keeps what is there
    history = json.loads((folder / runs.IDENTITY_NAME).read_text())["resumed_with_changes"]
    assert history and "temperature: 0.0 -> 0.7" in history[0]["changed"]
    assert runs.claim(folder, "eval", hotter, overwrite=True).state == "overwritten"
    assert sorted(p.name for p in folder.iterdir()) == [runs.IDENTITY_NAME]


def test_another_commands_folder_is_refused_even_with_resume(tmp_path):
    runs.claim(tmp_path, "train grpo", GRPOConfig(out_dir=str(tmp_path)))
    for resume in (False, True):
        with pytest.raises(runs.RunFolderError, match="holds a `train grpo` run, not `eval`"):
            runs.claim(tmp_path, "eval", EvalConfig(tasks=["arith-sum-2d"]), resume=resume)


def test_files_of_no_run_are_never_cleared(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    with pytest.raises(runs.RunFolderError, match="no reasoncraft run wrote"):
        runs.claim(tmp_path, "eval", EvalConfig(tasks=["arith-sum-2d"]))
    with pytest.raises(runs.RunFolderError, match="clears only run folders"):
        runs.claim(tmp_path, "eval", EvalConfig(tasks=["arith-sum-2d"]), overwrite=True)
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_a_folder_from_before_identity_json_is_read_from_its_run_json(tmp_path):
    old = config_dict(EvalConfig(tasks=["arith-sum-2d"], out_dir=str(tmp_path)))
    (tmp_path / "run.json").write_text(json.dumps({"command": "reasoncraft eval", "config": old}))
    assert runs.claim(tmp_path, "eval", EvalConfig(tasks=["arith-sum-2d"], out_dir=str(tmp_path))).continuing


def test_a_file_where_a_folder_belongs(tmp_path):
    (tmp_path / "out").write_text("")
    with pytest.raises(runs.RunFolderError, match="is a file, not a folder"):
        runs.claim(tmp_path / "out", "eval", EvalConfig(tasks=["arith-sum-2d"]))
    with pytest.raises(runs.RunFolderError, match="is a file, not a folder"):
        runs.claim(tmp_path / "out" / "run", "eval", EvalConfig(tasks=["arith-sum-2d"]))


def test_drop_rows_after_keeps_steps_up_to_the_resumed_one(tmp_path):
    path = tmp_path / "samples.jsonl"
    rows = [{"step": s, "i": i} for s in (1, 2, 3) for i in range(2)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"step": 3, "i"')  # a torn last line
    assert runs.drop_rows_after(path, 2) == 3
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [1, 1, 2, 2]
    assert runs.drop_rows_after(tmp_path / "absent.jsonl", 2) == 0


# --- the cases that mixed or lost data on the old code -----------------------------------------------------------


def test_distill_with_another_teacher_into_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "mix"
    common = [
        "configs/distill_countdown_journey.yaml",
        "limit=8",
        f"out_dir={out}",
        "count_tokens_with=none",
        "decontam_tasks=[countdown-3]",
    ]
    first = invoke(["distill", *common])
    assert first.exit_code == 0, first.output
    records = (out / "sft.jsonl").read_text().splitlines()
    assert 0 < len(records) <= 8
    before = snapshot(out)
    second = invoke(["distill", *common, "teacher=countdown-dfs-shortcut"])
    assert second.exit_code == 2, second.output
    assert "teacher" in second.output and "Traceback" not in second.output
    assert snapshot(out) == before  # sft.jsonl still holds the first teacher's records only
    resumed = invoke(["distill", *common, "teacher=countdown-dfs-shortcut", "--resume"])
    assert resumed.exit_code == 2 and "would mix" in resumed.output
    assert snapshot(out) == before
    cleared = invoke(["distill", *common, "teacher=countdown-dfs-shortcut", "--overwrite"])
    assert cleared.exit_code == 0, cleared.output
    shortcut = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    assert 0 < len(shortcut) <= 8  # this run's records only
    assert json.loads((out / "run.json").read_text())["config"]["teacher"] == "countdown-dfs-shortcut"


def _grpo_folder(folder: Path, **config) -> dict[str, bytes]:
    """A finished GRPO run folder as the old code left it (run.json, metrics, samples, summary)."""
    folder.mkdir(parents=True)
    values = config_dict(GRPOConfig(out_dir=str(folder), **config))
    (folder / "run.json").write_text(json.dumps({"command": "train grpo", "config": values}))
    (folder / "summary.json").write_text(json.dumps({"steps": 2}))
    (folder / "metrics.jsonl").write_text('{"step": 1}\n{"step": 2}\n')
    (folder / "samples.jsonl").write_text('{"step": 1}\n{"step": 2}\n')
    return snapshot(folder)


def test_eval_into_a_grpo_folder_is_refused_and_changes_nothing(tmp_path, monkeypatch):
    from reasoncraft.backends import HFBackend

    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda *a, **k: pytest.fail("a model was loaded")))
    before = _grpo_folder(tmp_path / "grpo")
    result = invoke(["eval", "--task", "arith-sum-2d", "--limit", "2", "--out", str(tmp_path / "grpo")])
    assert result.exit_code == 2, result.output
    assert "holds a `train grpo` run, not `eval`" in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path / "grpo") == before


def test_a_new_train_grpo_into_an_old_folder_is_refused_before_training(tmp_path, monkeypatch):
    import reasoncraft.train.grpo as grpo

    monkeypatch.setattr(grpo, "train_grpo", lambda *a, **k: pytest.fail("training started"))
    before = _grpo_folder(tmp_path / "old", learning_rate=1e-5)
    result = invoke(["train", "grpo", "configs/r1_zero_quickstart.yaml", f"out_dir={tmp_path / 'old'}"])
    assert result.exit_code == 2, result.output
    assert "learning_rate" in result.output or "another config" in result.output
    assert snapshot(tmp_path / "old") == before
    # the same config again: the finished run is reported, nothing is retrained or cut
    same = config_dict(GRPOConfig(out_dir=str(tmp_path / "old"), learning_rate=1e-5))
    (tmp_path / "old" / "run.json").write_text(json.dumps({"command": "train grpo", "config": same}))
    again = invoke(["train", "grpo", "learning_rate=1e-5", f"out_dir={tmp_path / 'old'}"])
    assert again.exit_code == 0 and "already holds this finished run" in again.output
    assert (tmp_path / "old" / "metrics.jsonl").read_text() == '{"step": 1}\n{"step": 2}\n'


_KILLED_CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    import reasoncraft.train.grpo as grpo
    from helpers import run, tiny_config
    real = grpo._log_samples
    def log_then_die(path, step, *args, **kwargs):
        real(path, step, *args, **kwargs)
        if step == {kill_at}:
            os.kill(os.getpid(), signal.SIGKILL)  # the step's rows are written, its checkpoint is not
    grpo._log_samples = log_then_die
    run(tiny_config(Path({tmp!r}), steps=4, save_steps={save_steps}, log_samples_steps=1))
""")


@pytest.mark.parametrize("kill_at, save_steps", [(2, 1), (3, 2)])
def test_grpo_resume_after_sigkill_logs_each_steps_samples_once(tmp_path, kill_at, save_steps):
    from helpers import run, tiny_config

    here = str(Path(__file__).parent)
    code = _KILLED_CHILD.format(tests=here, tmp=str(tmp_path), kill_at=kill_at, save_steps=save_steps)
    child = subprocess.run([sys.executable, "-c", code], timeout=300)
    assert child.returncode == -signal.SIGKILL
    samples = tmp_path / "run" / "samples.jsonl"
    steps = [json.loads(line)["step"] for line in samples.read_text().splitlines()]
    assert max(steps) == kill_at  # the killed step's rows are there before the resume
    run(tiny_config(tmp_path, steps=4, save_steps=save_steps, log_samples_steps=1), resume=str(tmp_path / "run"))
    steps = [json.loads(line)["step"] for line in samples.read_text().splitlines()]
    per_step = {s: steps.count(s) for s in sorted(set(steps))}
    assert list(per_step) == [1, 2, 3, 4] and len(set(per_step.values())) == 1, per_step
    assert steps == sorted(steps)


def test_train_with_the_same_config_continues_from_its_last_checkpoint(tmp_path):
    from reasoncraft.cli.train import prepare_folder

    out = tmp_path / "run"
    config = GRPOConfig(out_dir=str(out), steps=4)
    assert prepare_folder("train grpo", config, None, False) == (None, False)  # a fresh run
    (out / "metrics.jsonl").write_text('{"step": 1}\n')  # killed before its first checkpoint
    assert prepare_folder("train grpo", config, None, False) == (None, False)
    assert not (out / "metrics.jsonl").exists()  # nothing to continue from: started again, not appended to
    step = out / "checkpoints" / "step-000002"
    step.mkdir(parents=True)
    (step / "state.json").write_text("{}")
    (out / "checkpoints" / "latest").write_text("step-000002")
    assert prepare_folder("train grpo", config, None, False) == (str(out), False)  # continues from the checkpoint
    (out / "summary.json").write_text("{}")
    assert prepare_folder("train grpo", config, None, False) == (None, True)  # finished: nothing to do
    explicit = str(out / "checkpoints" / "step-000002")
    longer = GRPOConfig(out_dir=str(out), steps=6)
    assert prepare_folder("train grpo", longer, explicit, False) == (explicit, False)  # --resume with more steps
    assert "steps: 4 -> 6" in json.loads((out / runs.IDENTITY_NAME).read_text())["resumed_with_changes"][0]["changed"]
