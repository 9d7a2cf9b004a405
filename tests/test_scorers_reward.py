"""Model-based rewards (scorers/reward.py): an ORM and an LLM judge under the reward contract, alone and
inside GRPO steps; judge failures are counted as reward failures, never scored 0."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from fake_openai_server import FakeOpenAIServer  # noqa: E402
from reasoncraft.backends.openai import BackendAuthError, backend_from_url  # noqa: E402
from reasoncraft.config import ConfigError  # noqa: E402
from reasoncraft.prompts import render  # noqa: E402
from reasoncraft.rewards import RewardFailure, is_failure  # noqa: E402
from reasoncraft.scorers import LLMJudge, SequenceClassificationORM, StepTagPRM  # noqa: E402
from reasoncraft.scorers.reward import (  # noqa: E402
    build_reward_model,
    load_orm,
    parse_reward_models,
    scorer_reward,
)
from reasoncraft.tasks import get_task  # noqa: E402
from reasoncraft.testing import tiny_classifier, tiny_model, tiny_tokenizer  # noqa: E402
from reasoncraft.train.grpo import RewardFailureRateExceeded, train_grpo  # noqa: E402
from reasoncraft.train.grpo_config import GRPOConfig  # noqa: E402

QUESTIONS = ["What is 12 + 7?", "What is 3 + 4?", "What is 5 + 5?"]
SOLUTIONS = ["12 + 7 = 19. Answer: 19", "3 + 4 = 8", "5 + 5 = 10, so the answer is 10"]


def even_length(solution: str) -> bool:
    """The fake judge's rule, shared with the reference reward below."""
    return len(solution) % 2 == 0


class JudgeServer(FakeOpenAIServer):
    """The fake OpenAI-compatible server as a judge: "Yes" when the solution has an even number of
    characters, "No" otherwise; its first `fail_first` generation requests answer 500."""

    def __init__(self, fail_first: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.fail_first, self.requests = fail_first, 0

    async def _generate(self, chat, body, headers, writer):
        with self._lock:
            self.requests += 1
            fail = self.requests <= self.fail_first
        if fail:
            return await self._send(writer, 500, {"error": {"message": "injected 500", "code": 500}})
        return await super()._generate(chat, body, headers, writer)

    def _samples(self, key, body):
        prompt = json.loads(key)[-1]["content"]
        solution = prompt.split("\n\nSolution: ", 1)[1].rsplit("\n\nIs the solution correct?", 1)[0]
        verdict = "Yes" if even_length(solution) else "No"
        return [
            {
                "text": verdict,
                "token_ids": list(verdict.encode()),
                "finish_reason": "stop",
                "logprobs": None,
                "prompt_token_ids": [1, 2, 3],
            }
        ] * body.get("n", 1)


def judge_entry(server, **extra):
    return {
        "kind": "judge",
        "base_url": server.base_url,
        "model": server.model,
        "max_retries": 0,
        "request_timeout": 5.0,
        "api_key_env": None,
        **extra,
    }


def tiny_orm_folder(tmp_path) -> Path:
    model, tokenizer = tiny_classifier("sequence", 1)
    folder = tmp_path / "orm"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# --- the adapter ------------------------------------------------------------------------------------


def test_orm_reward_equals_one_at_a_time_forward_passes(tmp_path):
    orm = load_orm(str(tiny_orm_folder(tmp_path)), device="cpu", batch_size=2)
    model, tokenizer = orm.model, orm.tokenizer
    reward = scorer_reward(orm, "orm")
    got = reward(SOLUTIONS, question=QUESTIONS, answer=["19", "7", "10"])
    for question, solution, value in zip(QUESTIONS, SOLUTIONS, got):  # reference: unpadded, one sequence
        chat = [{"role": "user", "content": question}, {"role": "assistant", "content": solution}]
        ids = tokenizer.encode(tokenizer.apply_chat_template(chat, tokenize=False), add_special_tokens=False)
        with torch.no_grad():
            expected = model(torch.tensor([ids])).logits[0, 0].item()
        assert value == pytest.approx(expected, abs=1e-5)
    squashed = scorer_reward(SequenceClassificationORM(model, tokenizer, batch_size=8), "orm", sigmoid=True)(
        SOLUTIONS, question=QUESTIONS
    )
    assert squashed == pytest.approx([1 / (1 + torch.exp(torch.tensor(-v)).item()) for v in got])
    # TRL passes the prompts (chat messages) instead of a question field
    prompts = [[{"role": "system", "content": "Think."}, {"role": "user", "content": q}] for q in QUESTIONS]
    assert reward(SOLUTIONS, prompts=prompts) == pytest.approx(got)
    with pytest.raises(TypeError, match="question"):
        reward(SOLUTIONS)
    with pytest.raises(ValueError, match="2 questions for 3"):
        reward(SOLUTIONS, question=QUESTIONS[:2])


def test_orm_folder_with_several_labels_is_refused(tmp_path):
    from transformers import Qwen2Config, Qwen2ForSequenceClassification

    tokenizer = tiny_tokenizer()
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        num_labels=2,
    )
    Qwen2ForSequenceClassification(config).save_pretrained(tmp_path / "two")
    tokenizer.save_pretrained(tmp_path / "two")
    with pytest.raises(ValueError, match="one logit"):
        load_orm(str(tmp_path / "two"), device="cpu")


