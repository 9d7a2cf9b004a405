"""report_to: the per-step metrics also reach TensorBoard and W&B (offline), read back from their own files."""

import glob
import json
import struct
from pathlib import Path

import pytest

from helpers import run, sevens, tiny_config  # noqa: E402
from reasoncraft.config import ConfigError, load_config
from reasoncraft.tasks import get_task  # noqa: E402
from reasoncraft.testing import tiny_model  # noqa: E402
from reasoncraft.train import loggers
from reasoncraft.train.grpo import train_grpo  # noqa: E402
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.sft_config import SFTConfig


def test_report_to_is_validated_at_the_edge():
    assert load_config(GRPOConfig, None, ["report_to=tensorboard"]).report_to == ["tensorboard"]
    assert load_config(SFTConfig, None, ["report_to=[tensorboard, wandb]"]).report_to == ["tensorboard", "wandb"]
    assert GRPOConfig().report_to == [] and SFTConfig(report_to="none").report_to == []
    with pytest.raises(ConfigError, match="unknown report_to entry 'tensorbord'"):
        load_config(SFTConfig, None, ["report_to=[tensorbord]"])


def test_a_missing_tracker_fails_before_training_naming_the_pip_package(monkeypatch, tmp_path):
    monkeypatch.setitem(loggers.BACKENDS, "wandb", ("reasoncraft_no_such_tracker", "wandb"))
    with pytest.raises(ConfigError, match="pip install wandb"):
        run(tiny_config(tmp_path, report_to=["wandb"]))
    assert not (tmp_path / "run").exists()  # nothing was started


def _tensorboard_scalars(folder: Path) -> dict[str, dict[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder))
    events.Reload()
    return {tag: {e.step: e.value for e in events.Scalars(tag)} for tag in events.Tags()["scalars"]}


def test_grpo_metrics_and_evaluation_reach_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    _, summary = run(tiny_config(tmp_path, steps=3, eval_problems=2, report_to=["tensorboard"]))
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    scalars = _tensorboard_scalars(tmp_path / "run" / "tensorboard")
    for key in ("reward", "loss", "completion_length_mean", "reward/sevens", "step_time", "lr"):
        assert scalars[key] == pytest.approx({r["step"]: r[key] for r in rows}, rel=1e-6), key
    assert "step" not in scalars and "skipped" not in scalars  # the step is the x axis; bools are not plotted
    before, after = summary["evaluation"]["before"], summary["evaluation"]["after"]
    assert scalars["eval/accuracy"] == pytest.approx({0: before["accuracy"], 3: after["accuracy"]})
    assert scalars["eval/extraction_failure_rate"] == pytest.approx(
        {0: before["extraction_failure_rate"], 3: after["extraction_failure_rate"]}
    )


def test_resumed_run_hides_the_killed_runs_steps_in_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    config = tiny_config(tmp_path, steps=4, save_steps=2, report_to=["tensorboard"])

    class Crash(RuntimeError):
        pass

    def crash_after_step_3(message):
        if message.startswith("step 3/"):
            raise Crash(message)

    def train(**kwargs):
        model, tok = tiny_model("llama")
        return train_grpo(
            config, model=model, tokenizer=tok, task=get_task("arith-sum-2d"), reward_fns=[sevens], **kwargs
        )

    with pytest.raises(Crash):
        train(log=crash_after_step_3)  # steps 1-3 logged, checkpoint at step 2
    train(resume=str(tmp_path / "run"), log=lambda m: None)  # continues from step 2: steps 3 and 4 again
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    reward = _tensorboard_scalars(tmp_path / "run" / "tensorboard")["reward"]
    assert reward == pytest.approx({r["step"]: r["reward"] for r in rows})  # one value per step, the resumed run's


def _wandb_history(run_dir: Path) -> list[dict]:
    """The history rows of an offline W&B run, read from its transaction log (.wandb).

    The file is W&B's record log: a 7-byte header (":W&B", magic, version), then 32 KiB blocks of
    chunks, each with a 7-byte header (crc32, length, type: 1 full, 2 first, 3 middle, 4 last)
    carrying a serialized `wandb_internal_pb2.Record`.
    """
    from wandb.proto import wandb_internal_pb2

    (path,) = glob.glob(str(run_dir / "wandb" / "offline-run-*" / "run-*.wandb"))
    data, block = Path(path).read_bytes(), 32768
    assert data[:4] == b":W&B"
    position, pending, history = 7, b"", []
    while position + 7 <= len(data):
        if block - position % block < 7:  # a block's trailer too short for a header is padding
            position += block - position % block
            continue
        _, length, kind = struct.unpack("<IHB", data[position : position + 7])
        if length == 0 and kind == 0:
            position += block - position % block
            continue
        pending += data[position + 7 : position + 7 + length]
        position += 7 + length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            pending = b""
            if record.WhichOneof("record_type") == "history":
                history.append(
                    {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in record.history.item}
                )
    return history


def test_sft_metrics_reach_tensorboard_and_offline_wandb(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    pytest.importorskip("wandb")
    from helpers import MEMORISE, write_jsonl
    from reasoncraft.train.sft import train_sft

    for variable in ("WANDB_PROJECT", "WANDB_DIR", "WANDB_RUN_ID", "WANDB_RESUME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("WANDB_MODE", "offline")  # W&B's own switch: no network, no account
    monkeypatch.setenv("WANDB_SILENT", "true")
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    model, tok = tiny_model("llama")
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=128,
        max_steps=3,
        learning_rate=1e-3,
        out_dir=str(tmp_path / "run"),
        save_model=False,
        log_steps=0,
        num_threads=1,
        report_to=["tensorboard", "wandb"],
    )
    train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    scalars = _tensorboard_scalars(tmp_path / "run" / "tensorboard")
    assert scalars["loss"] == pytest.approx({r["step"]: r["loss"] for r in rows}, rel=1e-6)
    history = _wandb_history(tmp_path / "run")
    assert [h["_step"] for h in history] == [1, 2, 3]
    assert [h["loss"] for h in history] == pytest.approx([r["loss"] for r in rows])
    assert [h["grad_norm"] for h in history] == pytest.approx([r["grad_norm"] for r in rows])
    run_id = (tmp_path / "run" / "wandb_run_id").read_text().strip()
    assert glob.glob(str(tmp_path / "run" / "wandb" / f"offline-run-*-{run_id}"))  # the id a --resume continues
