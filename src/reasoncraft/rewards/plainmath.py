"""Plain-text formulas (`2*a*s + sqrt(x)/pi`, `s == (u+v)*t/2`) read token by token into LaTeX.

Physics and algebra checkers, computer algebra systems and models write formulas in a keyboard spelling
that LaTeX parsers misread: `*` between letters dropped gives `zxy` and `xyz` (two different words to a string
rule), `g*(sigma)` with the `*` dropped is a call of a function `g`, `pi*G*rho` run together is the unknown
command `\\piGrho`, and `Sin(x)`, `log(x, 10)`, `factorial(n)` and `==` have no LaTeX reading at all.
`plain_formula_to_latex` reads such a formula with a small tokenizer and writes it in LaTeX (nothing is
evaluated), by these conventions, each for a kind:

- a product is written `*`: explicit ones kept, juxtaposed atoms (`2as`, `x(y+1)`, `(u+v) t`) joined by one;
  a word that is not a name below is a product of its letters (`print` is p*r*i*n*t: the juxtaposition
  convention of isaacphysics and sympy's `implicit_multiplication`), but only inside a formula: a lone word,
  two words side by side (`x is`, prose) and a number after a name (`x 5`, `6 8`) are not read at all;
- a spelled-out Greek letter (`theta`, `Sigma`) is its LaTeX command (`\\theta`, `\\Sigma`), `pi`/`Pi` is
  `\\pi`, `inf`/`oo`/`infinity` is `\\infty`;
- a function name in any letter case before `(` is the function (`Sin`, `ArcSin`, `asin`, `Log`, `Sqrt`);
  `log(x, b)` is the logarithm of x to base b (Python's and sympy's order), `exp(x)` is `e^{x}`, `abs(x)` is
  `|x|`, `factorial(n)` and `n!` are factorials, `binomial(n, k)` is `\\binom{n}{k}`;
- `**` and `^` raise to the next atom (`x**(n+1)` is `x^{n+1}`), `==` is `=`, `<=`/`>=`/`!=` are relations;
- `v_zmf`, `a_1`: a name with a subscript is one symbol (`v_{zmf}`).

A text is read only when it is such a formula and shows a plain-text convention (`*`, `**`, `^(`, `==`, a
function call, a spelled-out Greek letter, or a word as a product); otherwise None, and the older
string rules of `plaintext.plain_to_latex` apply.
"""

from __future__ import annotations

import re

from .funcspell import call_latex, function_key
from .memo import memoized

__all__ = ["plain_formula_to_latex"]

_TOKEN = re.compile(
    r"\s*((?i:log)(?:10|2)(?=\s*\()|\d+\.\d*|\.\d+|\d+|[A-Za-z]+(?:_[A-Za-z0-9]+)?|\*\*|==|<=|>=|!=|[-+*/^()=<>!,])"
)
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
}  # fmt: skip
_CAPITAL_GREEK = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_CONSTANTS = {"pi": "\\pi", "inf": "\\infty", "infinity": "\\infty", "oo": "\\infty"}
# functions by their lower-case spelling (`Sin`, `SIN`, `ArcSin` are `sin`, `arcsin`); sympy's short inverse names too
_FUNCTIONS = {name: "\\" + name for name in "sin cos tan cot sec csc sinh cosh tanh ln log".split()}
_FUNCTIONS.update({name: "\\" + name for name in "arcsin arccos arctan".split()})
_FUNCTIONS.update({"asin": "\\arcsin", "acos": "\\arccos", "atan": "\\arctan"})
_SPECIAL = {"sqrt", "cbrt", "exp", "abs", "factorial", "binomial"}
_RELATIONS = {"==": "=", "=": "=", "<=": "\\le ", ">=": "\\ge ", "!=": "\\ne ", "<": "<", ">": ">"}
_ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
# `2*\pi`, `2*(x+1)` as LaTeX writes them, `2\pi`, `2(x+1)` (one spelling with LaTeX golds); not after `/`,
# where juxtaposition would bind tighter than the division (`1/2*\pi` is not `1/2\pi`), nor after a letter or power
_NUMBER_TIMES_COMMAND = re.compile(r"(?<![\w.}/^])(\d+(?:\.\d+)?)\*(?=\\[A-Za-z]|\()")
_MAX_TOKENS = 400


class _NotAFormula(Exception):
    pass


