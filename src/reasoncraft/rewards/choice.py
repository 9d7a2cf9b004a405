"""Multiple-choice answers: read the chosen letter from a completion, and the `choice_accuracy` reward.

`extract_choice(text, choices)` reads the letter the completion commits to, trusting, in order:

1. where an answer is put on purpose: the `<answer>` block, the last `\\boxed{}`, the text after the
   last "Answer:" / "the answer is" / "the correct option (choice) is", to the end of that line.
   That text is read as a letter at its start in any of the usual spellings (`B`, `(B)`, `B.`, `B)`, `B:`, `**B**`,
   `\\text{B}`, `option B`), else as one choice's own text (`42 m/s` when choice B is `42 m/s`);
2. when none of those places holds an answer, the last non-empty line (a completion ending in `(C)`,
   `C.` or a choice's text; a letter there must stand alone or open an option, not start a sentence);
3. else the one letter written in parentheses anywhere (`I pick (B) here`); when several different
   parenthesised letters appear (options restated, compared) nothing is read.

A hedge reads as nothing: `A or B`, `A, C`, `A/B` at the answer's start, or different letters in
different places of step 1 are not a choice. Only letters of the problem's choices count (A-D for
four choices; A-J when the choices are not given).

`choice_accuracy(completions, answer=[gold letter], choices=[[...], ...])` is 1.0 when the read
letter is the gold letter, 0.0 otherwise, None without a gold letter. It needs no checker, so it
never fails.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from .base import register_reward
from .extract import answer_tag, last_boxed
from .text import completion_text, is_hedged

__all__ = ["extract_choice", "choice_letters", "letter_of", "choice_accuracy_reward"]

MAX_CHOICES = 26


def choice_letters(n: int) -> str:
    """The letters naming `n` choices.

    >>> choice_letters(4)
    'ABCD'
    """
    if not 2 <= n <= MAX_CHOICES:
        raise ValueError(f"a multiple-choice problem needs 2 to {MAX_CHOICES} choices: got {n}")
    return string.ascii_uppercase[:n]


_WRAPPERS = re.compile(r"^(?:\\text(?:bf)?\{|\\mathrm\{|\*\*|\$|\(|\[|option\s+|choice\s+)+", re.IGNORECASE)


def _unwrap(answer: str) -> str:
    return _WRAPPERS.sub("", answer.strip()).strip()


def _normalise_text(text: str) -> str:
    return re.sub(r"[\s$*.]+", " ", text).strip().lower()


def letter_of(answer: str, letters: str, choices: Sequence[str] | None = None, marked: bool = True) -> str | None:
    """The letter an answer string names: a letter at its start, or one choice's exact text.

    `marked=False` is for text that no answer marker introduced (a completion's last line): there a
    letter must stand alone or be followed by `)`, `.`, `:`, so that "A cat sat down" or "I think so"
    do not read as choices.

    >>> [letter_of(a, "ABCD") for a in ["B", "(C)", "D. 42", "**A**", "\\\\text{B}", "Option c", "E", "Because"]]
    ['B', 'C', 'D', 'A', 'B', 'C', None, None]
    >>> letter_of("A or B", "ABCD"), letter_of("42 m/s", "ABCD", ["7 m/s", "42 m/s", "1 m/s", "0"])
    (None, 'B')
    >>> letter_of("B because it doubles", "ABCD"), letter_of("A cat sat down", "ABCD", marked=False)
    ('B', None)
    """
    body = _unwrap(answer)
    m = re.match(r"([A-Za-z])(?![A-Za-z])", body)
    if m and m.group(1).upper() in letters:
        rest = body[m.end() :]
        # a second letter joined by "or", "and", ",", "/": a hedge, not a choice
        if re.match(r"\W*(?:\)|\})?\s*(?:or|and|,|/|&)\s*\(?\s*[A-Za-z](?![A-Za-z])", rest, re.IGNORECASE):
            return None
        # "A." and "A)" open an option; a lowercase letter before a word ("a cat") is not one, nor,
        # outside an answer's place, a capital before a word ("A cat", "I think")
        if re.match(r"\s*(?:[).:\]}*]|$)", rest) or (marked and m.group(1).isupper()):
            return m.group(1).upper()
    if choices:
        target = _normalise_text(answer)
        matches = [letters[i] for i, c in enumerate(choices[: len(letters)]) if _normalise_text(str(c)) == target]
        if len(matches) == 1:
            return matches[0]
    return None


# "Answer: B", "the answer is (B)", "Final answer: B", "the correct option is B", "choice is: C"
_MARKER = re.compile(r"\b(?:answer(?:\s+is)?\s*:|answer\s+is\b|(?:option|choice)\s+is\b)\s*:?", re.IGNORECASE)


def _after_marker(text: str) -> str | None:
    """The rest of the line after the last answer marker (read here rather than by `extract`'s
    general reader, because a letter answer is judged by its first token only)."""
    matches = list(_MARKER.finditer(text))
    if not matches:
        return None
    return text[matches[-1].end() :].split("\n", 1)[0].strip() or None


def extract_choice(text: str, choices: Sequence[str] | None = None) -> str | None:
    """The letter a completion chooses (see the module docstring), or None.

    >>> extract_choice("Comparing the options... Answer: (B)")
    'B'
    >>> extract_choice("The energy doubles, so \\\\boxed{C}."), extract_choice("<think>hm</think><answer>D</answer>")
    ('C', 'D')
    >>> extract_choice("After checking each option:\\nA.")
    'A'
    >>> extract_choice("Answer: 12 kg", ["3 kg", "12 kg", "7 kg", "1 kg"]), extract_choice("(A) or (B), hard to say")
    ('B', None)
    """
    letters = choice_letters(len(choices)) if choices else string.ascii_uppercase[:10]
    # 1. the answer's own places: tag, box, marker; several different ones are a hedge
    places = [answer_tag(text), last_boxed(text), _after_marker(text)]
    read = {letter_of(p, letters, choices) for p in places if p}
    read.discard(None)
    if len(read) > 1 or is_hedged(text, None):
        return None
    if read:
        return read.pop()
    if any(places):
        return None  # an answer was given in its place, and it names no choice
    # 2. the last line
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines:
        last = letter_of(lines[-1], letters, choices, marked=False)
        if last is not None and len(lines[-1].strip()) <= 40:
            return last
    # 3. the one parenthesised letter
    found = {m.upper() for m in re.findall(r"\(([A-Za-z])\)", text) if m.upper() in letters}
    return found.pop() if len(found) == 1 else None


def _aligned(name: str, values, n: int) -> list:
    if values is None:
        return [None] * n
    if isinstance(values, str) or len(values) != n:
        raise ValueError(f"{name} must be a list with one entry per completion ({n})")
    return list(values)


@register_reward("choice_accuracy")
def choice_accuracy_reward(
    completions: Sequence, answer: Sequence | None = None, choices: Sequence | None = None, **fields
) -> list:
    """1.0 when the completion's letter (`extract_choice`) is the gold letter `answer`, else 0.0;
    None without a gold letter.

    >>> choice_accuracy_reward(["Answer: B", "Answer: (C)", "I think 12 kg"], answer=["B", "B", "B"],
    ...                        choices=[["3 kg", "12 kg", "7 kg", "1 kg"]] * 3)
    [1.0, 0.0, 0.0]
    """
    if answer is None:
        raise TypeError("choice_accuracy needs the gold letters: pass answer=[...] with one entry per completion")
    golds = _aligned("answer", answer, len(completions))
    options = _aligned("choices", choices, len(completions))
    out: list = []
    for completion, gold, opts in zip(completions, golds, options):
        if gold is None:
            out.append(None)
            continue
        letter = extract_choice(completion_text(completion), list(opts) if opts else None)
        out.append(1.0 if letter is not None and letter == str(gold).strip().upper() else 0.0)
    return out


choice_accuracy_reward.extract = extract_choice  # how it reads the answer (as gsm8k_accuracy's `extract`)
