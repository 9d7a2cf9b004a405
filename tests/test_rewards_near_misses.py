"""False-positive kinds found in the eleventh session by near-miss candidates made from MATH-500, GSM8K, AIME and
AMC gold answers (a throwaway generator; the pairs below are written for this test and hand-checked). Each rule
keeps its counter-case: the equal spelling stays equal."""

import pytest

from reasoncraft.rewards import math_verdicts
from reasoncraft.rewards.checker import _spans_as_list, text_verdicts
from reasoncraft.rewards.extract import extract_answer

ANSWERS = [
    # a list that repeats an item is not that item (Math-Verify's sets drop repeats)
    ("repeat", "x+1", "x+1, x+1", False),
    ("repeat", r"\sqrt{2}", r"\sqrt{2}, \sqrt{2}", False),
    ("repeat", r"\pm 2", "2, 2", False),
    ("repeat", r"\pm 2", "2, -2", True),
    ("repeat", "1000", "1,000", True),  # a thousands separator makes one number
    # against a gold list, repeats follow Math-Verify's sets; plain numbers stay multisets
    ("repeat", r"\{x+1, 2\}", "2, x+1, x+1", True),
    ("repeat", "1, 2", "1, 2, 2", False),
    # several math spans joined by words: a list, so `or` is a hedge even when the spans carry units
    ("spans", r"5.4 \text{ cents}", r"5.4 \text{ cents}$ or $10.4 \text{ cents}", False),
    ("spans", r"15\mbox{ cm}^2", r"15\mbox{ cm}^2$ or $16\mbox{ cm}^2", False),
    ("spans", r"5 \text{ cm}", r"5 \text{ cm}$ and $5 \text{ cm}", False),
    ("spans", "2, 3", "x=2$ and $x=3", True),
    ("spans", r"\frac{1}{2}", r"$\frac{1}{2}$", True),
]


@pytest.mark.parametrize("kind, gold, candidate, expected", ANSWERS, ids=[f"{k[0]}-{i}" for i, k in enumerate(ANSWERS)])
def test_near_miss_answers_by_kind(kind, gold, candidate, expected):
    assert math_verdicts([(gold, candidate)])[0] is expected


TEXTS = [
    (r"5.4 \text{ cents}", r"The answer is $5.4 \text{ cents}$ or $10.4 \text{ cents}$.", False),
    (r"5.4 \text{ cents}", r"The answer is $5.4 \text{ cents}$.", True),
    ("12", "The answer is $12$ or $13$.", False),
    ("12", r"We get $12$ at first, but checking again, the final answer is $\boxed{13}$.", False),
    ("12", r"\boxed{12} or \boxed{13}", False),
    # an answer taken back later in the text: no one final answer (the value before the change was taken)
    ("12", "The answer is 12. Wait, actually it's 13.", False),
    ("13", "The answer is 12. Wait, actually it's 13.", False),  # nor the later value: a guess in mid-sentence
    ("12", r"So the answer is $\boxed{12}$. Hmm, no, the count is 13.", False),
    ("12", r"The answer is $\boxed{12}$. Actually, let me check: 5 + 7 = 12.", True),  # a check, not a change
    ("12", r"\boxed{12}. So our answer is correct.", True),
    # a prose answer sentence with several math items: none of them is the answer, unless the first item is
    # followed by a clause that explains it (", since ...", ", which is ...", "(...)"): then it is that item
    ("12", "The final answer is $13$, since $12$ fails the check.", False),
    ("13", "The final answer is $13$, since $12$ fails the check.", True),
    ("147", "The answer is 147, which is the sum of 66 and 81.", True),
    ("66", "The answer is 147, which is the sum of 66 and 81.", False),
    ("147", "Answer: 147 (66 + 81)", True),
    ("3", "Answer: 3 or 4, since 5 fails.", False),  # a hedge before the clause
    ("5", "Answer: 5 (or 6)", False),  # a hedge in brackets is no explanation
    ("3", "Final Answer: between 3 and 5 hours ago.", False),
    ("3", "Final Answer: Jane started 3 hours ago.", True),  # one item: that item
]


@pytest.mark.parametrize("gold, text, expected", TEXTS)
def test_near_miss_texts(gold, text, expected):
    assert text_verdicts([(gold, text)])[0] is expected


def test_spans_as_list_leaves_currency_and_prose_alone():
    assert _spans_as_list(r"\$5 or \$6") == r"\$5 or \$6"  # escaped dollars are money, not delimiters
    assert _spans_as_list("5$ cm or $6") == "5$ cm or $6"  # a word other than a joiner between the spans
    assert _spans_as_list("$5$, $6$") == "5, 6"


def test_the_accuracy_reward_reads_no_answer_that_is_taken_back():
    assert extract_answer(r"The answer is \boxed{9}. Wait, actually it's 10.") is None
    assert extract_answer("Answer: 9. Oops, it is 10.") is None
    assert extract_answer(r"\boxed{9}. Let me verify: 4 + 5 = 9.") == "9"
