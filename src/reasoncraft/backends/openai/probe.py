"""A quick look at a server before a run relies on it: does it answer `GET /v1/models` as an OpenAI server does?

`probe(base_url)` spends at most `timeout` seconds (5 by default) per URL and raises the typed error of what
it found, with the fix in the message: nothing listening (`BackendConnectionError`), no answer in time
(`BackendTimeout`), a key needed (`BackendAuthError`), an HTML page, a body that is not JSON or JSON of another
shape (`MalformedResponse`: usually a URL that points at something else), or a server error. The commands call it
before anything loads, so a mistyped URL costs seconds, not a minute of retries and a traceback.
"""

from __future__ import annotations

import json

import httpx

from .endpoints import split_base_url
from .errors import BackendAuthError, BackendConnectionError, BackendServerError, BackendTimeout, MalformedResponse
from .keys import resolve_api_key

PROBE_TIMEOUT = 5.0


def _headers(api_key_env: str | None) -> dict[str, str]:
    key = resolve_api_key(api_key_env)
    return {"Authorization": f"Bearer {key.reveal()}"} if key else {}


def probe(base_url: str, *, api_key_env: str | None = "OPENAI_API_KEY", timeout: float = PROBE_TIMEOUT) -> list[str]:
    """The ids of the models the server at `base_url` serves; a `BackendError` naming the fix if it cannot say."""
    _, api = split_base_url(base_url)
    url = f"{api}/models"
    try:
        response = httpx.get(url, headers=_headers(api_key_env), timeout=timeout)
    except httpx.TimeoutException:
        raise BackendTimeout(
            f"{url} did not answer within {timeout:.0f} s: check that the server is up and --base-url", url=url
        ) from None
    except httpx.HTTPError as exc:
        raise BackendConnectionError(
            f"cannot reach {api} ({type(exc).__name__}): start the server or fix --base-url", url=url
        ) from None
    if response.status_code in (401, 403):
        raise BackendAuthError(
            f"{url} answered {response.status_code}: the server needs an API key (set OPENAI_API_KEY)",
            url=url,
            status=response.status_code,
        )
    if response.status_code >= 400:
        raise BackendServerError(
            f"{url} answered HTTP {response.status_code}: check the server's log, or that --base-url is its /v1 URL",
            url=url,
            status=response.status_code,
        )
    kind = response.headers.get("content-type", "")
    text = response.text
    if "html" in kind or text.lstrip()[:1] == "<":
        raise MalformedResponse(
            f"{url} answered with an HTML page, not JSON: --base-url should be the OpenAI-compatible API "
            "(e.g. http://host:8000/v1)",
            url=url,
        )
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        raise MalformedResponse(
            f"{url} answered with something that is not JSON ({text[:40]!r}): is --base-url an OpenAI-compatible "
            "server?",
            url=url,
        ) from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(m, dict) and "id" in m for m in data):
        raise MalformedResponse(
            f"{url} answered JSON without a list of models under 'data': is --base-url an OpenAI-compatible server?",
            url=url,
        )
    return [str(m["id"]) for m in data]
