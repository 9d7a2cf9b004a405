"""Cheap, pure answer normalisation: one canonical spelling for string equality.

Nothing here evaluates its input. Plain-text math is rewritten in `plaintext`, numbers are read
exactly in `exact`, and the caps live in `caps`.

- `normalize_answer(s)`: strip delimiters, spacing commands, `\\text{}` and font wrappers (`{\\bf 4}`),
  units after a number (`12 inches`, `5 km/h`), a bracketed remark (`2 (twice)`), degrees, `\\dfrac`, a
  leading `x =`, a trailing full stop or comma, brackets around one number (`(073)`); a choice named
  with its word (`Option C`) is its letter; answers joined by words become a comma list;
- `prepare_for_sympy(s)`: the lighter clean-up an answer gets before Math-Verify parses it.
"""

from __future__ import annotations

import re

from .caps import MAX_ANSWER_CHARS
from .memo import memoized
from .numeric import _split_top
from .numwords import SCALES, number_words_to_digits, scaled

__all__ = ["MAX_ANSWER_CHARS", "normalize_answer", "prepare_for_sympy", "trig_degrees_as_radians"]

_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~|\\displaystyle|\\limits|\\left\b|\\right\b|\\middle\b")
_DEGREES = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\degree\b|\\circ\b")
# an angle in degrees as the argument of a trig function: `\sin 30^\circ`, `\cos(60°)`, `\tan^2{45^{\circ}}`
_DEGREE_SIGN = r"(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![A-Za-z])|°|\\degree(?![A-Za-z]))"
_ANGLE = r"([-+]?\d+(?:\.\d+)?)\s*" + _DEGREE_SIGN
_TRIG_DEGREES = re.compile(
    r"(\\(?:sin|cos|tan|cot|sec|csc)(?:\s*\^\s*\{?-?\d+\}?)?)\s*"
    rf"(?:(?:\\left\s*)?\(\s*{_ANGLE}\s*(?:\\right\s*)?\)|\{{\s*{_ANGLE}\s*\}}|{_ANGLE})"
)
# an argument in brackets with an angle in degrees among other terms: `\sin(90^{\circ}-x)` is cos(x)
_TRIG_ARGUMENT_DEGREES = re.compile(
    rf"(\\(?:sin|cos|tan|cot|sec|csc)(?:\s*\^\s*\{{?-?\d+\}}?)?\s*(?:\\left\s*)?\()([^()]*?{_DEGREE_SIGN}[^()]*)(?=(?:\\right\s*)?\))"
)
_ANGLE_ANYWHERE = re.compile(r"(\d+(?:\.\d+)?)\s*" + _DEGREE_SIGN)
_TEXT_CMD = re.compile(
    r"\\(?:text|textbf|textit|textrm|textsf|texttt|emph|mathrm|mathbf|mathit|mathsf|mathtt|boldsymbol|bm|mbox"
    r"|operatorname)\s*\{([^{}]*)\}"
)
# old-style font switches (`{\bf 4}`, `\rm cm`): they change the look, never the value
_FONT_SWITCH = re.compile(r"\\(?:bf|it|rm|sf|tt|em)(?![A-Za-z])\s*")
# unit symbols that may follow a number in a compound unit (`5 km/h`, `3 m/s^2`, `2 g/cm^3`): only
# written with a slash or a power after a space, so a lone letter after a number stays a product (5 m = 5m)
_UNIT_SYMBOL = r"(?:km|cm|mm|m|s|h|hr|min|kg|g|mg|L|mL|ml|ft|mi|in|lb|N|J|W|Pa|mph|kph)"
_COMPOUND_UNIT = re.compile(rf"^([-+]?[\d.,]+)\s+{_UNIT_SYMBOL}(?:\^\{{?\d\}}?)?(?:/{_UNIT_SYMBOL}(?:\^\{{?\d\}}?)?)+$")
# a trailing remark in brackets after a number: `2 \text{ (twice)}`, `11 (days)`
_REMARK = re.compile(r"^([-+]?[\d.,/]+)\s+\(\s*[A-Za-z]{3,}[A-Za-z ]*\)$")  # not `2 (x)`: that is 2x
# a choice named with its word: `Option C`, `choice (b)`, `answer: D`
_NAMED_CHOICE = re.compile(r"^(?:option|choice|answer)\s*[:.]?\s*\(?([A-Ea-e])\)?$", re.IGNORECASE)
# a number then words of two letters or more: "12 inches", "4 square units" (never "5 x": that is 5x)
_UNIT_WORDS = re.compile(
    r"^([-+]?[\d.,/]+|\\frac\{[^{}]*\}\{[^{}]*\})\s+([A-Za-z][A-Za-z.]+(?:\s+[A-Za-z.]{2,})*)(\^?\d)?$"
)
_NOT_UNITS = {"or", "and", "to", "not", "plus", "minus", "times", "over", "more", "less", "than", "at", "least", "most"}
# `y =`, `x_1 =`, `f(x) =` before the answer: a name for the value (its letter must not recur on the right)
_ASSIGNMENT = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?(?:\(\s*[A-Za-z]\s*\))?\s*=\s*(?!.*=)")
_CHOICE = re.compile(r"^\(?([A-E])\)?$")
_MEMBERSHIP = re.compile(r"^[A-Za-z]\s*\\in\s*")


