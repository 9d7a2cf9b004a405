"""One path samples what the cache lacks and scores it: `eval`, `scale`, `distill` and a GRPO step all go
through `reasoncraft.sampling.sample_and_score` (a spy replaces it and counts who called), and what each
writes or trains on is what that call returned."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from helpers import run, tiny_config
from reasoncraft import sampling
from reasoncraft.backends import HFBackend, SamplingParams
from reasoncraft.backends.base import Completion
from reasoncraft.samples import CompletionCache, ScoredSample
from reasoncraft.tasks import get_task
from reasoncraft.tasks.base import RewardSet
from reasoncraft.testing import tiny_model

CALLERS = (
    "reasoncraft.evaluate",
    "reasoncraft.scaling.sweep",
    "reasoncraft.data.generate",
    "reasoncraft.train.grpo_rollouts",
)


@pytest.fixture
def spy(monkeypatch):
    """Replace the one sample-and-score function everywhere it is used; record (calling module, result)."""
    original = sampling.sample_and_score
    calls: list[tuple[str, sampling.Drawn]] = []

    def spying(*args, **kwargs):
        drawn = original(*args, **kwargs)
        calls.append((sys._getframe(1).f_globals["__name__"], drawn))
        return drawn

    for name in CALLERS:
        module = importlib.import_module(name)
        assert module.sample_and_score is original, f"{name} samples through its own function"
        monkeypatch.setattr(module, "sample_and_score", spying)
    monkeypatch.setattr(sampling, "sample_and_score", spying)
    return calls


@pytest.fixture(scope="module")
def backend():
    model, tokenizer = tiny_model("llama")
    return HFBackend(model, tokenizer, model_id="tiny")


def test_eval_goes_through_the_one_path(spy, backend, tmp_path):
    from reasoncraft.evaluate import evaluate
    from reasoncraft.record import RunRecord

    out = tmp_path / "eval"
    sampling_params = SamplingParams(n=2, temperature=1.0, max_new_tokens=6, seed=1)
    evaluate(
        backend,
        [get_task("arith-sum-2d")],
        sampling_params,
        out,
        record=RunRecord("test", {}, out),
        cache_dir=tmp_path / "cache",
        limit=3,
        show_progress=False,
    )
    assert [module for module, _ in spy] == ["reasoncraft.evaluate"]
    written = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert written == [json.loads(json.dumps(s.to_dict())) for s in spy[0][1].flat()] and len(written) == 6


def test_scale_goes_through_the_one_path(spy, backend, tmp_path):
    from reasoncraft.scaling.sweep import ScaleConfig, run_scale

    config = ScaleConfig(
        model="tiny",
        strategies=("majority",),
        max_n=2,
        limit=3,
        max_new_tokens=6,
        out_dir=str(tmp_path / "scale"),
        cache_dir=str(tmp_path / "cache"),
    )
    run_scale(config, backend=backend)
    assert [module for module, _ in spy] == ["reasoncraft.scaling.sweep"]
    samples = spy[0][1].flat()
    assert len(samples) == 6 and all(isinstance(s, ScoredSample) and s.key for s in samples)


def test_distill_goes_through_the_one_path(spy, backend, tmp_path):
    from reasoncraft.data.distill import DistillConfig, run_distill

    config = DistillConfig(
        task="arith-sum-2d",
        limit=3,
        k=2,
        max_new_tokens=6,
        script="",
        near_threshold=None,
        decontam_tasks=[],
        out_dir=str(tmp_path / "distill"),
    )
    run_distill(config, teacher=backend, log=lambda message: None)
    assert [module for module, _ in spy] == ["reasoncraft.data.generate"]
    records = [json.loads(line) for line in (tmp_path / "distill" / "traces.jsonl").read_text().splitlines()]
    samples = spy[0][1].flat()
    assert [r["key"] for r in records] == [s.key for s in samples] and len(records) == 6
    assert [r["verdict"]["correct"] for r in records] == [s.correct for s in samples]


def test_grpo_step_goes_through_the_one_path(spy, tmp_path):
    run(tiny_config(tmp_path, steps=1, batch_size=4, num_generations=2, micro_batch_size=4))
    assert [module for module, _ in spy] == ["reasoncraft.train.grpo_rollouts"]
    samples = spy[0][1].flat()
    assert len(samples) == 4 and all(list(s.breakdown) == ["sevens"] for s in samples)


def test_cache_wins_and_only_missing_problems_are_drawn(tmp_path):
    """A problem with every key cached is not drawn; one with a key missing is drawn whole, but the key it
    had keeps its cached completion; the result is scored through the given reward set."""

    class Counting:
        model_id = "counting"

        def __init__(self):
            self.prompts = []

        def generate(self, prompts, sampling_params):
            self.prompts.extend(prompts)
            return [
                [Completion(f"Answer: {len(self.prompts)}{j}", [j], 3, 1, "stop", j) for j in range(sampling_params.n)]
                for _ in prompts
            ]

    task = get_task("arith-sum-2d")
    problems = task.problems("test", 3)
    prompts = [task.prompt(p) for p in problems]
    keys = [[f"{i}-{j}" for j in range(2)] for i in range(3)]
    cache = CompletionCache(tmp_path, "model")
    cached = {
        "text": "Answer: old",
        "token_ids": [9],
        "prompt_tokens": 3,
        "completion_tokens": 1,
        "finish_reason": "stop",
        "sample_index": 0,
    }
    cache.put_many([("0-0", cached), ("0-1", {**cached, "sample_index": 1}), ("1-0", cached)])
    backend = Counting()
    rewards = RewardSet.of(["accuracy", "format"], weights=[1.0, 0.5])
    drawn = sampling.sample_and_score(
        backend, task, problems, prompts, SamplingParams(n=2, temperature=1.0), rewards=rewards, keys=keys, cache=cache
    )
    assert backend.prompts == prompts[1:]  # problem 0 fully cached
    texts = [[s.completion for s in group] for group in drawn.samples]
    assert texts[0] == ["Answer: old", "Answer: old"] and texts[1][0] == "Answer: old"
    assert texts[1][1] == "Answer: 21" and texts[2] == ["Answer: 20", "Answer: 21"]
    assert all(list(s.breakdown) == ["accuracy", "format"] for s in drawn.flat())
    for s in drawn.flat():
        applied = [w * s.breakdown[n] for n, w in zip(rewards.names, rewards.weights) if s.breakdown[n] is not None]
        assert s.reward == sum(applied)
    assert cache.get("1-1")["text"] == "Answer: 21" and cache.get("1-0")["text"] == "Answer: old"


class _Scripted:
    """A backend whose i-th prompt of a call answers "Answer: <call>.<i>.<sample>"; prompt "fail" fails."""

    model_id = "scripted"

    def __init__(self):
        self.calls = []

    def generate(self, prompts, sampling_params):
        self.calls.append((list(prompts), sampling_params))
        return [
            [Completion(f"Answer: {len(self.calls)}.{i}.{j}", [j], 2, 1, "stop", j) for j in range(sampling_params.n)]
            for i, _ in enumerate(prompts)
        ]

    def generate_results(self, prompts, sampling_params):
        out = self.generate([p for p in prompts if p != "fail"], sampling_params)
        return [RuntimeError("server gave up") if p == "fail" else out.pop(0) for p in prompts]


def test_greedy_draws_once_and_copies_unless_told_not_to():
    task = get_task("arith-sum-2d")
    problems = task.problems("test", 2)
    greedy = SamplingParams(n=3, temperature=0.0)
    backend = _Scripted()
    drawn = sampling.sample_and_score(backend, task, problems, ["a", "b"], greedy)
    assert [s.n for _, s in backend.calls] == [1]
    assert [[(s.completion, s.sample_index) for s in g] for g in drawn.samples] == [
        [("Answer: 1.0.0", j) for j in range(3)],
        [("Answer: 1.1.0", j) for j in range(3)],
    ]
    backend = _Scripted()
    drawn = sampling.sample_and_score(backend, task, problems, ["a", "b"], greedy, copy_greedy=False)
    assert [s.n for _, s in backend.calls] == [3] and drawn.samples[0][2].completion == "Answer: 1.0.2"


def test_failed_requests_are_counted_and_left_out_and_batches_are_kept():
    task = get_task("arith-sum-2d")
    problems = task.problems("test", 3)
    backend, failures, seen = _Scripted(), {}, []
    drawn = sampling.sample_and_score(
        backend,
        task,
        problems,
        ["a", "fail", "c"],
        SamplingParams(n=2),
        batch_problems=2,
        failures=failures,
        on_batch=lambda indices, *_: seen.append(indices),
    )
    assert failures == {"RuntimeError": 1} and seen == [[0], [2]]
    assert [len(g) for g in drawn.samples] == [2, 0, 2] and [len(p) for p, _ in backend.calls] == [1, 1]


def test_reward_set_checks_and_failures():
    from reasoncraft.rewards.base import RewardFailure

    with pytest.raises(ValueError, match="one function and one weight per name"):
        RewardSet(("accuracy",), (), (1.0,), "accuracy")
    with pytest.raises(ValueError, match="not in the set"):
        RewardSet.of(["accuracy"], correct="format")
    with pytest.raises(ValueError, match="returned 1 values for 2 completions"):
        RewardSet.of(["short"], [lambda completions, **f: [1.0]]).score(["a", "b"], {})

    def flaky(completions, **fields):
        return [RewardFailure("judge timeout"), None]

    rs = RewardSet.of(["accuracy", "flaky"], [RewardSet.of(["accuracy"]).fns[0], flaky], [1.0, 2.0])
    failed, fine = rs.score(["Answer: 4", "Answer: 4"], {"answer": ["4", "4"]})
    assert failed.reward == RewardFailure("judge timeout") and failed.correct is True
    assert fine.reward == 1.0 and fine.breakdown == {"accuracy": 1.0, "flaky": None}


def test_measures_are_kept_beside_the_rewards_but_never_summed_or_failing_the_reward():
    from reasoncraft.rewards.base import RewardFailure

    def broken(completions, **fields):
        return [RewardFailure("checker timeout"), 1.0]

    accuracy = RewardSet.of(["accuracy"]).fns[0]
    rs = RewardSet(("accuracy",), (accuracy,), (1.0,), "accuracy", (("lenient", broken),))
    first, second = rs.score(["17 + 25 = 42", "Answer: 42"], {"answer": ["42", "42"]})
    assert first.reward == 0.0 and first.correct is False  # the measure's failure is its own
    assert first.breakdown["lenient"] == RewardFailure("checker timeout")
    assert second.reward == 1.0 and second.breakdown == {"accuracy": 1.0, "lenient": 1.0}
    with pytest.raises(ValueError, match="may not share a reward's name"):
        RewardSet(("accuracy",), (accuracy,), (1.0,), "accuracy", (("accuracy", broken),))
    task = get_task("arith-sum-2d")
    assert task.reward_set().measures == () and [n for n, _ in task.reward_set(measures=True).measures] == [
        "lenient_accuracy"
    ]
    assert get_task("countdown-3").reward_set(measures=True).measures == ()
