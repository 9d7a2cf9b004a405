"""Equations and lone letters that Math-Verify leaves unproved (loaded by `_verify_worker.py`, not imported).

Both checks take the two parsed answers of a pair Math-Verify found unequal and can only add an "equal":

- `equivalent_equations(gold, candidate)`: two equations with the same solution set because one is a nonzero
  multiple of the other, by a constant or by an expression that is nonzero wherever either is defined:
  `w(12.5 - w) = 25` and `2w + 50/w = 25` (the second times w/2, w = 0 being no solution of either), `x + y = 1`
  and `2x + 2y = 2`. Each equation `L = R` is read as the numerator N of `L - R` in lowest terms (decimals as
  the exact rationals they spell, so `x = 1.4^2` is `x = 1.96`); the two are equivalent when the ratio of the
  numerators is a nonzero constant and no zero of a numerator is a zero of a denominator of its own written
  form (a Groebner basis of {N, D} is {1}), so cancelling never adds or removes a solution. A gold that states
  a value (`x = 2`: a lone name against an expression without variables) is only matched by a value for the
  same name: `2x = 4` has not solved it. Two `\\ne` relations are read the same way (each is the complement of
  an equation): `x \\ne 3` and `3 \\ne x`, which Math-Verify does not turn around.
- `equivalent_inequalities(gold, candidate)`: the same for two inequalities turned the same way, with a positive
  constant factor only and no variable in a denominator (multiplying by an expression may flip the sign):
  `x > y` and `2x - 2y > 0`; `x \\ge y` is never `x > y`.
- `statements_equal(gold, candidate, same)`: two equations (or inequalities) with no unknown (`3.06 \\div 3 = 1.02`,
  `1/2 = 1/6`, `1 < 2`) are statements, not relations on a name: the same answer only when they are one relation
  whose sides pair up (each side equal by `same`, in order or turned around). Math-Verify compares them by the
  difference of their sides (so `5 = 3` was `4 = 2`, `1 < 2` was `3 < 4`) and by their solution lists, both empty
  for an equation without unknowns (so any two were equal).
- `solve_or_refuse(solve)`: the `solve` Math-Verify compares two equations' solutions with, wrapped so that an
  empty solution list proves nothing: `sin(B)/8 = 3` and `sin(B)/9 = 7` have no real solution either, and two
  empty lists made them equal. A refusal is an exception, which Math-Verify reads as "not shown equal".
- `lone_letter_equal(gold, candidate)`: Math-Verify compares a lone letter by name (its `\\text{answer}` rule),
  never by value, so `x` against `x(y^2 + 1)/(y^2 + 1)` was unequal; now equal when sympy simplifies the
  difference to 0 (the rule Math-Verify applies to any other pair of expressions).
"""

from __future__ import annotations

import sympy

_MAX_SYMBOLS = 4
_MAX_DEGREE = 8
_MAX_OPS = 80  # sympy operations per answer: larger ones are left to Math-Verify alone (its own time-outs)


def _exact(expr):
    return expr.xreplace({f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)})


def _states_a_value(eq) -> sympy.Symbol | None:
    """The name of `x = 2`, `3.5 = t` (a lone name against an expression without variables), or None."""
    for name, value in ((eq.lhs, eq.rhs), (eq.rhs, eq.lhs)):
        if isinstance(name, sympy.Symbol) and not value.free_symbols:
            return name
    return None


def _divides(node) -> bool:
    return isinstance(node, sympy.Pow) and node.exp.is_negative is True and bool(node.base.free_symbols)


def _numerator(eq):
    """(N, D): `L - R` over its written denominators, and N in lowest terms; None when N is no polynomial
    of bounded degree or a zero of N is a zero of D (the written form is undefined at a solution)."""
    written = [p.base for side in (eq.lhs, eq.rhs) for p in sympy.preorder_traversal(side) if _divides(p)]
    bottom = sympy.Mul(*[_exact(b) for b in written])  # the denominators as written, before sympy cancels any
    numerator = sympy.fraction(sympy.cancel(sympy.together(_exact(eq.lhs - eq.rhs))))[0]
    symbols = sorted(numerator.free_symbols | bottom.free_symbols, key=lambda s: s.name)
    if not numerator.free_symbols:
        return None
    try:
        degree = sympy.Poly(numerator, *symbols).total_degree()
    except sympy.PolynomialError:
        return None
    if degree > _MAX_DEGREE:
        return None
    if bottom.free_symbols and list(sympy.groebner([numerator, bottom], *symbols)) != [1]:
        return None
    return numerator


