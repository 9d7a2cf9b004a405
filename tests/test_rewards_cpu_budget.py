"""The checker worker's per-pair budget is CPU time: a pair that is slow only because the machine is busy is
still decided, and a pair that really needs too much CPU is a failure without killing the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from reasoncraft.rewards.base import RewardFailure
from reasoncraft.rewards.checker import MathChecker

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "sched_setaffinity"), reason="needs /proc and CPU pinning"
)
SLOW = (r"\sin(x)^{20} \le 1", r"\cos(x)^{20} \le 1")  # about a second of sympy on this project's machine
SLOWER = (r"\sin(x)^{40} \le 1", r"\cos(x)^{40} \le 1")  # over ten seconds


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _warm(checker: MathChecker) -> int:
    assert checker.verdicts([("x+1", "1+x")]) == [True]
    return checker._proc.pid


@linux_only
def test_a_pair_slowed_by_a_busy_machine_is_still_decided():
    probe = MathChecker(deadline_s=60, soft_timeout_s=60, cpu_budget_s=60)
    try:
        pid = _warm(probe)
        before = _cpu_seconds(pid)
        assert probe.verdicts([SLOW]) == [False]
        need = _cpu_seconds(pid) - before  # the CPU this pair costs
    finally:
        probe.close()
    budget = max(2 * need, 0.3)
    checker = MathChecker(deadline_s=60, soft_timeout_s=60, cpu_budget_s=budget)
    busy = []
    try:
        pid = _warm(checker)
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(pid, {core})
        for _ in range(3):  # three busy loops on the worker's core: it gets about a quarter of it
            busy.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
            os.sched_setaffinity(busy[-1].pid, {core})
        start = time.monotonic()
        verdict = checker.verdicts([SLOW])[0]
        elapsed = time.monotonic() - start
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
        checker.close()
    assert elapsed > budget  # the premise: a wall-clock budget of this size would have cut it off
    assert verdict is False  # decided, not a time-out
    assert checker.restarts == 0


def test_a_pair_over_its_cpu_budget_fails_and_the_worker_goes_on():
    checker = MathChecker(deadline_s=60, soft_timeout_s=60, cpu_budget_s=0.5)
    try:
        _warm(checker)
        start = time.monotonic()
        verdicts = checker.verdicts([("2x", "x+x"), SLOWER, ("x^2", r"x \cdot x")])
        elapsed = time.monotonic() - start
    finally:
        checker.close()
    assert verdicts[0] is True and verdicts[2] is True
    assert isinstance(verdicts[1], RewardFailure) and "CPU" in verdicts[1].reason
    assert checker.restarts == 0  # stopped inside the worker, not killed
    assert elapsed < 30


def test_cpu_budget_must_be_positive():
    with pytest.raises(ValueError, match="cpu_budget_s must be > 0"):
        MathChecker(cpu_budget_s=0)
