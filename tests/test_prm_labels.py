"""Step labels without humans (data/step_labels.py): Monte Carlo labels from a rollout policy whose success rate
from each step prefix is known match the expected hard and soft labels; rollouts are scored on prefix plus
continuation; a rerun draws nothing; verifier labels follow the arithmetic checker; labelling one prefix per
backend call gives the same labels as batching prefixes, on a fake policy and on a tiny random model."""

from __future__ import annotations

import json
import re

import pytest

from fake_openai_server import FakeOpenAIServer
from helpers import ScriptedBackend, seeded_unit
from reasoncraft.backends import HFBackend
from reasoncraft.backends.base import SamplingParams
from reasoncraft.backends.openai import OpenAIBackend
from reasoncraft.data.step_labels import (
    StepLabelConfig,
    make_step_labels,
    mc_labels,
    read_labels,
    run_step_labels,
    verifier_labels,
)
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_model

TASK = get_task("arith-sum-2d")
SOLUTION = "12 + 30 = 42\n\nso we carry on\n\nAnswer: 0<eos>"  # three steps; the final answer is wrong
# successes out of K=4 from the prefix ending at step 1 and at step 2 (the last step needs no rollout)
SUCCESSES = {"12 + 30 = 42\n\n": 3, "so we carry on\n\n": 1}


def gold(prompt: str) -> int:
    a, b = map(int, re.search(r"What is (\d+) \+ (\d+)", prompt).groups())
    return a + b


def known_rates(prompt: str, index: int, seed: int) -> str:
    """A policy that writes SOLUTION, and from a step prefix reaches the answer in exactly SUCCESSES[prefix] of
    the rollouts 0..3 (sample index below the count), whatever is in the batch."""
    for ending, wins in SUCCESSES.items():
        if prompt.endswith(ending):
            return f"Answer: {gold(prompt)}<eos>" if index < wins else "Answer: 1<eos>"
    return SOLUTION


def test_pure_label_rules():
    assert mc_labels([3, 1, None], 4, False) == ([1, 1, 0], [0.75, 0.25, 0.0])
    assert mc_labels([0, 0, None], 4, True) == ([0, 0, 1], [0.0, 0.0, 1.0])
    assert verifier_labels(["3 + 4 = 7", "then", "7 * 2 = 15", "Answer: 15"]) == [1, 1, 0, 0]


def test_monte_carlo_labels_match_a_policy_with_known_success_rates(tmp_path):
    backend = ScriptedBackend(known_rates)
    problems = TASK.problems("train", limit=3)
    report = make_step_labels(TASK, problems, backend, tmp_path, solutions=2, rollouts=4)
    records = list(read_labels(tmp_path / "labels.jsonl").values())
    assert len(records) == report.solutions == report.records_written == 6
    for r in records:
        assert r["steps"] == ["12 + 30 = 42", "so we carry on", "Answer: 0"]
        assert r["successes"] == [3, 1, None] and r["rollouts"] == 4
        assert r["hard"] == [1, 1, 0] and r["soft"] == [0.75, 0.25, 0.0]
        assert r["correct"] is False and r["method"] == "mc"
    # the two solutions of a problem are the same text: their prefixes are rolled out once
    assert report.prefixes == 3 * 2 and report.rollouts == 3 * 2 * 4
    assert report.rollout_completion_tokens > 0 and report.rollout_prompt_tokens > 0


def test_soft_labels_estimate_the_success_probability(tmp_path):
    rates = {"12 + 30 = 42\n\n": 0.7, "so we carry on\n\n": 0.2}

    def policy(prompt: str, index: int, seed: int) -> str:
        for ending, p in rates.items():
            if prompt.endswith(ending):
                return f"Answer: {gold(prompt)}<eos>" if seeded_unit(prompt, index, seed) < p else "Answer: 1<eos>"
        return SOLUTION

    make_step_labels(
        TASK, TASK.problems("train", limit=2), ScriptedBackend(policy), tmp_path, solutions=1, rollouts=300
    )
    for r in read_labels(tmp_path / "labels.jsonl").values():
        assert r["soft"][0] == pytest.approx(0.7, abs=0.08) and r["soft"][1] == pytest.approx(0.2, abs=0.08)
        assert r["hard"][:2] == [1, 1]


