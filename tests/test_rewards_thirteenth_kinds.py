"""Rules by kind written against heldout15's and heldout16's wrong pairs (thirteenth session), with counter-cases.

The pairs here are written for this test to illustrate a kind; none is a fixture pair (the kinds are named in
docs/rewards.md, "Rules by kind (thirteenth session)").
"""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from reasoncraft.rewards import math_verdicts
from reasoncraft.rewards.extract import final_answer

# (kind, gold, candidate, expected verdict), answers compared by `math_verdicts`
KINDS = [
    # a name at the end of a formula, which Math-Verify's unit clean-up dropped (`c`, `t`, `h`, `ab` ...)
    ("trailing name", "5 - 5c", "-5c + 5", True),
    ("trailing name", "x + 3t", "3t + x", True),
    ("trailing name", r"\frac{1}{2} b h", r"\frac{bh}{2}", True),
    ("trailing name", r"2\pi r h", r"2 \pi h r", True),
    ("trailing name", "a + b + c", "c + b + a", True),
    ("trailing name", "x + 2ab", "2ba + x", True),
    ("trailing name", r"v_0 t + \frac{1}{2} g t^2", r"\frac{g t^2}{2} + v_0 t", True),
    ("trailing name", "x = t", "t = x", True),
    ("trailing name", "-3*d+3*1", "3 - 3d", True),
    ("trailing name", "5 - 5c", "5 - 5d", False),  # another name
    ("trailing name", "x + 3t", "x + 3", False),
    ("trailing name", r"\frac{1}{2} b h", r"\frac{1}{2} b", False),
    ("trailing name", r"2\pi r h", r"2\pi r", False),
    ("trailing name", "x + 2ab", "x + 2", False),
    ("trailing name", r"\pi r^2 h", r"\pi r^2 t", False),
    ("trailing name", "5", "5 s", False),  # a letter after a number is a product here, as before (`5 m` = 5m)
    ("trailing name", r"2\sqrt{3}", r"2\sqrt{3}\text{ cm}", True),  # a unit in `\text{}`: dropped, as before
    # arithmetic on written decimals, read exactly (Math-Verify added them as floats)
    ("decimal arithmetic", "0.5 + 0.06", r"\frac{56}{100}", True),
    ("decimal arithmetic", "300 + 20 + 0.7 + 0.08", "320 + 78/100", True),
    ("decimal arithmetic", r"0.25 \times 0.5", r"\frac{1}{8}", True),
    ("decimal arithmetic", r"2.5 \div 0.5", "5", True),
    ("decimal arithmetic", "7", "7 + 0.0000001", False),  # an exact value a hair off: not a rounding
    ("decimal arithmetic", "7 + 0.0000001", "7", False),
    ("decimal arithmetic", "2.5 + 0.25", "2.7500000001", False),  # a floating-point error: another value
    ("decimal arithmetic", "0.1 + 0.2", "0.30000000000000004", False),
    ("decimal arithmetic", "0.1 + 0.2", "0.3", True),
    ("decimal arithmetic", r"1.2 \times 10^{3}", "1200", True),
    ("decimal arithmetic", "0.5 + 0.06", r"\frac{57}{100}", False),
    ("decimal arithmetic", "300 + 20 + 0.7 + 0.08", "320 + 87/100", False),
    ("decimal arithmetic", r"\frac{1}{3}", "0.33 + 0", False),  # a rounding to 2 places is not the value
    ("decimal arithmetic", r"1.2 \times 10^{3}", "120", False),
    ("decimal arithmetic", "4.8", "6 8", False),  # digits split by a space: no product, no number
    ("decimal arithmetic", "0.5 + 0.06", "0.5, 0.06", False),  # a list is not its sum
    # a decimal exponent is the exact rational it spells: exact constants, `i` the imaginary unit
    ("decimal exponent", "2i", "(-4)^{0.5}", True),
    ("decimal exponent", "3*i", "(-9)^0.5", True),
    ("decimal exponent", r"\frac{1}{2}", "4^{-0.5}", True),
    ("decimal exponent", r"2\sqrt{2}", "2^{1.5}", True),
    ("decimal exponent", "-2i", "(-4)^{0.5}", False),  # the principal value
    ("decimal exponent", r"\sqrt[3]{2}", "2^{0.33}", False),  # 0.33 is not a third
    ("decimal exponent", "1.4142", "2^{0.5}", False),  # a rounding to 4 places, as before
    # set notation in Unicode, and a membership or inclusion written right to left
    ("set notation", r"t \notin S", "S ∌ t", True),
    ("set notation", "t ∉ S", r"t \notin S", True),
    ("set notation", r"t \in [0, 2]", r"[0, 2] \ni t", True),
    ("set notation", r"t \in (0, 2)", "(0, 2)", True),  # `t \in S` answers by its set, as before
    ("set notation", "t ∈ (0, 2)", "(0, 2)", True),
    ("set notation", "(0, 2) ∪ (3, 4)", r"(0, 2) \cup (3, 4)", True),
    ("set notation", "P ⊂ Q", r"Q \supset P", True),
    ("set notation", r"P \subseteq Q", "Q ⊇ P", True),
    ("set notation", "t ∈ ℝ", r"\mathbb{R}", True),
    ("set notation", r"t \in S", r"t \notin S", False),
    ("set notation", r"t \in S", r"S \not\ni t", False),
    ("set notation", r"t \in S", r"T \ni t", False),
    ("set notation", r"t \in S", r"S \ni u", False),  # a set given to another name
    ("set notation", r"t \in (0, 2)", r"u \in (0, 2)", False),
    ("set notation", "(0, 2]", "t ∈ (0, 2)", False),  # an open endpoint for a closed one
    ("set notation", "P ⊆ Q", r"Q \supset P", False),  # not strict against strict
    ("set notation", "P ⊂ Q", r"P \supset Q", False),
    ("set notation", "(0, 2) ∪ (3, 4)", r"(0, 2) \cup [3, 4)", False),
    ("set notation", "t ∈ ℤ", r"\mathbb{R}", False),
    # `round` and `mod` of written numbers, worked out where every tool agrees
    ("round", "round(41.7)", "42", True),
    ("round", "9", "round(9.49)", True),
    ("round", "round(-3.2)", "-3", True),
    ("round", "round(2.71828, 3)", "2.718", True),
    ("round", "mod(23, 7)", "2", True),
    ("round", "round(41.7)", "41", False),
    ("round", "round(6.5)", "7", False),  # a half: 6 to even, 7 half up; not read
    ("round", "round(6.5)", "6", False),
    ("round", "round(-6.5)", "-7", False),
    ("round", "round(2.71828, 3)", "2.72", False),
    ("round", "round(t)", "t", False),  # not a written number: left as written
    ("round", "mod(23, 7)", "3", False),
    ("round", "mod(-23, 7)", "5", False),  # a negative `mod`: the sign differs by tool; not read
    # `vec(x)`, math-expressions' vector, is `\vec{x}`
    ("vector name", "cos^2(vec(p)*vec(q)) + sin^2(vec(p)*vec(q))", "1", True),
    ("vector name", "vec(p) + vec(q)", r"\vec{q} + \vec{p}", True),
    ("vector name", "3*vec(u)", r"\vec{u} + 2\vec{u}", True),
    ("vector name", "vec(p) + vec(q)", r"\vec{q} + \vec{r}", False),
    ("vector name", "cos^2(vec(p)*vec(q)) + sin^2(vec(p)*vec(q))", "2", False),
    ("vector name", "vec(u)", "u", False),  # a vector is not the scalar of its letter
    # probed after heldout15/16 (none in a fixture): an approximation sign or estimate word before the value
    ("approximation", r"\sqrt{3}", r"\approx 1.732051", True),  # reaches Math-Verify without the sign now
    ("approximation", r"\sqrt{3}", "≈ 1.732051", True),
    ("approximation", "2.72", "approximately 2.72", True),
    ("approximation", "41", "About 41", True),
    ("approximation", r"\sqrt{3}", r"\approx 1.73", False),  # a rounding to 2 places is not the value
    ("approximation", r"\sqrt{3}", r"\approx 1.732052", False),
    ("approximation", "41", "about 42", False),
    # an exact value followed by its approximation, against a decimal gold: the approximation, when it is one
    ("exact then approximation", "1.73", r"\sqrt{3} \approx 1.73", True),
    ("exact then approximation", "0.79", r"\frac{\pi}{4} ≈ 0.79", True),
    ("exact then approximation", r"\sqrt{3}", r"\sqrt{3} \approx 1.73", True),  # the exact gold: as before
    ("exact then approximation", "1.74", r"\sqrt{3} \approx 1.74", False),  # not the rounding of sqrt 3
    ("exact then approximation", "1.83", r"\sqrt{3} \approx 1.83", False),  # a false statement
    ("exact then approximation", "1.73", r"\sqrt{3} \approx 1.732", False),  # another rounding than the gold's
    ("exact then approximation", "1.73", r"2t \approx 1.73", False),  # not an exact constant
    # a repeating decimal with brackets, dots or an ellipsis
    ("repeating decimal", r"\frac{2}{3}", "0.(6)", True),
    ("repeating decimal", r"\frac{5}{6}", r"0.8\dot{3}", True),
    ("repeating decimal", r"\frac{2}{7}", r"0.\dot{2}8571\dot{4}", True),
    ("repeating decimal", r"\frac{2}{3}", "0.666...", True),
    ("repeating decimal", r"\frac{5}{6}", r"0.8333\ldots", True),
    ("repeating decimal", r"\frac{2}{7}", "0.285714285714…", True),
    ("repeating decimal", r"-\frac{2}{3}", "-0.(6)", True),
    ("repeating decimal", "1", "0.999...", True),
    ("repeating decimal", r"\frac{2}{3}", "0.667", False),  # a rounding to 3 places, no ellipsis
    ("repeating decimal", r"\frac{2}{3}", "0.(7)", False),
    ("repeating decimal", r"\frac{5}{6}", r"0.\dot{8}3", False),  # one dot must be over the cycle's end
    ("repeating decimal", r"\frac{2}{3}", "0.6...", False),  # one digit before the ellipsis: no cycle shown
    ("repeating decimal", "1", "0.999", False),
    ("repeating decimal", r"\sqrt{2}", "1.41421...", False),  # a truncation, no repeating block: left as written
    # a number grouped in thousands against an expression
    ("grouped number", "1,048,576", "2^{20}", True),
    ("grouped number", "10^{6}", "1{,}000{,}000", True),
    ("grouped number", "-4,096", "-2^{12}", True),
    ("grouped number", "1,048,577", "2^{20}", False),
    ("grouped number", "1.000", "1,000", False),  # a decimal point is no thousands separator
    ("grouped number", "32, 349", "32349", False),  # a list is not a spaced thousands group
    # scientific notation with the letter x, and `\nicefrac`
    ("letter times", r"4.5 \times 10^{-3}", "4.5 x 10^-3", True),
    ("letter times", "45000", "4.5 X 10^4", True),
    ("letter times", "45000", "4.5 x 10^5", False),
    ("letter times", "4.5x", "4.5 x", True),  # a letter x not before a power of ten stays a name
    ("nicefrac", r"\frac{3}{8}", r"\nicefrac{3}{8}", True),
    ("nicefrac", r"\frac{3}{8}", r"\nicefrac{8}{3}", False),
    # a matrix given as a nested list, a vector in angle brackets
    ("nested list", r"\begin{pmatrix} 5 & 6 \\ 7 & 8 \end{pmatrix}", "[[5, 6], [7, 8]]", True),
    ("nested list", r"\begin{bmatrix} 5 & 6 \\ 7 & 8 \end{bmatrix}", "Matrix([[5, 6], [7, 8]])", True),
    ("nested list", r"\begin{pmatrix} 5 \\ 6 \end{pmatrix}", "[[5], [6]]", True),
    ("nested list", r"\begin{pmatrix} 5 & 6 \\ 7 & 8 \end{pmatrix}", "[[5, 7], [6, 8]]", False),  # transposed
    ("nested list", r"\begin{pmatrix} 5 & 6 \\ 7 & 8 \end{pmatrix}", "[[5, 6], [7]]", False),
    ("nested list", r"\begin{pmatrix} 5 & 6 \\ 7 & 8 \end{pmatrix}", "[[5, 6, 7, 8]]", False),
    ("nested list", r"[5, 6] \cup [7, 8]", "[[5, 6], [7, 8]]", False),  # not against a matrix: not read
    ("angle brackets", "(5, 6, 7)", r"\langle 5, 6, 7 \rangle", True),
    ("angle brackets", "(5, 6, 7)", "⟨5, 6, 7⟩", True),
    ("angle brackets", r"\begin{pmatrix} 5 \\ 6 \end{pmatrix}", r"\left\langle 5, 6 \right\rangle", True),
    ("angle brackets", "(5, 6, 7)", r"\langle 5, 7, 6 \rangle", False),
    ("angle brackets", "(5, 6)", r"\langle 5, 6, 7 \rangle", False),
    # "does not exist" and DNE
    ("does not exist", r"\text{DNE}", "does not exist", True),
    ("does not exist", "DNE", r"\text{Doesn't exist}", True),
    ("does not exist", r"\text{does not exist}", "d.n.e.", True),
    ("does not exist", r"\text{DNE}", "0", False),
    ("does not exist", r"\text{DNE}", r"\text{undefined}", False),
    ("does not exist", r"\text{DNE}", r"\infty", False),
    # a currency other than the dollar, by its sign or code: its own unit, the amount against a bare number
    ("currency", "75", "€75", True),
    ("currency", "75", "75€", True),
    ("currency", "75.25", "£75.25", True),
    ("currency", "75", "Rs. 75", True),
    ("currency", "2,400", "¥2,400", True),
    ("currency", "€75", "75 euros", True),
    ("currency", "€75", "EUR 75", True),
    ("currency", r"\$75", "USD 75", True),
    ("currency", "76", "€75", False),
    ("currency", "€75", r"\$75", False),  # another currency: no exchange rate
    ("currency", "€75", "£75", False),
    ("currency", "₹75", "¥75", False),
]

