"""The linter holds: `ruff check` and `ruff format --check`, configured in pyproject.toml ([tool.ruff]: line length
120, Python 3.10 syntax), pass over src/, tests/ and benchmarks/.

ruff comes with the dev extra (`bash scripts/setup.sh dev`); where it is not installed these tests are skipped.
Most findings fix themselves: `ruff check --fix src tests benchmarks && ruff format src tests benchmarks`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("src", "tests", "benchmarks")
FIX = "ruff check --fix src tests benchmarks && ruff format src tests benchmarks"


def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    pytest.importorskip("ruff", reason="ruff comes with the dev extra: bash scripts/setup.sh dev")
    # --no-cache: a test writes nothing into the checkout
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_ruff_check_passes():
    done = ruff("check", "--output-format", "concise", *PATHS)
    assert done.returncode == 0, f"ruff check (most fix with `{FIX}`):\n{done.stdout}{done.stderr}"


def test_ruff_format_is_held():
    done = ruff("format", "--check", *PATHS)
    assert done.returncode == 0, f"ruff format --check (fix with `{FIX}`):\n{done.stdout}{done.stderr}"


def test_the_configuration_is_the_one_applied(tmp_path):
    """The project's settings reach ruff: a 121-character line, an unsorted import block and an `Optional` are
    findings, a 120-character line is not."""
    source = textwrap.dedent("""\
        import sys
        import os
        from typing import Optional


        def f(x: Optional[int]) -> int:
            return len(os.sep) + len(sys.argv) + (x or 0)


        A = "{a}"
        B = "{b}"
    """).format(a="a" * (120 - len('A = ""')), b="b" * (121 - len('B = ""')))
    (tmp_path / "sample.py").write_text(source)
    done = ruff(
        "check", "--output-format", "concise", "--config", str(ROOT / "pyproject.toml"), "sample.py", cwd=tmp_path
    )
    findings = [line for line in done.stdout.splitlines() if line.startswith("sample.py:")]
    codes = sorted({line.split(": ", 1)[1].split()[0] for line in findings})
    assert codes == ["E501", "I001", "UP045"], done.stdout + done.stderr
    assert "sample.py:11:" in done.stdout and "sample.py:10:" not in done.stdout  # B's line is over, A's is not
