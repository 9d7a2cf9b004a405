"""CPU threads for in-process models, chosen so that a shared machine is not oversubscribed.

torch's default is one thread per core. On a machine where other processes already keep cores busy, every
extra thread waits for a core and every parallel region waits for the slowest thread: on a 2-core machine loaded
by another process, `reasoncraft generate --n 4 --max-new-tokens 32` took 89 s with torch's default and 7.7 s
with one thread, the README's Python snippet 102 s against 3.5 s (issue #15; `benchmarks/threads.py` measures
it again, quiet and loaded).

`use_threads()` is what every command that runs a model calls (its `--threads`), and what a Python user calls
before loading a model (`rc.use_threads()`): the cores not already busy, or OMP_NUM_THREADS where a user or a
launcher set it (torchrun sets 1 per process). It does not import torch: set before torch is imported, the
count reaches torch through OMP_NUM_THREADS; after, through `torch.set_num_threads`.
"""

from __future__ import annotations

import os
import sys
import time

STAT = "/proc/stat"
WINDOW_S = 0.2  # how long busy cores are sampled


def _cpu_times(path: str = STAT) -> tuple[int, int] | None:
    """(busy, total) jiffies of all cores from /proc/stat; niced time counts as idle (a `nice` background job
    yields its core), as do idle and I/O wait. None where there is no /proc/stat (not Linux)."""
    try:
        with open(path) as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is inside user already
    values = [int(v) for v in fields[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values + [0] * (8 - len(values))
    busy = user + system + irq + softirq + steal
    return busy, busy + nice + idle + iowait


def busy_cores(window: float = WINDOW_S, path: str = STAT) -> float:
    """Cores kept busy by other processes now: the non-niced CPU time over a short window (this process sleeps
    meanwhile). Where /proc/stat is missing, the 1-minute load average, which lags: right after a command ends
    it still counts that command for a minute."""
    first = _cpu_times(path)
    if first is None:
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    time.sleep(window)
    second = _cpu_times(path)
    busy, total = second[0] - first[0], second[1] - first[1]
    return _cores() * busy / total if total > 0 else 0.0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_threads() -> int:
    """CPU threads that do not oversubscribe the machine: the cores not busy now (`busy_cores`), 1 to 8."""
    return max(1, min(8, _cores() - round(busy_cores())))


def use_threads(threads: int = 0) -> int:
    """Set the CPU threads of torch (now, or when it is imported) to `threads` and return the count; 0 means
    OMP_NUM_THREADS when a user or a launcher set it, else `auto_threads()`."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 = the cores not already busy): got {threads}")
    given = os.environ.get("OMP_NUM_THREADS", "")
    count = threads or (int(given) if given.isdigit() and int(given) > 0 else auto_threads())
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(count)
    torch = sys.modules.get("torch")  # only when already imported: this module stays light
    if torch is not None:
        torch.set_num_threads(count)
    return count
