"""Answer extraction: pull the final answer string out of a completion.

Pure functions over strings; none of them evaluates or executes the text. Each returns the answer
as written (whitespace trimmed) or `None` when the completion holds no answer of that kind.

- `last_boxed`: the last `\\boxed{...}` / `\\fbox{...}` (nested braces), or `\\boxed 5`;
- `all_boxed`: every boxed answer, in order (to spot several different boxed answers);
- `answer_tag` / `answer_tags`: the text inside `<answer>...</answer>`;
- `after_answer_marker`: the answer stated after the last "Answer:", "Answer $9$" or "the answer
  is", up to the end of that sentence ("Final Answer: The largest $n$ is 34." gives 34);
- `joined_boxed`: several boxed answers that together form one list (`\\boxed{1}, \\boxed{2}`,
  `\\boxed{6} and \\boxed{8}`), or None when prose separates different ones;
- `last_number` (`gsm8k`, re-exported): a GSM8K-style number (`#### 42`, else the last number; commas,
  `$`, trailing period removed);
- `extract_answer`: the default chain for completions, in that order of trust;
- `final_answer`: the answer in any raw string, a gold answer or a prediction, as Math-Verify's
  `parse` reads one: the chain above (a box wins over a worded verdict such as "our answer is
  correct"; boxes that repeat one answer in several spellings, `025` and `\\textbf{(025)}`, are one
  answer), else GSM8K's `#### 42` line, else the string itself when it is math, else the last math
  span or number of a prose text (math spans joined only by "," / "and" / "or" are one list; a prose
  text with no number or math may name a choice, `(C)`). `checker.text_verdicts` compares two raw
  strings this way. An answer the text takes back ("The answer is 9. Wait, actually it's 10.",
  `revision.withdrawn`) is no answer, in every reading but a gold text's.
"""

from __future__ import annotations

import re
import unicodedata

from .bounds import stated_as_bound, without_estimate_word
from .boxes import all_boxed, box_spans, last_boxed, unclosed_box
from .boxtail import with_trailing_item
from .escapes import undoubled
from .gsm8k import last_number
from .labels import without_lead
from .normalize import normalize_answer
from .numwords import with_scale_word
from .plainmath import plain_formula_to_latex
from .prose import prose_words
from .revision import withdrawn
from .spans import without_dangling_openers
from .unitwords import with_unit_words

__all__ = [
    "last_boxed",
    "all_boxed",
    "answer_tag",
    "answer_tags",
    "after_answer_marker",
    "last_number",
    "extract_answer",
    "joined_boxed",
    "final_answer",
]


_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def answer_tags(text: str) -> list[str]:
    """Contents of every `<answer>...</answer>` block, in order.

    >>> answer_tags("<answer> 3 </answer> then <answer>4</answer>")
    ['3', '4']
    """
    end = text.rfind("</answer>")  # no block ends after the last closing tag: searching on costs n^2 on `<answer>` * n
    return [m.strip() for m in _ANSWER_TAG.findall(text, 0, end + len("</answer>"))] if end >= 0 else []


def answer_tag(text: str) -> str | None:
    """Content of the last `<answer>` block, or None.

    >>> answer_tag("<think>hmm</think><answer>42</answer>")
    '42'
    """
    tags = answer_tags(text)
    return tags[-1] if tags else None


# "Answer: 12", "Final answer: 12", "the answer is 12", "The final answer is $12$.", "Answer $ 9 $"
# "Answer:", "the answer is", "Answer $9$", and a markdown heading "**Answer**" / "**Final Answer**:" / "# Answer"
# and the word with a colon in other languages: "Réponse :", "Respuesta:", "Antwort:", "Ответ:", "答案："
_MARKER = re.compile(
    r"(?:\banswer\s*(?:is|:)|\banswer\s+is\s*:|\banswer\s*(?=\$)|\banswer\s*\*\*\s*:?"
    r"|\b(?:réponse|respuesta|antwort|risposta|resposta|ответ)\s*[:：]|答案\s*[:：]"
    r"|(?:^|(?<=\n))[ \t]*#{1,6}[ \t]*(?:final[ \t]+)?answer[ \t]*:?(?=[ \t]*\n))",
    re.IGNORECASE,
)
# a sentence ends at a full stop followed by a capital, a tag or the end (never inside 2.5 or 1,000., nor at the
# ellipsis that ends a repeating decimal, `0.333...`)
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z<])|(?<!\d\.\.)\.(?=\s*$)|\s<\|")
_VERB_IS = re.compile(r"\s(?:is|are|equals|=)\s")


