"""Per-run cgroups: a process-count limit and a memory limit, on cgroup v1 or v2.

RLIMIT_NPROC counts every process of a uid across the machine (so concurrent sandboxes would share
one budget) and rlimits do not bind root; a cgroup limits exactly one run's process tree.

Each run gets its own group under a `reasoncraft-sandbox` parent, created below the caller's own
group so that limits set on the caller (a container, a CI job) still apply to the programs it runs.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CgroupLayout", "RunCgroups", "detect_layout"]

_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class CgroupLayout:
    """Where this process may create per-run groups: a parent folder per controller."""

    version: int  # 1 or 2
    pids_parent: Path | None
    memory_parent: Path | None

    @property
    def complete(self) -> bool:
        return self.pids_parent is not None and self.memory_parent is not None


def _own_group(controller: str) -> str | None:
    """This process's group path for a v1 controller (or "" key for v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return None


def _writable_parent(base: Path) -> Path | None:
    parent = base / "reasoncraft-sandbox"
    try:
        parent.mkdir(exist_ok=True)
        probe = parent / f"probe-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return None
    return parent


def _detect_v1() -> CgroupLayout | None:
    found: dict[str, Path | None] = {}
    for controller in ("pids", "memory"):
        mount = _ROOT / controller
        own = _own_group(controller)
        if not (mount / "cgroup.procs").exists() or own is None:
            found[controller] = None
            continue
        found[controller] = _writable_parent(mount / own.lstrip("/"))
        if found[controller] is not None and controller == "memory":
            # v1 memory groups must be hierarchical for the parent's limit to bind its children.
            hierarchy = found[controller] / "memory.use_hierarchy"
            if hierarchy.exists() and hierarchy.read_text().strip() != "1":
                found[controller] = None
    if not any(found.values()):
        return None
    return CgroupLayout(1, found["pids"], found["memory"])


def _detect_v2() -> CgroupLayout | None:
    for mount in (_ROOT, _ROOT / "unified"):
        if not (mount / "cgroup.controllers").exists():
            continue
        own = _own_group("")
        if own is None:
            continue
        parent = _writable_parent(mount / own.lstrip("/"))
        if parent is None:
            continue
        try:  # enable the controllers for the per-run children
            (parent / "cgroup.subtree_control").write_text("+pids +memory")
        except OSError:
            pass
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        return CgroupLayout(2, parent if "pids" in enabled else None, parent if "memory" in enabled else None)
    return None


def detect_layout() -> CgroupLayout | None:
    """The best writable cgroup layout here, or None where this process cannot create groups."""
    v1 = _detect_v1()
    if v1 is not None and v1.complete:
        return v1
    v2 = _detect_v2()
    if v2 is not None and (v1 is None or v2.complete):
        return v2
    return v1


@dataclass
class RunCgroups:
    """The groups of one run: created with limits, joined by the launcher, emptied and removed."""

    layout: CgroupLayout
    max_processes: int
    memory_bytes: int
    dirs: list[Path] = field(default_factory=list)

    def create(self) -> list[str]:
        """Create the groups, set the limits, return the `cgroup.procs` files to join."""
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        if self.layout.version == 2:
            parent = self.layout.pids_parent or self.layout.memory_parent
            d = parent / name
            d.mkdir()
            self.dirs.append(d)
            if self.layout.pids_parent is not None:
                (d / "pids.max").write_text(str(self.max_processes))
            if self.layout.memory_parent is not None:
                (d / "memory.max").write_text(str(self.memory_bytes))
                if (d / "memory.swap.max").exists():
                    (d / "memory.swap.max").write_text("0")
            return [str(d / "cgroup.procs")]
        if self.layout.pids_parent is not None:
            d = self.layout.pids_parent / name
            d.mkdir()
            self.dirs.append(d)
            (d / "pids.max").write_text(str(self.max_processes))
        if self.layout.memory_parent is not None:
            d = self.layout.memory_parent / name
            d.mkdir()
            self.dirs.append(d)
            (d / "memory.limit_in_bytes").write_text(str(self.memory_bytes))
            memsw = d / "memory.memsw.limit_in_bytes"
            if memsw.exists():  # no swap: the limit is on memory + swap
                memsw.write_text(str(self.memory_bytes))
        return [str(d / "cgroup.procs") for d in self.dirs]

    def pids(self) -> set[int]:
        out: set[int] = set()
        for d in self.dirs:
            try:
                out.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return out

    def oom_killed(self) -> bool:
        """True when the memory limit was hit and the kernel killed a process for it."""
        for d in self.dirs:
            for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
                try:
                    for line in (d / name).read_text().splitlines():
                        k, _, v = line.partition(" ")
                        if k == key and int(v) > 0:
                            return True
                except OSError:
                    continue
        return False

    def kill_all(self, deadline_s: float = 2.0) -> bool:
        """SIGKILL every process in the groups until they are empty; True when emptied."""
        end = time.monotonic() + deadline_s
        for d in self.dirs:
            kill_file = d / "cgroup.kill"
            if kill_file.exists():
                try:
                    kill_file.write_text("1")
                except OSError:
                    pass
        while time.monotonic() < end:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)
        return not self.pids()

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(200):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy for a moment while the last zombies are reaped
                    time.sleep(0.005)
        self.dirs.clear()
