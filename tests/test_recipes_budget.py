"""One budget and resuming a preset's folder with another preset, on the tiny models of test_recipes_run.

- A ceiling the fixed sizes cannot fit stops before any compute, naming field and fix; the sizes the plan reads
  are what the run records and the backend count. (Spent <= planned <= ceiling per route, and the table's
  spent / ceiling: test_recipes_run.py's end-to-end test.)
- `reasoncraft run compare preset=full out_dir=<a quick run's folder>`: the stages whose config and inputs are
  the same (seed 0's, the base model's evaluation, the shared general replies) are reused, the rest run; the
  comparison equals a fresh run of the full preset; a changed setting reruns exactly what depends on it.
"""

from __future__ import annotations

import json

import pytest

import test_recipes_run as recipes_run
from reasoncraft.recipes.budget import BudgetError, ModelSizes
from reasoncraft.recipes.runner import prepare, run_recipe
from reasoncraft.recipes.settings import RecipeConfig

sevens_base = recipes_run.sevens_base  # the fixture: a tiny model that answers 7, and a task whose answers are 7
tiny_settings, _without_timing = recipes_run.tiny_settings, recipes_run._without_timing


def _planned(settings: RecipeConfig) -> dict[str, float]:
    stages, _ = prepare("compare", settings)
    return {r["route"]: r["planned_flops"] for r in stages[-1].config["routes"]}


def test_a_ceiling_the_sizes_cannot_fit_stops_the_plan_before_any_compute(sevens_base, tmp_path):
    """The ceiling set just under r1's planned FLOPs (the largest route, as it counts r1-zero's GRPO): the plan
    stops, naming the field, the route, its stages' fields and the fix; at the planned FLOPs it passes. (What each
    route spends against its plan and the ceiling: test_recipes_run's end-to-end test.)"""
    out = tmp_path / "out"
    routes = ["r1-zero", "r1", "distill"]
    planned = _planned(tiny_settings(sevens_base, out, routes=routes, train_flops_budget=1e30))
    assert planned["r1"] > planned["r1-zero"] > 0 and planned["distill"] > 0 and planned["base"] == 0
    with pytest.raises(BudgetError) as caught:
        prepare("compare", tiny_settings(sevens_base, out, routes=routes, train_flops_budget=planned["r1"] * 0.999))
    message = str(caught.value)
    assert message.startswith("train_flops_budget: route r1 is planned to spend up to ")
    assert "cold_start_problems, cold_start_k" in message and "or raise train_flops_budget to at least" in message
    assert not out.exists()  # nothing was written, nothing computed
    assert _planned(tiny_settings(sevens_base, out, routes=routes, train_flops_budget=planned["r1"])) == planned


def test_model_sizes_count_what_the_run_records_count(tmp_path):
    """Parameters from the config on the meta device equal the loaded model's count (what run records hold);
    prompt lengths equal what the in-process backend encodes, for chat messages and for text."""
    from reasoncraft.backends.hf import HFBackend
    from reasoncraft.record import count_parameters
    from reasoncraft.tasks import get_task
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("qwen2")
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")
    sizes, backend = ModelSizes(), HFBackend.from_name(str(tmp_path / "tiny"), device="cpu")
    assert sizes.parameters(str(tmp_path / "tiny")) == count_parameters(backend.model)
    task = get_task("arith-sum-2d")
    prompts = [task.prompt(p, "arithmetic") for p in task.problems("train", 5)] + ["plain text, 12 + 30"]
    assert sizes.prompt_tokens(str(tmp_path / "tiny"), prompts) == [len(backend.encode(p)) for p in prompts]


def test_full_preset_resumes_a_quick_runs_folder_reusing_exactly_what_matches(sevens_base, tmp_path):
    """quick, then full in the same folder: seed 0's stages and the base evaluation are reused, seeds 1 and 2 run,
    and the comparison equals a fresh full run's. A changed setting (sft_max_steps) in the same folder reruns every
    stage downstream of it, for every seed, and nothing else."""
    chain = ["teacher-data", "sft", "eval"]  # distill, the cheapest trained route: data, SFT, evaluation

    def settings(out, preset, **extra):
        # 20 of the 23 train problems: every seed's sampled traces keep some verified ones
        return tiny_settings(sevens_base, out, preset=preset, routes=["distill"], distill_problems=20, **extra)

    def names(lines: list[str], ending: str) -> list[str]:
        return sorted(line.split("] ")[1].split(": ")[0] for line in lines if line.endswith(ending))

    shared = tmp_path / "shared"
    run_recipe("compare", settings(shared, "quick"), log=lambda m: None)
    lines: list[str] = []
    full = settings(shared, "full")
    assert full.seeds == [0, 1, 2] and full.preset == "full"
    run_recipe("compare", full, log=lines.append)
    assert names(lines, "done before, skipped") == sorted(["base/eval", *(f"distill/seed0/{n}" for n in chain)])
    assert names(lines, "...") == sorted([f"distill/seed{s}/{n}" for s in (1, 2) for n in chain] + ["comparison"])
    run_recipe("compare", settings(tmp_path / "fresh", "full"), log=lambda m: None)
    got, expected = (json.loads((f / "comparison/comparison.json").read_text()) for f in (shared, tmp_path / "fresh"))
    assert _without_timing(got) == _without_timing(expected)
    # never mix: one changed setting reruns what depends on it in every seed, and reuses the rest
    lines.clear()
    run_recipe("compare", settings(shared, "full", sft_max_steps=3), log=lines.append)
    rerun = [f"distill/seed{s}/{n}" for s in (0, 1, 2) for n in ("sft", "eval")]
    assert names(lines, "...") == sorted([*rerun, "comparison"])
    data = [f"distill/seed{s}/teacher-data" for s in (0, 1, 2)]
    assert names(lines, "done before, skipped") == sorted(["base/eval", *data])
