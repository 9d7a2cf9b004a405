"""Route 1, inference-time scaling: the base model, unchanged, given more compute per problem.

Stages per seed: the sweep (`reasoncraft scale`: greedy, majority vote, weighted best-of-N with the rule
verifier, which never sees the gold answer; budget forcing where the preset lists it), budgets 1, 2, 4, ... N;
then an evaluation with N samples per problem at the same temperature (the same completions, through the
shared cache), whose majority vote (maj@N) is the route's row in the comparison and whose pass@k / maj@k
curves are recomputable from samples.jsonl.

With `scaling_prm: true`, a process reward model of the route's own (`recipes.prm`): step labels on the task's
train split, PRM training, and a second sweep scored by it, whose PRM-weighted best-of-N is a row of its own in
the comparison, beside majority vote, paying for its labels and training.
"""

from __future__ import annotations

from .common import evaluation
from .prm import prm_stages
from .settings import RecipeConfig
from .stages import Stage


def stages(c: RecipeConfig, seed: int) -> tuple[list[Stage], dict]:
    """The route's stages for one seed, and what the comparison reads of them."""
    sweep = Stage(
        f"scaling/seed{seed}/sweep",
        "scale",
        {
            "model": c.model,
            "task": c.task,
            "strategies": list(c.scaling_strategies),
            "max_n": c.scaling_max_n,
            "limit": c.problems,
            "template": c.template,
            "temperature": c.scaling_temperature,
            "max_new_tokens": c.max_new_tokens,
            "scorer": c.scaling_scorer,
            "seed": seed,
            "batch": c.batch_problems,
        },
        about=f"sweep {', '.join(c.scaling_strategies)} at n = 1..{c.scaling_max_n}",
    )
    sampled = evaluation(c, f"scaling/seed{seed}/eval", samples=c.scaling_max_n, seed=seed)
    if not c.scaling_prm:
        return [sweep, sampled], {"eval": sampled.name, "sweep": sweep.name}
    prm = prm_stages(c, seed, sweep)
    return [sweep, sampled, *prm], {"eval": sampled.name, "sweep": sweep.name, "prm_sweep": prm[-1].name}
