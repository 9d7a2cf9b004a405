"""`compare`: every route on one base model, one task and the same held-out problems, then one comparison.

The plan is the base model's evaluation, each route's stages for each seed (a stage two routes share, such
as r1-zero's GRPO that r1's cold start samples from, is one stage and runs once), and the comparison stage
(`recipes.comparison`: comparison.json, table.md, comparison.png). `reasoncraft run ROUTE` is the same plan
with one route: the route against the base model. With `scaling_prm`, the scaling route gives a second row, its
PRM-weighted best-of-N (`recipes.prm`), whose training compute is the PRM's labels and training.
"""

from __future__ import annotations

from . import distill, r1, r1_zero, scaling
from .common import BASE_EVAL, evaluation
from .prm import PICK
from .settings import RecipeConfig
from .stages import Stage, dependencies

ROUTE_STAGES = {"scaling": scaling.stages, "r1-zero": r1_zero.stages, "r1": r1.stages, "distill": distill.stages}
LABELS = {
    "scaling": "scaling (maj@{n})",
    "r1-zero": "r1-zero (GRPO)",
    "r1": "r1 (4 stages)",
    "distill": "distill (SFT)",
    "scaling-prm": "scaling (PRM-weighted bo@{n})",
}


def plan(recipe: str, c: RecipeConfig) -> list[Stage]:
    """Every stage of `recipe` (a route or compare) in an order where each input comes first."""
    routes = list(c.routes) if recipe == "compare" else [recipe]
    stages: dict[str, Stage] = {}
    base = evaluation(c, BASE_EVAL)
    stages[base.name] = base
    specs = [
        {"route": "base", "label": f"base ({c.model})", "budget": "greedy", "seeds": [{"eval": base.name, "train": []}]}
    ]
    for route in routes:
        spec = {"route": route, "label": LABELS[route].format(n=c.scaling_max_n), "seeds": []}
        spec["budget"] = f"maj@{c.scaling_max_n}" if route == "scaling" else "greedy"
        if route == "scaling":
            spec["vote"] = c.scaling_max_n
        for seed in c.seeds:
            chain, reads = ROUTE_STAGES[route](c, seed)
            for stage in chain:
                stages.setdefault(stage.name, stage)
            spec["seeds"].append(reads)
        specs.append(spec)
        if route == "scaling" and c.scaling_prm:
            specs.append(prm_spec(c, spec))
    ordered = list(stages.values())
    for spec in specs:  # the training compute of a row: every training stage its evaluation (or pick) depends on
        for reads in spec["seeds"]:
            needs = set(dependencies(ordered, reads["eval"]))
            needs |= set(dependencies(ordered, reads["sweep"])) if "pick" in spec else set()
            reads["train"] = [s.name for s in ordered if s.name in needs and s.trains]
    config = {
        "recipe": recipe,
        "preset": c.preset or "quick",
        "base_model": c.model,
        "task": c.task,
        "split": "test",
        "seeds": list(c.seeds),
        "train_flops_budget": c.train_flops_budget,
        "routes": specs,
    }
    inputs = {s.name: s.name for s in ordered}  # every stage: a change anywhere redoes the comparison
    ordered.append(Stage("comparison", "compare", config, inputs, about="comparison.json, table.md, comparison.png"))
    return ordered


def prm_spec(c: RecipeConfig, scaling: dict) -> dict:
    """The scaling route's PRM row: the PRM sweep's weighted vote at N, over the route's own samples."""
    seeds = [{"eval": reads["eval"], "sweep": reads.pop("prm_sweep")} for reads in scaling["seeds"]]
    return {
        "route": "scaling-prm",
        "label": LABELS["scaling-prm"].format(n=c.scaling_max_n),
        "budget": f"prm-weighted@{c.scaling_max_n}",
        "pick": {"strategy": PICK, "n": c.scaling_max_n},
        "seeds": seeds,
    }