def _outside_math(text: str) -> str:
    """`text` with every `$...$` span blanked out (same length), to search prose only."""
    return re.sub(r"\$[^$]*\$", lambda m: " " * len(m.group(0)), text)


_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.DOTALL)


# a fraction or root written in LaTeX without math delimiters: one math item, not two numbers
_BARE_LATEX = re.compile(r"\\[dt]?frac\s*\{[^{}]*\}\s*\{[^{}]*\}|\\sqrt\s*\{[^{}]*\}")


def _math_items(sentence: str) -> list[str]:
    """The math spans, bare LaTeX fractions and roots, and the numbers outside them of a prose
    sentence (`每份应该是 (\\frac{2}{5}) 吨` holds one item, `\\frac{2}{5}`)."""
    spans = [next(g for g in m.groups() if g is not None).strip() for m in _MATH_SPAN.finditer(sentence)]
    outside = _MATH_SPAN.sub(" ", sentence)
    bare = [m.group(0) for m in _BARE_LATEX.finditer(outside)]
    outside = _BARE_LATEX.sub(" ", outside)
    numbers = [m.group(0).strip().rstrip(",") for m in _PROSE_NUMBER.finditer(outside)]
    return [s for s in spans if s] + bare + numbers


def _answer_in_sentence(sentence: str) -> str:
    """The answer part of a sentence after a marker: after its last " is " when the sentence is
    prose ("The largest $n$ is 34" -> "34"), else the sentence itself."""
    prose = _outside_math(sentence)
    cuts = list(_VERB_IS.finditer(prose))
    if cuts and _is_prose(sentence[: cuts[-1].start()]):
        return sentence[cuts[-1].end() :].strip()
    return sentence


# "Answer: 147, which is 66 + 81", "$13$, since $12$ fails", "4 (3 fails)": the stated item first, then a clause that
# explains it; a hedge ("3 or 5", "5 (or 6)", "2 (and also 3)") is no such clause
_ITEM_THEN_REASON = re.compile(
    r"\s*(?P<item>\$[^$]+\$|[-+]?\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s*,?\s+(?:which|since|because|as|where|given|from|i\.e\.|that is)\b"
    r"|\s*,\s*(?:and\s+)?not\b"  # "The answer is 5, not 6.": the answer, then the value it is not
    r"|\s*\((?![^)]*\b(?:or|maybe|possibly|perhaps|also|alternatively|either)\b)(?![^)]*\band\s+[-+$\d]))"
)


def after_answer_marker(text: str) -> str | None:
    """The answer after the last "Answer:", "Answer $...$" or "the answer is", up to the end of
    that sentence; after a prose subject ("The largest $n$ is 34") only what follows " is ".

    A trailing full stop and surrounding `$`/`**` are removed; `\\boxed{}` inside is unwrapped. None when
    the statement is withdrawn later ("The answer is 9. Wait, actually it's 10.") or is a prose sentence
    with several math items ("Final Answer: between 3 and 5 hours ago."): no one answer is stated. An item
    followed by a clause that explains it ("Answer: 4, since 3 fails.") is that item.

    >>> after_answer_marker("Adding gives 12.\\nAnswer: 12.")
    '12'
    >>> after_answer_marker("So the final answer is $\\\\frac{3}{4}$.")
    '\\\\frac{3}{4}'
    >>> after_answer_marker("The answer is: **7**")
    '7'
    >>> after_answer_marker("Final Answer: The final answer is 5. I hope it is correct.")
    '5'
    >>> after_answer_marker("Answer $ 9 $")
    '9'
    >>> after_answer_marker("Final Answer: The largest $n$ is 34.")
    '34'
    >>> after_answer_marker("The answer is 9. Wait, it's 10."), after_answer_marker("Answer: 3 or 4, since 5 fails.")
    (None, None)
    """
    return _stated_answer(text)[0]