def test_a_rollout_is_scored_on_the_prefix_and_its_continuation(tmp_path):
    def policy(prompt: str, index: int, seed: int) -> str:
        if prompt.endswith("\n\n"):
            return "<eos>"  # nothing more to say: the answer is already in the prefix
        return f"Answer: {gold(prompt)}\n\nthat is all<eos>"

    make_step_labels(TASK, TASK.problems("train", limit=1), ScriptedBackend(policy), tmp_path, solutions=1, rollouts=2)
    (r,) = read_labels(tmp_path / "labels.jsonl").values()
    assert r["successes"] == [2, None] and r["hard"] == [1, 1] and r["correct"] is True


def test_a_rerun_draws_nothing_and_a_cut_labels_file_is_completed_from_the_cache(tmp_path):
    backend = ScriptedBackend(known_rates)
    problems = TASK.problems("train", limit=3)
    make_step_labels(TASK, problems, backend, tmp_path, solutions=2, rollouts=4, batch_problems=2)
    first = (tmp_path / "labels.jsonl").read_text()
    backend.calls.clear()
    again = make_step_labels(TASK, problems, backend, tmp_path, solutions=2, rollouts=4, batch_problems=2)
    assert backend.calls == [] and again.records_written == 0 and again.solutions == 6
    # a kill mid-write: keep the first two records and half of the third
    lines = first.splitlines(keepends=True)
    (tmp_path / "labels.jsonl").write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2])
    resumed = make_step_labels(TASK, problems, backend, tmp_path, solutions=2, rollouts=4, batch_problems=2)
    assert backend.calls == []  # every completion was in the cache
    assert resumed.records_written == 4 and len(read_labels(tmp_path / "labels.jsonl")) == 6


def test_at_most_max_steps_are_labelled_by_rollouts(tmp_path):
    def policy(prompt: str, index: int, seed: int) -> str:
        return "<eos>" if prompt.endswith("\n\n") else "a\n\nb\n\nc\n\nd\n\ne\n\nAnswer: 0<eos>"

    report = make_step_labels(
        TASK, TASK.problems("train", limit=1), ScriptedBackend(policy), tmp_path, solutions=1, rollouts=2, max_steps=3
    )
    (r,) = read_labels(tmp_path / "labels.jsonl").values()
    assert r["successes"] == [0, 0, None, None, None, None] and r["hard"] == [0, 0, None, None, None, 0]
    assert report.prefixes == 2


def test_verifier_labels_mark_every_step_after_a_false_claim(tmp_path):
    def policy(prompt: str, index: int, seed: int) -> str:
        a, b = map(int, re.search(r"What is (\d+) \+ (\d+)", prompt).groups())
        wrong = a + b + (1 if index else 0)
        return f"{a} + {b} = {wrong}\n\nthen done\n\nAnswer: {wrong}<eos>"

    backend = ScriptedBackend(policy)
    report = make_step_labels(TASK, TASK.problems("train", limit=2), backend, tmp_path, method="verifier", solutions=2)
    records = sorted(read_labels(tmp_path / "labels.jsonl").values(), key=lambda r: r["hard"])
    assert [r["hard"] for r in records] == [[0, 0, 0], [0, 0, 0], [1, 1, 1], [1, 1, 1]]
    assert [r["correct"] for r in records] == [False, False, True, True]
    assert report.rollouts == 0 and len(backend.calls) == 1  # the solutions only


def test_one_prefix_per_call_gives_the_same_labels_as_batched_prefixes(tmp_path):
    problems = TASK.problems("train", limit=2)
    shared, alone = ScriptedBackend(known_rates), ScriptedBackend(known_rates)
    make_step_labels(TASK, problems, shared, tmp_path / "shared", solutions=2, rollouts=4, prefixes_per_call=16)
    make_step_labels(TASK, problems, alone, tmp_path / "alone", solutions=2, rollouts=4, prefixes_per_call=1)
    assert _labels(tmp_path / "shared") == _labels(tmp_path / "alone")
    rollout_calls = [len(prompts) for prompts, s in shared.calls if s.n == 4]
    assert rollout_calls == [4]  # 2 problems x 2 distinct prefixes, each one request of n=4, in one call
    assert [len(prompts) for prompts, s in alone.calls if s.n == 4] == [1, 1, 1, 1]