def test_prm_reward_aggregates_step_scores(tmp_path):
    model, tokenizer = tiny_model("llama")
    tokenizer.add_special_tokens({"additional_special_tokens": ["ки"]})
    model.resize_token_embeddings(len(tokenizer))
    model.save_pretrained(tmp_path / "prm")
    tokenizer.save_pretrained(tmp_path / "prm")
    entry = {
        "kind": "prm",
        "model": str(tmp_path / "prm"),
        "aggregation": "min",
        "step_delimiter": "\n",
        "device": "cpu",
    }
    reward = build_reward_model(parse_reward_models([entry])[0])
    solutions = ["12 + 7 = 19\nAnswer: 19", "3 + 4 = 8\nso 4 + 3 = 7\nAnswer: 7", "10"]
    steps = [s.split("\n") for s in solutions]
    reference = [min(scores) for scores in StepTagPRM(model, tokenizer, batch_size=8).score_steps(QUESTIONS, steps)]
    assert reward(solutions, question=QUESTIONS) == pytest.approx(reference, abs=1e-5)
    assert all(0 < v < 1 for v in reference)


def test_judge_reward_scores_and_isolates_a_failed_request(caplog):
    with JudgeServer() as server:
        reward = build_reward_model(parse_reward_models([judge_entry(server)])[0])
        assert reward(SOLUTIONS, question=QUESTIONS) == [float(even_length(s)) for s in SOLUTIONS]
        # one request fails (500, no retries): that completion fails, the others are scored
        server.inject(render("judge", question=QUESTIONS[1], solution=SOLUTIONS[1]), "500")
        with caplog.at_level(logging.WARNING, logger="reasoncraft.scorers.reward"):
            values = reward(SOLUTIONS, question=QUESTIONS)
        assert values[0] == float(even_length(SOLUTIONS[0])) and values[2] == float(even_length(SOLUTIONS[2]))
        assert is_failure(values[1]) and "BackendServerError" in values[1].reason and values[1] != 0.0
        assert "1 of 3 judge requests failed" in caplog.text


def test_in_process_judge_from_a_model_folder(tmp_path):
    model, tokenizer = tiny_model("llama")
    model.save_pretrained(tmp_path / "judge")
    tokenizer.save_pretrained(tmp_path / "judge")
    entry = {"kind": "judge", "model": str(tmp_path / "judge"), "max_new_tokens": 4, "undecided": 0.25}
    reward = build_reward_model(parse_reward_models([entry])[0])
    values = reward(SOLUTIONS, question=QUESTIONS)
    # a random model's replies are rarely a clean yes or no: each value is a verdict or `undecided`
    assert len(values) == 3 and all(v in (0.0, 1.0, 0.25) for v in values)


def test_judge_without_per_request_results_fails_the_whole_call():
    with JudgeServer() as server:
        backend = backend_from_url(server.base_url, server.model, api_key_env=None, max_retries=0)
        reward = scorer_reward(LLMJudge(backend), "judge")  # the backend's generate raises for the batch
        server.inject(render("judge", question=QUESTIONS[0], solution=SOLUTIONS[0]), "500")
        values = reward(SOLUTIONS, question=QUESTIONS)
        assert all(is_failure(v) for v in values)
    # a server that is gone: every completion is a failure too, not a 0
    values = reward(SOLUTIONS, question=QUESTIONS)
    assert all(isinstance(v, RewardFailure) for v in values)


def test_a_wrong_key_is_raised_not_counted(monkeypatch):
    monkeypatch.delenv("RC_TEST_JUDGE_KEY", raising=False)
    with JudgeServer(api_key="sekrit") as server:
        reward = build_reward_model(parse_reward_models([judge_entry(server, api_key_env="RC_TEST_JUDGE_KEY")])[0])
        with pytest.raises(BackendAuthError):
            reward(SOLUTIONS, question=QUESTIONS)


