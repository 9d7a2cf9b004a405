"""`ScaleConfig`: everything `reasoncraft scale` needs, typed and checked once (its fields are the CLI options).

The budget groups below say how each registered strategy spends a budget of n (the registry in
scaling/__init__.py is the one place that decides it); `sweep` draws, runs and charges by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import ModelLoadError, check_reward_model_name
from . import ALIASES, STRATEGIES, strategies_spent

# How each registered strategy spends a budget (the registry in scaling/__init__.py says it).
POOLED = strategies_spent("pooled")
SINGLE = strategies_spent("once")
SEARCHED = strategies_spent("searched")
KNOWN = tuple(STRATEGIES)


@dataclass
class ScaleConfig:
    """Everything `reasoncraft scale` needs; validated once here."""

    model: str = field(default="smollm2-135m", metadata={"help": "Catalogue name, .gguf, local folder or hub id."})
    task: str = field(default="arith-sum-2d", metadata={"help": "Task name (reasoncraft.tasks)."})
    task_options: dict = field(
        default_factory=dict,
        metadata={
            "help": "Keyword options of the task, e.g. max_target=50 (on the command line one key=value per "
            "--task-option).",
            "cli": ("--task-option",),
        },
    )
    data_path: str | None = field(
        default=None,
        metadata={
            "help": "Local data file of the task (JSONL, CSV, parquet): the same as --task-option data_path=FILE."
        },
    )
    strategies: tuple[str, ...] = field(
        default=("greedy", "majority", "best-of-n", "beam", "dvts"),
        metadata={
            "help": f"Any of {', '.join(KNOWN)} (or {', '.join(ALIASES)}); on the command line one per --strategy.",
            "cli": ("--strategy", "-s"),
        },
    )
    max_n: int = field(default=16, metadata={"help": "Largest budget N; budgets are 1, 2, 4, ... N."})
    limit: int = field(default=100, metadata={"help": "Test problems."})
    dev_limit: int = field(
        default=0, metadata={"help": "Dev problems for compute-optimal selection (0 = no compute-optimal curve)."}
    )
    template: str | None = field(default=None, metadata={"help": "Prompt template (default: the task's)."})
    temperature: float = field(default=0.7, metadata={"help": "Sampling temperature of the sampled strategies."})
    max_new_tokens: int = field(default=128, metadata={"help": "Token limit of one completion."})
    scorer: str = field(
        default="rules",
        metadata={
            "help": (
                "Verifier for best-of-n and search: rules (arithmetic step verifier), oracle (the task's "
                "own check), or a reward model: a name from models.REWARD_MODELS, a local folder or a hub "
                "id."
            )
        },
    )
    scorer_kind: str | None = field(
        default=None,
        metadata={
            "help": (
                "Adapter of a reward-model scorer: step-tag, classification or orm (default: from its "
                "catalogue entry or config)."
            )
        },
    )
    step_delimiter: str = field(
        default="\n\n",
        metadata={
            "help": (
                "Where one step ends, for search and for scoring steps (a blank line, as "
                "search-and-learn; escapes such as \\n on the command line)."
            ),
            "escapes": True,
        },
    )
    aggregation: str = field(default="last", metadata={"help": "Step-score aggregation: last, min or prod."})
    beam_width: int = field(default=4, metadata={"help": "M for beam search and DVTS."})
    max_steps: int = field(default=8, metadata={"help": "Search iterations of beam search and DVTS."})
    budget_unit: int = field(default=32, metadata={"help": "Budget forcing: thinking cap per unit of n."})
    pilot: int = field(default=4, metadata={"help": "Pilot samples per problem for difficulty (compute-optimal)."})
    difficulty: str = field(
        default="auto",
        metadata={
            "help": (
                "Pilot difficulty: verifier (1 - mean verifier score, Snell et al.), agreement (1 - share "
                "agreeing with the pilot majority), or auto (verifier unless the scorer is the oracle)."
            )
        },
    )
    bins: int = field(
        default=5, metadata={"help": "Difficulty bins requested (compute-optimal); ties can leave fewer."}
    )
    min_bin_size: int = field(
        default=10, metadata={"help": "A difficulty bin with fewer dev problems joins its smaller neighbour."}
    )
    seed: int = field(default=0, metadata={"help": "Sampling seed."})
    batch: int = field(default=16, metadata={"help": "Problems per batch (a killed run loses at most one batch)."})
    out_dir: str = field(
        default="runs/scale",
        metadata={
            "help": "Where results, cache, table, plot, run.json and config.yaml go.",
            "cli": ("--out", "--out-dir"),
        },
    )
    cache_dir: str | None = field(
        default=None, metadata={"help": "Completion cache shared with eval (default: the eval cache)."}
    )
    device: str | None = field(default=None, metadata={"help": "cpu or cuda (default: cuda when present)."})
    progress: bool = field(default=True, metadata={"help": "Show progress with ETA (on a terminal only)."})

    def __post_init__(self) -> None:
        self.task_options = dict(self.task_options or {})
        if self.data_path is not None:
            if self.task_options.get("data_path", self.data_path) != self.data_path:
                raise ValueError("--data-path and --task-option data_path=... name different files: give one")
            self.task_options["data_path"] = self.data_path
        self.strategies = tuple(dict.fromkeys(ALIASES.get(s, s) for s in self.strategies))
        unknown = [s for s in self.strategies if s not in KNOWN]
        if unknown:
            raise ValueError(f"unknown strategies {unknown}: use any of {', '.join(KNOWN)}")
        if self.max_n < 1 or self.max_n & (self.max_n - 1):
            raise ValueError(f"max_n must be a power of two (budgets 1, 2, 4, ... N): got {self.max_n}")
        if self.limit < 1:
            raise ValueError(f"limit must be >= 1 test problem: got {self.limit}")
        if self.scorer in ("rules", "oracle") and self.scorer_kind is not None:
            raise ValueError(
                f"scorer_kind applies to a reward-model scorer, not to {self.scorer!r}: drop it or name a reward model"
            )
        if self.scorer not in ("rules", "oracle"):
            try:
                check_reward_model_name(self.scorer, self.scorer_kind)
            except ModelLoadError as exc:
                raise ValueError(f"scorer must be rules, oracle or a reward model: {exc}") from None
        if not self.step_delimiter:
            raise ValueError("step_delimiter must be non-empty: e.g. a blank line '\\n\\n' or a newline '\\n'")
        if self.dev_limit and not 1 <= self.pilot <= self.max_n:
            raise ValueError(f"pilot samples must be between 1 and max_n={self.max_n}: got {self.pilot}")
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be >= 1: got {self.beam_width}")
        if self.difficulty not in ("auto", "verifier", "agreement"):
            raise ValueError(f"difficulty must be auto, verifier or agreement: got {self.difficulty!r}")
        if self.difficulty == "verifier" and self.scorer == "oracle":
            raise ValueError(
                "difficulty=verifier with scorer=oracle would read the gold answers of the test split: "
                "use difficulty=agreement (or auto), or a label-free scorer"
            )
        if self.bins < 1 or self.min_bin_size < 1:
            raise ValueError(f"bins and min_bin_size must be >= 1: got {self.bins} and {self.min_bin_size}")

    @property
    def difficulty_measure(self) -> str:
        """The difficulty measure in use (auto resolved)."""
        if self.difficulty != "auto":
            return self.difficulty
        return "agreement" if self.scorer == "oracle" else "verifier"

    @property
    def budgets(self) -> list[int]:
        return [2**i for i in range(self.max_n.bit_length())]