_FRACTION_COMMANDS = re.compile(r"\\(?:d|t|nice)frac(?![A-Za-z])")  # `\dfrac`, `\tfrac`, `\nicefrac`: `\frac`
# an approximation sign or an estimate word before the value: `\approx 3.14`, `approximately 3.14` (the value stated)
_APPROX = re.compile(
    r"^\s*(?:\\approx|≈|\\sim(?![A-Za-z])|~|(?i:approximately|approx\.?|about|around|roughly)\s+(?=[-+\d.$\\]))\s*"
)
_PERCENT_WORD = re.compile(r"^([-+]?[\d.,]+)\s*(?:percent(?:age)?|per cent|pct)$", re.IGNORECASE)
_ORDINAL = re.compile(r"^([-+]?\d+)\s*(?:st|nd|rd|th)$")
# an integer remainder: `17 \bmod 5` is 2 (whole numbers of bounded length only; `\pmod` is a congruence, not this)
_INTEGER_MOD = re.compile(r"^([-+]?\d{1,30})\s*\\(?:bmod|mod)(?![A-Za-z])\s*\{?(\d{1,30})\}?$")
_THOUSANDS_SPACED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
_JOINING_WORD = re.compile(r"\s*,?\s*\b(?:and|or)\b\s*")
# `x=`, `x_1=`, `f(x)=`, or a tuple of names `(x,y)=`; the name (its letter, or the tuple) is group 1 or 2
_ITEM_ASSIGNMENT = re.compile(r"^(?:([A-Za-z])(?:_\{?\w+\}?)?(?:\([A-Za-z]\))?|(\([A-Za-z](?:,[A-Za-z])+\)))=(?!.*=)")


_LEADING_NAME = re.compile(r"^([A-Za-z](?:_\{?\w+\}?)?(?:\([A-Za-z]\))?)\s*=")
_WORDS_ONLY = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]+)*")
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{(.*)\}", re.DOTALL)
_EMPTY_SET = re.compile(r"\\varnothing\b|\\\{\s*\\\}")
_TEXT_JOINING_WORD = re.compile(r"\\(?:text|mbox|mathrm)\s*\{\s*(and|or)\s*\}")
# units written as text after a number: 10\text{ cm} -> 10, 5\text{ m/s} -> 5, 6\text{ cm}^{2} -> 6
_TEXT_UNIT_AFTER_NUMBER = re.compile(
    r"(?<=[\d}])\s*\\(?:text|mbox|mathrm)\s*\{\s*[A-Za-z][A-Za-z ./]*\}\s*(\^\{?\d\}?|\d)?$"
)
_BRACKETED_NUMBER = re.compile(r"^\(\s*([-+]?\d+(?:\.\d+)?)\s*\)$")
# one value, maybe with its unit words, in square brackets: `[45 degrees]` (never `[1, 2]`, an interval)
_SQUARE_BRACKETED_VALUE = re.compile(r"^\[\s*([-+]?\d+(?:\.\d+)?(?:\s+[A-Za-z][A-Za-z.]*)*)\s*\]$")
_DIGIT_SPACE = re.compile(r"(?<=\d)\s+(?=\d)")
_COMMAND_SPACE = re.compile(r"(\\[A-Za-z]+)\s+(?=[A-Za-z])")
_SPACE = re.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])")
_FRAC_DIGITS = re.compile(r"\\frac(\d)(\d)")


