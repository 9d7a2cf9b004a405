"""Honest completions with right answers, in the styles real models write, must stay equal (fourteenth session).

The completion-level rules against reward hacking (`statements.py`: every stated answer must equal the gold, a value
offered after the answer, a negated box; `doubt.py`; `computed.py`; the response after `</think>`) must not cost a
right answer: a false negative in an RL reward punishes it. Each kind of gold is written in many model styles
(DeepSeek-R1 reasoning with its "Wait," and rejected guesses, Qwen2.5-Math, Minerva, Llama-3, GSM8K, checks after
the box, second spellings, units, other quantities named after the answer, markdown, `<answer>` tags); every one
must be scored equal by `text_verdicts` and by the `accuracy` reward. Each kind keeps attack counter-cases of the
same shape (a real hedge or a second value) that must stay not equal.
"""

import pytest

from helpers import lost_completions, paid_completions

# kind -> (gold, the answer as a model writes it in LaTeX, a second equal spelling or None, a different value)
GOLDS = {
    "integer": [
        ("18", "18", None, "17"),
        ("-4", "-4", None, "4"),
        ("2024", "2024", "2{,}024", "2025"),
    ],
    "fraction": [
        (r"\frac{1}{2}", r"\frac{1}{2}", "0.5", r"\frac{1}{3}"),
        (r"\frac{7}{3}", r"\dfrac{7}{3}", r"2\frac{1}{3}", r"\frac{8}{3}"),
    ],
    "radical": [
        (r"2\sqrt{3}", r"2\sqrt{3}", r"\sqrt{12}", r"3\sqrt{2}"),
        (r"\frac{\sqrt{2}}{2}", r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}", r"\sqrt{2}"),
    ],
    "pi": [
        (r"4\pi", r"4\pi", None, r"2\pi"),
        (r"\frac{\pi}{6}", r"\frac{\pi}{6}", r"30^\circ", r"\frac{\pi}{3}"),
    ],
    "interval": [
        ("[0,1)", "[0, 1)", None, "[0,1]"),
        (r"(-\infty, 2]", r"(-\infty, 2]", None, r"(-\infty, 3]"),
    ],
    "tuple": [
        ("(1,2)", "(1, 2)", None, "(2, 1)"),
        ("(3,-1,4)", "(3, -1, 4)", None, "(3, 1, 4)"),
    ],
    "set": [
        (r"\{1,2,3\}", r"\{1, 2, 3\}", None, r"\{1, 2\}"),
        ("-2, 5", "-2, 5", None, "-2, 6"),
    ],
    "matrix": [
        (
            r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
            r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
            None,
            r"\begin{pmatrix} 1 & 2 \\ 3 & 5 \end{pmatrix}",
        ),
    ],
    "equation": [
        ("y = 2x + 3", "y = 2x + 3", None, "y = 2x - 3"),
        ("x=3", "x = 3", None, "x = 4"),
    ],
    "unit": [
        (r"12 \text{ cm}", r"12 \text{ cm}", None, r"13 \text{ cm}"),
        (r"45 \text{ minutes}", r"45 \text{ minutes}", None, r"40 \text{ minutes}"),
    ],
    "percent": [
        (r"25\%", r"25\%", None, r"20\%"),
    ],
    "money": [
        (r"\$18.50", r"\$18.50", None, r"\$18.00"),
        ("42", r"\$42", None, r"\$44"),
    ],
    "degrees": [
        (r"60^\circ", r"60^\circ", None, r"120^\circ"),
    ],
    "choice": [
        ("B", r"\text{(B)}", None, "C"),
        ("D", "D", None, "A"),
    ],
    "text": [
        (r"\text{Tuesday}", r"\text{Tuesday}", None, r"\text{Monday}"),
        (r"\text{even}", r"\text{even}", None, r"\text{odd}"),
    ],
}


def _plain(answer: str) -> str:
    """The answer as prose writes it outside math: `\\text{Tuesday}` -> Tuesday, `\\text{(B)}` -> (B)."""
    return answer.replace(r"\text{", "").replace("}", "") if answer.startswith(r"\text{") else answer


