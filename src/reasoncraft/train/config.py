"""Typed configuration for training commands: a dataclass, filled from YAML and `key=value` overrides.

Shared by every trainer (GRPO, SFT). A command's config is one dataclass whose fields carry a
help string in `field(metadata={"help": ...})` and whose `__post_init__` checks cross-field rules
once, with a message that says how to fix the problem. This module only does the mechanics:
read a YAML file, apply overrides with each value parsed to the field's type, reject unknown
keys (naming the closest known one), and save the resolved config beside the run's outputs.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import types
import typing
from pathlib import Path
from typing import Any, Sequence, TypeVar


def help_field(text: str, default: Any = None, factory: Any = None) -> Any:
    """A dataclass field with its help string (shown by `--show-config`); `factory` for mutable defaults."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"help": text})
    return dataclasses.field(default=default, metadata={"help": text})

C = TypeVar("C")


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message says how to fix it."""


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _parse_value(text: str, kind: Any, key: str) -> Any:
    """Parse the text of a command-line override into the field's type (YAML syntax for lists)."""
    import yaml

    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):  # Optional[X]
        if text.lower() in ("none", "null", ""):
            return None
        kind = next(a for a in args if a is not type(None))
        origin = typing.get_origin(kind)
    try:
        if kind is bool:
            lowered = text.lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise ValueError(text)
        if kind in (int, float, str):
            return kind(text)
        return yaml.safe_load(text)  # lists and dicts: `rewards=[accuracy, format]`
    except ValueError as exc:
        raise ConfigError(f"{key}={text!r} is not a valid {getattr(kind, '__name__', kind)}") from exc


def _check_keys(cls: type, keys: Sequence[str], where: str) -> None:
    known = [f.name for f in dataclasses.fields(cls)]
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
            raise ConfigError(f"unknown config key {key!r} in {where}{hint}")


def load_config(cls: type[C], path: str | Path | None = None, overrides: Sequence[str] = ()) -> C:
    """Build `cls` from an optional YAML file, then `key=value` overrides (later wins); validate."""
    import yaml

    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist: check the path (recipes live in configs/)")
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path} must hold a mapping of key: value, got {type(loaded).__name__}")
        _check_keys(cls, list(loaded), str(path))
        values.update(loaded)
    kinds = _field_types(cls)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key=value (e.g. learning_rate=2e-5)")
        key, text = item.split("=", 1)
        key = key.strip().lstrip("-").replace("-", "_")
        _check_keys(cls, [key], "the command line")
        values[key] = _parse_value(text.strip(), kinds[key], key)
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc


def config_dict(config: Any) -> dict:
    return dataclasses.asdict(config)


def save_config(config: Any, path: str | Path) -> Path:
    """Write the resolved config as YAML (loadable again by `load_config`)."""
    import yaml

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(json.loads(json.dumps(config_dict(config))), sort_keys=False))
    return path


def describe(cls: type) -> str:
    """Every field with its default and help string, for `--help` and docs."""
    lines = []
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else "required")
        lines.append(f"{f.name} (default {default!r}): {f.metadata.get('help', '')}")
    return "\n".join(lines)
