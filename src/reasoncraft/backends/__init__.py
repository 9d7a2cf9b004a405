"""Generation engines behind one protocol (`base.Backend`)."""

from .base import Backend, Completion, Prompt, SamplingParams

__all__ = ["Backend", "Completion", "Prompt", "SamplingParams", "HFBackend"]


def __getattr__(name: str):  # torch is imported only when the in-process backend is used
    if name == "HFBackend":
        from .hf import HFBackend  # lazy: heavy (hf.py imports torch)

        return HFBackend
    raise AttributeError(name)
