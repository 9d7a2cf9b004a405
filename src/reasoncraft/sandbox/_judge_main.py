# The trusted judge (runs inside the sandbox, standard library only; `wire.py` is prepended).
#
# It reads its specification (the tests, with their expected values) from stdin, so the tests are
# never in a file the candidate could read; makes itself non-dumpable, so the candidate (same uid)
# cannot ptrace it or open its memory or descriptors through /proc; and runs the candidate as a
# child process whose only link to the judge is a pair of pipes. The judge alone writes to the
# sandbox's stdout, which is what the caller reads the verdict from: one JSON line per test, then a
# final {"done": ...} line. A candidate that exits early, prints "PASS", closes its stdout or
# patches its own interpreter never reaches that stream.
import builtins
import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time

PR_SET_DUMPABLE = 4
spec: dict = {}
verdict_out = None


def report(message):
    verdict_out.write(dumps(message) + "\n")
    verdict_out.flush()


def kill_strays():
    """Kill every process of the candidate's uid in this namespace except the judge itself."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


class CandidateGone(Exception):
    """The candidate process died or broke the protocol."""


class Remote:
    """The candidate's process, reached by one request/response pipe pair."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True, text=True, encoding="utf-8"
        )
        hello = self.receive()
        if not hello.get("ok"):
            raise CandidateGone(
                f"solution failed to load: {hello.get('error')}: {hello.get('message')}\n{hello.get('trace', '')}"
            )
        names = hello.get("names")
        self.names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def receive(self):
        try:
            line = self.proc.stdout.readline(spec.get("max_message_bytes", 4_000_000))
            message = loads(line) if line.endswith("\n") else None  # noqa: F821 - from wire.py
        except (ValueError, UnicodeDecodeError, RecursionError):
            message = None
        if not isinstance(message, dict):
            raise CandidateGone("candidate process ended or sent a malformed message")
        return message

    def request(self, message):
        try:
            self.proc.stdin.write(dumps(message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise CandidateGone(f"candidate process is gone: {exc}") from None
        return self.receive()


class RemoteRef:
    """An object that lives in the candidate; only calls and attribute reads are forwarded."""

    def __init__(self, remote, ref, type_name):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_type", type_name)

    def __call__(self, *args, **kwargs):
        return forward(self._remote, {"op": "call", "ref": self._ref}, args, kwargs)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return forward(self._remote, {"op": "getattr", "ref": self._ref, "attr": attr}, (), {})

    def __repr__(self):
        return f"<candidate {self._type} #{self._ref}>"


def encode_arg(value):
    if isinstance(value, RemoteRef):
        return ["ref", value._ref, value._type]
    t = type(value)
    if t in (list, tuple, set, frozenset):
        return [t.__name__, [encode_arg(v) for v in value]]
    if t is dict:
        return ["dict", [[encode_arg(k), encode_arg(v)] for k, v in value.items()]]
    return encode(value)


def forward(remote, head, args, kwargs):
    message = dict(head, args=[encode_arg(a) for a in args], kwargs={k: encode_arg(v) for k, v in kwargs.items()})
    reply = remote.request(message)
    deref = lambda n, t: RemoteRef(remote, n, t)  # noqa: E731
    try:
        return _unpack(reply, args, deref)
    except (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError) as exc:
        if isinstance(exc, _CandidateRaised):
            raise exc.original from None
        raise CandidateGone(f"candidate sent a malformed reply: {type(exc).__name__}") from None


class _CandidateRaised(ValueError):
    def __init__(self, original):
        super().__init__(str(original))
        self.original = original


def _unpack(reply, args, deref):
    if not reply.get("ok"):
        exc_type = getattr(builtins, str(reply.get("error")), None)
        if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
            exc_type = RuntimeError
        raise _CandidateRaised(exc_type(f"candidate raised {reply.get('error')}: {reply.get('message')}"))
    for original, after in zip(args, reply.get("args_after", [])):
        if after is None:
            continue
        new = decode(after, deref)  # the callee may mutate its arguments in place
        if type(original) is list and type(new) is list:
            original[:] = new
        elif type(original) in (dict, set) and type(new) is type(original):
            original.clear()
            original.update(new)
    return decode(reply["value"], deref)


def remote_function(remote, name):
    def call(*args, **kwargs):
        return forward(remote, {"op": "call", "name": name}, args, kwargs)

    call.__name__ = name
    return call


def run_call_mode():
    passed = 0
    tests = spec["tests"]
    try:
        remote = Remote(spec["argv"])
    except CandidateGone as exc:
        report({"test": 0, "ok": False, "error": str(exc)[-2000:]})
        return 0
    ns = {"__name__": "__judge__"}
    try:
        exec(compile(spec.get("setup", ""), "judge_setup.py", "exec"), ns)
    except BaseException as exc:  # noqa: BLE001
        report({"test": 0, "ok": False, "error": f"judge setup failed: {type(exc).__name__}: {exc}"})
        return 0
    names = spec.get("remote_names")
    if names is None:  # every name the candidate defined that the tests could not mean otherwise
        names = [n for n in remote.names if n not in ns and not hasattr(builtins, n)]
    for name in names:
        ns[name] = remote_function(remote, name)
    for i, test in enumerate(tests):
        try:
            exec(compile(test, f"test_{i}.py", "exec"), ns)
            ok, error = True, ""
        except CandidateGone as exc:
            ok, error = False, str(exc)
        except BaseException as exc:  # noqa: BLE001 - an assertion or any error fails the test
            ok, error = False, f"{type(exc).__name__}: {exc}"[:2000]
        report({"test": i, "ok": ok, "error": error})
        passed += ok
        if not ok and spec.get("stop_on_failure", True):
            break
    return passed


def run_capped(argv, data, timeout_s, cap):
    """Run one stdin/stdout case; return (stdout bytes, status string)."""
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
    )
    out = bytearray()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    os.set_blocking(proc.stdin.fileno(), False)
    pending = memoryview(data)
    if pending:
        sel.register(proc.stdin, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    deadline = time.monotonic() + timeout_s
    status = "ok"
    while sel.get_map():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            status = "timeout"
            break
        for key, _ in sel.select(remaining):
            if key.fileobj is proc.stdin:
                try:
                    pending = pending[os.write(key.fd, pending[:65536]) :]
                except (BlockingIOError, BrokenPipeError, OSError):
                    pending = pending[:0]
                if not pending:
                    sel.unregister(proc.stdin)
                    proc.stdin.close()
                continue
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(proc.stdout)
            out.extend(chunk)
        if len(out) > cap:
            status = "output_limit"
            break
    if status == "ok":
        try:
            proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            status = "timeout"
    kill_strays()
    proc.wait()
    if status == "ok" and proc.returncode != 0:
        status = f"exit {proc.returncode}"
    return bytes(out), status


def normalise(text, mode):
    if mode == "tokens":
        return text.split()
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_stdio_mode():
    passed = 0
    for i, case in enumerate(spec["tests"]):
        out, status = run_capped(
            spec["argv"], case["input"].encode(), spec["case_timeout_s"], spec.get("max_case_output_bytes", 1_000_000)
        )
        got = out.decode("utf-8", errors="replace")
        ok = status == "ok" and normalise(got, spec["compare"]) == normalise(case["output"], spec["compare"])
        error = "" if ok else (status if status != "ok" else "wrong output")
        report({"test": i, "ok": ok, "error": error})
        passed += ok
        if not ok and spec.get("stop_on_failure", True):
            break
    return passed


def main():
    global spec, verdict_out
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    spec = loads(sys.stdin.read())  # noqa: F821 - wire.py is prepended to this file
    os.close(0)
    verdict_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # test code's own prints go to stderr
    passed = run_call_mode() if spec["mode"] == "call" else run_stdio_mode()
    kill_strays()
    report({"done": True, "passed": passed, "total": len(spec["tests"])})


if __name__ == "__main__":
    main()
