"""Bad input of every class answered as issue #15 asks: exit 2, at most 3 lines, no traceback, nothing changed on disk.

Each row is one mistake a new user makes; all run in-process through typer's CliRunner, and none may load a model
(`HFBackend.from_name` fails the test), because every one of them can be found before loading.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_openai_server import FakeOpenAIServer
from reasoncraft.cli import app
from reasoncraft.config import config_dict
from reasoncraft.train.grpo_config import GRPOConfig

GRPO = "configs/r1_zero_quickstart.yaml"


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Files a user has lying around: data files with a bad line in the middle, configs, an old GRPO run folder."""
    good = {"problem": "1+1?", "answer": "2"}
    (tmp_path / "bad.jsonl").write_text(json.dumps(good) + "\n{not json\n" + json.dumps(good) + "\n")
    (tmp_path / "bad.csv").write_text('question,answer\n"1+1?,2\n')
    (tmp_path / "task.yaml").write_text("source: bad.csv\ncolumns: {question: question, answer: answer}\n")
    (tmp_path / "empty_answers.csv").write_text("question,answer\n1+1?,2\n2+2?,\n")
    (tmp_path / "task2.yaml").write_text("source: empty_answers.csv\ncolumns: {question: question, answer: answer}\n")
    (tmp_path / "broken.yaml").write_text("tasks: [arith-sum-2d\nsamples: 2\n")
    (tmp_path / "list.yaml").write_text("- tasks\n- samples\n")
    (tmp_path / "a_file").write_text("not a folder")
    grpo = tmp_path / "grpo"
    grpo.mkdir()
    (grpo / "run.json").write_text(json.dumps({"command": "train grpo", "config": config_dict(GRPOConfig())}))
    (grpo / "metrics.jsonl").write_text('{"step": 1}\n')
    return tmp_path


# (name, command line with {tmp} for the workspace, a fragment the one-line answer must hold)
CASES = [
    ("unknown model", ["eval", "-t", "arith-sum-2d", "--model", "nope-7b", "--out", "{tmp}/o"], "not a catalogue name"),
    ("unknown model (train)", ["train", "grpo", GRPO, "model=nope-7b", "out_dir={tmp}/o"], "not a catalogue name"),
    ("unknown teacher", ["distill", "teacher=nope-7b", "out_dir={tmp}/o"], "not a catalogue name"),
    ("unknown task", ["eval", "-t", "arith-sum-9z9", "--out", "{tmp}/o"], "arith-sum-9z9"),
    ("unknown task (scale)", ["scale", "--task", "nope", "--out", "{tmp}/o"], "unknown task"),
    ("unknown task (train)", ["train", "grpo", GRPO, "task=nope", "out_dir={tmp}/o"], "unknown task"),
    ("unknown split", ["eval", "-t", "arith-sum-2d", "--split", "validation", "--out", "{tmp}/o"], "has splits"),
    ("unknown template", ["eval", "-t", "arith-sum-2d", "--template", "chatml", "--out", "{tmp}/o"], "template"),
    ("unknown reward", ["train", "grpo", GRPO, "rewards=[acuracy, gsm8k_accuracy]", "out_dir={tmp}/o"], "acuracy"),
    ("unknown config key", ["eval", "samplez=3", "--task", "arith-sum-2d"], "did you mean 'samples'"),
    ("unknown config key (train)", ["train", "grpo", GRPO, "lr=1e-5"], "unknown config key 'lr'"),
    ("unknown option", ["eval", "--task", "arith-sum-2d", "--sample", "3"], "--sample"),
    ("unknown task option", ["eval", "-t", "arith-sum-2d", "--task-option", "nonsense=3"], "does not take"),
    ("unknown task option (scale)", ["scale", "--task-option", "nonsense=3", "--out", "{tmp}/o"], "does not take"),
    (
        "malformed JSONL (scale)",
        ["scale", "--task", "math500", "--data-path", "{tmp}/bad.jsonl", "--out", "{tmp}/o"],
        "2",
    ),
    ("malformed JSONL mid-file", ["eval", "-t", "math500", "--data-path", "{tmp}/bad.jsonl", "--out", "{tmp}/o"], "2"),
    ("malformed CSV", ["eval", "-t", "{tmp}/task.yaml", "--out", "{tmp}/o"], "task"),
    ("CSV row without answer", ["eval", "-t", "{tmp}/task2.yaml", "--out", "{tmp}/o"], "answer"),
    ("malformed YAML", ["eval", "{tmp}/broken.yaml"], "broken.yaml, line"),
    ("YAML not a mapping", ["eval", "{tmp}/list.yaml"], "must hold a mapping"),
    ("missing config file", ["eval", "{tmp}/nowhere.yaml"], "does not exist"),
    (
        "missing data file",
        ["eval", "-t", "math500", "--data-path", "{tmp}/nowhere.jsonl", "--out", "{tmp}/o"],
        "nowhere",
    ),
    ("missing SFT data", ["train", "sft", "datasets=[{tmp}/nowhere.jsonl]", "out_dir={tmp}/o"], "nowhere.jsonl"),
    ("temperature < 0", ["eval", "-t", "arith-sum-2d", "--temperature", "-1"], "--temperature must be >= 0"),
    ("limit 0", ["eval", "-t", "arith-sum-2d", "--limit", "0"], "--limit must be >= 1"),
    ("samples 0", ["eval", "-t", "arith-sum-2d", "--samples", "0"], "--samples must be >= 1"),
    ("top_p > 1", ["eval", "-t", "arith-sum-2d", "top_p=1.5"], "top-p"),
    ("steps < 1 (train)", ["train", "grpo", GRPO, "steps=-3", "out_dir={tmp}/o"], "steps"),
    ("wrong type (option)", ["eval", "-t", "arith-sum-2d", "--samples", "many"], "--samples"),
    ("wrong type (override)", ["train", "grpo", GRPO, "steps=thirty"], "steps: 'thirty' is not a valid int"),
    ("wrong type (file)", ["eval", "{tmp}/typed.yaml"], "samples: 'many' is not a valid int"),
    ("occupied folder", ["eval", "-t", "arith-sum-2d", "--limit", "2", "--out", "{tmp}/grpo"], "train grpo"),
    ("occupied folder (resume)", ["eval", "-t", "arith-sum-2d", "--out", "{tmp}/grpo", "--resume"], "train grpo"),
    ("file as folder", ["eval", "-t", "arith-sum-2d", "--out", "{tmp}/a_file"], "is a file, not a folder"),
    ("file as folder (train)", ["train", "grpo", GRPO, "out_dir={tmp}/a_file/run"], "is a file, not a folder"),
    ("resume and overwrite", ["eval", "-t", "arith-sum-2d", "--resume", "--overwrite"], "give one of them"),
    ("distill from a test split", ["distill", "split=test", "out_dir={tmp}/o"], "evaluation split"),
    ("scale budget", ["scale", "--max-n", "6", "--out", "{tmp}/o"], "power of two"),
]


