"""A gold written as an operation still to be done (loaded by `_verify_worker.py`, not imported).

Math-Verify reads `\\frac{d}{dx} x^2` and `\\int_0^1 x\\,dx` as unevaluated sympy objects (a `Derivative`, an
`Integral`), so a gold written so was equal to no worked-out answer (limits and sums with bounds it already worked
out). A human grader reads such a gold as the value it asks for. Here the gold is worked out (`doit`) when it holds a
derivative, a definite integral, a limit or a sum, the candidate holds none, and the work leaves no operation
undone; the usual comparison then runs on the value. An indefinite integral is left as written (its answers differ
by a constant). The worker's time limits apply.
"""

from __future__ import annotations


def _operations(expr):
    import sympy

    if not isinstance(expr, sympy.Basic):
        return None
    return expr.atoms(sympy.Derivative, sympy.Integral, sympy.Limit, sympy.Sum)


def worked_out_gold(gold: list, candidate: list) -> list:
    """The parsed gold with its first reading worked out, when it is an operation on a formula (see above) and the
    candidate's reading holds none; else the gold as it was."""
    if not gold or not candidate or not (found := _operations(gold[0])) or _operations(candidate[0]) != set():
        return gold
    import sympy

    for operation in found:
        if isinstance(operation, sympy.Integral) and any(len(limits) != 3 for limits in operation.limits):
            return gold  # an indefinite integral: its answers differ by a constant
        if isinstance(operation, sympy.Derivative) and not set(operation.variables) <= operation.expr.free_symbols:
            return gold  # `\\frac{dy}{dx}`: a name's derivative is no value (sympy would make it 0)
    value = gold[0].doit()
    return gold if _operations(value) else [value, *gold[1:]]
