"""Weight updates on the serving engines, for GRPO rollouts on a server (one call per training step).

Each method sends the engine's documented request to every base URL and returns one reply per
server; a refusal raises `BackendRequestError` naming the server flag that enables the endpoint.

* vLLM runtime LoRA: `POST /v1/load_lora_adapter {"lora_name", "lora_path"}` and
  `POST /v1/unload_lora_adapter {"lora_name"}`. The server must run with `--enable-lora` (and
  `--max-lora-rank` at least the adapter's rank) and the environment variable
  `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`. A loaded adapter is sampled by using its name as the
  model: `load_lora_adapter(..., use=True)` switches this backend to it.
* SGLang full weights: `POST /update_weights_from_disk {"model_path", "load_format"?}` on the
  server root (not under /v1); the reply is `{"success": bool, "message": str}`. The new weights
  must have the served model's architecture.
"""

from __future__ import annotations

from typing import Any

import httpx

from .errors import BackendConnectionError, BackendRequestError
from .keys import redact


class WeightUpdates:
    """Mixed into `OpenAIBackend`; uses its `endpoints`, `_key`, `request_timeout` and `model`."""

    def _post_all(self, url_of, body: dict[str, Any], fix: str) -> list[Any]:
        headers = {"Authorization": f"Bearer {self._key.reveal()}"} if self._key else {}
        replies = []
        with httpx.Client(headers=headers, timeout=self.request_timeout) as client:
            for endpoint in self.endpoints:
                url = url_of(endpoint)
                try:
                    response = client.post(url, json=body)
                except httpx.TransportError as error:
                    raise BackendConnectionError(
                        f"{url}: {type(error).__name__}; is the server running?", url=url
                    ) from None
                text = redact(response.text[:500], self._key)
                if response.status_code >= 400:
                    raise BackendRequestError(
                        f"{url} refused the weight update (HTTP {response.status_code}: {text}). {fix}",
                        url=url,
                        status=response.status_code,
                    )
                try:
                    replies.append(response.json())
                except ValueError:
                    replies.append(text)  # vLLM answers the LoRA endpoints in plain text
        return replies

    def load_lora_adapter(
        self, lora_name: str, lora_path: str, *, use: bool = True, load_inplace: bool = False
    ) -> list[Any]:
        """Load a LoRA adapter (a PEFT folder on the servers' disk) into every vLLM server.

        `use=True` makes later `generate` calls sample from it (the model name becomes `lora_name`).
        `load_inplace=True` replaces an adapter already loaded under that name (newer vLLM versions).
        """
        body: dict[str, Any] = {"lora_name": lora_name, "lora_path": lora_path}
        if load_inplace:
            body["load_inplace"] = True
        fix = (
            "Start vLLM with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, and check that "
            "lora_path exists on the server and the adapter's rank fits --max-lora-rank."
        )
        replies = self._post_all(lambda e: e.api + "/load_lora_adapter", body, fix)
        if use:
            self.base_model = getattr(self, "base_model", None) or self.model
            self.model = lora_name
        return replies

    def unload_lora_adapter(self, lora_name: str) -> list[Any]:
        """Unload an adapter from every vLLM server; sampling returns to the base model if it was in use."""
        fix = "Start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True; the name must be a loaded adapter."
        replies = self._post_all(lambda e: e.api + "/unload_lora_adapter", {"lora_name": lora_name}, fix)
        if self.model == lora_name and getattr(self, "base_model", None):
            self.model = self.base_model
        return replies

    def update_weights_from_disk(self, model_path: str, *, load_format: str | None = None) -> list[Any]:
        """Reload every SGLang server's weights from `model_path` (a checkpoint folder on the servers' disk)."""
        body: dict[str, Any] = {"model_path": model_path}
        if load_format is not None:
            body["load_format"] = load_format
        fix = (
            "The endpoint is SGLang's; model_path must be a checkpoint of the served architecture, "
            "readable by the server."
        )
        replies = self._post_all(lambda e: e.root + "/update_weights_from_disk", body, fix)
        for endpoint, reply in zip(self.endpoints, replies, strict=True):
            if isinstance(reply, dict) and reply.get("success") is False:
                raise BackendRequestError(
                    f"{endpoint.root} could not load {model_path}: {reply.get('message')}. {fix}", url=endpoint.root
                )
        return replies
