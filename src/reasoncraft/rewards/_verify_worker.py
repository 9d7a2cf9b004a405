"""The Math-Verify worker process (run by `reasoncraft.rewards.checker`, not imported).

Reads JSON lines `{"i": n, "g": gold, "c": candidate}` on stdin and writes `{"i": n, "v": bool}`
or `{"i": n, "f": reason}` on stdout, one per request, in order. Both answers are parsed with
Math-Verify's LaTeX extractor only: its plain-expression extractor goes through sympy's
`parse_expr`, which evaluates Python, and model text must never be executed. The parent kills and
respawns this process when an answer overruns its deadline; the memory limit stops one answer from
taking the machine down with it. A pair Math-Verify finds unequal gets one more check on the parsed
expressions, never on the text: `_equal_as_real_functions`, then `_worker_equations` (equivalent
equations, a lone letter against an expression that simplifies to it).
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder heads sys.path, and its math.py would shadow the standard `math`.
if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(__file__)):
    sys.path.pop(0)

import importlib.util  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402

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


class _OverBudget(BaseException):  # not an Exception: Math-Verify and sympy catch those and carry on
    """The pair used up its CPU budget (SIGPROF)."""


def _over_budget(signum: int, frame: object) -> None:
    raise _OverBudget


class _TimeoutFlag(logging.Handler):
    """Math-Verify reports its own (signal-based) time-outs only as log warnings; catch them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.hit = False

    def emit(self, record: logging.LogRecord) -> None:
        if "Timeout" in record.getMessage():
            self.hit = True


# The sample points of the identity check. Generic points, where an identity is seen to hold: three where every
# symbol is a positive rational in [1.1, 3.1] (by name order, seeded), three with the same sizes and negative signs
# (all negative, then alternating both ways), ten more of such sizes with seeded random signs, and six of sizes in
# [0.11, 0.91] with seeded random signs (for functions real only inside (-1, 1): `\arcsin x + \arccos x` is
# pi/2 there, and its points of sizes above 1 are all complex). Special points,
# only to find where it fails: every pair (for more than two symbols, a seeded sample) of small rationals of both
# signs, integers and halves among them, where a power of a negative base is real: `(x^2)^k` at x = -2, k = 1/2 is
# 2, `x^{2k}` is -2.
_POINT_SEEDS = (0, 1, 2)
_SIGN_PATTERNS = (lambda i: -1, lambda i: -1 if i % 2 == 0 else 1, lambda i: 1 if i % 2 == 0 else -1)
_RANDOM_SIGN_SEEDS = range(3, 13)
_INNER_SEEDS = range(100, 106)  # six more generic points of sizes in [0.11, 0.91], seeded random signs
_SIMPLE_VALUES = ("-3", "-5/2", "-2", "-3/2", "-5/4", "-1/2", "-1/3", "1/3", "1/2", "5/4", "3/2", "2", "5/2", "3")
_SIMPLE_POINTS = 196  # every pair of simple values for two symbols; a seeded sample of that many for more
_MIN_AGREEMENTS = 3
_MAX_SYMBOLS = 32


def _sample_points(names) -> tuple[list[dict], list[dict]]:
    """(generic points, special points) of `_equal_as_real_functions`, for the symbols `names` (sorted by name)."""
    import sympy  # heavy: main() has imported it with Math-Verify already, so this is a lookup

    generic = []
    for seed in _POINT_SEEDS:
        rng = random.Random(seed)
        sizes = [sympy.Rational(rng.randint(1100, 3100), 1000) for _ in names]
        generic.append(dict(zip(names, sizes)))
        generic.append({s: _SIGN_PATTERNS[seed](i) * size for i, (s, size) in enumerate(zip(names, sizes))})
    for seed in _RANDOM_SIGN_SEEDS:
        rng = random.Random(seed)
        generic.append({s: rng.choice((-1, 1)) * sympy.Rational(rng.randint(1100, 3100), 1000) for s in names})
    for seed in _INNER_SEEDS:  # inside (-1, 1), where `\arcsin x`, `\operatorname{artanh} x`, `\sqrt{1-x^2}` are real
        rng = random.Random(seed)
        generic.append({s: rng.choice((-1, 1)) * sympy.Rational(rng.randint(110, 910), 1000) for s in names})
    simple = [sympy.Rational(v) for v in _SIMPLE_VALUES]
    if len(simple) ** len(names) <= _SIMPLE_POINTS:
        grid = itertools.product(simple, repeat=len(names))
    else:
        rng = random.Random(len(names))
        grid = ([rng.choice(simple) for _ in names] for _ in range(_SIMPLE_POINTS))
    special = [dict(zip(names, values)) for values in grid]
    # as 70-digit floats: sympy raises an exact rational to a rational power exactly (2867/1000 to the 1439/1000
    # took minutes), and halves and quarters stay exact in binary, so (-1/2)^{-2} is still real
    return tuple(
        [{s: sympy.Float(v, _DIGITS + 10) for s, v in point.items()} for point in points]
        for points in (generic, special)
    )


