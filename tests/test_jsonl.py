"""The one JSON Lines reader (samples.iter_jsonl): strict for a user's file, tolerant for our own stores."""

from __future__ import annotations

import json

import pytest

from reasoncraft.samples import JsonlStore, iter_jsonl, read_jsonl
from reasoncraft.tasks.base import read_jsonl as read_task_rows
from reasoncraft.train.metrics import MetricsLog, read_metrics
from reasoncraft.train.sft import read_messages


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_file_names_file_and_line_of_a_bad_line_in_the_middle(tmp_path):
    path = _write(tmp_path / "data.jsonl", '{"a": 1}\n\n{"a": oops}\n{"a": 3}\n')
    with pytest.raises(ValueError) as err:
        read_jsonl(path, hint="each line must be one JSON object")
    assert str(err.value) == f"{path}:3: not valid JSON (Expecting value); each line must be one JSON object"
    assert list(iter_jsonl(_write(tmp_path / "ok.jsonl", '{"a": 1}\n\n  \n[2]\n'))) == [(1, {"a": 1}), (4, [2])]


def test_each_caller_keeps_its_message(tmp_path):
    path = _write(tmp_path / "bad.jsonl", '{"messages": []}\n{"messages": \n')
    with pytest.raises(
        ValueError, match=r"bad\.jsonl:2: not valid JSON \(Expecting value\); each line must be one JSON"
    ):
        read_task_rows(str(path))
    with pytest.raises(ValueError) as err:
        read_messages(path)
    assert str(err.value) == f"{path}:2: not valid JSON (Expecting value)"
    with pytest.raises(ValueError, match=r"no\.jsonl:1: no 'messages' column"):
        read_messages(_write(tmp_path / "no.jsonl", '{"text": "hi"}\n'))


def test_our_store_skips_a_partial_line_wherever_the_next_append_left_it(tmp_path):
    store = JsonlStore(tmp_path / "store.jsonl")
    store.append([{"i": 0}, {"i": 1}])
    with open(store.path, "ab") as handle:
        handle.write(b'{"i": 2, "trunc')  # a kill mid-write
    assert [r["i"] for r in JsonlStore(store.path).read()] == [0, 1]
    store.append([{"i": 3}])  # starts on a fresh line: the partial line is now in the middle
    reread = JsonlStore(store.path)
    assert [r["i"] for r in reread.read()] == [0, 1, 3] and reread.skipped_lines == 1


def test_the_metrics_log_resumes_past_a_partial_last_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    log = MetricsLog(path)
    for step in (1, 2, 3):
        log.write({"step": step, "loss": 1.0 / step})
    with open(path, "a") as handle:
        handle.write('{"step": 4, "lo')  # a kill mid-write
    assert [r["step"] for r in read_metrics(path)] == [1, 2, 3]
    MetricsLog(path, resume_step=2)
    assert path.read_text() == "".join(json.dumps({"step": s, "loss": 1.0 / s}) + "\n" for s in (1, 2))
