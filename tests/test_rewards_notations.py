"""Notations found by probing the checker with answers written as models write them (thirteenth session, probes),
with counter-cases that stay unequal. The pairs are made for the kinds (docs/rewards.md, "Rules by kind (thirteenth
session, probes)"); none is a fixture pair.
"""

import pytest

from reasoncraft.rewards import math_verdicts, text_verdicts

# (kind, gold, candidate, expected verdict), answers compared by `math_verdicts`
KINDS = [
    # binomial coefficients and arrangements written with a letter
    ("binomial", "10", "C(5,2)", True),
    ("binomial", "10", "C(5, 3)", True),
    ("binomial", "10", "nCr(5,2)", True),
    ("binomial", "10", "5C2", True),
    ("binomial", "10", "{}_5C_2", True),
    ("binomial", "10", "^5C_2", True),
    ("binomial", "10", "C_5^2", True),
    ("binomial", r"\binom{5}{2}", "C(5,2)", True),
    ("binomial", r"\binom{7}{3}", "{}_{7}C_{3}", True),
    ("binomial", r"\frac{1}{3}", r"\frac{C(5,2)}{30}", True),
    ("binomial", "20", "nPr(5,2)", True),
    ("binomial", "20", "{}_5P_2", True),
    ("binomial", "20", "5P2", True),
    ("binomial", "11", "C(5,2)", False),
    ("binomial", r"\binom{6}{2}", "C(5,2)", False),
    ("binomial", "10", "C(2,5)", False),  # k > n: left as written
    ("binomial", "10", "5P2", False),  # arrangements, not a choice
    ("binomial", "(5,2)", "C(5,2)", False),
    ("binomial", "20", "P(5,2)", False),  # a probability or a point as often as a count
    ("binomial", "5C", "5C2", False),
    ("binomial", "x + C", "C + x", True),  # a constant C is untouched
    # a vector as a sum of unit vectors
    ("unit vectors", "(1,2)", r"\mathbf{i} + 2\mathbf{j}", True),
    ("unit vectors", "(1,2)", r"1\mathbf{i}+2\mathbf{j}", True),
    ("unit vectors", "(1,-2,3)", r"\hat{i} - 2\hat{j} + 3\hat{k}", True),
    ("unit vectors", r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", r"\mathbf{i} + 2\mathbf{j}", True),
    ("unit vectors", r"3\mathbf{i} - \mathbf{j}", "(3,-1)", True),
    ("unit vectors", "(3,-1)", r"-\vec{j} + 3\vec{i}", True),
    ("unit vectors", r"3\mathbf{i} - \mathbf{j}", "3i - j", True),  # plain letters once the other side marks them
    ("unit vectors", r"3\mathbf{i} - \mathbf{j}", r"3\hat{\imath} - \hat{\jmath}", True),
    ("unit vectors", r"\frac{1}{2}\mathbf{i} + \sqrt{2}\mathbf{j}", r"(\frac12, \sqrt2)", True),
    ("unit vectors", "(1,2,3)", r"\hat{i} + 3\hat{j} + 2\hat{k}", False),
    ("unit vectors", "(3,-1)", r"3\hat{i} + \hat{j}", False),
    ("unit vectors", "(3,-1)", r"3\hat{i} - \hat{j} + \hat{k}", False),
    ("unit vectors", "(3,-1,0)", r"3\hat{i} - \hat{j}", False),  # two components named, three asked
    ("unit vectors", r"3\mathbf{i} - \mathbf{j}", "3i + j", False),
    ("unit vectors", "3 + 2i", "(3, 2)", False),  # a lone i is the imaginary unit
    ("unit vectors", "3 + 2i", "2i + 3", True),
    ("unit vectors", r"\frac{1}{2}\mathbf{i} + \sqrt{2}\mathbf{j}", r"(\frac12, \sqrt3)", False),
    # a segment named by its end points
    ("segment", r"\overline{AB}", "AB", True),
    ("segment", "AB", r"\overline{AB}", True),
    ("segment", r"\overline{AB}", "BA", True),
    ("segment", r"\overline{A'B'}", "A'B'", True),
    ("segment", r"\overline{AB}", "AC", False),
    ("segment", r"\overline{AB}", r"\overline{AC}", False),
    ("segment", r"\overline{z}", "z", False),  # a conjugate
    ("segment", r"0.\overline{3}", r"\frac13", True),  # a repeating decimal, as before
    ("segment", r"0.\overline{3}", "3", False),
    # a choice letter before a value
    ("choice then value", "12", "(B) 12", True),
    ("choice then value", "12", r"\textbf{(B) } 12", True),
    ("choice then value", "12", r"\text{(B)}\ 12", True),
    ("choice then value", r"\text{(B) } 12", "12", True),
    ("choice then value", "B", "(B) 12", True),  # against a letter, the letter (as before)
    ("choice then value", "12", "(B) 13", False),
    ("choice then value", "12", "(B) 12 or (C) 13", False),
    ("choice then value", "12", "(B) 12, (C) 15", False),
    ("choice then value", "C", "(B) 12", False),
    ("choice then value", "(1,2)", "(B) (1,2)", True),
    ("choice then value", "(1,2)", "(B) (2,1)", False),
    ("choice then value", "(A) 5", "(B) 5", False),  # two choices: the letters differ (equal in Math-Verify direct)
    ("choice then value", r"\text{(A) } 5", "(B) 5", False),
    # invisible delimiters, `\inf`, intervals in the French spelling
    ("small spellings", "2", r"\left. 2 \right.", True),
    ("small spellings", r"(-\infty, 3]", r"(-\inf, 3]", True),
    ("small spellings", r"(-\infty, 3]", r"]-\infty, 3]", True),
    ("small spellings", "(1, 3)", "]1, 3[", True),
    ("small spellings", "[1, 3)", "[1, 3[", True),
    ("small spellings", r"(-\infty, 3)", r"]-\infty, 3]", False),
    ("small spellings", "[1, 3]", "[1, 3[", False),
    ("small spellings", r"(-\infty, 3]", r"(-\inf, 4]", False),
    ("small spellings", "C", "C) 12", True),  # a choice letter with its closing bracket only
    ("small spellings", "12", "C) 12", True),
    ("small spellings", "D", "C) 12", False),
    ("small spellings", r"\ln 2", r"\log_e 2", True),
    ("small spellings", r"\ln 2", r"\log_{e} 2", True),
    ("small spellings", r"\ln 3", r"\log_e 2", False),
    ("small spellings", r"\log_{10} 2", r"\log_e 2", False),  # equal in Math-Verify direct
    # numbers grouped by LaTeX spaces, siunitx
    ("grouped number", "1234567.89", r"1\,234\,567.89", True),
    ("grouped number", "12345", r"12\,345", True),
    ("grouped number", "1234", r"1\!234", True),
    ("grouped number", "1234567.8", r"1\,234\,567.89", False),
    ("grouped number", "12345", r"1\,2345", False),  # not a group of three
    ("grouped number", "x^{2}100", r"x^2\,100", True),  # an exponent is no group
    ("grouped number", "x^{2100}", r"x^2\,100", False),
    ("siunitx", "1234", r"\num{1234}", True),
    ("siunitx", r"6.02 \times 10^{23}", r"\num{6.02e23}", True),
    ("siunitx", r"6.02 \times 10^{23}", r"\num{6.02e22}", False),
    ("siunitx", "5", r"\SI{5}{\meter}", True),
    ("siunitx", r"5000 \text{ m}", r"\SI{5}{\kilo\meter}", True),
    ("siunitx", r"3 \text{ m/s}", r"\qty{3}{\meter\per\second}", True),
    ("siunitx", r"5 \text{ km}", r"\SI{5}{\meter}", False),
    # intervals joined by "or" against a union
    ("intervals or", r"(-\infty, 1) \cup (2, \infty)", r"(-\infty,1) \text{ or } (2,\infty)", True),
    ("intervals or", r"(-\infty, 1) \text{ or } (2, \infty)", r"(-\infty,1) \cup (2,\infty)", True),
    ("intervals or", r"(-\infty, 1) \cup (2, \infty)", r"(-\infty,1] \text{ or } (2,\infty)", False),
    ("intervals or", r"(-\infty, 1) \cup (2, \infty)", r"(-\infty,1), (2,\infty)", False),  # might be points
    ("intervals or", r"(-\infty, 1) \cup (2, \infty)", r"(-\infty,1) \text{ or } (3,\infty)", False),
    # a gold written as an operation still to be done (worked out in the worker)
    ("operation gold", r"\frac{d}{dx} x^2", "2x", True),
    ("operation gold", r"\frac{d}{dx}(x^3 + x)", "3x^2 + 1", True),
    ("operation gold", r"\int_0^1 x\,dx", r"\frac12", True),
    ("operation gold", r"\int_0^1 x\,dx", "0.5", True),
    ("operation gold", r"\int_0^1 x\,dx", r"\int_0^1 t\,dt", True),
    ("operation gold", r"\frac{d}{dx} x^2", "x^2", False),
    ("operation gold", r"\int_0^1 x\,dx", r"\frac13", False),
    ("operation gold", r"\int x^2\,dx", r"\frac{x^3}{3}", False),  # indefinite: up to a constant
    ("operation gold", r"\lim_{x \to 0} \frac{\sin x}{x}", "0", False),
    ("operation gold", r"\sum_{k=1}^{10} k", "56", False),
    # values given to letters
    ("named values", "(1,2)", "y=2, x=1", True),
    ("named values", "(1,2,3)", "z=3, x=1, y=2", True),
    ("named values", "(1,2)", r"y = 2 \text{ and } x = 1", True),
    ("named values", r"(\frac{1}{2}, -3)", r"y = -3, x = \frac{1}{2}", True),
    ("named values", "x=1, y=2", "y=2, x=1", True),
    ("named values", "a=1, b=2", "b=2, a=1", True),
    ("named values", "x=1, x=2", "x=2, x=1", True),  # roots of one letter: a set
    ("named values", "(3,2)", "n=3, k=2", True),  # not consecutive letters: as written, as before
    ("named values", "(1,2)", "y=1, x=2", False),
    ("named values", "(1,2,3)", "z=1, x=2, y=3", False),
    ("named values", "x=1, y=2", "x=2, y=1", False),  # equal before: read as sets of values
    ("named values", "x=1, y=2", "y=1, x=2", False),
    ("named values", "x=1, y=2", "x=1, z=2", False),  # another letter; equal before
    ("named values", "x=1, y=2", "x=1, y=2, z=3", False),
    ("named values", "x=1, x=2", "x=2, x=3", False),
    ("named values", "(1, 2)", "y=2, x=1, x=3", False),
    # ratios of three parts or more
    ("ratio", "1:2:3", "2:4:6", True),
    ("ratio", "1:2:3", "0.5:1:1.5", True),
    ("ratio", "1:2:3", "1 : 2 : 3", True),
    ("ratio", "1:2:3", r"1\colon 2\colon 3", True),
    ("ratio", "1:2:3", "-1:-2:-3", True),
    ("ratio", "1:2:3", "1:3:2", False),  # read as 1/2/3 = 1/3/2 before: a false positive
    ("ratio", "2:3:4", "2:4:3", False),
    ("ratio", "1:2:3", "1:2", False),
    ("ratio", "1:2:3", r"\frac{1}{6}", False),
    ("ratio", "1:2:3", "1:2:4", False),
    ("ratio", "3:4", r"\frac{3}{4}", True),  # two parts: the older reading, as in Math-Verify
    ("ratio", "3:4", "4:3", False),
    ("ratio", "7:15:00", "7:15", True),  # a time of day, as before
    ("ratio", "7:15:00", "7:16", False),
    # sets named by letters, in another order
    ("named sets", r"A \cup B", r"B \cup A", True),
    ("named sets", r"A \cap B", r"B \cap A", True),
    ("named sets", r"A \cup B \cup C", r"C \cup A \cup B", True),
    ("named sets", r"A \cup (B \cap C)", r"(C \cap B) \cup A", True),
    ("named sets", r"A^c \cap B", r"B \cap A^c", True),
    ("named sets", r"A \cup (B \cap C)", r"(A \cup B) \cap C", False),
    ("named sets", r"A \cup B", r"A \cup C", False),
    ("named sets", r"A \cap B", r"B \cup A", False),
    ("named sets", r"A^c \cap B", r"B \cap A", False),
    ("named sets", r"A \cup B", r"A \cup B \cup C", False),
    ("named sets", r"A \setminus B", r"B \setminus A", False),
]


@pytest.mark.parametrize("kind,gold,candidate,expected", KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_notation_kinds(kind, gold, candidate, expected):
    assert (math_verdicts([(gold, candidate)])[0] is True) is expected


# the same kinds inside model prose: extraction, then comparison
PROSE = [
    ("12", "Therefore, the answer is (B) 12.", True),
    ("12", r"Therefore, the answer is $\boxed{(B) 12}$.", True),
    ("12", "Therefore, the answer is (B) 13.", False),
    ("10", r"There are $\boxed{C(5,2)}$ ways.", True),
    ("(3,-1)", r"So $\vec{v} = \boxed{3\hat{i} - \hat{j}}$.", True),
    ("1:2:3", r"The ratio is $\boxed{1:3:2}$.", False),
    ("3", "# Answer\n\n3", True),  # a markdown heading, as PRM800K's solutions end
    (r"\frac{1}{2}", "We get 7 cases.\n\n## Final Answer\n\n$\\frac{1}{2}$", True),
    ("3", "# Answer\n\n3 or 5", False),
    ("3", "# Answer\n\n4", False),
    ("(1,2)", r"So $\boxed{y = 2, x = 1}$.", True),
    ("(1,2)", r"So $\boxed{y = 1, x = 2}$.", False),
    # a short sentence stating a one-word gold
    (r"\text{odd}", "The function is odd.", True),
    (r"\text{odd}", "Therefore, the function is odd.", True),
    (r"\text{Monday}", "The day is Monday.", True),
    (r"\text{odd}", "The function is not odd.", False),
    (r"\text{odd}", "The function isn't odd.", False),
    (r"\text{odd}", "The function is even.", False),
    (r"\text{odd}", "The function is neither even nor odd.", False),
    (r"\text{odd}", "The function is odd or even.", False),
    (r"\text{even}", "It is not clear whether the function is even.", False),
    # number words with a sign, fractions in words (`numwords`)
    ("-3", "The answer is negative three.", True),
    ("-12", "minus twelve", True),
    (r"\frac12", "The answer is one half.", True),
    ("0.5", "a half", True),
    (r"\frac{2}{3}", "two-thirds", True),
    (r"\frac{3}{4}", "three quarters", True),
    ("3", "The answer is negative three.", False),
    ("0.33", "one third", False),
    (r"\frac12", "one halves", False),
    (r"\frac23", "two third", False),
    (r"\frac12", "one half of them", False),
    (r"\frac{1}{2}", "The answer is one half or one third.", False),
]


@pytest.mark.parametrize("gold,text,expected", PROSE)
def test_notation_kinds_in_prose(gold, text, expected):
    assert (text_verdicts([(gold, text)])[0] is True) is expected
