"""Multiple-choice tasks (tasks/multiple_choice.py): the generic file format, GPQA's raw rows and their
seeded per-question shuffle, GPQA-Diamond from a local copy, scoring, and (slow) `reasoncraft eval` on the
default model. No test reaches the hub."""

from __future__ import annotations

import csv
import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reasoncraft.tasks.multiple_choice as mc
from reasoncraft.tasks import get_task, list_tasks

GENERIC = [
    {
        "id": "mass",
        "question": "Two 6 kg blocks are tied together. What is their total mass?",
        "choices": ["3 kg", "12 kg", "7 kg", "1 kg"],
        "answer": "B",
    },
    {"id": "sum", "question": "What is 2 + 2?", "choices": ["4", "5", "22"], "answer": "(a)"},
    {"id": "sky", "question": "What colour is a clear daytime sky?", "choices": ["green", "blue"], "answer": "B"},
]
GPQA_FIELDS = [
    "Record ID",
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
    "High-level domain",
]


def gpqa_rows(n: int = 12) -> list[dict]:
    """Rows in GPQA's raw form (made up here): the correct answer first, as the raw data lists it."""
    return [
        {
            "Record ID": f"rec{i}",
            "Question": f"Question {i}?",
            "Correct Answer": f"right {i}",
            "Incorrect Answer 1": f"wrong {i}a",
            "Incorrect Answer 2": f"wrong {i}b",
            "Incorrect Answer 3": f"wrong {i}c",
            "High-level domain": "Physics",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_doctests():
    result = doctest.testmod(mc, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0


def test_generic_jsonl_reads_choices_and_gold_letters(tmp_path):
    task = get_task("multiple-choice", data_path=str(write_jsonl(tmp_path / "q.jsonl", GENERIC)))
    problems = task.problems()
    assert [(p.id, p.answer) for p in problems] == [("mass", "B"), ("sum", "A"), ("sky", "B")]
    assert problems[0].fields["choices"] == ["3 kg", "12 kg", "7 kg", "1 kg"]  # not shuffled unless asked
    prompt = task.prompt(problems[1])[-1]["content"]
    assert "What is 2 + 2?\n\nA) 4\nB) 5\nC) 22" in prompt and "LETTER is one of ABC." in prompt
    assert "multiple-choice" in list_tasks() and "gpqa-diamond" in list_tasks()


def test_csv_with_letter_columns_or_a_json_list(tmp_path):
    rows = [{"question": "What is 2 + 2?", "A": "3", "B": "4", "C": "", "answer": "B"}]
    task = get_task(
        "multiple-choice", data_path=str(write_csv(tmp_path / "q.csv", rows, ["question", "A", "B", "C", "answer"]))
    )
    problem = task.problems()[0]
    assert problem.fields["choices"] == ["3", "4"] and problem.answer == "B"
    listed = [{"question": "What is 2 + 2?", "choices": json.dumps(["4", "5"]), "answer": "A"}]
    task = get_task(
        "multiple-choice", data_path=str(write_csv(tmp_path / "l.csv", listed, ["question", "choices", "answer"]))
    )
    assert task.problems()[0].fields["choices"] == ["4", "5"]


@pytest.mark.parametrize(
    "row, message",
    [
        ({"question": "q", "choices": ["a", "b"]}, "'answer' column"),
        ({"question": "q", "choices": ["a", "b"], "answer": "C"}, "one of A, B"),
        ({"question": "q", "choices": ["a"], "answer": "A"}, "at least two"),
        ({"question": "", "choices": ["a", "b"], "answer": "A"}, "no question"),
        ({"question": "q", "choices": "a, b", "answer": "A"}, "JSON list"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, message):
    task = get_task("multiple-choice", data_path=str(write_jsonl(tmp_path / "bad.jsonl", [row])))
    with pytest.raises(ValueError, match=message):
        task.problems()


def test_missing_data_path_and_repeated_ids_are_named(tmp_path):
    with pytest.raises(ValueError, match="data_path"):
        get_task("multiple-choice")
    twice = write_jsonl(tmp_path / "twice.jsonl", [GENERIC[0], GENERIC[0]])
    with pytest.raises(ValueError, match="ids repeat"):
        get_task("multiple-choice", data_path=str(twice)).problems()


def test_gpqa_rows_are_shuffled_per_question_with_a_fixed_seed(tmp_path):
    rows = gpqa_rows()
    path = write_csv(tmp_path / "gpqa.csv", rows, GPQA_FIELDS)
    problems = get_task("multiple-choice", data_path=str(path)).problems()
    for row, p in zip(rows, problems):
        letters = "ABCD"
        assert p.id == row["Record ID"] and sorted(p.fields["choices"]) == sorted(
            [row["Correct Answer"], *(row[f"Incorrect Answer {k}"] for k in (1, 2, 3))]
        )
        assert p.fields["choices"][letters.index(p.answer)] == row["Correct Answer"]  # the gold letter follows
        assert p.fields["domain"] == "Physics"
    assert len({p.answer for p in problems}) > 1  # the correct answer is no longer always A
    # the same on every load; independent of the row order; another seed gives another order
    again = get_task("multiple-choice", data_path=str(path)).problems()
    assert [p.fields["choices"] for p in again] == [p.fields["choices"] for p in problems]
    reversed_path = write_csv(tmp_path / "reversed.csv", rows[::-1], GPQA_FIELDS)
    by_id = {p.id: p for p in get_task("multiple-choice", data_path=str(reversed_path)).problems()}
    assert all(by_id[p.id].fields["choices"] == p.fields["choices"] for p in problems)
    other = get_task("multiple-choice", data_path=str(path), seed=1).problems()
    assert [p.fields["choices"] for p in other] != [p.fields["choices"] for p in problems]


def test_generic_rows_shuffle_when_asked(tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", GENERIC)
    for p in get_task("multiple-choice", data_path=str(path), shuffle=True).problems():
        original = next(r for r in GENERIC if r["id"] == p.id)
        gold_text = original["choices"]["ABCD".index(original["answer"].strip("()").upper())]
        assert p.fields["choices"]["ABCD".index(p.answer)] == gold_text


def test_gpqa_diamond_from_a_local_copy(tmp_path, monkeypatch):
    write_csv(tmp_path / "gpqa_diamond.csv", gpqa_rows(5), GPQA_FIELDS)
    from_file = get_task("gpqa-diamond", data_path=str(tmp_path / "gpqa_diamond.csv")).problems()
    from_folder = get_task("gpqa-diamond", data_path=str(tmp_path)).problems()
    monkeypatch.setenv("REASONCRAFT_DATA", str(tmp_path))
    from_env = get_task("gpqa-diamond").problems()
    assert len(from_file) == 5 and from_file == from_folder == from_env
    assert get_task("gpqa-diamond").splits == ("test",)
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        get_task("gpqa-diamond", data_path=str(tmp_path / "missing")).problems()
    (tmp_path / "empty").mkdir()
    monkeypatch.delenv("REASONCRAFT_DATA")
    with pytest.raises(FileNotFoundError, match="gpqa_diamond.csv or gpqa_diamond.jsonl"):
        get_task("gpqa-diamond", data_path=str(tmp_path / "empty")).problems()


def test_gpqa_diamond_names_the_hub_dataset_without_a_local_copy(monkeypatch):
    # The hub itself is never reached in tests: the loader is replaced by one that records its arguments.
    monkeypatch.delenv("REASONCRAFT_DATA", raising=False)
    seen = {}

    def fake_hub(hub_id, config, split, how_to_fix):
        seen.update(hub_id=hub_id, config=config, split=split, how=how_to_fix)
        return gpqa_rows(2)

    monkeypatch.setattr(mc, "load_hub_rows", fake_hub)
    problems = get_task("gpqa-diamond").problems()
    assert (seen["hub_id"], seen["config"], seen["split"]) == ("Idavidrein/gpqa", "gpqa_diamond", "train")
    assert "data_path" in seen["how"] and "gated" in seen["how"] and len(problems) == 2


def test_scoring_through_the_task(tmp_path):
    task = get_task("multiple-choice", data_path=str(write_jsonl(tmp_path / "q.jsonl", GENERIC)))
    mass = task.problems()[0]
    completions = [
        "Each is 6 kg, so 12 kg.\nAnswer: B",
        "Answer: (C)",
        "The total is 12 kg\nAnswer: 12 kg",
        "Answer: A or B",
    ]
    scores = task.score_many(mass, completions)
    assert [s.reward for s in scores] == [1.0, 0.0, 1.0, 0.0]
    assert [s.correct for s in scores] == [True, False, True, False]
    # the answer written as the choice's text shows its letter (maj@k votes on it); a hedge shows none
    assert [s.extracted for s in scores] == ["B", "C", "B", None]


def test_the_sampling_path_shows_the_letter_of_a_text_answer(tmp_path):
    """eval/scale/GRPO score through `sampling.sample_and_score`: its extracted answers see the choices too."""
    from reasoncraft.backends import SamplingParams
    from reasoncraft.backends.base import Completion
    from reasoncraft.sampling import sample_and_score

    task = get_task("multiple-choice", data_path=str(write_jsonl(tmp_path / "q.jsonl", GENERIC)))
    mass = task.problems()[0]

    class Replies:
        model_id = "replies"

        def generate(self, prompts, sampling_params):
            return [[Completion("The total is 12 kg\nAnswer: 12 kg", [1], 2, 1, "stop", 0)] for _ in prompts]

    drawn = sample_and_score(Replies(), task, [mass], ["prompt"], SamplingParams(n=1, temperature=0.0))
    sample = drawn.samples[0][0]
    assert sample.extracted == "B" and sample.correct


@pytest.mark.slow
def test_eval_command_runs_a_local_multiple_choice_file_on_the_default_model(tmp_path):
    """`reasoncraft eval` on a 3-question local file, offline, few tokens (load under the heavy lock by hand)."""
    data = write_jsonl(tmp_path / "q.jsonl", GENERIC)
    script = Path(sys.executable).with_name("reasoncraft")
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "reasoncraft.cli"]
    cmd = [
        *entry,
        "eval",
        "--model",
        "smollm2-135m",
        "--task",
        "multiple-choice",
        "--task-option",
        f"data_path={data}",
        "--max-new-tokens",
        "24",
        "--out",
        str(tmp_path / "run"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
        "--device",
        "cpu",
    ]
    done = subprocess.run(cmd, env=dict(os.environ, HF_HUB_OFFLINE="1"), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())[0]
    assert summary["task"] == "multiple-choice" and summary["problems"] == 3
    assert summary["new_completion_tokens"] > 0 and 0.0 <= summary["pass@1"] <= 1.0
    samples = [json.loads(line) for line in (tmp_path / "run" / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 3