def _stated_answer(text: str) -> tuple[str | None, bool]:
    """(`after_answer_marker`'s answer, whether a marker's statement was refused: withdrawn or ambiguous)."""
    matches = list(_MARKER.finditer(text))
    if not matches:
        return None, False
    rest = text[matches[-1].end() :].lstrip(" :\t\r\n")  # "Answer:\n42" puts it on the next line
    rest = re.sub(r"^####\s*", "", rest)  # "Answer is ####24": GSM8K's marker after a worded one
    display = _DISPLAY_MATH.match(rest)  # "Answer $$ \n 9 \n $$": display math over several lines
    line = (display.group(1) or display.group(2)).strip() if display else rest.split("\n", 1)[0].strip()
    after = rest[display.end() :] if display else rest[len(line) :]
    end = _SENTENCE_END.search(_outside_math(line))
    if end:
        line, after = line[: end.start()].strip(), line[end.end() :] + after
    line = without_estimate_word(_answer_in_sentence(line))  # "approximately 12": the value stated
    if lead := _ITEM_THEN_REASON.match(line):  # "147, which is 66 + 81": the answer, then why
        line = lead.group("item")
    if _is_prose(line) and last_boxed(line) is None:
        items = _math_items(line)
        if len(items) == 1 and stated_as_bound(line, items[0]):
            return None, True  # "at least 12", "12 or more": a bound, not a value (`bounds.py`)
        if len(items) == 1:  # "Final Answer: Jane started growing Sphere 3 hours ago.": its one number
            line = with_scale_word(line, items[0])  # "4 dozen eggs": 4 dozen (`numwords`)
        elif items:
            return None, True  # "between 3 and 5 hours ago", "$4$, since $3$ fails": several items
    boxed = last_boxed(line)
    if boxed is not None:
        return (None, True) if withdrawn(after, boxed) else (boxed, False)
    line = line.strip("*").strip()
    if line.endswith(".") and not line.endswith("..."):  # a sentence's full stop, never part of the answer
        line = line[:-1].rstrip()
    line = line.strip("*").strip()
    if len(line) >= 2 and line[0] == "$" and line[-1] == "$":
        line = line.strip("$").strip()
    if line and withdrawn(after, line):
        return None, True
    return line or None, False


def _boxed_with_tail(text: str, boxed: str) -> str:
    """The last box's answer, and an item that follows it after "and"/"or"/"," as a list (`boxtail`)."""
    spans = box_spans(text)
    return with_trailing_item(boxed, text[spans[-1][1] :] if spans else "")


def extract_answer(text: str) -> str | None:
    """The default chain: `<answer>` tag, else last `\\boxed{}`, else "Answer:", else GSM8K's `#### 18`, else None.

    Inside an `<answer>` tag a boxed answer is unwrapped. The last-number fallback is not part of
    the default chain (it would reward an echoed question); use `last_number` for GSM8K-style tasks.

    >>> extract_answer("<think>2+2</think> <answer>\\\\boxed{4}</answer>")
    '4'
    >>> extract_answer("We get \\\\boxed{5}. Answer: 6")
    '5'
    >>> extract_answer("Two plus two. Answer: 4")
    '4'
    """
    tag = answer_tag(text)
    if tag is not None:
        inner = last_boxed(tag)
        return _boxed_with_tail(tag, inner) if inner is not None else (tag or None)
    boxed = last_boxed(text)
    if boxed is not None:
        spans = box_spans(text)
        if spans and withdrawn(text[spans[-1][1] :], boxed):
            return None  # "\\boxed{9}. Wait, it's 10."
        return _boxed_with_tail(text, boxed)
    return after_answer_marker(text) or _gsm8k_line(text)


def _gsm8k_line(text: str) -> str | None:
    """GSM8K's answer line, `#### 18`, the last one when it holds one number (models trained on GSM8K's
    rationales end with it); `#### 1,200 then 5` is no answer line."""
    lines = re.findall(r"^[ \t]*####[ \t]*\$?[ \t]*(-?\d[\d,]*(?:\.\d+)?)[ \t]*\.?[ \t]*$", text, re.MULTILINE)
    return lines[-1] if lines else None


# --- raw strings: several boxes, prose, the answer as Math-Verify's parse finds it --------------

_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_LATEX_WRAPPERS = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")
_MATH_SPAN = re.compile(
    r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\\((.+?)\\\)"
    r"|\\begin\{(?:align|aligned|equation|gather|eqnarray)\*?\}(.+?)\\end\{(?:align|aligned|equation|gather|eqnarray)\*?\}",
    re.DOTALL,
)
_ENVIRONMENT_GROUP = 5  # `\begin{align*} A &= B \\ &= C \end{align*}` in prose: a math span, its `&` and `\\` dropped
_MAX_GAP_WORDS = 3  # "\boxed{1} papers and \boxed{2} bins" joins; a sentence between two boxes does not


