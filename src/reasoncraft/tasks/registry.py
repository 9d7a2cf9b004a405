"""The task registry: `get_task("math500")`, `get_task("arith-sum-2d", seed=1)`, `list_tasks()`.

A registered entry is a factory `factory(spec, **options) -> Task` (a `Task` subclass whose
`__init__` takes `spec` as its first argument qualifies). An entry registered with `prefix=True`
answers every spec that starts with its name (`arith-` answers `arith-sum-2d`); exact names win.
A spec ending in ``.yaml``/``.yml`` is a user task's column mapping (`tasks.custom`). Built-in task
modules are imported on first lookup so `import reasoncraft.tasks` stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

_EXACT: dict[str, Callable] = {}
_PREFIX: dict[str, Callable] = {}
_EXAMPLES: dict[str, list[str]] = {}
_BUILTIN_MODULES = ("arithmetic", "math", "countdown", "custom", "gym", "code", "multiple_choice")


def register_task(name: str, *, prefix: bool = False, examples: list[str] | None = None) -> Callable:
    """Decorator: make `factory` reachable as `get_task(name, **options)`.

    `examples` lists specs shown by `list_tasks()` for a prefix entry (default: the name itself).
    """

    def decorate(factory: Callable) -> Callable:
        table = _PREFIX if prefix else _EXACT
        existing = table.get(name)
        if existing is not None and getattr(existing, "__qualname__", None) != getattr(factory, "__qualname__", None):
            raise ValueError(f"task name {name!r} is already registered to {existing!r}; pick another name")
        table[name] = factory
        _EXAMPLES[name] = list(examples) if examples else [name]
        return factory

    return decorate


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        try:
            importlib.import_module(f"{__package__}.{module}")
        except ModuleNotFoundError as e:  # a built-in not present in this checkout
            if e.name != f"{__package__}.{module}":
                raise


def get_task(spec: str, **options):
    """Build the task named by `spec` with keyword `options` (seed, sizes, template, data_path...)."""
    _load_builtins()
    if spec.endswith((".yaml", ".yml")):  # a user task's column mapping
        return _EXACT["custom"]("custom", config=spec, **options)
    if spec in _EXACT:
        return _EXACT[spec](spec, **options)
    for name in sorted(_PREFIX, key=len, reverse=True):
        if spec.startswith(name):
            return _PREFIX[name](spec, **options)
    raise KeyError(f"unknown task {spec!r}; known: {', '.join(list_tasks(include_patterns=True))}")


_PATTERNS = {"custom": "custom (config=task.yaml) or task.yaml", "rg:": "rg:<reasoning-gym dataset>"}


def list_tasks(include_patterns: bool = False) -> list[str]:
    """Every task spec that builds with default options (example specs for pattern entries), sorted.

    `include_patterns=True` adds the forms that need an argument (a YAML mapping, a reasoning-gym name).
    """
    _load_builtins()
    names = {example for name in (*_EXACT, *_PREFIX) if name not in _PATTERNS for example in _EXAMPLES[name]}
    if include_patterns:
        names |= {_PATTERNS[name] for name in _PATTERNS if name in _EXACT or name in _PREFIX}
    return sorted(names)
