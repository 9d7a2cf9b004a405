"""The caller's side of the launcher's fork server (`_launcher.serve`).

One server process per `Sandbox`, started on first use from a dedicated thread that lives as long
as the caller (a parent-death signal is tied to the thread that started the child, so a pool
thread that exits would otherwise take the server with it). A dead server is restarted on the
next run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

__all__ = ["ForkServer", "Spawned"]

LAUNCHER = Path(__file__).with_name("_launcher.py")


class Spawned:
    """One launched run: its launcher's pid and the connection that reports its exit."""

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.conn = conn
        self._buffer = b""
        self.status: int | None = None

    def fileno(self) -> int:
        return self.conn.fileno()

    def on_readable(self) -> bool:
        """Read the server's report; True once the launcher's exit status is known (or lost)."""
        chunk = self.conn.recv(256)
        self._buffer += chunk
        if b"\n" in self._buffer:
            word, _, value = self._buffer.partition(b"\n")[0].partition(b" ")
            self.status = int(value) if word == b"exit" else -1
            return True
        if not chunk:  # the server died: the run is lost
            self.status = -1
            return True
        return False

    def close(self) -> None:
        self.conn.close()


class ForkServer:
    def __init__(self, python: str) -> None:
        self.python = python
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._dir: str | None = None

    @property
    def socket_path(self) -> str:
        return os.path.join(self._dir, "launcher.sock")

    def _start(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="reasoncraft-forkserver-")
        atexit.register(shutil.rmtree, self._dir, True)  # the server itself dies with this process
        started = threading.Event()
        error: list[BaseException] = []

        def keeper() -> None:
            try:
                self._proc = subprocess.Popen(
                    [self.python, "-I", "-S", str(LAUNCHER), self.socket_path, str(os.getpid())],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=None,
                    env={},
                    close_fds=True,
                    start_new_session=True,
                )
                line = self._proc.stdout.readline()
                if line != b"ready\n":
                    raise OSError(f"sandbox fork server did not start (said {line!r})")
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                error.append(exc)
            finally:
                started.set()
            threading.Event().wait()  # keep this thread, the server's parent-death anchor, alive

        threading.Thread(target=keeper, name="sandbox-forkserver", daemon=True).start()
        started.wait()
        if error:
            raise error[0]

    def spawn(self, config_path: str, fds: tuple[int, int, int]) -> Spawned:
        """Fork a launcher for `config_path` with `fds` as its stdin, stdout and stderr."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                if self._dir:
                    shutil.rmtree(self._dir, ignore_errors=True)
                self._start()
            path = self.socket_path
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(path)
            socket.send_fds(conn, [config_path.encode()], list(fds))
            line = b""
            while not line.endswith(b"\n"):
                chunk = conn.recv(64)
                if not chunk:
                    raise OSError("sandbox fork server closed the connection")
                line += chunk
        except BaseException:
            conn.close()
            raise
        word, _, value = line.strip().partition(b" ")
        if word != b"pid":
            conn.close()
            raise OSError(f"sandbox fork server answered {line!r}")
        spawned = Spawned(int(value), conn)
        spawned._buffer = line.partition(b"\n")[2]
        return spawned
