"""Answer extraction and normalisation against hand-worked examples."""

from fractions import Fraction

import pytest

from reasoncraft.rewards.extract import (
    after_answer_marker,
    all_boxed,
    answer_tag,
    answer_tags,
    extract_answer,
    last_boxed,
    last_number,
)
from reasoncraft.rewards.normalize import cap_violation, cheap_verdict, normalize_answer, plain_number


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"The area is \boxed{12}.", "12"),
        (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"nested \boxed{\frac{\sqrt{3}}{2}} done", r"\frac{\sqrt{3}}{2}"),
        (r"first \boxed{1} then \boxed{2}", "2"),
        (r"so \boxed 5.", "5"),
        (r"\fbox{7}", "7"),
        (r"$\boxed{ \{1, 2\} }$", r"\{1, 2\}"),
        (r"\boxed{\begin{pmatrix} 1 \\ 2 \end{pmatrix}}", r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}"),
        (r"unclosed \boxed{3", None),
        ("no box here", None),
        (r"\boxedx{3}", None),
    ],
)
def test_last_boxed(text, expected):
    assert last_boxed(text) == expected


def test_all_boxed_keeps_order_across_box_commands():
    assert all_boxed(r"\fbox{a} \boxed{b} \fbox{c}") == ["a", "b", "c"]


def test_answer_tags():
    text = "<think>x</think><answer> 12 </answer> and <answer>\n13\n</answer>"
    assert answer_tags(text) == ["12", "13"]
    assert answer_tag(text) == "13"
    assert answer_tag("<answer>unclosed") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 + 2 = 4\nAnswer: 4", "4"),
        ("Answer: 3.5.", "3.5"),
        ("Answer: $\\frac{3}{4}$", r"\frac{3}{4}"),
        ("The answer is 12 apples\nmore text", "12 apples"),
        ("So the final answer is **42**.", "42"),
        ("Final Answer: \\boxed{9}", "9"),
        ("answer: 1\nlater, Answer: 2", "2"),
        ("The answer is", None),
        ("Answer:\n\n 15", "15"),
        ("**Answer:** 42 apples", "42 apples"),
        ("nothing to see", None),
    ],
)
def test_after_answer_marker(text, expected):
    assert after_answer_marker(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Natalia sold 48 + 24 = 72 clips.\n#### 72", "72"),
        ("#### 1,250", "1250"),
        ("The total is $1,250.", "1250"),
        ("It is 3.5 km. Then 7 km.", "7"),
        ("He lost -4 points", "-4"),
        ("no digits", None),
        ("Value .5 only", ".5"),
    ],
)
def test_last_number(text, expected):
    assert last_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<think>..</think><answer>5</answer>", "5"),
        ("<answer>The result is \\boxed{6}</answer>", "6"),
        ("reasoning \\boxed{7} Answer: 8", "7"),  # a boxed answer is trusted over a marker
        ("Answer: 9", "9"),
        ("I computed 10", None),  # no last-number fallback in the default chain
        ("<answer></answer>", None),
    ],
)
def test_extract_answer_chain(text, expected):
    assert extract_answer(text) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        (r"$\dfrac{1}{2}$", r"\frac{1}{2}"),
        (r"\left( 3, \frac{\pi}{2} \right)", r"(3,\frac{\pi}{2})"),
        (r"10\text{ cm}", "10"),
        (r"12 inches", "12"),
        (r"90^\circ", "90"),
        (r"90^{\circ}", "90"),
        (r"x = 4", "4"),
        (r"x = 2x+3", "x=2x+3"),  # an equation, not an assignment
        ("5 x", "5x"),  # a product, not a unit
        ("5 or more", "5or more"),
        (r"\text{(C)}", "C"),
        (r"\pi r^2", r"\pi r^2"),  # the space after a command before a letter is kept
        ("1{,}000", "1,000"),
        (r"\$18.90", "18.90"),
    ],
)
def test_normalize_answer(raw, expected):
    assert normalize_answer(raw) == expected


@pytest.mark.parametrize(
    "text, value",
    [
        ("7", Fraction(7)),
        ("-12", Fraction(-12)),
        ("1,000,000", Fraction(10**6)),
        ("0.25", Fraction(1, 4)),
        (".5", Fraction(1, 2)),
        ("3/6", Fraction(1, 2)),
        (r"\frac{-3}{4}", Fraction(-3, 4)),
        (r"-\frac{3}{4}", Fraction(-3, 4)),
        ("1e3", Fraction(1000)),
        ("x", None),
        ("1,00", None),  # not a thousands grouping: may be a list
        ("2/0", None),
    ],
)
def test_plain_number(text, value):
    number = plain_number(text)
    assert (number.value if number else None) == value


def test_cheap_verdict_decides_numbers_and_defers_expressions():
    assert cheap_verdict("50\\%", "0.5") is True
    assert cheap_verdict("1/3", "0.333333") is True
    assert cheap_verdict("1/3", "0.33") is False
    assert cheap_verdict("12", "12.") is True
    assert cheap_verdict("4", "") is False
    assert cheap_verdict(r"\sqrt{2}", r"2^{1/2}") is None  # needs sympy


@pytest.mark.parametrize(
    "text, refused",
    [
        (r"10^{10^{10^{10}}}", True),
        ("5^{5^{5^{5^5}}}", True),
        ("2**2**2", True),
        ("2^{100000}", True),
        ("2^{10}", False),
        ("e^{-x^2}", False),  # a symbolic power inside an exponent is fine
        ("2^{3^{4}}", True),
        ("x^{y^{z^{w}}}", True),
        ("1" * 1_000_000, True),
        ("9" * 100, True),
        ("__import__('os').system('ls')", True),
        ("{" * 20 + "}" * 20, True),
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", False),
        ("100000!", True),
    ],
)
def test_cap_violation(text, refused):
    assert (cap_violation(text) is not None) == refused
