"""Plain-text math conventions (tenth session), each a general rule with its counter-case kept wrong.

The pairs here are written for this test to illustrate a kind; none is a fixture case.
"""

import pytest

from reasoncraft.rewards import RewardFailure, math_verdicts
from reasoncraft.rewards.caps import cap_violation
from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.exact import cheap_verdict
from reasoncraft.rewards.extract import final_answer
from reasoncraft.rewards.numeric import evaluate
from reasoncraft.rewards.plainmath import plain_formula_to_latex

KINDS = [
    # juxtaposed and starred letters are products, in any order
    ("product", "a*b*c", "c * a * b", True),
    ("product", "3xy + y", "y + 3*y*x", True),
    ("product", "2pq", "2*q*p", True),
    ("product", "x*(y + 2)", "x*y + 2*x", True),
    ("product", "(p + q) r", "p*r + q*r", True),
    ("product", "a*b*c", "a * b * d", False),
    ("product", "2pq", "2*p*p", False),
    ("product", "x*(y + 2)", "x*y + 2", False),
    # a word is a word: read as letters only after a number coefficient, and never beside another word
    ("word", "2ly + 3me", "3*e*m + 2*y*l", True),
    ("word", "odd", "doo", False),  # a lone word is not a product of its letters
    ("word", "one-two-three", "three-two-one", False),  # words joined by signs, no coefficient
    ("word", "x + y", "x plus y", False),  # words side by side are prose
    ("word", "5", "2nd + 3", False),  # an ordinal suffix is no product
    # Greek letters spelled out are their LaTeX commands
    ("greek", r"\alpha^2 + \beta", "alpha**2 + beta", True),
    ("greek", r"2\pi r", "2*pi*r", True),
    ("greek", r"\frac{\omega}{2}", "omega/2", True),
    ("greek", r"\Delta x", "Delta*x", True),
    ("greek", r"\alpha^2 + \beta", "alpha**2 + gamma", False),
    ("greek", r"\frac{\omega}{2}", "omega/3", False),
    # `==` is an equation's sign
    ("equation", "F = m a", "F == m*a", True),
    ("equation", "v^2 = u^2 + 2as", "v**2 == u**2 + 2*a*s", True),
    ("equation", "F = m a", "F == m*a*a", False),
    # a function name in any letter case, sympy's short names, a logarithm with a base argument
    ("function", r"\sin(x) + \cos(x)", "Sin(x) + COS(x)", True),
    ("function", r"\arctan(x) + 1", "ArcTan(x) + 1", True),
    ("function", r"\arcsin(2y)", "asin(2*y)", True),
    ("function", r"\sqrt{5} + 1", "Sqrt(5) + 1", True),
    ("function", r"\log_{3}(y)", "log(y, 3)", True),  # base second, as Python and sympy write it
    ("function", "2", "log(9, 3)", True),
    ("function", r"e^{2t}", "exp(2*t)", True),
    ("function", r"|y - 1|", "abs(y - 1)", True),
    ("function", r"\sin(x) + \cos(x)", "Sin(x) + Tan(x)", False),
    ("function", r"\arctan(x) + 1", "ArcSin(x) + 1", False),
    ("function", "2", "log(3, 9)", False),  # the base is the second argument
    ("function", r"|y - 1|", "y - 1", False),
    # factorials and binomials
    ("factorial", "720", "factorial(6)", True),
    ("factorial", r"\frac{1}{m}", "factorial(m - 1)/factorial(m)", True),
    ("factorial", r"\binom{6}{3}", "binomial(6, 3)", True),
    ("factorial", "721", "factorial(6)", False),
    ("factorial", r"\frac{1}{m}", "factorial(m)/factorial(m - 1)", False),
    # powers in plain text
    ("power", r"t^{\frac{5}{2}}", "t**(5/2)", True),
    ("power", r"\sin^2(x) + 1", "sin(x)**2 + 1", True),  # the power of the function's value
    ("power", r"t^{\frac{5}{2}}", "t**(2/5)", False),
    ("power", r"\sin(x^2) + 1", "sin(x)**2 + 1", False),
    # formulas that are equal for positive symbols: equations, inequalities and intervals too
    ("positive", r"P = \sqrt{\frac{a b}{c}}", "P == sqrt(a)*sqrt(b)/sqrt(c)", True),
    # ... eleventh session: not `a\sqrt{b}/\sqrt{c}` for `\sqrt{a^2 b/c}`, both real and unequal at a = -2, b = c = 2
    ("positive", r"P = \sqrt{\frac{a^2 b}{c}}", "P == a*sqrt(b)/sqrt(c)", False),
    # ... but only where both written forms leave no other choice: sqrt(q/z^2) is sqrt(q)/|z| for a real z < 0
    ("positive", r"w \le \sqrt{\frac{q}{z^2}}", "sqrt(q)/z >= w", False),
    ("positive", r"\sqrt{x^2}", "x", False),
    ("positive", r"\ln(x^2)", r"2\ln x", True),  # log(x) is only real for x > 0: its own domain
    ("positive", r"\sqrt{x}\sqrt{y}", "sqrt(x*y)", True),
    ("positive", r"P = \sqrt{\frac{a^2 b}{c}}", "P == a*sqrt(c)/sqrt(b)", False),
    ("positive", r"w \le \sqrt{\frac{q}{z^2}}", "sqrt(q)/z > w", False),  # strict against not strict
    ("positive", r"|m|", "m", False),  # an absolute value is no positive-symbol identity
]