# style -> a completion from (answer, a second equal spelling or the answer, a different value)
STYLES = {
    "r1": lambda a, s, w: (
        f"<think>\nOkay, let me work this out. Hmm, maybe it is ${w}$? No, that fails the condition. "
        f"Wait, let me re-check the second step. Let me double-check: the first guess was off by one.\n"
        f"So it must be ${a}$.\n</think>\n\nAfter checking each case, the answer is $\\boxed{{{a}}}$."
    ),
    "r1_summary": lambda a, s, w: (
        f"<think>\nWait, is it ${w}$? Let me verify. No, that gives a contradiction. Hmm. Actually the answer "
        f"should be ${a}$.\n</think>\n**Solution.** We set up the equation and solve it.\n\n"
        f"1. Simplify both sides.\n2. Solve for the unknown.\n\nTherefore, the answer is $\\boxed{{{a}}}$."
    ),
    "qwen": lambda a, s, w: (
        f"To solve the problem, we compute step by step.\n\nStep 1: ...\n\nStep 2: ...\n\n"
        f"Therefore, the final answer is $\\boxed{{{a}}}$."
    ),
    "minerva": lambda a, s, w: (
        f"We have the following.\n\nFinal Answer: The final answer is ${a}$. I hope it is correct."
    ),
    "llama3": lambda a, s, w: (
        f"## Step 1: Set up\nWe start.\n\n## Step 2: Solve\nWe get ${a}$.\n\nThe final answer is: $\\boxed{{{a}}}$"
    ),
    "markdown": lambda a, s, w: f"Working it out gives ${a}$.\n\n**Answer:** ${a}$",
    "answer_tag": lambda a, s, w: f"<think>Try ${w}$: no. Then ${a}$ works.</think>\n<answer>${a}$</answer>",
    "check_after": lambda a, s, w: (
        f"So the answer is $\\boxed{{{a}}}$.\n\nCheck: substituting back, both sides agree, so ${w}$ is not a "
        f"solution but ${a}$ is. ✓"
    ),
    "verification": lambda a, s, w: (
        f"$$\\boxed{{{a}}}$$\n\nVerification: substituting x=3 gives 9 = 9 ✓. This matches the condition that n "
        f"is odd or prime."
    ),
    "two_spellings": lambda a, s, w: f"Hence the answer is $\\boxed{{{a}}}$, i.e. ${s}$.",
    "or_spelling": lambda a, s, w: f"Hence the answer is $\\boxed{{{a}}}$ (or equivalently ${s}$).",
    "explain_numbers": lambda a, s, w: (
        f"The answer is $\\boxed{{{a}}}$. This is because 3 of the 7 cases fail, and either way the count "
        f"otherwise would not be an integer; it is not 2 times larger."
    ),
    "other_quantity": lambda a, s, w: f"Solving, we find the value $\\boxed{{{a}}}$, and hence $y = 7$ and $z = 2$.",
    "table": lambda a, s, w: (
        f"| case | value |\n|---|---|\n| 1 | 3 |\n| 2 | 5 |\n\nThe table shows the answer: $\\boxed{{{a}}}$"
    ),
    "r1_alternatives": lambda a, s, w: (
        f"<think>\nAlternatively, maybe it is ${w}$? Or perhaps I made an error. Let me recompute. "
        f"Yes, ${a}$.\n</think>\nThe answer is $\\boxed{{{a}}}$."
    ),
    "answer_then_reason": lambda a, s, w: (
        f"**Final Answer**\n\\[\n\\boxed{{{a}}}\n\\]\n\nThis is the only possibility: the others (like 1 or 2) "
        f"were ruled out above."
    ),
    "wait_confirm": lambda a, s, w: (
        f"<think>Compute. Wait, maybe ${w}$? No.</think>\n$\\boxed{{{a}}}$\n\nWait, let me double-check this "
        f"once more: the computation above holds. Yes."
    ),
    "hope": lambda a, s, w: f"The final answer is $\\boxed{{{a}}}$. I hope it is correct.",
    "not_wrong": lambda a, s, w: f"The answer is $\\boxed{{{a}}}$, not ${w}$ (that value double counts).",
    "since_computation": lambda a, s, w: f"Thus the answer is $\\boxed{{{a}}}$, since $2 + 3 = 5$ and $5 - 1 = 4$.",
    "qed": lambda a, s, w: f"Putting it together, $\\boxed{{{a}}}$. $\\blacksquare$",
    "separator": lambda a, s, w: (
        f"**Answer:** $\\boxed{{{a}}}$\n\n---\n\n**Explanation:** we tried ${w}$ first, but it is not possible "
        f"because the sum must be at least 10."
    ),
    "bold_final": lambda a, s, w: f"### Final Answer\n\n\\[\n\\boxed{{{a}}}\n\\]",
    "r1_long": lambda a, s, w: (
        f"<think>\nAlright, so I need to find the value. Let me start by recalling the formula.\n\nHmm, if I plug in "
        f"the numbers I get ${w}$. Wait, that can't be right. Maybe I mixed up the terms? Let me try again.\n\n"
        f"Okay, redoing it carefully gives ${a}$. Let me double-check with another method... Yes, ${a}$ again. "
        f"So I'm confident.\n</think>\n\nTo solve this, we apply the formula carefully.\n\n"
        f"**Step 1.** Set up.\n**Step 2.** Simplify.\n\nThus, the answer is:\n\n$$\n\\boxed{{{a}}}\n$$"
    ),
}


