"""A scripted backend and a table PRM for the scaling tests, and tests that they behave like a backend.

`ScriptedBackend(respond)` asks `respond(prompt_text, sample_index, seed)` for a reply, splits it
into word tokens and "generates" them one at a time with the real backend's rules: stop strings cut
the text (finish "stop"), "<eos>" ends it (finish "stop", last token an end-of-sequence id), and
`max_new_tokens` cuts it (finish "length"). Like the hf backend, a sample depends only on (seed,
prompt, sample index), never on what else is in the batch.
"""

from __future__ import annotations

import hashlib
import re

from reasoncraft.backends.base import Completion, SamplingParams
from reasoncraft.scorers.base import ScorerUsage

EOS_ID = 0


class ScriptedBackend:
    model_id = "scripted"
    eos_ids = {EOS_ID}

    def __init__(self, respond):
        self.respond = respond
        self.calls: list[tuple[list[str], SamplingParams]] = []

    def render_prompt(self, messages) -> str:
        return "\n".join(m["content"] for m in messages) + "\n"

    def generate(self, prompts, sampling: SamplingParams):
        self.calls.append((list(prompts), sampling))
        return [[self._one(p, i, sampling) for i in range(sampling.n)] for p in prompts]

    def _one(self, prompt, index: int, sampling: SamplingParams) -> Completion:
        if not isinstance(prompt, str):  # chat messages: the fake reads their contents
            prompt = "\n".join(m["content"] for m in prompt)
        pieces = re.findall(r"<eos>|(?:(?!<eos>)\S)+\s*|\s+", self.respond(prompt, index, sampling.seed))
        text, ids, finish = "", [], "length"
        for piece in pieces[: sampling.max_new_tokens]:
            if piece == "<eos>":
                ids.append(EOS_ID)
                finish = "stop"
                break
            ids.append(1 + len(ids))
            text += piece
            cut = min((text.find(s) for s in sampling.stop if s in text), default=-1)
            if cut >= 0:
                text, finish = text[:cut], "stop"
                break
        else:
            finish = "length" if len(pieces) >= sampling.max_new_tokens or not pieces else "stop"
            if pieces and len(pieces) < sampling.max_new_tokens:
                ids.append(EOS_ID)  # a reply that ends without a stop string ends the sequence
        return Completion(text, ids, len(prompt.split()), len(ids), finish, index)


def seeded_unit(*parts) -> float:
    """A uniform number in [0, 1) from a hash of `parts` (the fake backends' randomness)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class TablePRM:
    """Scores each step by a lookup table (unknown steps score `default`); records every call."""

    def __init__(self, table: dict[str, float], default: float = 0.5):
        self.table, self.default = table, default
        self.usage = ScorerUsage()
        self.calls: list[list[list[str]]] = []

    def score_steps(self, questions, solutions):
        self.calls.append([list(s) for s in solutions])
        self.usage.calls += 1
        self.usage.prompt_tokens += sum(len(step.split()) for s in solutions for step in s)
        return [[self.table.get(step, self.default) for step in steps] for steps in solutions]


def test_scripted_backend_follows_backend_rules():
    backend = ScriptedBackend(lambda p, i, seed: "one two\n\nthree<eos>")
    stopped, = backend.generate(["q"], SamplingParams(stop=("\n\n",)))[0]
    assert (stopped.text, stopped.finish_reason, stopped.token_ids[-1] != EOS_ID) == ("one two", "stop", True)
    ended, = backend.generate(["q"], SamplingParams())[0]
    assert (ended.text, ended.finish_reason, ended.token_ids[-1]) == ("one two\n\nthree", "stop", EOS_ID)
    cut, = backend.generate(["q"], SamplingParams(max_new_tokens=1))[0]
    assert (cut.text, cut.finish_reason, cut.completion_tokens) == ("one ", "length", 1)
