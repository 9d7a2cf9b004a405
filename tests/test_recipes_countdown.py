"""Countdown-3 through every route (issue #16: "both 2-digit sums and Countdown-3 run through every route").

The sums run through every route in tests/test_recipes_run.py and in the quick preset; here the real
`countdown-3` task does, with nothing about it stated but the task: its template, rewards and data layout
come from recipes/task_defaults.py. The base is a tiny random llama given SFT steps on the gold expressions
of the first train problems (`<answer>EXPR</answer>`), so that r1's cold-start and rejection sampling (which
draw those problems) find verified traces to keep; the distill teacher is Countdown's own search solver.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from reasoncraft.recipes.runner import run_recipe
from reasoncraft.recipes.settings import RecipeConfig
from reasoncraft.recipes.stages import StageOutputTooSmall
from reasoncraft.samples import read_jsonl
from test_recipes_run import taught_tiny_llama, tiny_settings

MEMORISED = 4  # train problems the base is taught: r1's cold-start and rejection stages draw these


@pytest.fixture(scope="module")
def countdown_base(tmp_path_factory) -> dict:
    from reasoncraft.tasks import get_task

    task = get_task("countdown-3")
    rows = [
        {"messages": [*task.prompt(p, "countdown"), {"role": "assistant", "content": f"<answer>{p.answer}</answer>"}]}
        for p in task.problems("train", limit=MEMORISED)
    ]
    root = tmp_path_factory.mktemp("countdown")
    model = taught_tiny_llama(root, rows, steps=200, max_seq_length=256, batch_tokens=1024)
    return {"task": "countdown-3", "model": model}


def countdown_settings(base: dict, out: Path, **overrides) -> RecipeConfig:
    """tiny_settings with the sums-specific keys dropped, so that the task's own ones apply."""
    values = dataclasses.asdict(tiny_settings(base, out))
    for key in ("template", "rl_rewards", "rl_reward_weights", "data_layout", "preset"):
        values.pop(key)
    # Countdown prompts are ~190 tiny-tokenizer tokens and the solver's traces ~110: room for both
    values |= {"max_new_tokens": 128, "sft_max_seq_length": 384, "teacher": "solver", **overrides}
    return RecipeConfig.from_values(values)


def test_unstated_keys_follow_the_task():
    countdown = RecipeConfig.from_values({"task": "countdown-3"})
    assert (countdown.template, countdown.rl_rewards, countdown.rl_reward_weights) == ("countdown", ["countdown"], None)
    assert countdown.data_layout == "none"  # the countdown reward itself demands one <answer> block
    assert countdown.max_new_tokens == 192  # the solver's Countdown-3 traces are <= 92 default-model tokens
    tags = RecipeConfig.from_values({"task": "countdown-3", "template": "r1-zero"})
    assert (tags.template, tags.data_layout, tags.rl_rewards) == ("r1-zero", "r1", ["countdown"])
    stated = RecipeConfig.from_values(
        {"task": "countdown-3", "data_layout": "answer", "rl_rewards": ["format"], "max_new_tokens": 64}
    )
    assert (stated.data_layout, stated.rl_rewards, stated.template) == ("answer", ["format"], "countdown")
    assert (stated.rl_reward_weights, stated.max_new_tokens) == (None, 64)  # stated rewards: equal weights
    # the sums (the quick preset's task) keep exactly the class defaults, so the main job's stages do not change
    assert dataclasses.asdict(RecipeConfig.from_values({})) == dataclasses.asdict(RecipeConfig())
    assert dataclasses.asdict(RecipeConfig.from_values({"task": "arith-sum-2d"})) == dataclasses.asdict(RecipeConfig())


