"""Run one untrusted program in an isolated, limited process and collect what it did.

`Sandbox.run(argv, files=..., stdin=..., limits=...)` is language-neutral: `argv[0]` is a program
inside the sandbox's root (system directories are bound read-only), `files` are written into the
run's working folder. `run_python` is the Python front end over it.

Isolation (see docs/sandbox.md for the threat model): fresh mount, PID, network, IPC, UTS and cgroup
namespaces; a new root on a size-limited tmpfs; an unprivileged uid with no capabilities and
`no_new_privs`; per-run cgroups for process count and memory; rlimits for CPU seconds, address
space, file size and open files; a wall-clock deadline and an output cap enforced by the caller.
The caller never runs untrusted code in its own process, so a crash or a hang costs one result.

Before the first run the sandbox tests itself (`Sandbox.check`); where isolation is missing it
refuses to run unless it was built with `allow_unsafe=True`, and then marks every result
`isolation="unsafe"`.
"""

from __future__ import annotations

import logging
import marshal
import math
import os
import selectors
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cgroups import CgroupLayout, RunCgroups, detect_layout
from .forkserver import ForkServer
from .probe import PROBE_SOURCE, verify_probe

__all__ = ["Limits", "RunResult", "Sandbox", "SandboxUnavailable", "SandboxError", "STOP_REASONS"]

log = logging.getLogger(__name__)

STOP_REASONS = ("exit", "wall_timeout", "cpu_limit", "memory_limit", "output_limit", "signal", "sandbox_error")
DEFAULT_RO_BINDS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/lib32",
    "/libx32",
    "/etc/ld.so.cache",
    "/etc/alternatives",
)
WORKDIR = "/sandbox"
SANDBOX_UID = 65534  # nobody; the program never runs as root, even when the caller is root


def _launcher_python() -> str:
    """The launcher runs as the caller (root) before any isolation; the system Python starts fastest."""
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