def _equal_as_real_functions(a, b) -> bool:
    """Two expressions that Math-Verify found unequal are equal when, read as functions of real variables, they
    agree wherever both are defined: (1) at no sample point (`_sample_points`) where every power and function of
    *both* written forms is real do their values differ (to 45 digits), and (2) at three generic points or more both
    are real (and so agree): on an open set, not only at special values. sympy takes its symbols as complex, so it
    leaves unproved identities that hold over the reals: `(a/b)^{1/2} = \\sqrt{a}/\\sqrt{b}`, `\\ln(x^2) = 2\\ln x`
    (`\\ln x` is real only for x > 0: the written answer states its domain), `((x-2)^3)^k = (x-2)^{3k}`. By (1),
    `\\sqrt{x^2}` is not `x` (x = -2), nor `(x^2)^k` `x^{2k}` (x = -2, k = 1/2), nor `((n+1)^{1/(n+1)})^{n+2}`
    `(n+1)^{(n+2)/(n+1)}` (n = -3/2: 2 against -2). By (2), forms that agree only at special values are not equal:
    `\\ln((x^9)^n)` and `\\ln((-x^9)^n)` are both real only for even whole n (so are `(-\\cos x)^n` and
    `(-1)^n\\cos^n x`, which is a cost), and `\\sqrt{x-3}\\sqrt{x-5}` against `\\sqrt{(x-3)(x-5)}` is real only for
    x >= 5, beyond the generic points, which agree there only as complex values. Decimals are read as
    the exact rationals they spell, so a rounded coefficient (`0.3333333333x` for `x/3`) stays unequal. Left out: an
    absolute value or sign, unevaluated sums, products, integrals, limits and derivatives, and anything that does
    not evaluate to a number (an undefined function `f(x)`)."""
    import sympy  # heavy: main() has imported it with Math-Verify already, so this is a lookup

    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False
    symbols = a.free_symbols | b.free_symbols  # `1` and `\\sqrt{k/m}\\sqrt{m/k}`: a constant written with symbols
    if not symbols or len(symbols) > _MAX_SYMBOLS:
        return False
    unsafe = (sympy.Abs, sympy.sign, sympy.Sum, sympy.Product, sympy.Integral, sympy.Limit, sympy.Derivative)
    if a.has(*unsafe) or b.has(*unsafe):
        return False

    def exact(e):
        return e.xreplace({f: sympy.Rational(str(f)) for f in e.atoms(sympy.Float)})

    a, b = exact(a), exact(b)
    generic, special = _sample_points(sorted(symbols, key=lambda s: s.name))
    agreements = 0
    for k, point in enumerate(generic + special):
        values = _values_at(a, b, point)
        if values is None:
            continue
        both_real = all(_is_real(v) for v in values) and _real_throughout(a, point) and _real_throughout(b, point)
        if both_real and not _close(*values):
            return False
        agreements += k < len(generic) and both_real
    return agreements >= _MIN_AGREEMENTS


_DIGITS = 60  # values are computed to 60 digits from 70-digit points and must agree to 45 (relative)
_MP = None


def _number(value):
    """A sympy number as a 70-digit mpmath complex (a double would make every difference below 1e-16 of the
    values' size vanish: `10^{20}x` and `10^{20}x + 1` came out equal); None for `zoo`, `nan`, infinities."""
    global _MP
    if _MP is None:
        import mpmath  # lazy: heavy; sympy's dependency, already imported with it

        _MP = mpmath.MPContext()
        _MP.dps = 70
    import sympy  # heavy: imported with Math-Verify already

    try:
        parts = [_MP.mpf(sympy.Float(part, _DIGITS)._mpf_) for part in value.as_real_imag()]
    except (AttributeError, TypeError, ValueError):
        return None
    z = _MP.mpc(*parts)
    return z if _MP.isfinite(z) else None