def test_countdown_runs_through_every_route(countdown_base, tmp_path):
    out = tmp_path / "recipes"
    record = run_recipe("compare", countdown_settings(countdown_base, out), log=lambda line: None)
    comparison = json.loads((out / record["outputs"]["comparison"]).read_text())
    assert [r["route"] for r in comparison["routes"]] == ["base", "scaling", "r1-zero", "r1", "distill"]
    # every route evaluated the same 8 held-out Countdown-3 problems with the countdown template and reward
    for route in ("base", "scaling/seed0", "r1-zero/seed0", "r1/seed0", "distill/seed0"):
        rows = list(read_jsonl(out / route / "eval" / "samples.jsonl"))
        assert len({r["problem_id"] for r in rows}) == 8 and all(r["task"] == "countdown-3" for r in rows), route
        assert all("<answer> </answer> tags" in r["prompt"][-1]["content"] for r in rows), route
        assert all(set(r["breakdown"]) == {"countdown"} for r in rows), route
        config = json.loads((out / route / "eval" / "run.json").read_text())["config"]
        assert (config["tasks"], config["template"]) == (["countdown-3"], "countdown"), route
    grpo = json.loads((out / "r1-zero/seed0/grpo/stage.json").read_text())["config"]
    assert (grpo["template"], grpo["rewards"], grpo["reward_weights"]) == ("countdown", ["countdown"], None)
    # r1's data stages kept verified traces (the base solves the problems they draw) and chained into SFT
    for stage in ("cold-start-data", "rejection-data"):
        kept = list(read_jsonl(out / "r1/seed0" / stage / "sft.jsonl"))
        assert kept and all("<answer>" in row["messages"][-1]["content"] for row in kept), stage
    # distill's teacher is Countdown's search: its traces show the search in think tags
    traces = list(read_jsonl(out / "distill/seed0/teacher-data/sft.jsonl"))
    assert traces and all(row["messages"][-1]["content"].startswith("<think>") for row in traces)
    table = (out / "comparison" / "table.md").read_text()
    assert "countdown-3" in table and "distill" in table


def test_a_layout_no_trace_has_names_data_layout_in_the_fix(countdown_base, tmp_path):
    """Stating the sums' layout (an "Answer:" line) for Countdown keeps nothing; the stop says why and what to set."""
    settings = countdown_settings(countdown_base, tmp_path / "recipes", data_layout="answer")
    with pytest.raises(StageOutputTooSmall, match="data_layout") as stop:
        run_recipe("r1", settings, log=lambda line: None)
    assert "cold-start-data" in str(stop.value) and "readability:format" in str(stop.value)


def test_cold_start_from_the_solver(countdown_base, tmp_path):
    """`cold_start_teacher=solver`: r1's cold start is the task's search solver's traces (for a base that r1-zero
    cannot teach, as the default model on Countdown), so r1 runs without r1-zero's stage."""
    out = tmp_path / "recipes"
    lines: list[str] = []
    run_recipe("r1", countdown_settings(countdown_base, out, cold_start_teacher="solver"), log=lines.append)
    cold = list(read_jsonl(out / "r1/seed0/cold-start-data/sft.jsonl"))
    assert cold and all(row["messages"][-1]["content"].startswith("<think>") for row in cold)
    assert not (out / "r1-zero").exists() and not any("r1-zero" in line for line in lines)
    assert (out / "r1/seed0/eval/samples.jsonl").exists()


def test_solver_teachers_need_a_task_with_one(countdown_base, tmp_path):
    """teacher=solver (the default) and cold_start_teacher=solver fail before any compute on a task with no
    solver, and only for the route that uses them: r1 from r1-zero runs on such a task."""
    from reasoncraft.config import ConfigError
    from reasoncraft.recipes.runner import prepare

    rows = "".join(json.dumps({"question": f"What is {i} + 1?", "answer": str(i + 1)}) + "\n" for i in range(4))
    for split in ("train", "test"):
        (tmp_path / f"{split}.jsonl").write_text(rows)
    (tmp_path / "plus.yaml").write_text(
        "name: plus\nsplits: {test: test.jsonl, train: train.jsonl}\ncolumns: {question: question, answer: answer}\n"
    )
    task = {"task": str(tmp_path / "plus.yaml"), "model": countdown_base["model"], "out_dir": str(tmp_path / "o")}
    with pytest.raises(ConfigError, match="cold_start_teacher=solver: task .* has no solver"):
        prepare("r1", RecipeConfig.from_values({**task, "cold_start_teacher": "solver"}))
    with pytest.raises(ConfigError, match="teacher=solver: task .* has no solver"):
        prepare("distill", RecipeConfig.from_values(task))
    stages, _ = prepare("r1", RecipeConfig.from_values(task))
    assert "r1-zero/seed0/grpo" in [s.name for s in stages]