class SandboxUnavailable(RuntimeError):
    """Isolation is missing here and the caller did not allow unsafe execution."""


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the program): an infrastructure failure."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run. Every limit is enforced outside the program."""

    wall_s: float = 10.0  # wall-clock seconds, enforced by the caller's clock
    cpu_s: float | None = None  # CPU seconds per process (RLIMIT_CPU); default: ceil(wall_s)
    memory_mb: int = 512  # the run's whole process tree (cgroup); address space is capped at 2x+256
    max_processes: int = 32  # processes and threads of the run's tree (pids cgroup)
    max_output_bytes: int = 1_000_000  # stdout + stderr together; more stops the run
    max_file_mb: int = 16  # largest file the program may write (RLIMIT_FSIZE)
    max_open_files: int = 64  # RLIMIT_NOFILE
    disk_mb: int = 64  # size of the run's private tmpfs root (its folder and /tmp)

    def __post_init__(self) -> None:
        for name in (
            "wall_s",
            "memory_mb",
            "max_processes",
            "max_output_bytes",
            "max_file_mb",
            "max_open_files",
            "disk_mb",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive: got {getattr(self, name)!r}")
        if self.cpu_s is not None and self.cpu_s <= 0:
            raise ValueError(f"Limits.cpu_s must be positive or None: got {self.cpu_s!r}")
        if self.max_open_files < 8:
            raise ValueError(
                f"Limits.max_open_files must be >= 8 for an interpreter to start: got {self.max_open_files}"
            )

    @property
    def cpu_seconds(self) -> int:
        return max(1, math.ceil(self.cpu_s if self.cpu_s is not None else self.wall_s))

    def rlimits(self) -> dict[str, int]:
        mb = 1 << 20
        return {
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_AS": (2 * self.memory_mb + 256) * mb,
            "RLIMIT_FSIZE": self.max_file_mb * mb,
            "RLIMIT_NOFILE": self.max_open_files,
            "RLIMIT_CORE": 0,
        }


@dataclass
class RunResult:
    """What one sandboxed run did. `stop_reason` is one of `STOP_REASONS`."""

    exit_code: int | None  # None when the program was killed by a signal or never ran
    stdout: str
    stderr: str
    timed_out: bool
    stop_reason: str
    signal: int | None = None
    wall_s: float = 0.0
    cpu_s: float | None = None
    isolation: str = "namespaces"  # or "unsafe"
    stdout_bytes: int = 0  # bytes the program wrote, before the cap
    detail: str = ""  # the sandbox's own diagnostic for sandbox_error

    @property
    def ok(self) -> bool:
        """The program ran to completion and exited 0."""
        return self.stop_reason == "exit" and self.exit_code == 0


@dataclass
class Sandbox:
    """Isolated execution with a self-test; one instance can serve many threads at once."""

    allow_unsafe: bool = False  # run without isolation where it is missing (never silently)
    python: str | None = None  # interpreter for run_python; default /usr/bin/python3
    uid: int = SANDBOX_UID
    gid: int = SANDBOX_UID
    extra_ro_binds: tuple[str, ...] = ()
    _checked: str | None = field(default=None, init=False, repr=False)  # "namespaces" | "unsafe"
    _problem: str = field(default="", init=False, repr=False)
    _layout: CgroupLayout | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _lock_server: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _forkserver: ForkServer | None = field(default=None, init=False, repr=False)

    # ----- configuration -------------------------------------------------------------------
    def interpreter(self) -> str:
        """The Python the sandboxed programs run under: a system one, readable by any user."""
        candidates = [self.python] if self.python else ["/usr/bin/python3", "/usr/local/bin/python3"]
        for path in candidates:
            if path and os.path.exists(path):
                return path
        if self.python:
            raise SandboxError(f"interpreter {self.python!r} does not exist")
        return os.path.realpath(sys.executable)  # bound read-only below, see ro_binds()

    def ro_binds(self, argv0: str | None = None) -> list[str]:
        binds = [p for p in DEFAULT_RO_BINDS if os.path.lexists(p)] + list(self.extra_ro_binds)
        for program in filter(None, [argv0]):
            real = os.path.realpath(program)
            if not any(real == b or real.startswith(b.rstrip("/") + "/") for b in binds):
                # An interpreter outside the system folders (pyenv under /root): bind its prefix.
                binds.append(str(Path(real).parent.parent))
        return binds

    # ----- self-test -----------------------------------------------------------------------
    def check(self) -> str:
        """Test isolation once; return "namespaces" or "unsafe", or raise SandboxUnavailable."""
        with self._lock:
            if self._checked is None:
                self._checked, self._problem = self._self_test()
                if self._checked == "unsafe":
                    msg = (
                        f"sandbox isolation is unavailable here ({self._problem}); untrusted code "
                        "would run with rlimits only"
                    )
                    if not self.allow_unsafe:
                        self._checked = None
                        raise SandboxUnavailable(
                            msg + ". Refusing to run it. Run as root on Linux with namespaces and "
                            "writable cgroups, or pass allow_unsafe=True to accept the risk."
                        )
                    log.warning("%s; allow_unsafe=True was given, continuing UNSAFELY", msg)
            return self._checked

    def _self_test(self) -> tuple[str, str]:
        if sys.platform != "linux":
            return "unsafe", f"platform {sys.platform} has no Linux namespaces"
        if os.geteuid() != 0:
            return "unsafe", "namespaces, uid switching and cgroups need the caller to be root"
        layout = detect_layout()
        if layout is None or not layout.complete:
            return "unsafe", "no writable pids and memory cgroups for per-run limits"
        self._layout = layout
        try:
            # The probe tests isolation, not the user's interpreter choice: use the system one.
            python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else self.interpreter()
            result = self._run_isolated(
                [python, "-I", "-S", "-c", PROBE_SOURCE], {}, None, Limits(wall_s=20.0), "namespaces"
            )
        except (OSError, SandboxError) as exc:
            return "unsafe", f"probe could not start: {exc}"
        problem = verify_probe(result, self.uid)
        return ("unsafe", problem) if problem else ("namespaces", "")

    # ----- running -------------------------------------------------------------------------
    def run(
        self,
        argv: list[str],
        *,
        files: dict[str, str] | None = None,
        stdin: str | bytes | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        """Run `argv` inside the sandbox; `files` (relative path -> text) go into its folder.

        `stdin=None` gives the program a closed stdin; a string or bytes is fed to it.
        """
        if not argv:
            raise ValueError("argv must name a program: got an empty list")
        for rel in files or {}:
            if rel.startswith("/") or ".." in Path(rel).parts:
                raise ValueError(f"file names must be relative and stay inside the run folder: {rel!r}")
        mode = self.check()
        return self._run_isolated(list(argv), files or {}, stdin, limits or Limits(), mode)

    def run_python(
        self,
        code: str,
        *,
        stdin: str | bytes | None = None,
        files: dict[str, str] | None = None,
        args: list[str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        """Run Python source `code` as `main.py` in the run folder."""
        all_files = dict(files or {})
        all_files["main.py"] = code
        return self.run(
            [self.interpreter(), "-I", "main.py", *(args or [])], files=all_files, stdin=stdin, limits=limits
        )

    def _run_isolated(self, argv, files, stdin, limits: Limits, mode: str) -> RunResult:
        host_dir = Path(tempfile.mkdtemp(prefix="reasoncraft-sbx-"))
        isolated = mode == "namespaces"
        cgroups = None
        if self._layout is not None:
            # +2 for the launcher and the namespace's init, which live in the groups too
            cgroups = RunCgroups(self._layout, limits.max_processes + 2, limits.memory_mb << 20)
        try:
            env = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1",
                "HOME": WORKDIR if isolated else str(host_dir / "work"),
                "TMPDIR": "/tmp",
            }
            if not isolated:
                env["TMPDIR"] = env["HOME"]
            cfg = {
                "isolated": isolated,
                "root": str(host_dir / "root"),
                "workdir": WORKDIR if isolated else str(host_dir / "work"),
                "status_path": str(host_dir / "status"),
                "disk_mb": limits.disk_mb,
                "ro_binds": self.ro_binds(argv[0]),
                "files": files,
                "uid": self.uid,
                "gid": self.gid,
                "rlimits": limits.rlimits(),
                "argv": argv,
                "env": env,
                "cgroup_procs": cgroups.create() if cgroups else [],
            }
            (host_dir / "root").mkdir(mode=0o700)
            if not isolated:  # the unprivileged program must reach its plain host folder
                os.chmod(host_dir, 0o711)
            config = host_dir / "config.bin"
            config.touch(mode=0o600)
            config.write_bytes(marshal.dumps(cfg, 4))  # the launcher reads it without importing json
            return self._supervise(cfg, host_dir, stdin, limits, cgroups, mode)
        finally:
            if cgroups is not None:
                cgroups.kill_all()
                cgroups.remove()
            shutil.rmtree(host_dir, ignore_errors=True)

    def _server(self) -> ForkServer:
        with self._lock_server:
            if self._forkserver is None:
                self._forkserver = ForkServer(_launcher_python())
            return self._forkserver

    def _supervise(
        self, cfg, host_dir: Path, stdin, limits: Limits, cgroups: RunCgroups | None, mode: str
    ) -> RunResult:
        start = time.monotonic()
        data = stdin.encode() if isinstance(stdin, str) else stdin
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        if data:
            in_r, in_w = os.pipe()
        else:  # closed stdin: the program reads EOF at once
            in_r, in_w = os.open(os.devnull, os.O_RDONLY), None
        try:
            spawned = self._server().spawn(str(host_dir / "config.bin"), (in_r, out_w, err_w))
        except BaseException:
            for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
                if fd is not None:
                    os.close(fd)
            raise
        for fd in (in_r, out_w, err_w):
            os.close(fd)
        out, err, total, reason = bytearray(), bytearray(), 0, None
        deadline = start + limits.wall_s
        sel = selectors.DefaultSelector()
        sel.register(out_r, selectors.EVENT_READ, out)
        sel.register(err_r, selectors.EVENT_READ, err)
        sel.register(spawned, selectors.EVENT_READ, "exit")
        pending = memoryview(data) if data else None
        if in_w is not None:
            os.set_blocking(in_w, False)
            sel.register(in_w, selectors.EVENT_WRITE, "stdin")
        open_fds = {out_r, err_r} | ({in_w} if in_w is not None else set())
        exited = False
        try:
            while (not exited or out_r in open_fds or err_r in open_fds) and reason is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    reason = "wall_timeout"
                    break
                for key, _ in sel.select(timeout=min(remaining, 0.5)):
                    if key.data == "exit":
                        if spawned.on_readable():
                            exited = True
                            sel.unregister(spawned)
                        continue
                    if key.data == "stdin":
                        try:
                            pending = pending[os.write(in_w, pending[:65536]) :]
                        except (BlockingIOError, OSError):
                            pending = pending[:0]
                        if not pending:
                            sel.unregister(in_w)
                            os.close(in_w)
                            open_fds.discard(in_w)
                        continue
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        sel.unregister(key.fd)
                        os.close(key.fd)
                        open_fds.discard(key.fd)
                        continue
                    total += len(chunk)
                    room = limits.max_output_bytes - (len(out) + len(err))
                    key.data.extend(chunk[: max(room, 0)])
                    if total > limits.max_output_bytes:
                        reason = "output_limit"
                        break
        finally:
            if reason is not None or not exited:
                self._kill(spawned.pid, cgroups)
                while not exited:  # the server reports the launcher's end once the kill lands
                    exited = spawned.on_readable()
            sel.close()
            spawned.close()
            for fd in open_fds:
                os.close(fd)
        wall = time.monotonic() - start
        return self._result(
            cfg, host_dir, spawned.status, bytes(out), bytes(err), total, reason, wall, limits, cgroups, mode
        )

    @staticmethod
    def _kill(pid: int, cgroups: RunCgroups | None) -> None:
        try:  # the launcher's process group holds the namespace's init; the namespace dies with it
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if cgroups is not None:
            cgroups.kill_all()

    def _result(self, cfg, host_dir, launcher_rc, out, err, total, reason, wall, limits, cgroups, mode) -> RunResult:
        stdout = out.decode("utf-8", errors="replace")
        stderr = err.decode("utf-8", errors="replace")
        try:
            raw_status, cpu_text, _ = (host_dir / "status").read_text().split()
            status = {"status": int(raw_status), "cpu_s": float(cpu_text)}
        except (OSError, ValueError):
            status = None
        common = dict(stdout=stdout, stderr=stderr, wall_s=wall, isolation=mode, stdout_bytes=total)
        if reason is not None:
            return RunResult(None, timed_out=reason == "wall_timeout", stop_reason=reason, **common)
        if status is None:
            return RunResult(
                None,
                timed_out=False,
                stop_reason="sandbox_error",
                detail=f"launcher exited {launcher_rc} without a status: {stderr[-500:]}",
                **common,
            )
        raw, cpu = status["status"], status["cpu_s"]
        if os.WIFSIGNALED(raw):
            sig = os.WTERMSIG(raw)
            if cgroups is not None and cgroups.oom_killed():
                why = "memory_limit"
            elif sig in (signal.SIGKILL, signal.SIGXCPU) and cpu >= limits.cpu_seconds - 0.05:
                why = "cpu_limit"
            else:
                why = "signal"
            return RunResult(None, timed_out=False, stop_reason=why, signal=sig, cpu_s=cpu, **common)
        code = os.WEXITSTATUS(raw)
        if code == 126 and "sandbox: cannot start program" in stderr:
            return RunResult(
                code, timed_out=False, stop_reason="sandbox_error", cpu_s=cpu, detail=stderr.strip()[-500:], **common
            )
        return RunResult(code, timed_out=False, stop_reason="exit", cpu_s=cpu, **common)
