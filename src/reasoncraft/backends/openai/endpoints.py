"""Base URLs as endpoints: load spreading, per-server circuit breakers, and the throughput watchdog.

Several servers (one vLLM per GPU or node) share one client. Each request goes to the endpoint
with the fewest requests in flight whose breaker lets it through, so a slow or failing server
gets less work and a dead one gets none until its cooldown ends.

The watchdog catches what neither a time-out nor a health check catches: a server that answers
`/health` but has stopped generating (a wedged scheduler, a stuck collective). Every `interval`
seconds it looks at each endpoint with requests in flight; progress is a finished request or a
rise in the server's own generated-token counter (`vllm:generation_tokens_total`,
`sglang:generation_tokens_total` on `/metrics`), so a server slowly working through 30k-token
reasoning traces is not mistaken for a stalled one. After `window` seconds without progress the
endpoint's breaker is tripped and its in-flight attempts are cancelled with `BackendStalled`;
the retry loop then sends them elsewhere, or fails them if no other server is left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import BackendStalled
from .limits import CircuitBreaker

log = logging.getLogger("reasoncraft.backends.openai")

_TOKEN_COUNTERS = ("vllm:generation_tokens_total", "sglang:generation_tokens_total")


def split_base_url(url: str) -> tuple[str, str]:
    """(root, api): 'http://h:8000/v1' and 'http://h:8000' both give ('http://h:8000', 'http://h:8000/v1').

    The OpenAI endpoints live under the api URL; /health, /metrics and SGLang's weight updates under the root.

    >>> split_base_url("http://127.0.0.1:8000/v1/")
    ('http://127.0.0.1:8000', 'http://127.0.0.1:8000/v1')
    """
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URL must look like http://host:port/v1: got {url!r}")
    if url.endswith("/v1"):
        return url[: -len("/v1")], url
    return url, url + "/v1"


def generation_tokens(metrics_text: str) -> float | None:
    """The server's total generated tokens from Prometheus text, summed over label sets; None if absent.

    >>> generation_tokens('vllm:generation_tokens_total{model_name="m"} 12.0\\n')
    12.0
    """
    total, found = 0.0, False
    for line in metrics_text.splitlines():
        if line.startswith(_TOKEN_COUNTERS):
            try:
                total += float(line.rsplit(None, 1)[-1])
                found = True
            except ValueError:
                continue
    return total if found else None


@dataclass(eq=False)
class Endpoint:
    root: str
    api: str
    breaker: CircuitBreaker
    in_flight: int = 0
    completed: int = 0
    sent: int = 0
    last_error: str | None = None
    attempts: set = field(default_factory=set)  # asyncio tasks of attempts in flight
    stalled: set = field(default_factory=set)  # those the watchdog cancelled
    stall_error: BackendStalled | None = None


def pick_endpoint(endpoints: list[Endpoint], turn: int) -> Endpoint | None:
    """The open-for-traffic endpoint with the fewest requests in flight; `turn` breaks ties in rotation."""
    allowed = [e for e in endpoints if e.breaker.allows()]
    if not allowed:
        return None
    size = len(endpoints)
    return min(allowed, key=lambda e: (e.in_flight, (endpoints.index(e) - turn) % size))


class Watchdog:
    """Cancels the attempts of an endpoint that made no progress for `window` seconds (see module doc)."""

    def __init__(self, endpoints: list[Endpoint], client, window: float, interval: float | None = None):
        self.endpoints = endpoints
        self.client = client
        self.window = window
        self.interval = interval if interval is not None else max(0.05, min(5.0, window / 4))
        self._progress: dict[int, tuple[float, int, float | None]] = {}  # id -> (time, completed, tokens)

    async def _probe(self, url: str) -> tuple[bool, str]:
        try:
            response = await self.client.get(url, timeout=min(5.0, self.window))
            return response.status_code == 200, response.text
        except Exception:  # noqa: BLE001 - any failure means "no answer"
            return False, ""

    async def check(self) -> None:
        now = time.monotonic()
        for endpoint in self.endpoints:
            key = id(endpoint)
            if endpoint.in_flight == 0:
                self._progress.pop(key, None)
                continue
            ok, text = await self._probe(endpoint.root + "/metrics")
            tokens = generation_tokens(text) if ok else None
            seen = self._progress.get(key)
            if seen is None or endpoint.completed != seen[1] or (tokens is not None and tokens != seen[2]):
                self._progress[key] = (now, endpoint.completed, tokens)
                continue
            if now - seen[0] < self.window:
                continue
            healthy, _ = await self._probe(endpoint.root + "/health")
            state = "answers /health but" if healthy else "does not answer /health and"
            error = BackendStalled(
                f"server {endpoint.root} {state} finished no request and generated no token in "
                f"{self.window:.1f} s with {endpoint.in_flight} in flight: it is wedged or overloaded. "
                "Restart it, lower max_concurrency, or raise watchdog_window if generations are very long.",
                url=endpoint.root,
            )
            log.warning("%s", error)
            endpoint.stall_error = error
            endpoint.last_error = str(error)
            endpoint.breaker.trip()
            for task in list(endpoint.attempts):
                endpoint.stalled.add(task)
                task.cancel()
            self._progress.pop(key, None)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.check()
