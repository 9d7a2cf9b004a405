"""A programmatic teacher for sums: column addition written out digit by digit, carries included.

The task's own solver for `arith-sum-*` (the 2-digit sums of the quick comparison): where Countdown's
teacher is a search (`data.countdown`), a sum's teacher is the schoolbook algorithm, and its trace is
the reasoning a student should learn to write: each column from the ones up, its digits and the carry
added, the carry passed on, then the answer in the layout the prompt asks for.

    >>> print(column_addition_trace([47, 38]))
    ones: 7+8=15, carry 1
    tens: 4+3+1=8
    Answer: 85

The lines are terse on purpose: a trace must fit the token limit the student is evaluated with (the quick
comparison's 48 tokens; 2-digit sums take 23-44 tokens of SmolLM2's tokenizer in this layout, against 55-93
in a prose layout "Add the ones: 7 + 8 = 15. Write 5, carry 1." that the 48-token student was cut in).

Layouts: ``answer`` ends with an "Answer: N" line (the `arithmetic` template's instruction); ``r1``
puts the columns in a think block and the number in an answer block (the `r1-zero` template's).
Deterministic: the k traces of a problem are the same trace (deduplication then keeps one).
"""

from __future__ import annotations

import re
from typing import Any

LAYOUTS = ("answer", "r1")
_PLACES = ("ones", "tens", "hundreds", "thousands", "ten-thousands", "hundred-thousands")


def _place(i: int) -> str:
    return _PLACES[i] if i < len(_PLACES) else f"10^{i} column"


def column_lines(numbers: list[int]) -> list[str]:
    """The column-by-column steps of adding non-negative integers: the column's digits plus the carry
    coming in, their total, and the carry going out.

    >>> column_lines([5, 4])
    ['ones: 5+4=9']
    >>> column_lines([95, 17])
    ['ones: 5+7=12, carry 1', 'tens: 9+1+1=11, carry 1', 'hundreds: 1=1']
    """
    if not numbers or any(n < 0 for n in numbers):
        raise ValueError(f"column addition needs non-negative integers: got {numbers}")
    width = max(len(str(n)) for n in numbers)
    lines, carry, column = [], 0, 0
    while column < width or carry:
        terms = [(n // 10**column) % 10 for n in numbers if column < len(str(n))] + ([carry] if carry else [])
        total = sum(terms)
        carry = total // 10
        tail = f", carry {carry}" if carry else ""
        lines.append(f"{_place(column)}: {'+'.join(map(str, terms))}={total}{tail}")
        column += 1
    return lines


def column_addition_trace(numbers: list[int], layout: str = "answer") -> str:
    """The whole trace: the columns and the answer in `layout` (answer or r1)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}: got {layout!r}")
    total = sum(numbers)
    reasoning = "\n".join(column_lines(numbers))
    if layout == "r1":
        return f"<think>\n{reasoning}\n</think>\n<answer>{total}</answer>"
    return f"{reasoning}\nAnswer: {total}"


_SUM = re.compile(r"^\s*\d+(\s*\+\s*\d+)+\s*$")


class ColumnAdditionTeacher:
    """A `data.generate.Solver` for sums (`arith-sum-*` problems, whose `fields["expression"]` is "a + b")."""

    def __init__(self, layout: str = "answer"):
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}: got {layout!r}")
        self.layout = layout
        self.model_id = f"column-addition-{layout}"

    def solve(self, problem: Any, sample_index: int) -> str:
        expression = problem.fields.get("expression", "")
        if not _SUM.match(expression):
            raise ValueError(
                f"the column-addition teacher solves sums (arith-sum-* tasks); problem {problem.id} is "
                f"{expression or problem.question!r}: use teacher=countdown-dfs-shortcut for Countdown, "
                "or a model teacher"
            )
        return column_addition_trace([int(x) for x in expression.split("+")], self.layout)
