"""`OpenAIBackend`: the backend protocol over any OpenAI-compatible server (vLLM, SGLang, hosted APIs).

The public surface is synchronous (`generate`, as every backend); the core is asyncio with httpx:
all requests of a call run concurrently under `max_concurrency`, paced by the rate limits, spread
over the base URLs, retried with jittered exponential backoff, and bounded in time.

What one logical request goes through (`_call`):

1. wait for a concurrency slot; from then on the request has `request_deadline` seconds in all;
2. pick the least-loaded base URL whose circuit breaker is closed (`endpoints.pick_endpoint`);
3. take its share of the requests-per-minute and tokens-per-minute budgets;
4. send, with `request_timeout` seconds for the attempt;
5. on 408/409/429/5xx, a time-out, a dropped connection or a malformed body, wait
   (`limits.backoff_delay`, at least the server's Retry-After) and go back to 2, at most
   `max_retries` times; 401/403 (`BackendAuthError`) and other 4xx fail at once.

n samples per prompt: one request with `n` (vLLM, SGLang and OpenAI support it) when
`native_n=True`; otherwise, or for the samples a server left out, one request per sample with
seed `seed + i`. The i-th sample of a prompt is `sample_index = i` either way.

Completion fields: `text` is the server's text (chat: `message.content`; a reasoning parser's
`reasoning_content` is not part of it, so start vLLM without `--reasoning-parser` to score the
whole trace); `token_ids` and `prompt_token_ids` come from vLLM (`return_token_ids`, or logprob
tokens rendered as ids) and are empty lists for servers that do not return them (SGLang's and
hosted OpenAI endpoints); `prompt_tokens` and `completion_tokens` come from the response's
`usage` (a choice's own count is its number of token ids or logprobs when a response holds
several choices); `logprobs` are the sampled tokens' log-probabilities when requested.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import httpx

from ..base import Completion, Prompt, SamplingParams
from . import wire
from .endpoints import Endpoint, Watchdog, pick_endpoint, split_base_url
from .errors import (
    BackendAuthError,
    BackendConnectionError,
    BackendError,
    BackendRateLimited,
    BackendRequestError,
    BackendServerError,
    BackendStalled,
    BackendTimeout,
    BackendUnavailable,
    MalformedResponse,
)
from .keys import Secret, redact, resolve_api_key
from .limits import CircuitBreaker, RateLimiter, backoff_delay, estimate_tokens, parse_retry_after
from .weights import WeightUpdates

log = logging.getLogger("reasoncraft.backends.openai")

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))


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
        api_key_env / api_key_file: where the key comes from (file first); none is needed for a local
            server started without `--api-key`. The key is never logged nor put in an error message.
        max_concurrency: requests in flight at once, over all base URLs.
        request_timeout: seconds one attempt may take; request_deadline: seconds a request may take in
            all, retries and waits included (default: request_timeout * (max_retries + 1)).
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
        request_timeout: float = 600.0,
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
        self.api_key_env = api_key_env
        self._key: Secret | None = resolve_api_key(api_key_env, api_key_file)
        self.max_concurrency = max_concurrency
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.request_deadline = request_deadline or request_timeout * (max_retries + 1)
        self.max_retries = max_retries
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute)
        self.watchdog_window, self.watchdog_interval = watchdog_window, watchdog_interval
        self.native_n = native_n
        self._rng = random.Random(rng_seed)
        self._turn = 0
        self._warned: set[str] = set()
        self._auth_failure: BackendAuthError | None = None  # set on a 401/403: nothing more is sent

    def __repr__(self) -> str:  # no key here, ever
        urls = ", ".join(e.api for e in self.endpoints)
        return f"OpenAIBackend([{urls}], model={self.model!r}, flavour={self.flavour!r})"

    @property
    def model_id(self) -> str:
        return self.model or "unresolved"

    # -- public, synchronous ---------------------------------------------------------------------------

    def generate(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion]]:
        """n completions per prompt, in prompt order; raises the first request's typed error if any failed."""
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

    def generate_results(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion] | BackendError]:
        """Like `generate`, but a prompt whose request failed holds its typed error instead of completions.

        An authentication error is raised at once: every other request would fail the same way.
        """
        return _run_sync(self.agenerate_results(prompts, sampling))

    # -- async core ------------------------------------------------------------------------------------

    async def agenerate_results(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion] | BackendError]:
        prompts = list(prompts)
        slots: list[list[Completion | None]] = [[None] * sampling.n for _ in prompts]
        errors: list[BackendError | None] = [None] * len(prompts)
        self._auth_failure = None
        async with self._session() as client:
            await self._resolve(client)
            semaphore = asyncio.Semaphore(self.max_concurrency)
            tasks = [
                asyncio.ensure_future(self._run_job(client, semaphore, prompts, sampling, job, slots, errors))
                for job in self._plan(len(prompts), sampling)
            ]
            try:
                await asyncio.gather(*tasks)
            except BackendAuthError:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        results: list[list[Completion] | BackendError] = []
        for i, row in enumerate(slots):
            if errors[i] is not None:
                results.append(errors[i])  # type: ignore[arg-type]
            elif any(c is None for c in row):
                raise RuntimeError(f"internal error: prompt {i} is missing samples {[j for j, c in enumerate(row) if c is None]}")
            else:
                results.append(row)  # type: ignore[arg-type]
        return results

    def _plan(self, num_prompts: int, sampling: SamplingParams) -> list[_Job]:
        if self.native_n or sampling.n == 1:
            return [_Job(p, 0, sampling.n, sampling.seed) for p in range(num_prompts)]
        return [_Job(p, i, 1, sampling.seed + i) for p in range(num_prompts) for i in range(sampling.n)]

    async def _run_job(self, client, semaphore, prompts, sampling, job: _Job, slots, errors) -> None:
        """Send one job; store its completions in `slots` (each slot exactly once) or its error in `errors`."""
        prompt = prompts[job.prompt_index]
        want_logprobs = sampling.logprobs or (job.n > 1 and self.flavour != "vllm")  # per-choice token counts
        body = wire.request_body(
            self.model, prompt, sampling, n=job.n, seed=job.seed, flavour=self.flavour, want_logprobs=want_logprobs
        )
        chat = not isinstance(prompt, str)
        size = len(prompt) if isinstance(prompt, str) else sum(len(str(m.get("content", ""))) for m in prompt)
        estimate = estimate_tokens(size, sampling.max_new_tokens, job.n)
        try:
            async with semaphore:
                parsed = await self._call(
                    client, "POST", wire.endpoint_path(prompt), body, lambda data, url: wire.parse_response(data, chat=chat, url=url), estimate
                )
        except BackendAuthError:
            raise
        except BackendError as error:
            if errors[job.prompt_index] is None:
                errors[job.prompt_index] = error
            return
        choices = parsed.choices[: job.n]
        if job.n > 1 and any(c.completion_tokens is None for c in choices):
            self._warn_once(
                "counts", "the server gives no per-sample token counts for n > 1; switching to one request per sample"
            )
            self.native_n = False
            await asyncio.gather(*(self._run_job(client, semaphore, prompts, sampling, _Job(job.prompt_index, job.first + i, 1, job.seed + i), slots, errors) for i in range(job.n)))
            return
        for offset, choice in enumerate(choices):
            slots[job.prompt_index][job.first + offset] = self._completion(choice, parsed, job.first + offset, sampling)
        if len(choices) < job.n:  # the server ignored n: ask for the rest one by one
            self._warn_once("n", f"the server returned {len(choices)} of n={job.n} samples; requesting the rest one at a time")
            missing = range(job.first + len(choices), job.first + job.n)
            await asyncio.gather(*(self._run_job(client, semaphore, prompts, sampling, _Job(job.prompt_index, i, 1, sampling.seed + i), slots, errors) for i in missing))

    def _completion(self, choice: wire.Choice, parsed: wire.Parsed, sample_index: int, sampling: SamplingParams) -> Completion:
        if choice.reasoning:
            self._warn_once("reasoning", "the server split off reasoning_content (a --reasoning-parser); Completion.text holds only the final content")
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

    # -- the session: one httpx client and the watchdog per call ---------------------------------------

    def _session(self):
        backend = self

        class _Session:
            async def __aenter__(self):
                headers = {"Authorization": f"Bearer {backend._key.reveal()}"} if backend._key else {}
                self.client = httpx.AsyncClient(
                    headers=headers,
                    timeout=httpx.Timeout(backend.request_timeout, connect=backend.connect_timeout),
                    limits=httpx.Limits(max_connections=backend.max_concurrency + 2 * len(backend.endpoints)),
                )
                self.watchdog = None
                if backend.watchdog_window is not None:
                    dog = Watchdog(backend.endpoints, self.client, backend.watchdog_window, backend.watchdog_interval)
                    self.watchdog = asyncio.ensure_future(dog.run())
                return self.client

            async def __aexit__(self, *exc):
                if self.watchdog is not None:
                    self.watchdog.cancel()
                    await asyncio.gather(self.watchdog, return_exceptions=True)
                await self.client.aclose()

        return _Session()

    async def _resolve(self, client: httpx.AsyncClient) -> None:
        """Ask `/v1/models` for the model name and the server kind when they were not given."""
        if self.model is not None and self.flavour != "auto":
            return
        try:
            listing = await self._call(client, "GET", "/models", None, _parse_models, 0)
        except BackendRequestError:
            listing = []
        if self.model is None:
            if len(listing) != 1:
                names = [m.get("id") for m in listing]
                raise BackendRequestError(f"pass model=...: the server serves {names or 'no listed model'}")
            self.model = listing[0]["id"]
        if self.flavour == "auto":
            owners = {m.get("owned_by") for m in listing if m.get("id") == self.model or m.get("root") == self.model}
            self.flavour = "vllm" if "vllm" in owners else "sglang" if "sglang" in owners else "openai"
            log.info("server kind: %s (from /v1/models owned_by)", self.flavour)

    async def _call(self, client: httpx.AsyncClient, method: str, path: str, body: dict | None, parse: Callable[[Any, str], Any], estimate: int) -> Any:
        """One logical request with endpoint choice, rate limits, retries and the deadline (module doc)."""
        deadline = time.monotonic() + self.request_deadline
        attempt = 0
        while True:
            endpoint = await self._endpoint(deadline)
            if body is not None:
                try:
                    await asyncio.wait_for(self.limiter.acquire(estimate), max(0.0, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    raise BackendRateLimited(
                        f"the client-side limits (requests_per_minute, tokens_per_minute) leave no room for this "
                        f"request ({estimate} estimated tokens) before request_deadline; raise the limits or the deadline"
                    ) from None
            try:
                result, usage = await self._attempt(client, endpoint, method, path, body, parse, deadline)
            except (BackendAuthError, BackendRequestError):
                endpoint.breaker.record_success()  # the server is up; the request is wrong
                raise
            except BackendError as error:
                endpoint.breaker.record_failure()
                endpoint.last_error = str(error)
                retry_after = getattr(error, "retry_after", None)
                left = deadline - time.monotonic()
                if attempt >= self.max_retries:
                    raise type(error)(f"{error} (gave up after {attempt + 1} attempts; raise max_retries to try longer)", url=error.url, status=error.status) from error
                if retry_after is not None and retry_after > left:
                    raise BackendRateLimited(
                        f"{error}; the server asks to wait {retry_after:.1f} s but only {max(left, 0):.1f} s are left "
                        "before request_deadline: lower requests_per_minute/tokens_per_minute or raise request_deadline",
                        url=error.url, status=error.status,
                    ) from error
                delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap, retry_after, self._rng)
                if delay >= left:
                    raise type(error)(f"{error} (request_deadline of {self.request_deadline:.1f} s reached after {attempt + 1} attempts)", url=error.url, status=error.status) from error
                log.info("retry %d/%d of %s%s in %.2f s: %s", attempt + 1, self.max_retries, endpoint.api, path, delay, error)
                await asyncio.sleep(delay)
                attempt += 1
                continue
            endpoint.breaker.record_success()
            if body is not None:
                self.limiter.settle(estimate, usage if usage is not None else estimate)
            return result

    async def _endpoint(self, deadline: float) -> Endpoint:
        """The endpoint to send to; waits for a breaker's cooldown when all are open and time allows."""
        while True:
            self._turn += 1
            endpoint = pick_endpoint(self.endpoints, self._turn)
            if endpoint is not None:
                endpoint.breaker.on_send()
                return endpoint
            wait = min(e.breaker.seconds_until_probe() for e in self.endpoints) or 0.05
            if time.monotonic() + wait >= deadline:
                details = "; ".join(f"{e.root}: {e.breaker.failures} failures in a row, last: {e.last_error}" for e in self.endpoints)
                stalled = next((e.stall_error for e in self.endpoints if e.stall_error is not None), None)
                kind = BackendStalled if stalled is not None else BackendUnavailable
                raise kind(
                    f"every server is failing and none recovers before the request deadline ({details}). "
                    f"Check each with `curl <root>/health` and its logs; restart or remove dead base URLs."
                )
            await asyncio.sleep(wait)

    async def _attempt(self, client, endpoint: Endpoint, method: str, path: str, body, parse, deadline: float):
        """One HTTP exchange, raced against the attempt time-out; the watchdog may cancel it."""
        url = endpoint.api + path
        if self._auth_failure is not None:  # another request of this call was refused: do not send more
            raise self._auth_failure
        timeout = max(0.001, min(self.request_timeout, deadline - time.monotonic()))
        task = asyncio.ensure_future(client.request(method, url, json=body))
        endpoint.attempts.add(task)
        endpoint.in_flight += 1
        endpoint.sent += 1
        try:
            response = await asyncio.wait_for(task, timeout)
        except asyncio.TimeoutError:
            raise BackendTimeout(
                f"{url} sent no complete response within {timeout:.1f} s: raise request_timeout for long "
                "generations, or check that the server is not overloaded", url=url,
            ) from None
        except asyncio.CancelledError:
            if task in endpoint.stalled and endpoint.stall_error is not None:
                raise BackendStalled(str(endpoint.stall_error), url=url) from None
            raise
        except httpx.TimeoutException:
            raise BackendTimeout(f"{url} timed out (connect {self.connect_timeout:.1f} s, read {self.request_timeout:.1f} s): is the server up and reachable?", url=url) from None
        except httpx.TransportError as error:
            raise BackendConnectionError(f"{url}: connection failed or dropped ({type(error).__name__}): is the server running at this address?", url=url) from None
        finally:
            endpoint.attempts.discard(task)
            endpoint.stalled.discard(task)
            endpoint.in_flight -= 1
        endpoint.completed += 1
        return self._handle(response, url, parse)

    def _handle(self, response: httpx.Response, url: str, parse):
        status = response.status_code
        message = redact(_server_message(response), self._key)
        if status in (401, 403):
            source = f"${self.api_key_env}" if self.api_key_env else "api_key_file"
            self._auth_failure = BackendAuthError(
                f"{url} refused the request (HTTP {status}: {message}). Set the key the server expects "
                f"(`vllm serve --api-key ...`) in {source} or pass api_key_file=...; not retried.", url=url, status=status,
            )
            raise self._auth_failure
        if status in RETRY_STATUSES:
            kind = BackendRateLimited if status == 429 else BackendServerError
            error = kind(f"{url} answered HTTP {status}: {message}", url=url, status=status)
            error.retry_after = parse_retry_after(response.headers)  # type: ignore[attr-defined]
            raise error
        if status == 404:
            raise BackendRequestError(
                f"{url} answered 404 ({message}): check that the base URL ends in /v1 and that model={self.model!r} is served (GET /v1/models)",
                url=url, status=status,
            )
        if status >= 400:
            raise BackendRequestError(f"{url} rejected the request (HTTP {status}: {message}); fix the named parameter", url=url, status=status)
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse(f"{url} answered {status} with a body that is not JSON; retried, and if it persists check that the base URL is an OpenAI-compatible /v1 API", url=url, status=status) from None
        result = parse(data, url)
        usage = data.get("usage") if isinstance(data, dict) else None
        tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
        return result, tokens if isinstance(tokens, int) else None


def _parse_models(data: Any, url: str) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise MalformedResponse(f"{url} answered without a 'data' list of models", url=url)
    return [m for m in data["data"] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def _server_message(response: httpx.Response) -> str:
    """The server's error text: OpenAI's {"error": {"message"}}, vLLM's {"message"}, or the raw body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if data.get("message"):
            return str(data["message"])[:300]
    return str(data)[:300]


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
