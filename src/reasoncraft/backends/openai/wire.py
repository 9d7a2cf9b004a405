"""The OpenAI wire format: request bodies out, `Completion` fields in. Pure functions, no I/O.

Field names follow the servers' documented protocols:

* `/v1/completions` (text prompt) and `/v1/chat/completions` (chat messages), OpenAI's schema:
  `n`, `seed`, `stop`, `max_tokens`, `temperature`, `top_p`; logprobs as `logprobs: <int>` on
  completions (answer: `choices[i].logprobs.token_logprobs`) and `logprobs: true` on chat (answer:
  `choices[i].logprobs.content[j].logprob`); token counts in `usage.prompt_tokens` and
  `usage.completion_tokens`.
* vLLM's extensions (flavour "vllm"): `top_k`; `return_token_ids: true` makes each choice carry
  `token_ids` and the response `prompt_token_ids` (per choice on completions, top level on chat);
  `return_tokens_as_token_ids: true` renders logprob tokens as "token_id:<id>". vLLM before 0.10.2
  has no `return_token_ids` (and some versions reject unknown fields with 400); the backend then
  drops it and asks for logprobs instead, so token ids come back either way.
* SGLang (flavour "sglang") takes `top_k` too; its OpenAI endpoints return no token ids.
* Hosted APIs (flavour "openai") get only OpenAI's own fields, since they reject unknown ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import Prompt, SamplingParams
from .errors import BackendRequestError, MalformedResponse

FLAVOURS = ("vllm", "sglang", "openai")


def endpoint_path(prompt: Prompt) -> str:
    """Text goes to the completions endpoint, chat messages to chat completions."""
    return "/completions" if isinstance(prompt, str) else "/chat/completions"


def request_body(
    model: str,
    prompt: Prompt,
    sampling: SamplingParams,
    *,
    n: int,
    seed: int,
    flavour: str,
    want_logprobs: bool,
    return_token_ids: bool = True,
) -> dict[str, Any]:
    """The JSON body of one request for `n` samples of `prompt`.

    `return_token_ids=False` leaves out vLLM's `return_token_ids`, which vLLM before 0.10.2 rejects.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {FLAVOURS}: got {flavour!r}")
    body: dict[str, Any] = {
        "model": model,
        "n": n,
        "max_tokens": sampling.max_new_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "seed": seed,
        "stream": False,
    }
    if isinstance(prompt, str):
        body["prompt"] = prompt
        if want_logprobs:
            body["logprobs"] = 1  # top-1 alternatives; we read only token_logprobs (the sampled tokens)
    else:
        body["messages"] = [dict(m) for m in prompt]
        if want_logprobs:
            body["logprobs"] = True
    if sampling.stop:
        body["stop"] = list(sampling.stop)
    if sampling.top_k:
        body["top_k"] = sampling.top_k  # not an OpenAI field: hosted APIs reject it (HTTP 400)
    if flavour == "vllm":
        if return_token_ids:
            body["return_token_ids"] = True
        if want_logprobs:
            body["return_tokens_as_token_ids"] = True
    return body


@dataclass
class Choice:
    """One parsed choice of a response."""

    index: int
    text: str
    finish_reason: str
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[float] | None = None
    completion_tokens: int | None = None  # None: the response does not say for this choice alone
    reasoning: str | None = None  # chat servers started with a reasoning parser split it off here


@dataclass
class Parsed:
    choices: list[Choice]
    prompt_tokens: int | None
    completion_tokens: int | None
    prompt_token_ids: list[int]


def _malformed(url: str, why: str) -> MalformedResponse:
    return MalformedResponse(
        f"{url} answered 200 with a body that is not a completion ({why}). If this is a proxy or a "
        "server that is still starting, it is retried; if it persists, check that the base URL points "
        "at an OpenAI-compatible /v1 API.",
        url=url,
    )


def _token_id(token: Any) -> int | None:
    """'token_id:123' (vLLM's return_tokens_as_token_ids) -> 123; anything else -> None."""
    if isinstance(token, str) and token.startswith("token_id:"):
        try:
            return int(token[len("token_id:") :])
        except ValueError:
            return None
    return None


def _logprob_entries(raw: Any, chat: bool, url: str) -> tuple[list[float], list[int]] | None:
    """(log-probabilities, token ids if rendered as 'token_id:N') from a choice's logprobs object."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _malformed(url, "logprobs is not an object")
    if chat:
        content = raw.get("content") or []
        values = [entry.get("logprob") for entry in content if isinstance(entry, dict)]
        tokens = [entry.get("token") for entry in content if isinstance(entry, dict)]
    else:
        values = list(raw.get("token_logprobs") or [])
        tokens = list(raw.get("tokens") or [])
    if any(not isinstance(v, (int, float)) for v in values):
        raise _malformed(url, "a token log-probability is not a number")
    ids = [_token_id(t) for t in tokens]
    token_ids = [i for i in ids if i is not None] if ids and None not in ids else []
    return [float(v) for v in values], token_ids


def _finish_reason(value: Any, url: str) -> str:
    if value == "length":
        return "length"
    if value in ("stop", "eos", "tool_calls", "function_call"):
        return "stop"
    if value == "content_filter":
        raise BackendRequestError(
            f"{url} withheld a completion (finish_reason=content_filter); change the prompt or the model.", url=url
        )
    raise _malformed(url, f"finish_reason={value!r}, expected 'stop' or 'length' (a request aborted server-side?)")


def _int_list(value: Any) -> list[int] | None:
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return None


def parse_response(data: Any, *, chat: bool, url: str) -> Parsed:
    """Turn a completions or chat-completions response body into `Choice`s, sorted by index."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list) or not data["choices"]:
        raise _malformed(url, "no 'choices' list")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    prompt_tokens = usage.get("prompt_tokens") if isinstance(usage.get("prompt_tokens"), int) else None
    completion_tokens = usage.get("completion_tokens") if isinstance(usage.get("completion_tokens"), int) else None
    prompt_token_ids = _int_list(data.get("prompt_token_ids")) or []
    choices = []
    for raw in data["choices"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("index", 0), int):
            raise _malformed(url, "a choice is not an object with an integer index")
        reasoning = None
        if chat:
            message = raw.get("message")
            if not isinstance(message, dict):
                raise _malformed(url, "a chat choice has no 'message' object")
            text = message.get("content") or ""
            reasoning = message.get("reasoning_content") or message.get("reasoning") or None
        else:
            text = raw.get("text")
        if not isinstance(text, str):
            raise _malformed(url, "a choice's text is not a string")
        entries = _logprob_entries(raw.get("logprobs"), chat, url)
        token_ids = _int_list(raw.get("token_ids")) or (entries[1] if entries else [])
        prompt_token_ids = prompt_token_ids or _int_list(raw.get("prompt_token_ids")) or []
        logprobs = entries[0] if entries else None
        count = len(token_ids) if token_ids else (len(logprobs) if logprobs else None)
        choices.append(
            Choice(
                index=raw.get("index", 0),
                text=text,
                finish_reason=_finish_reason(raw.get("finish_reason"), url),
                token_ids=token_ids,
                logprobs=logprobs,
                completion_tokens=count,
                reasoning=reasoning,
            )
        )
    choices.sort(key=lambda c: c.index)
    if len(choices) == 1 and choices[0].completion_tokens is None:
        choices[0].completion_tokens = completion_tokens
    if prompt_tokens is None and prompt_token_ids:
        prompt_tokens = len(prompt_token_ids)
    return Parsed(choices, prompt_tokens, completion_tokens, prompt_token_ids)
