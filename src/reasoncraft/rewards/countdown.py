"""Countdown rewards: reach `target` with each of `numbers` used exactly once and + - * / ( ).

Two rewards, both pure functions of strings that never execute model text:

- ``countdown`` (`countdown_reward`, the default): 1.0 when the completion holds exactly one
  ``<answer>...</answer>`` block whose content is an expression of the given numbers, each used
  exactly once, with binary + - * / and parentheses only, equal to the target in exact rational
  arithmetic; 0.0 otherwise. Several answer blocks, a stray tag, unary minus, decimals, ``**``, ``//``,
  an ``=`` or any other character score 0. Format credit is the separate ``format``/``tag_count``
  rewards' job.
- ``countdown_tinyzero`` (`countdown_tinyzero_reward`): TinyZero's scorer
  (Jiayi-Pan/TinyZero ``verl/utils/reward_score/countdown.py``) reproduced exactly: the text after the
  first "Assistant:" (else "<|im_start|>assistant"; else score 0), its last line, the last
  ``<answer>`` tag there; 0 with no tag, 0.1 when the tag's equation uses other numbers (digit runs
  compared as a multiset), holds a character other than digits, ``+ - * / ( ) .`` and whitespace,
  fails to evaluate, or misses the target by 1e-5 or more; 1.0 when it hits it. TinyZero evaluates with
  Python ``eval``; here Python's own parser (`ast.parse`) reads the expression and a whitelist
  walker computes it with Python's number semantics (so ``2**3``, ``7//2``, unary minus and
  ``3.5`` behave as they did under ``eval``), with one guard TinyZero lacks: an integer power or
  product past 100,000 bits, or an equation over 10,000 characters, counts as "fails to evaluate"
  (TinyZero would compute a huge number or hang; either way the score is 0.1 unless such a number
  cancels back to the target), and one difference that never changes a score: where ``eval`` would
  return a tuple or an Ellipsis (then TinyZero's comparison fails: 0.1), this gives None (0.1). The
  fixture ``tests/fixtures/countdown_tinyzero.jsonl`` holds TinyZero's own scores on a corpus of
  completions and the test reproduces every one; on 194,717 random expressions over TinyZero's
  allowed characters, `python_arithmetic` returned what TinyZero's ``evaluate_equation`` returned
  except for one integer power past the size guard.

TinyZero scores the decoded prompt plus response; our completions exclude the prompt, so the
TinyZero reward scores ``TINYZERO_REPLY_START + completion``, the end of TinyZero's prompt followed
by the reply, which has the same text after the marker as TinyZero's sequence.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Sequence
from fractions import Fraction

from ..math.arith import COUNTDOWN, parse_exact
from ..prompts import TINYZERO_ASSISTANT_PREFIX
from .base import register_reward
from .extract import answer_tags
from .text import completion_text

__all__ = [
    "countdown_reward",
    "countdown_tinyzero_reward",
    "tinyzero_countdown_score",
    "tinyzero_extract",
    "python_arithmetic",
    "strict_countdown_value",
    "TINYZERO_REPLY_START",
]

TINYZERO_REPLY_START = "Assistant: " + TINYZERO_ASSISTANT_PREFIX
_TINYZERO_MARKERS = ("Assistant:", "<|im_start|>assistant")
_TINYZERO_TAG = re.compile(r"<answer>(.*?)</answer>")
_TINYZERO_ALLOWED = re.compile(r"^[\d+\-*/().\s]+$")
MAX_EQUATION_CHARS = 10_000
MAX_INT_BITS = 100_000


def _aligned(name: str, values, n: int) -> list:
    if values is None or isinstance(values, (str, int, float)):
        raise TypeError(f"countdown rewards need {name}=[...] with one entry per completion")
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries for {n} completions; they must align")
    return values


# -- TinyZero preset ------------------------------------------------------------------------------
def tinyzero_extract(solution_str: str) -> str | None:
    """TinyZero's `extract_solution`: the last `<answer>` on the last line after the assistant marker.

    >>> tinyzero_extract("Assistant: <think>1+2</think>\\n<answer> 1 + 2 </answer>")
    '1 + 2'
    >>> tinyzero_extract("<answer>3</answer>") is None  # no assistant marker
    True
    """
    for marker in _TINYZERO_MARKERS:
        if marker in solution_str:
            reply = solution_str.split(marker, 1)[1]
            break
    else:
        return None
    matches = list(_TINYZERO_TAG.finditer(reply.split("\n")[-1]))
    return matches[-1].group(1).strip() if matches else None


def _big(value):
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise OverflowError("integer too large")
    return value


def _power(base, exponent):
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise OverflowError("integer power too large")
    return base**exponent


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: _power,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _walk(node):
    if isinstance(node, ast.Expression):
        return _walk(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _big(_BINARY[type(node.op)](_walk(node.left), _walk(node.right)))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_walk(node.operand))
    raise ValueError(f"not plain arithmetic: {type(node).__name__}")


def python_arithmetic(expression: str):
    """The value Python's `eval` gives an arithmetic expression, computed without executing it.

    Numbers, + - * / // ** and parentheses only; anything else (where `eval` would give a tuple or
    an Ellipsis, or call a number), or any error (syntax, division by zero, overflow, the size
    guards), gives None.

    >>> python_arithmetic("(1 + 2) / 4"), python_arithmetic("-2**2"), python_arithmetic("7//2")
    (0.75, -4, 3)
    >>> python_arithmetic("1/0"), python_arithmetic("__import__('os')"), python_arithmetic("05")
    (None, None, None)
    """
    if len(expression) > MAX_EQUATION_CHARS:
        return None
    try:  # `eval` drops leading spaces and tabs of a string; `ast.parse` does not
        return _walk(ast.parse(expression.lstrip(" \t"), mode="eval"))
    except (SyntaxError, ValueError, TypeError, ArithmeticError, RecursionError, MemoryError):
        return None


def _tinyzero_numbers_ok(equation: str, numbers: Sequence[int]) -> bool:
    try:
        return sorted(int(n) for n in re.findall(r"\d+", equation)) == sorted(numbers)
    except (ValueError, TypeError):
        return False


def tinyzero_countdown_score(
    solution_str: str, numbers: Sequence[int], target, format_score: float = 0.1, score: float = 1.0
) -> float:
    """TinyZero's `compute_score` on its full decoded sequence (prompt and reply).

    >>> tinyzero_countdown_score("Assistant: <answer>(3 + 5) * 2</answer>", [2, 3, 5], 16)
    1.0
    >>> tinyzero_countdown_score("Assistant: <answer>3 + 5 + 2</answer>", [2, 3, 5], 16)
    0.1
    >>> tinyzero_countdown_score("Assistant: 16", [2, 3, 5], 16)
    0
    """
    equation = tinyzero_extract(solution_str)
    if equation is None:
        return 0
    if not _tinyzero_numbers_ok(equation, numbers) or not _TINYZERO_ALLOWED.match(equation):
        return format_score
    result = python_arithmetic(equation)
    if result is None:
        return format_score
    try:
        return score if abs(result - target) < 1e-5 else format_score
    except (TypeError, ArithmeticError):
        return format_score


@register_reward("countdown_tinyzero")
def countdown_tinyzero_reward(completions: Sequence, numbers=None, target=None, **fields) -> list[float]:
    """TinyZero's Countdown score of each reply (see the module docstring): 0, 0.1 or 1.0.

    >>> countdown_tinyzero_reward(["I try 3*5.\\n<answer>3 * 5 + 2</answer>", "<answer>3*5</answer>", "17"],
    ...                           numbers=[[2, 3, 5]] * 3, target=[17] * 3)
    [1.0, 0.1, 0]
    """
    n = len(completions)
    numbers, target = _aligned("numbers", numbers, n), _aligned("target", target, n)
    return [
        tinyzero_countdown_score(TINYZERO_REPLY_START + completion_text(c), nums, tgt)
        for c, nums, tgt in zip(completions, numbers, target)
    ]


# -- strict default -------------------------------------------------------------------------------
def strict_countdown_value(expression: str) -> tuple[Fraction, list[int]] | None:
    """Parse `expression` as integers joined by binary + - * / with parentheses (no unary signs,
    no decimals, no leading zeros) and return its exact value and the integers it uses, or None.

    The parser is `reasoncraft.math.arith` in its `COUNTDOWN` dialect.

    >>> strict_countdown_value("(6 - 2) * 3 / 4")
    (Fraction(3, 1), [6, 2, 3, 4])
    >>> strict_countdown_value("-2 + 5"), strict_countdown_value("2 ** 3"), strict_countdown_value("4 / (2 - 2)")
    (None, None, None)
    """
    try:
        parsed = parse_exact(expression, COUNTDOWN)
    except (ValueError, ZeroDivisionError, RecursionError):  # RecursionError: nesting past Python's limit
        return None
    return parsed.value, [int(n) for n in parsed.numbers]


def _strict_score(text: str, numbers: Sequence[int], target) -> float:
    if text.count("<answer>") != 1 or text.count("</answer>") != 1:
        return 0.0
    tags = answer_tags(text)
    if len(tags) != 1:
        return 0.0
    parsed = strict_countdown_value(tags[0])
    if parsed is None:
        return 0.0
    value, used = parsed
    if sorted(used) != sorted(int(x) for x in numbers):
        return 0.0
    return 1.0 if value == Fraction(target) else 0.0


@register_reward("countdown")
def countdown_reward(completions: Sequence, numbers=None, target=None, **fields) -> list[float]:
    """1.0 for exactly one `<answer>` whose expression uses every number once and equals the target.

    >>> countdown_reward(["<think>8*2=16</think><answer>(3 + 5) * 2</answer>",
    ...                   "<answer>(3+5)*2</answer> <answer>(3+5)*2</answer>", "<answer>(3+5)*2 = 16</answer>"],
    ...                  numbers=[[2, 3, 5]] * 3, target=[16] * 3)
    [1.0, 0.0, 0.0]
    """
    n = len(completions)
    numbers, target = _aligned("numbers", numbers, n), _aligned("target", target, n)
    return [_strict_score(completion_text(c), nums, tgt) for c, nums, tgt in zip(completions, numbers, target)]
