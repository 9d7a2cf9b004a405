"""Loading: a YAML file, then `key=value` overrides, then values already parsed (options), into one dataclass.

Later sources win; every value is typed by `coerce`; an unknown key is refused with the closest known one; a
YAML syntax error or a repeated key names the file and the line; a missing required field names the field.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .coerce import ConfigError, coerce, field_types, parse_text

C = TypeVar("C")


# One name per concept across commands; each group's other names are accepted as aliases (the names commands used
# before: `n` and `k` for samples, `problems` for limit, `out` for out_dir, `max_steps` for steps, `threads`).
ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"samples", "n", "k"}),
    frozenset({"limit", "problems"}),
    frozenset({"out_dir", "out"}),
    frozenset({"steps", "max_steps"}),
    frozenset({"threads", "num_threads"}),
)


def canonical_key(cls: type, key: str) -> str:
    """`key` as `cls` names it: itself when it is a field, else the field its alias group holds (or itself).

    >>> from reasoncraft.eval_config import EvalConfig
    >>> canonical_key(EvalConfig, "n"), canonical_key(EvalConfig, "out"), canonical_key(EvalConfig, "seed")
    ('samples', 'out_dir', 'seed')
    """
    known = {f.name for f in dataclasses.fields(cls)}
    if key in known:
        return key
    group = next((g for g in ALIASES if key in g), frozenset())
    matches = sorted(group & known)
    return matches[0] if len(matches) == 1 else key


def _check_key(cls: type, key: str, where: str) -> str:
    """The field `key` names (itself or through an alias); an unknown key is refused with the closest known one."""
    key = canonical_key(cls, key)
    known = [f.name for f in dataclasses.fields(cls)]
    if key not in known:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        raise ConfigError(f"unknown config key {key!r} in {where}{hint}")
    return key


def read_yaml(path: str | Path) -> tuple[dict, dict[str, int]]:
    """A YAML mapping and the line of each top-level key; syntax errors and repeated keys name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist: check the path (recipes live in configs/)")
    loader = yaml.SafeLoader(path.read_text())
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is None or data is None:  # an empty file (or only comments)
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path} must hold a mapping of key: value, got {type(data).__name__}")
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        if key in lines:
            raise ConfigError(f"{path}, line {line}: key {key!r} is given twice (first on line {lines[key]}): keep one")
        lines[key] = line
    return data, lines


def anchor_model(name: Any, base: Path | None) -> Any:
    """A model reference (catalogue name, hub id, local folder or .gguf file) as a config file means it: a local
    path that exists relative to the file's folder becomes that absolute path (as `datasets:` paths do); anything
    else stays as given (a name, a hub id, or a path relative to the working directory, as typed on a command line).

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); (folder / "model").mkdir()
    >>> anchor_model("model", folder) == str(folder / "model"), anchor_model("model", None)
    (True, 'model')
    >>> anchor_model("smollm2-135m", folder), anchor_model("Qwen/Qwen2.5-0.5B", folder), anchor_model(None, folder)
    ('smollm2-135m', 'Qwen/Qwen2.5-0.5B', None)
    """
    if base is None or not isinstance(name, str) or not name:
        return name
    local = Path(base) / Path(name).expanduser()
    return os.path.abspath(local) if local.exists() else name


def resolve_values(
    cls: type, path: str | Path | None = None, overrides: Sequence[str] = (), given: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The typed values of `cls`'s fields that a YAML file, `key=value` overrides and `given` set (later wins).

    `given` holds values a caller already parsed (command-line options); they are checked like the rest.
    """
    kinds = field_types(cls)
    escapes = {f.name for f in dataclasses.fields(cls) if f.metadata.get("escapes")}
    # a field's `paths` metadata anchors its relative paths: a file's at the file's folder, the command line's here
    anchor = {f.name: f.metadata["paths"] for f in dataclasses.fields(cls) if f.metadata.get("paths")}
    values: dict[str, Any] = {}
    if path is not None:
        loaded, lines = read_yaml(path)
        for key, value in loaded.items():
            where = f"config file {path}, line {lines.get(key, '?')}"
            key = _check_key(cls, str(key), where)
            values[key] = coerce(value, kinds[key], key, where)
            if key in anchor:
                values[key] = anchor[key](values[key], Path(path).parent)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key=value (e.g. learning_rate=2e-5)")
        key, text = item.split("=", 1)
        key = key.strip().lstrip("-").replace("-", "_")
        key = _check_key(cls, key, "the command line")
        values[key] = parse_text(text.strip(), kinds[key], key, escapes=key in escapes)
        if key in anchor:
            values[key] = anchor[key](values[key], None)
    for key, value in (given or {}).items():
        key = _check_key(cls, key, "the command line")
        values[key] = coerce(value, kinds[key], key)
        if key in anchor:
            values[key] = anchor[key](values[key], None)
    return values


def build(cls: type[C], values: Mapping[str, Any]) -> C:
    """`cls(**values)` with a missing required field named; `__post_init__` checks the rest.

    A config whose values depend on which ones a user stated (a preset under explicit settings) defines a
    classmethod `from_values(values)`, which is called instead.
    """
    missing = [
        f
        for f in dataclasses.fields(cls)
        if f.name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        name, option = missing[0].name, (missing[0].metadata.get("cli") or [None])[0]
        raise ConfigError(
            f"{name} is required: give it in the config file or as {name}=..."
            + (f" (option {option})" if option else "")
        )
    try:
        return cls.from_values(values) if hasattr(cls, "from_values") else cls(**values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc


def load_config(cls: type[C], path: str | Path | None = None, overrides: Sequence[str] = ()) -> C:
    """Build `cls` from an optional YAML file, then `key=value` overrides (later wins); validate."""
    return build(cls, resolve_values(cls, path, overrides))
