"""Showing a config: its fields in a reader's order, as plain data, as YAML saved beside a run, described in words.

The command's own fields come first, then each shared section's (`sections`); `describe` lists every field
with its type, default and help string (`--show-config` with nothing else).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import yaml

from .coerce import field_types, type_name
from .sections import Section


def ordered_fields(cls: Any) -> list[dataclasses.Field]:
    """A config's fields as a reader wants them: the command's own first, then each shared section's.

    (A dataclass puts inherited fields first; the sections are the background, not the headline.)
    """
    shared = [
        f.name
        for base in reversed(type.mro(cls if isinstance(cls, type) else type(cls))[1:])
        if dataclasses.is_dataclass(base) and issubclass(base, Section)
        for f in dataclasses.fields(base)
    ]
    fields = dataclasses.fields(cls)
    return [f for f in fields if f.name not in shared] + sorted(
        (f for f in fields if f.name in shared), key=lambda f: shared.index(f.name)
    )


def section_of(cls: Any, name: str) -> type | None:
    """The shared section that declares the field `name` of a config (None for the command's own fields).

    >>> from reasoncraft.train.sft_config import SFTConfig
    >>> section_of(SFTConfig, "learning_rate").title, section_of(SFTConfig, "datasets")
    ('Optimizer', None)
    """
    for base in type.mro(cls if isinstance(cls, type) else type(cls))[1:]:
        if dataclasses.is_dataclass(base) and issubclass(base, Section) and base is not Section:
            if name in {f.name for f in dataclasses.fields(base)}:
                return base
    return None


def config_dict(config: Any) -> dict:
    """The config as plain data, the command's own fields first."""
    values = dataclasses.asdict(config)
    return {f.name: values[f.name] for f in ordered_fields(config)}


def save_config(config: Any, path: str | Path) -> Path:
    """Write the resolved config as YAML (loadable again by `load_config`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(json.loads(json.dumps(config_dict(config))), sort_keys=False))
    return path


def field_default(f: dataclasses.Field) -> Any:
    """A field's default value, or `dataclasses.MISSING` when it is required."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def describe(cls: type) -> str:
    """Every field with its type, default and help string, for `--show-config` and docs."""
    kinds = field_types(cls)
    lines = []
    for f in ordered_fields(cls):
        default = field_default(f)
        shown = "required" if default is dataclasses.MISSING else f"default {default!r}"
        lines.append(f"{f.name} ({type_name(kinds[f.name])}, {shown}): {f.metadata.get('help', '')}")
    return "\n".join(lines)
