"""`OpenAIBackend`: the backend protocol over any OpenAI-compatible server (vLLM, SGLang, hosted APIs).

The public surface is synchronous (`generate`, as every backend); the core is asyncio with httpx:
all requests of a call run concurrently under `max_concurrency`, and each is delivered by
`transport.Transport.call` (least-loaded base URL, rate limits, retries with jittered backoff
that honours Retry-After, circuit breakers, the per-request time-out and deadline, the watchdog).
This file decides what to ask for and turns the answers into `Completion`s.

n samples per prompt: one request with `n` (vLLM, SGLang and OpenAI support it) when
`native_n=True`; otherwise, or for samples a server left out, one request per sample with seed
`seed + i`. The i-th sample of a prompt has `sample_index = i` either way, and each sample slot is
filled exactly once.

Completion fields: `text` is the server's text (chat: `message.content`; a reasoning parser's
`reasoning_content` is not part of it, so start vLLM without `--reasoning-parser` to score the
whole trace); `token_ids` and `prompt_token_ids` come from vLLM (`return_token_ids`, or logprob
tokens rendered as ids) and are empty lists for servers that do not return them (SGLang's and
hosted OpenAI endpoints); `prompt_tokens` and `completion_tokens` come from the response's
`usage` (when a response holds several choices, a choice's own count is its number of token ids
or logprobs, which the backend asks for when the server returns no ids); `logprobs` are the
sampled tokens' log-probabilities when requested; `finish_reason` is "stop" or "length".
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ..base import Completion, Prompt, SamplingParams
from . import wire
from .endpoints import Endpoint, split_base_url
from .errors import BackendAuthError, BackendError, BackendRequestError, MalformedResponse
from .keys import Secret, resolve_api_key
from .limits import CircuitBreaker, RateLimiter, estimate_tokens
from .transport import Transport
from .weights import WeightUpdates

log = logging.getLogger("reasoncraft.backends.openai")


@dataclass
class _Job:
    """One request: `n` samples of prompt `prompt_index`, filling sample slots `first..first+n-1`."""

    prompt_index: int
    first: int
    n: int
    seed: int


class OpenAIBackend(WeightUpdates):
    """Sample completions from OpenAI-compatible servers; see the module docstring for the behaviour.

    Args:
        base_urls: one URL or several ("http://host:8000/v1"; the /v1 may be left out).
        model: the served model name; None asks the server (`GET /v1/models`) and takes its only model.
        flavour: "vllm", "sglang", "openai", or "auto" (from `owned_by` in `/v1/models`). Decides which
            non-OpenAI fields are sent (vLLM's `return_token_ids`; `top_k`).
        api_key_env / api_key_file: where the key comes from (the file first: the key on its first
            line, or `api_key:` in a .yaml/.json config); none is needed for a local server started
            without `--api-key`. The key is never logged nor put in an error message.
        max_concurrency: requests in flight at once, over all base URLs.
        request_timeout: seconds one attempt may take (long: a 32k-token trace on a busy server takes
            minutes); request_deadline: seconds a request may take in all, retries and waits included,
            counted from when it gets its concurrency slot (default: request_timeout * (max_retries + 1)).
        max_retries: retries after the first attempt; backoff_base / backoff_cap: the jitter ceiling
            starts at backoff_base seconds and doubles up to backoff_cap.
        requests_per_minute / tokens_per_minute: client-side limits (None = none); tokens are
            estimated before sending (~4 characters a token plus max_new_tokens * n) and settled
            with the server's usage.
        breaker_threshold / breaker_cooldown: consecutive failures that take a base URL out of
            rotation, and for how long before one probe request is let through.
        watchdog_window: seconds without progress after which a server with requests in flight is
            declared stalled (None turns the watchdog off).
        native_n: send `n` in one request (True) or one request per sample with seed + i (False).
        connect_timeout: seconds to open a connection; watchdog_interval: seconds between watchdog
            checks (default: a quarter of the window, at most 5); rng_seed: seeds the backoff jitter.
    """

    def __init__(
        self,
        base_urls: str | Sequence[str],
        model: str | None = None,
        *,
        flavour: str = "auto",
        api_key_env: str | None = "OPENAI_API_KEY",
        api_key_file: str | None = None,
        max_concurrency: int = 32,
        request_timeout: float = 1800.0,
        connect_timeout: float = 10.0,
        request_deadline: float | None = None,
        max_retries: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
        watchdog_window: float | None = 300.0,
        watchdog_interval: float | None = None,
        native_n: bool = True,
        rng_seed: int | None = None,
    ):
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("give at least one base URL, e.g. http://127.0.0.1:8000/v1")
        if flavour not in (*wire.FLAVOURS, "auto"):
            raise ValueError(f"flavour must be one of {(*wire.FLAVOURS, 'auto')}: got {flavour!r}")
        for name, value in (("max_concurrency", max_concurrency), ("request_timeout", request_timeout)):
            if value <= 0:
                raise ValueError(f"{name} must be > 0: got {value}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0: got {max_retries}")
        if watchdog_window is not None and watchdog_window <= 0:
            raise ValueError(f"watchdog_window must be > 0 seconds or None (off): got {watchdog_window}")
        self.endpoints = [
            Endpoint(*split_base_url(u), breaker=CircuitBreaker(breaker_threshold, breaker_cooldown)) for u in urls
        ]
        self.model = model
        self.flavour = flavour
        self._key: Secret | None = resolve_api_key(api_key_env, api_key_file)
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute)
        self.max_concurrency = max_concurrency
        self.request_timeout = request_timeout
        self.native_n = native_n
        self._return_token_ids = True  # turned off for vLLM versions that reject the field
        self.transport = Transport(
            self.endpoints,
            self._key,
            key_source=f"${api_key_env} or api_key_file" if api_key_env else "api_key_file",
            request_timeout=request_timeout,
            connect_timeout=connect_timeout,
            request_deadline=request_deadline or request_timeout * (max_retries + 1),
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            limiter=self.limiter,
            max_concurrency=max_concurrency,
            watchdog_window=watchdog_window,
            watchdog_interval=watchdog_interval,
            rng=random.Random(rng_seed),
        )
        self._warned: set[str] = set()

    def __repr__(self) -> str:  # no key here, ever
        urls = ", ".join(e.api for e in self.endpoints)
        return f"OpenAIBackend([{urls}], model={self.model!r}, flavour={self.flavour!r})"

    @property
    def model_id(self) -> str:
        return self.model or "unresolved"

    # -- public, synchronous ---------------------------------------------------------------------------

    def generate(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion]]:
        """n completions per prompt, in prompt order; raises the first failed prompt's typed error."""
        results = self.generate_results(prompts, sampling)
        failed = [(i, r) for i, r in enumerate(results) if isinstance(r, BackendError)]
        if failed:
            index, error = failed[0]
            raise type(error)(
                f"{len(failed)} of {len(results)} prompts failed (first: prompt {index}): {error} "
                "(generate_results returns the completions of the others)",
                url=error.url,
                status=error.status,
            ) from error
        return results  # type: ignore[return-value]

    def generate_results(
        self, prompts: Sequence[Prompt], sampling: SamplingParams
    ) -> list[list[Completion] | BackendError]:
        """Like `generate`, but a prompt whose request failed holds its typed error instead of completions.

        An authentication error is raised at once: every other request would fail the same way.
        """
        return _run_sync(self.agenerate_results(prompts, sampling))

    # -- async core ------------------------------------------------------------------------------------

    async def agenerate_results(
        self, prompts: Sequence[Prompt], sampling: SamplingParams
    ) -> list[list[Completion] | BackendError]:
        batch = _Batch(list(prompts), sampling)
        if not batch.prompts:
            return []
        async with self.transport.session() as client:
            await self._resolve(client)
            batch.client, batch.semaphore = client, asyncio.Semaphore(self.max_concurrency)
            tasks = [
                asyncio.ensure_future(self._run_job(batch, job)) for job in self._plan(len(batch.prompts), sampling)
            ]
            try:
                await asyncio.gather(*tasks)
            except BackendAuthError:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return batch.results()

    def _plan(self, num_prompts: int, sampling: SamplingParams) -> list[_Job]:
        if self.native_n or sampling.n == 1:
            return [_Job(p, 0, sampling.n, sampling.seed) for p in range(num_prompts)]
        return [_Job(p, i, 1, sampling.seed + i) for p in range(num_prompts) for i in range(sampling.n)]

    async def _run_job(self, batch: _Batch, job: _Job) -> None:
        """Send one job; store its completions (each sample slot exactly once) or its prompt's error."""
        prompt, sampling = batch.prompts[job.prompt_index], batch.sampling
        want_logprobs = (
            sampling.logprobs
            or (job.n > 1 and self.flavour != "vllm")  # per-choice token counts
            or (self.flavour == "vllm" and not self._return_token_ids)  # ids as 'token_id:N' logprob tokens
        )
        body = wire.request_body(
            self.model,
            prompt,
            sampling,
            n=job.n,
            seed=job.seed,
            flavour=self.flavour,
            want_logprobs=want_logprobs,
            return_token_ids=self._return_token_ids,
        )
        chat = not isinstance(prompt, str)
        size = len(prompt) if isinstance(prompt, str) else sum(len(str(m.get("content", ""))) for m in prompt)
        try:
            async with batch.semaphore:
                parsed = await self.transport.call(
                    batch.client,
                    "POST",
                    wire.endpoint_path(prompt),
                    body,
                    lambda data, url: wire.parse_response(data, chat=chat, url=url),
                    estimate_tokens(size, sampling.max_new_tokens, job.n),
                )
        except BackendAuthError:
            raise
        except BackendRequestError as error:
            if self.flavour == "vllm" and self._return_token_ids and "return_token_ids" in str(error):
                self._warn_once(
                    "ids", "this vLLM rejects return_token_ids (before 0.10.2); reading token ids from logprobs"
                )
                self._return_token_ids = False
                await self._run_job(batch, job)
                return
            batch.errors[job.prompt_index] = batch.errors[job.prompt_index] or error
            return
        except BackendError as error:
            batch.errors[job.prompt_index] = batch.errors[job.prompt_index] or error
            return
        choices = parsed.choices[: job.n]
        if job.n > 1 and any(c.completion_tokens is None for c in choices):
            self._warn_once(
                "counts", "the server gives no per-sample token counts for n > 1; sending one request per sample"
            )
            self.native_n = False
            singles = [_Job(job.prompt_index, job.first + i, 1, job.seed + i) for i in range(job.n)]
            await asyncio.gather(*(self._run_job(batch, single) for single in singles))
            return
        for offset, choice in enumerate(choices):
            batch.fill(
                job.prompt_index, job.first + offset, self._completion(choice, parsed, job.first + offset, sampling)
            )
        if len(choices) < job.n:  # the server ignored n: ask for the rest one by one
            self._warn_once(
                "n", f"the server returned {len(choices)} of n={job.n} samples; requesting the rest one at a time"
            )
            missing = [
                _Job(job.prompt_index, i, 1, job.seed + i - job.first)
                for i in range(job.first + len(choices), job.first + job.n)
            ]
            await asyncio.gather(*(self._run_job(batch, single) for single in missing))

    def _completion(
        self, choice: wire.Choice, parsed: wire.Parsed, sample_index: int, sampling: SamplingParams
    ) -> Completion:
        if choice.reasoning:
            self._warn_once(
                "reasoning",
                "the server split off reasoning_content (a --reasoning-parser); Completion.text holds only the "
                "final content",
            )
        if parsed.prompt_tokens is None:
            self._warn_once("usage", "the server returned no usage field; prompt_tokens is 0")
        return Completion(
            text=choice.text,
            token_ids=choice.token_ids,
            prompt_tokens=parsed.prompt_tokens or 0,
            completion_tokens=choice.completion_tokens or 0,
            finish_reason=choice.finish_reason,
            sample_index=sample_index,
            logprobs=choice.logprobs if sampling.logprobs else None,
            prompt_token_ids=list(parsed.prompt_token_ids),
        )

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s", message)

    async def _resolve(self, client: httpx.AsyncClient) -> None:
        """Ask `/v1/models` for the model name and the server kind when they were not given."""
        if self.model is not None and self.flavour != "auto":
            return
        try:
            listing = await self.transport.call(client, "GET", "/models", None, _parse_models)
        except BackendRequestError:  # a server without /v1/models: plain OpenAI fields, model must be given
            listing = []
        if self.model is None:
            bases = [m for m in listing if not m.get("parent")]  # vLLM lists loaded LoRA adapters with a parent
            if len(bases) != 1:
                raise BackendRequestError(
                    f"pass model=...: the server serves {[m['id'] for m in listing] or 'no listed model'}"
                )
            self.model = bases[0]["id"]
        if self.flavour == "auto":
            owners = {m.get("owned_by") for m in listing if self.model in (m.get("id"), m.get("root"))}
            self.flavour = "vllm" if "vllm" in owners else "sglang" if "sglang" in owners else "openai"
            log.info("server kind: %s (from /v1/models owned_by)", self.flavour)


@dataclass
class _Batch:
    """The state of one `generate` call: a slot per (prompt, sample), and an error per prompt."""

    prompts: list
    sampling: SamplingParams
    client: Any = None
    semaphore: Any = None

    def __post_init__(self) -> None:
        self.slots: list[list[Completion | None]] = [[None] * self.sampling.n for _ in self.prompts]
        self.errors: list[BackendError | None] = [None] * len(self.prompts)

    def fill(self, prompt_index: int, sample_index: int, completion: Completion) -> None:
        if self.slots[prompt_index][sample_index] is not None:
            raise RuntimeError(f"internal error: sample {sample_index} of prompt {prompt_index} arrived twice")
        self.slots[prompt_index][sample_index] = completion

    def results(self) -> list[list[Completion] | BackendError]:
        out: list[list[Completion] | BackendError] = []
        for i, row in enumerate(self.slots):
            if self.errors[i] is not None:
                out.append(self.errors[i])  # type: ignore[arg-type]
            elif any(c is None for c in row):
                raise RuntimeError(
                    f"internal error: prompt {i} is missing samples {[j for j, c in enumerate(row) if c is None]}"
                )
            else:
                out.append(row)  # type: ignore[arg-type]
        return out


def _parse_models(data: Any, url: str) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise MalformedResponse(f"{url} answered without a 'data' list of models", url=url)
    return [m for m in data["data"] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def _run_sync(coro):
    """Run a coroutine to completion from sync code, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # e.g. a notebook: run on a fresh loop
        return pool.submit(asyncio.run, coro).result()


def backend_from_url(
    base_url: str | Sequence[str], model: str | None = None, api_key_env: str | None = "OPENAI_API_KEY", **limits: Any
) -> OpenAIBackend:
    """The backend the CLI builds from `--base-url` (one or several) and `--model`; `limits` are
    `OpenAIBackend`'s keyword arguments (max_concurrency, request_timeout, requests_per_minute, ...)."""
    if isinstance(base_url, str) and "," in base_url:
        base_url = [u for u in base_url.split(",") if u.strip()]
    return OpenAIBackend(base_url, model, api_key_env=api_key_env, **limits)
