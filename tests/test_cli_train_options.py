"""`train grpo`, `train sft`, `train prm` and `distill` take one option per config field, as `eval` and `scale` do,
beside their YAML file and `key=value` overrides: a later source wins (file < key=value < option), a repeatable
key=value option adds to the file's mapping, list fields repeat, the command's own options behave as before."""

from __future__ import annotations

import dataclasses
import json

import pytest
import typer
import yaml
from typer.testing import CliRunner

from reasoncraft.cli import app
from reasoncraft.config import load_config, section_of
from reasoncraft.data.distill import DistillConfig
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.prm_config import PRMConfig
from reasoncraft.train.sft_config import SFTConfig

COMMANDS = [
    (("train", "grpo"), GRPOConfig),
    (("train", "sft"), SFTConfig),
    (("train", "prm"), PRMConfig),
    (("distill",), DistillConfig),
]
# the options these commands had before their config fields became options
OWN = {"--resume", "--overwrite", "--show-config", "--threads"}


def _command(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def invoke(args: list[str]):
    return CliRunner().invoke(app, args, env={"COLUMNS": "200"})


def shown(args: list[str]) -> dict:
    result = invoke([*args, "--show-config"])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.output)


@pytest.mark.parametrize("path, cls", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_one_option_per_config_field_with_its_help_beside_the_commands_own(path, cls):
    params = {p.name: p for p in _command(path).params}
    for f in dataclasses.fields(cls):
        assert f.name in params, f.name
        assert params[f.name].help.startswith(f.metadata["help"]), f.name
        section = section_of(cls, f.name)  # the shared sections under their own heading in --help
        assert params[f.name].rich_help_panel == (f"{section.title} options" if section else None), f.name
    names = {n for p in params.values() for n in [*p.opts, *p.secondary_opts]}
    assert OWN <= names
    if cls is DistillConfig:
        assert {"--task-option", "--data-path", "--k", "--samples", "--limit", "--problems"} <= names
    else:  # the config-key aliases are option aliases too
        assert {"--threads", "--num-threads", "--out-dir", "--out", "--steps", "--max-steps"} <= names
    assert params["config"].param_type_name == "argument" and params["overrides"].param_type_name == "argument"


@pytest.mark.parametrize("path, cls", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_a_later_source_wins_file_then_key_value_then_option(tmp_path, path, cls):
    key, option = ("temperature", "--temperature") if cls is DistillConfig else ("learning_rate", "--learning-rate")
    config = tmp_path / "c.yaml"
    config.write_text(f"{key}: 1e-1\nseed: 7\n")
    base = [*path, str(config)]
    assert shown(base)[key] == 0.1 and shown(base)["seed"] == 7  # the file
    assert shown([*base, f"{key}=2e-1"])[key] == 0.2  # key=value over the file
    both = shown([*base, f"{key}=2e-1", option, "3e-1"])
    assert both[key] == 0.3 and both["seed"] == 7  # the option over both; the rest from the file
    assert shown([*base, option, "3e-1", f"{key}=2e-1"])[key] == 0.3  # wherever it stands on the line


def test_option_names_are_checked_once_and_the_doctests_hold():
    import doctest

    import reasoncraft.cli.options as options

    assert doctest.testmod(options).failed == 0
    clash = dataclasses.make_dataclass("Clash", [("resume", int, dataclasses.field(default=0))])
    with pytest.raises(AssertionError, match="clash with the command's own parameters"):
        options.config_command(clash, lambda config, invocation: None, doc="", example="x.yaml")
    twice = dataclasses.make_dataclass(
        "Twice", [("threads_count", int, dataclasses.field(default=0, metadata={"help": "", "cli": ("--threads",)}))]
    )
    with pytest.raises(AssertionError, match=r"option names given twice: \['--threads'\]"):
        options.config_command(twice, lambda config, invocation: None, doc="", example="x.yaml")


def test_step_labels_takes_its_fields_as_options_too(tmp_path):
    from reasoncraft.data.step_labels import StepLabelConfig

    params = {p.name for p in _command(("step-labels",)).params}
    assert {f.name for f in dataclasses.fields(StepLabelConfig)} <= params
    config = tmp_path / "labels.yaml"
    config.write_text("rollouts: 2\nproblems: 8\ntask_options: {seed: 1}\n")
    values = shown(["step-labels", str(config), "rollouts=3", "--rollouts", "5", "--task-option", "x=2", "--threads=1"])
    assert (values["rollouts"], values["problems"], values["num_threads"]) == (5, 8, 1)
    assert values["task_options"] == {"seed": 1, "x": 2}


def test_threads_steps_and_out_keep_one_name_per_concept(tmp_path):
    values = shown(["train", "grpo", "num_threads=4", "--threads", "2", "--max-steps", "5", "--out", str(tmp_path)])
    assert (values["num_threads"], values["steps"], values["out_dir"]) == (2, 5, str(tmp_path))
    values = shown(["train", "sft", "--num-threads", "3", "--steps", "9"])
    assert (values["num_threads"], values["max_steps"]) == (3, 9)
    assert shown(["distill", "--samples", "4", "--problems", "8"])["k"] == 4


def test_lists_repeat_flags_switch_and_mappings_add(tmp_path):
    repeated = ["--rewards", "accuracy", "--rewards", "format", "--reward-weights", "1", "--reward-weights", ".5"]
    grpo = shown(["train", "grpo", *repeated])
    assert (grpo["rewards"], grpo["reward_weights"]) == (["accuracy", "format"], [1.0, 0.5])
    flags = shown(["train", "grpo", "--no-save-model", "--dynamic-sampling"])
    assert (flags["save_model"], flags["dynamic_sampling"]) == (False, True)
    models = shown(["train", "grpo", "--reward-models", "{kind: orm, model: me/orm, weight: 0.5}"])["reward_models"]
    assert [(m["kind"], m["model"], m["weight"]) for m in models] == [("orm", "me/orm", 0.5)]
    a, b, c = (str(tmp_path / name) for name in ("a.jsonl", "b.jsonl", "c.jsonl"))
    sft = shown(["train", "sft", "--datasets", a, "--datasets", f"{{path: {b}, weight: 2}}", "--datasets", f"[{c}]"])
    assert sft["datasets"] == [a, {"path": b, "weight": 2}, c]  # one item each; a list adds its items
    config = tmp_path / "sft.yaml"
    config.write_text("eval_task: countdown-3\neval_task_options: {max_target: 50}\n")
    added = shown(["train", "sft", str(config), "--eval-task-options", "seed=3"])["eval_task_options"]
    assert added == {"max_target": 50, "seed": 3}  # the option adds to the file's mapping ...
    replaced = shown(["train", "sft", str(config), "eval_task_options={seed: 3}"])["eval_task_options"]
    assert replaced == {"seed": 3}  # ... a key=value override replaces it, as before
    labels = shown(["train", "prm", "--labels", a, "--labels", b])["labels"]
    assert labels == [a, b]


def test_distill_task_options_and_data_path_add_to_the_files():
    base = ["distill", "configs/distill_countdown_journey.yaml"]
    options = shown([*base, "--task-option", "seed=3", "--data-path", "d.jsonl"])["task_options"]
    assert options == {"max_target": 50, "seed": 3, "data_path": "d.jsonl"}
    assert shown([*base, "--task-option", "data_path=x.jsonl", "--data-path", "d.jsonl"])["task_options"] == {
        "max_target": 50,
        "data_path": "d.jsonl",  # --data-path is the last word on the data file, as before
    }
    assert shown([*base, "--teacher", "countdown-dfs-shortcut", "k=3"])["k"] == 3
    listing = invoke(["distill", "--show-config"])
    assert listing.exit_code == 0 and "teacher (str, default" in listing.output  # alone: every key described


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "grpo", "--steps", "thirty"], "Invalid value for '--steps'"),
        (["train", "grpo", "--num-generations", "3"], "num_generations must divide batch_size: got 3 and 16"),
        (["train", "sft", "--lr-schedule", "step"], "unknown lr_schedule 'step'"),
        (["train", "prm", "--threads", "-1"], "num_threads must be >= 0"),
        (["distill", "--k", "0"], "k"),
        (["train", "grpo", "--learnig-rate", "1e-5"], "--learnig-rate"),
    ],
)
def test_a_bad_option_is_one_line_exit_2_before_anything_loads(args, fragment, monkeypatch, tmp_path):
    from reasoncraft.backends import HFBackend

    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda *a, **k: pytest.fail("a model was loaded")))
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o")], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_help_says_how_sources_combine_and_shows_defaults():
    text = invoke(["train", "grpo", "--help"]).output
    assert "a later source wins: the YAML file, then key=value overrides, then options" in " ".join(text.split())
    assert "Optimizer options" in text and "LoRA options" in text and "Run options" in text
    assert "[default: 30]" in text and "[default: runs/grpo]" in text  # steps, out_dir
    assert "written as in a config file" in text  # reward_models: one mapping per option


def test_grpo_trains_from_options_alone_and_saves_what_they_said(tmp_path):
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")
    args = ["train", "grpo", "--model", str(tmp_path / "tiny"), "--task", "arith-sum-2d", "--steps", "1"]
    args += ["--batch-size", "4", "--num-generations", "2", "--micro-batch-size", "4", "--max-completion-length", "4"]
    args += ["--eval-problems", "0", "--no-save-model", "--log-samples-steps", "0", "--device", "cpu", "--threads", "1"]
    args += ["--learning-rate", "1e-5", "--out", str(tmp_path / "run")]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in rows] == [1]
    saved = load_config(GRPOConfig, tmp_path / "run" / "config.yaml")
    assert (saved.learning_rate, saved.batch_size, saved.save_model, saved.num_threads) == (1e-5, 4, False, 1)
    again = invoke([*args[:2], str(tmp_path / "run" / "config.yaml")])  # the saved config is the same run: finished
    assert again.exit_code == 0 and "already holds this finished run" in again.output
