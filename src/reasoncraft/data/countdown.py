"""A programmatic Countdown teacher: depth-first search written out as a reasoning trace.

Two trace styles from the same search, so they can be compared on the same problems:

- ``journey``: every step the search takes, dead ends and backtracking included, as in the
  O1 Replication Journey (arXiv 2410.18982) and Stream of Search (Gandhi et al. 2024, arXiv
  2404.03683): the student sees a wrong branch, sees why it fails, and sees the search back up;
- ``shortcut``: only the steps of the path that reaches the target.

Search: a state is the list of numbers still to combine (each with the expression that built it).
A move takes two of them and replaces them with a + b, a - b (a > b), a * b or a / b (b > 1
divides a), so every intermediate value is a positive integer, the same moves the task's
generator uses; hence every generated problem has a solution this search finds. A state with one
number left is a leaf: the target, or a dead end. Children are tried in a random order seeded by
(numbers, target, sample index), so the k traces of a problem differ. A random order that needs
more than `max_tries` moves is replaced by the next seed; after `max_seeds` seeds the order that tries
values closest to the target first is tried, then the budget doubles, so traces stay near the budget.

Output: ``<think>...</think>\\n<answer>EXPRESSION</answer>``, scored by the task's own ``countdown``
reward.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

STYLES = ("journey", "shortcut")


def moves(a: tuple[str, int], b: tuple[str, int]) -> list[tuple[str, str, int]]:
    """Every move combining two numbers into a positive integer: (step text, expression, value).

    >>> [step for step, _, _ in moves(("6", 6), ("3", 3))]
    ['6 + 3 = 9', '6 - 3 = 3', '6 * 3 = 18', '6 / 3 = 2']
    """
    (ea, va), (eb, vb) = (a, b) if a[1] >= b[1] else (b, a)
    ea, eb = _wrap(ea), _wrap(eb)  # a compound operand always keeps its parentheses
    out = [("+", f"{ea} + {eb}", va + vb)]
    if va > vb:
        out.append(("-", f"{ea} - {eb}", va - vb))
    out.append(("*", f"{ea} * {eb}", va * vb))
    if vb > 1 and va % vb == 0:
        out.append(("/", f"{ea} / {eb}", va // vb))
    return [(f"{va} {op} {vb} = {value}", expression, value) for op, expression, value in out]


def _wrap(expression: str) -> str:
    return f"({expression})" if " " in expression else expression


def _children(state: list[tuple[str, int]]) -> list[tuple[str, int, list[tuple[str, int]], str]]:
    """(step text, new value, next state, new expression) for every move from `state`."""
    out = []
    for i in range(len(state)):
        for j in range(i + 1, len(state)):
            rest = [x for k, x in enumerate(state) if k not in (i, j)]
            for step, expression, value in moves(state[i], state[j]):
                out.append((step, value, rest + [(expression, value)], expression))
    return out


@dataclass
class SearchResult:
    lines: list[str]  # the journey: every try, dead end and backtrack
    path: list[str]  # the shortcut: the steps that reach the target
    expression: str | None  # the solution, None when the search failed
    tries: int


def dfs(numbers: list[int], target: int, rng: random.Random | None, max_tries: int | None = None) -> SearchResult:
    """Depth-first search for `target`; `rng=None` tries values closest to the target first.

    >>> r = dfs([3, 5, 2], 16, None)
    >>> r.expression, r.path
    ('(5 + 3) * 2', ['5 + 3 = 8. Left: [2, 8].', '8 * 2 = 16. Reached 16.'])
    """
    lines: list[str] = []
    tries = 0

    def show(state: list[tuple[str, int]]) -> str:
        return "[" + ", ".join(str(v) for _, v in state) + "]"

    def visit(state: list[tuple[str, int]], depth: int) -> tuple[list[str], str] | None:
        nonlocal tries
        children = _children(state)
        if rng is None:
            children.sort(key=lambda c: abs(c[1] - target))
        else:
            rng.shuffle(children)
        indent = "  " * depth
        for step, value, nxt, expression in children:
            tries += 1
            if max_tries is not None and tries > max_tries:
                return None
            if len(nxt) == 1:
                if value == target:
                    lines.append(f"{indent}Try {step}. Reached {target}.")
                    return [f"{step}. Reached {target}."], expression
                lines.append(f"{indent}Try {step}. {value} is not {target}, dead end.")
                continue
            lines.append(f"{indent}Try {step}. Left: {show(nxt)}.")
            found = visit(nxt, depth + 1)
            if found is not None:
                path, solution = found
                return [f"{step}. Left: {show(nxt)}.", *path], solution
            if max_tries is not None and tries > max_tries:
                return None
            lines.append(f"{indent}No way to {target} from {show(nxt)}; back to {show(state)}.")
        return None

    start = [(str(n), n) for n in numbers]
    found = visit(start, 0)
    if found is None:
        return SearchResult(lines, [], None, tries)
    path, expression = found
    return SearchResult(lines, path, expression, tries)


def render_trace(numbers: list[int], target: int, result: SearchResult, style: str) -> str:
    """The search as a completion in the think/answer layout the Countdown task scores."""
    if style not in STYLES:
        raise ValueError(f"trace style must be one of {', '.join(STYLES)}: got {style!r}")
    head = f"Numbers: {list(numbers)}, target {target}."
    if result.expression is None:
        body = result.lines + ["No combination reaches the target."]
        return "<think>\n" + "\n".join([head, *body]) + "\n</think>"
    body = result.lines if style == "journey" else result.path
    return "<think>\n" + "\n".join([head, *body]) + f"\n</think>\n<answer>{result.expression}</answer>"


class CountdownSearchTeacher:
    """A `data.generate.Solver` for Countdown problems: `style` is "journey" or "shortcut"."""

    def __init__(self, style: str = "journey", max_tries: int = 40, max_seeds: int = 8):
        if style not in STYLES:
            raise ValueError(f"trace style must be one of {', '.join(STYLES)}: got {style!r}")
        if max_tries < 1 or max_seeds < 0:
            raise ValueError(f"need max_tries >= 1 and max_seeds >= 0: got {max_tries} and {max_seeds}")
        self.style, self.max_tries, self.max_seeds = style, max_tries, max_seeds
        self.model_id = f"countdown-dfs-{style}-t{max_tries}-s{max_seeds}"

    def search(self, numbers: list[int], target: int, sample_index: int) -> SearchResult:
        """The first seeded random order that finds the target within the budget; the budget doubles
        until one does (closest-first order tried last at each budget)."""
        budget = self.max_tries
        while True:
            for attempt in range(self.max_seeds):
                seed_text = f"{sorted(numbers)}|{target}|{sample_index}|{attempt}"
                rng = random.Random(int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big"))
                result = dfs(numbers, target, rng, budget)
                if result.expression is not None:
                    return result
            result = dfs(numbers, target, None, budget)
            if result.expression is not None or result.tries <= budget:  # found, or the whole tree was searched
                return result
            budget *= 2

    def solve(self, problem: Any, sample_index: int) -> str:
        numbers, target = list(problem.fields["numbers"]), int(problem.fields["target"])
        return render_trace(numbers, target, self.search(numbers, target, sample_index), self.style)