def _other_script(text: str) -> bool:
    """A letter of a script other than Latin or Greek (`答案是 5`, `Ответ: 5`): prose, as no math
    is written in those letters."""
    return any(ord(ch) > 0x24F and not 0x370 <= ord(ch) <= 0x3FF and unicodedata.category(ch)[0] == "L" for ch in text)


def _is_prose(text: str) -> bool:
    """Two or more words of two letters or more outside math spans and LaTeX commands, math names
    (`inf`, `sqrt`, `pi`, `sin`; `(-inf, 2) U (3, inf)`) and the joining words `or`, `and` not counted; or any word
    in a script other than Latin or Greek."""
    bare = _MATH_SPAN.sub(" ", text)
    if not bare.isascii() and _other_script(bare):
        return True
    bare = re.sub(r"\\(?:begin|end)\{[^{}]*\}(?:\{[^{}]*\})?|\\[A-Za-z]+", " ", bare)
    # `x = 3 or x = 5 or x = 7`: joining words make a list (or a hedge), not prose (fourteenth session)
    return len([w for w in prose_words(bare) if w.lower() not in ("or", "and")]) >= 2


def _gap_words(gap: str) -> int | None:
    """Words between two boxes that are not separators; None when a sentence ends there."""
    gap = _LATEX_WRAPPERS.sub(r" \1 ", gap)
    gap = re.sub(r"\\[A-Za-z]+|\\[()\[\],;:! ]|[$]", " ", gap)
    if re.search(r"[.!?](\s|$)", gap) or "\n\n" in gap:
        return None
    return len(_WORD.findall(gap))


def _box_key(content: str) -> str:
    """A boxed answer spelled one way, to tell a repeated answer from a different one: normalised
    (`normalize_answer`), a bracketed whole number unwrapped and leading zeros dropped
    (`\\boxed{025}`, `\\boxed{25}` and `\\boxed{\\textbf{(025)}}` are one answer)."""
    key = normalize_answer(content)
    key = re.sub(r"^\((\d+)\)$", r"\1", key)  # AIME's `\\boxed{\\textbf{(073)}}`
    return re.sub(r"(?<![\d.])0+(?=\d)", "", key)


def joined_boxed(text: str, trust_last_run: bool = False) -> str | None:
    """The boxed answers of `text` as one answer: the last box, or the run of boxes that ends with
    it when only separators ("," "and" "or" `\\quad`, a few words) stand between them, joined
    with ", ". None when there is no box, or when an answer boxed earlier in prose is missing from
    that last run (the same answers boxed again, `\\boxed{-2} and \\boxed{1}` then
    `\\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}`, are one answer). `trust_last_run`: take the
    last run whatever was boxed before (a gold solution does not hedge).

    >>> joined_boxed(r"\\boxed{1}, \\boxed{2}, \\boxed{3}"), joined_boxed(r"$\\boxed{6}$ and $\\boxed{8}$")
    ('1, 2, 3', '6, 8')
    >>> joined_boxed(r"\\boxed{1} no no no no no \\boxed{2}") is None, joined_boxed(r"\\boxed{4}. So \\boxed{4}")
    (True, '4')
    """
    spans = box_spans(text)
    if not spans:
        return None
    run = [spans[-1]]  # built backwards, then turned (an insert at the front costs n^2 on 10^5 boxes)
    for prev in reversed(spans[:-1]):
        words = _gap_words(text[prev[1] : run[-1][0]])
        if words is None or words > _MAX_GAP_WORDS:
            break
        run.append(prev)
    run.reverse()
    answers = [content for _, _, content in run]
    earlier = {_box_key(content) for _, _, content in spans[: len(spans) - len(run)]}
    if earlier and not trust_last_run and not earlier <= {_box_key(a) for a in answers}:
        return None  # an answer boxed earlier that the last run drops: a change of mind or a hedge
    return ", ".join(dict.fromkeys(answers))


# `$118 000`: an amount with spaced thousands (only after a currency sign: `3 100` in prose is ambiguous)
_PROSE_NUMBER = re.compile(r"(?<=[$€£])\d{1,3}(?: \d{3})+(?![\d,])|-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?\s*%?|-?\.\d+")


_PROSE_TUPLE_ITEM = r"-?(?:\d+(?:\.\d+)?(?:/\d+)?|inf(?:inity)?|∞)"
# a pair, tuple or interval of plain numbers written in prose: `(1, 2)`, `[0, 1)`, `(-inf, 3]`
_PROSE_TUPLE = re.compile(rf"[(\[]\s*{_PROSE_TUPLE_ITEM}(?:\s*,\s*{_PROSE_TUPLE_ITEM})+\s*[)\]]")
_SPAN_SEPARATOR = re.compile(r"\s*(?:,|,?\s*\b(?:and|or)\b)\s*")
_CHOICE_IN_PROSE = re.compile(r"\(([A-E])\)")