# (text, the answer `final_answer` finds): an ellipsis that ends a repeating decimal is kept
EXTRACTED = [
    ("The answer is 0.333...", "0.333..."),
    ("The answer is $0.1666...$.", "0.1666..."),
    ("Answer: 12... So we are done.", "12."),  # an ellipsis before the next sentence: as before
]


@pytest.mark.parametrize("kind, gold, candidate, expected", KINDS)
def test_kind(kind, gold, candidate, expected):
    verdict = math_verdicts([(gold, candidate)])[0]
    assert verdict is True if expected else verdict is not True, kind  # a time-out under load is "not equal" too


@pytest.mark.parametrize("text, expected", EXTRACTED)
def test_extracted(text, expected):
    assert final_answer(text) == expected


def test_the_worker_keeps_unit_words_and_leaves_out_names():
    path = Path(__file__).parents[1] / "src" / "reasoncraft" / "rewards" / "_worker_units.py"
    spec = importlib.util.spec_from_file_location("_worker_units", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    normalization = SimpleNamespace(units=["feet", "cm", "c", "t", "a .", "ab", "hour"], units_regex=None)
    assert module.keep_names(normalization) == 4
    assert normalization.units_regex.sub(r"\1", "3 feet") == "3"
    assert normalization.units_regex.sub(r"\1", "x + 5 cm") == "x + 5"
    assert normalization.units_regex.sub(r"\1", "5 - 5c") == "5 - 5c"
    assert normalization.units_regex.sub(r"\1", r"\frac{1}{2} a b") == r"\frac{1}{2} a b"
    assert module.keep_names(SimpleNamespace(units_regex=None)) == 0  # another version: left as it is
