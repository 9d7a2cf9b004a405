"""The presets (quick, full, the GPU ones) without running them: they load, every engine config they derive passes
its own checks with sizes derived, and their stages chain; plus the column-addition teacher through a recipe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoncraft.config import load_config
from reasoncraft.data.column_addition import ColumnAdditionTeacher, column_addition_trace
from reasoncraft.recipes.compare import plan
from reasoncraft.recipes.kinds import KINDS, engine_config
from reasoncraft.recipes.runner import describe_plan, prepare
from reasoncraft.recipes.settings import PRESETS, RecipeConfig
from reasoncraft.recipes.stages import check_order, dependencies
from reasoncraft.tasks import get_task

CONFIGS = sorted(Path("configs/recipes").glob("*.yaml"))


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_derive_valid_engine_configs_and_chain(preset, tmp_path):
    config = RecipeConfig.from_values({"preset": preset, "out_dir": str(tmp_path)})
    stages, root = prepare("compare", config)
    check_order(stages, KINDS)
    names = [s.name for s in stages]
    for stage in stages:
        if stage.kind in ("compare", "general"):
            continue
        built = engine_config(
            stage.kind,
            dict(stage.config),
            model="some/model",
            out=tmp_path / stage.name,
            cache_dir=tmp_path,
            device=None,
            datasets=[str(tmp_path / "data.jsonl")],
        )
        if stage.kind == "grpo":  # sizes stated once, the rest derived
            assert built.prompts_per_step * built.num_generations == built.batch_size
            assert built.max_completion_length == config.max_new_tokens
    for seed in config.seeds:  # every route's evaluation depends on its whole chain; r1 on r1-zero's GRPO
        r1 = dependencies(stages, f"r1/seed{seed}/eval")
        assert f"r1-zero/seed{seed}/grpo" in r1 and f"r1/seed{seed}/rl-final" in r1 and "r1/general-data" in r1
        assert f"distill/seed{seed}/teacher-data" in dependencies(stages, f"distill/seed{seed}/eval")
    assert names[-1] == "comparison" and len([n for n in names if n.endswith("/eval")]) == 1 + 4 * len(config.seeds)
    lines, total = describe_plan("compare", config, stages, root)
    assert len(lines) >= len(stages) + 1
    assert (total is not None) == (preset in ("quick", "full"))  # ETAs only where measured: default model, CPU


def test_gpu_presets_name_qwen_by_hub_id_on_countdown():
    for size in ("0.5b", "1.5b"):
        config = RecipeConfig.from_values({"preset": f"gpu-qwen2.5-{size}"})
        assert config.model == f"Qwen/Qwen2.5-{size.upper()}" and config.task == "countdown-3"
        assert config.solver == "countdown-dfs-shortcut" and config.seeds == [0, 1, 2]


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_recipe_configs_load(path):
    config = load_config(RecipeConfig, path)
    assert config.preset in PRESETS
    assert plan("compare", config)[-1].kind == "compare"


def test_stated_keys_win_over_the_preset():
    config = RecipeConfig.from_values({"preset": "full", "seeds": [5]})
    assert config.seeds == [5]
    assert RecipeConfig.from_values({"preset": "gpu-qwen2.5-0.5b", "rl_steps": 3}).rl_steps == 3


def test_column_addition_traces_verify_on_every_sum():
    task = get_task("arith-sum-2d")
    for layout in ("answer", "r1"):
        teacher = ColumnAdditionTeacher(layout)
        problems = task.problems("train", 300)
        assert all(task.score(p, teacher.solve(p, 0)).correct for p in problems)
    assert column_addition_trace([99, 99]).splitlines() == [
        "ones: 9+9=18, carry 1",
        "tens: 9+9+1=19, carry 1",
        "hundreds: 1=1",
        "Answer: 198",
    ]
    countdown = get_task("countdown-3").problems("train", 1)[0]
    with pytest.raises(ValueError, match="countdown-dfs-shortcut"):
        teacher.solve(countdown, 0)


def test_distill_route_with_the_task_solver_on_a_tiny_model(tmp_path):
    """teacher=solver on sums: the column-addition traces go through the data engine into SFT of the base."""
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("qwen2")
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")
    from typer.testing import CliRunner

    from reasoncraft.cli import app

    settings = dict(
        model=str(tmp_path / "tiny"),
        problems=4,
        max_new_tokens=4,  # shorter than every trace: the data stage stops, naming the limit
        distill_problems=6,
        sft_max_steps=2,
        sft_max_seq_length=256,
        min_sft_examples=6,
        batch_problems=8,
        out_dir=str(tmp_path / "out"),
        workers=1,  # in this process (the parallel runner has its own test)
    )
    result = CliRunner().invoke(app, ["run", "distill", *(f"{k}={v}" for k, v in settings.items())])
    assert result.exit_code == 1 and "longer than max_new_tokens=4" in result.output + str(result.stderr_bytes)
    settings["max_new_tokens"] = 96
    result = CliRunner().invoke(app, ["run", "distill", *(f"{k}={v}" for k, v in settings.items())])
    assert result.exit_code == 0, result.output
    assert "distill/seed0/sft" in result.output and "| distill (SFT) |" in result.output and "ETA" in result.output
    record = json.loads((tmp_path / "out/comparison/stage.json").read_text())
    data = tmp_path / "out/distill/seed0/teacher-data"
    kept = [json.loads(line) for line in (data / "sft.jsonl").read_text().splitlines()]
    assert len(kept) == 6 and all(r["completion"].startswith("ones: ") for r in kept)
    sft = json.loads((tmp_path / "out/distill/seed0/sft/run.json").read_text())
    assert sft["config"]["datasets"] == [str(data / "sft.jsonl")] and sft["tokens"]["training"] > 0
    comparison = json.loads((tmp_path / "out" / record["outputs"]["comparison"]).read_text())
    assert [r["route"] for r in comparison["routes"]] == ["base", "distill"]
    assert comparison["routes"][1]["train_flops"] > 0


def test_quick_r1_zero_trains_as_the_grpo_quickstart(tmp_path):
    """The quick preset's r1-zero stage is configs/r1_zero_quickstart.yaml, apart from where it writes and its
    held-out evaluation, which is the recipe's own evaluation stage (greedy, the same token limit)."""
    from reasoncraft.train.grpo_config import GRPOConfig

    quickstart = load_config(GRPOConfig, "configs/r1_zero_quickstart.yaml")
    stage = next(s for s in plan("r1-zero", RecipeConfig()) if s.kind == "grpo")
    ours = engine_config(
        "grpo", dict(stage.config), model="smollm2-135m", out=tmp_path, cache_dir=tmp_path, device=None
    )
    mechanics = {"out_dir", "eval_problems", "save_steps", "device"}
    differ = {k for k in vars(quickstart) if k not in mechanics and getattr(quickstart, k) != getattr(ours, k)}
    assert not differ, {k: (getattr(quickstart, k), getattr(ours, k)) for k in differ}
    evaluation = next(s for s in plan("r1-zero", RecipeConfig()) if s.name == "r1-zero/seed0/eval").config
    assert evaluation["max_new_tokens"] == quickstart.max_completion_length and evaluation["temperature"] == 0.0
    assert evaluation["limit"] == quickstart.eval_problems and evaluation["template"] == quickstart.template


def test_recipe_doctests():
    import doctest

    from reasoncraft.data import column_addition
    from reasoncraft.recipes import comparison, kinds, runner, schedule, stages

    for module in (column_addition, comparison, kinds, runner, schedule, stages):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_two_workers_shorten_the_planned_eta():
    one, two = (RecipeConfig.from_values({"workers": w}) for w in (1, 2))
    stages, root = prepare("compare", one)
    _, serial = describe_plan("compare", one, stages, root)
    _, parallel = describe_plan("compare", two, stages, root)
    assert parallel < serial
