"""Pacing and protection for requests to remote servers: backoff, Retry-After, rate limits, breaker.

The math is pure functions (`backoff_delay`, `parse_retry_after`, `bucket_level`) so it can be
tested without a server; the small stateful classes wrap them with a clock that tests can replace.

* Backoff is "full jitter" (a uniform draw in [0, min(cap, base * 2**attempt)]), which spreads
  retries of many clients better than a fixed exponential schedule. A server's Retry-After is a
  floor: the client never retries sooner than asked.
* Rate limits are token buckets: requests per minute and tokens per minute, both refilled
  continuously. A request reserves its estimated tokens before it is sent and settles the
  difference when the server reports its usage.
* The circuit breaker opens after `threshold` consecutive failures of one base URL, refuses it for
  `cooldown` seconds, then lets one probe through (half-open); a success closes it again.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable, Mapping

# --- pure functions ---------------------------------------------------------------------------------


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait before retry number `attempt` (0 = first retry).

    Full jitter below the exponential ceiling; a server's Retry-After is honoured as a floor.

    >>> backoff_delay(0, 0.5, 8.0, None, random.Random(0)) <= 0.5
    True
    >>> backoff_delay(3, 0.5, 8.0, 2.0, random.Random(0)) >= 2.0
    True
    """
    ceiling = min(cap, base * (2**attempt))
    jitter = rng.uniform(0.0, ceiling)
    if retry_after is None:
        return jitter
    # Honour the server, plus a small spread so that many clients told "1 s" do not return together.
    return retry_after + rng.uniform(0.0, min(ceiling, 0.1 * retry_after + 0.05))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a server asked us to wait: `retry-after-ms`, `Retry-After` in seconds, or an HTTP date.

    >>> parse_retry_after({"retry-after": "2"})
    2.0
    >>> parse_retry_after({"retry-after-ms": "250"})
    0.25
    >>> parse_retry_after({}) is None
    True
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def bucket_level(level: float, capacity: float, rate_per_s: float, elapsed_s: float) -> float:
    """A token bucket's level after `elapsed_s` seconds of refilling at `rate_per_s`, capped.

    >>> bucket_level(0.0, 60.0, 1.0, 10.0)
    10.0
    >>> bucket_level(55.0, 60.0, 1.0, 10.0)
    60.0
    """
    return min(capacity, level + rate_per_s * max(0.0, elapsed_s))


def estimate_tokens(prompt_chars: int, max_new_tokens: int, n: int) -> int:
    """Tokens a request may cost, for the tokens-per-minute budget: ~4 characters per prompt token."""
    return prompt_chars // 4 + 1 + max_new_tokens * n


# --- rate limiter -----------------------------------------------------------------------------------


class TokenBucket:
    """`per_minute` units per minute with a burst of one minute's worth; `acquire` waits for room."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic):
        if per_minute <= 0:
            raise ValueError(f"a rate limit must be > 0 per minute: got {per_minute}")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.level = self.capacity
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = bucket_level(self.level, self.capacity, self.rate, now - self.stamp)
        self.stamp = now

    def wait_time(self, amount: float) -> float:
        """Seconds until `amount` units are available (0 if now). Asking more than the capacity
        waits for a full bucket: one oversized request may pass, and then the bucket runs negative."""
        self._refill()
        need = min(amount, self.capacity)
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    async def acquire(self, amount: float) -> None:
        # No lock: the check and the debit run without an await between them, so on one event loop
        # they are atomic; a lock would bind the bucket to one loop and `generate` makes a loop per call.
        while (delay := self.wait_time(amount)) > 0:
            await asyncio.sleep(delay)
        self.level -= amount

    def settle(self, reserved: float, actual: float) -> None:
        """Give back (or take) the difference between a reservation and what the server reported."""
        self._refill()
        self.level = min(self.capacity, self.level + reserved - actual)


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits (either may be None: unlimited)."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.requests = TokenBucket(rpm, clock) if rpm else None
        self.tokens = TokenBucket(tpm, clock) if tpm else None

    async def acquire(self, estimated_tokens: int) -> None:
        if self.requests is not None:
            await self.requests.acquire(1)
        if self.tokens is not None:
            await self.tokens.acquire(estimated_tokens)

    def settle(self, estimated_tokens: int, actual_tokens: int) -> None:
        if self.tokens is not None:
            self.tokens.settle(estimated_tokens, actual_tokens)


# --- circuit breaker --------------------------------------------------------------------------------


class CircuitBreaker:
    """closed -> (threshold consecutive failures) -> open -> (cooldown) -> half-open -> closed/open."""

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic):
        if threshold < 1:
            raise ValueError(f"breaker_threshold must be >= 1 consecutive failures: got {threshold}")
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False  # a half-open probe is in flight

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.cooldown else "open"

    def allows(self) -> bool:
        """Whether a request may go out now (in half-open state, only one probe at a time)."""
        state = self.state
        return state == "closed" or (state == "half-open" and not self.probing)

    def seconds_until_probe(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.opened_at + self.cooldown - self.clock())

    def on_send(self) -> None:
        if self.state == "half-open":
            self.probing = True

    def record_success(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def record_failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at = self.clock()  # (re)open; a failed probe restarts the cooldown
        self.probing = False

    def trip(self) -> None:
        """Open at once (the watchdog found the server stalled)."""
        self.failures = max(self.failures, self.threshold)
        self.opened_at, self.probing = self.clock(), False
