"""An answer that still holds an operation to carry out (an integral, a derivative, a limit, a sum, a product) is
no answer to a gold that holds none: a checker that works it out would reward restating the problem."""

import pytest

from reasoncraft.rewards import math_equal
from reasoncraft.rewards.checker import text_verdicts


@pytest.mark.parametrize(
    "gold, candidate",
    [
        (r"\frac{1}{2}", r"\int_0^1 x\,dx"),
        ("0.5", r"\int_{0}^{1} x \, dx"),
        ("1/3", "integrate(x**2, (x, 0, 1))"),
        ("2x", r"\frac{d}{dx} x^2"),
        ("2", r"\dfrac{d^2}{dx^2} x^2"),
        ("2x", "d/dx x^2"),
        ("6", r"\sum_{k=1}^{3} k"),
        ("6", "∑_{k=1}^{3} k"),
        ("24", r"\prod_{k=1}^{4} k"),
        ("1", r"\lim_{x \to 0} \frac{\sin x}{x}"),
        ("2y", r"\partial_y y^2"),
        ("1", r"\frac{d}{dx} x = \frac{d}{dx} x"),  # the last side still holds the operation
    ],
)
def test_the_problem_restated_is_no_answer(gold, candidate):
    assert math_equal(gold, candidate) is False


@pytest.mark.parametrize(
    "gold, candidate",
    [
        ("2x", r"\frac{d}{dx}(x^2) = 2x"),  # the value stated after the operation
        ("6", r"\sum_{k=1}^{3} k = 6"),  # `k=1` is inside braces: the top-level `=` decides
        ("1", r"$\lim_{x \to 0} \frac{\sin x}{x} = 1$"),
        ("6", "1 + 2 + 3"),  # arithmetic is not an operation left undone
        (r"\sum_{k=1}^{n} k", r"\sum_{k=1}^{n} k"),  # a gold that is such an expression: compared as before
        (r"\int_0^1 x\,dx", r"\frac{1}{2}"),
    ],
)
def test_stated_values_and_operation_golds_are_compared_as_before(gold, candidate):
    assert math_equal(gold, candidate) is True


def test_wrong_values_after_the_operation_stay_wrong():
    assert math_equal("2x", r"\frac{d}{dx}(x^2) = 3x") is False
    assert math_equal("6", r"\sum_{k=1}^{3} k = 7") is False


def test_extracted_from_prose():
    texts = [("1/2", r"The answer is $\int_0^1 x\,dx$."), ("1/2", r"So $\int_0^1 x\,dx = \frac{1}{2}$.")]
    assert [v is True for v in text_verdicts(texts)] == [False, True]
