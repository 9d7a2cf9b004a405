"""The attack suite: hostile programs that must end as failures, contained, with nothing left behind.

Each attack runs in a separate runner process placed in its own outer cgroup (256 processes, 2 GiB)
with an outer wall-clock timeout, so that a bug in the sandbox costs one test, not the machine.
After each attack: the run stopped within its wall limit + 1 s, the outer group is empty (no
process survived, daemons included; every descendant is in it since only root can leave a group),
no sandbox-owned process is left anywhere (checked in /proc), and the files it tried to plant
outside its folder do not exist.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from reasoncraft.sandbox import Sandbox, SandboxUnavailable
from reasoncraft.sandbox.cgroups import RunCgroups, detect_layout

try:
    Sandbox().check()
    AVAILABLE = True
except SandboxUnavailable:
    AVAILABLE = False

pytestmark = pytest.mark.skipif(
    not AVAILABLE,
    reason="sandbox isolation unavailable here (needs root, namespaces, cgroups); test_sandbox_core checks the refusal",
)

RUNNER = r"""
import json, os, sys
from reasoncraft.sandbox import Sandbox, Limits
from reasoncraft.sandbox.judge import judge_calls, judge_stdio
spec = json.loads(sys.stdin.read())
os.environ["HF_TOKEN"] = spec["canary"]  # a secret the caller holds: must not leak in
sb = Sandbox()
limits = Limits(**spec["limits"])
if spec["kind"] == "run":
    r = sb.run_python(spec["code"], limits=limits)
    out = {"passed": r.ok, "stop_reason": r.stop_reason, "exit_code": r.exit_code, "wall_s": r.wall_s,
           "stdout": r.stdout[-4000:], "stderr": r.stderr[-2000:], "stdout_bytes": r.stdout_bytes}
else:
    if spec["kind"] == "calls":
        v = judge_calls(sb, spec["code"], spec["tests"], limits=limits)
    else:
        v = judge_stdio(sb, spec["code"], spec["tests"], limits=limits, case_timeout_s=1.0)
    out = {"passed": v.passed, "stop_reason": v.stop_reason, "wall_s": v.run.wall_s, "errors": v.errors,
           "infrastructure_error": v.infrastructure_error,
           "stdout": v.run.stdout[-4000:], "stderr": v.run.stderr[-2000:]}