@pytest.mark.parametrize("kind, gold, candidate, expected", KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_plain_text_conventions_by_kind(kind, gold, candidate, expected):
    assert math_verdicts([(gold, candidate)])[0] is expected


def test_the_same_pairs_as_raw_texts():
    """The answer extracted from each side first (`text_verdicts`): a plain formula is read as math, not as
    prose whose last number is the answer."""
    verdicts = text_verdicts([(g, c) for _, g, c, _ in KINDS])
    assert [v is True for v in verdicts] == [expected for *_, expected in KINDS]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2ly + 3me", "2ly + 3me"),  # words with coefficients: a formula, not prose
        ("1 + omega**2/2 - omega", "1 + omega**2/2 - omega"),  # a Greek word, not prose
        (r"So we get $\boxed 9$ as the answer.", "9"),  # a box without braces
        ("So the total is 12 apples and 3 pears.", "3"),  # prose: its last number, as before
    ],
)
def test_final_answer_reads_plain_formulas(text, expected):
    assert final_answer(text) == expected


@pytest.mark.parametrize(
    "text",
    ["even", "theta", "x is 5", "6 8", "3 or 5", "x = 1 or x = 2", "1orW(x)=2", "sin x", "(1, 2)", "2x+1", "5th"],
)
def test_not_read_as_a_plain_formula(text):
    """Words, prose, hedges, lists, a number list written with a space, and LaTeX-compatible text are left to
    the older rules."""
    assert plain_formula_to_latex(text) is None


def test_plain_formula_spelling():
    assert plain_formula_to_latex("k == m*v**2/(2*r)") == "k=m*v^{2}/(2*r)"
    assert plain_formula_to_latex("v_max * Sin(theta)") == "v_{max}*\\sin(\\theta)"
    assert plain_formula_to_latex("log(x, 2) + factorial(n)") == "\\log_{2}(x)+(n)!"
    assert plain_formula_to_latex("2*pi*f") == "2\\pi*f"  # a number before a command, as LaTeX writes it
    assert plain_formula_to_latex("1/2*pi") == "1/2*\\pi"  # but not after a division


@pytest.mark.parametrize(
    "gold, candidate, expected",
    [
        ("1011_2", "1011_{2}", True),  # one base, one value
        ("0101_2", "101_2", True),  # leading zeros
        ("62_7", "62", True),  # the base dropped: the same digits
        ("1011_2", "1011_3", False),  # another base
        ("62_7", "44", False),  # its decimal value is not its spelling
        ("62_7", "62.0", False),
        ("8888.0", "8888_0", False),  # base 0: no number in a base
        ("18_8", "18", False),  # the digit 8 in base 8: no numeral
    ],
)
def test_a_subscript_on_a_number_is_its_base(gold, candidate, expected):
    assert cheap_verdict(gold, candidate) is expected
    assert math_verdicts([(gold, candidate)])[0] is expected


def test_a_function_power_applies_to_its_value_in_the_numeric_precheck():
    """`\\sin(x)^2` is (sin x)^2 for Math-Verify's parser; the numeric pre-check (which can only rule pairs
    out) read sin(x^2) and ruled out `sin(x)**2 + cos(x)**2` against 1."""
    assert evaluate(r"\sin(x)^{2}") == pytest.approx(evaluate(r"\sin^{2}(x)"))
    assert evaluate(r"\sin(x^{2})") != pytest.approx(evaluate(r"\sin^{2}(x)"))
    assert math_verdicts([("1", "sin(x)**2 + cos(x)**2")]) == [True]


def test_lambda_is_a_greek_letter_unless_it_is_code():
    assert cap_violation(r"\frac{2\pi}{\lambda}") is None
    assert cap_violation("2*pi/lambda") is None
    assert cap_violation("(lambda: 7)()") == "code-like text"
    assert cap_violation("lambda x, y: x") == "code-like text"
    assert math_verdicts([(r"\frac{2\pi}{\lambda}", "2*pi/lambda")]) == [True]


def test_caps_also_hold_for_the_rewritten_spelling():
    """`factorial(100000)` only looks like a large factorial once written `(100000)!`."""
    gold_refused, candidate_refused = math_verdicts([("factorial(100000)", "5"), ("5", "factorial(100000)")])
    assert isinstance(gold_refused, RewardFailure) and candidate_refused is False
