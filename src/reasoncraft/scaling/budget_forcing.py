"""Budget forcing (Muennighoff et al. 2025, "s1: Simple test-time scaling", arXiv 2501.19393).

Control how long a model thinks, at decoding time, without training:

* a cap: the thinking phase may generate at most `thinking_tokens` tokens; when it reaches the cap
  the end-of-thinking delimiter is appended for the model and it must answer;
* more thinking: when the model tries to end its thinking (it writes the delimiter, or ends the
  sequence) before the cap, the delimiter is suppressed and "Wait" is appended instead, up to
  `num_waits` times (k); each continuation gets what is left of the cap.

Then the delimiter and an answer prefix are appended and the answer is decoded (s1 uses
"Final Answer:"; the default here matches the "Answer:" our prompts ask for).

As in the s1 reference, the thinking phase is opened by text appended to the prompt (`think_open`),
the delimiter is a stop string, and the cap counts only generated tokens (not the appended "Wait").
All problems advance together, one generation call per round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..backends.base import Backend, Prompt, SamplingParams
from .base import Candidate, Outcome, Usage, check_batch, default_extract, expand, render_prompt


def next_action(used: int, cap: int, tried_to_stop: bool, waits: int, max_waits: int) -> str:
    """What budget forcing does after a thinking segment: "answer" (end thinking) or "wait" (continue).

    >>> next_action(100, 100, False, 0, 2)   # the cap is reached: answer
    'answer'
    >>> next_action(40, 100, True, 1, 2)     # the model tried to stop, a Wait is left: continue
    'wait'
    >>> next_action(40, 100, True, 2, 2)     # no Wait left: answer
    'answer'
    """
    if used >= cap or not tried_to_stop or waits >= max_waits:
        return "answer"
    return "wait"


@dataclass
class BudgetForcing:
    thinking_tokens: int = 512  # the cap on thinking tokens
    num_waits: int = 0  # k: how many times ending the thinking is suppressed with "Wait"
    think_open: str = "<think>\n"  # appended to the prompt to open the thinking phase
    think_close: str = "</think>"  # the end-of-thinking delimiter
    wait: str = "Wait"
    answer_prefix: str = "\nAnswer:"
    answer_tokens: int = 32
    temperature: float = 0.0
    seed: int = 0
    template: str = "cot"
    extract: Callable[[str], str | None] | None = field(default=None, repr=False)
    name: str = "budget"

    def __post_init__(self) -> None:
        if self.thinking_tokens < 1:
            raise ValueError(f"thinking_tokens (the cap) must be >= 1: got {self.thinking_tokens}")
        if self.num_waits < 0:
            raise ValueError(f"num_waits must be >= 0: got {self.num_waits}")
        if not self.think_close:
            raise ValueError("think_close (the end-of-thinking delimiter) must be non-empty")

    def solve(self, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> list[Outcome]:
        check_batch(prompts, questions)
        bases = [render_prompt(backend, p) + self.think_open for p in prompts]
        thinking = ["" for _ in prompts]
        used = [0 for _ in prompts]
        waits = [0 for _ in prompts]
        usages = [Usage() for _ in prompts]
        live = list(range(len(prompts)))
        round_ = 0
        while live:
            # One request per problem; problems with the same remaining budget share a call.
            by_budget: dict[int, list[int]] = {}
            for p in live:
                by_budget.setdefault(self.thinking_tokens - used[p], []).append(p)
            still = []
            for remaining, members in sorted(by_budget.items()):
                sampling = SamplingParams(
                    temperature=self.temperature,
                    max_new_tokens=remaining,
                    stop=(self.think_close,),
                    seed=self.seed + round_,
                )
                results = expand(backend, [(p, bases[p] + thinking[p], 1) for p in members], sampling, usages)
                for p, (c,) in zip(members, results):
                    thinking[p] += c.text
                    used[p] += c.completion_tokens
                    tried_to_stop = c.finish_reason == "stop"  # the delimiter, or end-of-sequence
                    if next_action(used[p], self.thinking_tokens, tried_to_stop, waits[p], self.num_waits) == "wait":
                        thinking[p] += self.wait
                        waits[p] += 1
                        still.append(p)
            live = sorted(still)
            round_ += 1
        answer_sampling = SamplingParams(
            temperature=self.temperature, max_new_tokens=self.answer_tokens, seed=self.seed + round_
        )
        closing = self.think_close + self.answer_prefix
        answers = expand(
            backend, [(p, bases[p] + thinking[p] + closing, 1) for p in range(len(prompts))], answer_sampling, usages
        )
        extract = self.extract or default_extract()
        outcomes = []
        for p, (c,) in enumerate(answers):
            text = self.think_open + thinking[p] + closing + c.text
            answer = extract(self.answer_prefix + c.text)
            info = {"waits": waits[p], "thinking_tokens": used[p], "answer_tokens": c.completion_tokens}
            outcomes.append(Outcome(answer, text, [Candidate(text, answer)], usages[p], info))
        return outcomes