def _values_at(a, b, point):
    va, vb = a.xreplace(point).evalf(_DIGITS), b.xreplace(point).evalf(_DIGITS)
    if not (va.is_number and vb.is_number):
        return None
    va, vb = _number(va), _number(vb)
    return None if va is None or vb is None else (va, vb)


def _close(va, vb) -> bool:
    return abs(va - vb) <= _MP.mpf("1e-45") * max(1, abs(va), abs(vb))


def _is_real(z) -> bool:
    return abs(z.imag) <= _MP.mpf("1e-40") * max(1, abs(z))


def _real_throughout(expr, point) -> bool:
    """Whether every power and function of `expr` is real at `point` (its written form is defined there over
    the reals): `\\sqrt{x}\\sqrt{y}` is not at x, y < 0, though the product of its two imaginary roots is real."""
    import sympy  # heavy: imported with Math-Verify already

    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Pow, sympy.Function)) and node.free_symbols:
            value = node.xreplace(point).evalf(_DIGITS)
            z = _number(value) if value.is_number else None
            if z is None or not _is_real(z):
                return False
    return True


def _exact_values_differ(a, b) -> bool:
    """Whether two exact expressions that Math-Verify called equal are different after all. Math-Verify compares
    two expressions that are not plain numbers by `(a - b).evalf(15, chop=True) == 0`, so `\\sqrt{2}` equalled
    `\\frac{1414213562373095}{10^{15}}` and `e^{y}` equalled `e^{y} + 10^{-20}`; exact values (no decimal) must be
    equal, so both are evaluated to 60 digits (with symbols, at the three positive generic points of the identity
    check) and must agree to 45. Only where both sides have the same symbols: Math-Verify's own reading of a word
    (`\\text{Evelyn}` against the letters `Evelyn`) is left alone. A decimal keeps Math-Verify's rounding to 6
    places (`0.333333` is 1/3), except where both round to 0: `0.0000001` has lost every digit there and is not
    `0.0000002`."""
    import sympy  # heavy: imported with Math-Verify already

    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)) or a.free_symbols != b.free_symbols:
        return False
    if a.atoms(sympy.Float) or b.atoms(sympy.Float):
        if a.free_symbols:
            return False
        try:
            va, vb = complex(a.evalf(60)), complex(b.evalf(60))
        except (TypeError, ValueError, OverflowError):  # not a number (zoo, nan): Math-Verify's verdict stands
            return False
        return va != vb and max(abs(va), abs(vb)) < 5e-7
    if not a.free_symbols:
        return _differ_at(a, b, {})
    difference = a - b  # `f(x)` and `f(x) + 10^{-20}`: sympy cancels to a constant even around undefined functions
    if difference.is_number:
        value = _number(difference.evalf(_DIGITS))
        return value is not None and abs(value) > _MP.mpf("1e-45")
    names = sorted(a.free_symbols, key=lambda s: s.name)
    return any(_differ_at(a, b, point) for point in _sample_points(names)[0][: len(_POINT_SEEDS) * 2 : 2])


def _differ_at(a, b, point) -> bool:
    """Whether `a` and `b` have different values at `point` (an undefined value decides nothing)."""
    values = _values_at(a, b, point)
    return values is not None and not _close(*values)


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


def _equal_as_real_functions_by_parts(a, b) -> bool:
    """`_equal_as_real_functions` for expressions, and for equations, inequalities and intervals that
    differ in one expression only (see `_paired_parts`)."""
    if _equal_as_real_functions(a, b):
        return True
    parts = _paired_parts(a, b)
    return bool(parts) and all(_equal_as_real_functions(x, y) for x, y in parts)


def _positive_by_parts(gold: list, candidate: list) -> bool:
    """The positive-symbol check for two parsed equations, inequalities or intervals only (see `_paired_parts`)."""
    try:
        return bool(gold and candidate and _paired_parts(gold[0], candidate[0])) and (
            _equal_as_real_functions_by_parts(gold[0], candidate[0])
        )
    except Exception:  # an expression sympy cannot evaluate at the points: not decided here
        return False


