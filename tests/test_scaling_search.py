"""PRM-guided beam search and DVTS on a scripted policy and a table PRM with known outcomes, and
batched search against one problem at a time."""

from __future__ import annotations

import itertools

import pytest

from helpers import ScriptedBackend, TablePRM, seeded_unit
from reasoncraft.scaling import DVTS, BeamSearch
from reasoncraft.scaling.core import split_steps
from reasoncraft.scorers import ArithmeticVerifier

# A two-level tree: four first steps a0..a3, two second steps b{j}{i} under each, then "Answer: {j}{i}".
TABLE = {
    "a0": 0.6,
    "a1": 0.9,
    "a2": 0.3,
    "a3": 0.1,
    "b00": 0.95,
    "b01": 0.5,
    "b10": 0.7,
    "b11": 0.62,
    "Answer: 00": 0.9,
    "Answer: 10": 0.8,
    "Answer: 11": 0.4,
}


def tree_policy(prompt, i, seed):
    steps = split_steps(prompt.split("|", 1)[1])
    if not steps:
        return f"a{i}\n\n"
    if len(steps) == 1:
        return f"b{steps[0][1]}{i}\n\n"
    return f"Answer: {steps[1][1:]}<eos>"


def reference_top2(aggregate):
    """The two best depth-2 paths from the two best first steps, by a plain loop."""
    firsts = sorted(["a0", "a1", "a2", "a3"], key=lambda a: -TABLE[a])[:2]
    paths = [(a, f"b{a[1]}{i}") for a in firsts for i in range(2)]
    return {p for p in sorted(paths, key=lambda p: -aggregate([TABLE[p[0]], TABLE[p[1]]]))[:2]}


AGGREGATES = {"last": lambda s: s[-1], "min": min, "prod": lambda s: s[0] * s[1]}


@pytest.mark.parametrize("aggregation, answer", [("last", "00"), ("min", "10"), ("prod", "00")])
def test_beam_search_keeps_the_top_beams_under_each_aggregation(aggregation, answer):
    backend, prm = ScriptedBackend(tree_policy), TablePRM(TABLE)
    search = BeamSearch(scorer=prm, n=4, beam_width=2, aggregation=aggregation, temperature=1.0)
    (outcome,) = search.solve(backend, ["Q|"], ["Q"])
    expanded = {tuple(split_steps(p.split("|", 1)[1])) for p in backend.calls[-1][0]}  # parents of the last step
    assert expanded == reference_top2(AGGREGATES[aggregation])
    assert outcome.answer == answer
    assert len(outcome.candidates) == 4 and outcome.info["iterations"] == 3
    assert all(s.stop == ("\n\n",) for _, s in backend.calls)
    assert [s.seed for _, s in backend.calls] == [0, 1, 2]


def test_the_aggregation_changes_which_beams_survive():
    kept = {name: reference_top2(fn) for name, fn in AGGREGATES.items()}
    assert kept["last"] != kept["min"]  # so the test above would catch an aggregation that is ignored


def test_dvts_subtrees_stay_diverse_and_pick_their_best_step():
    backend, prm = ScriptedBackend(tree_policy), TablePRM(TABLE)
    (outcome,) = DVTS(scorer=prm, n=4, beam_width=2, temperature=1.0).solve(backend, ["Q|"], ["Q"])
    # Both subtrees share the empty prefix: one request with 4 samples, split 2 and 2.
    assert backend.calls[0][1].n == 4 and backend.calls[0][0] == ["Q|"]
    second = sorted(split_steps(p.split("|", 1)[1])[0] for p in backend.calls[1][0])
    assert second == ["a1", "a2"]  # subtree 2 keeps its own best (a2) though a0 scored higher globally
    texts = [c.text for c in outcome.candidates]
    assert len(texts) == 4 and sum("a2" in t for t in texts) == 2
    assert outcome.answer == "10"


def test_search_validates_its_settings():
    with pytest.raises(ValueError, match="must divide n"):
        BeamSearch(scorer=ArithmeticVerifier(), n=6, beam_width=4)
    with pytest.raises(ValueError, match="step scorer"):
        DVTS(scorer=None)
    with pytest.raises(ValueError, match="last, min, prod"):
        BeamSearch(scorer=ArithmeticVerifier(), aggregation="mean")


def arithmetic_policy(prompt, i, seed):
    """Random sums with random slips: some steps are right, some wrong, some end with an answer."""
    u = seeded_unit(seed, prompt, i)
    a, b = int(u * 1e4) % 50, int(u * 1e6) % 50
    wrong = int(u * 1e8) % 3 == 0
    if int(u * 1e3) % 3 == 0 or prompt.count("\n\n") >= 4:
        return f"Answer: {a + b + wrong}<eos>"
    return f"{a} + {b} = {a + b + wrong}\n\n"


@pytest.mark.parametrize("strategy, aggregation", list(itertools.product([BeamSearch, DVTS], ["last", "min", "prod"])))
def test_batched_search_matches_one_problem_at_a_time(strategy, aggregation):
    prompts = [f"Problem {k}|" for k in range(8)]
    search = strategy(scorer=ArithmeticVerifier(), n=8, beam_width=2, aggregation=aggregation, max_steps=6, seed=3)
    batched = search.solve(ScriptedBackend(arithmetic_policy), prompts, prompts)
    single = [search.solve(ScriptedBackend(arithmetic_policy), [p], [p])[0] for p in prompts]
    assert [o.answer for o in batched] == [o.answer for o in single]
    assert [o.text for o in batched] == [o.text for o in single]
    assert [o.usage for o in batched] == [o.usage for o in single]
    assert len({o.answer for o in batched}) > 1  # the problems really differ


def test_batched_beam_search_on_a_tiny_model_matches_one_at_a_time():
    from reasoncraft.backends import HFBackend
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    backend = HFBackend(model, tokenizer)
    prompts = [f"What is {a} + {b}?\n" for a, b in [(12, 7), (3, 4), (20, 5)]]
    for strategy in (BeamSearch, DVTS):
        search = strategy(
            scorer=ArithmeticVerifier(), n=4, beam_width=2, max_steps=3, max_step_tokens=6, max_final_tokens=6
        )
        batched = search.solve(backend, prompts, prompts)
        single = [search.solve(backend, [p], [p])[0] for p in prompts]
        assert [o.text for o in batched] == [o.text for o in single]
        assert all(o.usage.completion_tokens > 0 for o in batched)
