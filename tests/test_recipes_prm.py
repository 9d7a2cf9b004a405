"""The scaling route's PRM stages (`scaling_prm`, recipes/prm.py) on tiny models: step labels on the train split,
PRM training, a sweep scored by the trained folder, the comparison's PRM row; resume and reruns by key; bad keys
before compute; and the presets' plans unchanged while the key is off.

The base model and task are test_recipes_run.py's (a tiny llama taught "Answer: 7", a user task whose answers are
all 7), so labels have good steps in seconds."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import pytest

from reasoncraft.config import ConfigError, load_config
from reasoncraft.math import weighted_vote
from reasoncraft.recipes.compare import plan
from reasoncraft.recipes.kinds import KINDS, engine_config
from reasoncraft.recipes.runner import describe_plan, prepare, run_recipe
from reasoncraft.recipes.settings import PRESETS, RecipeConfig
from reasoncraft.recipes.stages import Context, StageOutputTooSmall, read_stage, stage_key
from reasoncraft.rewards import math_equal
from reasoncraft.rewards.lenient import lenient_answer
from reasoncraft.samples import read_jsonl
from reasoncraft.scorers.trained import CONFIG_KEY
from reasoncraft.tasks import get_task

sys.path.insert(0, str(Path(__file__).parent))
import test_recipes_run  # noqa: E402

tiny_settings = test_recipes_run.tiny_settings
sevens_base = test_recipes_run.sevens_base  # the fixture (module-scoped: built once per module that uses it)

PRM = ("scaling/seed0/prm-labels", "scaling/seed0/prm-train", "scaling/seed0/sweep-prm")
SMALL = dict(prm_problems=6, prm_solutions=2, prm_rollouts=2, prm_max_steps=2, prm_batch_size=4, prm_epochs=1.0)

# The comparison stage's key (a hash over every stage's config and inputs, `stages.stage_key`) of the CPU presets'
# plans before the PRM stages existed (the same at 7d8b743 and 60a5ffa): with scaling_prm off, none of their stages
# may change.
UNCHANGED = {
    ("quick", "compare"): "f6b342cd71323bec",
    ("quick", "scaling"): "276ebb731fd11f84",
    ("full", "compare"): "d8aaa7459a458cc8",
    ("full", "scaling"): "1d1032a85bf995ac",
}
OTHER_PRM_VALUES = dict(
    prm_problems=7, prm_solutions=3, prm_rollouts=2, prm_max_steps=2, prm_label_reward="lenient_accuracy",
    prm_label_kind="hard", prm_epochs=1.0, prm_batch_size=4, prm_learning_rate=1e-4, prm_lora_r=8,
    prm_aggregation="min",
)  # fmt: skip


def _keys(stages) -> dict[str, str]:
    keys: dict[str, str] = {}
    for s in stages:
        keys[s.name] = stage_key(s, {role: keys[up] for role, up in s.inputs.items()})
    return keys


@pytest.mark.parametrize("preset, recipe", list(UNCHANGED))
def test_cpu_presets_plan_the_same_stages_as_before(preset, recipe):
    config = RecipeConfig.from_values({"preset": preset})
    assert not config.scaling_prm
    stages = plan(recipe, config)
    assert not any(s.kind in ("step-labels", "prm") for s in stages)
    assert _keys(stages)["comparison"] == UNCHANGED[preset, recipe]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_prm_keys_change_nothing_while_scaling_prm_is_off(preset):
    """Every preset, compare and scaling: the prm_* keys set otherwise plan the very same stages (names, keys)."""
    for recipe in ("compare", "scaling"):
        plain = _keys(plan(recipe, RecipeConfig.from_values({"preset": preset})))
        other = _keys(plan(recipe, RecipeConfig.from_values({"preset": preset, **OTHER_PRM_VALUES})))
        assert plain == other
        config = RecipeConfig.from_values({"preset": preset, "scaling_prm": True})
        on = _keys(plan(recipe, config))  # on: three stages more per seed; the others' keys as they were
        added = {
            f"scaling/seed{seed}/{name}" for seed in config.seeds for name in ("prm-labels", "prm-train", "sweep-prm")
        }
        assert set(on) - set(plain) == added
        assert all(on[name] == key for name, key in plain.items() if name != "comparison")


def _ran(lines: list[str]) -> set[str]:
    """The stages a run ran, from its log ("[i/n] NAME: what ...")."""
    return {line.split("] ", 1)[1].split(":", 1)[0] for line in lines if line.endswith("...")}


def test_prm_stages_chain_count_their_compute_and_resume(sevens_base, tmp_path):
    """scaling with the PRM: labels on train problems only -> PRM training on them -> a sweep scored by that
    folder; the comparison's PRM row reads that sweep (strict and lenient recomputed here), pays for labels and
    training; a rerun skips everything, a prm_* change reruns what depends on it, and compare reuses the stages."""
    out = tmp_path / "recipes"
    lines: list[str] = []
    run_recipe("scaling", tiny_settings(sevens_base, out, scaling_prm=True, **SMALL), log=lines.append)
    for name in PRM:
        assert read_stage(out / name)["done"] and (out / name / "run.json").is_file()
    # labels: made on the first prm_problems train problems, none of them a test problem
    task = get_task(sevens_base["task"])
    train = [p.id for p in task.problems("train", SMALL["prm_problems"])]
    test = {p.id for p in task.problems("test")}
    labels = read_jsonl(out / PRM[0] / "labels.jsonl")
    assert sorted({r["problem_id"] for r in labels}) == sorted(train) and not test & {r["problem_id"] for r in labels}
    assert len(labels) == SMALL["prm_problems"] * SMALL["prm_solutions"]
    assert json.loads((out / PRM[0] / "run.json").read_text())["config"]["split"] == "train"
    # the chain: training reads those labels; the sweep scores with the trained folder
    trained = json.loads((out / PRM[1] / "run.json").read_text())
    assert trained["config"]["labels"] == [str(out / PRM[0] / "labels.jsonl")]
    assert CONFIG_KEY in json.loads((out / PRM[1] / "model" / "config.json").read_text())
    swept = json.loads((out / PRM[2] / "run.json").read_text())["config"]
    assert swept["scorer"] == str(out / PRM[1] / "model") and swept["strategies"] == ["weighted-best-of-n"]
    # the comparison: a PRM row beside majority vote, paying for its labels and training
    comparison = json.loads((out / "comparison" / "comparison.json").read_text())
    rows = {r["route"]: r for r in comparison["routes"]}
    assert list(rows) == ["base", "scaling", "scaling-prm"]
    spent = read_stage(out / PRM[0])["outputs"]["flops"] + trained["flops_estimate"]
    assert rows["scaling-prm"]["train_flops"] == pytest.approx(spent) and spent > 0
    assert rows["scaling"]["train_flops"] == 0.0  # majority vote reads no PRM
    walls = sum(read_stage(out / name)["wall_s"] for name in PRM[:2])
    assert rows["scaling-prm"]["train_wall_s"] == pytest.approx(walls)
    picks = read_jsonl(next((out / PRM[2] / "results").glob("*/test/weighted-best-of-n-n2.jsonl")))
    samples = read_jsonl(out / rows["scaling"]["samples"][0])
    assert rows["scaling-prm"]["strict"]["mean"] == pytest.approx(statistics.fmean(r["correct"] for r in picks))
    lenient = []
    for row in picks:  # the PRM-weighted vote over lenient readings, by a loop of its own
        verdict = {s["completion"]: s["breakdown"]["lenient_accuracy"] for s in samples if s["problem_id"] == row["id"]}
        texts = [c["text"] for c in row["candidates"]]
        scores = [c["score"] for c in row["candidates"]]
        vote = weighted_vote([lenient_answer(t) or None for t in texts], scores, math_equal)
        lenient.append(float(vote.index is not None and verdict[texts[vote.index]] == 1.0))
    assert rows["scaling-prm"]["lenient"]["mean"] == pytest.approx(statistics.fmean(lenient))
    table = (out / "comparison" / "table.md").read_text()
    assert f"| {rows['scaling-prm']['label']} | prm-weighted@2 |" in table
    assert f"{rows['scaling-prm']['train_flops']:.3g} |" in table and "| scaling - scaling-prm |" in table
    assert any(p["route"] == "scaling-prm" and p["compute_flops"] > spent for p in comparison["points"])

    lines.clear()
    run_recipe("scaling", tiny_settings(sevens_base, out, scaling_prm=True, **SMALL), log=lines.append)
    assert not _ran(lines), lines  # everything skipped
    assert all(any(line.endswith(f"{name}: done before, skipped") for line in lines) for name in PRM)
    for changed, redone in (
        ({"prm_rollouts": 3}, {*PRM, "comparison"}),  # labels change: so do training, the PRM sweep, the table
        ({"prm_rollouts": 3, "prm_epochs": 2.0}, {*PRM[1:], "comparison"}),  # training only: labels kept
    ):
        lines.clear()
        settings = tiny_settings(sevens_base, out, scaling_prm=True, **{**SMALL, **changed})
        run_recipe("scaling", settings, log=lines.append)
        assert _ran(lines) == redone, lines
    # compare reuses every PRM stage and puts the PRM row under the scaling row
    lines.clear()
    last = {**SMALL, "prm_rollouts": 3, "prm_epochs": 2.0}  # the settings of the last run above
    settings = tiny_settings(sevens_base, out, scaling_prm=True, routes=["scaling", "distill"], **last)
    run_recipe("compare", settings, log=lines.append)
    assert all(any(line.endswith(f"{name}: done before, skipped") for line in lines) for name in PRM)
    comparison = json.loads((out / "comparison" / "comparison.json").read_text())
    assert [r["route"] for r in comparison["routes"]] == ["base", "scaling", "scaling-prm", "distill"]


def test_no_good_step_label_stops_before_training(tmp_path):
    """A policy that solves nothing (a fresh tiny random model) gives only bad labels: the stage stops, naming
    itself and the fix, and no PRM is trained on a constant."""
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama", seed=1)
    model.save_pretrained(tmp_path / "random")
    tokenizer.save_pretrained(tmp_path / "random")
    c = RecipeConfig(model=str(tmp_path / "random"), max_new_tokens=8, scaling_prm=True, **SMALL)
    labels = next(s for s in plan("scaling", c) if s.kind == "step-labels")
    folder = tmp_path / "out" / labels.name
    folder.mkdir(parents=True)
    ctx = Context(tmp_path / "out", log=lambda m: None)
    with pytest.raises(StageOutputTooSmall) as caught:
        KINDS["step-labels"](dict(labels.config), {}, folder, ctx, labels.name)
    assert labels.name in str(caught.value) and "prm_label_reward=lenient_accuracy" in str(caught.value)


@pytest.mark.parametrize(
    "overrides, field",
    [
        (["prm_rollouts=0"], "prm_rollouts"),
        (["prm_problems=0"], "prm_problems"),
        (["prm_label_kind=medium"], "prm_label_kind"),
        (["prm_aggregation=mean"], "prm_aggregation"),
        (["prm_label_reward=nosuch"], "prm_label_reward"),
        (["prm_epochs=0"], "prm_epochs"),
        (["prm_lora_r=-1"], "prm_lora_r"),
        (["scaling_prm=true", "scaling_temperature=0"], "scaling_temperature"),
        (["prm_rolouts=3"], "prm_rolouts"),
    ],
)
def test_bad_prm_keys_fail_naming_the_field(overrides, field):
    with pytest.raises(ConfigError) as caught:
        load_config(RecipeConfig, None, overrides)
    assert field in str(caught.value)


def test_a_label_reward_the_task_cannot_take_fails_before_compute(sevens_base, tmp_path):
    settings = tiny_settings(sevens_base, tmp_path / "out", scaling_prm=True, prm_label_reward="lenient_accuracy")
    with pytest.raises(ConfigError, match="prm_label_reward: task .* prm_label_reward=null"):
        prepare("scaling", settings)
    assert not (tmp_path / "out").exists()


def test_shipped_prm_config_derives_valid_engine_configs(tmp_path):
    """configs/recipes/scaling_prm_quick.yaml: benchmarks/prm.py's measured setting; every stage's engine config
    passes its own checks, the labels come from the train split, and the plan has an ETA for every stage."""
    config = load_config(RecipeConfig, "configs/recipes/scaling_prm_quick.yaml")
    assert config.scaling_prm and config.prm_label_reward == "lenient_accuracy" and config.scaling_temperature == 0.8
    stages, root = prepare("scaling", config)
    by_name = {s.name: s for s in stages}
    built = {}
    for stage in stages:
        if stage.kind != "compare":
            model, where = stage.config.get("model", config.model), {"out": tmp_path, "cache_dir": tmp_path}
            built[stage.name] = engine_config(stage.kind, dict(stage.config), model=model, device=None, **where)
    labels, trained = built[PRM[0]], built[PRM[1]]
    sizes = (labels.problems, labels.solutions, labels.rollouts, labels.max_steps)
    assert labels.split == "train" and sizes == (128, 4, 4, 4)
    assert labels.task_options == {"reward": "lenient_accuracy"} and labels.max_new_tokens == 48
    assert (trained.label_kind, trained.lora_r, trained.epochs, trained.batch_size) == ("soft", 0, 2.0, 16)
    assert by_name[PRM[2]].inputs == {"scorer": PRM[1]} and built[PRM[2]].aggregation == "last"
    lines, total = describe_plan("scaling", config, stages, root)
    assert total is not None and all(any(name in line and "ETA" in line for line in lines) for name in PRM)


def test_prm_recipe_doctests():
    import doctest

    from reasoncraft.recipes import comparison, prm

    for module in (prm, comparison):  # the PRM sweep's strategies, micro-batches and the PRM row's vote
        assert doctest.testmod(module).failed == 0, module.__name__
