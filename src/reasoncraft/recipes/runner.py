"""`reasoncraft run RECIPE`: check the config, print the plan with an ETA per stage, run the stages, print the table.

Everything that can be checked without compute is checked first (the route, every key and value of the
config, every stage's input); then the plan is printed, one line per stage with an estimate of its wall
time; then the stages run in order (`recipes.schedule.run_stages`: finished stages with the same key are
skipped, so the same command continues a killed run). The recipe folder gets `recipe.yaml` (the resolved
config) and a `run.json` for the whole recipe beside each stage's own.

ETAs: seconds per generated token, per GRPO rollout token and per SFT token of the embedded default model
(SmolLM2-135M) on this project's 2-core CPU with one thread, from the recorded benchmarks (`SECONDS`); other
models or devices get no estimate ("?") rather than a wrong one. They assume an otherwise idle machine.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

from ..config import ConfigError, config_dict, save_config
from ..models import CATALOGUE
from ..prompts import get_template
from ..record import RunRecord
from ..tasks import get_task
from .budget import ModelSizes, check_budget, plan_budget
from .compare import plan
from .kinds import KINDS
from .prm import PICK
from .schedule import run_stages
from .settings import BUDGETED, HARDWARE, RECIPES, RecipeConfig
from .stages import Stage, check_order, read_stage, shares_cache, stage_key

# Seconds for the default model on this project's 2-core CPU with one thread, from recorded measurements
# (benchmarks/RESULTS.md, 2026-11-26, load ~2): a generated token slot (169 useful tokens/s batched, generation
# benchmark), a GRPO rollout token slot including the update (the 24-step quickstart: 255-342 s), a trained SFT
# token (88-104 non-padding tokens/s), loading the model, scoring one sample. On a loaded machine expect more:
# at load ~8 the quick preset's first evaluation took 511 s against its 57 s estimate (docs/recipes.md).
SECONDS = {"token": 0.006, "grpo_token": 0.016, "sft_token": 0.011, "load": 10.0, "score": 0.005}
# Step prefixes rolled out per solution of the default model on sums (benchmarks/prm.py: 100 for 512 solutions, at
# 1.2 steps per solution): the labelling run's measured 352 s (128 x 4 x K=4, 48 tokens, load 7-8) against ~275 s.
PREFIXES_PER_SOLUTION = 0.2


def estimate(stage: Stage, c: RecipeConfig) -> float | None:
    """A rough wall-time estimate of one stage (None where none is known: another model or device)."""
    if c.model != "smollm2-135m" or (c.device or "cpu") != "cpu":
        return None
    k = stage.config
    if stage.kind == "evaluate" and k["samples"] > 1:  # the scaling route's: the sweep's draw, read from the cache
        return SECONDS["load"] + k["limit"] * k["samples"] * SECONDS["score"]
    if stage.kind == "evaluate":
        return SECONDS["load"] + k["limit"] * k["samples"] * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "scale" and "scorer" in stage.inputs and set(k["strategies"]) <= {"best-of-n", PICK}:
        # the draw is the rules sweep's (cached); the PRM reads every sample once: a forward ~ a third of training
        return 2 * SECONDS["load"] + k["limit"] * k["max_n"] * k["max_new_tokens"] * SECONDS["sft_token"] / 3
    if stage.kind == "scale":
        n = k["max_n"]
        once = sum(1 for name in k["strategies"] if name in ("greedy", "cot", "direct"))  # beside the pooled draw
        return SECONDS["load"] + k["limit"] * (n + once) * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "grpo":
        return SECONDS["load"] + k["steps"] * k["batch_size"] * k["max_completion_length"] * SECONDS["grpo_token"]
    if stage.kind == "sft":
        tokens = k["max_steps"] * k["gradient_accumulation_steps"] * k["micro_batch_tokens"]
        return SECONDS["load"] + tokens * SECONDS["sft_token"]
    if stage.kind == "distill":
        solver = k["teacher"] in ("column-addition", "countdown-dfs-shortcut", "countdown-dfs-journey")
        return 2.0 if solver else SECONDS["load"] + k["limit"] * k["k"] * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "general":
        return SECONDS["load"] + k["prompts"] * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "step-labels":  # each solution, plus K rollouts from its ~0.2 step prefixes (the default model)
        drawn = k["problems"] * k["solutions"] * (1 + PREFIXES_PER_SOLUTION * k["rollouts"])
        return SECONDS["load"] + drawn * k["max_new_tokens"] * SECONDS["token"]
    if stage.kind == "prm":  # a question and solution ~ 24 + 0.75 max_new_tokens tokens (measured: 563 s vs 608 s)
        labelled = c.prm_problems * c.prm_solutions * 0.9  # eval_fraction 0.1 held out
        return SECONDS["load"] + k["epochs"] * labelled * (24 + 0.75 * c.max_new_tokens) * SECONDS["sft_token"]
    return 1.0


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def makespan(stages: list[Stage], seconds: dict[str, float], workers: int) -> float:
    """Wall time of the stages left (`seconds` by name) when up to `workers` run at once, each as soon as its
    inputs are finished (the runner's rule, cache sharing included): a list-scheduling simulation.

    >>> a, b, c = (Stage(n, "grpo", {}, i) for n, i in (("a", {}), ("b", {}), ("c", {"x": "a"})))
    >>> makespan([a, b, c], {"a": 2.0, "b": 3.0, "c": 2.0}, 1), makespan([a, b, c], {"a": 2.0, "b": 3.0, "c": 2.0}, 2)
    (7.0, 4.0)
    """
    finish: dict[str, float] = {}
    free = [0.0] * workers
    left = [s for s in stages if s.name in seconds]
    running: list[tuple[float, Stage]] = []
    while left:
        slot = min(range(workers), key=free.__getitem__)
        now = free[slot]
        ready = [
            s
            for s in left
            if all(finish.get(up, 0.0) <= now for up in s.inputs.values() if up in seconds)
            and all(up in finish or up not in seconds for up in s.inputs.values())
            and not any(end > now and shares_cache(s, other) for end, other in running)
        ]
        if not ready:  # wait for the next stage to finish
            free[slot] = min(end for end, _ in running if end > now)
            continue
        stage = ready[0]
        left.remove(stage)
        finish[stage.name] = free[slot] = now + seconds[stage.name]
        running.append((finish[stage.name], stage))
    return max(finish.values(), default=0.0)


def describe_plan(recipe: str, c: RecipeConfig, stages: list[Stage], root: Path) -> tuple[list[str], float | None]:
    """The plan as lines (stage, what it does, ETA or 'done'), and the total ETA of what is left (with `workers`
    stages side by side)."""
    lines, total, keys, seconds = [], 0.0, {}, {}
    for i, stage in enumerate(stages, 1):
        keys[stage.name] = stage_key(stage, {role: keys[up] for role, up in stage.inputs.items()})
        done = read_stage(root / stage.name)
        if done is not None and done.get("done") and done.get("key") == keys[stage.name]:
            lines.append(f"  {i:2d}. {stage.name:32s} done before (skipped)")
            continue
        eta = estimate(stage, c)
        total = total + eta if total is not None and eta is not None else None
        seconds[stage.name] = eta or 0.0
        shown = _clock(eta) if eta is not None else "?"
        lines.append(f"  {i:2d}. {stage.name:32s} {stage.about}  ETA {shown}")
    head = (
        f"reasoncraft run {recipe} (preset {c.preset or 'quick'}): {c.model} on {c.task}, {len(stages)} stages, "
        f"in {root}/"
    )
    hardware = HARDWARE.get(c.preset or "")
    if total is not None and c.workers > 1:  # stages side by side: the schedule's length, not the sum
        total = makespan(stages, seconds, c.workers)
    return [head, *([f"  needs: {hardware}"] if hardware else []), *budget_lines(stages[-1]), *lines], total


def budget_lines(comparison: Stage) -> list[str]:
    """The plan's training FLOPs per route (upper bounds, per seed) against the ceiling, when there is one."""
    ceiling = comparison.config.get("train_flops_budget")
    planned = [(r["route"], r.get("planned_flops")) for r in comparison.config["routes"] if r["route"] in BUDGETED]
    if ceiling is None or not planned:
        return []
    shown = ", ".join(f"{route} {flops:.2g}" for route, flops in planned)
    return [f"  training FLOPs per seed, at most (planned) / ceiling {ceiling:.2g}: {shown}"]


def _check_solvers(config: RecipeConfig, routes: list[str]) -> None:
    """A solver teacher (distill's `teacher`, r1's `cold_start_teacher`) needs a task that has one."""
    for route, key in (("distill", "teacher"), ("r1", "cold_start_teacher")):
        if route in routes and getattr(config, key) == "solver" and config.solver is None:
            raise ConfigError(
                f"{key}=solver: task {config.task!r} has no solver (sums and Countdown do): name a model teacher"
                + (", or r1-zero" if route == "r1" else "")
            )


def prepare(recipe: str, config: RecipeConfig, sizes: ModelSizes | None = None) -> tuple[list[Stage], Path]:
    """The checked plan and its folder; every mistake found here costs no compute. With a `train_flops_budget`,
    every route's training FLOPs are bounded from the models' sizes (`sizes`: read from their configs and
    tokenizers) and a route over the ceiling stops here (`recipes.budget`)."""
    if recipe not in RECIPES:
        raise ConfigError(f"unknown recipe {recipe!r}: use one of {', '.join(RECIPES)} (reasoncraft run --list)")
    routes = config.routes if recipe == "compare" else [recipe]
    _check_solvers(config, routes)
    stages = plan(recipe, config)
    check_order(stages, KINDS)
    try:
        task = get_task(config.task)
    except (KeyError, ValueError, FileNotFoundError) as exc:
        raise ConfigError(f"task: {exc} (`reasoncraft tasks` lists them)") from None
    try:
        get_template(config.template)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"template: {exc}") from None
    prm = config.scaling_prm and "scaling" in routes
    splits = ["test", *(["train"] if set(routes) - {"scaling"} or prm else [])]  # every route but scaling trains
    for split in splits:
        try:
            found = task.problems(split, 1)
        except (KeyError, ValueError, FileNotFoundError) as exc:
            raise ConfigError(f"task: {config.task!r}, {split} split: {exc}") from None
        if not found:
            raise ConfigError(f"task: {config.task!r} has no {split} problems: give a task with a {split} split")
    if prm and config.prm_label_reward:
        try:
            get_task(config.task, reward=config.prm_label_reward)
        except (TypeError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"prm_label_reward: task {config.task!r} does not take another reward ({exc}): set prm_label_reward="
                "null to score the rollouts with the task's own reward (a user task states it in its YAML)"
            ) from None
    teacher = config.cold_start_teacher
    fixed = ("r1-zero", "solver")
    if "r1" in routes and teacher not in fixed and not config.cold_start_base_url and not _loadable(teacher):
        raise ConfigError(
            f"cold_start_teacher: {teacher!r} is neither r1-zero, solver, a catalogue model, an existing folder nor "
            "a hub id (owner/name): fix the name, or give cold_start_base_url for a served model"
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
    if config.train_flops_budget is not None:
        planned = plan_budget(stages, config, sizes or ModelSizes())
        check_budget(planned, stages, config.train_flops_budget)
        comparison = stages[-1]
        routes = [{**spec, "planned_flops": planned[spec["route"]]["planned"]} for spec in comparison.config["routes"]]
        stages[-1] = dataclasses.replace(comparison, config={**comparison.config, "routes": routes})
    return stages, Path(config.folder(recipe))


def _loadable(name: str) -> bool:
    return name in CATALOGUE or Path(name).is_dir() or ("/" in name and not name.startswith((".", "/")))


def run_recipe(
    recipe: str, config: RecipeConfig, *, log: Callable[[str], None] = print, sizes: ModelSizes | None = None
) -> dict:
    """Run a recipe as configured (resuming a killed run of the same command); return the final stage's record."""
    stages, root = prepare(recipe, config, sizes)
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
    estimates = {stage.name: estimate(stage, config) for stage in stages}
    records = run_stages(
        stages,
        root,
        KINDS,
        log=log,
        device=config.device,
        estimates=estimates,
        workers=config.workers,
        threads=config.num_threads,
    )
    for name in records:  # the whole recipe's tokens and FLOPs: every stage's, those done by an earlier run included
        stage_record = root / name / "run.json"
        if stage_record.is_file():
            done = json.loads(stage_record.read_text())
            tokens = done.get("tokens") or {}
            record.add_tokens(tokens.get("prompt", 0), tokens.get("completion", 0), tokens.get("training", 0))
            record.add_flops(done.get("flops_estimate") or 0.0)
    record.finish(
        recipe=recipe,
        stages={name: {"kind": r["kind"], "key": r["key"], "wall_s": r.get("wall_s")} for name, r in records.items()},
        session_wall_s=round(time.perf_counter() - started, 3),
    )
    return records[stages[-1].name]