def trig_degrees_as_radians(s: str) -> str:
    """An angle in degrees inside a trig function, in radians, so that `\\sin 30^\\circ` is sin(pi/6), never sin(30)
    (dropping the degree sign, as units are dropped, would read it in radians).

    >>> trig_degrees_as_radians(r"\\sin 30^\\circ + \\cos(60°)")
    '\\\\sin(\\\\frac{30\\\\pi}{180}) + \\\\cos(\\\\frac{60\\\\pi}{180})'
    >>> trig_degrees_as_radians(r"\\sin(90^{\\circ}-x)")
    '\\\\sin(\\\\frac{90\\\\pi}{180}-x)'
    """

    def radians(m: re.Match) -> str:
        degrees = next(g for g in m.groups()[1:] if g is not None)
        return f"{m.group(1)}(\\frac{{{degrees}\\pi}}{{180}})"

    def radians_inside(m: re.Match) -> str:  # `\sin(90^\circ - x)`: each angle of the argument
        return m.group(1) + _ANGLE_ANYWHERE.sub(lambda a: f"\\frac{{{a.group(1)}\\pi}}{{180}}", m.group(2))

    return _TRIG_ARGUMENT_DEGREES.sub(radians_inside, _TRIG_DEGREES.sub(radians, s))


def _glued_assignments(s: str) -> list[str] | None:
    """`W(x)=1orW(x)=-1` (spaces lost in a dataset): the pieces when "or"/"and" stands right before
    the name that opens the answer, assigned again; None otherwise."""
    m = _LEADING_NAME.match(s)
    if m is None:
        return None
    name = re.escape(m.group(1))
    parts = re.split(rf"(?<=[\w)}}])(?:or|and)(?={name}\s*=)", s)
    return parts if len(parts) > 1 else None


def _without_unit_words(s: str) -> str:
    """A number without the words after it (`12 inches` -> `12`), or times the scale word that opens them
    (`5 thousand dollars` -> `5000`, `2 dozen` -> `24`: `numwords.scaled`); else `s` as it is."""
    m = _UNIT_WORDS.match(s)
    if not m or {w.lower().strip(".") for w in m.group(2).split()} & _NOT_UNITS:
        return s
    first = m.group(2).split()[0].strip(".")
    if first.lower().rstrip("s") in SCALES:
        return scaled(m.group(1), first) or s  # unread (`\frac{1}{2} million`): left as words, so unequal
    return m.group(1)


def _words_as_commas(s: str) -> str:
    """Answers joined by words become a comma list: `6 and 8` -> `6,8`, `x=1 or x=2` -> `x=1,x=2`,
    `x=1orx=2` -> `x=1,x=2` (both parts must be non-empty; "3 or 5" against a single gold answer
    stays wrong as a list)."""
    parts = _glued_assignments(s) or _JOINING_WORD.split(s)
    if len(parts) < 2 or any(not p.strip() or _WORDS_ONLY.fullmatch(p.strip()) for p in parts):
        return s  # "5 or more", "even and odd": words, not a list of answers
    return ",".join(p.strip() for p in parts)


def _strip_item_assignments(s: str) -> str:
    """`x=1,x=2` -> `1,2`, `x_1=3,x_2=4` -> `3,4`: the same name assigned in every item of a list."""
    items = _split_top(s, ",")
    if len(items) < 2:
        return s
    names = [_ITEM_ASSIGNMENT.match(item) for item in items]
    if not all(names) or len({m.group(1) or m.group(2) for m in names}) != 1:
        return s
    return ",".join(item[m.end() :] for item, m in zip(items, names))


# a repeating decimal in other notations: `0.(3)`, `0.1\dot{6}`, `0.\dot{1}4285\dot{7}` (dots over the first and
# last digit of the cycle), and digits that repeat before an ellipsis (`0.333...`, `0.1666\ldots`, `0.1212…`)
_PAREN_CYCLE = re.compile(r"(-?\d*)\.(\d*)\((\d{1,12})\)")
_DOT_CYCLE = re.compile(r"(-?\d*)\.(\d*)\\dot\s*\{?(\d)\}?(?:(\d{0,10})\\dot\s*\{?(\d)\}?)?")
_ELLIPSIS_CYCLE = re.compile(r"(-?\d*)\.(\d+)\s*(?:\.{3}|\\[lc]?dots(?![A-Za-z])|…)")
_DIGITS_THEN_ELLIPSIS = re.compile(r"\d\.{3}$")


