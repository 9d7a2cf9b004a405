"""The comparison's lenient maj@N (the scaling route's lenient column) on hand-made samples, values worked by hand.

Lenient maj@N: each sample's answer is what the lenient reward reads (`lenient_answer`), the vote is the strict
vote's (`maj_at_k`: classes by `math_equal`, a tie to the class seen first, no answer no vote), and the winner is
right when its class's first sample has lenient_accuracy 1.0 in its stored breakdown.
"""

from __future__ import annotations

import pytest

from reasoncraft.recipes.comparison import lenient_maj_at_k, markdown, per_problem, spread
from reasoncraft.rewards import RewardFailure
from reasoncraft.samples import encode_reward


def sample(text: str, lenient, strict: str | None = None, correct: bool | None = None, pid: str = "p", i: int = 0):
    """One scored sample as samples.jsonl stores it; `lenient` is the stored lenient_accuracy (a failure encoded)."""
    breakdown = {"accuracy": 1.0 if correct else 0.0}
    if lenient is not None:
        breakdown["lenient_accuracy"] = encode_reward(lenient)
    return {
        "problem_id": pid,
        "sample_index": i,
        "completion": text,
        "extracted": strict,
        "correct": correct,
        "breakdown": breakdown,
    }


def group(*rows) -> list[dict]:
    return [{**row, "sample_index": i} for i, row in enumerate(rows)]


def test_format_failures_vote_under_lenient_reading():
    """Strict sees one answer ("8", wrong); lenient also reads 7 twice from the format failures: 7 wins."""
    rows = group(
        sample("3 + 4 = 7", 1.0),
        sample("Answer: 8", 0.0, strict="8", correct=False),
        sample("so we get 7 apples", 1.0),
    )
    assert per_problem(rows, vote=3)["p"] == {"strict": 0.0, "lenient": 1.0}


def test_samples_without_a_lenient_answer_do_not_vote():
    """Two completions with no number at all would outvote the one "7" if no-answer were a class."""
    rows = group(sample("I am not sure.", 0.0), sample("no idea", 0.0), sample("it is 7", 1.0))
    assert lenient_maj_at_k(rows, 3) == 1.0
    assert lenient_maj_at_k(group(sample("no idea", 0.0), sample("none", 0.0)), 2) == 0.0  # nobody votes: wrong


def test_a_tie_goes_to_the_class_seen_first():
    eight_first = group(sample("I get 8", 0.0), sample("7", 1.0), sample("maybe 8", 0.0), sample("= 7", 1.0))
    seven_first = group(sample("7", 1.0), sample("I get 8", 0.0), sample("= 7", 1.0), sample("maybe 8", 0.0))
    assert lenient_maj_at_k(eight_first, 4) == 0.0
    assert lenient_maj_at_k(seven_first, 4) == 1.0


def test_answers_are_grouped_by_math_equal_not_by_string():
    """ "7" and "7.0" are one class of two against "8": by strings it would be a three-way tie won by "8"."""
    rows = group(sample("8", 0.0), sample("7", 1.0), sample("x = 7.0", 1.0))
    assert lenient_maj_at_k(rows, 3) == 1.0


def test_maj_at_k_below_n_averages_the_disjoint_blocks():
    """k = 2 over four samples: block ("7", "8") is a tie to "7" (right), block (none, "8") goes to "8" (wrong)."""
    rows = group(sample("7", 1.0), sample("8", 0.0), sample("nothing", 0.0), sample("8", 0.0))
    assert lenient_maj_at_k(rows, 2) == 0.5
    assert lenient_maj_at_k(rows, 4) == 0.0  # all four: "8" twice against "7" once


def test_a_class_whose_samples_disagree_is_as_right_as_its_first_sample():
    """The winning class {"Answer: 7", "so 7"} holds a 1.0 and a 0.0 (a checker failure, or a verdict the
    class's grouping glossed over): its first sample, whose answer the vote returns, decides, as in the strict
    vote, so the two columns differ only in how answers are read."""
    failure = RewardFailure("checker timeout")
    assert lenient_maj_at_k(group(sample("Answer: 7", failure), sample("so 7", 1.0), sample("8", 0.0)), 3) == 0.0
    assert lenient_maj_at_k(group(sample("so 7", 1.0), sample("Answer: 7", failure), sample("8", 0.0)), 3) == 1.0
    assert lenient_maj_at_k(group(sample("7", 0.0), sample("7", 1.0)), 2) == 0.0


def test_without_the_lenient_breakdown_it_stays_undefined():
    """Old runs stored no lenient_accuracy: n/a rather than a guess, even when only one sample lacks it."""
    rows = group(sample("7", 1.0), sample("7", None))
    assert lenient_maj_at_k(rows, 2) is None
    assert per_problem([sample("Answer: 7", None, "7", True)], vote=1)["p"] == {"strict": 1.0, "lenient": None}


def test_lenient_vote_equals_the_strict_vote_where_both_read_the_same_answers():
    """Well-formed completions: lenient reads the strict answer, so the two maj@N agree sample set by sample set."""
    answers = [["7", "8", "8"], ["8", "7", "7"], ["7", "8"], ["9", "8", "7", "8"], ["7"]]
    for k, picks in enumerate(answers):
        rows = group(*(sample(f"Answer: {a}", float(a == "7"), strict=a, correct=a == "7") for a in picks))
        scores = per_problem(rows, vote=len(picks))["p"]
        assert scores["strict"] == scores["lenient"], (k, picks, scores)


def test_scaling_row_shows_its_lenient_number_in_the_table():
    """Per-problem lenient maj@N through spread to the table: a number where the column used to read n/a."""
    samples = [
        *group(sample("7", 1.0, pid="a"), sample("Answer: 8", 0.0, "8", False, pid="a"), sample("7", 1.0, pid="a")),
        *group(
            sample("no idea", 0.0, pid="b"), sample("Answer: 7", 1.0, "7", True, pid="b"), sample("8", 0.0, pid="b")
        ),
    ]
    scores = per_problem(samples, vote=3)
    # a: strict "8" alone (wrong), lenient "7" twice (right); b: strict "7" alone (right), lenient tie to "7" (right)
    assert scores == {"a": {"strict": 0.0, "lenient": 1.0}, "b": {"strict": 1.0, "lenient": 1.0}}
    lenient = [scores["a"]["lenient"], scores["b"]["lenient"]]
    row = {
        "route": "scaling",
        "label": "scaling (maj@3)",
        "budget": "n=3",
        "strict": spread([0.5]),
        "lenient": spread([sum(lenient) / 2]),
        "vs_base": None,
        "pass@k": {},
        "extraction_failure_rate": 0.5,
        "mean_completion_tokens": 4.0,
        "train_flops": 0.0,
        "train_wall_s": 0.0,
        "inference_flops_per_problem": 1.0,
    }
    comparison = {"base_model": "m", "task": "t", "problems": 2, "split": "test", "seeds": [0], "preset": "x"}
    table = markdown({**comparison, "routes": [row], "pairs": []})
    assert "| scaling (maj@3) | n=3 | 0.500 | 1.000 |" in table
    old = markdown({**comparison, "routes": [{**row, "lenient": spread([None])}], "pairs": []})
    assert "| 0.500 | n/a |" in old


@pytest.mark.parametrize("lenient", [0.0, RewardFailure("checker timeout")])
def test_a_wrong_or_failed_lenient_verdict_counts_as_wrong(lenient):
    assert lenient_maj_at_k(group(sample("so 7", lenient)), 1) == 0.0