print(json.dumps(out))
"""

SMALL = {"wall_s": 2.0, "memory_mb": 256, "max_processes": 32}
ADD_TESTS = ["assert add(1, 2) == 3", "assert add(-5, 5) == 0"]


def _sandbox_uid_pids() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        uid_line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "")
        if uid_line.split()[1:2] == ["65534"]:
            pids.add(int(entry.name))
    return pids


def _remove_tree(d: Path) -> None:
    for sub in sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        sub.rmdir()
    d.rmdir()


def attack(code: str, *, kind: str = "run", tests=None, limits=None, expect_pass: bool = False) -> dict:
    """Run one attack in a contained runner; check what it left behind; return the result.

    `expect_pass=True` is for the controls: honest programs through the same harness must pass.
    """
    limits = {**SMALL, **(limits or {})}
    before = _sandbox_uid_pids()
    leftovers_before = set(Path("/tmp").glob("reasoncraft-sbx-*"))
    outer = RunCgroups(detect_layout(), max_processes=256, memory_bytes=2 << 30)
    procs_files = outer.create()
    joins = "; ".join(f"echo $$ > {f}" for f in procs_files)
    spec = {"kind": kind, "code": code, "tests": tests, "limits": limits, "canary": CANARY}
    try:
        proc = subprocess.run(
            ["sh", "-c", f'{joins}; exec "$0" -c "$1"', sys.executable, RUNNER],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=limits["wall_s"] + 30,
        )
        deadline = time.monotonic() + 2.0
        while outer.pids() and time.monotonic() < deadline:
            time.sleep(0.02)
        survivors = outer.pids()
    finally:
        outer.kill_all()
        for d in outer.dirs:
            _remove_tree(d)
    assert proc.returncode == 0, f"runner failed: {proc.stderr[-3000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not survivors, f"processes outlived the run: {survivors}"
    assert not (_sandbox_uid_pids() - before), "a sandbox-owned process is still running"
    assert set(Path("/tmp").glob("reasoncraft-sbx-*")) <= leftovers_before, "temp folder left behind"
    assert result["wall_s"] <= limits["wall_s"] + 1.0, f"stopped late: {result['wall_s']:.2f} s"
    assert result["passed"] == expect_pass, f"expected passed={expect_pass}: {result}"
    # a hostile program must earn a failure, never an "infrastructure error" (an unscored sample)
    assert not result.get("infrastructure_error"), result
    return result


CANARY = f"hf_canary_{uuid.uuid4().hex}"


def test_controls_honest_programs_pass_through_the_same_harness():
    attack(
        "print(sum(map(int, input().split())))", kind="stdio", tests=[{"input": "1 2", "output": "3"}], expect_pass=True
    )
    attack("def add(a, b):\n    return a + b\n", kind="calls", tests=ADD_TESTS, expect_pass=True)
    # closing its own stdout is no reason to fail an otherwise correct function
    attack(
        "import os\nos.close(1)\ndef add(a, b):\n    return a + b\n", kind="calls", tests=ADD_TESTS, expect_pass=True
    )


def test_fork_bomb_is_contained():
    r = attack("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n")
    assert r["stop_reason"] == "wall_timeout"


def test_infinite_loop_is_stopped():
    r = attack("while True:\n    pass\n")
    assert r["stop_reason"] in ("wall_timeout", "cpu_limit")


def test_sleep_forever_is_stopped():
    r = attack("import time\ntime.sleep(10**6)\n")
    assert r["stop_reason"] == "wall_timeout"


def test_ten_gigabyte_allocation_fails():
    r = attack("x = bytearray(10 * 2**30)\nx[::4096] = b'1' * len(x[::4096])\nprint('allocated')\n")
    assert r["stop_reason"] in ("exit", "memory_limit") and "allocated" not in r["stdout"]


def test_gradual_memory_hog_is_killed_by_the_cgroup():
    r = attack("x = []\nwhile True:\n    x.append(bytearray(2**20))\n", limits={"memory_mb": 128})
    assert r["stop_reason"] == "memory_limit"


def test_one_gigabyte_stdout_flood_is_cut():
    r = attack("import sys\nchunk = b'x' * 2**20\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)\n")
    assert r["stop_reason"] == "output_limit"
    assert len(r["stdout"]) <= 4000 and r["stdout_bytes"] < 50 * 2**20


def test_writes_outside_the_run_folder_do_not_land():
    marker = f"rc-attack-{uuid.uuid4().hex}"
    targets = [os.path.expanduser("~"), "/root", "/tmp", "/work", str(Path.cwd()), "/"]
    code = (
        "import os\n"
        f"targets = {targets!r} + [os.path.expanduser('~')]\n"
        "for d in targets:\n"
        "    try:\n"
        f"        open(os.path.join(d, {marker!r}), 'w').write('pwned')\n"
        "        print('wrote', d)\n"
        "    except OSError as e:\n"
        "        print('refused', d, e.errno)\n"
        "raise SystemExit(1)\n"
    )
    attack(code)
    for d in targets:
        assert not (Path(d) / marker).exists(), f"file planted in {d}"


def test_environment_canary_does_not_leak():
    code = (
        "import os, glob\n"
        "print(dict(os.environ))\n"
        "for p in glob.glob('/proc/*/environ'):\n"
        "    try:\n"
        "        print(open(p, 'rb').read())\n"
        "    except OSError:\n"
        "        pass\n"
        "raise SystemExit(1)\n"
    )
    r = attack(code)
    assert CANARY not in r["stdout"] and "HF_TOKEN" not in r["stdout"]


def test_only_loopback_is_visible():
    code = (
        "import os, socket\n"
        "print(sorted(n for _, n in socket.if_nameindex()))\n"
        "print(os.path.exists('/sys/class/net'))\n"
        "raise SystemExit(1)\n"
    )
    r = attack(code)
    names = json.loads(r["stdout"].splitlines()[0].replace("'", '"'))
    assert set(names) <= {"lo"}


def test_loopback_socket_to_the_host_is_unreachable():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'hi')\n"
        "    print('CONNECTED')\n"
        "except OSError as e:\n"
        "    print('refused', e)\n"
        "raise SystemExit(1)\n"
    )
    try:
        r = attack(code)
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    assert "CONNECTED" not in r["stdout"]


def test_killing_the_parent_fails():
    code = (
        "import os, signal\n"
        f"for pid in (os.getppid(), 1, {os.getpid()}, -1):\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL)\n"
        "    except OSError as e:\n"
        "        print('refused', pid, e.errno)\n"
        "raise SystemExit(1)\n"
    )
    attack(code)  # the runner reported a result, so it was not killed; neither was this test


def test_daemonised_child_does_not_outlive_the_program():
    marker = Path("/tmp") / f"rc-daemon-{uuid.uuid4().hex}"
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(3)\n"
        f"        open({str(marker)!r}, 'w').write('alive')\n"
        "        os._exit(0)\n"
        "    os._exit(0)\n"
        "raise SystemExit(1)\n"
    )
    attack(code)  # `attack` asserts that no process survived the run
    time.sleep(0.1)
    assert not marker.exists()


def test_ctypes_cannot_regain_privileges():
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "print('setuid', libc.setuid(0), os.getuid())\n"
        "print('prctl_nnp_off', libc.prctl(38, 0, 0, 0, 0))\n"
        "print('mount', libc.mount(b'none', b'/usr', b'tmpfs', 0, None))\n"
        "print('chroot', libc.chroot(b'/tmp'))\n"
        "print('unshare', libc.unshare(0x10000000))\n"  # a user namespace: root inside it
        "print('ptrace', libc.ptrace(16, 1, 0, 0))\n"  # attach to the namespace's init
        "print('caps', open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
        "raise SystemExit(1)\n"
    )
    r = attack(code)
    lines = dict(line.split(" ", 1) for line in r["stdout"].splitlines())
    assert lines["setuid"].split()[0] == "-1" and lines["setuid"].split()[1] != "0"
    assert lines["mount"] == "-1" and lines["chroot"] == "-1"
    assert lines["unshare"] == "-1" and lines["ptrace"] == "-1"
    assert int(lines["caps"], 16) == 0


# ----- forging a pass: the verdict is decided outside the candidate's process --------------------


def test_exit_zero_before_the_tests_fails():
    attack("import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n", kind="calls", tests=ADD_TESTS)
    attack("import os\nos._exit(0)\n", kind="calls", tests=ADD_TESTS)


def test_printing_pass_fails():
    forged = json.dumps({"done": True, "passed": 2, "total": 2})
    code = (
        "import sys\n"
        "print('PASS')\n"
        f"print({forged!r})\n"
        f"sys.stderr.write({forged!r} + '\\n')\n"
        "def add(a, b):\n"
        "    return 0\n"
    )
    attack(code, kind="calls", tests=ADD_TESTS)
    attack("print('PASS')\n", kind="stdio", tests=[{"input": "", "output": "PASS-NOT"}])


def test_closing_stdout_fails():
    code = "import os\nfor fd in range(3):\n    os.close(fd)\ndef add(a, b):\n    return a - b\n"
    attack(code, kind="calls", tests=ADD_TESTS)
    attack("import os\nos.close(1)\n", kind="stdio", tests=[{"input": "", "output": "1"}])


def test_prefix_of_the_expected_output_fails():
    attack("print(12)\n", kind="stdio", tests=[{"input": "", "output": "123"}])
    attack("print('123\\n456')\n", kind="stdio", tests=[{"input": "", "output": "123"}])


def test_ctypes_forged_verdict_fails():
    forged = json.dumps({"done": True, "passed": 2, "total": 2}) + "\n"
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None)\n"
        f"msg = {forged!r}.encode()\n"
        "for fd in range(64):\n"
        "    libc.write(fd, msg, len(msg))\n"
        "for pid in range(1, 64):\n"
        "    for path in (f'/proc/{pid}/fd/1', f'/proc/{pid}/mem'):\n"
        "        try:\n"
        "            open(path, 'wb').write(msg)\n"
        "        except OSError:\n"
        "            pass\n"
        "libc._exit(0)\n"
    )
    attack(code, kind="calls", tests=ADD_TESTS)


def test_returning_an_object_that_equals_everything_fails():
    code = "class Anything:\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Anything()\n"
    attack(code, kind="calls", tests=ADD_TESTS)
    liar = (  # a subclass of a plain type travels as its plain value: the forged __eq__ stays behind
        "class Liar(int):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = int.__hash__\n"
        "def add(a, b):\n"
        "    return Liar(0)\n"
    )
    attack(liar, kind="calls", tests=ADD_TESTS)


def test_garbage_on_the_protocol_channel_is_a_failure_not_an_infrastructure_error():
    code = (
        "import os\n"
        "for fd in range(3, 32):\n"
        "    try:\n"
        "        os.write(fd, b'{not json\\n[1, 2]\\n\"str\"\\n')\n"
        "    except OSError:\n"
        "        pass\n"
        "def add(a, b):\n"
        "    return a + b\n"
    )
    attack(code, kind="calls", tests=ADD_TESTS)
    reply_garbage = (
        "import os\n"
        "def add(a, b):\n"
        "    for fd in range(3, 32):\n"
        "        try:\n"
        '            os.write(fd, b\'{"ok": true, "value": ["nope"]}\\n\')\n'
        "        except OSError:\n"
        "            pass\n"
        "    return a + b\n"
    )
    attack(reply_garbage, kind="calls", tests=ADD_TESTS)
