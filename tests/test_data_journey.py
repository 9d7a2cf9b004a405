"""Journey traces: the Countdown search teacher (journey vs shortcut), reflection journeys, and `distill`."""

from __future__ import annotations

import json

import pytest

from reasoncraft.config import ConfigError
from reasoncraft.data.countdown import CountdownSearchTeacher, dfs
from reasoncraft.data.distill import DistillConfig, run_distill
from reasoncraft.data.generate import generate_traces, read_records
from reasoncraft.data.journey import build_journeys
from reasoncraft.tasks import get_task


def test_search_teacher_journey_holds_dead_ends_and_the_shortcut_path():
    task = get_task("countdown-4", max_target=50)
    problems = task.problems("train", limit=60)
    journey, shortcut = CountdownSearchTeacher("journey"), CountdownSearchTeacher("shortcut")
    backtracked = 0
    for p in problems:
        j, s = journey.solve(p, 0), shortcut.solve(p, 0)
        assert task.score(p, j).correct and task.score(p, s).correct
        assert "dead end" not in s and "back to" not in s
        # The shortcut is the journey's successful path: same answer, each of its steps in the journey.
        assert j.rsplit("<answer>", 1)[1] == s.rsplit("<answer>", 1)[1]
        steps = s.split("<think>\n", 1)[1].split("\n</think>")[0].splitlines()[1:]
        for step in steps:
            assert step.split(". ")[0] in j
        backtracked += "back to" in j
    assert backtracked >= 20  # most 4-number problems need backtracking
    # Different sample indices take different orders.
    assert len({journey.solve(problems[0], i) for i in range(4)}) > 1


def test_dfs_exhausts_an_unsolvable_problem():
    result = dfs([2, 2], 7, None)
    assert result.expression is None and result.tries == 3  # 2 + 2, 2 * 2, 2 / 2 (2 - 2 = 0 is not positive)


def test_reflection_journeys_from_wrong_and_right_traces(tmp_path):
    task = get_task("countdown-3", max_target=50)
    problems = task.problems("train", limit=5)
    p = problems[0]
    wrong = "<think>Just add them.</think>\n<answer>" + " + ".join(map(str, p.fields["numbers"])) + "</answer>"
    right = CountdownSearchTeacher("shortcut").solve(p, 0)

    class TwoAttempts:  # a solver teacher that is wrong on sample 0 and right on sample 1
        model_id = "two-attempts"

        def solve(self, problem, sample_index):
            return (
                wrong
                if sample_index == 0 and problem.id == p.id
                else CountdownSearchTeacher("shortcut").solve(problem, 0)
            )

    generate_traces(task, problems, TwoAttempts(), tmp_path / "t.jsonl", k=2)
    records = list(read_records(tmp_path / "t.jsonl")[0].values())
    journeys = build_journeys(task, records, {q.id: q for q in problems})
    assert len(journeys) == 1  # only problem 0 has both a wrong and a right trace
    text = journeys[0]["completion"]
    total = sum(p.fields["numbers"])
    assert text.startswith("<think>Just add them. So the answer would be")
    assert f"equals {total}, not {p.fields['target']}" in text and "Wait," in text
    assert text.count("<answer>") == 1 and journeys[0]["verdict"]["correct"] is True
    assert text.endswith(right[right.index("<answer>") :])  # the journey ends on the right trace's answer
    assert journeys[0]["messages"][-1]["content"] == text
    assert journeys[0]["journey"]["wrong"] != journeys[0]["journey"]["right"]


def test_distill_end_to_end_with_a_solver(tmp_path):
    config = DistillConfig(
        task="countdown-3",
        task_options={"max_target": 50},
        limit=12,
        k=2,
        teacher="countdown-dfs-journey",
        layout="r1",
        decontam_tasks=["countdown-3", "arith-sum-2d"],
        price_per_million_completion_tokens=2.0,
        out_dir=str(tmp_path / "run"),
    )
    report = run_distill(config, count_tokens=lambda t: len(t.split()), log=lambda m: None)
    out = tmp_path / "run"
    rows = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    assert report["generation"]["records_total"] == 24 and len(rows) == report["filtering"]["kept"] > 0
    assert all(r["verdict"]["correct"] and r["messages"][-1]["role"] == "assistant" for r in rows)
    run = json.loads((out / "run.json").read_text())
    assert run["tokens"]["completion"] == report["generation"]["completion_tokens"] > 0
    assert run["cost"] == pytest.approx(2.0 * run["tokens"]["completion"] / 1e6)
    from reasoncraft.data.pipeline import to_dataset

    dataset = to_dataset(out / "sft.jsonl")
    assert len(dataset) == len(rows) and dataset[0]["messages"][-1]["role"] == "assistant"
    again = run_distill(config, count_tokens=lambda t: len(t.split()), log=lambda m: None)
    assert again["generation"]["records_written"] == 0 and again["filtering"]["kept"] == len(rows)


