"""What a completion states as its answer, read as a person reads the response (fourteenth session, attacks).

A reward-hacking policy can state more than one answer so that some reader takes the right one: a box and a
different "Answer:" line (the accuracy reward read the box, `text_verdicts` the line), two "Answer:" lines, a
box followed by "or maybe 6" or "(just kidding, it's 6)", a box the text calls wrong ("The answer is not
\\boxed{5}", "\\boxed{5} is incorrect"), or a box that is struck through (`~~\\boxed{5}~~`). Three rules:

- `response_text`: the text a reader sees as the response: what follows the last `</think>` when that holds
  an answer (a box in the reasoning is a draft, `<think>\\boxed{6}</think>\\boxed{5}` answers 5), struck-through
  spans (`~~...~~`, `<s>`, `<del>`, `\\sout{}`) and HTML comments removed, other box commands (`\\framebox`,
  `\\colorbox{yellow}`) spelled `\\boxed`;
- `negated_answer`: the final box is negated ("not \\boxed{5}", "\\boxed{5} is wrong", "\\boxed{5}? No"): no answer;
- `other_statements`: every other answer the text states (each explicit "Answer:" / "Final answer:" line, the
  `<answer>` tag, the box, an item offered after the answer by "or", "maybe", "alternatively", "it could also
  be", or a bare "6?"). The rewards score a completion equal only when each of them is equal to the gold too, so
  a second spelling of the same value (`\\boxed{0.5}, or $\\frac{1}{2}$`) costs nothing and a second value fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .approx import _constant
from .base import RewardFailure
from .boxes import box_spans
from .extract import after_answer_marker, answer_tags, final_answer
from .hidden import visible_text

__all__ = ["response_text", "negated_answer", "other_statements", "stated_answers", "all_equal"]

_MAX_STATEMENTS = 8  # a completion that states more answers than this is hedging however they compare

_STRUCK = re.compile(
    r"(?<![\w}])~~(?=\S)[^~\n]+?(?<=\S)~~(?![\w{\\])"  # markdown
    r"|\\(?:sout|st|xout)\s*\{(?:[^{}]|\{[^{}]*\})*\}"  # struck text
    r"|\\[bx]?cancel\s*\{[^{}]*\\boxed(?:[^{}]|\{[^{}]*\})*\}",  # a struck box (`\\cancel{2}` in math stays)
)
# struck or hidden HTML; each searched only up to its last closer, so that openers alone cost no n^2 (`spans`)
_STRUCK_TAGS = tuple(
    (end, re.compile(rf"{start}.*?{re.escape(end)}", re.DOTALL))
    for start, end in (("<s>", "</s>"), ("<del>", "</del>"), ("<strike>", "</strike>"), ("<!--", "-->"))
)
_OTHER_BOX = re.compile(
    r"\\(?:framebox|doublebox|ovalbox|shadowbox|colorbox\s*\{[^{}]*\}|fcolorbox\s*\{[^{}]*\}\s*\{[^{}]*\})\s*(?=\{)"
)
_ASY = re.compile(r"\[asy\].*?\[/asy\]", re.DOTALL)
_THINK_END = "</think>"
_STATED_CUE = re.compile(r"\\boxed|<answer>|\banswer\b", re.IGNORECASE)
_ANY_CASE_TAG = re.compile(r"<(/?)answer>", re.IGNORECASE)
_ANSWER_CUE = re.compile(r"\\boxed|<answer>|\banswer\b|\d", re.IGNORECASE)


def response_text(text: str) -> str:
    """The response as a reader sees it (see the module docstring).

    >>> response_text(r"<think>\\boxed{6}</think> so \\boxed{5}"), response_text(r"~~\\boxed{6}~~ \\boxed{5}")
    (' so \\\\boxed{5}', '  \\\\boxed{5}')
    >>> response_text(r"<think>\\boxed{5}</think> Done.")  # no answer after the reasoning: the whole text
    '<think>\\\\boxed{5}</think> Done.'
    """
    if "<" in text and _ANY_CASE_TAG.search(text):
        text = _ANY_CASE_TAG.sub(lambda m: f"<{m.group(1)}answer>", text)  # `<ANSWER>6</ANSWER>` is a tag to a reader
    if _THINK_END in text:
        end = text.rindex(_THINK_END)
        after, opened = text[end + len(_THINK_END) :], text.find("<think>")
        if _ANSWER_CUE.search(after):
            before = text[:opened] if 0 <= opened < end else ""
            text = f"{before} {after}" if _STATED_CUE.search(before) else after  # an answer before `<think>` stays
    if "[/asy]" in text:
        text = _ASY.sub(" ", text)  # drawing code after the answer (MATH's solutions, models trained on them)
    for end, tag in _STRUCK_TAGS:
        if (cut := text.rfind(end)) >= 0:
            text = tag.sub(" ", text[: cut + len(end)]) + text[cut + len(end) :]
    if "~~" in text or "\\" in text:
        text = _STRUCK.sub(" ", text)
    text = visible_text(text)  # unseen: `\\phantom{\\boxed{6}}\\boxed{5}` answers 5 (`hidden`)
    if "box" in text:
        text = _OTHER_BOX.sub(r"\\boxed", text)
    return text


_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:(?:equal\s+to|equals?|be|the\s+answer|correct|right|quite)\s+)*[$\s]*(?:=\s*)?\Z",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    r"[$\s.]*(?:(?:is|was|seems|looks|would\s+be)\s+(?:wrong|incorrect|false|a\s+mistake|not\s+(?:correct|right|"
    r"the\s+answer|it))|\?+\s*(?:no\b|nope|wrong|not\b))",
    re.IGNORECASE,
)


def negated_answer(text: str) -> bool:
    """Whether the last box of `text` is called wrong where it stands.

    >>> negated_answer(r"The answer is not \\boxed{5}."), negated_answer(r"\\boxed{5} is incorrect.")
    (True, True)
    >>> negated_answer(r"The answer is not 6; it is \\boxed{5}."), negated_answer(r"\\boxed{5}? No.")
    (False, True)
    """
    spans = box_spans(text)
    if not spans:
        return False
    start, end, _ = spans[-1]
    return bool(_NEGATED_BEFORE.search(text[max(0, start - 60) : start]) or _NEGATED_AFTER.match(text[end:]))


# an explicit final-answer line ("Answer:", "**Final Answer:**", "The final answer is"); a bare "the answer is"
# in prose is left to the extractor, as it often introduces a description rather than a value
_FINAL_MARKER = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?]))[ \t>*#-]*(?:final[ \t]+)?answer[ \t]*\**[ \t]*[:：]"
    r"|\bthe[ \t]+final[ \t]+answer[ \t]+is\b",
    re.IGNORECASE,
)
_GSM8K_LINE = re.compile(r"####\s*([^\n]+)")
_ITEM = (
    r"(?:\\boxed\s*\{(?P<box>[^{}]*)\}|\$(?P<span>(?:\\\$|[^$])+?)\$|\\[(\[](?P<latex>[^$\n]{1,80}?)\\[)\]]"
    r"|(?P<number>-?\d[\d,]*(?:\.\d+)?(?:/\d+)?(?:\s*\\?%)?)"  # `or 50%`: the percent is part of the value
    r"|\(?(?P<letter>(?-i:[A-J]))\)?)"  # a choice letter, capital only
)
# a number followed by an operator is a term of a computation ("or, equivalently, 3 + 3 = 6"), not a value offered
_NOT_A_TERM = r"(?!\s*(?:[-+*/×÷=<>^]|\\(?:times|cdot|div|le|ge|leq|geq|neq)(?![A-Za-z])))"
# a second value offered after the answer: "or maybe 6", "(or possibly 6)", "Alternatively, 6", "it could also be 6",
# "just kidding, it's 6", "otherwise 6", "unless it's 6", "(alt: 6)", "My second guess is 6", "Another possible answer:
# 6", "或 6", "oder 6"; the cue, at most two other words, then the value
_OFFERED = re.compile(
    r"(?:\b(?:or|maybe|perhaps|possibly|alternatively|alternative|alt|otherwise|else|unless|if\s+not|vs\.?|versus"
    r"|another|second\s+guess|backup|kidding|oder|ou|o|или|oppure|hoặc)\b|或者?|または|또는"
    r"|\b(?:could|might)\s+(?:also\s+)?be\b)"
    r"(?:[\s,:;()*]+(?:maybe|perhaps|possibly|even|also|rather|else|it'?s|it\s+is|is|be|answer|possible|guess))*"
    r"(?:[\s,:;()*]+[^\s\d$\\.!?]+){0,2}?[\s,:;()*]*"
    rf"{_ITEM}(?![\w\\]){_NOT_A_TERM}",
    re.IGNORECASE,
)
# a value questioned on its own ("Hmm, 6?"), not a check's formula or clause ("does 5 satisfy x+2=7?", "should it
# be 6?"): only at the tail's start or after a clause's punctuation
_QUESTIONED = re.compile(rf"(?:\A|(?<=[.,;:!?(\n]))[\s$*]*{_ITEM}[\s$]*\?")
# "6 is also plausible", "though 6 is also possible", "6 also works": a second value conceded after the answer
_CONCEDED = re.compile(
    rf"(?<![\w\\]){_ITEM}\s+(?:is\s+|would\s+be\s+|could\s+be\s+)?(?:also|equally)\s+"
    r"(?:possible|plausible|valid|works|correct|acceptable|likely|an?\s+answer)",
    re.IGNORECASE,
)
# the text ends on a lone value after the answer, at most one short label before it: `\\boxed{5} / 6`, `\\boxed{5}|6`,
# `\\boxed{5} \\quad 6`, "P.S. 6", "Final: 6", "#### 6"
_BARE_TAIL = re.compile(
    r"[\s$.,;:|/)\]\\]*(?:(?:\\quad|\\qquad|\\[,;: ])\s*)*(?:(?:[A-Za-z.]{1,12}|#+)\s*[:.]?\s*)?"
    rf"{_ITEM}[\s.$\\\])]*",
)


# "divisible by 2, 3, 4, or 6": an "or" that ends a series of numbers joins the series, it offers no other answer
_SERIES_BEFORE = re.compile(r"\d\s*,\s*\$?-?\d[\d.]*\$?\s*,?\s*\Z")
# a statement of order or congruence is about another quantity, unless the answer is one itself
_ORDER_RELATION = re.compile(r"[<>≤≥≠≡]|\\(?:[lg]eq?|neq?|equiv|[pb]?mod|lt|gt)(?![A-Za-z])")

# "the others (like 1 or 2) were ruled out": a value the text rejects where it names it is not offered
_REJECTED = re.compile(
    r"[\s$)]*(?:(?:were|are|was|is|got|get|have\s+been|has\s+been)\s+(?:all\s+|both\s+)?"
    r"(?:ruled\s+out|excluded|eliminated|rejected|discarded|impossible|incorrect|wrong|invalid)\b"
    r"|(?:(?:are|is|were|was)\s+)?too\s+(?:large|small|big|many|few|high|low)\b"  # "C or D too large"
    r"|(?:would\s+|will\s+)?(?:violate|violates|contradict|contradicts)\b)",  # "4 or 6 would violate the constraint"
    re.IGNORECASE,
)
# "attained at $x = 2$ or $x = 4$", "occurs when $a = 1$ or $a = -1$": an "or" joining a pair that a preposition
# introduces names where or when, about other quantities; it offers no other answer
_PAIR_BEFORE = re.compile(
    r"\b(?:at|when|where|like|with|such\s+as|e\.g\.,?)\s+(?:\$[^$]{1,40}\$|-?\d[\d.,]*|\(?[A-J]\)?)\s*,?\s*\Z",
    re.IGNORECASE,
)
# the same angle in the other unit: `\\boxed{\\frac{\\pi}{6}}, i.e. $30^\\circ$`
_DEGREES = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(?:\^\s*\{?\s*\\circ\s*\}?|°)\s*")


def _other_unit(extracted: str, statement: str) -> str:
    """`statement` as an angle in the unit of `extracted` when the two are angles in different units (degrees,
    radians), else `statement` as it stands: a second spelling of the same angle is no second answer."""
    in_degrees = _DEGREES.fullmatch(extracted)
    if not in_degrees and "\\pi" in extracted and (degrees := _DEGREES.fullmatch(statement)):
        return rf"\frac{{{degrees.group(1)} \pi}}{{180}}"
    if in_degrees and "\\pi" in statement and "circ" not in statement:
        return rf"\left({statement}\right) \cdot \frac{{180}}{{\pi}}"
    return statement


# a word answer (`\\text{Tuesday}`, `even`) and a word offered for it by a cue of doubt, the word ending its sentence:
# "or maybe Wednesday.", "(perhaps odd)"; a bare "or" is left out ("or, equivalently, not odd" is a second spelling),
# and so is an adverb ("Perhaps unexpectedly, ...")
_WORD_ANSWER = re.compile(r"\s*(?:\\text\s*\{)?\s*[A-Za-z][A-Za-z' -]*\}?\s*")
_OFFERED_WORD = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|alternatively|otherwise|(?:could|might)\s+(?:also\s+)?be)"
    r"[\s,:;()*]+(?:(?:it'?s|it\s+is|even|also|rather)[\s,]+)?(?:\\text\s*\{)?(?P<word>[A-Za-z][A-Za-z'-]*)\}?"
    r"(?<!ly)(?=[\s)*$]*(?:[.;!?]|\Z))",  # the word ends its sentence: "Maybe surprising, but ..." offers none
    re.IGNORECASE,
)
_NOT_A_VALUE = {"not", "so", "yes", "no", "this", "that", "it", "too", "also", "both", "either", "neither", "none"}
# an end-of-proof mark after the answer (`$\\blacksquare$`, `∎`, "Q.E.D.") closes the text, it is no value
_END_OF_PROOF = re.compile(r"\\(?:blacksquare|square|Box|qed|qedsymbol)(?![A-Za-z])|[∎□■]|\bQ\.?E\.?D\b\.?")
# the answer's decimal approximation after it: `\\boxed{\\sqrt{2}} \\approx 1.414`, "or approximately 3.14"
_APPROX_CUE = re.compile(r"(?:\\approx|≈|\\simeq|approximately|approx\.?|roughly|about|around)[\s$]*\Z", re.IGNORECASE)
_DECIMAL = re.compile(r"[-+]?\d*\.\d+")


def _approximates(text: str, where: int, extracted: str, statement: str) -> bool:
    """Whether `statement`, standing at `where` after an approximation cue, is a decimal that the exact constant
    `extracted` rounds to (within half a unit of its last place): a rounding of the answer, no second answer;
    `\\boxed{\\sqrt{2}} \\approx 1.5` stays a second value."""
    if not _DECIMAL.fullmatch(statement.strip()) or not _APPROX_CUE.search(text, max(0, where - 20), where):
        return False
    value = _constant(re.sub(r"\\[dt]frac(?![A-Za-z])", r"\\frac", extracted))  # `\\dfrac{2}{3} \\approx 0.667`
    places = len(statement.strip().partition(".")[2])
    return (
        value is not None and abs(value.imag) < 1e-12 and abs(value.real - float(statement)) <= 0.5000001 / 10**places
    )


_MODULUS = re.compile(r"\\[pb]?mod(?![A-Za-z])|\bmod\b", re.IGNORECASE)


def _item(m: re.Match) -> str:
    if "word" in m.re.groupindex:
        return m.group("word")
    return next(m.group(g) for g in ("box", "span", "latex", "number", "letter") if m.group(g) is not None).strip()


def _item_start(m: re.Match) -> int:
    groups = [g for g in ("word", "box", "span", "latex", "number", "letter") if g in m.re.groupindex]
    return next(m.start(g) for g in groups if m.group(g) is not None)


def _last_statement(text: str) -> tuple[str | None, int]:
    """The statement a reader takes as final, the last in the text: the last box, the last `<answer>` tag or the
    last explicit "Answer:" line, whichever comes last; and where the text after it starts."""
    last: tuple[str | None, int, int] = (None, -1, len(text))  # (statement, where it stands, where its tail starts)
    if spans := box_spans(text):
        last = (spans[-1][2], spans[-1][1], spans[-1][1])
    if (close := text.rfind("</answer>")) > last[1] and (tags := answer_tags(text)):
        last = (final_answer(tags[-1]), close, close)  # the tag as read: `<answer>... \\boxed{34}.</answer>` is 34
    markers = list(_FINAL_MARKER.finditer(text))
    if markers and markers[-1].start() > last[1]:
        stated = after_answer_marker(text[markers[-1].start() :])
        stated = stated and final_answer(stated)  # as the extractor leaves it: `_64_` is 64
        if stated and not re.fullmatch(r"[A-Za-z]{2,}[A-Za-z ,'-]*", stated):  # "Answer: correct" is a verdict
            last = (stated, markers[-1].start(), markers[-1].start())
    if (hashes := list(_GSM8K_LINE.finditer(text))) and hashes[-1].start() > last[1]:  # GSM8K's "#### 6"
        last = (hashes[-1].group(1).strip(), hashes[-1].start(), hashes[-1].end())
    if last[0] is None and (worded := [m.start() for m in re.finditer(r"\banswer\b", text, re.IGNORECASE)]):
        last = (None, worded[-1], worded[-1])  # "The answer is B. Or C.": what follows may offer another
    return last[0], last[2]


def other_statements(text: str, extracted: str, read: str | None = None) -> list[str]:
    """The answers `text` states besides `extracted` (its reading by the reward's extractor), each once: the last
    statement when the extractor read another (the accuracy reward prefers a box to a later "Answer:" line), and
    any value offered after it. An earlier statement that a later one replaces is a draft, as in
    "Answer: 41 was a wrong guess. Answer: 42".

    >>> other_statements(r"\\boxed{5}. Answer: 6", "5"), other_statements(r"\\boxed{5} or maybe 6", "5")
    (['6'], ['6'])
    >>> other_statements(r"So \\boxed{5}. Indeed 2 + 3 = 5.", "5"), other_statements("Answer: 6. Answer: 5", "5")
    ([], [])
    """
    last, tail_from = _last_statement(text)
    whole = extracted.strip()
    part = last and (last == whole or whole.startswith(f"{last}, ") or whole.endswith(f", {last}"))
    found = [last] if last and not part else []  # a box of the list read (`\\boxed{1}, \\boxed{2}`) is part of it
    read = final_answer(text) if read is None else read  # the other reader's (`text_verdicts` takes a later one)
    if read and read.strip().rstrip(".") == text.strip().rstrip("."):
        read = None  # no answer found, the whole text handed back (`47 + 23 is 70.`): no statement of its own
    found += [read] if read and read.strip() != whole else []
    tail = text[tail_from:]
    offered = [m for m in _OFFERED.finditer(tail) if not _SERIES_BEFORE.search(tail, max(0, m.start() - 40), m.start())]
    offered = [m for m in offered if not _REJECTED.match(tail, m.end())]  # "(like 1 or 2) were ruled out"
    offered = [
        m
        for m in offered
        if not (m.group(0)[:2].lower() == "or" and _PAIR_BEFORE.search(tail, max(0, m.start() - 60), m.start()))
    ]
    offered += [*_QUESTIONED.finditer(tail), *_CONCEDED.finditer(tail)]
    if _WORD_ANSWER.fullmatch(whole):  # `\\boxed{\\text{Tuesday}} or maybe Wednesday`: a word offered for a word
        offered += [m for m in _OFFERED_WORD.finditer(tail) if m.group("word").lower() not in _NOT_A_VALUE]
    offered = [m for m in offered if not _approximates(tail, _item_start(m), whole, _item(m))]
    found += [_other_unit(whole, _item(m)) for m in sorted(offered, key=lambda m: m.start())]
    if not _ORDER_RELATION.search(extracted):  # `x \equiv 13 \pmod{18}`, `108n < 6^n`: about another quantity
        found = [s for s in found if not _ORDER_RELATION.search(s)]
    bare_tail = _END_OF_PROOF.sub(" ", tail) if "\\" in tail or not tail.isascii() or "Q" in tail else tail
    bare = len(tail) < 200 and not _MODULUS.search(tail) and _BARE_TAIL.fullmatch(bare_tail)  # `\\boxed{4} \\pmod 7`
    if bare and _approximates(bare_tail, _item_start(bare), whole, _item(bare)):
        bare = None  # `\\boxed{\\sqrt{2}} \\approx 1.414`
    if bare and _item(bare) and not re.search(r"[=<>]|\\[lgn]eq?\b", _item(bare)):  # `$ $` is no value
        # `$x = \\boxed{5}$ and $y = 6$`: a statement about another quantity is no value
        found.append(_other_unit(whole, _item(bare)))
    if (tags := answer_tags(text)) and tail_from == text.rfind("</answer>") and tags[-1].strip() != last:
        found += other_statements(tags[-1], last or extracted)  # `<answer>\\boxed{5} 6</answer>`: 6 offered inside
    seen = {extracted.strip(), *(item.strip() for item in extracted.split(","))}  # `\\boxed{33} and 34` reads 33, 34
    unique = [s for s in found if not (s.strip() in seen or seen.add(s.strip()))]
    return unique if len(unique) <= _MAX_STATEMENTS else unique[: _MAX_STATEMENTS + 1]


def stated_answers(text: str, extract: Callable[[str], str | None]) -> list[str]:
    """The answer `extract` reads from the response of `text`, then every other answer it states; [] when it
    states none (or calls its box wrong). A reward scores the completion equal only when all are equal to the gold.

    >>> stated_answers(r"<think>\\boxed{6}</think>\\boxed{5}. Answer: 7", lambda t: "5")
    ['5', '7']
    >>> stated_answers(r"The answer is not \\boxed{5}.", lambda t: "5")
    []
    """
    response = response_text(text)
    extracted = extract(response)
    if not extracted or negated_answer(response):
        return []
    return [extracted, *other_statements(response, extracted, extracted if extract is final_answer else None)]


def all_equal(verdicts: list):
    """One verdict for the answers of one completion: False when any is not equal, else a failure when the
    checker failed on any, else True.

    >>> all_equal([True, False]), all_equal([True, True])
    (False, True)
    """
    if any(v is False for v in verdicts):
        return False
    return next((v for v in verdicts if isinstance(v, RewardFailure)), True)
