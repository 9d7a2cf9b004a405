"""Inference-time scaling: strategies that spend more decoding compute for better answers.

Each strategy is a small module over any `Backend` with `solve(backend, prompts, questions)`:

=================  ===========================================================================
`direct`           the answer alone, greedy (no reasoning: the cheapest baseline)
`cot`, `greedy`    one chain-of-thought sample at a temperature / decoded greedily
`majority`         self-consistency: n samples, majority vote by mathematical equivalence
`best-of-n`        n samples, the verifier's favourite (`weighted=True`: weighted best-of-N)
`beam`             PRM-guided step-level beam search (Snell et al. 2024; search-and-learn)
`dvts`             diverse verifier tree search (search-and-learn)
`budget`           s1 budget forcing: cap the thinking tokens, or append "Wait" k times
=================  ===========================================================================

The strategies are orchestration only: the math they wire (step splitting and score aggregation,
votes, top-k selection) is pure and lives in `reasoncraft.math` (`core` only keeps an old import path
for a few of those names). `compute_optimal` holds Snell et al.'s difficulty-binned strategy selection,
also as pure functions. `reasoncraft scale` is `sweep` (the run, `run_scale`), with its config in
`scale_config`, the compute-optimal curve over its results in `sweep_optimal`, and its table and plot
in `sweep_report`.
"""

from dataclasses import dataclass, field

from .base import Candidate, Outcome, Solved, Strategy, Usage, timed_solve
from .beam_search import BeamSearch
from .budget_forcing import BudgetForcing
from .dvts import DVTS
from .sampling import BestOfN, ChainOfThought, Direct, Greedy, SampleThenSelect, SelfConsistency


@dataclass(frozen=True)
class Registered:
    """A registered strategy: its class, fixed constructor options, and how a budget of n is spent on it.

    `spend` is "pooled" (picks among the first n of one shared draw of N samples per problem), "once"
    (one completion: budget 1 only) or "searched" (its own generation at each budget).
    """

    cls: type
    spend: str
    options: dict = field(default_factory=dict)


# The one strategy registry: `reasoncraft scale` (scaling/sweep.py) and library users both read it.
STRATEGIES: dict[str, Registered] = {
    "cot": Registered(ChainOfThought, "pooled"),
    "majority": Registered(SelfConsistency, "pooled"),
    "best-of-n": Registered(BestOfN, "pooled"),
    "weighted-best-of-n": Registered(BestOfN, "pooled", {"weighted": True}),
    "greedy": Registered(Greedy, "once"),
    "direct": Registered(Direct, "once"),
    "beam": Registered(BeamSearch, "searched"),
    "dvts": Registered(DVTS, "searched"),
    "budget": Registered(BudgetForcing, "searched"),
}
ALIASES = {"beam-search": "beam", "budget-forcing": "budget", "self-consistency": "majority"}


def strategy_name(name: str) -> str:
    """The registered name of `name` (aliases resolved), or a ValueError listing the known names."""
    resolved = ALIASES.get(name, name)
    if resolved not in STRATEGIES:
        raise ValueError(
            f"unknown scaling strategy {name!r}: use one of {', '.join(STRATEGIES)} (or {', '.join(ALIASES)})"
        )
    return resolved


def get_strategy(name: str) -> type:
    """The strategy class registered as `name` (or an alias of it)."""
    return STRATEGIES[strategy_name(name)].cls


def strategies_spent(spend: str) -> tuple[str, ...]:
    """The registered names whose budget is spent as `spend` ("pooled", "once" or "searched")."""
    return tuple(name for name, entry in STRATEGIES.items() if entry.spend == spend)


__all__ = [
    "STRATEGIES",
    "ALIASES",
    "Registered",
    "get_strategy",
    "strategy_name",
    "strategies_spent",
    "Candidate",
    "Outcome",
    "Solved",
    "Strategy",
    "Usage",
    "timed_solve",
    "Direct",
    "ChainOfThought",
    "Greedy",
    "SelfConsistency",
    "BestOfN",
    "SampleThenSelect",
    "BeamSearch",
    "DVTS",
    "BudgetForcing",
]
