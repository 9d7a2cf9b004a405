"""Function spellings of computer algebra systems and calculators, in the LaTeX that Math-Verify reads (#14).

CAS and keyboard tools name the same function many ways, and a LaTeX parser reads most of those names as
products of letters (`acot(x)` is a*c*o*t*x) or misreads the command (`\\arccoth(x)` is acot(h(x)),
`\\operatorname{arcsec}(2)` is refused). String rules only, nothing is evaluated; each is for a kind of
spelling:

- an inverse trig or hyperbolic function in any of its names: `asin` ... `acsc`, `arcsin` ... `arccsc`
  (sympy, mathjs, C and JavaScript write `a`, mathematics `arc`), `asinh`/`arcsinh`/`arsinh` (ISO 80000's
  `ar`) ... `acsch`, any letter case (`ArcCot`), `\\operatorname{...}`, and `f^-1`/`f^{-1}` for all twelve
  functions. Each becomes the one LaTeX command the parser reads (`\\arccot`, `\\arcsec`, `\\arcsinh`); the
  inverses of coth, sech and csch, which it has no command for, by their definitions: `\\arctanh(1/x)`,
  `\\arccosh(1/x)`, `\\arcsinh(1/x)`;
- a power written on the function's name, `sin^2(x)`, `sinh^n x`, `coth^2(x)`, `\\sech^2 x`: the power of
  the value, `(sin x)^2` (the usual reading, and Math-Verify's for `\\sin^2(x)`); `^-1` is the inverse,
  as above. coth, sech, csch become `1/tanh`, `1/cosh`, `1/sinh` (as `plainfuncs` writes them) in brackets,
  then the power;
- `floor(x)`, `ceil(x)`, `ceiling(x)`, `⌊x⌋`, `⌈x⌉` are `\\lfloor x \\rfloor`, `\\lceil x \\rceil`;
- the n-th root with two arguments, `nthroot(x, n)`, `nthRoot(x, n)`, `root(x, n)` (math-expressions,
  mathjs, sympy and Maple all put the radicand first) is `\\sqrt[n]{x}`; an odd root of a negated term is the
  real root, `\\sqrt[3]{-8}` is `-\\sqrt[3]{8}`, -2 (`real_odd_roots`: the radical sign over the reals, as
  those tools and mathematics read it; sympy's principal value of `(-8)^{1/3}` is not real, and a power written
  as a power, `(-8)^{1/3}`, keeps that reading);
- `log10(x)`, `log2(x)`, `log_2(x)` are `\\log_{10}(x)`, `\\log_{2}(x)`; `pow(a, b)` is `(a)^{b}`, `gcd(a, b, ...)` and
  `lcm(...)`, `max(...)`, `min(...)` are `\\gcd`, `\\lcm`, `\\max`, `\\min`; `square(x)`, `cube(x)` (mathjs) are
  `(x)^{2}`, `(x)^{3}`; `binom(n, k)`, `combinations(n, k)` are `\\binom{n}{k}`, `permutations(n, k)` is
  `n!/(n-k)!`; a name in `\\operatorname{}`, `\\mathrm{}` or `\\text{}` is read as the name;
- `vec(x)` (math-expressions' vector) is `\\vec{x}`;
- `round(17.3)`, `round(2.718, 2)` and `mod(17, 5)` of written numbers are worked out, exactly, where every tool
  agrees: never at a half (`round(2.5)` is 2 to one tool and 3 to another) nor for a negative `mod` (the sign of
  the result differs by tool); `round(x)` of anything else is left as written (Math-Verify has no command for it).

`spell_calls(s)` applies these to a text (plain or LaTeX; LaTeX the parser already reads, `\\sin^{2}(x)` or
`\\arcsin x`, is left as written); `call_latex` is the same for one call, for the token reader of
`plainmath`. `FUNCTION_WORDS` are the names a prose rule must not count as words.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .numeric import _split_top, matching_paren

__all__ = ["FUNCTION_WORDS", "call_latex", "function_key", "real_odd_roots", "spell_calls"]

_TRIG = ("sin", "cos", "tan", "cot", "sec", "csc")
_HYPERBOLIC = ("sinh", "cosh", "tanh", "coth", "sech", "csch")
_RECIPROCAL = {"coth": "tanh", "sech": "cosh", "csch": "sinh"}  # the functions the parser has no command for
_LOGARITHMS = ("ln", "log")  # only for a power on the name: `ln^2(x)`
_SEVERAL_ARGUMENTS = ("root", "pow", "gcd", "lcm", "max", "min", "binom", "perm")
_ANY_COUNT = ("gcd", "lcm", "max", "min")  # of two arguments or more; the others take exactly two


def _spellings() -> dict[str, tuple[str, str]]:
    """Lower-case name -> (kind, what): ("function", f), ("inverse", f), ("floor"|"ceil"|"root", ""), ("log", base)."""
    out = {f: ("function", f) for f in _LOGARITHMS}
    for f in _TRIG + _HYPERBOLIC:
        out[f] = ("function", f)
        for prefix in ("a", "arc") + (("ar",) if f in _HYPERBOLIC else ()):
            out[prefix + f] = ("inverse", f)
    out.update(floor=("floor", ""), ceil=("ceil", ""), ceiling=("ceil", ""), nthroot=("root", ""))
    out.update(root=("root", ""), log10=("log", "10"), log2=("log", "2"), pow=("pow", ""), gcd=("gcd", ""))
    out.update(lcm=("lcm", ""), max=("max", ""), min=("min", ""), binom=("binom", ""), combinations=("binom", ""))
    out.update(permutations=("perm", ""), square=("pow", "2"), cube=("pow", "3"))
    out.update(vec=("vec", ""), round=("round", ""), mod=("mod", ""))
    return out


_SPELLINGS = _spellings()
# `root`, `floor`, `square` are English words and `log10` no word at all: prose rules count only the others as math
_ENGLISH = ("root", "floor", "ceiling", "log10", "log2", "square", "cube", "combinations", "permutations", "round")
FUNCTION_WORDS = frozenset(name for name in _SPELLINGS if name not in _ENGLISH)
# LaTeX commands the parser already reads as the inverse function (`\arcsec x`, `\arsinh x`): left as written
_READ_COMMANDS = {"arc" + f for f in _TRIG} | {p + f for f in ("sinh", "cosh", "tanh") for p in ("arc", "ar")}


def function_key(name: str) -> str | None:
    """The lower-case spelling when `name` (any letter case) is a function of this module, else None.

    >>> function_key("ArcCot"), function_key("nthRoot"), function_key("cosine")
    ('arccot', 'nthroot', None)
    """
    key = name.lower()
    return key if key in _SPELLINGS else None


def _inverse(f: str, arg: str) -> str:
    if f in _RECIPROCAL:  # acoth(x) = atanh(1/x), asech(x) = acosh(1/x), acsch(x) = asinh(1/x)
        return f"\\arc{_RECIPROCAL[f]}\\left(\\frac{{1}}{{{arg}}}\\right)"
    return f"\\arc{f}({arg})"


def call_latex(key: str, args: list[str], power: str | None = None) -> str | None:
    """LaTeX for the function `key` (a `function_key`) applied to `args` (LaTeX), raised to `power` when given;
    None when the arguments do not fit the function.

    >>> call_latex("acot", ["x"]), call_latex("acoth", ["u"]), call_latex("nthroot", ["x", "3"])
    ('\\\\arccot(x)', '\\\\arctanh\\\\left(\\\\frac{1}{u}\\\\right)', '\\\\sqrt[3]{x}')
    >>> call_latex("sinh", ["x"], "n"), call_latex("coth", ["x"], "2"), call_latex("sec", ["x"], "-1")
    ('\\\\sinh^{n}(x)', '\\\\left(\\\\frac{1}{\\\\tanh(x)}\\\\right)^{2}', '\\\\arcsec(x)')
    >>> call_latex("floor", ["17.8"]), call_latex("log10", ["x"]), call_latex("root", ["x"])
    ('\\\\lfloor 17.8\\\\rfloor', '\\\\log_{10}(x)', None)
    """
    kind, what = _SPELLINGS[key]
    if kind in ("round", "mod"):
        return _worked_out(kind, args) if power is None else None
    if kind == "vec":
        return f"\\vec{{{args[0]}}}" if len(args) == 1 and power is None else None
    if kind == "pow" and what and len(args) == 1 and power is None:  # `square(x)`, `cube(x)` (mathjs)
        args = [args[0], what]
    if kind in _SEVERAL_ARGUMENTS:
        if power is not None or len(args) < 2 or (kind not in _ANY_COUNT and len(args) != 2):
            return None
        a, b = args[0], args[-1]
        two = {"root": f"\\sqrt[{b}]{{{a}}}", "pow": f"\\left({a}\\right)^{{{b}}}", "binom": f"\\binom{{{a}}}{{{b}}}"}
        two["perm"] = f"\\frac{{({a})!}}{{({a}-({b}))!}}"
        return two.get(kind, f"\\{kind}({', '.join(args)})")
    if len(args) != 1:
        return None
    arg = args[0]
    if kind == "function" and what not in _LOGARITHMS and power is not None and re.fullmatch(r"-\s*1", power):
        return _inverse(what, arg)  # `cot^-1(x)`: the inverse function, as the notation means
    if kind == "function":
        if what in _RECIPROCAL:
            value = f"\\frac{{1}}{{\\{_RECIPROCAL[what]}({arg})}}"
            return value if power is None else f"\\left({value}\\right)^{{{power}}}"
        return f"\\{what}({arg})" if power is None else f"\\{what}^{{{power}}}({arg})"
    if kind == "inverse":
        value = _inverse(what, arg)
    elif kind == "log":
        value = f"\\log_{{{what}}}({arg})"
    else:
        value = f"\\l{kind}{' ' if arg[:1].isalnum() else ''}{arg}\\r{kind}"  # \lfloor x\rfloor, \lceil x\rceil
    return value if power is None else f"\\left({value}\\right)^{{{power}}}"


_WRITTEN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


def _worked_out(kind: str, args: list[str]) -> str | None:
    """`round(x)`, `round(x, n)` (to n places) and `mod(a, b)` of written numbers, where every tool agrees, as the
    number; None when an argument is no written number, at a half, or for a negative `mod`.

    >>> _worked_out("round", ["17.3"]), _worked_out("round", ["-2.718", "2"]), _worked_out("mod", ["17", "5"])
    ('17', '-2.72', '2')
    >>> _worked_out("round", ["2.5"]), _worked_out("round", ["x"]), _worked_out("mod", ["-7", "5"])
    (None, None, None)
    """
    if not 1 <= len(args) <= 2 or not all(_WRITTEN_NUMBER.fullmatch(a.replace(" ", "")) for a in args):
        return None
    values = [Fraction(a.replace(" ", "")) for a in args]
    if kind == "mod":
        a, b = values if len(values) == 2 else (None, None)
        ok = a is not None and a >= 0 and b > 0 and a.denominator == b.denominator == 1
        return str(a % b) if ok else None
    places = values[1] if len(values) == 2 else Fraction(0)
    if places.denominator != 1 or not 0 <= places <= 15:
        return None
    scaled = values[0] * 10 ** int(places)
    if scaled - (scaled.numerator // scaled.denominator) == Fraction(1, 2):
        return None  # a half: half up, half away from zero and half to even disagree
    nearest = round(scaled)  # not at a half, so every rounding rule gives this
    if not places:
        return str(nearest)
    digits = f"{abs(nearest):0{int(places) + 1}d}"
    return ("-" if nearest < 0 else "") + digits[: -int(places)] + "." + digits[-int(places) :]


_NAMES = "|".join(sorted(_SPELLINGS, key=len, reverse=True))
# a name (plain in any case, as a command, or in \operatorname{}), then maybe a power: `^2`, `^n`, `^{-1}`, `^(-1)`
_CALL = re.compile(
    rf"(?<![A-Za-z\\])(?:\\(?:operatorname|mathrm|text|rm)\s*\{{\s*(?P<op>{_NAMES})\s*\}}|(?P<cmd>\\)?(?P<name>{_NAMES}))"
    r"(?![A-Za-z])"
    r"(?:\s*\^\s*(?P<power>\{[^{}]*\}|\(\s*-?\s*\w+\s*\)|-?\s*\d+|-\s*1|[A-Za-z](?![A-Za-z])))?",
    re.IGNORECASE,
)
_QUICK = re.compile(rf"(?i)(?:{_NAMES})|[⌊⌈]")
# one term as a bare argument: `sinh^n x`, `acot 2x`, `coth^2 \theta`
_TERM = re.compile(r"\s*(\d+(?:\.\d+)?[A-Za-z]?|[A-Za-z](?![A-Za-z])|\\[A-Za-z]+(?![A-Za-z])(?!\s*[{(]))")
# `log_2(8)`, `log_10 x`, `log_{b}(x)` typed without the backslash: the base as LaTeX writes it
_PLAIN_LOG_BASE = re.compile(r"(?<![A-Za-z\\])(?i:log)_\s*(?:\{([^{}]*)\}|(\d+|[A-Za-z](?![A-Za-z])))")
_UNICODE_BRACKETS = (("⌊", "⌋", "\\lfloor ", "\\rfloor "), ("⌈", "⌉", "\\lceil ", "\\rceil "))


def _argument(s: str, start: int, bare: bool) -> tuple[list[str], int] | None:
    """(arguments, end) of the call whose argument opens at `s[start:]`: a bracket (`\\left(` too), or, when
    `bare`, one term after a space or a power. Arguments are spelled by `spell_calls` themselves."""
    m = re.compile(r"\s*(?:\\left\s*)?\(").match(s, start)
    if m is not None:
        close = matching_paren(s, m.end() - 1)
        if close is None:
            return None
        inner = re.sub(r"\\right\s*$", "", s[m.end() : close])
        return [spell_calls(a) for a in (arg.strip() for arg in _split_top(inner, ","))], close + 1
    term = _TERM.match(s, start) if bare else None
    return ([term.group(1)], term.end()) if term else None


def _rewrite(m: re.Match, s: str) -> tuple[str, int] | None:
    """(LaTeX, end) for the call at `m`, or None to leave it as written."""
    key = (m["op"] or m["name"]).lower()
    kind, what = _SPELLINGS[key]
    power = m["power"]
    if power is not None:
        power = re.sub(r"\s+", "", power)
        power = power[1:-1] if power[0] in "{(" else power
        if kind in _SEVERAL_ARGUMENTS or kind == "log" or not power:
            return None
    if m["cmd"]:  # a LaTeX command: only the ones the parser misreads
        inverse_power = kind == "function" and what not in _LOGARITHMS and power == "-1"  # the pre-check reads 1/f
        misread = (
            (kind == "inverse" and key not in _READ_COMMANDS)
            or inverse_power
            or (kind == "function" and what in _RECIPROCAL and power is not None)
        )
        if not misread:
            return None
    plain_spelled = kind == "function" and power is None and not m["op"]  # `sin(x)`, `coth x`: other rules' work
    if plain_spelled:
        return None
    # a bare argument only for trig and hyperbolic functions (`acot x`, `sinh^n x`); `square 4`, `floor 3` are words
    bare = kind in ("function", "inverse") and (power is not None or s[m.end() : m.end() + 1].isspace())
    found = _argument(s, m.end(), bare)
    if found is None:
        return None
    latex = call_latex(key, *found[:1], power)
    return (latex, found[1]) if latex is not None else None


def spell_calls(s: str) -> str:
    """`s` with the function spellings of this module's kinds in the LaTeX that Math-Verify reads.

    >>> spell_calls("acot(x)"), spell_calls("sinh^n x"), spell_calls("coth^2(x)")
    ('\\\\arccot(x)', '\\\\sinh^{n}(x)', '\\\\left(\\\\frac{1}{\\\\tanh(x)}\\\\right)^{2}')
    >>> spell_calls("floor(17.8)"), spell_calls("nthroot(x,2)"), spell_calls(r"\\operatorname{arcsec}(2)")
    ('\\\\lfloor 17.8\\\\rfloor', '\\\\sqrt[2]{x}', '\\\\arcsec(2)')
    >>> spell_calls(r"\\sin^{2}(x) + \\arcsin x"), spell_calls("sin(x)"), spell_calls("cosine(x)")  # left
    ('\\\\sin^{2}(x) + \\\\arcsin x', 'sin(x)', 'cosine(x)')
    """
    if not _QUICK.search(s):
        return s
    s = _PLAIN_LOG_BASE.sub(lambda m: f"\\log_{{{m.group(1) or m.group(2)}}}", s)
    for left, right, lx, rx in _UNICODE_BRACKETS:
        if left in s:
            s = s.replace(left, lx).replace(right, rx)
    out, i = [], 0
    for m in _CALL.finditer(s):
        if m.start() < i:
            continue
        done = _rewrite(m, s)
        if done is None:
            continue
        out.append(s[i : m.start()] + done[0])
        i = done[1]
    return "".join(out) + s[i:]


# `\sqrt[3]{-8}`, `\sqrt[5]{-\frac{1}{32}}`, `\sqrt[3]{-x^{3}}`: an odd index and a radicand that is one negated term
# (no `+` or `-` after the sign at the top level)
_ODD_ROOT_OF_NEGATIVE = re.compile(r"\\sqrt\s*\[\s*(\d*[13579])\s*\]\s*\{\s*-\s*((?:[^{}+\-]|\{[^{}+\-]*\})+)\}")


def real_odd_roots(s: str) -> str:
    """`s` with each odd root of a negated term written as the negated root, the real root.

    >>> real_odd_roots(r"\\sqrt[3]{-8}"), real_odd_roots(r"2\\sqrt[5]{-\\frac{1}{32}}")
    ('-\\\\sqrt[3]{8}', '2(-\\\\sqrt[5]{\\\\frac{1}{32}})')
    >>> real_odd_roots(r"\\sqrt[3]{-x+1}"), real_odd_roots(r"\\sqrt[4]{-16}")  # not one term; an even root
    ('\\\\sqrt[3]{-x+1}', '\\\\sqrt[4]{-16}')
    """
    if "\\sqrt" not in s:
        return s

    def negated(m: re.Match) -> str:
        root = f"-\\sqrt[{m.group(1)}]{{{m.group(2).strip()}}}"
        return root if re.search(r"(?:^|[(,={])\s*$", s[: m.start()]) else f"({root})"  # `2(-\\sqrt[3]{8})`

    return _ODD_ROOT_OF_NEGATIVE.sub(negated, s)