def test_distill_config_rejects_evaluation_splits_and_lone_journeys():
    with pytest.raises(ConfigError, match="evaluation split"):
        DistillConfig(split="test")
    with pytest.raises(ConfigError, match="k >= 2"):
        DistillConfig(journeys=True, k=1)


def test_teacher_written_reflections_are_used_unless_they_leak_the_answer(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from fake_openai_server import FakeOpenAIServer
    from reasoncraft.backends.openai import OpenAIBackend
    from reasoncraft.data.journey import teacher_reflections
    from reasoncraft.prompts import render

    task = get_task("countdown-3", max_target=50)
    problems = task.problems("train", limit=2)
    right = {p.id: CountdownSearchTeacher("shortcut").solve(p, 0) for p in problems}
    wrong = {
        p.id: "<think>Just add them.</think>\n<answer>" + " + ".join(map(str, p.fields["numbers"])) + "</answer>"
        for p in problems
    }

    class TwoAttempts:
        model_id = "two-attempts"

        def solve(self, problem, sample_index):
            return (wrong if sample_index == 0 else right)[problem.id]

    generate_traces(task, problems, TwoAttempts(), tmp_path / "t.jsonl", k=2)
    records = list(read_records(tmp_path / "t.jsonl")[0].values())
    with FakeOpenAIServer() as server:
        leaky = problems[1]
        journeys_in = sorted(records, key=lambda r: r["problem_id"])
        # The teacher's reply for problem 1 states the gold answer: it must not be used.
        from reasoncraft.data.journey import diagnose

        prompt_1 = render(
            "journey-reflection",
            question=leaky.question,
            wrong=wrong[leaky.id],
            diagnosis=diagnose(leaky, " + ".join(map(str, leaky.fields["numbers"]))),
            right=right[leaky.id],
        )
        server.replay(
            [prompt_1],
            [
                [
                    {
                        "text": f"I should have written {leaky.answer}",
                        "token_ids": [1],
                        "prompt_tokens": 3,
                        "completion_tokens": 1,
                        "finish_reason": "stop",
                    }
                ]
            ],
        )
        backend = OpenAIBackend(server.base_url, "fake-model", api_key_env=None)
        journeys = build_journeys(task, journeys_in, {p.id: p for p in problems}, reflect=teacher_reflections(backend))
    by_problem = {j["problem_id"]: j for j in journeys}
    assert by_problem[problems[0].id]["journey"]["reflection"] == "teacher"
    assert "Wait, Sample 0: thinking" in by_problem[problems[0].id]["completion"]
    assert by_problem[leaky.id]["journey"]["reflection"] == "verifier"
    assert leaky.answer not in by_problem[leaky.id]["completion"].split("Let me go back")[0]
    assert all(j["verdict"]["correct"] for j in journeys)


def test_distill_decontaminates_against_the_source_tasks_own_test_split(tmp_path):
    """countdown-3 with max_target=50 has its own test split; a planted test problem of it is removed."""
    task = get_task("countdown-3", max_target=50)
    test_problem = task.problems("test", limit=1)[0]

    class PlantingTask:  # the real task, with one of its test problems planted in the train split
        name, default_template, splits = task.name, task.default_template, task.splits

        def problems(self, split, limit=None):
            return (
                ([test_problem] + task.problems("train", limit=3)) if split == "train" else task.problems(split, limit)
            )

        def __getattr__(self, attr):
            return getattr(task, attr)

    config = DistillConfig(
        task="countdown-3",
        task_options={"max_target": 50},
        limit=4,
        k=1,
        teacher="countdown-dfs-shortcut",
        decontam_tasks=["countdown-3"],
        out_dir=str(tmp_path),
    )
    report = run_distill(config, task=PlantingTask(), log=lambda m: None)
    assert report["filtering"]["dropped"] == {"contamination:removed": 1}
    assert report["filtering"]["contamination"]["items"][0]["problem_id"] == test_problem.id


def test_a_journey_is_not_a_duplicate_of_its_own_right_trace(tmp_path):
    from reasoncraft.data.filters import Readability
    from reasoncraft.data.pipeline import build_sft_set

    task = get_task("countdown-3", max_target=50)
    problems = task.problems("train", limit=3)

    class TwoAttempts:
        model_id = "two-attempts-short-wrong"

        def solve(self, problem, sample_index):
            if sample_index == 0:
                return "<think>Add.</think>\n<answer>" + " + ".join(map(str, problem.fields["numbers"])) + "</answer>"
            return CountdownSearchTeacher("journey").solve(problem, 0)

    generate_traces(task, problems, TwoAttempts(), tmp_path / "t.jsonl", k=2)
    records = list(read_records(tmp_path / "t.jsonl")[0].values())
    journeys = build_journeys(task, records, {p.id: p for p in problems})
    # At near_threshold=0.5 each journey (Jaccard 0.59-0.78 with its right trace) would go as its duplicate.
    kept, report = build_sft_set(records + journeys, rules=Readability(layout="r1"), near_threshold=0.5)
    assert sum("journey" in r for r in kept) == len(journeys) == 3
    assert report["dropped"] == {"incorrect": 3}
