"""User tasks from JSONL, JSON or CSV with a YAML column mapping."""

import json

import pytest

from reasoncraft.tasks import get_task


@pytest.fixture
def capitals(tmp_path):
    rows = [
        {"uid": f"c{i}", "prompt": f"What is the capital of country {i}?", "target": f"City{i}", "topic": "geo"}
        for i in range(40)
    ]
    (tmp_path / "capitals.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "capitals.json").write_text(json.dumps(rows))
    with open(tmp_path / "capitals.csv", "w") as f:
        f.write(
            "uid,prompt,target,topic\n"
            + "".join(f'{r["uid"]},"{r["prompt"]}",{r["target"]},{r["topic"]}\n' for r in rows)
        )
    return tmp_path


def _yaml(folder, text, name="task.yaml"):
    path = folder / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv"])
def test_loads_each_file_type(capitals, suffix):
    path = _yaml(
        capitals,
        f"source: capitals.{suffix}\ncolumns: {{question: prompt, answer: target, id: uid, fields: [topic]}}\n",
    )
    task = get_task(path)
    problems = task.problems("test")
    assert task.name == "task" and task.splits == ("test",) and len(problems) == 40
    assert (problems[3].id, problems[3].question, problems[3].answer, problems[3].fields) == (
        "c3",
        "What is the capital of country 3?",
        "City3",
        {"topic": "geo"},
    )
    assert task.prompt(problems[3]) == [
        {
            "role": "user",
            "content": problems[3].question + "\n\nThink step by step, then give the final answer after 'Answer:'.",
        }
    ]


def test_template_reward_and_scoring(capitals):
    path = _yaml(
        capitals,
        "name: caps\nsource: capitals.csv\ncolumns: {question: prompt, answer: target}\n"
        "template: direct\nreward: accuracy\n",
    )
    task = get_task("custom", config=path)
    p = task.problems("test")[0]
    assert p.id == "caps-test-0" and task.prompt(p)[0]["content"].endswith("with no explanation.")
    assert task.score(p, "Answer: City0").correct is True
    assert task.score(p, "Answer: City1").correct is False


def test_dev_fraction_is_deterministic_and_disjoint(capitals):
    path = _yaml(
        capitals, "source: capitals.jsonl\ncolumns: {question: prompt, answer: target, id: uid}\ndev_fraction: 0.25\n"
    )
    task = get_task(path)
    dev, test = task.problems("dev"), task.problems("test")
    assert task.splits == ("dev", "test") and len(dev) + len(test) == 40 and 3 <= len(dev) <= 18
    assert not {p.id for p in dev} & {p.id for p in test}
    assert dev == get_task(path).problems("dev")


def test_per_split_files(capitals):
    path = _yaml(
        capitals, "splits: {test: capitals.jsonl, dev: capitals.csv}\ncolumns: {question: prompt, answer: target}\n"
    )
    task = get_task(path)
    assert task.splits == ("dev", "test") and len(task.problems("dev")) == 40
    assert task.problems("dev")[0].id == "task-dev-0"


def test_dict_config_and_template_option(capitals):
    task = get_task(
        "custom",
        config={"source": str(capitals / "capitals.jsonl"), "columns": {"question": "prompt", "answer": "target"}},
        template="plain",
    )
    assert task.prompt(task.problems("test")[0])[0]["content"] == "What is the capital of country 0?"


@pytest.mark.parametrize(
    "mapping,error",
    [
        (
            "source: capitals.jsonl\ncolumns: {question: question, answer: target}\n",
            "column\\(s\\) 'question' named in the task mapping are not in the data; "
            "its columns are 'uid', 'prompt', 'target', 'topic'",
        ),
        (
            "source: capitals.csv\ncolumns: {question: prompt, answer: answer, fields: [year]}\n",
            "column\\(s\\) 'answer', 'year' named in the task mapping are not in the data",
        ),
        ("source: capitals.jsonl\ncolumns: {question: prompt}\n", "needs columns.answer"),
        ("columns: {question: prompt, answer: target}\n", "needs source:"),
        (
            "source: capitals.jsonl\ncolumns: {question: prompt, answer: target}\ntemplate: nope\n",
            "unknown prompt template 'nope'",
        ),
        (
            "source: capitals.jsonl\ncolumns: {question: prompt, answer: target}\nreward: nope\n",
            "unknown reward 'nope'",
        ),
        (
            "source: capitals.jsonl\ncolums: {question: prompt, answer: target}\n",
            "unknown key\\(s\\) in the task mapping: colums",
        ),
        ("source: missing.jsonl\ncolumns: {question: prompt, answer: target}\n", "missing.jsonl' does not exist"),
        (
            "source: capitals.jsonl\ncolumns: {question: prompt, answer: topic, id: topic}\n",
            "ids in column 'topic' repeat",
        ),
    ],
)
def test_clear_errors(capitals, mapping, error):
    with pytest.raises((ValueError, KeyError, FileNotFoundError), match=error):
        get_task(_yaml(capitals, mapping)).problems("test")


def test_no_dev_split_is_explained(capitals):
    task = get_task(_yaml(capitals, "source: capitals.jsonl\ncolumns: {question: prompt, answer: target}\n"))
    with pytest.raises(ValueError, match="has no dev split: give splits: {dev: ...} or dev_fraction:"):
        task.problems("dev")


def test_empty_answer_is_rejected(tmp_path):
    (tmp_path / "d.csv").write_text("q,a\nWhat?,\n")
    with pytest.raises(ValueError, match="row 1 has an empty question or answer"):
        get_task(_yaml(tmp_path, "source: d.csv\ncolumns: {question: q, answer: a}\n")).problems("test")
