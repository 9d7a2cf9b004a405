"""Eleventh-session rules by kind: exact values are equal only when exactly equal, and identities are read over the
reals (equal wherever both written forms are real). Pairs are written for this test, hand-checked; none is a
fixture case. Each kind keeps its counter-case wrong."""

import pytest

from reasoncraft.rewards import math_verdicts
from reasoncraft.rewards.constants import constants_equal
from reasoncraft.rewards.exact import numbers_equal, plain_number
from reasoncraft.rewards.numeric import evaluate, numeric_verdict

KINDS = [
    # two exact values (integers, fractions, radicals, pi, e) are equal only when exactly equal: no tolerance
    ("exact", "99999998/99999999", "99999999/10^8", False),  # agree to 16 digits: doubles cannot tell them apart
    ("exact", r"\sqrt{10^{10}+1}", r"10^5+\frac{1}{2\cdot 10^5}", False),  # agree to 20 digits
    ("exact", r"\sqrt{2}", r"\frac{1414213562373095}{10^{15}}", False),  # Math-Verify's 15-digit evalf said equal
    ("exact", r"\frac{10^{20}+1}{10^{20}}", "1", False),
    ("exact", r"\pi", r"\frac{355}{113}", False),
    ("exact", r"\sqrt{8}", r"2\sqrt{2}", True),
    ("exact", r"\frac{\sqrt{6}+\sqrt{2}}{4}", r"\cos 15^\circ", True),
    ("exact", "1+2i", "i(2-i)", True),
    ("exact", r"2^{30}", "1073741824", True),
    # a decimal is an approximation: both sides rounded to 6 places (Math-Verify's float_rounding), never to nothing
    ("decimal", r"\frac{1}{3}", "0.333333", True),
    ("decimal", r"\frac{1}{7}", "0.1428571", True),
    ("decimal", r"\ln 2", "0.693147", True),
    ("decimal", r"\frac{1}{3}", "0.33", False),  # two places: not Math-Verify's six
    ("decimal", r"\frac{1}{3}", "0.3333", False),
    ("decimal", r"\frac{1}{7}", "0.142858", False),
    ("decimal", "0.0000001", "0", False),  # rounding to 6 places leaves no digit of either
    ("decimal", "0.0000001", "0.0000002", False),
    ("decimal", "0", "0.0", True),
    # a power of a power: equal only where both forms are real and agree (x < 0 with an even power inside)
    ("power of a power", "(x^2)^k", "x^(2k)", False),  # x = -2, k = 1/2: 2 against -2
    ("power of a power", "(x^a)^b", r"x^{ab}", False),
    ("power of a power", r"\sqrt{x^{2n}}", "x^n", False),
    ("power of a power", r"\frac{((n+1)^{1/(n+1)})^{n+2}}{n+2}", r"\frac{(n+1)^{(n+2)/(n+1)}}{n+2}", False),
    ("power of a power", r"(x^{2})^{3/2}", "x^3", False),
    ("power of a power", r"(x^3)^k", r"x^{3k}", True),  # an odd power keeps the sign: equal wherever both are real
    ("power of a power", "6*(x-2)^(3*k)", "6*((x-2)^3)^k", True),  # a negative base at x = 3/2: still equal
    ("power of a power", r"(x^6)^{1/3}", "x^2", True),
    ("power of a power", r"(x^{1/2})^2", "x", True),
    # both real only at whole n (special values, not an open set): not equal, a cost for this true identity
    ("power of a power", r"(-\cos x)^n", r"(-1)^n \cos^n x", False),
    ("power of a power", r"\ln((x^9)^n)", r"\ln((-x^9)^n)", False),  # a sign error that only even n would hide
    # both real only for x >= 5, beyond the generic points (the tenth session's STACK label: not equal)
    ("domain", r"\sqrt{x-3}\sqrt{x-5}", r"\sqrt{(x-3)(x-5)}", False),
    # a formula that differs by a little against a large size: the identity check compares 45 digits, not doubles
    ("large", r"10^{20}x", r"10^{20}x+1", False),
    ("large", r"e^{e^{m}+64}", r"e^{e^{m}+64}+1", False),
    ("large", "x", r"x+10^{-20}", False),  # Math-Verify's 15-digit `evalf(chop=True)` said equal
    ("large", "e^{y}", r"e^{y}+\frac{1}{10^{20}}", False),
    ("large", r"\sin^2 x + \cos^2 x", "1", True),
    ("large", "f(x)", r"f(x)+10^{-20}", False),  # around an undefined function too
    ("large", "f(x)+1", "1+f(x)", True),
    ("large", r"10^{20}x^{3k}", r"10^{20}(x^3)^k", True),
    # a constant written with symbols
    ("constant", "1", "sqrt(k/m)*sqrt(m/k)", True),  # real only where k/m > 0, and 1 there
    ("constant", "1", "sqrt(k/m)*sqrt(k/m)", False),
    ("constant", "0", "x - x + y/y", False),
    # the older identities for positive quantities stay, and so do their counter-cases
    ("positive", r"\ln(x^2)", r"2\ln x", True),  # ln x is real only for x > 0: its own domain
    ("positive", r"\sqrt{a}\sqrt{b}", r"\sqrt{ab}", True),
    ("positive", r"\sqrt{x^2}", "x", False),
    ("positive", r"\arccos(\cos x)", "x", False),
    ("positive", r"\sqrt[4]{x^4}", "x", False),
    ("positive", "|x|", "x", False),
]


@pytest.mark.parametrize("kind, gold, candidate, expected", KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_exact_values_and_real_identities_by_kind(kind, gold, candidate, expected):
    assert math_verdicts([(gold, candidate)])[0] is expected


def test_constants_are_compared_to_fifty_digits():
    assert constants_equal("99999998/99999999", "99999999/10^8") is False
    assert constants_equal(r"\sqrt{8}", r"2\sqrt{2}") is True
    assert constants_equal(r"\sqrt{-4}", "2i") is True  # principal values, as before
    assert constants_equal(r"\sin\frac{\pi}{6}", r"\frac{1}{2}") is True


def test_the_numeric_precheck_does_not_rule_out_a_formula_that_leaves_the_reals():
    """`((x-2)^3)^k` at the pre-check's x (in (1.1, 2.1)) is a power of a negative base: its principal value is
    complex and differs from `(x-2)^{3k}`'s, but over the reals the two agree, so the pre-check must not decide."""
    assert evaluate("((x-2)^{3})^{k}") is None
    assert numeric_verdict("6(x-2)^{3k}", "6((x-2)^{3})^{k}") is None
    assert numeric_verdict("x^2", "x^3") is False  # real all the way: still ruled out
    assert abs(evaluate(r"\sqrt{-4}") - 2j) < 1e-12  # a constant keeps its principal value


def test_a_decimal_that_rounds_to_nothing_is_not_zero():
    assert numbers_equal(plain_number("0.0000001"), plain_number("0")) is False
    assert numbers_equal(plain_number("0.0000004"), plain_number("0.0000001")) is False
    assert numbers_equal(plain_number("0.1234567"), plain_number("0.123457")) is True  # Math-Verify's 6 places
