"""Pure parts of the OpenAI-compatible backend: backoff, Retry-After, buckets, breaker, wire format."""

from __future__ import annotations

import asyncio
import random

import pytest

from reasoncraft.backends import SamplingParams
from reasoncraft.backends.openai import BackendRequestError, MalformedResponse
from reasoncraft.backends.openai.endpoints import Endpoint, generation_tokens, pick_endpoint, split_base_url
from reasoncraft.backends.openai.keys import Secret, redact, resolve_api_key
from reasoncraft.backends.openai.limits import (
    CircuitBreaker,
    TokenBucket,
    backoff_delay,
    bucket_level,
    parse_retry_after,
)
from reasoncraft.backends.openai.wire import parse_response, request_body


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_backoff_is_full_jitter_under_a_doubling_capped_ceiling():
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(4.0, 0.25 * 2**attempt)  # the schedule written out by hand: .25 .5 1 2 4 4 4 4
        draws = [backoff_delay(attempt, 0.25, 4.0, None, rng) for _ in range(400)]
        assert all(0.0 <= d <= ceiling for d in draws)
        assert max(draws) > 0.8 * ceiling and min(draws) < 0.2 * ceiling  # spread over the whole range


def test_backoff_never_retries_before_retry_after():
    rng = random.Random(2)
    for attempt in range(6):
        d = backoff_delay(attempt, 0.5, 30.0, 3.0, rng)
        assert 3.0 <= d <= 3.0 + 0.35 + 1e-9


def test_parse_retry_after_forms():
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after": "0.5"}) == 0.5
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"}, now=1445412500.0) == 10.0
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({"Retry-After": "-3"}) == 0.0


def test_bucket_level_matches_a_step_by_step_refill():
    level = 3.0
    for _ in range(50):  # 50 steps of 0.1 s at 2 units/s, capacity 10
        level = min(10.0, level + 2.0 * 0.1)
    assert bucket_level(3.0, 10.0, 2.0, 5.0) == pytest.approx(level)


def test_token_bucket_waits_for_refill_and_settles_usage():
    clock = Clock()
    bucket = TokenBucket(60, clock)  # 1 unit/s, burst 60
    asyncio.run(bucket.acquire(60))
    assert bucket.wait_time(1) == pytest.approx(1.0)
    clock.now += 0.5
    assert bucket.wait_time(1) == pytest.approx(0.5)
    bucket.settle(reserved=10, actual=4)  # the request cost less than reserved: 6 come back
    assert bucket.level == pytest.approx(0.5 + 6)
    assert bucket.wait_time(1000) == pytest.approx(60 - 6.5)  # an oversized request waits for a full bucket


def test_token_bucket_paces_real_time():
    bucket = TokenBucket(1200)  # 20 per second
    bucket.level = 0.0

    async def take(k):
        for _ in range(k):
            await bucket.acquire(1)

    import time

    start = time.monotonic()
    asyncio.run(take(4))
    assert 0.15 <= time.monotonic() - start < 1.0  # 4 units at 20/s ~ 0.2 s


def test_circuit_breaker_state_machine():
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=10.0, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed" and breaker.allows()
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allows()
    assert breaker.seconds_until_probe() == pytest.approx(10.0)
    clock.now += 10.0
    assert breaker.state == "half-open" and breaker.allows()
    breaker.on_send()
    assert not breaker.allows()  # one probe at a time
    breaker.record_failure()  # the probe failed: open again for a full cooldown
    assert breaker.state == "open" and breaker.seconds_until_probe() == pytest.approx(10.0)
    clock.now += 10.0
    breaker.on_send()
    breaker.record_success()
    assert breaker.state == "closed" and breaker.failures == 0


def test_pick_endpoint_prefers_least_loaded_and_skips_open_breakers():
    eps = [Endpoint(*split_base_url(f"http://127.0.0.1:{p}/v1"), breaker=CircuitBreaker(1, 60)) for p in (1, 2, 3)]
    eps[0].in_flight, eps[1].in_flight, eps[2].in_flight = 2, 0, 0
    assert {pick_endpoint(eps, t).root for t in range(6)} == {eps[1].root, eps[2].root}  # ties rotate
    eps[1].breaker.record_failure()
    assert pick_endpoint(eps, 0) is eps[2]
    eps[2].breaker.record_failure()
    eps[0].breaker.record_failure()
    assert pick_endpoint(eps, 0) is None


def test_split_base_url_and_metrics():
    assert split_base_url("http://h:8000") == ("http://h:8000", "http://h:8000/v1")
    with pytest.raises(ValueError, match="http://host:port/v1"):
        split_base_url("localhost:8000")
    text = (
        '# HELP x\nvllm:generation_tokens_total{model_name="a"} 5.0\nvllm:generation_tokens_total{model_name="b"} 7\n'
    )
    assert generation_tokens(text) == 12.0
    assert generation_tokens("other 1\n") is None


