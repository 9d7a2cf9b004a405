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

The math (aggregation, voting, selection) is in `core`, pure; `compute_optimal` holds Snell et al.'s
difficulty-binned strategy selection; `sweep` runs `reasoncraft scale`.
"""

from .base import Candidate, Outcome, Solved, Strategy, Usage, timed_solve
from .beam_search import BeamSearch
from .budget_forcing import BudgetForcing
from .dvts import DVTS
from .sampling import BestOfN, ChainOfThought, Direct, Greedy, SampleThenSelect, SelfConsistency

STRATEGIES: dict[str, type] = {
    "direct": Direct,
    "cot": ChainOfThought,
    "greedy": Greedy,
    "majority": SelfConsistency,
    "best-of-n": BestOfN,
    "beam": BeamSearch,
    "dvts": DVTS,
    "budget": BudgetForcing,
}


def get_strategy(name: str) -> type:
    """The strategy class registered as `name`."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown scaling strategy {name!r}: use one of {', '.join(STRATEGIES)}") from None


__all__ = [
    "STRATEGIES", "get_strategy", "Candidate", "Outcome", "Solved", "Strategy", "Usage", "timed_solve",
    "Direct", "ChainOfThought", "Greedy", "SelfConsistency", "BestOfN", "SampleThenSelect",
    "BeamSearch", "DVTS", "BudgetForcing",
]
