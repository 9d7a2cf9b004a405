"""A fake OpenAI-compatible server for tests: vLLM's, SGLang's or OpenAI's wire format on 127.0.0.1.

It answers `/v1/completions`, `/v1/chat/completions`, `/v1/models`, `/health`, `/metrics`, vLLM's
`/v1/load_lora_adapter` and `/v1/unload_lora_adapter`, and SGLang's `/update_weights_from_disk`,
with three test levers:

* faults, per prompt and attempt: `server.inject(prompt, "429", "429:0.2", "500", "hang", "drop",
  "partial", "malformed", "badshape", "401", "401echo", "400")` makes the prompt's next requests
  fail in that order (a number after the colon of 429/503 is the Retry-After header in seconds;
  "drop" closes the connection before answering, "partial" in the middle of the body, "401echo"
  echoes the Authorization header back in the error, as a careless server might);
* replay: `server.replay(prompts, completions)` makes it answer each prompt's sample i with the
  given completion (text, token ids, logprobs, finish reason, prompt token ids), so that a run
  through the OpenAI backend can be compared field by field with the run that produced them;
* stall: `server.stalled = True` keeps `/health` answering while generation requests never finish.

Without a replay, sample i of a request with seed s is a deterministic function of (prompt, s + i),
tokenised one byte per token, so n samples in one request equal n one-sample requests with seeds
s, s+1, ...; stop strings and max_tokens are applied as a real server would.

Bounded by construction: it listens on loopback only, serves at most `max_requests_per_connection`
requests per connection, drops idle connections after `idle_timeout`, ends a "hang" after
`hang_limit` seconds, and shuts itself down after `max_lifetime` seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
OPENAI_FIELDS = {
    "model",
    "prompt",
    "messages",
    "n",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "seed",
    "stop",
    "stream",
    "logprobs",
    "top_logprobs",
    "user",
    "presence_penalty",
    "frequency_penalty",
}


def prompt_key(prompt: Any) -> str:
    """The key faults and replays are stored under: the text, or the messages as canonical JSON."""
    return prompt if isinstance(prompt, str) else json.dumps([dict(m) for m in prompt], sort_keys=True)


def fake_sample(key: str, sample_id: int) -> str:
    digest = hashlib.sha256(f"{key}|{sample_id}".encode()).hexdigest()
    return f"Sample {sample_id}: thinking... the answer is {int(digest[:6], 16) % 100}. Done."


class FakeOpenAIServer:
    def __init__(
        self,
        *,
        model: str = "fake-model",
        flavour: str = "vllm",
        api_key: str | None = None,
        supports_n: bool = True,
        latency: float = 0.0,
        allow_runtime_lora: bool = True,
        max_lifetime: float = 120.0,
        hang_limit: float = 30.0,
        idle_timeout: float = 10.0,
        max_requests_per_connection: int = 10_000,
        replay_seed_base: int = 0,
        reject_fields: tuple = (),
    ):
        assert flavour in ("vllm", "sglang", "openai")
        self.model, self.flavour, self.api_key = model, flavour, api_key
        self.supports_n, self.latency, self.allow_runtime_lora = supports_n, latency, allow_runtime_lora
        self.max_lifetime, self.hang_limit, self.idle_timeout = max_lifetime, hang_limit, idle_timeout
        self.max_requests_per_connection, self.replay_seed_base = max_requests_per_connection, replay_seed_base
        self.reject_fields = set(reject_fields)  # fields answered with 400, as older vLLM's strict schema did
        self.stalled = False
        self.faults: dict[str, list[str]] = {}
        self.replays: dict[str, list[dict]] = {}
        self.log: list[dict] = []  # one entry per generation request
        self.loras: dict[str, str] = {}
        self.weights_path: str | None = None
        self.generated_tokens = 0
        self.unauthorized = 0  # requests refused for a wrong or missing key
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # -- control from the test -------------------------------------------------------------------------

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root + "/v1"

    def inject(self, prompt: Any, *faults: str) -> None:
        with self._lock:
            self.faults.setdefault(prompt_key(prompt), []).extend(faults)

    def replay(self, prompts: Sequence[Any], completions: Sequence[Sequence[Any]]) -> None:
        """Answer sample i of prompts[k] with completions[k][i] (a `Completion` or its dict)."""
        for prompt, samples in zip(prompts, completions, strict=True):
            self.replays[prompt_key(prompt)] = [asdict(c) if is_dataclass(c) else dict(c) for c in samples]

    def requests_for(self, prompt: Any) -> list[dict]:
        with self._lock:
            return [r for r in self.log if r["key"] == prompt_key(prompt)]

    def start(self) -> FakeOpenAIServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the server loop -------------------------------------------------------------------------------

    def _serve(self, ready: threading.Event) -> None:
        async def main():
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                await asyncio.wait_for(self._stop.wait(), self.max_lifetime)
            except asyncio.TimeoutError:
                pass
            server.close()
            await server.wait_closed()

        asyncio.run(main())

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(self.max_requests_per_connection):
                try:
                    line = await asyncio.wait_for(reader.readline(), self.idle_timeout)
                except asyncio.TimeoutError:
                    break
                if not line:
                    break
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                if not await self._dispatch(method, path, headers, body, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:  # the server is shutting down with this request in progress
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    @staticmethod
    async def _send(writer, status: int, payload: Any, headers: dict | None = None, raw: bytes | None = None) -> bool:
        body = (
            raw if raw is not None else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        )
        ctype = "text/plain" if isinstance(payload, str) else "application/json"
        lines = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
            f"Content-Type: {ctype}",
            f"Content-Length: {len(body)}",
            "Connection: keep-alive",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        return True

    async def _dispatch(self, method: str, path: str, headers: dict, raw: bytes, writer) -> bool:
        if path == "/health":
            return await self._send(writer, 200, "")
        if path == "/metrics":
            text = f'vllm:generation_tokens_total{{model_name="{self.model}"}} {float(self.generated_tokens)}\n'
            return await self._send(writer, 200, text)
        authorized = self.api_key is None or headers.get("authorization") == f"Bearer {self.api_key}"
        if not authorized:
            with self._lock:
                self.unauthorized += 1
            return await self._send(writer, 401, {"error": "Unauthorized"})
        body = json.loads(raw) if raw else {}
        if path == "/v1/models" and method == "GET":
            owner = {"vllm": "vllm", "sglang": "sglang", "openai": "system"}[self.flavour]
            data = [{"id": self.model, "object": "model", "owned_by": owner, "root": self.model}]
            data += [
                {"id": n, "object": "model", "owned_by": owner, "root": p, "parent": self.model}
                for n, p in self.loras.items()
            ]
            return await self._send(writer, 200, {"object": "list", "data": data})
        if path in ("/v1/load_lora_adapter", "/v1/unload_lora_adapter", "/update_weights_from_disk"):
            return await self._weights(path, body, writer)
        if path in ("/v1/completions", "/v1/chat/completions") and method == "POST":
            return await self._generate(path.endswith("chat/completions"), body, headers, writer)
        return await self._send(writer, 404, {"detail": "Not Found"})

    async def _weights(self, path: str, body: dict, writer) -> bool:
        if path == "/update_weights_from_disk":
            if self.flavour != "sglang":
                return await self._send(writer, 404, {"detail": "Not Found"})
            if not os.path.exists(body.get("model_path", "")):
                return await self._send(
                    writer, 400, {"success": False, "message": f"Failed to load {body.get('model_path')}: no such path"}
                )
            self.weights_path = body["model_path"]
            return await self._send(
                writer,
                200,
                {"success": True, "message": "Succeeded to update model weights.", "num_paused_requests": 0},
            )
        if self.flavour != "vllm" or not self.allow_runtime_lora:
            return await self._send(writer, 404, {"detail": "Not Found"})
        name = body.get("lora_name")
        if path.endswith("/load_lora_adapter"):
            if name in self.loras and not body.get("load_inplace"):
                return await self._send(
                    writer,
                    400,
                    {"error": {"message": f"The lora adapter '{name}' has already been loaded.", "code": 400}},
                )
            self.loras[name] = body.get("lora_path")
            return await self._send(writer, 200, f"Success: LoRA adapter '{name}' added successfully.")
        if name not in self.loras:
            return await self._send(
                writer, 404, {"error": {"message": f"The lora adapter '{name}' cannot be found.", "code": 404}}
            )
        del self.loras[name]
        return await self._send(writer, 200, f"Success: LoRA adapter '{name}' removed successfully.")

    # -- generation ------------------------------------------------------------------------------------

    async def _generate(self, chat: bool, body: dict, headers: dict, writer) -> bool:
        prompt = body.get("messages") if chat else body.get("prompt")
        key = prompt_key(prompt)
        with self._lock:
            queue = self.faults.get(key)
            fault = queue.pop(0) if queue else None
            self.log.append(
                {
                    "key": key,
                    "fault": fault,
                    "n": body.get("n", 1),
                    "seed": body.get("seed"),
                    "model": body.get("model"),
                    "time": time.monotonic(),
                    "body": body,
                }
            )
        if self.stalled or fault == "hang":
            try:
                await asyncio.wait_for(self._stop.wait(), self.hang_limit)
            except asyncio.TimeoutError:
                pass
            return False  # close without an answer
        if fault == "drop":
            writer.transport.abort()
            return False
        if fault == "partial":  # headers promise a body that never fully arrives
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"id": ')
            await writer.drain()
            writer.transport.abort()
            return False
        if fault == "malformed":
            return await self._send(writer, 200, {}, raw=b'{"id": "cmpl-1", "choices": [{"text": "tru')
        if fault == "badshape":
            return await self._send(writer, 200, {"id": "cmpl-1", "object": "text_completion", "result": "?"})
        if fault == "401echo":  # a careless server that echoes the credentials it got
            return await self._send(writer, 401, {"error": {"message": f"invalid key {headers.get('authorization')}"}})
        if fault is not None:
            status, _, after = fault.partition(":")
            extra = {"Retry-After": after} if after else {}
            return await self._send(
                writer, int(status), {"error": {"message": f"injected {status}", "code": int(status)}}, headers=extra
            )
        if rejected := sorted(self.reject_fields & set(body)):
            detail = [
                {"type": "extra_forbidden", "loc": ["body", rejected[0]], "msg": "Extra inputs are not permitted"}
            ]
            return await self._send(
                writer, 400, {"object": "error", "message": json.dumps(detail), "type": "BadRequestError", "code": 400}
            )
        if self.flavour == "openai" and (unknown := sorted(set(body) - OPENAI_FIELDS)):
            return await self._send(
                writer, 400, {"error": {"message": f"Unrecognized request argument supplied: {unknown[0]}"}}
            )
        if body.get("model") != self.model and body.get("model") not in self.loras:
            return await self._send(
                writer, 404, {"error": {"message": f"The model `{body.get('model')}` does not exist.", "code": 404}}
            )
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            waited = 0.0
            while waited < self.latency:  # "generating": the token counter on /metrics moves meanwhile
                await asyncio.sleep(min(0.05, self.latency - waited))
                waited += 0.05
                self.generated_tokens += 1
            payload = self._response(chat, key, body)
        except KeyError as missing:
            return await self._send(writer, 400, {"error": {"message": f"no replay for {missing}"}})
        finally:
            with self._lock:
                self.in_flight -= 1
        return await self._send(writer, 200, payload)

    def _samples(self, key: str, body: dict) -> list[dict]:
        n = body.get("n", 1) if self.supports_n else 1
        seed = body.get("seed") or 0
        stops = body.get("stop") or []
        stops = [stops] if isinstance(stops, str) else stops
        out = []
        for i in range(n):
            if key in self.replays:
                index = seed - self.replay_seed_base + i
                if not 0 <= index < len(self.replays[key]):
                    raise KeyError(f"sample {index}")
                out.append(dict(self.replays[key][index]))
                continue
            full = fake_sample(key, seed + i).encode()
            ids, finish = list(full), "stop"
            for k in range(1, len(full) + 1):
                text = full[:k].decode()
                hit = min((text.find(s) for s in stops if s in text), default=-1)
                if hit >= 0:
                    ids, finish = list(full[:k]), "stop"
                    full = text[:hit].encode()
                    break
                if k == body.get("max_tokens", 10**9):
                    ids, finish, full = list(full[:k]), "length", full[:k]
                    break
            out.append(
                {
                    "text": full.decode(),
                    "token_ids": ids,
                    "finish_reason": finish,
                    "logprobs": [-0.01 * (t % 7 + 1) for t in ids],
                    "prompt_token_ids": list(key.encode())[:64],
                }
            )
        return out

    def _response(self, chat: bool, key: str, body: dict) -> dict:
        samples = self._samples(key, body)
        as_ids = self.flavour == "vllm" and body.get("return_tokens_as_token_ids")
        token_ids = self.flavour == "vllm" and body.get("return_token_ids")
        prompt_ids = samples[0].get("prompt_token_ids") or []
        choices = []
        for i, s in enumerate(samples):
            ids, lps = s.get("token_ids") or [], s.get("logprobs")
            tokens = [f"token_id:{t}" if as_ids else chr(t % 128) for t in ids]
            if chat:
                choice = {
                    "index": i,
                    "message": {"role": "assistant", "content": s["text"]},
                    "finish_reason": s["finish_reason"],
                    "logprobs": {
                        "content": [
                            {"token": tok, "logprob": lp, "bytes": [], "top_logprobs": []}
                            for tok, lp in zip(tokens, lps)
                        ]
                    }
                    if body.get("logprobs") and lps is not None
                    else None,
                }
            else:
                choice = {
                    "index": i,
                    "text": s["text"],
                    "finish_reason": s["finish_reason"],
                    "stop_reason": None,
                    "logprobs": {
                        "tokens": tokens,
                        "token_logprobs": lps,
                        "top_logprobs": [{} for _ in ids],
                        "text_offset": list(range(len(ids))),
                    }
                    if body.get("logprobs") and lps is not None
                    else None,
                }
                if token_ids:
                    choice["prompt_token_ids"] = prompt_ids
            if token_ids:
                choice["token_ids"] = ids
            choices.append(choice)
        completion_tokens = sum(len(s.get("token_ids") or []) for s in samples)
        prompt_tokens = samples[0].get("prompt_tokens") or len(prompt_ids)
        self.generated_tokens += completion_tokens
        response = {
            "id": "cmpl-fake",
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if chat and token_ids:
            response["prompt_token_ids"] = prompt_ids
        return response


if __name__ == "__main__":  # `python tests/fake_openai_server.py [MINUTES]`: serve, to try the docs' server commands
    import sys

    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    with FakeOpenAIServer(max_lifetime=minutes * 60) as fake:
        print(f"{fake.base_url} serves {fake.model!r} for {minutes:g} minutes (Ctrl-C ends it)", flush=True)
        try:
            fake._thread.join()
        except KeyboardInterrupt:
            pass
