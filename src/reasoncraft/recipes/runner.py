"""`reasoncraft run RECIPE`: check the config, print the plan with an ETA per stage, run the stages, print the table.

Everything that can be checked without compute is checked first (the route, every key and value of the
config, every stage's input); then the plan is printed, one line per stage with an estimate of its wall
time; then the stages run in order (`recipes.stages.run_stages`: finished stages with the same key are
skipped, so the same command continues a killed run). The recipe folder gets `recipe.yaml` (the resolved
config) and a `run.json` for the whole recipe beside each stage's own.

ETAs: seconds per generated token and per training step of the embedded default model (SmolLM2-135M) on
this project's 2-core CPU with one thread, measured on the stages of a quick run (docs/recipes.md); other
models or devices get no estimate ("?") rather than a wrong one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ..config import ConfigError, config_dict, save_config
from ..models import CATALOGUE
from ..record import RunRecord
from .compare import plan
from .kinds import KINDS
from .settings import HARDWARE, RECIPES, RecipeConfig
from .stages import Stage, check_order, read_stage, run_stages, stage_key

# seconds, default model, CPU, one thread, per: generated token (evaluate, scale, distill, general); scored sample;
# GRPO rollout token (sampling + update); SFT optimizer step of `gradient_accumulation_steps` rows
SECONDS = {"token": 0.004, "grpo_token": 0.012, "sft_step": 1.5, "load": 5.0, "score": 0.005}


def estimate(stage: Stage, c: RecipeConfig) -> float | None:
    """A rough wall-time estimate of one stage (None where none is known: another model or device)."""
    if c.model != "smollm2-135m" or (c.device or "cpu") != "cpu":
        return None
    k = stage.config
    if stage.kind == "evaluate" and k["samples"] > 1:  # the scaling route's: the sweep's draw, read from the cache
        return SECONDS["load"] + k["limit"] * k["samples"] * SECONDS["score"]
    if stage.kind == "evaluate":
        return SECONDS["load"] + k["limit"] * k["samples"] * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "scale":
        n = k["max_n"]
        return SECONDS["load"] + k["limit"] * (n + 1) * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "grpo":
        return SECONDS["load"] + k["steps"] * k["batch_size"] * k["max_completion_length"] * SECONDS["grpo_token"]
    if stage.kind == "sft":
        return SECONDS["load"] + k["max_steps"] * k["gradient_accumulation_steps"] / 4 * SECONDS["sft_step"]
    if stage.kind == "distill":
        solver = k["teacher"] in ("column-addition", "countdown-dfs-shortcut", "countdown-dfs-journey")
        return 2.0 if solver else SECONDS["load"] + k["limit"] * k["k"] * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "general":
        return SECONDS["load"] + k["prompts"] * k["max_new_tokens"] * SECONDS["token"]
    return 1.0


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def describe_plan(recipe: str, c: RecipeConfig, stages: list[Stage], root: Path) -> tuple[list[str], float | None]:
    """The plan as lines (stage, what it does, ETA or 'done'), and the total ETA of what is left."""
    lines, total, keys = [], 0.0, {}
    for i, stage in enumerate(stages, 1):
        keys[stage.name] = stage_key(stage, {role: keys[up] for role, up in stage.inputs.items()})
        done = read_stage(root / stage.name)
        if done is not None and done.get("done") and done.get("key") == keys[stage.name]:
            lines.append(f"  {i:2d}. {stage.name:32s} done before (skipped)")
            continue
        eta = estimate(stage, c)
        total = total + eta if total is not None and eta is not None else None
        shown = _clock(eta) if eta is not None else "?"
        lines.append(f"  {i:2d}. {stage.name:32s} {stage.about}  ETA {shown}")
    head = (
        f"reasoncraft run {recipe} (preset {c.preset or 'quick'}): {c.model} on {c.task}, {len(stages)} stages, "
        f"in {root}/"
    )
    hardware = HARDWARE.get(c.preset or "")
    return [head, *([f"  needs: {hardware}"] if hardware else []), *lines], total


def prepare(recipe: str, config: RecipeConfig) -> tuple[list[Stage], Path]:
    """The checked plan and its folder; every mistake found here costs no compute."""
    if recipe not in RECIPES:
        raise ConfigError(f"unknown recipe {recipe!r}: use one of {', '.join(RECIPES)} (reasoncraft run --list)")
    stages = plan(recipe, config)
    check_order(stages, KINDS)
    routes = config.routes if recipe == "compare" else [recipe]
    teacher = config.cold_start_teacher
    if "r1" in routes and teacher != "r1-zero" and not config.cold_start_base_url and not _loadable(teacher):
        raise ConfigError(
            f"cold_start_teacher: {teacher!r} is neither r1-zero, a catalogue model, an existing folder nor a hub "
            "id (owner/name): fix the name, or give cold_start_base_url for a served model"
        )
    if (
        "distill" in routes
        and config.teacher != "solver"
        and not config.teacher_base_url
        and not _loadable(config.teacher)
    ):
        raise ConfigError(
            f"teacher: {config.teacher!r} is neither solver, a catalogue model, an existing folder nor a hub id "
            "(owner/name): fix the name, or give teacher_base_url for a served model"
        )
    return stages, Path(config.folder(recipe))


def _loadable(name: str) -> bool:
    return name in CATALOGUE or Path(name).is_dir() or ("/" in name and not name.startswith((".", "/")))


def run_recipe(recipe: str, config: RecipeConfig, *, log: Callable[[str], None] = print) -> dict:
    """Run a recipe as configured (resuming a killed run of the same command); return the final stage's record."""
    stages, root = prepare(recipe, config)
    lines, total = describe_plan(recipe, config, stages, root)
    for line in lines:
        log(line)
    log(
        f"  ETA of what is left: {_clock(total)}" if total is not None else "  ETA: not estimated for this model/device"
    )
    if config.num_threads:
        import torch  # lazy: heavy

        torch.set_num_threads(config.num_threads)
    root.mkdir(parents=True, exist_ok=True)
    save_config(config, root / "recipe.yaml")
    record = RunRecord(f"run {recipe}", config_dict(config), root)
    started = time.perf_counter()
    records = run_stages(stages, root, KINDS, log=log, device=config.device)
    record.finish(
        recipe=recipe,
        stages={name: {"kind": r["kind"], "key": r["key"], "wall_s": r.get("wall_s")} for name, r in records.items()},
        session_wall_s=round(time.perf_counter() - started, 3),
    )
    return records[stages[-1].name]
