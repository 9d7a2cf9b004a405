"""Answer extraction: pull the final answer string out of a completion.

Pure functions over strings; none of them evaluates or executes the text. Each returns the answer
as written (whitespace trimmed) or `None` when the completion holds no answer of that kind.

- `last_boxed`: the last `\\boxed{...}` / `\\fbox{...}` (nested braces), or `\\boxed 5`;
- `all_boxed`: every boxed answer, in order (to spot several different boxed answers);
- `answer_tag` / `answer_tags`: the text inside `<answer>...</answer>`;
- `after_answer_marker`: the text after the last "Answer:" or "the answer is";
- `last_number`: a GSM8K-style number (`#### 42`, else the last number; commas, `$`, trailing
  period removed);
- `extract_answer`: the default chain, in that order of trust.
"""

from __future__ import annotations

import re

__all__ = [
    "last_boxed",
    "all_boxed",
    "answer_tag",
    "answer_tags",
    "after_answer_marker",
    "last_number",
    "extract_answer",
]

_BOX_COMMANDS = ("\\boxed", "\\fbox")


def _braced(text: str, open_index: int) -> tuple[str, int] | None:
    """Content of the `{...}` group opening at `text[open_index]` and the index after it."""
    depth = 0
    for i in range(open_index, len(text)):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            continue  # an escaped brace: `\{` does not open or close a group
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : i], i + 1
    return None  # unbalanced: the box never closes


def all_boxed(text: str) -> list[str]:
    """Every `\\boxed{}` / `\\fbox{}` answer in order of appearance (nested braces respected).

    >>> all_boxed(r"so \\boxed{\\frac{1}{2}} or \\fbox{3} or \\boxed 7.")
    ['\\\\frac{1}{2}', '3', '7']
    """
    found: list[tuple[int, str]] = []
    for command in _BOX_COMMANDS:
        start = 0
        while (i := text.find(command, start)) != -1:
            j = i + len(command)
            if j < len(text) and text[j].isalpha():  # `\boxedx` is another command
                start = j
                continue
            k = j
            while k < len(text) and text[k] == " ":
                k += 1
            if k < len(text) and text[k] == "{":
                group = _braced(text, k)
                if group is None:
                    break
                found.append((i, group[0].strip()))
                start = group[1]
            elif k > j:  # `\boxed 5`: the token after the space
                token = re.match(r"[^\s$]+", text[k:])
                if token:
                    found.append((i, token.group(0).rstrip(".,;")))
                start = k
            else:
                start = j
    return [answer for _, answer in sorted(found)]


def last_boxed(text: str) -> str | None:
    """The last boxed answer, or None.

    >>> last_boxed(r"first \\boxed{2}, finally \\boxed{\\{1, 2\\}}")
    '\\\\{1, 2\\\\}'
    >>> last_boxed("no box") is None
    True
    """
    boxes = all_boxed(text)
    return boxes[-1] if boxes else None


_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def answer_tags(text: str) -> list[str]:
    """Contents of every `<answer>...</answer>` block, in order.

    >>> answer_tags("<answer> 3 </answer> then <answer>4</answer>")
    ['3', '4']
    """
    return [m.strip() for m in _ANSWER_TAG.findall(text)]


def answer_tag(text: str) -> str | None:
    """Content of the last `<answer>` block, or None.

    >>> answer_tag("<think>hmm</think><answer>42</answer>")
    '42'
    """
    tags = answer_tags(text)
    return tags[-1] if tags else None


# "Answer: 12", "Final answer: 12", "the answer is 12", "The final answer is $12$."
_MARKER = re.compile(r"(?:\banswer\s*(?:is|:)|\banswer\s+is\s*:)", re.IGNORECASE)


def after_answer_marker(text: str) -> str | None:
    """Text after the last "Answer:" / "the answer is", up to the end of that line.

    A trailing full stop and surrounding `$`/`**` are removed; `\\boxed{}` inside is unwrapped.

    >>> after_answer_marker("Adding gives 12.\\nAnswer: 12.")
    '12'
    >>> after_answer_marker("So the final answer is $\\\\frac{3}{4}$.")
    '\\\\frac{3}{4}'
    >>> after_answer_marker("The answer is: **7**")
    '7'
    """
    matches = list(_MARKER.finditer(text))
    if not matches:
        return None
    rest = text[matches[-1].end() :].lstrip(" :\t\r\n")  # "Answer:\n42" puts it on the next line
    line = rest.split("\n", 1)[0].strip()
    boxed = last_boxed(line)
    if boxed is not None:
        return boxed
    line = line.strip("*").strip()
    if line.endswith("."):  # a sentence's full stop, never part of the answer
        line = line[:-1].rstrip()
    line = line.strip("*").strip()
    if len(line) >= 2 and line[0] == "$" and line[-1] == "$":
        line = line.strip("$").strip()
    return line or None


_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?|-?\$?\.\d+")


def _clean_number(token: str) -> str | None:
    token = token.replace("$", "").replace(",", "")
    if token in ("", "-"):
        return None
    return token


def last_number(text: str) -> str | None:
    """GSM8K style: the number after `####` if present, else the last number in the text.

    Thousands commas, a dollar sign and a trailing full stop are removed.

    >>> last_number("She pays $1,250.\\n#### 1,250")
    '1250'
    >>> last_number("3 apples and 4 pears make 7.")
    '7'
    >>> last_number("It costs $-0.50 now") , last_number("none")
    ('-0.50', None)
    """
    hashes = text.rfind("####")
    if hashes != -1:
        m = _NUMBER.search(text[hashes + 4 :])
        if m:
            return _clean_number(m.group(0))
    numbers = _NUMBER.findall(text)
    for token in reversed(numbers):
        cleaned = _clean_number(token)
        if cleaned is not None:
            return cleaned
    return None


def extract_answer(text: str) -> str | None:
    """The default chain: `<answer>` tag, else last `\\boxed{}`, else "Answer:", else None.

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
        return inner if inner is not None else (tag or None)
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed
    return after_answer_marker(text)