def _lost_items(answer: str, parsed) -> bool:
    """Whether Math-Verify read a list of several math items as one value: `x = \\frac{1}{2}, x = \\frac{-1 \\pm
    \\sqrt{13}}{4}` came back as 1/2 alone, so any second item was equal. An answer with two or more items at the
    top level (split at commas outside brackets) that hold a letter or a command, parsed as one plain expression
    (no set, tuple, interval or matrix), is read as not parsed; numbers alone (`1,000`, `1,5`) never are."""
    import sympy  # heavy: imported with Math-Verify already

    several = (sympy.Set, sympy.Tuple, sympy.MatrixBase, tuple, list, sympy.Rel, sympy.logic.boolalg.Boolean)
    if isinstance(parsed, several):
        return False
    items, depth, start = [], 0, 0
    for i, ch in enumerate(answer):
        depth += (ch in "{([") - (ch in "})]")
        if ch == "," and depth == 0 and answer[i - 1 : i] != "\\":  # `\\,` is a thin space (`x\\,dx`)
            items.append(answer[start:i])
            start = i + 1
    items.append(answer[start:])
    return sum(bool(re.search(r"[A-Za-z]", item)) for item in items) >= 2


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
    cpu_budget = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0  # CPU seconds per pair; 0: none
    _limit_memory(memory_mb)
    out = sys.stdout
    try:
        from latex2sympy2_extended import NormalizationConfig
        from math_verify import LatexExtractionConfig, grader, parse, verify
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
    try:  # `5 - 5c`: a trailing letter is a name, no unit (`_worker_units`)
        from latex2sympy2_extended import math_normalization
    except ImportError:  # another version of the package: its clean-up as it is
        math_normalization = None
    _sibling("_worker_units").keep_names(math_normalization)
    _operators = _sibling("_worker_operators")  # `\\int_0^1 x\\,dx` as a gold: worked out
    grader.solve = _equations.solve_or_refuse(grader.solve)  # two empty solution lists prove nothing

    def sides_equal(a, b) -> bool:
        return bool(verify([a], [b], timeout_seconds=inner_timeout))

    def parse_answer(answer: str) -> list:
        parsed = parse("\\boxed{" + answer + "}", extraction_config=config, parsing_timeout=inner_timeout)
        return [] if parsed and _lost_items(answer, parsed[0]) else parsed

    # warm up (ANTLR tables, sympy caches) so that the first real answer is not charged for it
    verify(parse_answer("\\frac{x^2+1}{2}"), parse_answer("(1+x^2)/2"), timeout_seconds=inner_timeout)
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    budgeted = cpu_budget > 0 and hasattr(signal, "setitimer")  # POSIX: the process's CPU-time timer
    if budgeted:
        signal.signal(signal.SIGPROF, _over_budget)
    for line in sys.stdin:
        request = json.loads(line)
        flag.hit = False
        if budgeted:
            signal.setitimer(signal.ITIMER_PROF, cpu_budget)
        try:
            gold = gold_cache.get(request["g"])
            if gold is None:
                gold = parse_answer(request["g"])
                if len(gold_cache) > 4096:
                    gold_cache.clear()
                gold_cache[request["g"]] = gold
            candidate = parse_answer(request["c"])
            gold = _operators.worked_out_gold(gold, candidate)  # `\\frac{d}{dx} x^2` as a gold: `2x`
            # two equations without unknowns are statements, decided by their sides alone (`_worker_equations`)
            statements = _equations.statements_equal(gold[0], candidate[0], sides_equal) if gold and candidate else None
            # two equations (or inequalities, intervals) that differ in one side: the positive-symbol check first,
            # as Math-Verify's own proof of an equation can take seconds; it only adds verdicts, so order is speed
            same = statements if statements is not None else _positive_by_parts(gold, candidate)
            if statements is None:
                same = same or bool(gold and candidate and verify(gold, candidate, timeout_seconds=inner_timeout))
            if same and "%" not in request["g"] + request["c"] and _exact_values_differ(gold[0], candidate[0]):
                same = False  # a percentage is an unevaluated product there, equal to its number by convention
            if not same and not flag.hit and gold and candidate and statements is None:
                same = _equal_as_real_functions_by_parts(gold[0], candidate[0])
                same = same or _equations.equivalent_equations(gold[0], candidate[0])
                same = same or _equations.equivalent_inequalities(gold[0], candidate[0])
                same = same or _equations.lone_letter_equal(gold[0], candidate[0])
            reply = (
                {"i": request["i"], "f": "math-verify time-out"}
                if flag.hit and not same
                else {"i": request["i"], "v": same}
            )
        except _OverBudget:
            reply = {"i": request["i"], "f": f"math-verify time-out (over {cpu_budget:g} s of CPU)"}
        except MemoryError:
            reply = {"i": request["i"], "f": "math-verify ran out of memory"}
        except Exception:  # an answer Math-Verify cannot handle is not equal
            reply = {"i": request["i"], "v": False}
        finally:
            if budgeted:
                signal.setitimer(signal.ITIMER_PROF, 0)
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