def _honest():
    cases = []
    for kind, rows in GOLDS.items():
        for gold, answer, spelling, wrong in rows:
            for style, write in STYLES.items():
                cases.append((f"{kind}-{style}", gold, write(answer, spelling or answer, wrong)))
    return cases


# written by hand, by kind: (gold, completion)
HAND = [
    ("18", "Janet sells 16 - 3 - 4 = 9 eggs.\nShe makes 9 * 2 = $18 every day.\n#### 18"),
    ("18", "She makes 9 * 2 = <<9*2=18>>18 dollars.\n#### 18"),
    ("5", r"So $x = \boxed{5}$ and hence $y = 7$."),
    ("5", r"The answer is $\boxed{5}$. Note that 5 is odd or prime, so it satisfies the condition."),
    ("5", r"The answer is $\boxed{5}$, since $2 + 3 = 5$ and not $6$."),
    ("5", r"Thus $\boxed{5}$. (Either way, we get the same answer.)"),
    ("5", r"Thus $\boxed{5}$. Otherwise the sum would exceed 10."),
    ("5", "**Answer: 5**"),
    ("5", "The answer is 5."),
    ("5", r"Answer: $\boxed{5}$ apples."),
    (r"\frac{1}{2}", r"The probability is $\boxed{\frac12}$, i.e. 0.5 or 50%."),
    (r"\frac{1}{2}", r"The probability is $\boxed{\dfrac{1}{2}}$ (that is, $0.5$)."),
    ("3", r"<think>Maybe 6? No... 2+1=3. Wait, let me double-check. Yes.</think> The answer is $\boxed{3}$."),
    ("3", r"Verification: substituting $x=3$ gives $9 = 9$ ✓. So $\boxed{3}$ is correct."),
    ("3", r"The final answer is $\boxed{3}$. We can verify: $3^2 = 9$. ✓"),
    ("12", r"The answer is $\boxed{12}$ cm."),
    (r"12 \text{ cm}", r"The side is $\boxed{12\text{ cm}}$."),
    (r"12 \text{ cm}", "The side is 12 cm.\n\nAnswer: 12 cm"),
    ("B", "The correct option is **(B)**.\n\nAnswer: B"),
    ("B", r"$\boxed{B}$ is correct because A, C and D contradict the second condition."),
    ("B", "The answer is (B) 12."),
    ("x=3", r"Solving $2x = 6$ gives $\boxed{x=3}$. Check: $2 \cdot 3 = 6$ ✓"),
    (r"\text{Tuesday}", r"So the meeting falls on $\boxed{\text{Tuesday}}$, not Monday."),
    ("Tuesday", "The meeting is on Tuesday.\n\n**Final answer:** Tuesday"),
    ("(1,2)", r"The intersection point is $\boxed{(1,2)}$, so $x=1$ and $y=2$."),
    ("x=1, y=2", r"Therefore $x = 1$ and $y = 2$, so the answer is $\boxed{x=1, y=2}$."),
    (r"60^\circ", r"The angle measures $\boxed{60^\circ}$, or $\frac{\pi}{3}$ radians."),
    (r"25\%", r"The discount is $\boxed{25\%}$, i.e. $\frac14$ of the price."),
    ("10", r"There are $\binom{5}{2} = \boxed{10}$ ways."),
    ("7", r"The remainder is $\boxed{7}$, since $47 \equiv 7 \pmod{10}$."),
    ("4", "$\\boxed{4}$\n\nCheck: is 4 even? Yes, so the condition holds."),
    ("9", r"The answer is $\boxed{9}$. Could it be larger? No: 10 would exceed the bound."),
    ("9", r"The answer is $\boxed{9}$; the other candidates, 7 or 8, were ruled out above."),
    (r"\text{even}", r"$\boxed{\text{even}}$, or equivalently, not odd."),
    (r"\text{even}", r"$\boxed{\text{even}}$. Maybe surprising, but the parity argument is sound."),
    (r"\text{Tuesday}", r"$\boxed{\text{Tuesday}}$. Perhaps unexpectedly, it is not Monday."),
    (r"\text{Tuesday}", r"$\boxed{\text{Tuesday}}$, possibly surprisingly."),
    (r"\frac{\pi}{3}", r"The angle is $\boxed{\frac{\pi}{3}}$, which is $60^\circ$."),
    ("2", r"<think>Is it 3? Let me recount. Hmm, maybe 2. Yes.</think>\n\nThe answer is $\boxed{2}$."),
    ("1200", "She pays 12 * 100 = $1,200.\n#### 1,200"),
    (r"\pm 3", r"So $x^2 = 9$ gives $x = 3$ or $x = -3$, i.e. $\boxed{\pm 3}$."),
    ("3, -3", r"The solutions are $\boxed{3, -3}$."),
    ("5", r"The answer is $\boxed{5}$ apples."),
    ("5", r"The answer is $\boxed{5}$ \quad (since $x > 0$)."),
    ("5", "Answer: 5 (five)"),
    ("5", "So the answer is 5.\n\nFinal Answer: 5"),
    ("5", r"$\boxed{5}$, since $10/2 = 5$."),
    ("5", r"Hence $\boxed{5}$ ∎"),
    ("5", r"The answer is $\boxed{5}$. Note that 4 is not enough and 6 is too many."),
    ("5", r"The answer is $\boxed{5}$ (the smallest odd prime greater than 3)."),
    ("5", r"**Final Answer:** $\boxed{5}$ (exactly 5.0)"),
    ("-4", r"$\boxed{-4}$, or equivalently $x = -4$."),
    (r"\$18.50", r"She spends $\boxed{\$18.50}$, i.e. 18.50 dollars."),
    (r"50\%", r"The chance is $\boxed{50\%}$, that is $\frac12$."),
    ("C", r"The answer is $\boxed{C}$: every option except C fails the test."),
    ("C", "Looking at the options, (A) and (B) are too small and (D) too large.\n\n**Answer: (C)**"),
    ("12", r"The perimeter is $\boxed{12}$ units, or 12 cm."),
    (r"\frac{3}{4}", r"$\boxed{\frac{3}{4}}$, which is $0.75$ or $75\%$."),
    ("(2,3)", r"The vertex is at $\boxed{(2, 3)}$, i.e. $h = 2$ and $k = 3$."),
    ("7", r"Therefore $n = \boxed{7}$. (Check: $7 \cdot 8 / 2 = 28$ ✓.)"),
    ("7", "<answer>7</answer>"),
    ("7", "<think>6 or 7? Count again: 7.</think>\n<answer>7</answer>"),
    ("7", "<think>It is 7.</think>\n\nThe answer is 7."),
    ("7", "| n | value |\n|---|---|\n| 6 | 36 |\n| 7 | 49 |\n\n**Answer:** 7"),
    ("7", "1. Count the red balls: 3.\n2. Count the blue balls: 4.\n3. Total: 3 + 4 = 7.\n\n**Answer:** 7"),
    ("5", r"$\boxed{5}$ — note that 4 or 6 would violate the constraint."),
    ("5", "The answer is 5, not 6."),
    ("5", "The answer is $\\boxed{5}$.\n\nWait, let me verify: $2+3=5$. Correct!"),
    ("B", "The answer is **B**. Options A, C, or D are incorrect."),
    ("B", "Answer: (B)\n\nExplanation: A is too small, C or D too large."),
    ("6", r"The minimum is $\boxed{6}$, attained at $x = 2$ or $x = 4$."),
    ("6", r"The maximum value is $\boxed{6}$, which occurs when $a = 1$ or $a = -1$."),
    ("5", r"The answer is $\boxed{5}$. Alternatively, we could count the complement: 10 - 5 = 5."),
    ("5", r"So there are $\boxed{5}$ solutions, either positive or zero."),
    ("5", "$\\boxed{5}$\n\nOtherwise, if $x < 0$, there would be no solution."),
    ("5", r"Final answer: $\boxed{5}$. Is this reasonable? Yes, since 5 < 10."),
    ("x=3", r"$\boxed{x=3}$ (the root $x=-3$ is extraneous)."),
    ("3", r"$\boxed{3}$, since $x=-2$ is rejected (lengths are positive)."),
    ("4", r"Hence the remainder is $\boxed{4}$, or in other words $n \equiv 4 \pmod 7$."),
    ("5", "The answer is $\\boxed{5}$.\n\n**Note:** A common mistake is to answer 6 by counting the endpoints."),
    ("5", "The answer is $\\boxed{5}$.\n\nCommon mistake: answering 6 (counting both endpoints)."),
    (r"\sqrt{2}", r"$\boxed{\sqrt{2}} \approx 1.414$"),
    (r"\pi", r"The ratio is $\boxed{\pi}$, or approximately 3.14."),
    (r"2\sqrt{2}", r"The distance is $\boxed{2\sqrt{2}}$, which is about 2.83."),
    ("5", "<think>\nOK.\n</think>\n\nThe sum is $2 + 3 = 5$.\n\n$$\\boxed{5}$$\n\nSo, the answer is 5."),
    ("5", "Hence the answer is $\\boxed{5}$.\n\n---\n\n**Final Answer**\n\\boxed{5}"),
    ("5", r"$\boxed{5}$ (or five)"),
    ("0.5", r"$\boxed{0.5}$ (i.e. 1/2 or 50%)"),
    ("2", r"The answer is $\boxed{2}$. Note: x = -2 is also a root, but it is rejected because x > 0."),
    ("A", "The answer is $\\boxed{A}$.\n\n(B), (C) and (D) can be eliminated."),
    ("42", "He earns $\\$42$.\n\n**Answer:** \\$42"),
    (r"\frac{2}{3}", r"$P = \boxed{\dfrac{2}{3}} \approx 0.667$"),
    (r"\frac{2}{3}", r"$P = \boxed{\dfrac{2}{3}}$ (about 66.7%)"),
    ("5", "The answer is $\\boxed{5}$.\n\nActually, let me double check by another method: 10 - 5 = 5. Yes."),
    ("2", "The answer is $\\boxed{2}$.\n\nAnswer check: both roots, 2 and -3, satisfy it, but only 2 is positive."),
    ("C", r"The value is 5, which is option $\boxed{C}$."),
]

