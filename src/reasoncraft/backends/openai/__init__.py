"""Any OpenAI-compatible server (vLLM, SGLang, hosted APIs) as a reasoncraft backend.

    >>> from reasoncraft.backends.openai import backend_from_url            # doctest: +SKIP
    >>> backend = backend_from_url("http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-Math-1.5B")  # doctest: +SKIP

Files: `client.py` (the backend: what to ask for, completions out), `transport.py` (delivering one
request: retries, deadline, status codes), `wire.py` (request and response fields),
`limits.py` (backoff, Retry-After, rate limits, circuit breaker), `endpoints.py` (load spreading
and the throughput watchdog), `weights.py` (LoRA and weight-update endpoints), `keys.py` (API keys),
`errors.py` (the typed errors).
"""

from .client import OpenAIBackend, backend_from_url
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

__all__ = [
    "OpenAIBackend",
    "backend_from_url",
    "BackendError",
    "BackendAuthError",
    "BackendConnectionError",
    "BackendRateLimited",
    "BackendRequestError",
    "BackendServerError",
    "BackendStalled",
    "BackendTimeout",
    "BackendUnavailable",
    "MalformedResponse",
]
