"""Rules by kind written against heldout11's wrong pairs (eleventh session), each with counter-cases kept wrong.

The pairs here are written for this test to illustrate a kind; none is a heldout11 pair (the kinds are named in
docs/rewards.md, "Rules by kind (eleventh session)").
"""

import importlib.util
from pathlib import Path

import pytest

from reasoncraft.rewards import extract_answer, math_verdicts
from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.extract import final_answer
from reasoncraft.rewards.plainfuncs import spell_functions
from reasoncraft.rewards.relations import relation_verdict

# (kind, gold, candidate, expected verdict), answers compared by `math_verdicts`
KINDS = [
    # an equation between two lone names is a relation: equal to the same relation, never to a value
    ("names equation", "a = b", "b = a", True),
    ("names equation", r"\alpha = \beta", r"\beta=\alpha", True),
    ("names equation", "y = x", "x - y = 0", True),
    ("names equation", "y = x", "x", False),
    ("names equation", "y = x", "y", False),
    ("names equation", "t", "s = t", False),
    ("names equation", "p = q", "p = r", False),
    ("names equation", "y = 3x", "3x", True),  # a name against an expression: read by its value, as before
    ("names equation", r"x = \pi", r"\pi", True),  # a constant is a value, not a name
    # values given to two different names (Math-Verify's `x=1` is not `y=1`)
    ("value of another name", "k = 3", "n = 3", False),
    ("value of another name", r"\theta = \frac{\pi}{2}", r"\phi = \frac{\pi}{2}", False),
    ("value of another name", "k = 3", "3 = k", True),
    ("value of another name", "k = 3", "3", True),
    # two names as expressions in variables: relations, compared as such (not by their right sides)
    ("named relations", "y = 2x + 1", "x = (y - 1)/2", True),  # the same line, as Math-Verify reads it
    ("named relations", "b = a^2", "a = \\sqrt{b}", False),  # a = -sqrt(b) is on the first curve only
    ("named relations", "y = 2x + 1", "x = (y + 1)/2", False),
    # an inequality of two variables, turned around
    ("two-variable inequality", "a < b", "b > a", True),
    ("two-variable inequality", r"p \ge q", r"q \le p", True),
    ("two-variable inequality", "u <= v", "v >= u", True),
    ("two-variable inequality", "a < b", "b < a", False),
    ("two-variable inequality", r"p \ge q", "q < p", False),  # strict against not strict
    ("two-variable inequality", "x > 4", "4 < x", True),  # a constant bound: an interval, as before
    ("two-variable inequality", "x > 4", "(4, \\infty)", True),
    # two inequalities compared as relations: terms moved across, a positive constant factor
    ("inequality as relation", "a > b", "2a - 2b > 0", True),
    ("inequality as relation", "a < b", "a - b < 0", True),
    ("inequality as relation", "u > 4", "u - 4 > 0", True),  # terms moved, as Math-Verify compares L - R
    ("inequality as relation", "a > b", "-2a > -2b", False),  # a negative factor turns it around
    ("inequality as relation", r"a \ge b", "2a > 2b", False),
    ("inequality as relation", "u > 4", "2u > 8", False),  # a bound of a name by a value: solve for it
    ("inequality as relation", r"u \ge 2", r"u^2 \ge 4", False),
    ("inequality as relation", r"\frac{a}{b} > 1", "a > b", False),  # b < 0 turns it around
    # equations with the same solution set: a nonzero multiple, by a constant or a nonzero expression
    ("equivalent equations", "2a + 3b = 6", "4a + 6b = 12", True),
    ("equivalent equations", "t(10 - t) = 21", "t + 21/t = 10", True),  # times 1/t; t = 0 solves neither
    ("equivalent equations", r"\frac{1}{u} = 4", "4u = 1", True),
    ("equivalent equations", "y = 0.5^2", "y = 0.25", True),  # decimals as the exact values they spell
    ("equivalent equations", "k = 2.5", "k = 1.5 + 1", True),
    ("equivalent equations", "2a + 3b = 6", "4a + 6b = 13", False),
    ("equivalent equations", "t(10 - t) = 21", "t = 7", False),  # one root of two
    ("equivalent equations", "v^2 = v", "v = 1", False),  # dividing by v loses v = 0
    ("equivalent equations", "y = 0.5^2", "y = 0.26", False),
    ("equivalent equations", "k = 3", "2k = 6", False),  # the gold states a value: solve for it
    ("equivalent equations", "k = 3", "m = 3", False),
    # two `\ne` relations read as the complements of equations
    ("not equal to", r"p \ne 3", r"3 \ne p", True),
    ("not equal to", r"2p + 3 \ne 5", r"p \ne 1", True),
    ("not equal to", r"p \ne 3", r"p \ne 4", False),
    ("not equal to", r"p^2 \ne 4", r"p \ne 2", False),
    ("not equal to", r"p \ne 3", "p = 3", False),
    # a lone letter against an expression that simplifies to it
    ("lone letter", "z", r"\frac{z(w^2 + 4)}{w^2 + 4}", True),
    ("lone letter", "n", r"\frac{n^3}{n^2}", True),
    ("lone letter", "z", r"\frac{z(w^2 + 4)}{w^2 + 5}", False),
    ("lone letter", "n", r"\sqrt{n^2}", False),  # |n| for a real n
    ("lone letter", "n", "m", False),
    # reciprocal hyperbolic functions and function names without brackets
    ("hyperbolic", r"\frac{1}{\cosh u}", "sech u", True),
    ("hyperbolic", r"\frac{1}{\sinh(2u)}", r"\operatorname{csch}(2u)", True),
    ("hyperbolic", r"\frac{\cosh v}{\sinh v}", r"\coth v", True),
    ("hyperbolic", r"\cosh(u)", "1/sech u", True),
    ("hyperbolic", r"\frac{1}{\cosh u}", "csch u", False),
    ("hyperbolic", r"\tanh v", r"\coth v", False),
    ("hyperbolic", r"\cot(h(v))", r"\coth(v)", False),  # no longer read as cot of a product
    ("bare call", r"\ln 5 + 1", "ln 5 + 1", True),
    ("bare call", r"\cos 2t", "cos 2t", True),
    ("bare call", r"\ln 5 + 1", "ln 6 + 1", False),
    ("bare call", r"\cos 2t", "sin 2t", False),
    ("bare call", "1", "sin^2 u + cos^2 u", True),
    ("bare call", r"\sin^2 u", "sin^3 u", False),
    # `sin^-1` is the inverse function, as the notation means (Math-Verify reads `\sin^{-1}` so)
    ("inverse notation", r"\arcsin u", "sin^-1 u", True),
    ("inverse notation", r"\arctan(2)", r"\tan^{-1}(2)", True),
    ("inverse notation", r"\csc u", r"\sin^{-1} u", False),
    ("inverse notation", r"\frac{1}{\sin u}", "sin^-1 u", False),
    ("inverse notation", r"\arccos u", r"\sin^{-1} u", False),
    # a signed exponent without braces
    ("signed exponent", "5^{t}", "(1/5)^-t", True),
    ("signed exponent", "0.001", "10^-3", True),
    ("signed exponent", r"\frac{1}{a}", "a^-1", True),
    ("signed exponent", "5^{t}", "5^-t", False),
    ("signed exponent", "2^{-t} + 1", "2^-t + 1", True),
    ("signed exponent", "2^{-t-1}", "2^-t - 1", False),  # the exponent is one token
]


