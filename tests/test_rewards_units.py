"""Units on both sides of a pair, and degrees inside a trig function (`rewards.units`, `normalize`).

Each kind is tested both ways (equal and not equal) and in both orders (gold and candidate swapped). The pairs
are written for this test; none is a fixture case.
"""

from fractions import Fraction

import pytest

from reasoncraft.rewards import MathChecker, math_equal_many
from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.units import _TABLE, UNITS, read_quantity, unit_verdict

UNIT_PAIRS = [
    # different units of one dimension, the same number: never equal (they were, units being dropped)
    ("different unit", "5 km/h", "5 m/s", False),
    ("different unit", "3 cm", "3 m", False),
    ("different unit", r"3\text{ cm}", r"3\text{ mm}", False),
    ("different unit", "10 kg", "10 g", False),
    ("different unit", "2 hours", "2 minutes", False),
    ("different unit", r"12\mbox{ hours}", "12 s", False),
    ("different unit", r"\$5", "5 cents", False),
    ("different unit", r"12\text{ cm}^2", "12 cm", False),
    ("different unit", r"6\text{ m}^3", r"6\text{ m}^2", False),
    ("different unit", "30 mph", "30 km/h", False),
    ("different unit", "4 lb", "4 kg", False),
    # different dimensions
    ("different dimension", "90 degrees", "90 radians", False),
    ("different dimension", r"90^\circ", r"90 \text{ rad}", False),
    ("different dimension", "5 kg", "5 m", False),
    ("different dimension", r"50\%", "50 cents", False),
    ("different dimension", "7 m/s", "7 m", False),
    ("different dimension", r"30^\circ", r"30\%", False),
    # the same unit in another spelling: the values decide
    ("same unit", "5 m", "5 meters", True),
    ("same unit", r"12 \text{ cm}", "12 cm", True),
    ("same unit", r"12\,\text{cm}", r"12\mbox{ centimetres}", True),
    ("same unit", r"12\mbox{ hours}", "12 h", True),
    ("same unit", "3 kg", "3 kilograms", True),
    ("same unit", r"\$18.90", "18.90 dollars", True),
    ("same unit", r"\$15,\!000", "15,000 dollars", True),
    ("same unit", r"90^\circ", "90 degrees", True),
    ("same unit", r"90^{\circ}", "90°", True),
    ("same unit", r"28\%", "28 percent", True),
    ("same unit", "30 mph", "30 miles per hour", True),
    ("same unit", r"15\text{ cm}^2", "15 cm^2", True),
    ("same unit", "20 sq ft", r"20\text{ ft}^2", True),
    ("same unit", "20 square feet", r"20 \text{ft}^{2}", True),
    ("same unit", "5 km/h", r"5\text{ km}/\text{h}", True),
    ("same unit", r"2\sqrt{3}\text{ cm}", r"2\sqrt3 cm", True),
    ("same unit", r"\frac{1}{2}\text{ m}", "0.5 m", True),
    ("same unit", "x = 5 m", "5 metres", True),
    ("same unit", "1,000 m", "1000 meters", True),
    ("same unit", "$28$ %", r"28\%", True),  # math delimiters inside the answer, not a dollar sign
    ("same unit", "$5$ m", "5 meters", True),
    ("same unit, another value", "5 m", "6 meters", False),
    ("same unit, another value", r"12\text{ cm}", "13 cm", False),
    ("same unit, another value", r"90^\circ", "91 degrees", False),
    ("same unit, another value", r"2\sqrt{3}\text{ cm}", r"3\sqrt2 cm", False),
    # exact conversion within one dimension, plain numbers only
    ("conversion", "5 km", "5000 m", True),
    ("conversion", "1 h", "60 min", True),
    ("conversion", r"\$0.50", "50 cents", True),
    ("conversion", "3 ft", "36 in", True),
    ("conversion", "1 L", "1000 mL", True),
    ("conversion", "1 kg", "1000 g", True),
    ("conversion", "36 km/h", "10 m/s", True),
    ("conversion", r"2.5\text{ m}^2", r"25000\text{ cm}^2", True),
    ("conversion", r"\frac{1}{2} h", "30 minutes", True),
    ("conversion", "5 km", "500 m", False),
    ("conversion", "1 h", "61 min", False),
    ("conversion", r"\frac{1}{3}\text{ km}", "333 m", False),  # exact, not rounded
    ("conversion", "36 km/h", "10 mph", False),
    ("conversion", r"2\sqrt{3}\text{ km}", r"2000\sqrt{3}\text{ m}", False),  # not a plain number: not converted
    # what is not a quantity with a unit stays as before
    ("not a quantity", "5 m", "2 + 3 m", False),  # a sum: 2 + 3m
    ("not a quantity", "5 meters", "5x", False),
    # 5m without a space is 5 times m, except against a quantity of its dimension (twelfth session, `glued_like`)
    ("glued against a quantity", "5 meters", "5m", True),
    ("glued against a quantity", "5 seconds", "5m", False),
    ("unit on one side", "10", r"10\text{ cm}", True),
    ("unit on one side", r"12\mbox{ hours}", "12", True),
    ("unit on one side", "5", "5 km/h", True),
    ("unit on one side", "5", "6 km/h", False),
    ("unit on one side", r"50\%", "0.5", True),
    ("unit on one side", r"\$18.90", "18.9", True),
]


