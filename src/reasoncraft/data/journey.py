"""Journey traces from a teacher's own samples: a wrong attempt, why it is wrong, then the right one.

O1 Replication Journey (Qin et al. 2024, arXiv 2410.18982) trains on "journeys" that keep the trial
and error a shortcut trace leaves out. Here a journey is built for a problem where the teacher wrote
both a wrong and a right trace (verified by the task's scorer):

    <wrong attempt's reasoning> So the answer would be X.
    Wait, <reflection: why X is wrong>. Let me go back and redo it.
    <right attempt's reasoning and answer>

The reflection is written from the verifier's own evidence (`diagnose`): for Countdown, what the
expression really equals or which numbers it misuses; for answer-checked tasks, that the answer
does not survive the check. Or a model writes it (`teacher_reflections`, the `journey-reflection`
prompt), given the attempt, the checker's finding and the right solution. It never states the gold
answer, so the student cannot learn to copy an answer it has not derived. Only the right attempt's
answer appears as an answer, so the journey scores as the right trace does (its answer block or
"Answer:" line is the only one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..backends import SamplingParams
from ..prompts import render
from ..rewards.countdown import strict_countdown_value
from ..samples import encode_reward

_THINK = re.compile(r"<think>(.*?)</think>", re.DOTALL)
_ANSWER_MARKER = re.compile(r"(?:final answer|answer)\s*[:：]", re.IGNORECASE)


def reasoning_part(text: str) -> str:
    """The reasoning of a trace without its final answer.

    >>> reasoning_part("<think>3 + 4 = 7</think><answer>7</answer>")
    '3 + 4 = 7'
    >>> reasoning_part("3 + 4 = 8. Answer: 8")
    '3 + 4 = 8.'
    >>> reasoning_part("so it is \\\\boxed{8}.")
    'so it is'
    >>> reasoning_part("3 + 5 = 9 <answer>3 + 5</answer>")
    '3 + 5 = 9'
    """
    m = _THINK.search(text)
    if m:
        return m.group(1).strip()
    cut = len(text)
    markers = list(_ANSWER_MARKER.finditer(text))
    if markers:
        cut = markers[-1].start()
    for marker in ("\\boxed", "<answer>"):
        at = text.rfind(marker)
        if at != -1:
            cut = min(cut, at)
    return text[:cut].strip()


def diagnose(problem: Any, extracted: str | None) -> str:
    """Why the wrong attempt's answer fails, from what a verifier can see (never the gold answer).

    >>> from reasoncraft.tasks import Problem
    >>> diagnose(Problem("p", "q", "(3 + 5) * 2", {"numbers": [2, 3, 5], "target": 16}), "3 * 5 + 2")
    '3 * 5 + 2 equals 17, not 16'
    >>> diagnose(Problem("p", "q", "7"), "8")
    'checking 8 against the problem shows it does not hold'
    """
    if extracted is None:
        return "I never reached a clear final answer"
    fields = problem.fields or {}
    if "numbers" in fields and "target" in fields:
        parsed = strict_countdown_value(extracted)
        if parsed is None:
            return f"{extracted} is not a valid expression of the numbers with + - * /"
        value, used = parsed
        if sorted(used) != sorted(int(x) for x in fields["numbers"]):
            return f"{extracted} uses {sorted(used)}, but each of {sorted(fields['numbers'])} must be used exactly once"
        shown = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        return f"{extracted} equals {shown}, not {fields['target']}"
    return f"checking {extracted} against the problem shows it does not hold"


def journey_text(wrong: str, wrong_extracted: str | None, right: str, reflection: str) -> str:
    """Join a wrong attempt, a reflection and the right attempt into one trace (layout of the right one).

    >>> text = journey_text("<think>3*5+2</think><answer>3 * 5 + 2</answer>", "3 * 5 + 2",
    ...                     "<think>(3+5)*2</think><answer>(3 + 5) * 2</answer>", "3 * 5 + 2 equals 17, not 16")
    >>> text.split("\\n")  # doctest: +NORMALIZE_WHITESPACE
    ['<think>3*5+2 So the answer would be 3 * 5 + 2.',
     'Wait, 3 * 5 + 2 equals 17, not 16. Let me go back and redo it.',
     '(3+5)*2</think>', '<answer>(3 + 5) * 2</answer>']
    """
    attempt = reasoning_part(wrong)
    if wrong_extracted is not None:
        attempt += f" So the answer would be {wrong_extracted}."
    turn = f"Wait, {reflection}. Let me go back and redo it."
    m = _THINK.search(right)
    if m:  # keep the think/answer layout: the journey lives inside the one think block
        rest = right[m.end() :].strip()
        return f"<think>{attempt}\n{turn}\n{m.group(1).strip()}</think>\n{rest}"
    return f"{attempt}\n{turn}\n{right.strip()}"


def teacher_reflections(backend: Any, max_new_tokens: int = 96) -> Callable[[list[tuple]], list[str | None]]:
    """Reflections written by a model (as the O1 journey had them), from the `journey-reflection` template.

    The returned function takes (problem, wrong text, diagnosis, right text) tuples and returns one
    reflection each, greedy, or None where the reply is empty or states the gold answer (the student
    must derive the answer in the right attempt, not read it in the reflection); `build_journeys`
    then falls back to the verifier's diagnosis.
    """

    def reflect(items: list[tuple]) -> list[str | None]:
        if not items:
            return []
        prompts = [
            render("journey-reflection", question=p.question, wrong=w, diagnosis=d, right=r) for p, w, d, r in items
        ]
        outputs = backend.generate(prompts, SamplingParams(temperature=0.0, max_new_tokens=max_new_tokens))
        replies = []
        for (problem, *_), (completion, *_) in zip(items, outputs):
            text = " ".join(completion.text.split()).rstrip(".")
            leaks = problem.answer.strip() and problem.answer.strip() in text
            replies.append(text if text and not leaks and completion.finish_reason == "stop" else None)
        return replies

    return reflect


def build_journeys(
    task: Any,
    records: Sequence[dict],
    problems: dict[str, Any],
    per_problem: int = 1,
    reflect: Callable[[list[tuple]], list[str | None]] | None = None,
) -> list[dict]:
    """Journey records from trace records (see `data.generate`): for each problem with both a wrong
    and a right trace, up to `per_problem` journeys pairing its i-th wrong with its i-th right trace.

    A journey keeps the right trace's prompt and teacher, names both sources, and is scored again
    by `task` (its verdict is its own, not the right trace's). The reflection is the verifier's
    diagnosis, or what `reflect` (e.g. `teacher_reflections(backend)`) writes where it writes one.
    """
    if per_problem < 1:
        raise ValueError(f"per_problem must be >= 1: got {per_problem}")
    by_problem: dict[str, dict[str, list[dict]]] = {}
    for r in records:
        correct = r["verdict"]["correct"]
        if correct is None or r.get("finish_reason") == "length":
            continue  # unverified or cut off: no honest place in a journey
        by_problem.setdefault(r["problem_id"], {"wrong": [], "right": []})["right" if correct else "wrong"].append(r)
    pairs = []
    for problem_id, group in by_problem.items():
        if problem_id not in problems:
            raise KeyError(
                f"trace for problem {problem_id!r} but no such problem was given: pass the problems the traces "
                "came from"
            )
        chosen = list(
            zip(
                sorted(group["wrong"], key=lambda r: r["sample_index"]),
                sorted(group["right"], key=lambda r: r["sample_index"]),
            )
        )[:per_problem]
        pairs += [(problems[problem_id], wrong, right) for wrong, right in chosen]
    diagnoses = [diagnose(problem, wrong["verdict"]["extracted"]) for problem, wrong, _ in pairs]
    written = (
        reflect([(p, w["completion"], d, r["completion"]) for (p, w, r), d in zip(pairs, diagnoses)]) if reflect else []
    )
    out = []
    for i, ((problem, wrong, right), diagnosis) in enumerate(zip(pairs, diagnoses)):
        by_teacher = i < len(written) and bool(written[i])
        reflection = written[i] if by_teacher else diagnosis
        text = journey_text(wrong["completion"], wrong["verdict"]["extracted"], right["completion"], reflection)
        score = task.score(problem, text)
        out.append(
            {
                **right,
                "verdict": {
                    "correct": score.correct,
                    "reward": encode_reward(score.reward),
                    "extracted": score.extracted,
                    "breakdown": {k: encode_reward(v) for k, v in score.breakdown.items()},
                },
                "key": f"journey:{wrong['key'][:16]}:{right['key'][:16]}",
                "messages": [*right["messages"][:-1], {"role": "assistant", "content": text}],
                "completion": text,
                "tokens": {"prompt": right["tokens"]["prompt"], "completion": None},
                "journey": {
                    "wrong": wrong["key"],
                    "right": right["key"],
                    "reflection": "teacher" if by_teacher else "verifier",
                },
            }
        )
    return out