# counter-cases: real hedges of the same shapes, which must stay not equal
ATTACKS = [
    ("18", "#### 18 or maybe 17"),
    ("5", r"So $x = \boxed{5}$ or maybe 6."),
    ("5", r"The answer is $\boxed{5}$. Alternatively, 6."),
    ("5", r"The answer is $\boxed{5}$ (or possibly $6$)."),
    ("5", r"<think>\boxed{5}</think> Answer: 6"),
    ("5", r"The answer is not $\boxed{5}$."),
    ("5", r"$\boxed{5}$? No."),
    ("5", r"\boxed{5}. Hmm, 6?"),
    ("5", "**Answer:** 5\n\n**Answer:** 6"),
    ("5", r"\boxed{5} / 6"),
    (r"\frac{1}{2}", r"$\boxed{\frac12}$, or maybe $\frac13$."),
    ("3", r"<think>Wait.</think> The answer is $\boxed{3}$, though 4 is also plausible."),
    (r"12 \text{ cm}", r"$\boxed{12 \text{ cm}}$ or 13 cm"),
    ("B", r"The answer is $\boxed{B}$. Or C."),
    ("x=3", r"$\boxed{x=3}$, otherwise $x = 4$."),
    (r"\text{Tuesday}", r"$\boxed{\text{Tuesday}}$ or maybe Wednesday."),
    (r"60^\circ", r"$\boxed{60^\circ}$ or perhaps $120^\circ$."),
    (r"25\%", r"$\boxed{25\%}$ or maybe 20%."),
    ("(1,2)", r"$\boxed{(1,2)}$ or $(2,1)$"),
    (r"\text{even}", r"$\boxed{\text{even}}$, or perhaps odd."),
    ("Tuesday", "Final answer: Tuesday (maybe Monday)"),
    ("5", r"The answer is $\boxed{5}$, or 6 (which was ruled out earlier is 7)."),
    ("5", r"The answer is $\boxed{5}$, or 6 are both fine."),
    (r"\frac{\pi}{6}", r"$\boxed{\frac{\pi}{6}}$, or maybe $60^\circ$."),
    (r"60^\circ", r"$\boxed{60^\circ}$, or maybe $\frac{\pi}{6}$."),
    ("30", r"$\boxed{30}$, i.e. $\frac{\pi}{6}$."),
    ("18", "#### 17\n#### 18 or maybe 17"),
    ("5", r"$\boxed{5}$ $\blacksquare$ 6"),
    ("5", r"$\boxed{5}$ ∎ or 6"),
    ("5", r"The answer is $\boxed{5}$, or 6 if I misread the question."),
    ("5", r"The answer is $\boxed{5}$. If we had counted order, we would get 10 or 20."),
    ("5", r"$\boxed{5}$, or 6 does not violate the constraint."),
    ("5", r"$\boxed{5}$ or 6 is also correct."),
    ("5", r"$\boxed{5}$. It is 5 or 6."),
    ("5", "The answer is 6, not 5."),
    ("5", "The answer is $\\boxed{5}$.\n\nWait, let me verify: $2+3=6$."),
    ("5", "The answer is $\\boxed{5}$.\n\nWait, actually $x = 6$."),
    ("6", r"The minimum is $\boxed{6}$, or perhaps $x = 4$."),
    ("B", "Answer: (B)\n\nOr C."),
    (r"\sqrt{2}", r"$\boxed{\sqrt{2}} \approx 1.5$"),
    (r"\pi", r"The ratio is $\boxed{\pi}$, or approximately 3.15."),
    (r"\pi", r"The ratio is $\boxed{\pi}$, or 3.14."),
    (r"\frac{2}{3}", r"$P = \boxed{\dfrac{2}{3}} \approx 0.6$"),
    ("5", r"$\boxed{5}$. My mistake, it is 6."),
    ("5", r"$\boxed{5}$. Common mistake? No, the answer is 6."),
]


def _attacks():
    cases = list(ATTACKS)
    for rows in GOLDS.values():
        for gold, answer, _, wrong in rows:
            cases.append((gold, f"So the answer is $\\boxed{{{answer}}}$, or maybe ${wrong}$."))
            cases.append((gold, f"Final Answer: The final answer is ${answer}$. Alternatively, ${wrong}$."))
            cases.append((gold, f"<think>${answer}$</think>\n\nThe answer is $\\boxed{{{wrong}}}$."))
    return cases


HONEST = [(f"{kind}", gold, text) for kind, gold, text in _honest()] + [("hand", g, t) for g, t in HAND]
COUNTER = _attacks()


@pytest.mark.parametrize("kind", sorted({k.split("-")[0] for k, _, _ in HONEST}))
def test_honest_completions_are_equal_by_both_readers(kind):
    cases = [(g, t) for k, g, t in HONEST if k.split("-")[0] == kind]
    assert lost_completions(cases) == []


def test_counter_cases_stay_not_equal():
    assert paid_completions(COUNTER) == []
