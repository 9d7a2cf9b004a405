"""Sets in plain text or words: a letter U between intervals is their union, `{}` and `no solution` the empty set,
`all real numbers` the reals, `oo` infinity (sympy's spelling); each keeps its counter-case."""

from __future__ import annotations

import pytest

from reasoncraft.rewards.checker import text_verdicts

UNION = r"(-\infty,-2)\cup(3,\infty)"


@pytest.mark.parametrize(
    ("gold", "prediction", "equal"),
    [
        (UNION, "(-inf, -2) U (3, inf)", True),
        (UNION, "(-infinity,-2) u (3,infinity)", True),
        (UNION, "(-oo, -2) union (3, oo)", True),
        (UNION, "(-inf, -2] U (3, inf)", False),  # a closed endpoint for an open one
        (UNION, "(-inf, -2) U (4, inf)", False),
        (r"[0,\infty)", "[0, oo)", True),
        (r"-\infty", "-oo", True),
        ("0", "oo", False),
    ],
)
def test_plain_text_unions_and_infinity(gold, prediction, equal):
    assert text_verdicts([(gold, prediction)]) == [equal]


@pytest.mark.parametrize(
    ("gold", "prediction", "equal"),
    [
        (r"\emptyset", "{}", True),
        (r"\emptyset", "{ }", True),
        (r"\emptyset", "Answer: no solution", True),
        (r"\emptyset", "The empty set.", True),
        (r"\text{no real solutions}", r"\varnothing", True),
        (r"\emptyset", "0", False),
        (r"\emptyset", r"\{0\}", False),
        (r"\text{no solution}", r"\mathbb{R}", False),
        (r"\mathbb{R}", "All real numbers", True),
        (r"(-\infty,\infty)", "all reals", True),
        (r"\mathbb{R}", r"\text{all real numbers}", True),
        (r"\mathbb{R}", "all positive real numbers", False),
        (r"(0,\infty)", "all real numbers", False),
        ("5", "no solution", False),
    ],
)
def test_sets_named_in_words(gold, prediction, equal):
    assert text_verdicts([(gold, prediction)]) == [equal]
