"""The scaling route's own process reward model (issue #19): step labels on the train split, a PRM, a sweep with it.

Off unless `scaling_prm: true` (the presets leave it off, so their stages do not change). Three stages per seed,
each calling an existing engine (`recipes.kinds`):

1. `scaling/seed{s}/prm-labels` (kind `step-labels`: `data.step_labels.run_step_labels`): the base model samples
   `prm_solutions` solutions to each of the first `prm_problems` problems of the task's train split, at the
   scaling route's temperature and token limit and with the recipe's template (what the sweep samples, so the PRM
   learns the distribution it will score); each solution is split into steps on a blank line and K =
   `prm_rollouts` rollouts from each step prefix (at most `prm_max_steps - 1` per solution), scored by
   `prm_label_reward`, give Monte Carlo step labels (Math-Shepherd, Wang et al. 2024).
2. `scaling/seed{s}/prm-train` (kind `prm`: `train.prm.train_prm`): a two-way token head on the base model trained
   on those labels (`prm_label_kind`, LoRA with `prm_lora_r` > 0, else full); `model/` loads with
   `scorers.load_scorer`.
3. `scaling/seed{s}/sweep-prm` (kind `scale`: `scaling.sweep.run_scale`, the trained folder as its `scorer`):
   PRM-weighted best-of-N at the route's budgets (the comparison's PRM row reads it at N), plus best-of-n, beam
   and DVTS where `scaling_strategies` lists them. The pooled strategies pick among the very samples of the rules
   sweep and of the route's evaluation (one completion cache), so majority vote and the PRM rank the same draws.

Test problems never reach the labels or the PRM: the label stage's split is fixed to train (it is not a key),
training reads only those labels (its held-out share, `eval_fraction`, is train problems too), and a task's
splits are disjoint (built-in tasks put a problem in one split by a hash of its content, `tasks.base.split_of`;
a user task names one file per split). The dev split is not read.

Compute: label sampling (2N per token: each solution's prompt and completion, each rollout's prompt and
continuation) and PRM training (6N per trained token, its run record) are the PRM row's training compute;
the PRM's scoring tokens are inference compute, counted per test problem beside the policy's.
"""

from __future__ import annotations

import math

from ..scaling import ALIASES
from .settings import RecipeConfig
from .stages import Stage

PICK = "weighted-best-of-n"  # the PRM row of the comparison: the PRM-weighted vote at the route's largest budget
SCORED = ("best-of-n", PICK, "beam", "dvts")  # the sweep strategies that read a scorer


def prm_strategies(strategies: list[str]) -> list[str]:
    """The PRM sweep's strategies: the PRM-weighted vote, then each of `strategies` that reads a scorer.

    >>> prm_strategies(["majority", "beam-search", "weighted-best-of-n", "budget"])
    ['weighted-best-of-n', 'beam']
    """
    return list(dict.fromkeys([PICK, *(ALIASES.get(s, s) for s in strategies if ALIASES.get(s, s) in SCORED)]))


def micro_batch(batch_size: int) -> int:
    """Solutions per PRM forward/backward: the largest divisor of the batch up to 8 (benchmarks/prm.py used 8).

    >>> micro_batch(16), micro_batch(12), micro_batch(5)
    (8, 4, 1)
    """
    return math.gcd(batch_size, 8)


def prm_stages(c: RecipeConfig, seed: int, sweep: Stage) -> list[Stage]:
    """The PRM stages of one seed; `sweep` is the route's rules sweep, whose settings the PRM sweep keeps."""
    labels = Stage(
        f"scaling/seed{seed}/prm-labels",
        "step-labels",
        {
            "model": c.model,
            "task": c.task,
            "task_options": {"reward": c.prm_label_reward} if c.prm_label_reward else {},
            "template": c.template,
            "split": "train",
            "problems": c.prm_problems,
            "solutions": c.prm_solutions,
            "rollouts": c.prm_rollouts,
            "max_steps": c.prm_max_steps,
            "temperature": c.scaling_temperature,
            "max_new_tokens": c.max_new_tokens,
            "seed": seed,
            "batch_problems": c.batch_problems,
        },
        trains=True,
        about=f"step labels: {c.prm_problems} train problems x {c.prm_solutions} solutions x K={c.prm_rollouts} "
        f"rollouts, <= {c.prm_max_steps} steps, scored by {c.prm_label_reward or 'the task reward'}",
        sized_by="prm_problems, prm_solutions, prm_rollouts, prm_max_steps",
    )
    train = Stage(
        f"scaling/seed{seed}/prm-train",
        "prm",
        {
            "model": c.model,
            "label_kind": c.prm_label_kind,
            "epochs": c.prm_epochs,
            "batch_size": c.prm_batch_size,
            "micro_batch_size": micro_batch(c.prm_batch_size),
            "learning_rate": c.prm_learning_rate,
            "lora_r": c.prm_lora_r,
            "seed": seed,
            "num_threads": c.num_threads,
        },
        {"labels": labels.name},
        trains=True,
        about=f"PRM training ({'LoRA' if c.prm_lora_r else 'full'}, {c.prm_label_kind} labels, {c.prm_epochs:g} "
        "epochs)",
        sized_by="prm_problems, prm_solutions, prm_epochs",
    )
    config = {k: v for k, v in sweep.config.items() if k != "scorer"}  # the scorer is the trained folder (input)
    config.update(strategies=prm_strategies(c.scaling_strategies), aggregation=c.prm_aggregation)
    scored = Stage(
        f"scaling/seed{seed}/sweep-prm",
        "scale",
        config,
        {"scorer": train.name},
        about=f"sweep {', '.join(config['strategies'])} scored by the PRM at n = 1..{c.scaling_max_n}",
    )
    return [labels, train, scored]
