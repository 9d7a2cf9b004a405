"""The shared test builders (tests/helpers.py) behave like what they stand in for."""

from __future__ import annotations

from helpers import EOS_ID, ScriptedBackend
from reasoncraft.backends.base import SamplingParams


def test_scripted_backend_follows_backend_rules():
    backend = ScriptedBackend(lambda p, i, seed: "one two\n\nthree<eos>")
    (stopped,) = backend.generate(["q"], SamplingParams(stop=("\n\n",)))[0]
    assert (stopped.text, stopped.finish_reason, stopped.token_ids[-1] != EOS_ID) == ("one two", "stop", True)
    (ended,) = backend.generate(["q"], SamplingParams())[0]
    assert (ended.text, ended.finish_reason, ended.token_ids[-1]) == ("one two\n\nthree", "stop", EOS_ID)
    (cut,) = backend.generate(["q"], SamplingParams(max_new_tokens=1))[0]
    assert (cut.text, cut.finish_reason, cut.completion_tokens) == ("one ", "length", 1)