@pytest.mark.parametrize("kind, gold, candidate, expected", UNIT_PAIRS)
def test_units_on_both_sides(kind, gold, candidate, expected):
    assert math_equal_many([(gold, candidate), (candidate, gold)]) == [expected, expected], kind


TRIG_PAIRS = [
    (r"\sin 30^\circ", r"\frac{1}{2}", True),
    (r"\cos(60°)", "0.5", True),
    (r"\sin\left(30^\circ\right)", "1/2", True),
    (r"\tan^2 45^\circ", "1", True),
    (r"\sin{45^{\circ}}", r"\frac{\sqrt{2}}{2}", True),
    (r"2\sin 60^\circ", r"\sqrt{3}", True),
    (r"\sin 30^\circ", r"\cos 60^\circ", True),
    (r"\sin 30^\circ", r"\sin 30", False),  # sin of 30 radians: the degree sign was not a unit to drop
    (r"\sin 30^\circ", r"\sin 31^\circ", False),
    (r"\cos 60^\circ", "0.6", False),
    (r"2\sin 60^\circ", r"\sqrt{2}", False),
]


@pytest.mark.parametrize("gold, candidate, expected", TRIG_PAIRS)
def test_degrees_inside_a_trig_function(gold, candidate, expected):
    assert math_equal_many([(gold, candidate), (candidate, gold)]) == [expected, expected]


def test_units_in_extracted_answers():
    assert text_verdicts(
        [
            (r"\boxed{5 \text{ km/h}}", r"The speed is $\boxed{5\text{ m/s}}$."),
            (r"\boxed{5 \text{ km/h}}", r"The speed is $\boxed{5\text{ km/h}}$."),
            (r"$90^\circ$", r"So the angle is $\boxed{90 \text{ radians}}$."),
        ]
    ) == [False, True, False]


def _spelled(value: str, spelling: str) -> str:
    return f"\\${value}" if spelling == "$" else f"{value} {spelling}"


def test_every_pair_of_units_in_the_table_is_told_apart():
    """7 of one unit is never 7 of another (every pair of table rows), while every spelling of a row is that row."""
    rows = [spellings for spellings, _, _ in _TABLE]
    different = [(_spelled("7", a[0]), _spelled("7", b[0])) for a in rows for b in rows if a is not b]
    same = [(_spelled("7", row[0]), _spelled("7", s)) for row in rows for s in row[1:]]
    verdicts = math_equal_many(different + same)
    assert [p for p, v in zip(different, verdicts) if v] == []
    assert [p for p, v in zip(same, verdicts[len(different) :]) if not v] == []


def test_read_quantity():
    q = read_quantity(r"x = 2.5\times10^{-3}\text{ km}")
    assert (q.value, q.scale, q.dims) == (r"2.5\times10^{-3}", Fraction(1000), (("length", 1),))
    speed = read_quantity("60 miles per hour")
    assert speed.scale == Fraction(1609344, 3600000) and speed.dims == (("length", 1), ("time", -1))
    assert read_quantity("20 square feet").dims == read_quantity(r"20\text{ ft}^2").dims == (("length", 2),)
    assert read_quantity(r"\$-3").value == "-3" and read_quantity(r"-\$3").value == "-3"
    assert UNITS["metres"] == UNITS["m"] and UNITS["Meters".lower()] == UNITS["m"]
    for not_a_quantity in ("5", "5m", "12 apples", "x m", "2 + 3 m", "3, 4 m", r"\sin 30^\circ", r"30^\circ C", "m"):
        assert read_quantity(not_a_quantity) is None, not_a_quantity


def test_unit_verdict_is_none_only_for_the_same_unit():
    q = read_quantity
    assert unit_verdict(q("5 mL"), q(r"5\text{ cm}^3")) is None  # the same unit under two names
    assert unit_verdict(q("5 km"), q("5000 m")) is True
    assert unit_verdict(q("5 km"), q("5 m")) is False
    assert unit_verdict(q("5 s"), q("5 m")) is False


def test_unit_decisions_need_no_worker():
    """Different units, and conversions, are decided without Math-Verify: no worker process is started."""
    checker = MathChecker()
    try:
        assert checker.verdicts([("5 km/h", "5 m/s"), ("5 km", "5000 m"), ("90 degrees", "90 radians")]) == [
            False,
            True,
            False,
        ]
        assert checker._proc is None
    finally:
        checker.close()
