"""Answer kinds added in the sixth session, each as a general rule with its counter-case kept wrong.

The pairs here are written for this test (they illustrate a kind); none is a fixture case.
"""

import pytest

from reasoncraft.rewards import math_equal_many
from reasoncraft.rewards.checker import text_verdicts
from reasoncraft.rewards.extract import final_answer


@pytest.mark.parametrize(
    "kind, gold, candidate, expected",
    [
        # compound units after a number: only known unit symbols, and only with a slash or a power
        ("compound unit", "5", "5 km/h", True),
        ("compound unit", "3", "3 m/s^2", True),
        ("compound unit", "2", "2 g/cm^3", True),
        ("compound unit", "5", "6 km/h", False),
        ("compound unit", "5", "5 m", False),  # a lone letter after a number is a product: 5m
        ("compound unit", "5", "5 a/b", False),  # not unit symbols: 5a/b
        # old-style font switches and font wrappers
        ("font", "4", r"{\bf 4}", True),
        ("font", "4", r"\bf 4", True),
        ("font", "x+1", r"\boldsymbol{x}+1", True),
        ("font", "4", r"{\bf 5}", False),
        # a remark in brackets after a number
        ("remark", "2", r"2 \text{ (twice)}", True),
        ("remark", "11", "11 (days)", True),
        ("remark", "2", "2 (x)", False),  # a letter in brackets is a factor (2x), not a remark
        ("remark", "3", "2 (three)", False),
        # a choice letter named with its word, or followed by the choice's text
        ("choice", "C", "Option C", True),
        ("choice", "B", "choice (b)", True),
        ("choice", "C", "(C) 42", True),
        ("choice", "C", "Option D", False),
        ("choice", "C", "(D) 42", False),
        ("choice", "C", "(C) or (D)", False),  # a hedge between letters
        ("choice", "C", "(C) 42 and (D) 43", False),
        # a list is not a number, even a list of one repeated value
        ("list for a number", "4", r"4 \text{ and } 4", False),
        ("list for a number", "4", "4, 4", False),
        ("list for a number", "1000", "1, 000", False),
        ("list for a number", "1000", "1,000", True),  # thousands separator: still one number
        ("list for a number", "1.5", "1,5", True),  # decimal comma: still one number
        # Unicode math as typed
        ("unicode", r"2\sqrt{3}", "2√3", True),
        ("unicode", r"\sqrt{x+1}", "√(x+1)", True),
        ("unicode", r"(-\infty, 2]", "(-∞, 2]", True),
        ("unicode", "x^2+1", "x²+1", True),
        ("unicode", r"\frac{3}{4}", "¾", True),
        ("unicode", "6", "2·3", True),
        ("unicode", r"2\sqrt{3}", "3√2", False),
        ("unicode", "x^2+1", "x³+1", False),
        ("unicode", r"\frac{3}{4}", "¼", False),
        ("cube root", r"\sqrt[3]{2}", "cbrt(2)", True),
        ("cube root", r"\sqrt[3]{2}", "cbrt(3)", False),
        # a mixed number in plain text, read as \frac writes it; digits split by a space stay apart
        ("mixed number", r"137\frac{1}{2}", "137 1/2", True),
        ("mixed number", "1.8", "1 4/5", True),
        ("mixed number", "137", "137 1/2", False),
        ("mixed number", "68", "6 8", False),
        # one number in brackets, with leading zeros (AIME writes `(073)`)
        ("bracketed number", "73", "(073)", True),
        ("bracketed number", "73", "(074)", False),
        ("bracketed number", "(1,2)", "(2,1)", False),  # a pair is still a pair
        # a sentence's comma after the answer
        ("trailing comma", "2", "2,", True),
        ("trailing comma", "2", "3,", False),
        # an approximation sign before the value, and percent written as a word
        ("approximation", "3.14", r"\approx 3.14", True),
        ("approximation", "3.14", "≈ 3.14", True),
        ("approximation", "3.14", r"\approx 3.15", False),
        ("approximation", r"\pi", r"\approx 3.14", False),  # an approximation is not the exact value
        ("percent word", "0.25", "25 percent", True),
        ("percent word", "25", "25 pct", True),
        ("percent word", "0.26", "25 percent", False),
    ],
)
def test_answer_kinds(kind, gold, candidate, expected):
    assert math_equal_many([(gold, candidate)]) == [expected], kind


@pytest.mark.parametrize(
    "gold, prediction, expected",
    [
        ("2,3", "The solutions are $x=2$ and $x=3$.", True),
        ("2,3,4", "The roots are $2$, $3$ and $4$.", True),
        ("3", "It is $3$ or $5$.", False),  # spans joined by "or": a hedge is a list, not 3
        ("5", "Take $x=2$, then $y = 5$.", True),  # a word between spans: only the last one
        ("7", "#### 7", True),  # GSM8K's answer line
        ("7", "#### 8", False),
        ("C", "The correct option is (C).", True),  # a prose text naming only a choice
        ("C", "The correct option is (D).", False),
        ("52_8", "**52_8**", True),  # markdown bold around a base subscript
        ("52_8", "**53_8**", False),
        ("73", r"So $xy=\boxed{073}$. Another way: $xy=\boxed{\textbf{(073)}}$", True),  # one answer, two spellings
        ("73", r"So $xy=\boxed{073}$. Another way: $xy=\boxed{74}$", False),  # two answers: none
        ("44", r"It is $\boxed{44}$. We check: $17\cdot 44 = 748$, so our answer is correct.", True),
        ("118000", "Hence, the net proceeds are $118 000.", True),  # a spaced amount after a currency sign
        ("118000", "Hence, the net proceeds are 118 000.", False),  # without one, `118 000` is ambiguous: 000
        ("5", "Thus, x = 5.", True),  # a connective before the math
        ("5", "Thus, x = 6.", False),
        ("5", "**Answer**\n\n5", True),  # a markdown heading as the answer marker
        ("5", "**Answer**\n\n6", False),
        ("5", "答案是 5", True),  # prose in another script
        ("5", "Ответ: 6", False),
        (r"\text{yes}", "Yes, it is possible.", True),  # a yes/no answer opening the sentence
        (r"\text{yes}", "No, it is not.", False),
        (r"\text{no}", "No solution exists.", False),  # "No" must stand alone
        ("(1,2)", "The point is (1, 2).", True),  # a pair of numbers in prose
        ("(1,2)", "The point is (2, 1).", False),
        ("3", "Between (1, 2) we pick 3", True),
        (r"(-\infty, 2) \cup (3, \infty)", r"(-inf, 2) \cup (3, inf)", True),  # math names are not prose
        (r"(-\infty, 2) \cup (3, \infty)", r"(-inf, 2) \cup (4, inf)", False),
    ],
)
def test_answers_in_prose(gold, prediction, expected):
    assert text_verdicts([(gold, prediction)]) == [expected]


def test_choice_in_prose_only_without_numbers():
    """A bracketed letter is read as the answer only when the prose has no number or math at all:
    `For part (a), the answer is 5` answers 5."""
    assert final_answer("For part (a), the answer is 5") == "5"
    assert final_answer("Part (a) is done; the numbers were 3 and 4.") == "4"