_NUMBER_JOINER = re.compile(r"[\s,]*(?:(?:and|or)\s+)?", re.IGNORECASE)
_SEVERAL_ANSWERS = re.compile(r"\b(?:answers|solutions|roots|zeros|zeroes|values|results)\b", re.IGNORECASE)


def _standalone(outside: str, number) -> bool:
    """Whether a number of prose stands alone, no side of a formula (`100/5 = 5A/5 or 20 = A`: 5 and 20 do not)."""
    before, after = outside[: number.start()], outside[number.end() :].lstrip()
    return (
        (not before or before[-1] in " \t\n($")
        and before.rstrip()[-1:] not in set("/*+-=^<>×÷·")
        and (after[:1] not in set("/*+-=^<>×÷·"))
    )


def _joined_run(outside: str, numbers: list) -> list:
    """The last numbers of a prose text joined by "," / "and" / "or", the last two by "or" (`8 or 7`, `3, 5, or 7`: a
    hedge) or by "and" in a text that names several answers (`The answers are 5 and 7.`, roots, solutions, values);
    just the last number otherwise (`March 5, 2020`, `3 and 4 give 7`, `the numbers were 3 and 4`)."""
    run = numbers[-1:]
    if not _standalone(outside, run[0]):
        return run
    joiner = r"\b(?:and|or)\b" if _SEVERAL_ANSWERS.search(outside) else r"\bor\b"
    while len(run) < len(numbers) and _standalone(outside, numbers[-len(run) - 1]):
        gap = outside[numbers[-len(run) - 1].end() : run[0].start()]
        if not _NUMBER_JOINER.fullmatch(gap) or (len(run) == 1 and not re.search(joiner, gap, re.I)):
            break
        run.insert(0, numbers[-len(run) - 1])
    return run


def _last_in_prose(text: str) -> str | None:
    """The last math span or number of a prose text, whichever comes last; math spans joined only
    by "," / "and" / "or" (`$x=2$ and $x=3$`) are one answer, a list, as boxes are in `joined_boxed`.
    A prose text without any number or math may still name a choice: `The correct option is (C).`"""
    best: tuple[int, str] | None = None
    best_run: tuple[int, list[str]] | None = None
    run: list[str] = []
    last_end = -1
    for m in _MATH_SPAN.finditer(text):
        content = next(g for g in m.groups() if g is not None).strip()
        if m.group(_ENVIRONMENT_GROUP) is not None:
            content = re.sub(r"\s*(?:&|\\\\)\s*", " ", content).strip()
        if content and not _is_prose(content) and re.search(r"[\dA-Za-z\\]", content):
            joined = last_end >= 0 and _SPAN_SEPARATOR.fullmatch(text[last_end : m.start()])
            run = run if joined else []  # one list per run, appended to: a copy per span cost n^2
            run.append(content)
            best_run, last_end = (m.start(), run), m.end()
        else:
            run, last_end = [], -1
    if best_run is not None:
        best = (best_run[0], ", ".join(best_run[1]))  # joined once, at the end (`$5$ or ` * 10^5 took seconds)
    outside = _MATH_SPAN.sub(lambda m: " " * len(m.group(0)), text)
    numbers = list(_PROSE_NUMBER.finditer(outside))
    if numbers and (best is None or numbers[-1].start() > best[0]):
        best = (numbers[-1].start(), numbers[-1].group(0).strip().rstrip(","))
        run = _joined_run(outside, numbers)  # `The answers are 5 and 7.`: a list, not 7 (fourteenth session)
        if len(run) > 1:
            best = (run[0].start(), ", ".join(n.group(0).strip().rstrip(",") for n in run))
        tuples = list(_PROSE_TUPLE.finditer(outside))
        if tuples and tuples[-1].start() <= numbers[-1].start() < tuples[-1].end():  # `The point is (1, 2).`
            best = (tuples[-1].start(), tuples[-1].group(0))
    if best is None:  # "how many $? just about 1$": the math delimiters wrap prose
        numbers = list(_PROSE_NUMBER.finditer(text))
        if numbers:
            return numbers[-1].group(0).strip().rstrip(",")
        choices = _CHOICE_IN_PROSE.findall(text)
        if choices:
            return choices[-1]
        yes_no = re.match(r"\s*(yes|no)(?=\s*[,.;!]|\s*$)", text, re.IGNORECASE)  # `Yes, it is possible.`
        return yes_no.group(1) if yes_no else None
    return best[1]