def test_request_body_fields_per_flavour():
    s = SamplingParams(
        n=4, temperature=0.7, top_p=0.9, top_k=20, max_new_tokens=64, stop=("</answer>",), seed=5, logprobs=True
    )
    vllm = request_body("m", "2+2=", s, n=4, seed=5, flavour="vllm", want_logprobs=True)
    assert vllm == {
        "model": "m",
        "n": 4,
        "max_tokens": 64,
        "temperature": 0.7,
        "top_p": 0.9,
        "seed": 5,
        "stream": False,
        "prompt": "2+2=",
        "logprobs": 1,
        "stop": ["</answer>"],
        "top_k": 20,
        "return_token_ids": True,
        "return_tokens_as_token_ids": True,
    }
    chat = request_body(
        "m", [{"role": "user", "content": "hi"}], SamplingParams(), n=1, seed=0, flavour="openai", want_logprobs=True
    )
    assert chat["messages"] == [{"role": "user", "content": "hi"}] and chat["logprobs"] is True
    assert not {"top_k", "return_token_ids", "return_tokens_as_token_ids", "prompt"} & set(chat)


def test_parse_completions_with_token_ids_and_logprobs():
    data = {
        "choices": [
            {
                "index": 1,
                "text": "b",
                "finish_reason": "length",
                "token_ids": [3, 4],
                "prompt_token_ids": [9],
                "logprobs": {"tokens": ["token_id:3", "token_id:4"], "token_logprobs": [-0.5, -0.25]},
            },
            {
                "index": 0,
                "text": "a",
                "finish_reason": "stop",
                "logprobs": {"tokens": ["token_id:1"], "token_logprobs": [-1.0]},
            },
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 3},
    }
    parsed = parse_response(data, chat=False, url="u")
    assert [c.index for c in parsed.choices] == [0, 1]
    assert parsed.choices[0].token_ids == [1]  # from 'token_id:N' logprob tokens (older vLLM)
    assert parsed.choices[1].token_ids == [3, 4] and parsed.choices[1].logprobs == [-0.5, -0.25]
    assert [c.finish_reason for c in parsed.choices] == ["stop", "length"]
    assert parsed.prompt_tokens == 1 and parsed.prompt_token_ids == [9]


def test_parse_chat_counts_and_missing_per_choice_counts():
    one = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 9},
    }
    assert parse_response(one, chat=True, url="u").choices[0].completion_tokens == 9  # one choice: usage is its count
    two = {"choices": [dict(one["choices"][0], index=i) for i in range(2)], "usage": one["usage"]}
    assert all(c.completion_tokens is None for c in parse_response(two, chat=True, url="u").choices)
    lp = {"content": [{"token": "a", "logprob": -0.1}, {"token": "b", "logprob": -0.2}]}
    with_lp = {"choices": [dict(one["choices"][0], index=i, logprobs=lp) for i in range(2)], "usage": one["usage"]}
    assert [c.completion_tokens for c in parse_response(with_lp, chat=True, url="u").choices] == [2, 2]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"choices": []},
        {"choices": [{"index": 0, "text": 3, "finish_reason": "stop"}]},
        {"choices": [{"index": 0, "text": "a", "finish_reason": "abort"}]},
        {"choices": [{"index": 0, "finish_reason": "stop"}]},
    ],
)
def test_parse_rejects_malformed_bodies(body):
    with pytest.raises(MalformedResponse, match="not a completion"):
        parse_response(body, chat=False, url="http://x/v1/completions")


def test_content_filter_is_a_request_error():
    with pytest.raises(BackendRequestError, match="content_filter"):
        parse_response({"choices": [{"index": 0, "text": "", "finish_reason": "content_filter"}]}, chat=False, url="u")


def test_keys_from_env_or_file_and_redaction(tmp_path, monkeypatch):
    monkeypatch.setenv("RC_TEST_KEY", "sk-env-123")
    assert resolve_api_key("RC_TEST_KEY").reveal() == "sk-env-123"
    key_file = tmp_path / "key"
    key_file.write_text("sk-file-456\n")
    key_file.chmod(0o600)
    key = resolve_api_key("RC_TEST_KEY", key_file)
    assert key.reveal() == "sk-file-456" and "sk-file" not in repr(key) and "sk-file" not in str(key)
    assert redact("Bearer sk-file-456 rejected", key) == "Bearer *** rejected"
    monkeypatch.delenv("RC_TEST_KEY")
    assert resolve_api_key("RC_TEST_KEY") is None
    with pytest.raises(FileNotFoundError, match="first line"):
        resolve_api_key(None, tmp_path / "missing")
    assert isinstance(key, Secret)
    config = tmp_path / "openai.yaml"
    config.write_text("api_key: sk-yaml-789\nbase_url: http://127.0.0.1:8000/v1\n")
    assert resolve_api_key(None, config).reveal() == "sk-yaml-789"
    config.write_text("base_url: x\n")
    with pytest.raises(ValueError, match="no `api_key: ...` entry"):
        resolve_api_key(None, config)


def test_docstring_examples():
    import doctest

    from reasoncraft.backends.openai import endpoints, limits

    for module in (limits, endpoints):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
