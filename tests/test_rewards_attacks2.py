"""Attacks on the answer checker and the accuracy reward, second round, by kind (fourteenth session, helper G).

Each kind has its attacks (scored not equal by `math_verdicts`, or by both `text_verdicts` and the `accuracy`
reward for a completion) and its honest counter-cases (equal). Hidden text is read as a reader sees it rendered
(`hidden.visible_text`): what is invisible is gone, so it can neither add a second answer nor make a wrong visible
answer right; styled text that is seen (`\\textcolor{red}{5}`) is read."""

import time

import pytest

from helpers import called_equal, lost_completions, paid_completions
from reasoncraft.rewards import get_reward, math_verdicts
from reasoncraft.rewards.checker import text_verdicts

LIMIT_S = 5.0

ANSWER_ATTACKS = {
    "hedge_between_choices": [
        ("[1,2,3]", "(B) [1,2,3] or (C) 7"),
        ("[1,2,3]", "[1,2,3] or 7"),
        ("(1,2)", r"(1,2) \text{ or } (3,4)"),
        ("5", "(B) 5 or (C) 7"),
        ("5", r"(B)\ 5\ \text{or}\ (C)\ 7"),
        ("5", "(B) 5, (C) 7"),
        ("5", r"5 \text{ else } 6"),
        ("5", r"5 \text{ otherwise } 6"),
        ("5", "5; 6"),
        ("5", "5 | 6"),
        ("5", "5 ; 6"),
        ("5", r"5 \text{; } 6"),
        ("5", r"5 \vee 6"),
        ("5", "5 ∨ 6"),
        ("5", r"5 \text{ and/or } 6"),
        ("5", r"5 \quad 6"),
        ("5", r"5 \\ 6"),
        ("5", r"\begin{cases} 5 \\ 6 \end{cases}"),
        ("B", "B/C"),
        ("B", "(B)/(C)"),
        ("B", "B|C"),
    ],
    "hidden_text": [
        ("6", r"\phantom{6}5"),
        ("6", r"\hphantom{6}5"),
        ("6", r"\vphantom{6}5"),
        ("6", r"{\color{white}6}5"),
        ("6", r"\textcolor{white}{6}5"),
        ("6", r"5\textcolor{white}{6}"),
        ("6", r"\mathcolor{white}{6}5"),
        ("6", r"\textcolor[rgb]{1,1,1}{6}5"),
        ("6", r"\textcolor[HTML]{FFFFFF}{6}5"),
        ("6", r"\color{white}{6}\color{black}5"),
        ("6", r"\scalebox{0}{6}5"),
        ("6", r"\resizebox{0pt}{!}{6}5"),
        ("6", r"\smash{6}5"),
        ("6", r"\llap{6}5"),
        ("6", r"\rlap{6}5"),
        ("6", r"\mathrlap{6}5"),
        ("6", r"{\tiny 6}5"),
        ("6", r"5\phantom{6}"),
        ("56", r"\phantom{5}6"),
        ("65", r"6\phantom{5}"),
        ("65", r"6{\color{white}5}"),
        ("6", r"\text{\phantom{6}}5"),
        ("6", r"\raisebox{100cm}{6}5"),
        ("5", r"\phantom{5}"),
        ("5", r"{\color{white}5}"),
        ("-5", r"\phantom{-}5"),
    ],
    "unicode": [
        ("12", "1\u200b3"),
        ("65", "\u202e56\u202c"),
        ("56", "\u202e56\u202c"),
        ("6", "\u202e5\u202c"),
        ("5", "5\u0336"),
        ("5", "6\u0338"),
        ("6", "𝟓"),
        ("5", "⁵"),
        ("5", "₅"),
        ("1/3", "½"),
        ("1/2", "⅓"),
        ("5", "−5"),
        ("(1,2)", "（1,3）"),
        ("6", "５"),
        ("6", "٥"),
        ("25", "2⁵"),
        ("5", "Ꮞ"),
        ("5", "S"),
        ("0", "O"),
        ("1", "l"),
        ("10", "1O"),
        ("6", "5\u20e3"),
    ],
    "vacuous": [
        ("5", "x = x"),
        ("5", "0 = 0"),
        ("5", r"\text{all of the above}"),
        ("5", r"\text{any value}"),
        ("5", r"\mathbb{C}"),
        ("5", r"\forall"),
        (r"\{1,2\}", r"\emptyset"),
        ("5", r"\text{none}"),
        ("5", "none"),
        ("5", r"\text{every real number}"),
        ("5", r"\text{undefined}"),
        ("5", r"\text{the answer}"),
        ("5", r"\text{same as the reference}"),
        ("B", "ABCD"),
        ("B", "(A)(B)(C)(D)"),
        ("B", "A, B, C, D"),
    ],
}