# `_120°_`, `*42*`: markdown emphasis around the whole answer (not `52_8`, a base, nor `x_1`)
_EMPHASIS = re.compile(r"(\*{1,2}|_{1,2})(?![\s*_])([^*_\n]+?)(?<![\s\\])\1")


def final_answer(text: str, gold: bool = False) -> str | None:
    """See `_final_answer`; markdown emphasis around the answer found (`_120°_`) is dropped."""
    answer = _final_answer(text, gold)
    if answer is not None and (emphasis := _EMPHASIS.fullmatch(answer.strip())):
        return emphasis.group(2)
    return answer


def _final_answer(text: str, gold: bool = False) -> str | None:
    """The answer in a raw string, gold or prediction: `<answer>` tag, else the later of the
    boxed answers (`joined_boxed`) and an "Answer:" statement, else the string itself when it is
    math, else the last math span or number of the prose. `gold=True` reads a gold text: its last
    run of boxes is the answer whatever was boxed before (`joined_boxed(trust_last_run=True)`).

    >>> final_answer(r"$$\\boxed{2}, \\boxed{3}$$"), final_answer("$x \\\\geq 5$")
    ('2, 3', '$x \\\\geq 5$')
    >>> final_answer("Therefore $x > 5$ is the solution.")
    'x > 5'
    >>> final_answer("So the probability that Alice wins is 2/3. <|im_start|>user")
    '2/3'
    """
    text = without_dangling_openers(undoubled(text))  # `\\[` * n with no `\\]`: n^2 for every span search
    text = re.sub(r"\\[A-Za-z]+boxed(?=\s*\{)", r"\\boxed", text)  # `\\beginboxed{`: a mangled box command
    # **12**, **52_8**: markdown emphasis, not a power (`__` emphasis cannot hold a subscript)
    if bold := re.fullmatch(r"\s*(?:\*\*([^*\n]+)\*\*|__([^_\n]+)__)\s*", text):
        text = bold.group(1) or bold.group(2)
    tag = answer_tag(text)
    if tag is not None:
        return final_answer(tag, gold) if tag else None
    spans = box_spans(text)
    if not spans and (unclosed := unclosed_box(text)) is not None:
        return unclosed
    markers = list(_MARKER.finditer(text))
    if markers and (not spans or markers[-1].start() > spans[-1][1]):
        stated, refused = _stated_answer(text)
        if refused and not gold:
            return None  # "The answer is 9. Wait, actually it's 10.": no one final answer
        # "... so our answer is correct." after a box: a verdict on the boxed answer, not an answer
        if stated and not (spans and re.fullmatch(r"[A-Za-z][A-Za-z ,'-]*", stated)):
            return stated
    if spans:
        if not gold and withdrawn(text[spans[-1][1] :], spans[-1][2]):
            return None  # "\\boxed{9}. Wait, actually it's 10."
        # `\boxed{33} and 34`: an item after the last box joins it (`boxtail`)
        return with_trailing_item(joined_boxed(text, trust_last_run=gold), text[spans[-1][1] :])
    if gsm8k := re.search(r"####\s*([^\n]+)", text):  # GSM8K's answer line
        return gsm8k.group(1).strip()
    text = without_lead(text, _is_prose)  # `Thus, x = 5`, `Result: -5.5`: words before the answer (`labels`)
    lone_dollar = len(re.findall(r"(?<!\\)\$", text)) % 2 == 1  # "costs 2,74 $": currency, not math
    if plain_formula_to_latex(text) is not None:  # `2as + 4for + is + print`: a formula, its words products
        return text
    if not _is_prose(text) and not (lone_dollar and re.search(r"[A-Za-z]{2,}", text)):
        return text or None
    found = _last_in_prose(text)
    if found is not None and not gold and stated_as_bound(text, found):
        return None  # "The number of apples is at least 12.": a bound, not a value
    if found is None and (gold or len(prose_words(text)) <= 4):  # `\\text{no solution}`: words are the answer
        return text or None
    # "about 2.3 million people"; "The area is 12 square inches." keeps its unit (`unitwords`, mutants14)
    return with_unit_words(text, with_scale_word(text, found)) if found is not None else None
