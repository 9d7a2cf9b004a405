"""Answer extraction and normalisation against hand-worked examples."""

from fractions import Fraction

import pytest

from reasoncraft.rewards.caps import cap_violation
from reasoncraft.rewards.exact import cheap_verdict, plain_number
from reasoncraft.rewards.extract import (
    after_answer_marker,
    all_boxed,
    answer_tag,
    answer_tags,
    extract_answer,
    last_boxed,
    last_number,
)
from reasoncraft.rewards.normalize import normalize_answer


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
    assert cheap_verdict(r"\sqrt{x}", r"x^{1/2}") is None  # needs sympy
    assert cheap_verdict(r"\sqrt{2}", r"2^{1/2}") is True  # exact constants of one value (ninth session)
    assert cheap_verdict(r"\sqrt{2}", "1.41421356") is None  # a decimal: not an exact constant


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


# --- raw texts: the answer sentence after a marker, joined boxes, prose ------------------------

from reasoncraft.rewards.extract import final_answer, joined_boxed  # noqa: E402
from reasoncraft.rewards.plaintext import canonical_pair, inequality_as_interval, plain_to_latex  # noqa: E402


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Final Answer: The final answer is 5. I hope it is correct.", "5"),
        ("Final Answer: The largest $n$ is 34.", "34"),
        ("Answer $ 9 $", "9"),
        ("so the answer is 12,000,023. I hope it is correct. <|im_start|>user", "12,000,023"),
        ("Answer: 2.5 cm", "2.5 cm"),  # units are the checker's business, not the extractor's
    ],
)
def test_answer_marker_takes_the_answer_not_the_sentence(text, expected):
    assert after_answer_marker(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"\boxed{1}, \boxed{2}, \boxed{3}", "1, 2, 3"),
        (r"\(\boxed{1}\) and \(\boxed{-2}\).", "1, -2"),
        (r"$$\boxed{(3, 3)} \text{ for part (a) and } \boxed{(1, 1)}$$", "(3, 3), (1, 1)"),
        (r"\boxed{4}. Checking again, \boxed{4}", "4"),  # the same answer twice is one answer
        (r"\boxed{1} no no no no no \boxed{2}", None),  # different answers apart in prose
        (r"first \boxed{2}. Then the total is \boxed{5} and \boxed{6}", None),
        ("no box", None),
    ],
)
def test_joined_boxed(text, expected):
    assert joined_boxed(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<answer>\\boxed{7}</answer>", "7"),
        (
            r"We get \boxed{200} and later \boxed{255}. "
            r"Final Answer: The final answer is $10,455$. I hope it is correct.",
            "10,455",
        ),
        ("Therefore $x \\geq 5$ is the solution.", "x \\geq 5"),
        ("the probability that Alice wins the game is 2/3. <|im_start|>user", "2/3"),
        ("It increases by 100%.", "100%"),
        ("Soucis : 2,74 $ a..", "2,74"),  # a lone dollar sign is currency, not a math delimiter
        ("$\\frac{1}{2}$", "$\\frac{1}{2}$"),  # math as it is: the checker strips the delimiters
        ("19, 46, and 82", "19, 46, and 82"),
    ],
)
def test_final_answer(text, expected):
    assert final_answer(text) == expected


@pytest.mark.parametrize(
    "plain, latex",
    [
        ("sqrt(2)/2", r"\sqrt{2}/2"),
        ("sqrt(x+sqrt(3))", r"\sqrt{x+\sqrt{3}}"),
        ("2*pi", r"2\pi"),
        ("2*3", "2*3"),  # read token by token since the tenth session (`plainmath`): `*` kept
        ("x**2 + 1", "x^{2}+1"),
        ("e^(i*pi)", r"e^{i*\pi}"),
        ("2/3", "2/3"),  # no plain-text convention: as written
        ("sin(x)", r"\sin(x)"),
        ("(-inf, 3]", r"(-\infty, 3]"),
        ("spin", "spin"),  # no constant inside a word
        (r"\frac{\pi}{2}", r"\frac{\pi}{2}"),
    ],
)
def test_plain_to_latex(plain, latex):
    assert plain_to_latex(plain) == latex


@pytest.mark.parametrize(
    "relation, interval",
    [
        (r"-2 \le x \le 7", "[-2,7]"),
        ("3 > y > -1", "(-1,3)"),
        (r"x \geq 5", r"[5,\infty)"),
        (r"5 \leq x", r"[5,\infty)"),
        ("t < 0", r"(-\infty,0)"),
        ("x + y < 3", None),
        ("x = 3", None),
    ],
)
def test_inequality_as_interval(relation, interval):
    assert inequality_as_interval(relation) == interval


def test_canonical_pair_turns_only_a_gold_relation_into_an_interval():
    assert canonical_pair("x > 1", "(1, oo)")[0] == r"(1,\infty)"
    assert canonical_pair("(1, 2)", "1 < x < 2") == ("(1, 2)", "1 < x < 2")
