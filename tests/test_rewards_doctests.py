"""Every reward module's docstring examples run as tests (each reward carries a doctest)."""

import doctest
import importlib

import pytest

MODULES = [
    "base",
    "extract",
    "boxes",
    "bounds",
    "numwords",
    "plainsets",
    "notations",
    "orders",
    "gsm8k",
    "revision",
    "caps",
    "memo",
    "normalize",
    "plaintext",
    "exact",
    "numeric",
    "constants",
    "prose",
    "units",
    "checker",
    "text",
    "math",
    "format",
    "length",
    "language",
    "labels",
    "setops",
    "temperature",
    "approx",
    "relations",
    "funcspell",
    "unevaluated",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    module = importlib.import_module(f"reasoncraft.rewards.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctest"
    assert result.failed == 0