def _cycle_as_overline(s: str) -> str:
    """A whole answer that is a repeating decimal written with brackets, dots or an ellipsis, in the `\\overline`
    spelling that `exact.plain_number` reads exactly; anything else unchanged. After an ellipsis, the shortest
    block of up to 6 digits that ends the decimals twice in a row is the cycle (`0.1666...` is 1/6, `0.142857142857...`
    1/7); without one (`0.577...`, `3.14159...`) the decimal is left as written, a truncation.

    >>> _cycle_as_overline("0.(3)"), _cycle_as_overline(r"0.\\dot{1}4285\\dot{7}"), _cycle_as_overline("-0.1666...")
    ('0.\\\\overline{3}', '0.\\\\overline{142857}', '-0.1\\\\overline{6}')
    >>> _cycle_as_overline("3.14159..."), _cycle_as_overline("0.5(3x)")
    ('3.14159...', '0.5(3x)')
    """
    if m := _PAREN_CYCLE.fullmatch(s):
        return f"{m[1]}.{m[2]}\\overline{{{m[3]}}}"
    if m := _DOT_CYCLE.fullmatch(s):
        if m[5] is None and m[4] is not None:
            return s
        return f"{m[1]}.{m[2]}\\overline{{{m[3] + (m[4] + m[5] if m[5] else '')}}}"
    if m := _ELLIPSIS_CYCLE.fullmatch(s):
        digits = m[2]
        for period in range(1, 7):
            cycle = digits[-period:]
            if len(digits) >= 2 * period and digits.endswith(cycle * 2):
                fixed = digits
                while fixed.endswith(cycle):
                    fixed = fixed[:-period]
                return f"{m[1]}.{fixed}\\overline{{{cycle}}}"
    return s


# delimiters peeled from one answer at most: each peel checks the rest's braces (O(n)), so `\\boxed{` * 28,571 + `5`
# + `}` * 28,571 peeled to the end cost n^2 (100 s, second round of attacks); no honest answer has more than a few
_MAX_PEELS = 20


def _strip_delimiters(s: str) -> str:
    s = s.strip()
    changed = True
    for _ in range(_MAX_PEELS):
        if not changed:
            break
        changed = False
        # a full stop (the ellipsis looked for in the last 4 characters only: `.` * 10^5 would cost n^2)
        if s.endswith(".") and not s[-2:-1].isdigit() and not _DIGITS_THEN_ELLIPSIS.search(s, max(0, len(s) - 4)):
            s, changed = s[:-1].rstrip(), True
        if s.endswith(",") and s[:-1].strip():  # `2,`: a sentence's comma after the answer
            s, changed = s[:-1].rstrip(), True
        if s.endswith("\\") and s.rstrip("\\").strip():  # `185\\`: a stray backslash or line break at the end
            s, changed = s.rstrip("\\").rstrip(), True
        for left, right in (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)")):
            if len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right):
                s = s[len(left) : len(s) - len(right)].strip()
                changed = True
        m = _BOXED.fullmatch(s) if s.startswith(("\\boxed", "\\fbox")) else None
        if m and _balanced(m.group(1)):
            s, changed = m.group(1).strip(), True
    return s


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


def _without_outer_braces(s: str) -> str:
    """`{{5}}` as `5`: every outer pair of braces that encloses the whole, found in one pass (peeling one layer at a
    time and checking the rest each time cost n^2 on `{` * 10^4: 7 s, second round of attacks).

    >>> _without_outer_braces("{{5}}"), _without_outer_braces("{a}{b}"), _without_outer_braces("{{a}")
    ('5', '{a}{b}', '{{a}')
    """
    if not (s.startswith("{") and s.endswith("}")):
        return s
    closes, stack = {}, []
    for k, ch in enumerate(s):
        if ch == "{":
            stack.append(k)
        elif ch == "}":
            if not stack:
                return s
            closes[stack.pop()] = k
    layers = 0
    while layers < len(s) // 2 and closes.get(layers) == len(s) - 1 - layers:
        layers += 1
    return s[layers : len(s) - layers] if not stack else s


