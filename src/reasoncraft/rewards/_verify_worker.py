"""The Math-Verify worker process (run by `reasoncraft.rewards.checker`, not imported).

Reads JSON lines `{"i": n, "g": gold, "c": candidate}` on stdin and writes `{"i": n, "v": bool}`
or `{"i": n, "f": reason}` on stdout, one per request, in order. Both answers are parsed with
Math-Verify's LaTeX extractor only: its plain-expression extractor goes through sympy's
`parse_expr`, which evaluates Python, and model text must never be executed. The parent kills and
respawns this process when an answer overruns its deadline; the memory limit stops one answer from
taking the machine down with it. A pair Math-Verify finds unequal gets one more check on the parsed
expressions, never on the text: `_equal_for_positive_symbols`, then `_worker_equations` (equivalent
equations, a lone letter against an expression that simplifies to it).
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder heads sys.path, and its math.py would shadow the standard `math`.
if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(__file__)):
    sys.path.pop(0)

import importlib.util  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402

try:
    import resource  # noqa: E402  (POSIX only: elsewhere the deadline alone holds)
except ImportError:
    resource = None


def _limit_memory(megabytes: int) -> None:
    if resource is None:
        return
    try:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # refused on this platform: the deadline still holds
        pass


class _TimeoutFlag(logging.Handler):
    """Math-Verify reports its own (signal-based) time-outs only as log warnings; catch them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.hit = False

    def emit(self, record: logging.LogRecord) -> None:
        if "Timeout" in record.getMessage():
            self.hit = True


# three fixed points for the positive-symbol check: each symbol, by name order, gets a rational in [1.1, 3.1]
_POINT_SEEDS = (0, 1, 2)
_MAX_SYMBOLS = 32


def _equal_for_positive_symbols(a, b) -> bool:
    """Two expressions in the same symbols that Math-Verify found unequal are equal when they agree to
    30 digits at three fixed positive points: identities that hold for positive quantities, such as
    `(a/b)^{1/2} = a^{1/2}/b^{1/2}` or `\\ln(x^2) = 2\\ln x`, which sympy leaves unproved for symbols of
    unknown sign (physics and geometry answers are written with such symbols). Decimals are read as the
    exact rationals they spell, so a rounded coefficient (`0.3333333333x` for `x/3`) stays unequal. Left
    out: an absolute value or sign (`|x|` is not `x`), unevaluated sums, products, integrals, limits and
    derivatives, and anything that does not evaluate to a number (an undefined function `f(x)`)."""
    import sympy  # heavy: main() has imported it with Math-Verify already, so this is a lookup

    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False
    symbols = a.free_symbols
    if not symbols or symbols != b.free_symbols or len(symbols) > _MAX_SYMBOLS:
        return False
    unsafe = (sympy.Abs, sympy.sign, sympy.Sum, sympy.Product, sympy.Integral, sympy.Limit, sympy.Derivative)
    if a.has(*unsafe) or b.has(*unsafe):
        return False

    def exact(e):
        return e.xreplace({f: sympy.Rational(str(f)) for f in e.atoms(sympy.Float)})

    a, b = exact(a), exact(b)
    names = sorted(symbols, key=lambda s: s.name)
    for seed in _POINT_SEEDS:
        rng = random.Random(seed)
        point = {s: sympy.Rational(rng.randint(1100, 3100), 1000) for s in names}
        values = _values_at(a, b, point)
        if values is None or not _close(*values):
            return False
    return _agree_where_both_real(a, b, names)


# sign patterns of the domain check, per symbol in name order: all negative, then alternating both ways
_SIGN_PATTERNS = (lambda i: -1, lambda i: -1 if i % 2 == 0 else 1, lambda i: 1 if i % 2 == 0 else -1)


def _values_at(a, b, point) -> tuple[complex, complex] | None:
    va, vb = a.xreplace(point).evalf(40), b.xreplace(point).evalf(40)
    if not (va.is_number and vb.is_number):
        return None
    try:
        return complex(va), complex(vb)
    except (TypeError, ValueError):  # zoo, nan
        return None


def _close(va: complex, vb: complex) -> bool:
    return abs(va - vb) <= 1e-30 * max(1.0, abs(va), abs(vb))


def _agree_where_both_real(a, b, names) -> bool:
    """The positive reading holds only where the written answers leave no other choice: at points with
    negative symbols, wherever both expressions are real they must still agree. So `\\ln(x^2)` and `2\\ln x`
    stay equal (the second is not real for x < 0: its own domain is x > 0), while `\\sqrt{x^2}` and `x`,
    both real at x = -2 and different there, are not equal: for a real x the first is |x|."""
    import sympy  # heavy: imported with Math-Verify already

    for seed, sign in zip(_POINT_SEEDS, _SIGN_PATTERNS):
        rng = random.Random(seed)
        point = {s: sign(i) * sympy.Rational(rng.randint(1100, 3100), 1000) for i, s in enumerate(names)}
        values = _values_at(a, b, point)
        if values is None or not (_real_throughout(a, point) and _real_throughout(b, point)):
            continue
        if not _close(*values):
            return False
    return True


def _real_throughout(expr, point) -> bool:
    """Whether every power and function of `expr` is real at `point` (its written form is defined there over
    the reals): `\\sqrt{x}\\sqrt{y}` is not at x, y < 0, though the product of its two imaginary roots is real."""
    import sympy  # heavy: imported with Math-Verify already

    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Pow, sympy.Function)) and node.free_symbols:
            value = node.xreplace(point).evalf(30)
            if not value.is_number:
                return False
            try:
                z = complex(value)
            except (TypeError, ValueError):
                return False
            if abs(z.imag) > 1e-25 * max(1.0, abs(z)):
                return False
    return True