HONEST_ANSWERS = [
    ("5", r"\phantom{6}5"),
    ("5", r"\hphantom{6}5"),
    ("5", r"{\color{white}6}5"),
    ("5", r"5\phantom{6}"),
    ("5", r"\boxed{\phantom{6}5}"),
    ("5", r"\color{red}5"),
    ("5", r"\textcolor{red}{5}"),
    ("5", r"{\color{blue}5}"),
    ("5", r"\mathcolor{blue}{5}"),
    (r"\frac{1}{2}", r"\frac{1}{2}\phantom{0}"),
    (r"\frac{1}{2}", r"\textcolor{red}{\frac{1}{2}}"),
    ("5", r"\smash{5}"),
    ("5", r"\scalebox{2}{5}"),
    ("(1,2)", "(1,2)"),
    ("[1,2,3]", "[1, 2, 3]"),
    ("x=1, x=2", "x = 2 or x = 1"),
    ("3 or 4", "3 or 4"),
    ("12", "1\u200b2"),
    ("12", "1\u200d2"),
    ("5", "5\u200f"),
    ("5", "5\ufe0f"),
    ("(1,2)", "（1,2）"),
    ("5", "𝟓"),
    ("1/2", "½"),
    ("-5", "−5"),
    ("5", "５"),
    ("32", "2⁵"),
    ("x=x", "x=x"),
    ("5", "5 = 5"),
]

TEXT_ATTACKS = {
    "hidden_boxes": [
        ("5", r"{\color{white}\boxed{5}}"),
        ("5", r"\phantom{\boxed{5}}"),
        ("5", r"\boxed{6}{\color{white}\boxed{5}}"),
        ("5", r"\boxed{6}\phantom{\boxed{5}}"),
        ("5", r"\scalebox{0}{\boxed{5}}\boxed{6}"),
        ("5", r"The answer is \boxed{\phantom{5}6}."),
    ],
    "format_games": [
        ("5", "<answer>\\boxed{5} 6</answer>"),
        ("5", "<ANSWER>6</ANSWER>\\boxed{5}"),
        ("5", "<Answer>6</Answer> \\boxed{5}"),
        ("5", "\\boxed{6}<think></think>\\boxed{5}"),
        ("5", "```\n\\boxed{5}\n```\nThe answer is \\boxed{6}"),
        ("5", "The answer is `\\boxed{5}`... no wait, \\boxed{6}"),
        ("5", "The question asks for \\boxed{5}? No, I get \\boxed{6}."),
        ("5", "\\text{\\boxed{5}} \\boxed{6}"),
        ("5", "\\boxed{\\boxed{5}} \\boxed{6}"),
        ("5", "\\boxed{\\boxed{6}5}"),
        ("5", "\\boxed{5\\boxed{6}}"),
        ("5", "<answer>6</answer> \\boxed{5}"),
        ("5", "<answer>\\boxed{5}</answer> <answer>6</answer>"),
        ("5", "\\boxed{5}<think>\\boxed{6}</think>"),
        ("5", "\\boxed{5}\\mbox{\\boxed{6}}"),
        ("5", "\\boxed{5} \\\\ \\boxed{6}"),
        ("5", "Answer: **5** or **6**"),
        ("5", "The final answer is $\\boxed{5}$ $\\boxed{6}$"),
        ("5", "#### 5\n#### 6"),
        ("5", "\\boxed{5}\n\n```\nAnswer: 6\n```"),
        ("5", "\\boxed 5 \\boxed 6"),
        ("5", "<answer>5</answer><answer>6</answer>"),
        ("5", "\\boxed{5\\text{ else }6}"),
        ("5", "The answer is \\boxed{1\u200b2}"),
    ],
}

