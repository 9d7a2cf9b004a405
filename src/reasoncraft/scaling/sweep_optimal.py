"""The compute-optimal curve of a `reasoncraft scale` run (Snell et al. 2024), from the sweep's results.

Pilot samples (the first `pilot` samples of the shared draw) estimate each problem's difficulty (a
label-free scorer's mean pilot score, or pilot agreement); both splits are charged for their pilot
tokens, less what a pooled strategy reuses as its own first samples; then the dev split picks a
strategy per difficulty bin and budget and the test split is scored with those picks. The selection
itself is pure and lives in `compute_optimal`; this module reads the sweep's per-problem rows and
pools into its tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import compute_optimal as co
from .base import default_equal, default_extract
from .scale_config import POOLED, ScaleConfig


def pilot_difficulty(
    pool: dict, problems: Sequence[Any], pilot: int, scorer: Any = None
) -> tuple[list[float], list[float], float]:
    """Per problem: difficulty from its first `pilot` samples, their tokens; and the scorer tokens the pilots cost.

    With `scorer` (a label-free outcome scorer), difficulty is 1 - its mean score of the pilots (Snell et
    al.'s model-predicted difficulty); without one, 1 - the share of pilots that agree with their majority.
    """
    extract, equal = default_extract(), default_equal()
    firsts = [pool[p.id][:pilot] for p in problems]
    if scorer is None:
        scores = [co.agreement_scores([extract(s.completion) for s in first], equal) for first in firsts]
        spent = 0.0
    else:
        before = scorer.usage.snapshot()
        flat = scorer.score(
            [p.question for p, first in zip(problems, firsts) for _ in first],
            [s.completion for first in firsts for s in first],
        )
        scores = [flat[i * pilot : (i + 1) * pilot] for i in range(len(problems))]
        spent = scorer.usage.since(before).tokens / max(len(problems), 1)
    tokens = [float(sum(s.completion_tokens for s in first)) for first in firsts]
    return co.difficulty_from_pilots(scores), tokens, spent


def reused_pilot_tokens(results: dict, pool: dict, problems: Sequence[Any], pilot: int) -> dict:
    """Tokens of the pilots each pooled strategy's count already holds: its first min(n, pilot) samples."""
    out: dict[str, dict[int, list[float]]] = {}
    for name, by_n in results.items():
        if name in POOLED:
            for n in by_n:
                out.setdefault(name, {})[n] = [
                    float(sum(s.completion_tokens for s in pool[p.id][: min(n, pilot)])) for p in problems
                ]
    return out


def compute_optimal_curve(
    config: ScaleConfig,
    dev: dict,
    test: dict,
    dev_pool: dict,
    test_pool: dict,
    dev_problems: Sequence[Any],
    test_problems: Sequence[Any],
    pilot_scorer: Any = None,
) -> dict:
    """Snell et al.'s selection: difficulty bins from pilot samples on dev, best strategy per bin and
    budget, applied on test.

    Both splits are charged for their pilots (less what pooled strategies reuse) before choosing, so
    ties on dev go to the strategy that is cheaper once the pilots are paid for.
    """

    def table(results: dict) -> dict:
        return {
            name: {n: [(r["correct"], float(r["completion_tokens"])) for r in rows] for n, rows in by_n.items()}
            for name, by_n in results.items()
        }

    dev_difficulty, dev_pilot_tokens, _ = pilot_difficulty(dev_pool, dev_problems, config.pilot, pilot_scorer)
    test_difficulty, test_pilot_tokens, scorer_tokens = pilot_difficulty(
        test_pool, test_problems, config.pilot, pilot_scorer
    )
    dev_t = co.charge_pilots(
        table(dev), dev_pilot_tokens, reused_pilot_tokens(dev, dev_pool, dev_problems, config.pilot)
    )
    test_plain = table(test)
    test_t = co.charge_pilots(
        test_plain, test_pilot_tokens, reused_pilot_tokens(test, test_pool, test_problems, config.pilot)
    )
    baseline_name = "best-of-n" if "best-of-n" in test_plain else "majority"
    curve = co.optimal_curve(
        dev_t,
        test_t,
        dev_difficulty,
        test_difficulty,
        config.budgets,
        config.bins,
        config.min_bin_size,
        test_plain.get(baseline_name),
    )
    # Against every fixed strategy too, not only the named baseline: a strong fixed one can beat the selection.
    savings_vs = {
        name: co.compute_savings(
            curve["points"], [(co.mean_tokens(r), co.accuracy(r)) for _, r in sorted(by_n.items())]
        )
        for name, by_n in test_plain.items()
    }
    return {
        "difficulty": "verifier" if pilot_scorer is not None else "agreement",
        "pilot": config.pilot,
        "pilot_tokens": co.mean_tokens([(True, t) for t in test_pilot_tokens]),
        "pilot_scorer_tokens": scorer_tokens,
        "baseline": baseline_name,
        **curve,
        "savings_vs": savings_vs,
    }
