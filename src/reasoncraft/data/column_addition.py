"""A programmatic teacher for sums: column addition written out digit by digit, carries included.

The task's own solver for `arith-sum-*` (the 2-digit sums of the quick comparison): where Countdown's
teacher is a search (`data.countdown`), a sum's teacher is the schoolbook algorithm, and its trace is
the reasoning a student should learn to write: each column from the ones up, the digits added, the
digit written and the carry passed on, then the answer in the layout the prompt asks for.

    >>> print(column_addition_trace([47, 38]))
    Add the ones: 7 + 8 = 15. Write 5, carry 1.
    Add the tens: 4 + 3 + 1 (carried) = 8. Write 8.
    So 47 + 38 = 85.
    Answer: 85

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
    """The column-by-column steps of adding non-negative integers.

    >>> column_lines([5, 4])
    ['Add the ones: 5 + 4 = 9. Write 9.']
    >>> column_lines([95, 17])[-1]
    'Add the hundreds: 1 (carried) = 1. Write 1.'
    """
    if not numbers or any(n < 0 for n in numbers):
        raise ValueError(f"column addition needs non-negative integers: got {numbers}")
    width = max(len(str(n)) for n in numbers)
    lines, carry, column = [], 0, 0
    while column < width or carry:
        digits = [(n // 10**column) % 10 for n in numbers if column < len(str(n))]
        total = sum(digits) + carry
        terms = " + ".join(str(d) for d in digits)
        if carry:
            terms = f"{terms} + {carry} (carried)" if terms else f"{carry} (carried)"
        digit, carry = total % 10, total // 10
        tail = f" Write {digit}, carry {carry}." if carry else f" Write {digit}."
        lines.append(f"Add the {_place(column)}: {terms} = {total}.{tail}")
        column += 1
    return lines


def column_addition_trace(numbers: list[int], layout: str = "answer") -> str:
    """The whole trace: the columns, the sum, and the answer in `layout` (answer or r1)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}: got {layout!r}")
    total = sum(numbers)
    reasoning = "\n".join([*column_lines(numbers), f"So {' + '.join(map(str, numbers))} = {total}."])
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
