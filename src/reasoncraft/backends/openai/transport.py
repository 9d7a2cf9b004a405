"""One logical request, delivered or failed with a typed error: the retry loop of the backend.

`Transport.call` takes a request through these steps, all bounded by `request_deadline`, which
starts when the request gets its concurrency slot (queueing behind other requests is not counted):

1. pick the least-loaded base URL whose circuit breaker lets traffic through
   (`endpoints.pick_endpoint`); when all are open, wait for the first cooldown if it ends in time;
2. take the request's share of the requests-per-minute and tokens-per-minute budgets;
3. send, with `request_timeout` seconds for the attempt (raced with `asyncio.wait_for`, since
   httpx's read time-out is per chunk, not per response); the watchdog may cancel it;
4. on 408/409/429/5xx, a time-out, a dropped connection or a malformed body, record a failure on
   that base URL's breaker, wait (`limits.backoff_delay`, never less than the server's
   Retry-After) and go back to 1, at most `max_retries` times. 401/403 and other 4xx fail at once;
   after a 401/403 nothing more is sent in the same call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from .endpoints import Endpoint, Watchdog, pick_endpoint
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
from .keys import Secret, redact
from .limits import RateLimiter, backoff_delay, parse_retry_after

log = logging.getLogger("reasoncraft.backends.openai")

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
# A refused or dropped connection and a body that is not a completion rarely heal within a minute (issue #15: a
# mistyped URL cost ~65 s of retries): these get FAST_FAIL_RETRIES retries, FAST_FAIL_DELAY seconds apart at most.
FAST_FAILING = (BackendConnectionError, MalformedResponse)
FAST_FAIL_RETRIES = 2
FAST_FAIL_DELAY = 1.0
Parse = Callable[[Any, str], Any]  # (response JSON, url) -> result; raises MalformedResponse


class Transport:
    """Sends requests to a set of endpoints with retries, limits, breakers and a watchdog."""

    def __init__(
        self,
        endpoints: list[Endpoint],
        key: Secret | None,
        *,
        key_source: str,
        request_timeout: float,
        connect_timeout: float,
        request_deadline: float,
        max_retries: int,
        backoff_base: float,
        backoff_cap: float,
        limiter: RateLimiter,
        max_concurrency: int,
        watchdog_window: float | None,
        watchdog_interval: float | None,
        rng: random.Random,
    ):
        self.endpoints, self.key, self.key_source = endpoints, key, key_source
        self.request_timeout, self.connect_timeout = request_timeout, connect_timeout
        self.request_deadline, self.max_retries = request_deadline, max_retries
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.limiter, self.max_concurrency = limiter, max_concurrency
        self.watchdog_window, self.watchdog_interval = watchdog_window, watchdog_interval
        self.rng = rng
        self.auth_failure: BackendAuthError | None = None  # after a 401/403 nothing more is sent
        self._turn = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key.reveal()}"} if self.key else {}

    def session(self) -> _Session:
        """`async with transport.session() as client:` an httpx client, with the watchdog running."""
        return _Session(self)

    async def call(
        self, client: httpx.AsyncClient, method: str, path: str, body: dict | None, parse: Parse, estimate: int = 0
    ) -> Any:
        """Deliver one request (module doc); returns `parse(json, url)` or raises a `BackendError`."""
        deadline = time.monotonic() + self.request_deadline
        attempt = 0
        while True:
            endpoint = await self._endpoint(deadline)
            if body is not None:
                await self._acquire(estimate, deadline)
            try:
                result, usage = await self._attempt(client, endpoint, method, path, body, parse, deadline)
            except asyncio.CancelledError:
                endpoint.breaker.probing = False  # a cancelled half-open probe must not block the endpoint
                raise
            except (BackendAuthError, BackendRequestError):
                endpoint.breaker.record_success()  # the server is up; the request is what is wrong
                raise
            except BackendError as error:
                endpoint.breaker.record_failure()
                endpoint.last_error = str(error)
                delay = self._retry_delay(error, attempt, deadline)
                log.info(
                    "retry %d/%d of %s%s in %.2f s: %s", attempt + 1, self.max_retries, endpoint.api, path, delay, error
                )
                await asyncio.sleep(delay)
                attempt += 1
                continue
            endpoint.breaker.record_success()
            endpoint.stall_error = None
            if body is not None:
                self.limiter.settle(estimate, usage if usage is not None else estimate)
            return result

    def _retry_delay(self, error: BackendError, attempt: int, deadline: float) -> float:
        """Seconds to wait before the next attempt, or raise `error` (reworded) if there is none."""
        left = deadline - time.monotonic()
        retry_after = getattr(error, "retry_after", None)
        if attempt >= self.max_retries:
            raise _again(error, f"gave up after {attempt + 1} attempts; raise max_retries to try longer")
        if isinstance(error, FAST_FAILING) and attempt >= FAST_FAIL_RETRIES:
            raise _again(
                error,
                f"gave up after {attempt + 1} attempts: the server refuses connections or answers what is not an "
                "OpenAI completion; check that it is up and that the base URL is its /v1 API",
            )
        if isinstance(error, BackendStalled) and pick_endpoint(self.endpoints, 0) is None:
            raise error  # the only server(s) are wedged: waiting out the breaker would not help
        if retry_after is not None and retry_after > left:
            raise BackendRateLimited(
                f"{error}; the server asks to wait {retry_after:.1f} s but only {max(left, 0):.1f} s are left before "
                "request_deadline: lower requests_per_minute/tokens_per_minute or raise request_deadline",
                url=error.url,
                status=error.status,
            ) from error
        delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap, retry_after, self.rng)
        if isinstance(error, FAST_FAILING):
            delay = min(delay, FAST_FAIL_DELAY)
        if delay >= left:
            raise _again(
                error, f"request_deadline of {self.request_deadline:.1f} s reached after {attempt + 1} attempts"
            )
        return delay

    async def _acquire(self, estimate: int, deadline: float) -> None:
        try:
            await asyncio.wait_for(self.limiter.acquire(estimate), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise BackendRateLimited(
                f"the client-side limits (requests_per_minute, tokens_per_minute) leave no room for this request "
                f"({estimate} estimated tokens) before request_deadline; raise the limits or the deadline"
            ) from None

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
                details = "; ".join(
                    f"{e.root}: {e.breaker.failures} failures in a row, last: {e.last_error}" for e in self.endpoints
                )
                stalled = any(e.stall_error is not None for e in self.endpoints)
                raise (BackendStalled if stalled else BackendUnavailable)(
                    f"every server is failing and none recovers before the request deadline ({details}). "
                    "Check each with `curl <root>/health` and its logs; restart or remove dead base URLs."
                )
            await asyncio.sleep(wait)

    async def _attempt(
        self, client: httpx.AsyncClient, endpoint: Endpoint, method: str, path: str, body, parse: Parse, deadline: float
    ):
        """One HTTP exchange, raced against the attempt time-out; returns (parsed, total tokens used)."""
        url = endpoint.api + path
        if self.auth_failure is not None:  # another request of this call was refused: send no more
            raise self.auth_failure
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
                "generations, or check that the server is not overloaded",
                url=url,
            ) from None
        except asyncio.CancelledError:
            if task in endpoint.stalled and endpoint.stall_error is not None:  # the watchdog's doing
                raise BackendStalled(str(endpoint.stall_error), url=url) from None
            raise
        except httpx.TimeoutException:
            raise BackendTimeout(
                f"{url} timed out connecting or reading: is the server up and reachable?", url=url
            ) from None
        except httpx.TransportError as error:
            raise BackendConnectionError(
                f"{url}: connection failed or dropped ({type(error).__name__}): is the server running at this address?",
                url=url,
            ) from None
        finally:
            endpoint.attempts.discard(task)
            endpoint.stalled.discard(task)
            endpoint.in_flight -= 1
        endpoint.completed += 1
        return self._handle(response, url, parse)

    def _handle(self, response: httpx.Response, url: str, parse: Parse):
        status = response.status_code
        message = redact(_server_message(response), self.key)
        if status in (401, 403):
            self.auth_failure = BackendAuthError(
                f"{url} refused the request (HTTP {status}: {message}). Set the key the server expects "
                f"(`vllm serve --api-key ...`) in {self.key_source}; not retried.",
                url=url,
                status=status,
            )
            raise self.auth_failure
        if status in RETRY_STATUSES:
            kind = BackendRateLimited if status == 429 else BackendServerError
            error = kind(f"{url} answered HTTP {status}: {message}", url=url, status=status)
            error.retry_after = parse_retry_after(response.headers)  # type: ignore[attr-defined]
            raise error
        if status == 404:
            raise BackendRequestError(
                f"{url} answered 404 ({message}): check that the base URL ends in /v1 and that the model is served "
                "(GET /v1/models lists them)",
                url=url,
                status=status,
            )
        if status >= 400:
            raise BackendRequestError(
                f"{url} rejected the request (HTTP {status}: {message}); fix the named parameter",
                url=url,
                status=status,
            )
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse(
                f"{url} answered {status} with a body that is not JSON; retried, and if it persists check that the "
                "base URL is an OpenAI-compatible /v1 API",
                url=url,
                status=status,
            ) from None
        usage = data.get("usage") if isinstance(data, dict) else None
        tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
        return parse(data, url), tokens if isinstance(tokens, int) else None


class _Session:
    def __init__(self, transport: Transport):
        self.transport = transport

    async def __aenter__(self) -> httpx.AsyncClient:
        t = self.transport
        t.auth_failure = None
        self.client = httpx.AsyncClient(
            headers=t.headers(),
            timeout=httpx.Timeout(t.request_timeout, connect=t.connect_timeout),
            limits=httpx.Limits(max_connections=t.max_concurrency + 2 * len(t.endpoints)),
        )
        self.watchdog = None
        if t.watchdog_window is not None:
            self.watchdog = asyncio.ensure_future(
                Watchdog(t.endpoints, self.client, t.watchdog_window, t.watchdog_interval).run()
            )
        return self.client

    async def __aexit__(self, *exc) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            await asyncio.gather(self.watchdog, return_exceptions=True)
        await self.client.aclose()


def _again(error: BackendError, why: str) -> BackendError:
    """The same kind of error, its message extended with why no further attempt is made."""
    again = type(error)(f"{error} ({why})", url=error.url, status=error.status)
    again.__cause__ = error
    return again


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
