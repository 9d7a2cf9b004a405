"""The sandbox's ordinary behaviour: results, limits, environment, refusal without isolation, pool."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import reasoncraft
from reasoncraft.sandbox import Limits, Sandbox, SandboxPool, SandboxUnavailable, run, run_python

try:
    Sandbox().check()
    AVAILABLE = True
except SandboxUnavailable:
    AVAILABLE = False

needs_sandbox = pytest.mark.skipif(not AVAILABLE, reason="sandbox isolation unavailable here")


def _package_copy_readable_by_anyone() -> Path:
    """The package root with only `reasoncraft/__init__.py`, `threads.py` and `sandbox/` (standard library only),
    copied into a fresh world-readable folder under /tmp: an unprivileged caller cannot read the checkout when it
    lives under a private (mode-700) folder, nor pytest's tmp_path (/tmp/pytest-of-root is mode 700)."""
    source = Path(reasoncraft.__file__).parent
    root = Path(tempfile.mkdtemp(prefix="reasoncraft-anyone-", dir="/tmp"))
    (root / "reasoncraft").mkdir()
    for module in ("__init__.py", "threads.py"):  # what the package imports eagerly (standard library only)
        shutil.copy(source / module, root / "reasoncraft" / module)
    shutil.copytree(source / "sandbox", root / "reasoncraft" / "sandbox", ignore=shutil.ignore_patterns("__pycache__"))
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return root


@needs_sandbox
def test_run_python_returns_output_exit_code_and_stdin():
    r = run_python(
        "import sys\nprint(sys.stdin.read().upper())\nsys.stderr.write('e')\nsys.exit(3)", stdin="hello", timeout_s=5
    )
    assert (r.stdout, r.stderr, r.exit_code, r.timed_out, r.stop_reason) == ("HELLO\n", "e", 3, False, "exit")
    assert r.isolation == "namespaces" and not r.ok


@needs_sandbox
def test_stdin_is_closed_unless_given_and_environment_is_empty():
    r = run_python("import os, sys\nprint(repr(sys.stdin.read()))\nprint(sorted(os.environ))", timeout_s=5)
    lines = r.stdout.splitlines()
    assert lines[0] == "''"
    assert eval(lines[1]) == sorted(["HOME", "LANG", "PATH", "PYTHONDONTWRITEBYTECODE", "TMPDIR"])


@needs_sandbox
def test_generic_run_takes_argv_and_files():
    r = run(["/bin/sh", "-c", "cat data/in.txt; id -u; pwd"], files={"data/in.txt": "x y\n"})
    assert r.stdout.splitlines() == ["x y", "65534", "/sandbox"]


@needs_sandbox
def test_program_runs_unprivileged_without_capabilities_in_its_own_pid_namespace():
    r = run_python(
        "import os\nst=open('/proc/self/status').read()\n"
        "print(os.getuid(), os.getppid(), st.split('CapEff:')[1].split()[0],"
        " st.split('NoNewPrivs:')[1].split()[0])",
        timeout_s=5,
    )
    uid, ppid, cap, nnp = r.stdout.split()
    assert (uid, ppid, int(cap, 16), nnp) == ("65534", "1", 0, "1")


@needs_sandbox
def test_file_size_and_disk_limits():
    r = run_python("open('big', 'wb').write(b'x' * (3 * 2**20))", limits=Limits(wall_s=5, max_file_mb=1))
    assert not r.ok and "File too large" in r.stderr
    r = run_python(
        "for i in range(8):\n    open(f'f{i}', 'wb').write(b'x' * 2**20)", limits=Limits(wall_s=5, disk_mb=4)
    )
    assert not r.ok and "No space left" in r.stderr


@needs_sandbox
def test_cpu_limit_reason():
    r = run_python("while True:\n    pass", limits=Limits(wall_s=5, cpu_s=1))
    assert r.stop_reason == "cpu_limit"  # the wall clock (5 s) did not stop it; load varies here


def test_limits_reject_bad_values_with_the_field_name():
    with pytest.raises(ValueError, match="wall_s must be positive"):
        Limits(wall_s=0)
    with pytest.raises(ValueError, match="max_open_files must be >= 8"):
        Limits(max_open_files=3)


@needs_sandbox
def test_file_names_must_stay_inside_the_run_folder():
    with pytest.raises(ValueError, match="inside the run folder"):
        run(["/bin/true"], files={"../escape": "x"})


def test_refuses_without_isolation_unless_allowed():
    """A real unprivileged caller (nobody) cannot isolate: the sandbox refuses, or runs marked unsafe."""
    if os.geteuid() != 0 or not os.path.exists("/usr/bin/setpriv"):
        pytest.skip("needs root to become an unprivileged caller")
    # The caller imports the package under test from a copy it can read, wherever the checkout lives.
    package_root = _package_copy_readable_by_anyone()
    script = (
        f"import sys; sys.path.insert(0, {str(package_root)!r})\n"
        "from reasoncraft.sandbox import Sandbox, SandboxUnavailable\n"
        "try:\n"
        "    Sandbox().run(['/bin/true'])\n"
        "    print('RAN')\n"
        "except SandboxUnavailable as e:\n"
        "    print('REFUSED', e)\n"
        "r = Sandbox(allow_unsafe=True).run(['/bin/echo', 'hi'])\n"
        "print('UNSAFE', r.isolation, r.stdout.strip())\n"
    )
    try:
        proc = subprocess.run(
            [
                "setpriv",
                "--reuid",
                "65534",
                "--regid",
                "65534",
                "--clear-groups",
                "/usr/bin/python3",
                "-I",
                "-c",
                script,
            ],
            cwd=package_root,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin"},
        )
    finally:
        shutil.rmtree(package_root)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("REFUSED") and "allow_unsafe=True" in lines[0], proc.stdout + proc.stderr
    assert lines[1] == "UNSAFE unsafe hi"


@needs_sandbox
def test_pool_runs_in_parallel_and_one_hang_costs_one_result():
    with SandboxPool(workers=2) as pool:
        start = time.monotonic()
        results = pool.run_python_many(
            ["import time; time.sleep(30)"] + [f"print({i})" for i in range(6)], limits=Limits(wall_s=2)
        )
        elapsed = time.monotonic() - start
    assert results[0].stop_reason == "wall_timeout"
    assert [r.stdout.strip() for r in results[1:]] == [str(i) for i in range(6)]
    assert elapsed < 6


@needs_sandbox
def test_interpreter_outside_system_folders_is_bound_read_only():
    """The project's own Python may live under /root (pyenv), unreadable to the sandbox user: its
    prefix is bound in read-only, and nothing else of /root comes with it."""
    import sys

    real = os.path.realpath(sys.executable)
    if real.startswith("/usr/"):
        pytest.skip("this interpreter is already a system one")
    sandbox = Sandbox(python=real)
    r = sandbox.run_python("import sys, os\nprint(sys.prefix)\nopen(sys.prefix + '/x', 'w')", limits=Limits(wall_s=10))
    assert r.stdout.strip() == str(Path(real).parent.parent)
    assert "Read-only file system" in r.stderr or "Permission denied" in r.stderr
