"""The one protocol every generation engine implements.

A backend turns prompts into completions: `generate(prompts, sampling) -> list[list[Completion]]`,
one inner list of `sampling.n` completions per prompt, in prompt order. A prompt is either plain
text (sent as is) or a list of chat messages (`[{"role": "user", "content": ...}]`), which the
backend renders with the model's chat template. Backends know nothing of tasks, rewards or training.
`backend_hash` names the weights behind a backend, for caches and run records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from ..models import weights_hash

Message = dict
Prompt = str | Sequence[Message]


@dataclass(frozen=True)
class SamplingParams:
    """How to sample. `temperature=0` means greedy decoding."""

    n: int = 1  # samples per prompt
    temperature: float = 1.0
    top_p: float = 1.0  # nucleus sampling; 1.0 = off
    top_k: int = 0  # 0 = off
    max_new_tokens: int = 256
    stop: tuple[str, ...] = ()  # generation ends before the first of these strings; text excludes it
    seed: int = 0
    logprobs: bool = False  # return the log-probability of each sampled token

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1 samples per prompt: got {self.n}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0 (0 is greedy): got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1]: got {self.top_p}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0 (0 turns it off): got {self.top_k}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1: got {self.max_new_tokens}")
        if isinstance(self.stop, str):  # a lone string would be split into characters
            object.__setattr__(self, "stop", (self.stop,))
        else:
            object.__setattr__(self, "stop", tuple(self.stop))
        if any(not s for s in self.stop):
            raise ValueError("stop strings must be non-empty")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def to_dict(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """A stable hash of everything that changes what is sampled (caches key on it)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Completion:
    """One sampled continuation of one prompt."""

    text: str  # decoded, special tokens removed, cut before a stop string
    token_ids: list[int]  # sampled tokens, up to and including the one that ended generation
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (end-of-sequence token or stop string) or "length"
    sample_index: int = 0  # which of the n samples of its prompt
    logprobs: list[float] | None = None  # one per token in token_ids, when requested
    prompt_token_ids: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return asdict(self)


@runtime_checkable
class Backend(Protocol):
    """Anything that samples completions. `model_id` names the weights for run records and caches."""

    model_id: str

    def generate(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion]]: ...


def backend_hash(backend: Backend) -> str:
    """What identifies the weights behind a backend: a hash of the in-process model, else its model id.

    Caches of completions key on it, so samples drawn by `eval`, `scale` and the data engine are shared.

    >>> class Server:
    ...     model_id = "qwen-7b"
    >>> backend_hash(Server())
    'server:qwen-7b'
    """
    model = getattr(backend, "model", None)
    if model is not None and hasattr(model, "named_parameters"):
        return weights_hash(model)
    return f"server:{backend.model_id}"
