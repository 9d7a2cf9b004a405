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


def auto_threads() -> int:
    """CPU threads that do not oversubscribe the machine: the cores not already busy (1-minute load), 1 to 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(8, cores - round(busy)))


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
