"""The one config system: YAML and overrides typed by one coercion, shared sections, errors that name the field."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Literal

import pytest
import yaml
from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.config import (
    ConfigError,
    LoRASection,
    OptimizerSection,
    RunSection,
    coerce,
    config_dict,
    describe,
    help_field,
    load_config,
    parse_text,
    save_config,
)
from reasoncraft.data.distill import DistillConfig
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.sft_config import SFTConfig


@dataclasses.dataclass
class Example:
    name: str = help_field("A name.", required=True)
    steps: int = help_field("Steps.", 3)
    rate: float = help_field("A rate.", 0.1)
    limit: int | None = help_field("A limit.", None)
    flag: bool = help_field("A flag.", False)
    items: list[str] = help_field("Items.", factory=list)
    weights: dict[str, float] = help_field("Weights.", factory=dict)
    mode: Literal["fast", "slow"] = help_field("A mode.", "fast")
    shape: tuple[int, ...] = help_field("A shape.", (1,))


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_values_are_coerced_like_overrides(tmp_path):
    path = write(
        tmp_path,
        "name: x\nsteps: '30'\nrate: 1e-5\nlimit: null\nflag: 'yes'\nitems: one\n"
        "weights: {a: 1}\nmode: slow\nshape: [2, '3']\n",
    )
    config = load_config(Example, path)
    assert yaml.safe_load("rate: 1e-5")["rate"] == "1e-5"  # why coercion is needed: YAML 1.1 reads it as a string
    assert (config.steps, config.rate, config.limit, config.flag) == (30, 1e-5, None, True)
    assert type(config.rate) is float and type(config.steps) is int
    assert (config.items, config.weights, config.mode, config.shape) == (["one"], {"a": 1.0}, "slow", (2, 3))
    again = load_config(
        Example,
        None,
        [
            "name=x",
            "steps=30",
            "rate=1e-5",
            "limit=none",
            "flag=yes",
            "items=one",
            "weights={a: 1}",
            "mode=slow",
            "shape=[2, 3]",
        ],
    )
    assert again == config


@pytest.mark.parametrize(
    "text, message",
    [
        ("steps: thirty", "steps: 'thirty' is not a valid int (config file {path}, line 2)"),
        ("steps: 2.5", "steps: 2.5 is not a valid int"),
        ("steps: '2.5'", "steps: '2.5' is not a valid int"),
        ("rate: fast", "rate: 'fast' is not a valid float"),
        ("flag: maybe", "flag: 'maybe' is not a valid bool"),
        ("mode: medium", "mode: 'medium' is not a valid one of 'fast', 'slow'"),
        ("weights: [1]", "weights: [1] is not a valid mapping of str to float"),
        ("name: no", "name: False is not a valid str (config file {path}, line 1); quote it to mean the word"),
        ("limit: [1]", "limit: [1] is not a valid int or None"),
    ],
)
def test_a_wrong_type_names_the_field_the_value_and_the_type(tmp_path, text, message):
    path = write(tmp_path, text if text.startswith("name") else f"name: x\n{text}\n")
    with pytest.raises(ConfigError) as info:
        load_config(Example, path)
    assert message.format(path=path) in str(info.value)


def test_numbers_for_ints_only_when_exact():
    assert coerce("1e3", int, "k") == 1000 and coerce(4.0, int, "k") == 4 and coerce(" 7 ", int, "k") == 7
    for bad in ("1.5", True, "7 cats", None):
        with pytest.raises(ConfigError, match="k: .* is not a valid int"):
            coerce(bad, int, "k")
    with pytest.raises(ConfigError, match="is not a valid float"):
        coerce(True, float, "rate")
    assert parse_text("none", str | None, "template") is None and parse_text("a: b", str, "text") == "a: b"
    assert parse_text("\\n\\n", str, "delimiter", escapes=True) == "\n\n"


def test_yaml_errors_name_the_file_and_the_line(tmp_path):
    path = write(tmp_path, "name: x\nsteps: [1, 2\nrate: 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(Example, path)
    assert str(path) in str(info.value) and "line 3" in str(info.value) and "<unicode string>" not in str(info.value)
    with pytest.raises(ConfigError, match=r"line 3: key 'steps' is given twice \(first on line 2\)"):
        load_config(Example, write(tmp_path, "name: x\nsteps: 1\nsteps: 2\n"))
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_config(Example, write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ConfigError, match=r"unknown config key 'stpes' in config file .*line 2; did you mean 'steps'"):
        load_config(Example, write(tmp_path, "name: x\nstpes: 1\n"))
    with pytest.raises(ConfigError, match="name is required"):
        load_config(Example, write(tmp_path, "steps: 1\n"))
    assert load_config(Example, write(tmp_path, "# only a comment\n"), ["name=y"]).name == "y"


def test_trainers_compose_the_shared_sections_with_flat_keys():
    for section in (OptimizerSection, LoRASection, RunSection):
        for f in dataclasses.fields(section):
            grpo = next(g for g in dataclasses.fields(GRPOConfig) if g.name == f.name)
            sft = next(g for g in dataclasses.fields(SFTConfig) if g.name == f.name)
            assert grpo.metadata["help"] == sft.metadata["help"] == f.metadata["help"], f.name
    assert issubclass(GRPOConfig, OptimizerSection) and issubclass(SFTConfig, LoRASection)
    # each trainer keeps its own defaults where they differ
    grpo, sft = GRPOConfig(), SFTConfig()
    assert (grpo.learning_rate, grpo.adam_beta2, grpo.lr_schedule) == (1e-5, 0.99, "constant")
    assert grpo.out_dir == "runs/grpo"
    assert (sft.learning_rate, sft.adam_beta2, sft.lr_schedule, sft.out_dir) == (2e-5, 0.999, "cosine", "runs/sft")
    # the command's own keys come first in what is saved and shown, then the sections'
    keys = list(config_dict(grpo))
    assert keys[0] == "model"
    assert keys.index("steps") < keys.index("learning_rate") < keys.index("lora_r") < keys.index("seed")
    assert describe(SFTConfig).splitlines()[0].startswith("model (str, default 'smollm2-135m'):")


@pytest.mark.parametrize(
    "cls, values, message",
    [
        (GRPOConfig, {"lr_schedule": "step"}, "unknown lr_schedule 'step': use one of constant, linear, cosine"),
        (SFTConfig, {"adam_beta2": 1.0}, r"adam_beta2 must be in \[0, 1\)"),
        (SFTConfig, {"lora_r": 8, "lora_target_modules": []}, "lora_target_modules is empty"),
        (GRPOConfig, {"lora_dropout": 1.5}, "lora_dropout must be in"),
        (SFTConfig, {"save_steps": -2}, "save_steps must be >= -1"),
        (GRPOConfig, {"max_grad_norm": -1.0}, "max_grad_norm must be >= 0"),
    ],
)
def test_section_rules_apply_to_every_trainer(cls, values, message):
    with pytest.raises(ConfigError, match=message):
        cls(**values)


def test_resolved_configs_round_trip(tmp_path):
    for cls, overrides in (
        (GRPOConfig, ["learning_rate=3e-6", "rewards=[accuracy, format]", "reward_weights=[1, .5]"]),
        (SFTConfig, ["datasets=[a.jsonl, {path: b.jsonl, weight: 0.5}]", "max_steps=4"]),
        (DistillConfig, ["limit=none", "decontam_tasks=[countdown-3]", "k=2"]),
    ):
        config = load_config(cls, None, overrides)
        assert load_config(cls, save_config(config, tmp_path / f"{cls.__name__}.yaml")) == config


def _tiny_run_yaml(tmp_path: Path, **lines: str) -> Path:
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")
    values = dict(
        model=str(tmp_path / "tiny"),
        task="arith-sum-2d",
        steps="1",
        batch_size="4",
        num_generations="2",
        micro_batch_size="4",
        max_completion_length="4",
        eval_problems="0",
        save_model="false",
        log_samples_steps="0",
        device="cpu",
        num_threads="1",
        out_dir=str(tmp_path / "run"),
    )
    values.update(lines)
    return write(tmp_path, "".join(f"{key}: {value}\n" for key, value in values.items()), "grpo.yaml")


def test_acceptance_a_yaml_learning_rate_1e_5_trains(tmp_path):
    path = _tiny_run_yaml(tmp_path, learning_rate="1e-5")
    assert "learning_rate: 1e-5" in path.read_text()
    result = CliRunner().invoke(app, ["train", "grpo", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in rows] == [1]
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())
    assert saved["learning_rate"] == 1e-5 and isinstance(saved["learning_rate"], float)


def test_acceptance_steps_thirty_fails_before_any_compute(tmp_path, monkeypatch):
    import reasoncraft.models
    import reasoncraft.train.grpo

    def no_compute(*args, **kwargs):
        raise AssertionError("a bad config reached the trainer")

    monkeypatch.setattr(reasoncraft.train.grpo, "train_grpo", no_compute)
    monkeypatch.setattr(reasoncraft.models, "load_model", no_compute)
    path = write(tmp_path, f"model: smollm2-135m\nsteps: thirty\nout_dir: {tmp_path / 'run'}\n")
    result = CliRunner().invoke(app, ["train", "grpo", str(path)])
    assert result.exit_code == 2, result.output
    assert "steps: 'thirty' is not a valid int" in result.output and str(path) in " ".join(result.output.split())
    assert not (tmp_path / "run").exists()


COMMAND_CONFIGS = {"train grpo": GRPOConfig, "train sft": SFTConfig, "distill": DistillConfig}


def test_every_shipped_config_loads_as_the_command_it_names():
    import re

    from reasoncraft.eval_config import EvalConfig
    from reasoncraft.scaling.sweep import ScaleConfig

    classes = {**COMMAND_CONFIGS, "eval": EvalConfig, "scale": ScaleConfig}
    paths = sorted(Path("configs").glob("*.yaml"))
    assert paths
    for path in paths:  # each recipe says how it is run: "reasoncraft <command> configs/<this file>"
        match = re.search(rf"reasoncraft ({'|'.join(classes)}) {re.escape(path.as_posix())}", path.read_text())
        assert match, f"{path} names no `reasoncraft <command> {path}` line"
        assert isinstance(load_config(classes[match.group(1)], path), classes[match.group(1)])


def test_the_config_package_keeps_one_responsibility_per_module_and_one_import_path():
    """config.py became a package (coercion, loading, sections, showing); callers still import from reasoncraft.config,
    each module's doctests hold, and none is over the project's 500 lines."""
    import doctest
    import importlib

    import reasoncraft.config as config

    for name in config.__all__:
        assert getattr(config, name) is not None, name
    for part in ("coerce", "load", "sections", "show"):
        module = importlib.import_module(f"reasoncraft.config.{part}")
        assert doctest.testmod(module).failed == 0, part
        assert len(Path(module.__file__).read_text().splitlines()) < 500, part
    assert config.ConfigError is importlib.import_module("reasoncraft.config.coerce").ConfigError
    assert config.section_of(GRPOConfig, "lora_r") is LoRASection and config.section_of(GRPOConfig, "steps") is None
    assert "title" not in {f.name for f in dataclasses.fields(RunSection)}  # a class attribute, not a config key