def equivalent_equations(gold, candidate) -> bool:
    """True when two parsed equations have the same solution set by the rule above."""
    if not any(isinstance(gold, kind) and isinstance(candidate, kind) for kind in (sympy.Eq, sympy.Ne)):
        return False  # two equations, or two `\\ne` (the complements of two equations: `x \\ne 3`, `3 \\ne x`)
    symbols = gold.free_symbols
    if not symbols or symbols != candidate.free_symbols or len(symbols) > _MAX_SYMBOLS:
        return False
    if sympy.count_ops(gold) > _MAX_OPS or sympy.count_ops(candidate) > _MAX_OPS:
        return False
    name = _states_a_value(gold)
    if name is not None and _states_a_value(candidate) != name:
        return False
    try:
        n_gold, n_candidate = _numerator(gold), _numerator(candidate)
        if n_gold is None or n_candidate is None:
            return False
        ratio = sympy.cancel(n_gold / n_candidate)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, ZeroDivisionError, TypeError, ValueError):
        return False
    return not ratio.free_symbols and ratio.is_number and ratio != 0 and ratio.is_finite is True


def _oriented(rel):
    """(d, strict): the inequality read as d > 0 (strict) or d >= 0; None for other relations."""
    if rel.rel_op in ("<", "<="):
        return rel.rhs - rel.lhs, rel.rel_op == "<"
    if rel.rel_op in (">", ">="):
        return rel.lhs - rel.rhs, rel.rel_op == ">"
    return None


def equivalent_inequalities(gold, candidate) -> bool:
    """True when two inequalities without a variable in a denominator are positive constant multiples of each
    other once turned the same way: `x > y` and `2x - 2y > 0`, `x - y < 0` and `y > x`. A gold that bounds a
    name by a value (`x > 2`) is only matched by a bound for the same name (`2x > 4` has not solved it)."""
    if not (isinstance(gold, sympy.Rel) and isinstance(candidate, sympy.Rel)):
        return False
    a, b = _oriented(gold), _oriented(candidate)
    if a is None or b is None or a[1] != b[1]:
        return False
    symbols = gold.free_symbols
    if not symbols or symbols != candidate.free_symbols or len(symbols) > _MAX_SYMBOLS:
        return False
    if sympy.count_ops(gold) > _MAX_OPS or sympy.count_ops(candidate) > _MAX_OPS:
        return False
    if any(_divides(p) for rel in (gold, candidate) for p in sympy.preorder_traversal(rel)):
        return False  # multiplying by an expression may change its sign: not decided here
    name = _states_a_value(gold)
    if name is not None and _states_a_value(candidate) != name:
        return False
    ratio = sympy.cancel(_exact(a[0]) / _exact(b[0]))
    return not ratio.free_symbols and ratio.is_number and ratio.is_positive is True


_TURNED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def statements_equal(gold, candidate, same) -> bool | None:
    """For two relations without unknowns (`=`, `\\ne`, `<`, `\\le`, ...): whether they are one relation with
    sides that pair up by `same` (a callable on two expressions), in order or turned around (`a < b`, `b > a`);
    None for any other pair, which the rest of the worker decides."""
    if not (isinstance(gold, sympy.Rel) and isinstance(candidate, sympy.Rel)):
        return None
    if gold.free_symbols or candidate.free_symbols:
        return None
    in_order = gold.rel_op == candidate.rel_op and same(gold.lhs, candidate.lhs) and same(gold.rhs, candidate.rhs)
    turned = _TURNED.get(gold.rel_op) == candidate.rel_op
    return bool(in_order or (turned and same(gold.lhs, candidate.rhs) and same(gold.rhs, candidate.lhs)))


class NoSolutionFound(ValueError):
    """An empty solution list: it cannot show two equations equal."""


def solve_or_refuse(solve):
    """`solve`, raising `NoSolutionFound` where it finds no solution (see the module docstring)."""

    def solve_with_a_solution(*args, **kwargs):
        found = solve(*args, **kwargs)
        if isinstance(found, (list, tuple)) and not found:
            raise NoSolutionFound("no solution found: proves nothing about equality")
        return found

    return solve_with_a_solution


def lone_letter_equal(gold, candidate) -> bool:
    """True when one side is a lone letter and the other an expression that simplifies to it."""
    pair = (gold, candidate)
    if sum(isinstance(e, sympy.Symbol) for e in pair) != 1 or not all(isinstance(e, sympy.Expr) for e in pair):
        return False
    letter = gold if isinstance(gold, sympy.Symbol) else candidate
    other = candidate if letter is gold else gold
    if letter not in other.free_symbols or sympy.count_ops(other) > _MAX_OPS:
        return False
    return sympy.simplify(_exact(other) - letter) == 0
