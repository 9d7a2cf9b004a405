"""Search strategies in `reasoncraft scale`: beam search, DVTS and budget forcing give rows at several
budgets beside the sampling strategies, tokens counted; the step delimiter is configurable; a
reward model named by folder scores best-of-n and search (a tiny random PRM saved locally)."""

from __future__ import annotations

import re

import pytest

from helpers import ScriptedBackend, save_step_tag_prm, seeded_unit
from reasoncraft.scaling.sweep import ScaleConfig, run_scale


def newline_adder(prompt, i, seed):
    """Writes "a + b = s" then, on a new line (one newline, as the small model does), "Answer: s"."""
    written = re.findall(r"= (\d+)\n$", prompt)
    if written:
        return f"Answer: {written[-1]}<eos>"
    a, b = map(int, re.search(r"What is (\d+) \+ (\d+)", prompt).groups())
    total = a + b + (0 if seeded_unit(seed, prompt, i) < 0.6 else 1)
    return f"{a} + {b} = {total}\nAnswer: {total}<eos>"


def config(tmp_path, **kw):
    base = dict(
        strategies=("greedy", "majority", "beam-search", "dvts", "budget-forcing"),
        max_n=4,
        limit=4,
        beam_width=2,
        max_steps=3,
        out_dir=str(tmp_path / "run"),
        cache_dir=str(tmp_path / "cache"),
    )
    base.update(kw)
    return ScaleConfig(**base)


def test_search_strategies_give_rows_at_several_budgets_beside_sampling(tmp_path):
    cfg = config(tmp_path)
    assert cfg.strategies == ("greedy", "majority", "beam", "dvts", "budget")  # the aliases resolve
    summary = run_scale(cfg, backend=ScriptedBackend(newline_adder))
    rows = {(r["strategy"], r["n"]): r for r in summary["rows"]}
    assert {n for s, n in rows if s in ("beam", "dvts")} == {2, 4}
    assert {n for s, n in rows if s == "budget"} == {1, 2, 4} and {n for s, n in rows if s == "majority"} == {1, 2, 4}
    for key in [("beam", 2), ("beam", 4), ("dvts", 4), ("budget", 4)]:
        assert rows[key]["completion_tokens"] > 0 and rows[key]["prompt_tokens"] > 0
    assert (
        rows[("beam", 4)]["completion_tokens"] > rows[("beam", 2)]["completion_tokens"]
    )  # a bigger budget spends more
    table = (tmp_path / "run" / "table.md").read_text()
    assert "| dvts | 4 |" in table and "| budget | 2 |" in table


def test_the_step_delimiter_splits_steps_for_search(tmp_path):
    blank = ScriptedBackend(newline_adder)
    run_scale(config(tmp_path / "a", strategies=("beam",), max_n=2), backend=blank)
    newline = ScriptedBackend(newline_adder)
    run_scale(config(tmp_path / "b", strategies=("beam",), max_n=2, step_delimiter="\n"), backend=newline)
    assert {s.stop for _, s in blank.calls} <= {("\n\n",), ()}
    assert ("\n",) in {s.stop for _, s in newline.calls}
    # With a blank-line delimiter the whole answer is one step (one iteration); with "\n" it takes two.
    assert len(blank.calls) == 1 and len(newline.calls) == 2
    with pytest.raises(ValueError, match="step_delimiter"):
        ScaleConfig(step_delimiter="")


def test_a_reward_model_folder_scores_best_of_n_and_search(tmp_path):
    save_step_tag_prm(tmp_path / "prm")
    cfg = config(tmp_path, strategies=("best-of-n", "beam"), max_n=2, scorer=str(tmp_path / "prm"), step_delimiter="\n")
    summary = run_scale(cfg, backend=ScriptedBackend(newline_adder))
    rows = {(r["strategy"], r["n"]): r for r in summary["rows"]}
    assert rows[("best-of-n", 2)]["scorer_tokens"] > 0 and rows[("beam", 2)]["scorer_tokens"] > 0
    assert rows[("best-of-n", 1)]["scorer_tokens"] > 0  # one sample is still scored (the strategy does not skip it)
    with pytest.raises(ValueError, match="not a known reward model"):
        ScaleConfig(scorer="no-such-prm")
    with pytest.raises(ValueError, match="unknown reward-model kind"):
        ScaleConfig(scorer=str(tmp_path / "prm"), scorer_kind="value-head")
    with pytest.raises(ValueError, match="scorer_kind applies to a reward-model scorer"):
        ScaleConfig(scorer="rules", scorer_kind="orm")
