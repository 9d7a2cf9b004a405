"""benchmarks/grpo_vs_trl.py's step split: generation and the rest of each step, pooled and summarised
as the benchmark does (pure functions; no model, no TRL)."""

from __future__ import annotations

import doctest
import importlib.util
import statistics
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCHMARKS))  # the script imports its sibling `common`
    try:
        spec = importlib.util.spec_from_file_location("grpo_vs_trl", BENCHMARKS / "grpo_vs_trl.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCHMARKS))


def _run(times, generation_times, tokens):
    return {
        "step_times": times,
        "generation_times": generation_times,
        "completion_tokens": tokens,
        "peak_mem_mb": 100.0,
        "fixed_batch": {"loss": 0.1, "grad_norm": 1.0},
    }


def test_doctests(bench):
    failures, tried = doctest.testmod(bench)
    assert tried >= 2 and failures == 0


def test_split_is_of_the_reported_steps_after_warm_up(bench):
    runs = [_run([50.0, 10.0, 12.0], [40.0, 6.0, 9.0], [80, 400, 600]), _run([60.0, 11.0], [45.0, 5.0], [80, 500])]
    arm = bench.summarise(bench.pool(runs))
    times, gens, tokens = [10.0, 12.0, 11.0], [6.0, 9.0, 5.0], [400, 600, 500]  # warm-up steps dropped
    assert arm["s_per_step"]["median"] == statistics.median(times)
    split = arm["split"]
    # against a plain loop over the same steps
    rest = []
    for t, g in zip(times, gens):
        rest.append(t - g)
    assert split["generation"]["s_per_step"] == statistics.median(gens)
    assert split["rest"]["s_per_step"] == statistics.median(rest)
    assert split["generation"]["s_per_1k_tokens"] == pytest.approx(
        statistics.median([1000 * g / n for g, n in zip(gens, tokens)])
    )
    assert split["rest"]["s_per_1k_tokens"] == pytest.approx(
        statistics.median([1000 * r / n for r, n in zip(rest, tokens)])
    )
    assert split["generation_share"] == pytest.approx(statistics.median([g / t for t, g in zip(times, gens)]))


def test_one_step_after_warm_up_is_enough(bench):
    """The memory-only run (--steps 2 --rounds 1) still reports a split, of its one measured step."""
    arm = bench.summarise(bench.pool([_run([30.0, 20.0], [25.0, 15.0], [8000, 8192])]))
    assert arm["split"]["generation"]["s_per_step"] == 15.0
    assert arm["split"]["rest"]["s_per_step"] == 5.0
    assert arm["split"]["generation_share"] == 0.75


def test_split_speedup_is_trl_over_ours_per_part(bench):
    ours = bench.step_split([10.0], [8.0], [1000])
    trl = bench.step_split([12.0], [6.0], [1000])
    assert bench.split_speedup(ours, trl) == {"generation": 6.0 / 8.0, "rest": 6.0 / 2.0}


@pytest.mark.parametrize(
    ("times", "generation_times", "tokens"),
    [([10.0, 11.0], [5.0], [100, 100]), ([10.0], [5.0, 1.0], [100]), ([10.0], [10.5], [100]), ([10.0], [-0.1], [100])],
)
def test_a_split_that_does_not_fit_its_steps_is_an_error(bench, times, generation_times, tokens):
    with pytest.raises(ValueError):
        bench.step_split(times, generation_times, tokens)
