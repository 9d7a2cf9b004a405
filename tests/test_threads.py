"""`reasoncraft.use_threads`: a library call (the commands' --threads use the same), light at package import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import reasoncraft
from reasoncraft import threads
from reasoncraft.cli import checks


def test_the_package_exports_it_and_the_commands_use_the_same_function():
    assert reasoncraft.use_threads is threads.use_threads is checks.use_threads
    assert "use_threads" in reasoncraft.__all__


def test_import_and_call_before_torch_then_torch_takes_the_count():
    code = (
        "import json, sys, os; os.environ.pop('OMP_NUM_THREADS', None); import reasoncraft as rc; "
        "before = 'torch' in sys.modules; n = rc.use_threads(1); import torch; "
        "print(json.dumps({'torch_at_import': before, 'n': n, 'torch_threads': torch.get_num_threads()}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"torch_at_import": False, "n": 1, "torch_threads": 1}


def test_a_negative_count_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="threads must be >= 0"):
        reasoncraft.use_threads(-1)


def test_zero_is_the_cores_not_busy(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "1")  # so that monkeypatch puts back what the call overwrites
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    import torch

    before = torch.get_num_threads()
    try:
        assert reasoncraft.use_threads() == 3 and torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