@pytest.mark.parametrize("name, args, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_before_loading(name, args, fragment, workspace, monkeypatch):
    import reasoncraft.cli.distill as distill
    import reasoncraft.train.grpo as grpo
    import reasoncraft.train.sft as sft
    from reasoncraft.backends import HFBackend

    monkeypatch.setattr(HFBackend, "from_name", classmethod(lambda *a, **k: pytest.fail("a model was loaded")))
    for module, name in ((grpo, "train_grpo"), (sft, "train_sft"), (distill, "run_distill")):
        monkeypatch.setattr(module, name, lambda *a, **k: pytest.fail("a run started"))
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # the repository: configs/ as the docs write it
    (workspace / "typed.yaml").write_text("tasks: [arith-sum-2d]\nsamples: many\n")
    before = files(workspace)
    argv = [a.replace("{tmp}", str(workspace)) for a in args]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "120", "REASONCRAFT_DEBUG": ""})
    output = result.output
    assert result.exit_code == 2, (argv, output, result.exception)
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, output
    assert fragment.replace("{tmp}", str(workspace)) in output, output
    assert files(workspace) == before  # nothing a user had was changed, and nothing was written
    assert not (workspace / "o").exists()


def test_debug_shows_the_traceback(workspace):
    result = CliRunner().invoke(app, ["eval", "-t", "arith-sum-2d", "--limit", "0", "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.output and "--limit must be >= 1" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes through permissions")
def test_unreadable_and_unwritable_paths(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text('{"problem": "1+1?", "answer": "2"}\n')
    data.chmod(0)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    unreadable = CliRunner().invoke(
        app, ["eval", "-t", "math500", "--data-path", str(data), "--out", str(tmp_path / "o")]
    )
    unwritable = CliRunner().invoke(app, ["eval", "-t", "arith-sum-2d", "--out", str(locked / "run")])
    for result in (unreadable, unwritable):
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) <= 3


def test_bare_commands_show_their_usage():
    for argv in (["distill"], ["train", "grpo"], ["train", "sft"]):
        result = CliRunner().invoke(app, argv, env={"COLUMNS": "120"})
        assert result.exit_code == 2 and "Usage:" in result.output, argv


# --- servers: each failure mode of the fake server, and garbage where a server should be --------------------------


class _Garbage(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the class's status, content type and body (a web page, plain text, other JSON)."""

    status, kind, body = 200, "text/html", b"<html><body>Welcome to nginx!</body></html>"

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(self.status)
        self.send_header("Content-Type", self.kind)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def garbage_server(status: int, kind: str, body: bytes):
    handler = type("Handler", (_Garbage,), {"status": status, "kind": kind, "body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _eval_server(url: str, tmp_path: Path, *extra: str):
    argv = ["eval", "-t", "arith-sum-2d", "--limit", "1", "--base-url", url, "--model", "fake-model"]
    argv += ["--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "cache"), "--no-progress", *extra]
    started = time.monotonic()
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "120", "OPENAI_API_KEY": ""})
    return result, time.monotonic() - started


def _assert_one_line_error(result, fragment: str) -> None:
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert 1 <= len([line for line in result.output.splitlines() if line.strip()]) <= 3, result.output
    assert fragment in result.output, result.output


GARBAGE = [
    ("an HTML page", 200, "text/html", b"<!doctype html><html>hi</html>", "HTML page"),
    ("plain text", 200, "text/plain", b"hello", "not JSON"),
    ("JSON of another shape", 200, "application/json", b'{"models": ["a"]}', "list of models"),
    ("HTTP 500", 500, "application/json", b'{"error": "boom"}', "HTTP 500"),
    ("HTTP 404 (a URL without the API)", 404, "text/plain", b"not found", "HTTP 404"),
]


@pytest.mark.parametrize("name, status, kind, body, fragment", GARBAGE, ids=[g[0] for g in GARBAGE])
def test_a_server_answering_garbage_is_reported_within_seconds(name, status, kind, body, fragment, tmp_path):
    with garbage_server(status, kind, body) as url:
        result, seconds = _eval_server(url, tmp_path)
    _assert_one_line_error(result, fragment)
    assert seconds < 10
    assert not (tmp_path / "o").exists()


def test_a_server_that_is_not_there_is_reported_within_seconds(tmp_path, monkeypatch):
    result, seconds = _eval_server(f"http://127.0.0.1:{_closed_port()}/v1", tmp_path)
    _assert_one_line_error(result, "cannot reach")
    assert seconds < 10
    import reasoncraft.train.grpo as grpo

    monkeypatch.setattr(grpo, "train_grpo", lambda *a, **k: pytest.fail("training started"))
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    argv = ["train", "grpo", GRPO, f"rollout_server={url}", f"out_dir={tmp_path / 'g'}"]
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    _assert_one_line_error(CliRunner().invoke(app, argv, env={"COLUMNS": "120"}), "cannot reach")


def _arith_prompt():
    from reasoncraft.tasks import get_task

    task = get_task("arith-sum-2d")
    return task.prompt(task.problems("test", 1)[0])


FAULTS = [  # (fault injected on every attempt, extra options, fragment, seconds it may take)
    ("malformed", [], "not an OpenAI completion", 10),
    ("badshape", [], "gave up", 10),
    ("drop", [], "gave up", 10),
    ("500", ["--max-retries", "1"], "raise --max-retries", 10),
    ("400", [], "400", 10),
]


@pytest.mark.parametrize("fault, extra, fragment, limit_s", FAULTS, ids=[f[0] for f in FAULTS])
def test_each_failure_mode_of_the_fake_server(fault, extra, fragment, limit_s, tmp_path):
    with FakeOpenAIServer(max_lifetime=60.0) as server:
        server.inject(_arith_prompt(), *[fault] * 20)
        result, seconds = _eval_server(server.base_url, tmp_path, *extra)
    _assert_one_line_error(result, fragment)
    assert seconds < limit_s


def test_a_server_needing_a_key_or_serving_another_model(tmp_path):
    with FakeOpenAIServer(api_key="secret", max_lifetime=60.0) as server:
        result, _ = _eval_server(server.base_url, tmp_path)
    _assert_one_line_error(result, "OPENAI_API_KEY")
    with FakeOpenAIServer(model="served-model", max_lifetime=60.0) as server:
        result, _ = _eval_server(server.base_url, tmp_path)
    _assert_one_line_error(result, "--model served-model")