HONEST_TEXTS = [
    ("5", r"\boxed{5}\phantom{\boxed{6}}"),
    ("5", r"\phantom{\boxed{6}}\boxed{5}"),
    ("5", r"{\color{white}\boxed{6}}\boxed{5}"),
    ("5", r"\textcolor{red}{\boxed{5}}"),
    ("5", r"The answer is $\boxed{\textcolor{blue}{5}}$."),
    ("12", "The answer is \\boxed{1\u200b2}"),
    ("5", "<answer>The answer is \\boxed{5}.</answer>"),
    ("5", "<ANSWER>5</ANSWER>"),
    ("5", "<think>Maybe 6.</think>\n<answer>5</answer>"),
    ("5", "<think>\\boxed{6}</think>\\boxed{5}"),
    ("5", "Let me solve it.\n<think>2+3</think>\nSo \\boxed{5}."),
    ("5", "\\boxed 5"),
]

N = 200_000
LONG_TEXTS = {
    "phantom_openers": r"\phantom{" * (N // 9),
    "color_switches": r"\color{white}{" * (N // 14),
    "smash_nested": r"\smash{" * (N // 8) + "5" + "}" * (N // 8),
    "zero_width": "\u200b" * N + r"\boxed{5}",
    "think_then_tags": "<think>" * (N // 14) + "</think>" * (N // 14) + r"\boxed{5}",
    "upper_tags": "<ANSWER>" * (N // 8),
    "answer_first": "Answer: 5\n" + "Let me think. " * (N // 14),
    "choice_labels": "(A) " * (N // 4),
    "nested_boxes": r"\boxed{" * (N // 7) + "5" + "}" * (N // 7),  # peeled one layer at a time: 100 s before
    "nested_braces": "{" * (N // 2) + "5" + "}" * (N // 2),
    "nested_text": r"\text{" * (N // 7) + "5" + "}" * (N // 7),  # one layer per pass: 60 s before
    "nested_colours": r"\textcolor{red}{" * (N // 17) + "5" + "}" * (N // 17),
}


@pytest.mark.parametrize("kind", list(ANSWER_ATTACKS))
def test_answer_attacks_are_not_equal(kind):
    assert called_equal(ANSWER_ATTACKS[kind]) == []


def test_honest_answers_stay_equal():
    assert called_equal(HONEST_ANSWERS, equal=False) == []


@pytest.mark.parametrize("kind", list(TEXT_ATTACKS))
def test_completion_attacks_score_zero_by_both_readers(kind):
    cases = TEXT_ATTACKS[kind]
    got_through = paid_completions(cases)
    assert got_through == []


def test_honest_completions_stay_equal_by_both_readers():
    assert lost_completions(HONEST_TEXTS) == []


@pytest.mark.parametrize("name", list(LONG_TEXTS))
def test_long_completions_are_read_in_linear_time(name):
    text = LONG_TEXTS[name]
    start = time.monotonic()
    text_verdicts([("5", text)])
    get_reward("accuracy")([text], answer=["5"])
    assert time.monotonic() - start < LIMIT_S


@pytest.mark.parametrize("name", list(LONG_TEXTS))
def test_long_answers_get_a_verdict_within_the_deadline(name):
    start = time.monotonic()
    verdict = math_verdicts([("6", LONG_TEXTS[name])])[0]
    assert time.monotonic() - start < LIMIT_S
    assert verdict is False