def test_a_tiny_model_labels_the_same_one_prefix_at_a_time_or_batched(tmp_path):
    model, tokenizer = tiny_model("llama", seed=3)
    backend = HFBackend(model, tokenizer, model_id="tiny")
    problems = TASK.problems("train", limit=2)
    sampling = SamplingParams(temperature=1.0, max_new_tokens=12, seed=1, stop=())
    common = dict(solutions=2, rollouts=3, sampling=sampling, separator=" ", max_steps=3)
    a = make_step_labels(TASK, problems, backend, tmp_path / "batched", prefixes_per_call=16, **common)
    b = make_step_labels(TASK, problems, backend, tmp_path / "alone", prefixes_per_call=1, **common)
    assert a.prefixes == b.prefixes > 0 and a.rollouts == b.rollouts
    assert _records(tmp_path / "batched") == _records(tmp_path / "alone")
    # the same samples, not only the same labels: every cached completion (solutions and rollouts) agrees
    assert _cached(tmp_path / "batched") == _cached(tmp_path / "alone")


def test_labels_through_an_openai_compatible_server(tmp_path):
    """A server gets the rendered prompt plus prefix as text (its completions endpoint); chat prompts are
    rendered by the tokenizer given, since a server has none of its own."""
    _, tokenizer = tiny_model("llama")
    problems = TASK.problems("train", limit=2)
    with FakeOpenAIServer(max_lifetime=60.0) as server:
        backend = OpenAIBackend(server.base_url, "fake-model", api_key_env=None, watchdog_window=None)
        with pytest.raises(ValueError, match="render_with="):
            make_step_labels(TASK, problems, backend, tmp_path / "no-template", solutions=1, rollouts=2)
        report = make_step_labels(
            TASK, problems, backend, tmp_path, solutions=2, rollouts=3, separator=". ", tokenizer=tokenizer
        )
    records = list(read_labels(tmp_path / "labels.jsonl").values())
    # the fake server writes "Sample i: thinking... the answer is N. Done.": three steps on ". "
    assert len(records) == 4 and all(len(r["steps"]) == 3 and r["rollouts"] == 3 for r in records)
    assert report.prefixes > 0 and report.rollouts == 3 * report.prefixes
    assert all(len(r["successes"]) == 3 and r["successes"][-1] is None for r in records)


def test_bad_settings_fail_before_any_draw(tmp_path):
    backend = ScriptedBackend(known_rates)
    with pytest.raises(ValueError, match="unknown step-label method 'prm800k'"):
        make_step_labels(TASK, [], backend, tmp_path, method="prm800k")
    with pytest.raises(ValueError, match="temperature must be > 0"):
        make_step_labels(TASK, [], backend, tmp_path, sampling=SamplingParams(temperature=0))
    with pytest.raises(ValueError, match="rollouts must be >= 1"):
        make_step_labels(TASK, [], backend, tmp_path, rollouts=0)
    assert backend.calls == []


def test_the_command_writes_labels_report_and_run_record(tmp_path):
    config = StepLabelConfig(problems=2, solutions=1, rollouts=2, out_dir=str(tmp_path / "labels"))
    report = run_step_labels(config, backend=ScriptedBackend(known_rates), log=lambda m: None)
    out = tmp_path / "labels"
    assert report["solutions"] == 2 and json.loads((out / "report.json").read_text()) == report
    assert (out / "config.yaml").exists() and json.loads((out / "run.json").read_text())["command"] == "step-labels"


def test_an_in_process_policy_records_its_flops(tmp_path):
    """run.json counts 2 N FLOPs per prompt and completion token of an in-process policy (the recipes sum it)."""
    model, tokenizer = tiny_model("llama", seed=3)
    backend = HFBackend(model, tokenizer, model_id="tiny")
    config = StepLabelConfig(problems=2, solutions=1, rollouts=2, max_new_tokens=6, out_dir=str(tmp_path / "labels"))
    run_step_labels(config, backend=backend, log=lambda m: None)
    run = json.loads((tmp_path / "labels" / "run.json").read_text())
    parameters = sum(p.numel() for p in model.parameters())
    assert run["model"]["parameters"] == parameters
    tokens = run["tokens"]["prompt"] + run["tokens"]["completion"]
    assert tokens > 0 and run["flops_estimate"] == pytest.approx(2.0 * parameters * tokens)


def _labels(folder) -> dict:
    return {k: (r["steps"], r["hard"], r["soft"]) for k, r in read_labels(folder / "labels.jsonl").items()}


def _records(folder) -> dict:
    return {k: (r["solution"], r["successes"], r["soft"]) for k, r in read_labels(folder / "labels.jsonl").items()}


def _cached(folder) -> dict:
    (store,) = (folder / "completions").glob("*.jsonl")
    return {r["key"]: r["completion"]["text"] for r in map(json.loads, store.read_text().splitlines())}
