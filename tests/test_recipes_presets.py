"""The presets (quick, full, the GPU ones) without running them: they load, every engine config they derive passes
its own checks with sizes derived, their stages chain, and every route fits the preset's training-FLOPs ceiling;
plus the column-addition teacher through a recipe.

Sizes without downloads: `StandInSizes` gives each model its parameter count (worked out from the models' configs:
Qwen2.5-0.5B and 1.5B tie their embeddings; SmolLM2-135M as its run records count it) and measures prompts with
the tiny test tokenizer (320 tokens, so it splits text into more tokens than the real tokenizers do). The MATH
presets read a stand-in of the user's data (a few problems) through the shipped configs/recipes/math/task.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoncraft.config import ConfigError, load_config
from reasoncraft.data.column_addition import ColumnAdditionTeacher, column_addition_trace
from reasoncraft.recipes.budget import BudgetError, ModelSizes
from reasoncraft.recipes.compare import plan
from reasoncraft.recipes.kinds import KINDS, engine_config
from reasoncraft.recipes.runner import describe_plan, prepare
from reasoncraft.recipes.settings import BUDGETED, PRESETS, RecipeConfig
from reasoncraft.recipes.stages import check_order, dependencies
from reasoncraft.tasks import get_task

CONFIGS = sorted(Path("configs/recipes").glob("*.yaml"))
PARAMETERS = {
    "smollm2-135m": 134_515_008,
    "Qwen/Qwen2.5-0.5B": 494_032_768,  # 24 layers of 14,912,384 + 151,936 x 896 tied embeddings + the last norm
    "Qwen/Qwen2.5-1.5B": 1_543_714_304,  # 28 layers of 46,797,824 + 151,936 x 1,536 tied embeddings + the last norm
    "Qwen/Qwen2.5-Math-7B-Instruct": 7_615_616_512,  # 28 layers of 233,057,792 + two 152,064 x 3,584 matrices + norm
}


class StandInSizes(ModelSizes):
    """The models' parameter counts, and the tiny tokenizer for their prompts (no download, no weights)."""

    measured: dict[tuple, list[int]] = {}  # one tokenizer for every model: a split is measured once per session

    def _load(self, name: str):
        from reasoncraft.testing import tiny_tokenizer

        if name not in self._loaded:
            self._loaded[name] = (PARAMETERS[name], tiny_tokenizer())
        return self._loaded[name]

    def prompt_lengths(self, name: str, *split: object) -> list[int]:
        if split not in self.measured:
            self.measured[split] = super().prompt_lengths(name, *split)
        return self.measured[split]