def _tokens(s: str) -> list[tuple[str, bool]]:
    """(token, preceded by a space) for the whole text, or _NotAFormula when anything is left over."""
    out, i = [], 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if m is None:
            if s[i:].strip():
                raise _NotAFormula
            break
        out.append((m.group(1), m.start(1) > i))
        i = m.end()
    if not out or len(out) > _MAX_TOKENS:
        raise _NotAFormula
    return out


def _is_name(token: str) -> bool:
    return token[0].isalpha()


def _function_key(token: str) -> str | None:
    key = token.lower()
    return key if key in _FUNCTIONS or key in _SPECIAL or function_key(key) else None


class _Reader:
    """Recursive descent over the tokens, writing LaTeX; `signals` collects the conventions met."""

    def __init__(self, tokens: list[tuple[str, bool]]):
        self.tokens = tokens
        self.i = 0
        self.signals: set[str] = set()

    def peek(self, offset: int = 0) -> str | None:
        j = self.i + offset
        return self.tokens[j][0] if j < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        if self.i >= len(self.tokens) or (expected is not None and self.tokens[self.i][0] != expected):
            raise _NotAFormula
        self.i += 1
        return self.tokens[self.i - 1][0]

    def sequence(self, stop: tuple[str, ...] = ()) -> str:
        """Operators and atoms up to a token in `stop` (not taken) or the end."""
        parts: list[str] = []
        last_atom: str | None = None  # the kind of the previous item when it was an atom: "number", "name", "group"
        while (token := self.peek()) is not None and token not in stop:
            if token in ("+", "-", "/", "*"):
                if token == "*":
                    self.signals.add("*")
                    if last_atom is None:
                        raise _NotAFormula
                parts.append(self.take())
                last_atom = None
                continue
            if token in _RELATIONS:
                self.signals.add("==") if token == "==" else None
                parts.append(_RELATIONS[self.take()])
                last_atom = None
                continue
            if token == ",":
                raise _NotAFormula  # a list or tuple: the older rules read those
            spaced = self.tokens[self.i][1]
            kind, latex = self.atom()
            if last_atom is not None:
                if kind == "number" or (spaced and "word" in (kind, last_atom)):
                    raise _NotAFormula  # `x 5`, `6 8`, `5 or x`, `x is`: words side by side are prose
                if kind == "word" and last_atom == "number" and not spaced:
                    if latex.replace("*", "") in _ORDINAL_SUFFIXES:
                        raise _NotAFormula  # `2nd`, `5th`: an ordinal, not 2*n*d
                    self.signals.add("coefficient")  # `2as`, `4for`: a number before letters marks them as algebra
                if not (kind == "group" and last_atom == "name" and not spaced):
                    parts.append("*")  # `f(x)` is left for the LaTeX reader: a call or a product
            parts.append(latex)
            last_atom = kind
        return "".join(parts)

    def atom(self) -> tuple[str, str]:
        """(kind, LaTeX) of one operand with its powers and factorial signs."""
        token = self.take()
        if token == "(":
            kind, latex = "group", "(" + self.sequence(stop=(")",)) + ")"
            self.take(")")
        elif token[0].isdigit() or token[0] == ".":
            kind, latex = "number", token
        elif _is_name(token):
            kind, latex = self.name(token)
        else:
            raise _NotAFormula
        while self.peek() == "!":  # `n!`, `(n+1)!`
            self.take()
            latex = latex + "!" if kind in ("number", "group") or len(latex) == 1 else "(" + latex + ")!"
        while self.peek() in ("**", "^"):
            self.signals.add("**") if self.take() == "**" else None
            sign = self.take() if self.peek() in ("-", "+") else ""
            exp_kind, exponent = self.atom()
            if exp_kind == "group" and exponent.startswith("(") and exponent.endswith(")"):
                self.signals.add("^(")
                exponent = exponent[1:-1]
            wrap = latex.endswith("!") or (kind == "function" and latex.startswith("e^{"))  # `exp(x)^2`: no tower
            latex = ("{" + latex + "}" if wrap else latex) + f"^{{{sign}{exponent}}}"
        return kind, latex

    def name(self, token: str) -> tuple[str, str]:
        base, _, subscript = token.partition("_")
        key = _function_key(base) if not subscript else None
        if key is not None:
            power = None
            if self.peek() == "^" and function_key(key):  # `sin^2(x)`, `cot^-1(x)`: a power on the name
                self.take()
                sign = self.take() if self.peek() in ("-", "+") else ""
                power = sign + self.atom()[1].removeprefix("(").removesuffix(")")
            if self.peek() != "(":
                raise _NotAFormula  # `sin x`, `log 2`: the older rules read a function without brackets
            self.signals.add("function")
            return "function", self.call(key, power)
        if subscript:
            return "name", f"{self.symbol(base)}_{{{subscript}}}"
        if base.lower() in _CONSTANTS and (base.islower() or base == "Pi"):
            if base != "pi":
                self.signals.add("constant")
            return "name", _CONSTANTS[base.lower()]
        if base in _GREEK or base in _CAPITAL_GREEK:
            self.signals.add("greek")
            return "name", "\\" + base
        if len(base) == 1:
            return "name", base
        if base.startswith(("or", "and")):
            raise _NotAFormula  # `x=1orx=2`: answers joined by a word with the spaces lost, a list (`normalize`)
        self.signals.add("word")
        return "word", "*".join(base)  # juxtaposed letters: a product

    def symbol(self, base: str) -> str:
        if base in _GREEK or base in _CAPITAL_GREEK:
            self.signals.add("greek")
            return "\\" + base
        if len(base) > 1:
            raise _NotAFormula  # `ab_1`: a word with a subscript is no product we can read
        return base

    def call(self, key: str, power: str | None = None) -> str:
        self.take("(")
        args = [self.sequence(stop=(",", ")"))]
        while self.peek() == ",":
            self.take()
            args.append(self.sequence(stop=(",", ")")))
        self.take(")")
        if not all(args):
            raise _NotAFormula
        if key == "log" and len(args) == 2 and power is None:
            return f"\\log_{{{args[1]}}}({args[0]})"  # log(x, b): base b, as Python and sympy order it
        if function_key(key):  # `acot`, `coth`, `floor`, `nthroot`, `log10`, powers on a name (`funcspell`)
            latex = call_latex(key, args, power)
            if latex is None:
                raise _NotAFormula
            return latex
        if len(args) == 2 and key == "binomial":
            return f"\\binom{{{args[0]}}}{{{args[1]}}}"
        if len(args) != 1:
            raise _NotAFormula
        arg = args[0]
        special = {
            "sqrt": f"\\sqrt{{{arg}}}",
            "cbrt": f"\\sqrt[3]{{{arg}}}",
            "exp": f"e^{{{arg}}}",
            "abs": f"\\left|{arg}\\right|",
            "factorial": f"({arg})!",
        }
        if key in special:
            return special[key]
        if key == "binomial":
            raise _NotAFormula
        return f"{_FUNCTIONS[key]}({arg})"


