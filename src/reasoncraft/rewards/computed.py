"""An answer that is the computation the question asks for, not its result (fourteenth session, attacks).

`unevaluated` refuses an answer that still holds an integral, a derivative, a limit, a sum or a product. The same
holds for the operations whose only purpose is to be worked out to a number: `\\gcd(10, 15)`, `\\operatorname{lcm}`,
`\\det A`, `\\min(5, 6)`, `\\max`, `\\lfloor 100/19 \\rfloor`, `\\lceil x \\rceil`, `\\operatorname{rank}`, a trace. A
question "find \\gcd(10, 15)" answered `\\gcd(10, 15)` restates it, and Math-Verify works it out and finds 5. Such an
answer is refused when the gold holds none of these operations; its final side (after its last `=`) is what is read,
so `\\gcd(10, 15) = 5` still answers 5.

Not refused, because they are how exact values are written and an unsimplified one is an honest answer:
`\\binom{5}{2}` (for 10), `5!`, `\\sqrt{25}`, `\\log_2 32`, `\\sin(\\pi/6)`, `|-5|`, `2^{10}`.
"""

from __future__ import annotations

import re

from .unevaluated import _final_side

__all__ = ["computed_answer"]

_COMPUTED = re.compile(
    r"\\(?:gcd|det|min|max|lfloor|lceil)(?![A-Za-z])"
    r"|\\operatorname\s*\{\s*(?:gcd|lcm|det|min|max|floor|ceil|rank|tr|Tr|trace|card)\s*\}"
    r"|\\(?:mathrm|text)\s*\{\s*(?:gcd|lcm|rank|tr|trace)\s*\}"
    r"|(?<![\\A-Za-z])(?:gcd|lcm|floor|ceil|ceiling)\s*\(|⌊|⌈",
)


def computed_answer(gold: str, candidate: str) -> bool:
    """Whether the candidate's final value is an operation to work out (gcd, lcm, det, min, max, floor, ceiling,
    rank, trace) that the gold does not hold.

    >>> computed_answer("5", r"\\gcd(10, 15)"), computed_answer("5", r"\\gcd(10,15) = 5")
    (True, False)
    >>> computed_answer(r"\\lfloor x \\rfloor", r"\\lfloor x \\rfloor"), computed_answer("10", r"\\binom{5}{2}")
    (False, False)
    """
    if not _COMPUTED.search(candidate):
        return False
    return bool(_COMPUTED.search(_final_side(candidate))) and not _COMPUTED.search(gold)
