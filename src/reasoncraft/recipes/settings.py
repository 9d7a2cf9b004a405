"""The configuration of `reasoncraft run`: one dataclass for every route, loaded by `reasoncraft.config`.

Every route reads the same settings (one base model, one task, one set of held-out problems, one
evaluation), so that `compare` runs them side by side on equal terms; each route reads only the
fields it needs. Presets set several fields at once; what a user states (file or `key=value`) wins
over the preset, the preset over the defaults (as `reasoncraft eval`'s presets).

Presets:

- `quick`: the embedded default model on the CPU, 2-digit sums, 200 held-out problems, one seed, scaling
  budgets up to 8, r1-zero = the GRPO quickstart (configs/r1_zero_quickstart.yaml), r1's later RL stages 8
  steps. Why sums and not Countdown-3: on the default model sums separate the routes within minutes (greedy
  strict accuracy 0.045 before RL and 0.50-0.63 after the 24-step quickstart, benchmarks/RESULTS.md), while
  Countdown-3 needs ~512-token traces (ten times the generation) and the base model scores 0.000 on it, so
  RL from the base and a cold start sampled from it have nothing to learn from in a CPU budget.
- `full`: `quick` with three seeds (0, 1, 2).
- `gpu-qwen2.5-0.5b`, `gpu-qwen2.5-1.5b`: Qwen2.5 base models by hub id on Countdown-3 (TinyZero's
  setting, think/answer format), longer completions, more steps. `gpu-qwen2.5-0.5b-math`, `gpu-qwen2.5-1.5b-math`:
  the same on MATH (train on MATH's training problems, evaluate on MATH-500; the data is the user's, named by
  configs/recipes/math/task.yaml), distilled from Qwen2.5-Math-7B-Instruct. Validated by tests (they load, sizes
  derive, stages chain, the routes fit the ceiling); not run here (no GPU in this project's sessions).

Every preset holds r1-zero, r1 and distill to one ceiling of training FLOPs per seed (`train_flops_budget`,
`recipes.budget`): quick and full 1e14; on Countdown the 0.5B preset 2e17, the 1.5B 6e17; on MATH 3e17 and 9e17.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError, need
from ..config import help_field as _h
from ..rewards import get_reward
from .task_defaults import task_defaults

ROUTES = ("scaling", "r1-zero", "r1", "distill")
BUDGETED = ("r1-zero", "r1", "distill")  # held to train_flops_budget (scaling trains nothing, or its own PRM)
RECIPES = (*ROUTES, "compare")
AGGREGATIONS = ("last", "min", "prod")  # of a PRM's step scores (scaling.ScaleConfig.aggregation)
SOLVER_TEACHERS = {"arith-sum-": "column-addition", "countdown-": "countdown-dfs-shortcut"}

_QUICK: dict[str, Any] = {}  # the defaults are the quick preset
PRESETS: dict[str, dict[str, Any]] = {
    "quick": _QUICK,
    "full": {"seeds": [0, 1, 2]},
    "gpu-qwen2.5-0.5b": {
        "model": "Qwen/Qwen2.5-0.5B",
        "task": "countdown-3",
        "template": "r1-zero",
        "problems": 500,
        "seeds": [0, 1, 2],
        "max_new_tokens": 1024,
        "scaling_max_n": 16,
        "scaling_strategies": ["majority", "weighted-best-of-n", "budget"],
        "rl_rewards": ["countdown", "format"],
        "rl_reward_weights": [1.0, 0.5],
        "rl_steps": 200,
        "rl_batch_size": 64,
        "rl_num_generations": 8,
        "rl_micro_batch_size": 16,
        "rl_temperature": 1.0,
        "rl_learning_rate": 1e-6,
        "r1_rl_steps": 100,
        "final_rl_steps": 100,
        "cold_start_problems": 2000,
        "sft_gradient_accumulation_steps": 8,
        "rejection_problems": 2000,
        "data_layout": "r1",
        "distill_problems": 2000,
        "sft_max_steps": 200,
        "sft_learning_rate": 1e-5,
        "sft_max_seq_length": 1280,
        "num_threads": 0,
        "workers": 1,  # one GPU: one stage at a time
        "device": "cuda",
    },
}
PRESETS["gpu-qwen2.5-0.5b"]["train_flops_budget"] = 2e17
PRESETS["gpu-qwen2.5-1.5b"] = {**PRESETS["gpu-qwen2.5-0.5b"], "model": "Qwen/Qwen2.5-1.5B", "train_flops_budget": 6e17}
# MATH-level: MATH's training problems, MATH-500 held out (configs/recipes/math/task.yaml names the two files, which
# the user provides); no solver, so the distill teacher is a stronger model (its generation counts toward the budget).
_MATH = {
    "task": "configs/recipes/math/task.yaml",
    "rl_rewards": ["accuracy", "format"],
    "teacher": "Qwen/Qwen2.5-Math-7B-Instruct",
    "sft_max_seq_length": 2048,  # a long MATH prompt plus a 1024-token trace
}
# MATH's prompts run to hundreds of tokens (Countdown's to tens), so its ceilings are 1.5 times Countdown's.
PRESETS["gpu-qwen2.5-0.5b-math"] = {**PRESETS["gpu-qwen2.5-0.5b"], **_MATH, "train_flops_budget": 3e17}
PRESETS["gpu-qwen2.5-1.5b-math"] = {**PRESETS["gpu-qwen2.5-1.5b"], **_MATH, "train_flops_budget": 9e17}
# What each GPU preset needs (not run here): stated beside the preset, printed with the plan. Estimates, not measured.
HARDWARE = {
    "gpu-qwen2.5-0.5b": "one GPU with >= 24 GB (an A10G or better); roughly 3-5 hours per seed for all routes",
    "gpu-qwen2.5-1.5b": "one GPU with >= 40 GB (an A100 or H100); roughly 8-12 hours per seed for all routes",
    "gpu-qwen2.5-0.5b-math": "one GPU with >= 40 GB (the 7B teacher samples in bf16); roughly 4-7 hours per seed",
    "gpu-qwen2.5-1.5b-math": "one GPU with >= 80 GB (an A100 or H100 80 GB); roughly 10-16 hours per seed",
}
QUICK_TRAIN_FLOPS = 1e14  # quick's routes are planned at <= 8.9e13 (r1), measured 7.5e13 (docs/recipes.md)


@dataclass
class RecipeConfig:
    """Every setting of `reasoncraft run`; the defaults are the `quick` preset."""

    # the comparison's common ground
    model: str = _h("Base model: catalogue name, local folder or hub id.", "smollm2-135m")
    task: str = _h("Task (reasoncraft.tasks): arith-sum-2d, countdown-3, ...", "arith-sum-2d")
    template: str = _h("Prompt template every route trains and is evaluated with (reasoncraft.prompts).", "arithmetic")
    problems: int = _h("Held-out test problems every route is evaluated on (the same ones).", 200)
    seeds: list[int] = _h("Seeds of the trained routes (mean and spread over them).", factory=lambda: [0])
    max_new_tokens: int = _h("Token limit of an evaluated or sampled completion.", 48)
    routes: list[str] = _h("Routes `compare` runs: any of " + ", ".join(ROUTES) + ".", factory=lambda: list(ROUTES))
    preset: str | None = _h("A preset: " + ", ".join(PRESETS) + " (default quick); stated keys win.", None)
    train_flops_budget: float | None = _h(
        "Ceiling of training FLOPs per seed, the same for r1-zero, r1 and distill (teacher generation and the r1-zero "
        "stage r1 builds on count toward it). Each route's stages are bounded from the models' sizes before any "
        "compute; a route that does not fit stops the plan, naming what to lower (None: no ceiling).",
        QUICK_TRAIN_FLOPS,
    )
    # scaling (inference-time route)
    scaling_strategies: list[str] = _h(
        "Strategies of the scaling route (reasoncraft scale names); the greedy point is the base model's row.",
        factory=lambda: ["majority", "weighted-best-of-n"],
    )
    scaling_max_n: int = _h("Largest budget N of the scaling route (budgets 1, 2, 4, ... N).", 8)
    scaling_temperature: float = _h("Sampling temperature of the scaling route.", 0.7)
    scaling_scorer: str = _h("Verifier of best-of-N: rules (never sees the gold answer) or a reward model.", "rules")
    # the scaling route's own PRM (recipes.prm): off by default, so the presets and their stages do not change
    scaling_prm: bool = _h(
        "Train a process reward model on the task's train split (Monte Carlo step labels from the base model, then "
        "`train prm`) and add a sweep that scores with it: PRM-weighted best-of-N, and beam search or DVTS where "
        "scaling_strategies lists them. Its labelling and training count as the scaling route's training compute.",
        False,
    )
    prm_problems: int = _h("Train problems the step labels are made on (the first ones of the train split).", 128)
    prm_solutions: int = _h("Solutions the base model samples per labelled problem.", 4)
    prm_rollouts: int = _h("K: rollouts from each step prefix (a step's soft label: the share reaching the answer).", 4)
    prm_max_steps: int = _h("Steps labelled per solution at most (later prefixes are not rolled out).", 4)
    prm_label_reward: str | None = _h(
        "Reward that scores the rollouts (a reasoncraft.rewards name); None: the task's own. lenient_accuracy (the "
        "last number) made the measured PRM on sums (benchmarks/prm.py); a strict reward made one worse than chance.",
        None,
    )
    prm_label_kind: str = _h("PRM targets: soft (the share of rollouts reaching the answer) or hard (any do).", "soft")
    prm_epochs: float = _h("Passes of PRM training over the labelled solutions.", 2.0)
    prm_batch_size: int = _h("Labelled solutions per PRM optimizer step (in micro-batches of up to 8).", 16)
    prm_learning_rate: float = _h("PRM learning rate (cosine schedule).", 5e-5)
    prm_lora_r: int = _h("LoRA rank of PRM training (0: full fine-tuning, as measured).", 0)
    prm_aggregation: str = _h("How a solution's step scores become one score: last, min or prod.", "last")
    # RL (r1-zero, and r1's RL stages)
    rl_rewards: list[str] = _h(
        "Rewards of r1-zero (accuracy and format; the quick preset: strict and lenient accuracy, as the quickstart).",
        factory=lambda: ["accuracy", "gsm8k_accuracy"],
    )
    rl_reward_weights: list[float] | None = _h("One weight per reward of rl_rewards.", factory=lambda: [1.0, 0.5])
    rl_steps: int = _h("GRPO steps of r1-zero.", 24)
    rl_batch_size: int = _h("Completions per GRPO step.", 16)
    rl_num_generations: int = _h("G: completions per prompt.", 8)
    rl_micro_batch_size: int = _h("Completions per forward/backward pass.", 16)
    rl_temperature: float = _h("Rollout temperature.", 0.7)
    rl_learning_rate: float = _h("GRPO learning rate.", 2e-5)
    # r1
    cold_start_teacher: str = _h(
        "Who writes r1's cold-start data: r1-zero (the r1-zero route's model), solver (the task's own, as distill's "
        "teacher=solver) or a model name/folder/hub id.",
        "r1-zero",
    )
    cold_start_base_url: str | None = _h("OpenAI-compatible server of a cold-start teacher (vLLM, hosted).", None)
    cold_start_problems: int = _h("Train problems sampled for the cold-start data.", 64)
    cold_start_k: int = _h("Samples per cold-start problem.", 4)
    language_reward_weight: float = _h("Weight of the language-consistency reward in r1's RL stages.", 0.5)
    r1_rl_steps: int = _h("GRPO steps of r1's reasoning RL after the cold start.", 8)
    rejection_problems: int = _h("Train problems of r1's rejection sampling.", 64)
    rejection_k: int = _h("Samples per problem in rejection sampling.", 4)
    general_share: float = _h(
        "Share of non-reasoning examples in r1's second SFT (replies of the base model to the shipped general "
        "prompts); R1 mixed ~200K of ~800K, 0.25.",
        0.25,
    )
    final_rl_steps: int = _h("GRPO steps of r1's final RL stage.", 8)
    data_layout: str = _h(
        "Layout sampled data must have to be kept: answer (an Answer: line), r1 (think/answer), boxed or none "
        "(default: what the template asks for, see recipes/task_defaults.py).",
        "answer",
    )
    min_sft_examples: int = _h("Fewest SFT examples a data stage must produce for the SFT after it.", 8)
    sample_temperature: float = _h("Temperature of cold-start and rejection sampling.", 0.7)
    # distill
    teacher: str = _h(
        "Teacher of the distill route: solver (the task's own: column addition for sums, depth-first search for "
        "Countdown), a model name/folder/hub id, or with teacher_base_url the served model's name.",
        "solver",
    )
    teacher_base_url: str | None = _h("OpenAI-compatible server of the distill teacher.", None)
    distill_problems: int = _h("Train problems the teacher solves for the distill route.", 256)
    # SFT (distill and r1's two SFT stages)
    sft_max_steps: int = _h("Optimizer steps of each SFT stage.", 30)
    sft_learning_rate: float = _h("SFT learning rate.", 5e-5)
    sft_gradient_accumulation_steps: int = _h("Rows per SFT optimizer step.", 1)
    sft_max_seq_length: int = _h("Longest SFT example in tokens.", 256)
    # mechanics
    num_threads: int = _h("torch CPU threads of each stage (1 is fastest on a shared 2-core machine).", 1)
    workers: int = _h(
        "Stages that do not depend on each other run at the same time, up to this many, each in its own process "
        "(1: one after another, in this process). On a 2-core CPU: 2 workers of 1 thread each.",
        2,
    )
    device: str | None = _h("cpu or cuda (default: cuda when present).", None)
    batch_problems: int = _h("Problems per generation batch.", 32)
    out_dir: str | None = _h("Recipe folder (default: runs/<recipe>-<preset>).", None)

    def __post_init__(self) -> None:
        unknown = [r for r in self.routes if r not in ROUTES]
        need(not unknown, f"routes: unknown route(s) {unknown}: use any of {', '.join(ROUTES)}")
        need(bool(self.routes), "routes is empty: name at least one of " + ", ".join(ROUTES))
        need(bool(self.seeds), "seeds is empty: give at least one seed, e.g. seeds=[0]")
        need(
            self.preset is None or self.preset in PRESETS,
            f"preset: unknown {self.preset!r}: use one of {', '.join(PRESETS)}",
        )
        for name in (
            "problems",
            "max_new_tokens",
            "rl_steps",
            "r1_rl_steps",
            "final_rl_steps",
            "sft_max_steps",
            "cold_start_problems",
            "rejection_problems",
            "distill_problems",
            "cold_start_k",
            "rejection_k",
        ):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        need(0 <= self.general_share < 1, f"general_share must be in [0, 1): got {self.general_share}")
        need(
            self.train_flops_budget is None or self.train_flops_budget > 0,
            f"train_flops_budget must be > 0, or null for no ceiling: got {self.train_flops_budget}",
        )
        need(self.workers >= 1, f"workers must be >= 1 (1: stages one after another): got {self.workers}")
        need(self.min_sft_examples >= 1, f"min_sft_examples must be >= 1: got {self.min_sft_examples}")
        need(
            self.data_layout in ("answer", "r1", "boxed", "none"),
            f"data_layout must be answer, r1, boxed or none: got {self.data_layout!r}",
        )
        need(
            self.scaling_max_n >= 1 and not self.scaling_max_n & (self.scaling_max_n - 1),
            f"scaling_max_n must be a power of two (budgets 1, 2, 4, ... N): got {self.scaling_max_n}",
        )
        if self.rl_reward_weights is not None:
            need(
                len(self.rl_reward_weights) == len(self.rl_rewards),
                f"rl_reward_weights needs one weight per reward of rl_rewards: got {len(self.rl_reward_weights)} "
                f"for {len(self.rl_rewards)}",
            )
        self._check_prm()

    def _check_prm(self) -> None:
        """The prm_* keys, checked whether or not scaling_prm is on (a bad value is a mistake either way)."""
        for name in ("prm_problems", "prm_solutions", "prm_rollouts", "prm_max_steps", "prm_batch_size"):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        need(self.prm_lora_r >= 0, f"prm_lora_r must be >= 0 (0: full fine-tuning): got {self.prm_lora_r}")
        need(self.prm_epochs > 0, f"prm_epochs must be > 0: got {self.prm_epochs}")
        need(self.prm_learning_rate > 0, f"prm_learning_rate must be > 0: got {self.prm_learning_rate}")
        kind = self.prm_label_kind
        need(kind in ("soft", "hard"), f"prm_label_kind must be soft or hard: got {kind!r}")
        need(
            self.prm_aggregation in AGGREGATIONS,
            f"prm_aggregation must be one of {', '.join(AGGREGATIONS)}: got {self.prm_aggregation!r}",
        )
        if self.prm_label_reward is not None:
            try:
                get_reward(self.prm_label_reward)
            except (KeyError, ValueError) as exc:
                raise ConfigError(f"prm_label_reward: {exc.args[0]}; or null for the task's own reward") from None
        need(
            not self.scaling_prm or self.scaling_temperature > 0,
            "scaling_prm: step labels need different samples, so scaling_temperature must be > 0: got "
            f"{self.scaling_temperature}",
        )

    @property
    def solver(self) -> str | None:
        """The task's own solver's name, or None."""
        return next((name for prefix, name in SOLVER_TEACHERS.items() if self.task.startswith(prefix)), None)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> RecipeConfig:
        """The config from what a user stated, with the preset's values under it."""
        values = dict(values)
        preset = values.pop("preset", None)
        if preset is not None and preset not in PRESETS:
            raise ConfigError(f"preset: unknown {preset!r}: use one of {', '.join(PRESETS)}")
        stated = {**PRESETS.get(preset or "quick", {}), **values}
        return cls(preset=preset, **stated, **task_defaults(stated, cls.task))

    def folder(self, recipe: str) -> str:
        return self.out_dir or f"runs/{recipe}-{self.preset or 'quick'}"