@pytest.mark.parametrize("kind, gold, candidate, expected", KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_kind(kind, gold, candidate, expected):
    assert math_verdicts([(gold, candidate)])[0] is expected


def test_kinds_are_checked_in_one_batch_too():
    found = math_verdicts([(g, c) for _, g, c, _ in KINDS])
    assert [v is True for v in found] == [e for *_, e in KINDS]


# (gold text, prediction text, expected), compared by `text_verdicts` (the answer extracted first)
TEXTS = [
    # an item after the last box joins it as a list (and a hedge with "or")
    ("7", r"So we get \boxed{7} and 9", False),
    ("7", r"The answer is $\boxed{7}$, $9$.", False),
    ("7", r"\boxed{7} or 9", False),
    ("7, 9", r"So we get \boxed{7} and 9", True),
    ("7", r"So we get \boxed{7} and we are done.", True),  # prose after the box: the box alone
    ("7", r"\boxed{7}, and 9 was the other guess.", True),  # a sentence about the item: the box alone
    ("7", r"\boxed{7} and 9 apples", True),  # a word after the item: the box alone
    ("7", r"So $p = \boxed{7}$ and $q = 9$.", True),  # a statement about another quantity: the box alone
    # GSM8K's marker after a worded one
    ("18", "The answer is ####18", True),
    ("18", "Answer: #### 18", True),
    ("18", "The answer is ####19", False),
]


@pytest.mark.parametrize("gold, prediction, expected", TEXTS)
def test_text_kind(gold, prediction, expected):
    assert text_verdicts([(gold, prediction)])[0] is expected


def test_the_accuracy_extraction_reads_a_box_tail_and_a_gsm8k_marker_too():
    assert extract_answer(r"so \boxed{7} and 9") == "7, 9"
    assert extract_answer(r"so \boxed{7} and we stop.") == "7"
    assert extract_answer("Final answer: #### 12") == "12"
    assert final_answer(r"$\boxed{2}$ or $3$") == "2, 3"
    assert extract_answer(r"<answer>\boxed{2} and 3</answer>") == "2, 3"  # inside an answer tag too
    assert extract_answer(r"\boxed{} and 3") == ""  # an empty box gains no item


def test_relation_verdict_decides_only_names_equations():
    assert relation_verdict("u = v", "v") is False and relation_verdict("v", "u = v") is False
    assert relation_verdict("u = v", "v = u") is True and relation_verdict("u = v", "u = w") is False
    assert relation_verdict("u = 2v", "2v") is None and relation_verdict("u = v", "u - v = 0") is None
    assert relation_verdict("x = e", "e") is None and relation_verdict("x = x", "x") is None


def test_spell_functions_leaves_other_text_alone():
    for text in ("x^2 + 1", r"\sinh(x)", "sinhx", r"\coth^2 t", "cosine", "5 sec", "10^{-3}", r"e^-\frac{x}{2}"):
        assert spell_functions(text) == text  # a command with arguments is never taken as one term
    assert spell_functions("e^-{x+1}") == "e^{-(x+1)}" and spell_functions(r"2^-\pi") == r"2^{-\pi}"
    assert spell_functions("tanh x + coth y") == r"\tanh x + \frac{1}{\tanh(y)}"


def _worker_rules():
    path = Path(__file__).parents[1] / "src" / "reasoncraft" / "rewards" / "_worker_equations.py"
    spec = importlib.util.spec_from_file_location("_worker_equations_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_equivalent_equations_keeps_the_written_domain():
    """A zero of the numerator that is a zero of a written denominator is no solution: `(x-1)^2/(x-1) = 0`
    has none, so it is not `x - 1 = 0` by this rule, although sympy cancels the fraction."""
    import sympy  # heavy: only this test needs it

    rules = _worker_rules()
    x, y = sympy.symbols("x y", real=True)
    unevaluated = sympy.Eq(sympy.Mul((x - 1) ** 2, sympy.Pow(x - 1, -1, evaluate=False), evaluate=False), 0)
    assert not rules.equivalent_equations(unevaluated, sympy.Eq(x - 1, 0))
    keeps = sympy.Eq(sympy.Mul(x * (x - 1), sympy.Pow(x - 1, -1, evaluate=False), evaluate=False), 0)
    assert rules.equivalent_equations(keeps, sympy.Eq(x, 0))  # x = 1 is excluded and is no root of x
    assert rules.equivalent_equations(sympy.Eq(y, 1 / x), sympy.Eq(x * y, 1))
    assert not rules.equivalent_equations(sympy.Eq(x / y, 0), sympy.Eq(x, 0))  # (0, 0) solves only the second
    assert not rules.equivalent_equations(sympy.Eq(sympy.sin(x), y), sympy.Eq(2 * sympy.sin(x), 2 * y))  # no polynomial
    written = sympy.Mul(x * (y**2 + 1), sympy.Pow(y**2 + 1, -1, evaluate=False), evaluate=False)
    assert rules.lone_letter_equal(x, written) and rules.lone_letter_equal(written, x)
    assert not rules.lone_letter_equal(x, sympy.Abs(x)) and not rules.lone_letter_equal(x, y)
