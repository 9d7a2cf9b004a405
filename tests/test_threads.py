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
    monkeypatch.setattr(threads, "busy_cores", lambda: 1.2)
    import torch

    before = torch.get_num_threads()
    try:
        assert reasoncraft.use_threads() == 3 and torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def _stat(path, user, nice, system, idle):
    path.write_text(f"cpu  {user} {nice} {system} {idle} 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n")


def test_busy_cores_are_the_non_niced_cpu_time_of_the_window(tmp_path, monkeypatch):
    """Two snapshots of /proc/stat: over the window 150 of 400 jiffies were busy (user + system) on 4 cores, so
    1.5 cores; the 100 niced jiffies count as idle (a `nice` job yields its core)."""
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    stat = tmp_path / "stat"
    _stat(stat, user=1000, nice=500, system=200, idle=3000)

    def sleep(seconds):  # the window passes: +100 user, +100 nice, +50 system, +150 idle
        _stat(stat, user=1100, nice=600, system=250, idle=3150)

    monkeypatch.setattr(threads.time, "sleep", sleep)
    assert threads.busy_cores(path=str(stat)) == pytest.approx(4 * 150 / 400)


def test_without_proc_stat_the_load_average_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.7, 0.0, 0.0))
    assert threads.busy_cores(path=str(tmp_path / "missing")) == 0.7


def test_on_this_machine_it_is_a_share_of_the_cores():
    assert 0.0 <= threads.busy_cores() <= len(threads.os.sched_getaffinity(0)) + 1e-9
    assert 1 <= threads.auto_threads() <= 8