@memoized
def plain_formula_to_latex(s: str) -> str | None:
    """A plain-text formula in LaTeX (see the module's conventions), or None when `s` is not one or shows
    no plain-text convention (then it is left to `plaintext.plain_to_latex`).

    >>> plain_formula_to_latex("z * x * y"), plain_formula_to_latex("2as + 4for + is + print")
    ('z*x*y', '2*a*s+4*f*o*r+i*s+p*r*i*n*t')
    >>> plain_formula_to_latex("s == (u + v) * (t)/(2)"), plain_formula_to_latex("1 + theta**(2)/2")
    ('s=(u+v)*(t)/(2)', '1+\\\\theta^{2}/2')
    >>> plain_formula_to_latex("log(x, 10) + ArcSin(x) + factorial(n)")
    '\\\\log_{10}(x)+\\\\arcsin(x)+(n)!'
    >>> [plain_formula_to_latex(s) for s in ("even", "x is 5", "6 8", "2x+1", "(1, 2)")]
    [None, None, None, None, None]
    """
    if not s.isascii() or "\\" in s or "{" in s or "$" in s or not re.search(r"[A-Za-z*=^]", s):
        return None
    try:
        tokens = _tokens(s)
        if len(tokens) == 1:
            return None  # a lone word (`theta`, `Beta`, `even`) is left to the word rules
        reader = _Reader(tokens)
        latex = reader.sequence()
        if reader.i != len(reader.tokens):
            return None  # an unmatched `)`
    except _NotAFormula:
        return None
    if not reader.signals:
        return None  # `2x+1`, `x/2`: LaTeX reads it as it is
    if "word" in reader.signals and "coefficient" not in reader.signals:
        return None  # `print`, `nine-one-zero`, `x*yz`: words are products of letters only after a coefficient
    return _NUMBER_TIMES_COMMAND.sub(r"\1", latex)
