"""Typed errors of the OpenAI-compatible backend; each message names the fix.

Callers catch `BackendError` for "this request did not produce a completion"; the subclasses say
why. Only `retryable` errors are retried by the client (rate limits, server errors, time-outs,
dropped connections, malformed bodies); authentication and bad requests fail at once.
"""

from __future__ import annotations


class BackendError(RuntimeError):
    """A request to an OpenAI-compatible server ended without a completion."""

    retryable = False

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class BackendAuthError(BackendError):
    """401/403: the key is missing, wrong, or lacks access. Never retried."""


class BackendRequestError(BackendError):
    """4xx other than auth and rate limits: the request itself is wrong (model name, parameter)."""


class BackendRateLimited(BackendError):
    """429 after every retry, or a Retry-After longer than the time left."""

    retryable = True


class BackendServerError(BackendError):
    """5xx (or 408/409) after every retry."""

    retryable = True


class BackendTimeout(BackendError):
    """No response within the per-request time-out, on every attempt."""

    retryable = True


class BackendConnectionError(BackendError):
    """The connection was refused or dropped before a response arrived."""

    retryable = True


class MalformedResponse(BackendError):
    """The server answered 200 with a body that is not an OpenAI completion object."""

    retryable = True


class BackendUnavailable(BackendError):
    """Every server is failing: the circuit breaker is open on all base URLs."""


class BackendStalled(BackendUnavailable):
    """A server answers its health check but finished no request within the watchdog window."""

    retryable = True
