"""Test tiers: the default suite runs on the CPU with tiny random models; `slow` loads the real
embedded default model and `dist` launches several training processes (both run in CI; leave them
out locally with `-m "not dist and not slow"`); `gpu` runs only where CUDA is present.
Builders that several test modules share live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    skip_gpu = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (tests only; the library never needs it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside this checkout")
    return SHARED_DATA