# --- the config entry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, message",
    [
        ("judge", "each entry is a mapping"),
        ({"kind": "rm", "model": "x"}, "kind must be one of orm, prm, judge"),
        ({"kind": "judge", "base_url": "http://h/v1", "wieght": 2}, "did you mean 'weight'"),
        ({"kind": "orm"}, "an orm needs model"),
        ({"kind": "orm", "model": "no-such-folder"}, "not a known reward model"),
        ({"kind": "judge"}, "needs base_url"),
        ({"kind": "orm", "model": "m/x", "base_url": "http://h/v1"}, "'base_url' does not apply to kind orm"),
        ({"kind": "judge", "model": "m/x", "max_retries": 1}, "set base_url too"),
        ({"kind": "judge", "base_url": "h:8000/v1"}, "must start with http"),
        ({"kind": "judge", "base_url": "http://h/v1", "n": 4}, "set temperature > 0"),
        ({"kind": "judge", "base_url": "http://h/v1", "template": "nope"}, "nope"),
        ({"kind": "orm", "model": "m/x", "batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"kind": "orm", "model": "m/x", "aggregation": "min"}, "'aggregation' does not apply to kind orm"),
        ({"kind": "prm", "model": "m/x", "aggregation": "mean"}, "unknown step-score aggregation 'mean'"),
        ({"kind": "orm", "model": "m/x", "weight": "high"}, "weight must be a number"),
    ],
)
def test_config_entries_are_checked_with_a_fix(entry, message):
    with pytest.raises(ConfigError, match=message) as info:
        GRPOConfig(reward_models=[entry])
    assert "reward_models[0]" in str(info.value)


def test_config_names_weights_and_round_trip(tmp_path):
    from reasoncraft.config import load_config, save_config

    config = GRPOConfig(
        rewards=["accuracy", "format"],
        reward_weights=[1.0, 0.5],
        reward_models=[
            {"kind": "judge", "base_url": "http://127.0.0.1:1/v1", "weight": 0.25},
            {"kind": "orm", "model": "owner/rm", "name": "rm", "sigmoid": True},
        ],
    )
    assert config.reward_names == ["accuracy", "format", "judge", "rm"]
    assert config.weights == [1.0, 0.5, 0.25, 1.0]
    again = load_config(GRPOConfig, save_config(config, tmp_path / "config.yaml"))
    assert again.reward_models == config.reward_models and again.reward_models[1]["batch_size"] == 8
    with pytest.raises(ConfigError, match="unique"):
        GRPOConfig(reward_models=[{"kind": "orm", "model": "a/b"}, {"kind": "orm", "model": "c/d"}])


# --- in GRPO steps ----------------------------------------------------------------------------------


def grpo_config(tmp_path, **overrides):
    values = dict(
        model="tiny",
        steps=2,
        batch_size=8,
        num_generations=4,
        micro_batch_size=8,
        max_completion_length=6,
        learning_rate=1e-2,
        eval_problems=0,
        out_dir=str(tmp_path / "run"),
        save_model=False,
        log_samples_steps=0,
        num_threads=1,
    )
    values.update(overrides)
    return GRPOConfig(**values)


def grpo(config, reward, name):
    model, tok = tiny_model("llama")
    summary = train_grpo(
        config, model=model, tokenizer=tok, task=get_task("arith-sum-2d"), reward_fns=[reward], log=lambda m: None
    )
    rows = [json.loads(line) for line in (Path(config.out_dir) / "metrics.jsonl").read_text().splitlines()]
    return model, summary, rows


def reference_even(completions, **fields):
    return [float(even_length(c)) for c in completions]


def test_grpo_step_with_an_orm_reward_from_the_config(tmp_path):
    folder = tiny_orm_folder(tmp_path)
    config = grpo_config(
        tmp_path,
        rewards=["even"],
        reward_models=[{"kind": "orm", "model": str(folder), "weight": 0.5, "device": "cpu"}],
    )
    model0, _ = tiny_model("llama")
    model, _, rows = grpo(config, reference_even, "even")
    for row in rows:  # the total is the weighted sum of the components (no reward is None here)
        assert row["reward"] == pytest.approx(row["reward/even"] + 0.5 * row["reward/orm"], abs=1e-5)
        assert row["reward_failures"] == 0
    assert len({round(row["reward/orm"], 6) for row in rows}) == 2  # scored on each step's new samples
    assert any(not torch.equal(a, b) for a, b in zip(model0.parameters(), model.parameters()))


def test_grpo_with_a_judge_reward_counts_a_failed_request(tmp_path):
    with JudgeServer(fail_first=1) as server:
        config = grpo_config(tmp_path, rewards=["even"], reward_models=[judge_entry(server)])
        _, _, rows = grpo(config, reference_even, "even")
    first, second = rows
    assert first["reward_failures"] == 1 and first["dropped_failed_groups"] == 1  # counted, group dropped
    assert first["groups_trained"] == 1
    assert second["reward_failures"] == 0 and second["reward/judge"] == second["reward/even"]
    assert server.requests == 2 * 8  # one judge request per completion per step


def test_grpo_aborts_when_the_judge_is_down(tmp_path):
    with JudgeServer(fail_first=10**6) as server:
        config = grpo_config(tmp_path, rewards=["even"], reward_models=[judge_entry(server)])
        with pytest.raises(RewardFailureRateExceeded, match="8 of 16 reward calls failed"):
            grpo(config, reference_even, "even")
