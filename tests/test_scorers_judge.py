"""LLM judge and self-evaluation over a (scripted) backend, and a judge guiding step-level search."""

from __future__ import annotations

import pytest

from helpers import ScriptedBackend, seeded_unit
from reasoncraft.scaling import BeamSearch, BestOfN
from reasoncraft.scorers import LLMJudge, OutcomeAsSteps, parse_verdict, self_evaluation


def judge_of_sums(prompt, i, seed):
    """Says Yes when the solution contains the right sum of 12 + 7, else No; sometimes rambles."""
    text = prompt if isinstance(prompt, str) else prompt[-1]["content"]
    solution = text.split("Solution:")[-1].split("Proposed Answer:")[-1]
    if seeded_unit(seed, text, i) < 0.2:
        return "Hmm, hard to say<eos>"
    return "Yes<eos>" if "19" in solution else "No<eos>"


def test_parse_verdict():
    assert [parse_verdict(r) for r in ["Yes.", "no", "(A) True", "B", "Correct!", "It depends"]] == [
        True,
        False,
        True,
        False,
        True,
        None,
    ]


def test_judge_scores_by_fraction_of_yes_and_counts_its_tokens():
    judge = LLMJudge(ScriptedBackend(judge_of_sums), n=8, temperature=1.0)
    right, wrong = judge.score(["What is 12 + 7?"] * 2, ["12 + 7 = 19", "12 + 7 = 18"])
    assert right == 1.0 and wrong == 0.0  # rambling replies decide nothing
    assert judge.usage.completion_tokens > 0 and judge.usage.prompt_tokens > 0
    with pytest.raises(ValueError, match="temperature"):
        LLMJudge(ScriptedBackend(judge_of_sums), n=4)


def test_self_evaluation_asks_the_policy_p_true():
    backend = ScriptedBackend(judge_of_sums)
    judge = self_evaluation(backend)
    assert judge.score(["What is 12 + 7?"], ["19"]) == [1.0]
    assert "(A) True" in backend.calls[0][0][0][-1]["content"]


def test_judge_drives_best_of_n_and_step_search():
    policy = ScriptedBackend(
        lambda p, i, s: ["12 + 7 = 18\n\nAnswer: 18<eos>", "12 + 7 = 19\n\nAnswer: 19<eos>"][i % 2]
    )
    judge = LLMJudge(ScriptedBackend(judge_of_sums))
    assert BestOfN(n=2, scorer=judge).solve(policy, ["What is 12 + 7?"], ["What is 12 + 7?"])[0].answer == "19"

    def stepwise(prompt, i, seed):  # first a sum (wrong for even samples), then the answer it implies
        for total in ("18", "19"):
            if f"= {total}" in prompt:
                return f"Answer: {total}<eos>"
        return ["12 + 7 = 18\n\n", "12 + 7 = 19\n\n"][i % 2]

    policy = ScriptedBackend(stepwise)
    stepper = OutcomeAsSteps(LLMJudge(ScriptedBackend(judge_of_sums)))
    search = BeamSearch(scorer=stepper, n=2, beam_width=2, max_steps=4)
    (outcome,) = search.solve(policy, ["What is 12 + 7?\n"], ["What is 12 + 7?"])
    assert outcome.answer == "19" and outcome.usage.scorer_tokens > 0
