"""Math benchmarks from the local copies in ../shared/data (skipped cleanly where absent)."""

import os
import re
import subprocess
import sys

import pytest

from reasoncraft.tasks import get_task
from reasoncraft.tasks.math import normalise_answer, row_to_problem

SIZES = {"math500": 500, "gsm8k": 1319, "aime24": 30, "aime25": 30, "amc23": 40}


@pytest.mark.parametrize("name,size", sorted(SIZES.items()))
def test_benchmark_loads_from_a_data_folder(shared_data, name, size):
    task = get_task(name, data_path=str(shared_data))
    problems = task.problems("test")
    assert len(problems) == size
    assert len({p.id for p in problems}) == size
    assert all(p.question and p.answer for p in problems)
    assert problems == get_task(name, data_path=str(shared_data)).problems("test")  # fixed order
    assert task.problems("test", limit=5) == problems[:5]
    assert task.prompt(problems[0])[-1]["content"].endswith("put your final answer within \\boxed{}.")
    if name in ("aime24", "aime25", "amc23"):
        assert all(re.fullmatch(r"-?(0|[1-9][0-9]*)", p.answer) for p in problems)  # integers, no leading zeros


def test_data_path_may_be_the_file_and_env_folder_works(shared_data, monkeypatch):
    by_file = get_task("aime25", data_path=str(shared_data / "aime25.jsonl")).problems("test")
    monkeypatch.setenv("REASONCRAFT_DATA", str(shared_data))
    assert get_task("aime25").problems("test") == by_file
    assert by_file[0].id == "aime25-I-1" and by_file[0].answer == "70"


def test_math500_fields_and_no_dev_split(shared_data):
    task = get_task("math500", data_path=str(shared_data))
    p = task.problems("test")[0]
    assert p.id == "test/precalculus/807.json" and p.fields["level"] == 2 and p.fields["subject"] == "Precalculus"
    assert task.splits == ("test",)
    with pytest.raises(ValueError, match="test-only benchmark: it has no dev split"):
        task.problems("dev")


def test_gsm8k_dev_and_train_come_from_the_train_split(shared_data):
    task = get_task("gsm8k", data_path=str(shared_data))
    test, dev, train = task.problems("test"), task.problems("dev"), task.problems("train")
    assert len(dev) == 200 and len(train) == 1800  # the 2,000-row train sample beside the test file
    assert dev[0].id == "gsm8k_train_0000" and train[0].id == "gsm8k_train_0200"
    questions = [{p.question for p in s} for s in (test, dev, train)]
    assert not questions[0] & questions[1] and not questions[0] & questions[2] and not questions[1] & questions[2]
    assert get_task("gsm8k", data_path=str(shared_data / "gsm8k_test.jsonl")).problems("dev") == dev


def test_scoring_hand_written_completions(shared_data):
    math500 = get_task("math500", data_path=str(shared_data))
    p = math500.problems("test")[0]  # gold: \left( 3, \frac{\pi}{2} \right)
    good = math500.score(p, "r = 3 and theta = pi/2, so the answer is \\boxed{(3, \\frac{\\pi}{2})}.")
    assert (good.reward, good.correct, good.extracted) == (1.0, True, "(3, \\frac{\\pi}{2})")
    bad = math500.score(p, "\\boxed{(3, \\pi)}")
    assert (bad.reward, bad.correct) == (0.0, False)
    hedge = math500.score(p, "\\boxed{(3, \\frac{\\pi}{2})} or \\boxed{(3, \\pi)}")
    assert hedge.reward == 0.0
    assert math500.score(p, "I am not sure.").extracted is None

    gsm8k = get_task("gsm8k", data_path=str(shared_data))
    q = gsm8k.problems("test")[0]  # Janet's ducks: 18
    assert q.answer == "18"
    for text in ("She makes 9 * 2 = 18 dollars.", "#### 18", "The answer is 18.", "Answer: 18"):
        s = gsm8k.score(q, text)
        assert (s.reward, s.correct, s.extracted) == (1.0, True, "18"), text
    assert gsm8k.score(q, "She makes 9 * 2 = 16 dollars.").correct is False
    assert gsm8k.score(q, "no numbers here").extracted is None

    aime = get_task("aime24", data_path=str(shared_data))
    r = aime.problems("test")[0]
    assert r.answer == "204"
    assert aime.score(r, "... so \\boxed{204}").correct is True
    assert aime.score(r, "... so \\boxed{240}").correct is False
    assert aime.reward_fields(r) == {"answer": "204"}


def test_hub_rows_are_normalised():
    math_row = {
        "problem": "What is $1/2 + 1/2$?",
        "solution": "... \\boxed{1}",
        "answer": "1",
        "subject": "Algebra",
        "level": 1,
        "unique_id": "test/algebra/1.json",
    }
    p = row_to_problem(math_row, 0, "math500_test")
    assert (p.id, p.question, p.answer, p.fields["level"]) == ("test/algebra/1.json", math_row["problem"], "1", 1)
    gsm = row_to_problem({"question": "How many?", "answer": "3 + 4 = <<3+4=7>>7\n#### 1,007"}, 3, "gsm8k_test")
    assert (gsm.id, gsm.answer, gsm.fields["solution"]) == ("gsm8k_test_0003", "1007", "3 + 4 = <<3+4=7>>7")
    aime = row_to_problem(
        {"id": 60, "problem": "Find N.", "answer": "033", "url": "u", "year": "2024"}, 0, "aime24", True
    )
    assert (aime.id, aime.answer, aime.fields) == ("60", "33", {"url": "u"})
    assert normalise_answer(27.0, True) == "27" and normalise_answer("0", True) == "0"
    assert normalise_answer("3.5", True) == "3.5" and normalise_answer(" 1,000 ", False) == "1,000"


def test_missing_columns_are_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x", "solution": "y"}\n')
    with pytest.raises(
        ValueError, match="needs a 'problem' \\(or 'question'\\) and an 'answer' column; it has prompt, solution"
    ):
        get_task("math500", data_path=str(bad)).problems("test")
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        get_task("math500", data_path=str(tmp_path / "missing.jsonl")).problems("test")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"problem": "x", "answer": "1"}\n{"problem": \n')
    with pytest.raises(ValueError, match="broken.jsonl:2: not valid JSON"):
        get_task("math500", data_path=str(broken)).problems("test")


def test_offline_without_data_names_data_path():
    code = (
        "from reasoncraft.tasks import get_task\n"
        "try:\n    get_task('amc23').problems('test')\n"
        "except RuntimeError as e:\n    print(e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REASONCRAFT_DATA"}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120).stdout
    assert "could not load math-ai/amc23 (test) from the hub" in out and "--data-path" in out and "amc23.jsonl" in out


def test_unreachable_hub_fails_at_once_naming_data_path(monkeypatch):
    import time

    monkeypatch.delenv("REASONCRAFT_DATA", raising=False)
    for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://127.0.0.1:9")  # nothing listens there
    start = time.monotonic()
    with pytest.raises(
        RuntimeError, match="math500: no local copy found and cannot reach the Hugging Face hub.*--data-path"
    ):
        get_task("math500").problems("test")
    assert time.monotonic() - start < 5
