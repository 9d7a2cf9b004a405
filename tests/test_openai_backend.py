"""The OpenAI-compatible backend against a fake server on 127.0.0.1 that injects failures.

Every test starts its own `FakeOpenAIServer` on an ephemeral port; time-outs are fractions of a
second so the whole file runs in seconds.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_openai_server import FakeOpenAIServer, fake_sample  # noqa: E402
from reasoncraft.backends import Backend, Completion, SamplingParams  # noqa: E402
from reasoncraft.backends.openai import (  # noqa: E402
    BackendAuthError,
    BackendError,
    BackendRateLimited,
    BackendRequestError,
    BackendStalled,
    BackendTimeout,
    BackendUnavailable,
    MalformedResponse,
    OpenAIBackend,
    backend_from_url,
)

FAST = dict(
    request_timeout=0.4,
    connect_timeout=0.4,
    max_retries=3,
    backoff_base=0.02,
    backoff_cap=0.1,
    request_deadline=3.0,
    breaker_threshold=1000,
    watchdog_window=None,
    api_key_env=None,
)


@pytest.fixture
def server():
    with FakeOpenAIServer(hang_limit=5.0, max_lifetime=60.0) as s:
        yield s


def texts(results):
    return [[c.text for c in row] if isinstance(row, list) else type(row).__name__ for row in results]


def test_acceptance_every_request_ends_once_in_a_completion_or_a_typed_error(server):
    prompts = [f"problem {i}: what is {i} + {i}?" for i in range(10)]
    server.inject(prompts[1], "429", "429")  # no Retry-After
    server.inject(prompts[2], "429:0.3")  # Retry-After: 0.3 s
    server.inject(prompts[3], "500", "503")
    server.inject(prompts[4], "hang")
    server.inject(prompts[5], "drop", "partial")
    server.inject(prompts[6], "malformed")
    server.inject(prompts[7], "badshape", "408")
    server.inject(prompts[8], "hang", "hang", "hang", "hang")  # hangs on every attempt
    server.inject(prompts[9], "malformed", "malformed", "malformed", "malformed")  # never a valid body
    backend = OpenAIBackend(server.base_url, **FAST)
    sampling = SamplingParams(n=2, max_new_tokens=64, seed=11)

    start = time.monotonic()
    results = backend.generate_results(prompts, sampling)
    elapsed = time.monotonic() - start

    assert elapsed < FAST["request_deadline"] + 1.0  # every request ended within its deadline
    assert isinstance(results[8], BackendTimeout) and "request_timeout" in str(results[8])
    assert isinstance(results[9], MalformedResponse) and "not JSON" in str(results[9])
    for i in range(8):  # the rest: exactly the completions a clean server gives, in prompt order
        assert [c.text for c in results[i]] == [fake_sample(prompts[i], 11 + j) for j in range(2)]
        assert [c.sample_index for c in results[i]] == [0, 1]
        successes = [r for r in server.requests_for(prompts[i]) if r["fault"] is None]
        assert len(successes) == 1, f"prompt {i} was answered {len(successes)} times"
    attempts = [len(server.requests_for(p)) for p in prompts]
    # 4 = the first attempt and max_retries=3; a body that is never valid gets 2 retries (transport.FAST_FAIL_RETRIES)
    assert attempts == [1, 3, 2, 3, 2, 3, 2, 3, 4, 3]
    retry_gap = [r["time"] for r in server.requests_for(prompts[2])]
    assert retry_gap[1] - retry_gap[0] >= 0.3  # Retry-After honoured


def test_generate_raises_the_typed_error_naming_how_many_failed(server):
    server.inject("bad", *["500"] * 10)
    backend = OpenAIBackend(server.base_url, max_retries=1, **{k: v for k, v in FAST.items() if k != "max_retries"})
    with pytest.raises(BackendError, match=r"1 of 2 prompts failed .*HTTP 500.*gave up after 2 attempts"):
        backend.generate(["good", "bad"], SamplingParams(max_new_tokens=8))


def test_401_is_reported_at_once_and_not_retried():
    with FakeOpenAIServer(api_key="right-key") as server:
        backend = OpenAIBackend(server.base_url, "fake-model", flavour="vllm", max_concurrency=1, **FAST)
        start = time.monotonic()
        with pytest.raises(BackendAuthError, match="refused the request .HTTP 401.*not retried"):
            backend.generate([f"p{i}" for i in range(5)], SamplingParams(max_new_tokens=8))
        assert time.monotonic() - start < 1.0
        assert server.unauthorized == 1 and server.log == []  # one request, no retry, no other sent


def test_injected_401_mid_batch_stops_the_batch(server):
    prompts = [f"q{i}" for i in range(6)]
    server.inject(prompts[0], "401")
    backend = OpenAIBackend(server.base_url, max_concurrency=2, **FAST)
    with pytest.raises(BackendAuthError):
        backend.generate_results(prompts, SamplingParams(max_new_tokens=8))
    assert len(server.requests_for(prompts[0])) == 1


def test_api_key_never_appears_in_logs_errors_or_reprs(server, monkeypatch, caplog, tmp_path):
    secret = "sk-test-DO-NOT-LEAK-8842"
    monkeypatch.setenv("RC_FAKE_KEY", secret)
    caplog.set_level(logging.DEBUG)
    server.inject("echo", "401echo")
    backend = backend_from_url(
        server.base_url, None, api_key_env="RC_FAKE_KEY", **{k: v for k, v in FAST.items() if k != "api_key_env"}
    )
    with pytest.raises(BackendAuthError) as caught:
        backend.generate(["echo"], SamplingParams(max_new_tokens=8))
    assert "invalid key Bearer ***" in str(caught.value)  # the server echoed it; we scrubbed it
    server.inject("flaky", "500", "429")
    backend.generate(["flaky"], SamplingParams(max_new_tokens=8))  # retries are logged
    assert "retry" in caplog.text
    for text in (caplog.text, str(caught.value), repr(caught.value), repr(backend), str(vars(backend))):
        assert secret not in text
    key_file = tmp_path / "key.txt"
    key_file.write_text(secret + "\n")
    key_file.chmod(0o600)
    from_file = OpenAIBackend(server.base_url, api_key_file=str(key_file), **FAST)
    assert secret not in repr(from_file) and secret not in str(vars(from_file))


def test_native_n_equals_one_request_per_seeded_sample(server):
    prompts = ["a text prompt", [{"role": "user", "content": "a chat prompt"}]]
    sampling = SamplingParams(n=3, max_new_tokens=64, seed=7, logprobs=True)
    native = OpenAIBackend(server.base_url, **FAST).generate(prompts, sampling)
    repeated = OpenAIBackend(server.base_url, native_n=False, **FAST).generate(prompts, sampling)
    assert native == repeated
    seeds = sorted(r["seed"] for r in server.log if r["n"] == 1)
    assert seeds == [7, 7, 8, 8, 9, 9]
    c = native[0][1]
    assert c.token_ids == list(fake_sample("a text prompt", 8).encode()) and c.completion_tokens == len(c.token_ids)
    assert len(c.logprobs) == len(c.token_ids) and c.prompt_tokens == len("a text prompt")
    assert native[1][0].prompt_token_ids  # chat: top-level prompt_token_ids (vLLM return_token_ids)


def test_older_vllm_without_return_token_ids_gives_ids_through_logprobs():
    with FakeOpenAIServer(reject_fields=("return_token_ids",)) as server:
        backend = OpenAIBackend(server.base_url, **FAST)
        [[a, b]] = backend.generate(["old"], SamplingParams(n=2, max_new_tokens=64))
        assert a.token_ids == list(fake_sample("old", 0).encode()) and b.token_ids == list(
            fake_sample("old", 1).encode()
        )
        assert a.logprobs is None  # asked for internally, not returned to a caller who did not ask
        bodies = [r["body"] for r in server.log]
        assert (
            "return_token_ids" in bodies[0]
            and "return_token_ids" not in bodies[1]
            and bodies[1]["return_tokens_as_token_ids"]
        )


def test_server_without_n_support_is_topped_up_with_seeded_requests():
    with FakeOpenAIServer(supports_n=False) as server:
        results = OpenAIBackend(server.base_url, **FAST).generate(["p"], SamplingParams(n=3, seed=4, max_new_tokens=64))
        assert [c.text for c in results[0]] == [fake_sample("p", 4 + i) for i in range(3)]
        assert [(r["n"], r["seed"]) for r in server.log] == [(3, 4), (1, 5), (1, 6)]


def test_hosted_openai_flavour_sends_only_openai_fields():
    with FakeOpenAIServer(flavour="openai") as server:  # rejects unknown fields with 400
        backend = OpenAIBackend(server.base_url, **FAST)
        results = backend.generate(["p", [{"role": "user", "content": "c"}]], SamplingParams(n=2, max_new_tokens=30))
        assert backend.flavour == "openai"
        for row in results:
            assert all(c.token_ids == [] and c.logprobs is None for c in row)  # none returned; none asked
            assert all(c.completion_tokens > 0 for c in row)  # counted from logprobs asked for internally
        with pytest.raises(BackendRequestError, match="top_k"):
            backend.generate(["p2"], SamplingParams(top_k=5))
        assert len(server.requests_for("p2")) == 1  # a 400 is not retried


def test_stop_strings_and_token_limit(server):
    backend = OpenAIBackend(server.base_url, **FAST)
    stopped, limited = backend.generate(["s", "l"], SamplingParams(max_new_tokens=64, stop=("answer",)))
    assert stopped[0].finish_reason == "stop" and stopped[0].text == fake_sample("s", 0).split("answer")[0]
    [short] = backend.generate(["l"], SamplingParams(max_new_tokens=5))[0]
    assert short.finish_reason == "length" and short.completion_tokens == 5 and short.text == fake_sample("l", 0)[:5]


def test_backend_from_url_takes_a_comma_separated_list(server):
    backend = backend_from_url(f"{server.base_url},{server.root}", "fake-model", api_key_env=None, watchdog_window=None)
    assert [e.api for e in backend.endpoints] == [server.base_url, server.base_url]
    assert backend.generate([], SamplingParams()) == [] and server.log == []


def test_concurrency_limit_is_respected():
    with FakeOpenAIServer(latency=0.1) as server:
        backend = OpenAIBackend(server.base_url, max_concurrency=3, **{k: v for k, v in FAST.items()})
        results = backend.generate([f"c{i}" for i in range(12)], SamplingParams(max_new_tokens=8))
        assert len(results) == 12 and server.max_in_flight == 3


def test_load_is_spread_and_a_dead_base_url_is_routed_around():
    with FakeOpenAIServer(latency=0.02) as one, FakeOpenAIServer(latency=0.02) as two:
        backend = OpenAIBackend([one.base_url, two.root], "fake-model", flavour="vllm", max_concurrency=4, **FAST)
        prompts = [f"s{i}" for i in range(24)]
        results = backend.generate(prompts, SamplingParams(max_new_tokens=64))
        assert [r[0].text for r in results] == [fake_sample(p, 0) for p in prompts]
        # both servers take a real share (a quarter or more: the split moves with scheduling on a loaded machine)
        assert min(len(one.log), len(two.log)) >= 6 and len(one.log) + len(two.log) == 24
    with FakeOpenAIServer() as alive:
        dead = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
        options = {**FAST, "breaker_threshold": 2, "breaker_cooldown": 30.0}
        backend = OpenAIBackend([dead, alive.base_url], "fake-model", flavour="vllm", **options)
        results = backend.generate([f"d{i}" for i in range(10)], SamplingParams(max_new_tokens=8))
        assert len(alive.log) == 10 and all(len(r) == 1 for r in results)
        assert backend.endpoints[0].breaker.state == "open"


def test_circuit_breaker_fails_fast_when_the_only_server_keeps_failing(server):
    prompts = [f"f{i}" for i in range(6)]
    for p in prompts:
        server.inject(p, *["500"] * 10)
    options = {**FAST, "breaker_threshold": 3, "breaker_cooldown": 20.0, "max_concurrency": 1}
    backend = OpenAIBackend(server.base_url, "fake-model", flavour="vllm", **options)
    start = time.monotonic()
    results = backend.generate_results(prompts, SamplingParams(max_new_tokens=8))
    assert time.monotonic() - start < 2.0  # no waiting out the 20 s cooldown
    assert all(isinstance(r, BackendUnavailable) for r in results[1:])
    assert "curl <root>/health" in str(results[-1])
    assert len(server.log) == 3  # the breaker stopped the traffic after 3 failures in a row


def test_watchdog_detects_a_server_that_is_healthy_but_makes_no_progress():
    with FakeOpenAIServer(hang_limit=10) as stuck:
        stuck.stalled = True
        options = {
            **FAST,
            "request_timeout": 30.0,
            "request_deadline": 60.0,
            "watchdog_window": 0.4,
            "watchdog_interval": 0.1,
            "breaker_cooldown": 60.0,
        }
        backend = OpenAIBackend(stuck.base_url, "fake-model", flavour="vllm", **options)
        start = time.monotonic()
        results = backend.generate_results(["x", "y"], SamplingParams(max_new_tokens=8))
        assert time.monotonic() - start < 3.0
        assert all(isinstance(r, BackendStalled) for r in results)
        assert "answers /health but finished no request" in str(results[0])
        with FakeOpenAIServer() as healthy:  # with a second server, the stalled one's work moves there
            backend = OpenAIBackend([stuck.base_url, healthy.base_url], "fake-model", flavour="vllm", **options)
            results = backend.generate([f"w{i}" for i in range(4)], SamplingParams(max_new_tokens=64))
            assert [r[0].text for r in results] == [fake_sample(f"w{i}", 0) for i in range(4)]


def test_watchdog_leaves_a_slow_server_alone_while_its_token_counter_moves():
    with FakeOpenAIServer(latency=1.0) as slow:  # each request takes 1 s, longer than the window
        options = {
            **FAST,
            "request_timeout": 5.0,
            "request_deadline": 10.0,
            "watchdog_window": 0.4,
            "watchdog_interval": 0.1,
        }
        backend = OpenAIBackend(slow.base_url, "fake-model", flavour="vllm", **options)
        [[c]] = backend.generate(["slow"], SamplingParams(max_new_tokens=64))
        assert c.text == fake_sample("slow", 0) and len(slow.log) == 1


def test_breaker_recovers_through_a_half_open_probe(server):
    server.inject("r", "500", "500")
    options = {**FAST, "breaker_threshold": 2, "breaker_cooldown": 0.3, "max_retries": 3}
    backend = OpenAIBackend(server.base_url, "fake-model", flavour="vllm", **options)
    start = time.monotonic()
    [[c]] = backend.generate(["r"], SamplingParams(max_new_tokens=64))
    times = [r["time"] for r in server.requests_for("r")]
    assert c.text == fake_sample("r", 0) and len(times) == 3
    assert times[2] - times[1] >= 0.3 - 0.05  # the probe waited out the cooldown
    assert backend.endpoints[0].breaker.state == "closed" and time.monotonic() - start < 2.0


def test_per_attempt_timeout_and_a_retry_after_beyond_the_deadline(server):
    server.inject("h", "hang")
    backend = OpenAIBackend(server.base_url, "fake-model", flavour="vllm", **{**FAST, "max_retries": 0})
    start = time.monotonic()
    [error] = backend.generate_results(["h"], SamplingParams())
    assert isinstance(error, BackendTimeout) and 0.35 <= time.monotonic() - start < 1.0
    server.inject("slowdown", "429:30")
    start = time.monotonic()
    [error] = OpenAIBackend(server.base_url, "fake-model", flavour="vllm", **FAST).generate_results(
        ["slowdown"], SamplingParams()
    )
    assert (
        isinstance(error, BackendRateLimited)
        and "asks to wait 30.0 s" in str(error)
        and "request_deadline" in str(error)
    )
    assert time.monotonic() - start < 1.0 and len(server.requests_for("slowdown")) == 1


def test_token_budget_is_settled_with_reported_usage(server):
    backend = OpenAIBackend(server.base_url, tokens_per_minute=600, requests_per_minute=1000, **FAST)
    [[c]] = backend.generate(["u"], SamplingParams(max_new_tokens=500))
    spent = 600 - backend.limiter.tokens.level  # refill at 10 tokens/s is negligible here
    assert spent == pytest.approx(c.prompt_tokens + c.completion_tokens, abs=2)  # not the 500-token estimate
    assert 1000 - backend.limiter.requests.level == pytest.approx(1, abs=0.1)


def test_unknown_model_is_a_request_error_naming_the_fix(server):
    backend = OpenAIBackend(server.base_url, "no-such-model", flavour="vllm", **FAST)
    with pytest.raises(BackendRequestError, match="no-such-model.*ends in /v1"):
        backend.generate(["m"], SamplingParams())
    assert len(server.log) == 1


def test_sync_generate_works_inside_a_running_event_loop(server):
    backend = OpenAIBackend(server.base_url, **FAST)
    assert isinstance(backend, Backend)

    async def notebook_cell():
        return backend.generate(["loop"], SamplingParams(max_new_tokens=8))

    assert asyncio.run(notebook_cell())[0][0].text == fake_sample("loop", 0)[:8]


def test_vllm_lora_adapter_load_use_unload(server, tmp_path):
    backend = OpenAIBackend(server.base_url, **FAST)
    backend.generate(["base"], SamplingParams(max_new_tokens=4))
    replies = backend.load_lora_adapter("step-10", str(tmp_path))
    assert "added successfully" in replies[0] and server.loras == {"step-10": str(tmp_path)}
    backend.generate(["lora"], SamplingParams(max_new_tokens=4))
    assert server.requests_for("lora")[0]["model"] == "step-10"
    with pytest.raises(BackendRequestError, match="already been loaded"):
        backend.load_lora_adapter("step-10", str(tmp_path))
    backend.load_lora_adapter("step-10", str(tmp_path), load_inplace=True)
    backend.unload_lora_adapter("step-10")
    assert server.loras == {} and backend.model == "fake-model"
    with FakeOpenAIServer(allow_runtime_lora=False) as plain:
        with pytest.raises(BackendRequestError, match="VLLM_ALLOW_RUNTIME_LORA_UPDATING=True"):
            OpenAIBackend(plain.base_url, "fake-model", **FAST).load_lora_adapter("a", str(tmp_path))


def test_sglang_update_weights_from_disk(tmp_path):
    with FakeOpenAIServer(flavour="sglang") as server:
        backend = OpenAIBackend(server.base_url, **FAST)
        [reply] = backend.update_weights_from_disk(str(tmp_path))
        assert reply["success"] is True and server.weights_path == str(tmp_path)
        with pytest.raises(BackendRequestError, match="could not load|refused the weight update"):
            backend.update_weights_from_disk(str(tmp_path / "missing"))
        [[c]] = backend.generate(["g"], SamplingParams(max_new_tokens=6, top_k=4))
        assert backend.flavour == "sglang" and c.token_ids == [] and c.completion_tokens == 6


def test_replay_through_the_server_reproduces_hf_completions_exactly():
    pytest.importorskip("torch")
    from reasoncraft.backends.hf import HFBackend
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama")
    hf = HFBackend(model, tokenizer, model_id="tiny")
    prompts = ["What is 12 + 7?", [{"role": "user", "content": "What is 3 * 4?"}]]
    sampling = SamplingParams(n=3, temperature=1.0, max_new_tokens=12, seed=3, logprobs=True)
    expected = hf.generate(prompts, sampling)
    with FakeOpenAIServer(replay_seed_base=sampling.seed) as server:
        server.replay(prompts, expected)
        for native_n in (True, False):
            got = OpenAIBackend(server.base_url, native_n=native_n, **FAST).generate(prompts, sampling)
            assert [[c.to_dict() for c in row] for row in got] == [[c.to_dict() for c in row] for row in expected]
    assert all(isinstance(c, Completion) for row in expected for c in row)
