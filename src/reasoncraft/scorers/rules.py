"""A rule-based step verifier for arithmetic and Countdown: a PRM that needs no model.

Every arithmetic claim "lhs = rhs" in a step (`12 + 7 = 19`, `8 * (5 - 3) = 16`, chains such as
`3 + 4 = 7 * 2 = 14`) is parsed and checked with exact rational arithmetic. Model text is never
evaluated: a small recursive-descent parser accepts only numbers, + - * / and parentheses, under
caps on length, digits and nesting, so a hostile step costs microseconds and runs nothing.

Step score: 1.0 when the step makes at least one claim and all hold, 0.0 when any claim fails, and
otherwise (no claim, e.g. "Answer: 19") the score of the previous step, starting from `neutral`.
Carrying the last verdict forward is what lets `last` aggregation see the most recent checked
claim. This makes PRM-guided search meaningful offline on a CPU, where no learned PRM can be
downloaded; it checks arithmetic, not whether the arithmetic answers the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from ..math.arith import STEP_CLAIMS, parse_exact
from .base import ScorerUsage, check_lengths

MAX_EXPRESSION_CHARS = STEP_CLAIMS.max_chars

_EXPR_CHARS = set("0123456789.+-*/() ")
_LEADING_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)(?![\d.])")
_TIMES = re.compile(r"(?<=[\d)])\s*[xX]\s*(?=[\d(])")


def parse_arithmetic(text: str) -> tuple[Fraction, bool]:
    """The exact value of an expression of numbers, + - * / and parentheses, and whether it has an operator.

    The parser is `reasoncraft.math.arith` in its `STEP_CLAIMS` dialect (decimals and unary minus
    allowed); it raises ValueError for anything else and ZeroDivisionError for a division by zero.

    >>> parse_arithmetic("8 * (5 - 3)")
    (Fraction(16, 1), True)
    >>> parse_arithmetic("2.5")
    (Fraction(5, 2), False)
    """
    parsed = parse_exact(text, STEP_CLAIMS)
    return parsed.value, parsed.has_operator


def _normalise(text: str) -> str:
    text = text.replace("×", "*").replace("·", "*").replace("÷", "/").replace("−", "-").replace("\\times", "*")
    text = text.replace("\\div", "/").replace("\\cdot", "*")
    return _TIMES.sub(" * ", text)


def _longest_parse(run: str, from_left: bool) -> tuple[str, Fraction, bool] | None:
    """The longest piece of `run` that parses: a suffix (left side of '=') or a prefix (right side)."""
    run = run.strip()
    starts = range(len(run)) if from_left else [0]
    ends = [len(run)] if from_left else range(len(run), 0, -1)
    for start in starts:
        if from_left and (start > 0 and run[start - 1] not in " (" and run[start].isdigit()):
            continue  # never start inside a number
        for end in ends:
            piece = run[start:end].strip()
            if not piece or (not from_left and end < len(run) and run[end - 1].isdigit() and run[end].isdigit()):
                continue
            try:
                value, has_op = parse_arithmetic(piece)
            except (ValueError, ZeroDivisionError, ArithmeticError):
                continue
            return piece, value, has_op
    return None


def _matches(left: Fraction, right_text: str, right: Fraction) -> bool:
    """Exact equality, or equality after rounding when the right side is a decimal (1/3 = 0.333)."""
    if left == right:
        return True
    decimals = re.search(r"\.(\d+)\s*$", right_text)
    if decimals and "/" not in right_text:
        return abs(left - right) <= Fraction(1, 2 * 10 ** len(decimals.group(1)))
    return False


def arithmetic_claims(text: str) -> list[tuple[str, str, bool]]:
    """Every claim "lhs = rhs" in `text` where a side has an operator, as (lhs, rhs, holds).

    In a chain each '=' is one claim between the expression before it and the number after it
    (`3 + 4 = 7 * 2 = 14` claims 3 + 4 = 7 and 7 * 2 = 14), as people and models write chains.

    >>> arithmetic_claims("First 12 + 7 = 19, then 19 * 2 = 40.")
    [('12 + 7', '19', True), ('19 * 2', '40', False)]
    >>> arithmetic_claims("Using 8 x (5 - 3) = 16. Answer = 16")
    [('8 * (5 - 3)', '16', True)]
    """
    text = _normalise(text)
    parts = text.split("=")
    claims = []
    for i in range(len(parts) - 1):
        left_run = _expression_run(parts[i], from_end=True)
        right_run = _expression_run(parts[i + 1], from_end=False)
        left = _longest_parse(left_run, from_left=True) if left_run.strip() else None
        if left is None:
            continue
        if left[2]:  # "a op b = c": c is the number right after '=' (in a chain "a + b = c * d" too)
            number = _LEADING_NUMBER.match(right_run)
            right = (number.group(1), Fraction(number.group(1)), False) if number else None
        else:  # "c = a op b"
            right = _longest_parse(right_run, from_left=False) if right_run.strip() else None
            if right is not None and not right[2]:
                continue  # "x = 5", "4 = 4": no operation to check
        if right is None:
            continue
        try:
            holds = _matches(left[1], right[0], right[1])
        except ArithmeticError:
            holds = False
        claims.append((left[0], right[0], holds))
    return claims


def _division_by_zero_claims(text: str) -> int:
    """Claims whose left side divides by zero count as failed (parse skips them otherwise)."""
    count = 0
    for part in _normalise(text).split("=")[:-1]:
        run = _expression_run(part, from_end=True).strip()
        if re.search(r"/\s*0+(?:\.0+)?\s*(?:$|[^\d.])", run):
            count += 1
    return count


def _expression_run(segment: str, from_end: bool) -> str:
    """The characters next to '=' that can belong to an arithmetic expression."""
    if from_end:
        i = len(segment)
        while i > 0 and segment[i - 1] in _EXPR_CHARS:
            i -= 1
        return segment[max(i, len(segment) - MAX_EXPRESSION_CHARS) :]
    i = 0
    while i < len(segment) and segment[i] in _EXPR_CHARS:
        i += 1
    run = segment[: min(i, MAX_EXPRESSION_CHARS)].rstrip()
    return run[:-1] if run.endswith(".") else run  # a full stop after the number


def step_verdict(step: str) -> float | None:
    """1.0 if the step's claims all hold, 0.0 if one fails, None if it makes no claim.

    >>> step_verdict("23 + 45 = 68"), step_verdict("23 + 45 = 67"), step_verdict("Answer: 68")
    (1.0, 0.0, None)
    """
    claims = arithmetic_claims(step)
    if _division_by_zero_claims(step):
        return 0.0
    if not claims:
        return None
    return 1.0 if all(holds for _, _, holds in claims) else 0.0


class ArithmeticVerifier:
    """A model-free PRM for arithmetic and Countdown: checks every "a op b = c" in each step.

    >>> ArithmeticVerifier().score_steps(["23 + 45?"], [["23 + 45 = 68", "Answer: 68"]])
    [[1.0, 1.0]]
    """

    def __init__(self, neutral: float = 0.5):
        if not 0.0 <= neutral <= 1.0:
            raise ValueError(f"neutral must be a score in [0, 1]: got {neutral}")
        self.neutral = neutral
        self.usage = ScorerUsage()

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        check_lengths(questions, solutions)
        self.usage.calls += 1
        out = []
        for steps in solutions:
            previous, scores = self.neutral, []
            for step in steps:
                verdict = step_verdict(step)
                previous = previous if verdict is None else verdict
                scores.append(previous)
            out.append(scores)
        return out
