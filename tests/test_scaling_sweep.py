"""`reasoncraft scale` end to end on a scripted policy: outputs, the shared cache, resuming, compute-optimal."""

from __future__ import annotations

import json
import re

import pytest

from helpers import ScriptedBackend, seeded_unit
from reasoncraft.scaling.sweep import ScaleConfig, run_scale


def noisy_adder(prompt, i, seed):
    """Adds the question's numbers, right about 60% of the time; continues a written sum with its answer."""
    written = re.findall(r"= (\d+)\n\n", prompt)
    if written:
        return f"Answer: {written[-1]}<eos>"
    a, b = map(int, re.search(r"What is (\d+) \+ (\d+)", prompt).groups())
    u = seeded_unit(seed, prompt, i)
    total = a + b + (0 if u < 0.6 else (1 if u < 0.8 else 10))
    return f"{a} + {b} = {total}\n\nAnswer: {total}<eos>"


def config(tmp_path, **kw):
    base = dict(
        strategies=("greedy", "direct", "majority", "best-of-n", "beam", "dvts", "budget"),
        max_n=4,
        limit=6,
        dev_limit=6,
        beam_width=2,
        max_steps=3,
        out_dir=str(tmp_path / "run"),
        cache_dir=str(tmp_path / "cache"),
    )
    base.update(kw)
    return ScaleConfig(**base)


def test_scale_writes_table_plot_record_and_compute_optimal(tmp_path):
    summary = run_scale(config(tmp_path), backend=ScriptedBackend(noisy_adder))
    out = tmp_path / "run"
    assert (out / "scale.png").stat().st_size > 1000
    assert "| majority | 4 |" in (out / "table.md").read_text()
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "scale" and record["tokens"]["completion"] > 0
    rows = {(r["strategy"], r["n"]): r for r in summary["rows"]}
    assert {n for s, n in rows if s == "majority"} == {1, 2, 4}
    assert {n for s, n in rows if s == "beam"} == {2, 4} and ("greedy", 1) in rows and ("greedy", 2) not in rows
    assert rows[("majority", 4)]["completion_tokens"] == pytest.approx(
        4 * rows[("majority", 1)]["completion_tokens"], rel=0.3
    )
    assert rows[("beam", 2)]["scorer_tokens"] == 0  # the rule verifier reads no tokens
    optimal = summary["compute_optimal"]
    assert len(optimal["points"]) == 3 and optimal["baseline"] == "best-of-n"
    assert all(set(c.values()) <= summary_strategies(summary) for c in optimal["choices"].values())
    assert set(optimal["choices"][2].values()) <= {
        "majority",
        "best-of-n",
        "beam",
        "dvts",
        "budget",
    }  # no greedy at n=2
    assert optimal["difficulty"] == "verifier" and optimal["pilot_tokens"] > 0
    assert sum(optimal["dev_bin_sizes"]) == 6 and min(optimal["dev_bin_sizes"]) >= 1
    assert optimal["bins_effective"] == len(optimal["dev_bin_sizes"]) == len(optimal["edges"]) + 1
    # Pilots are reused by the pooled strategies: majority at n <= pilot costs exactly the pilots.
    point = dict(zip(optimal["choices"], optimal["points"]))
    assert point[4][0] >= optimal["pilot_tokens"] - 1e-9


def test_oracle_best_of_n_equals_coverage(tmp_path):
    from reasoncraft.scaling.sweep import Sweep

    cfg = config(tmp_path, strategies=("best-of-n",), scorer="oracle", dev_limit=0)
    backend = ScriptedBackend(noisy_adder)
    summary = run_scale(cfg, backend=backend)
    sweep = Sweep(cfg, backend)
    pool = sweep.pool("test", sweep.task.problems("test", limit=6))  # from the cache: nothing new is drawn
    best = {r["n"]: r["accuracy"] for r in summary["rows"]}
    for n in (1, 2, 4):
        coverage = sum(any(s.correct for s in samples[:n]) for samples in pool.values()) / len(pool)
        assert best[n] == pytest.approx(coverage)  # a perfect verifier finds a right sample whenever one exists
    assert best[1] < best[4]


def test_scale_resumes_and_shares_samples_across_budgets(tmp_path):
    backend = ScriptedBackend(noisy_adder)
    run_scale(config(tmp_path, strategies=("majority",), limit=3, dev_limit=0), backend=backend)
    first_calls = len(backend.calls)
    assert all(s.n == 4 for _, s in backend.calls)  # one draw of N serves n = 1, 2, 4
    run_scale(config(tmp_path, strategies=("majority",), limit=6, dev_limit=0), backend=backend)
    new_prompts = [p for prompts, _ in backend.calls[first_calls:] for p in prompts]
    assert len(new_prompts) == 3  # only the three new problems were sampled
    calls = len(backend.calls)
    run_scale(config(tmp_path, strategies=("majority",), limit=6, dev_limit=0), backend=backend)
    assert len(backend.calls) == calls  # a rerun generates nothing


def test_scale_config_is_validated():
    with pytest.raises(ValueError, match="power of two"):
        ScaleConfig(max_n=6)
    with pytest.raises(ValueError, match="unknown strategies"):
        ScaleConfig(strategies=("magic",))
    with pytest.raises(ValueError, match="gold answers"):
        ScaleConfig(scorer="oracle", difficulty="verifier")
    assert ScaleConfig(scorer="oracle").difficulty_measure == "agreement"


def summary_strategies(summary):
    return {r["strategy"] for r in summary["rows"]}
