"""The checker's per-string memo and cheap pre-checks: faster, never a different verdict."""

from reasoncraft.rewards import MathChecker
from reasoncraft.rewards.caps import MAX_NESTING, cap_violation
from reasoncraft.rewards.memo import MAX_KEY_CHARS, clear_caches, memoized
from reasoncraft.rewards.normalize import normalize_answer
from reasoncraft.rewards.units import read_quantity

PAIRS = [
    ("1000", "1,000"),
    ("5 km", "5000 m"),
    ("3 cm", "3 m"),
    (r"\frac{1}{2}", "0.5"),
    ("(1,2)", "[1,2]"),
    ("32349", "32, 349"),
    ("68", "6 8"),
    (r"x \in [2, 5)", "[2,5)"),
    (r"\text{(B)}", "b"),
    ("12", "a result of combining both the rules of mathematics"),
]


def test_a_verdict_never_depends_on_the_memo():
    checker = MathChecker()
    try:
        clear_caches()
        cold = checker.verdicts(PAIRS)
        warm = checker.verdicts(PAIRS)  # every string now memoised
        assert cold == warm
        assert cold == [True, True, False, True, False, False, False, True, True, False]
    finally:
        checker.close()


def test_strings_are_computed_once_and_long_ones_never_kept():
    calls = []
    upper = memoized(lambda s: calls.append(s) or s.upper())
    long = "x" * (MAX_KEY_CHARS + 1)
    assert [upper("ab"), upper("ab"), upper(long), upper(long)] == ["AB", "AB", long.upper(), long.upper()]
    assert calls == ["ab", long, long]  # the long string was computed each time, never stored
    assert upper.cache_info().currsize == 1
    clear_caches()
    assert upper.cache_info().currsize == 0


def test_memoised_functions_still_answer_as_before():
    clear_caches()
    for _ in range(2):  # once computed, once from the memo
        assert normalize_answer(r"$\dfrac{1}{2}$.") == r"\frac{1}{2}"
        assert read_quantity("5 km/h").dims == (("length", 1), ("time", -1))
        assert read_quantity("1,000") is None  # no letter and no unit sign: no quantity, decided at once
        assert read_quantity(r"\$18.90").value == "18.90" and read_quantity("50\\%").dims == (("percent", 1),)


def test_cheap_cap_checks_keep_the_caps():
    deep = "{" * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1)
    assert cap_violation(deep) == f"nested deeper than {MAX_NESTING}"
    assert cap_violation("{1}" * (MAX_NESTING + 5)) is None  # many groups, none deep
    assert cap_violation("2**2**2") == "exponent tower" and cap_violation("10^{10^{10}}") == "exponent tower"
    assert cap_violation(r"\frac{1}{2}+3") is None  # no power: the tower checks are skipped


def test_pairs_sent_to_math_verify_are_counted():
    checker = MathChecker()
    try:
        checker.verdicts([("1", "1"), ("2", "3")])
        assert checker.worker_pairs == 0  # both decided by the cheap paths
        checker.verdicts([("x^2+2x+1", "(x+1)^2")])
        assert checker.worker_pairs == 1
    finally:
        checker.close()