def stand_in_values(preset: str, folder: Path) -> dict:
    """The preset as a user runs it; for the MATH presets, the shipped task mapping over a stand-in of the data."""
    values = {"preset": preset, "out_dir": str(folder / "out")}
    if "task" in PRESETS[preset] and PRESETS[preset]["task"].endswith(".yaml"):
        shipped = Path(PRESETS[preset]["task"])
        (folder / "task.yaml").write_text(shipped.read_text())
        long = "Let $f(x) = " + " + ".join(f"{i}x^{{{i}}}" for i in range(1, 60)) + "$. What is $f(1)$?"
        rows = [{"id": f"p{i}", "problem": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(9)]
        rows[0]["problem"] = long
        for name in ("math_train.jsonl", "math500.jsonl"):
            (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        values["task"] = str(folder / "task.yaml")
    return values


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_derive_valid_engine_configs_and_chain(preset, tmp_path):
    config = RecipeConfig.from_values(stand_in_values(preset, tmp_path))
    stages, root = prepare("compare", config, StandInSizes())
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
    # one ceiling: every trained route is planned within it, and the plan says so
    planned = {r["route"]: r["planned_flops"] for r in stages[-1].config["routes"]}
    assert all(0 < planned[route] <= config.train_flops_budget for route in BUDGETED), planned
    assert planned["r1"] > planned["r1-zero"]  # r1 counts the r1-zero stage it samples its cold start from
    assert any("ceiling" in line and "r1-zero" in line for line in lines)


def test_gpu_presets_name_qwen_by_hub_id_on_countdown_and_math(tmp_path):
    for size in ("0.5b", "1.5b"):
        config = RecipeConfig.from_values({"preset": f"gpu-qwen2.5-{size}"})
        assert config.model == f"Qwen/Qwen2.5-{size.upper()}" and config.task == "countdown-3"
        assert config.solver == "countdown-dfs-shortcut" and config.seeds == [0, 1, 2]
        math = RecipeConfig.from_values({"preset": f"gpu-qwen2.5-{size}-math"})
        assert math.model == config.model and math.task == "configs/recipes/math/task.yaml"
        assert math.teacher == "Qwen/Qwen2.5-Math-7B-Instruct" and math.train_flops_budget > config.train_flops_budget
    # the MATH task is the shipped mapping over the user's two files: train problems, MATH-500 held out
    values = stand_in_values("gpu-qwen2.5-1.5b-math", tmp_path)
    task = get_task(values["task"])
    assert task.splits == ("train", "test") and task.problems("train", 1)[0].answer == "0"
    # without the data, the plan stops before any compute, naming the task and the missing file
    with pytest.raises(ConfigError, match="task: .*train split: .*math_train.jsonl.* does not exist"):
        (tmp_path / "math_train.jsonl").unlink()
        prepare("compare", RecipeConfig.from_values(values), StandInSizes())


def test_quick_preset_fits_the_ceiling_with_its_stages_unchanged():
    """The quick preset's ceiling (1e14) only marks its plan: the stage configs are the measured run's (r1's later RL
    stages 8 steps, SFT 30 steps, the quickstart's GRPO), and every route fits with the stand-in tokenizer."""
    config = RecipeConfig.from_values({"preset": "quick"})
    assert config.train_flops_budget == 1e14 and (config.r1_rl_steps, config.final_rl_steps) == (8, 8)
    stages, _ = prepare("compare", config, StandInSizes())
    planned = {r["route"]: r["planned_flops"] for r in stages[-1].config["routes"]}
    assert planned["r1"] < 1e14 and planned["distill"] < planned["r1-zero"] < planned["r1"]


def test_a_preset_that_cannot_fit_its_ceiling_fails_naming_the_field_and_the_fix(tmp_path):
    config = RecipeConfig.from_values({"preset": "quick", "train_flops_budget": 5e13, "out_dir": str(tmp_path / "o")})
    with pytest.raises(BudgetError) as caught:
        prepare("compare", config, StandInSizes())
    message = str(caught.value)
    assert message.startswith("train_flops_budget: route r1 is planned to spend up to ")
    assert "r1-zero/seed0/grpo" in message and "lower rl_steps, rl_batch_size" in message
    assert "r1_rl_steps" in message and "or raise train_flops_budget to at least" in message
    assert not (tmp_path / "o").exists()
    from typer.testing import CliRunner

    from reasoncraft.cli import app
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("qwen2")
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")  # from the command line, with the model's own sizes: exit 2
    bad = CliRunner().invoke(app, ["run", "compare", f"model={tmp_path / 'tiny'}", "train_flops_budget=1e3"])
    assert "train_flops_budget: route r1-zero is planned" in bad.output + (bad.stderr if bad.stderr_bytes else "")
    assert bad.exit_code == 2


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
    from reasoncraft.recipes import budget, comparison, kinds, runner, schedule, stages

    for module in (budget, column_addition, comparison, kinds, runner, schedule, stages):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_two_workers_shorten_the_planned_eta():
    one, two = (RecipeConfig.from_values({"workers": w}) for w in (1, 2))
    stages, root = prepare("compare", one, StandInSizes())
    _, serial = describe_plan("compare", one, stages, root)
    _, parallel = describe_plan("compare", two, stages, root)
    assert parallel < serial
