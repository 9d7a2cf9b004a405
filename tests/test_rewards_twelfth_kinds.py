"""Rules by kind written against heldout12's and heldout13's wrong pairs (twelfth session), with counter-cases.

The pairs here are written for this test to illustrate a kind; none is a fixture pair (the kinds are named in
docs/rewards.md, "Rules by kind (twelfth session)").
"""

import pytest

from reasoncraft.rewards import math_verdicts

# (kind, gold, candidate, expected verdict), answers compared by `math_verdicts`
KINDS = [
    # an equation without unknowns is a statement: equal only when its sides pair up
    ("statement", r"7 \div 2 = 3.5", r"7 \div 2 = 4", False),
    ("statement", r"7 \div 2 = 4", r"7 \div 2 = 3.5", False),
    ("statement", r"\frac{1}{3} = \frac{1}{5}", r"\frac{1}{3} = 2", False),
    ("statement", "9 = 5", "6 = 2", False),  # the same difference of sides, another statement
    ("statement", r"2 \cdot 4 = 8", r"2 \times 4 = 8", True),
    ("statement", r"2 \cdot 4 = 8", r"8 = 2 \cdot 4", True),  # turned around
    ("statement", r"\frac{6}{4} = 1.5", r"\frac{3}{2} = \frac{3}{2}", True),  # each side by its value
    # two equations with no solution found: two empty solution lists prove nothing
    ("no solution", r"\frac{\cos(t)}{2} = 7", r"\frac{\cos(t)}{3} = 11", False),
    ("no solution", r"e^{u} = -4", r"e^{u} = -9", False),
    ("no solution", r"\frac{t^2}{2} = -7", "t^2 = -14", True),  # no real solution, but a multiple: the same equation
    ("no solution", "y + 3 = 5", "2y = 4", True),  # equations with solutions: compared as before
    # two written decimals a hair apart: another exact value (or a floating-point error), not a rounding
    ("hair apart", "2.75", "2.7500000004", False),
    ("hair apart", "2.75", "2.7499999996", False),
    ("hair apart", "0.1", "0.10000000000000001", False),
    ("hair apart", "6", "6.0000001", False),
    ("hair apart", "2.7500000004", "2.75", False),
    ("hair apart", "2.75", "2.750000", True),  # trailing zeros: the same value
    ("hair apart", "0.333333", "0.3333333", True),  # a rounding is off by a sizeable share of its last place: kept
    ("hair apart", "0.667", "0.6667", False),  # and 6 places still decide: they differ at the fourth
    ("hair apart", r"\frac{1}{3}", "0.333333", True),  # a fraction is not written digits: 6 places
]


@pytest.mark.parametrize("kind, gold, candidate, expected", KINDS)
def test_kind(kind, gold, candidate, expected):
    assert math_verdicts([(gold, candidate)])[0] is expected, kind