def _paired_parts(a, b) -> list | None:
    """The expression pairs whose equality makes two equations, inequalities or intervals equal, when
    everything else about them is the same: `T = 2\\pi\\sqrt{r^3/k}` and `T = 2\\pi r^{3/2}/k^{1/2}` give one
    pair (the right sides); `R \\le X` and `Y \\ge R` give one (X, Y); `[a, X)` and `[a, Y)` give one.
    None for other objects, or when the fixed parts (the relation, a side, an endpoint kind) differ."""
    import sympy  # heavy: imported with Math-Verify already

    if isinstance(a, sympy.Eq) and isinstance(b, sympy.Eq):
        for (p, q), (r, s) in (((a.lhs, a.rhs), (b.lhs, b.rhs)), ((a.lhs, a.rhs), (b.rhs, b.lhs))):
            if p == r:
                return [(q, s)]
            if q == s:
                return [(p, r)]
        return None
    if isinstance(a, sympy.Rel) and isinstance(b, sympy.Rel):
        ka, kb = _small_big(a), _small_big(b)
        if ka is None or kb is None or ka[2] != kb[2]:
            return None
        parts = [(x, y) for x, y in zip(ka[:2], kb[:2]) if x != y]
        return parts if len(parts) == 1 else None
    if isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval):
        if (a.left_open, a.right_open) != (b.left_open, b.right_open):
            return None
        parts = [(x, y) for x, y in ((a.left, b.left), (a.right, b.right)) if x != y]
        return parts if len(parts) == 1 else None
    return None


def _small_big(rel):
    """(smaller side, bigger side, strict) of `<`, `<=`, `>`, `>=`; None for other relations."""
    if rel.rel_op in ("<", "<="):
        return rel.lhs, rel.rhs, rel.rel_op == "<"
    if rel.rel_op in (">", ">="):
        return rel.rhs, rel.lhs, rel.rel_op == ">"
    return None


def _equal_for_positive_symbols_by_parts(a, b) -> bool:
    """`_equal_for_positive_symbols` for expressions, and for equations, inequalities and intervals that
    differ in one expression only (see `_paired_parts`)."""
    if _equal_for_positive_symbols(a, b):
        return True
    parts = _paired_parts(a, b)
    return bool(parts) and all(_equal_for_positive_symbols(x, y) for x, y in parts)


def _positive_by_parts(gold: list, candidate: list) -> bool:
    """The positive-symbol check for two parsed equations, inequalities or intervals only (see `_paired_parts`)."""
    try:
        return bool(gold and candidate and _paired_parts(gold[0], candidate[0])) and (
            _equal_for_positive_symbols_by_parts(gold[0], candidate[0])
        )
    except Exception:  # an expression sympy cannot evaluate at the points: not decided here
        return False


def _sibling(name: str):
    """A module of this folder, loaded by its path (the folder is not on sys.path: see above)."""
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(os.path.dirname(os.path.realpath(__file__)), name + ".py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    inner_timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    _limit_memory(memory_mb)
    out = sys.stdout
    try:
        from latex2sympy2_extended import NormalizationConfig
        from math_verify import LatexExtractionConfig, parse, verify
    except Exception as e:  # report why, then stop: the parent turns this into RewardFailure
        out.write(json.dumps({"error": f"cannot import math_verify: {e!r}"}) + "\n")
        out.flush()
        return

    flag = _TimeoutFlag()
    for name in ("math_verify.parser", "math_verify.grader"):
        logger = logging.getLogger(name)
        logger.addHandler(flag)
        logger.propagate = False
    config = [
        LatexExtractionConfig(
            boxed_match_priority=0,
            normalization_config=NormalizationConfig(
                basic_latex=True, units=True, malformed_operators=True, nits=True, boxed="all", equations=False
            ),
        )
    ]
    gold_cache: dict[str, list] = {}
    _equations = _sibling("_worker_equations")  # equations and lone letters Math-Verify leaves unproved

    def parse_answer(answer: str) -> list:
        return parse("\\boxed{" + answer + "}", extraction_config=config, parsing_timeout=inner_timeout)

    # warm up (ANTLR tables, sympy caches) so that the first real answer is not charged for it
    verify(parse_answer("\\frac{x^2+1}{2}"), parse_answer("(1+x^2)/2"), timeout_seconds=inner_timeout)
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        flag.hit = False
        try:
            gold = gold_cache.get(request["g"])
            if gold is None:
                gold = parse_answer(request["g"])
                if len(gold_cache) > 4096:
                    gold_cache.clear()
                gold_cache[request["g"]] = gold
            candidate = parse_answer(request["c"])
            # two equations (or inequalities, intervals) that differ in one side: the positive-symbol check first,
            # as Math-Verify's own proof of an equation can take seconds; it only adds verdicts, so order is speed
            same = _positive_by_parts(gold, candidate)
            same = same or bool(gold and candidate and verify(gold, candidate, timeout_seconds=inner_timeout))
            if not same and not flag.hit and gold and candidate:
                same = _equal_for_positive_symbols_by_parts(gold[0], candidate[0])
                same = same or _equations.equivalent_equations(gold[0], candidate[0])
                same = same or _equations.equivalent_inequalities(gold[0], candidate[0])
                same = same or _equations.lone_letter_equal(gold[0], candidate[0])
            reply = (
                {"i": request["i"], "f": "math-verify time-out"}
                if flag.hit and not same
                else {"i": request["i"], "v": same}
            )
        except MemoryError:
            reply = {"i": request["i"], "f": "math-verify ran out of memory"}
        except Exception:  # an answer Math-Verify cannot handle is not equal
            reply = {"i": request["i"], "v": False}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