@memoized
def normalize_answer(s: str) -> str:
    """A canonical spelling for cheap equality; not meant for display or for sympy.

    >>> normalize_answer(r"$\\dfrac{1}{2}$.")
    '\\\\frac{1}{2}'
    >>> normalize_answer(r"x = 10\\text{ cm}")
    '10'
    >>> normalize_answer(r"30^\\circ"), normalize_answer(r"\\text{(B)}"), normalize_answer("1{,}000")
    ('30', 'B', '1,000')
    """
    s = _strip_delimiters(s)
    s = _cycle_as_overline(s.rstrip())  # `0.(3)`, `0.333...`: a repeating decimal, before a full stop is dropped
    s = s.rstrip().rstrip(".").rstrip()
    s = _APPROX.sub("", s)  # `\approx 3.14`: the value the writer gives
    s = _FRACTION_COMMANDS.sub(r"\\frac", s).replace("\\dbinom", "\\binom")
    s = s.replace("{,}", ",").replace("\\$", "")
    s = _EMPTY_SET.sub(r"\\emptyset", s)  # one spelling of the empty set
    s = _SPACING.sub(" ", s)
    s = _DEGREES.sub("", trig_degrees_as_radians(s))
    s = _TEXT_JOINING_WORD.sub(r" \1 ", s)  # 6 \text{ and } 8: not a unit
    s = _TEXT_UNIT_AFTER_NUMBER.sub("", s)  # units written as text after a number
    for _ in range(_MAX_PEELS):  # one layer of `\text{}` per pass: `\text{` * 28,571 cost n^2 (60 s)
        prev, s = s, _TEXT_CMD.sub(r"\1", s)
        if prev == s:
            break
    s = number_words_to_digits(_FONT_SWITCH.sub("", s).strip())  # `three apples` -> `3 apples` (`numwords`)
    for pattern in (_COMPOUND_UNIT, _REMARK):
        if m := pattern.match(s):
            s = m.group(1)
    if m := _NAMED_CHOICE.match(s):
        s = m.group(1).upper()
    s = _BRACKETED_NUMBER.sub(r"\1", s)  # `(073)`: one number in brackets is the number
    s = _SQUARE_BRACKETED_VALUE.sub(r"\1", s)
    s = _ORDINAL.sub(r"\1", s)
    if (m := _INTEGER_MOD.match(s)) and int(m.group(2)) > 0:
        s = str(int(m.group(1)) % int(m.group(2)))
    s = _PERCENT_WORD.sub(r"\1\\%", s)  # `25 percent`, `25 pct`: a percent sign, read either way
    s = _without_unit_words(s)
    m = _ASSIGNMENT.match(s)
    if m and not re.search(rf"(?<![A-Za-z\\]){re.escape(s[0])}(?![A-Za-z])", s[m.end() :]):
        s = _without_unit_words(s[m.end() :])  # y = 2x+3 -> 2x+3, `x = 5 cm` -> 5; x = 2x+3, f(x) = f(x-1)+1 stay
    s = _MEMBERSHIP.sub("", s)
    s = _words_as_commas(s)
    s = _THOUSANDS_SPACED.sub(lambda m: m.group(0).replace(" ", ""), s)  # 1 000 000 is one number
    s = _DIGIT_SPACE.sub("\0", s)  # but 6 8 is not 68: keep that space
    # drop spaces, except one that ends a command before a letter (\pi r must not become \pir)
    s = _COMMAND_SPACE.sub(r"\1 ", s)
    s = _SPACE.sub("", s)
    s = _strip_item_assignments(s.replace("\0", " "))
    s = _FRAC_DIGITS.sub(r"\\frac{\1}{\2}", s)
    s = s.rstrip(".")
    s = _without_outer_braces(s)
    m = _CHOICE.match(s)
    if m:
        s = m.group(1)
    return s


def prepare_for_sympy(s: str) -> str:
    """Light clean-up before Math-Verify: delimiters, `\\dfrac`, degrees, a trailing full stop.

    >>> prepare_for_sympy(r"$\\dfrac{\\pi}{4}$.")
    '\\\\frac{\\\\pi}{4}'
    """
    s = _APPROX.sub("", _strip_delimiters(s).rstrip().rstrip(".").rstrip())  # `\\approx 1.414214`: the value
    s = _FRACTION_COMMANDS.sub(r"\\frac", s).replace("{,}", ",")
    return _DEGREES.sub("", trig_degrees_as_radians(s)).strip()
