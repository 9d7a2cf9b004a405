"""The rule-based step verifier: every "a op b = c" checked exactly, nothing evaluated, hostile text cheap."""

from __future__ import annotations

import time

import pytest

from reasoncraft.scorers import ArithmeticVerifier, arithmetic_claims, step_verdict
from reasoncraft.scorers.rules import parse_arithmetic


@pytest.mark.parametrize(
    "step, verdict",
    [
        ("23 + 45 = 68", 1.0),
        ("23 + 45 = 67", 0.0),
        ("First 12 + 7 = 19, then 19 * 2 = 38.", 1.0),
        ("First 12 + 7 = 19, then 19 * 2 = 40.", 0.0),  # one wrong claim fails the step
        ("8 * (5 - 3) = 16", 1.0),  # Countdown-style expression
        ("(44 - 19) = 25 and 25 + 35 = 60.", 1.0),
        ("3 + 4 = 7 * 2 = 14", 1.0),  # a chain: 3 + 4 = 7 and 7 * 2 = 14
        ("6 x 7 = 42", 1.0),
        ("6 × 7 = 43", 0.0),
        ("60 ÷ 4 = 15", 1.0),
        ("1/3 = 0.333", 1.0),  # rounded decimals are accepted to their shown precision
        ("1/3 = 0.3", 1.0),
        ("1/3 = 0.4", 0.0),
        ("25 = 20 + 5", 1.0),
        ("5 / 0 = 3", 0.0),
        ("5 - 8 = -3", 1.0),
        ("Answer: 68", None),
        ("x = 5", None),
        ("The total is 68.", None),
    ],
)
def test_step_verdicts(step, verdict):
    assert step_verdict(step) == verdict


def test_claims_are_listed_with_their_sides():
    assert arithmetic_claims("so 2 + 2 = 4 and 3 * 3 = 10") == [("2 + 2", "4", True), ("3 * 3", "10", False)]


def test_parser_is_exact_and_refuses_anything_but_arithmetic():
    assert parse_arithmetic("0.1 + 0.2")[0] == parse_arithmetic("0.3")[0]  # exact rationals, no float error
    for text in ["__import__('os').system('x')", "2 ** 10", "10^10", "abs(-1)", "1 +", "(1 + 2"]:
        with pytest.raises(ValueError):
            parse_arithmetic(text)


def test_hostile_steps_are_cheap_and_run_nothing():
    hostile = [
        "__import__('os').system('touch /tmp/pwned') = 0",
        "9" * 5000 + " * " + "9" * 5000 + " = 1",
        "(" * 500 + "1" + ")" * 500 + " + 1 = 2",
        "1 + " * 3000 + "1 = 3001",
        "= = = " * 2000,
    ]
    start = time.perf_counter()
    verdicts = [step_verdict(s) for s in hostile]
    assert time.perf_counter() - start < 2.0
    assert verdicts[0] is None  # not arithmetic: no claim, nothing run


def test_verifier_scores_steps_and_carries_the_last_verdict_forward():
    verifier = ArithmeticVerifier(neutral=0.5)
    scores = verifier.score_steps(
        ["q"] * 3,
        [["Let me add.", "23 + 45 = 68", "Answer: 68"], ["23 + 45 = 67", "Answer: 67"], ["I think", "so"]],
    )
    assert scores == [[0.5, 1.0, 1.0], [0.0, 0.0], [0.5, 0.5]]
    assert verifier.usage.tokens == 0  # no model, no tokens
    with pytest.raises(ValueError, match="one question per solution"):
        verifier.score_steps(["q"], [])
