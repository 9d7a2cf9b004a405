"""release_freed_memory gives freed heap memory back to the OS (Linux/glibc)."""

import subprocess
import sys
import textwrap

import pytest

# In a fresh interpreter (the test process's own heap holds torch and pytest): fill the heap with 64 KiB
# blocks (below malloc's mmap threshold), each followed by a small block that stays alive, then free the
# big ones: they become holes that free() cannot give back (only the heap's top can shrink), as a
# training step's freed activations do. Compare resident memory before and after the trim.
_SCRIPT = textwrap.dedent("""
    import os
    from reasoncraft.train.memory import release_freed_memory

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    blocks, keep = [], []
    for _ in range(3000):
        blocks.append(bytearray(os.urandom(16)) * 4096)
        keep.append(bytearray(os.urandom(8)) * 100)  # 800 bytes: from malloc, not Python's small-object pool
    del blocks
    before = rss_mb()
    trimmed = release_freed_memory()
    print(trimmed, before, rss_mb())
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and needs glibc")
def test_freed_heap_goes_back_to_the_os():
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    trimmed, before, after = out.stdout.split()
    assert trimmed == "True"
    assert float(before) - float(after) > 30, out.stdout
