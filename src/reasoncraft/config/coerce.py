"""Coercion: one function types a value from a YAML file or a command line as its field's type.

`learning_rate: 1e-5` (a string to YAML 1.1) becomes a float, `steps: "30"` an int, `none` None where the
field allows it; a value that does not fit raises a `ConfigError` naming the field, the value, the type
and where the value came from.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

import yaml


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message says how to fix it."""


def type_name(kind: Any) -> str:
    """A readable name of a field's type: "int", "float or None", "list of str", "one of 'a', 'b'"."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return " or ".join("None" if a is type(None) else type_name(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, tuple, collections.abc.Sequence) or kind in (list, tuple):
        inner = [a for a in args if a is not Ellipsis]
        return f"list of {type_name(inner[0])}" if inner else "list"
    if origin is dict or kind is dict:
        return f"mapping of {type_name(args[0])} to {type_name(args[1])}" if args else "mapping"
    return getattr(kind, "__name__", str(kind))


_INT = re.compile(r"[+-]?\d[\d_]*")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


class _Mismatch(Exception):
    """The value does not fit the type (the caller names the field and where the value came from)."""


def _coerce(value: Any, kind: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any or kind is object:
        return value
    if origin in (typing.Union, types.UnionType):  # Optional[X], X | Y: None first, then each type in order
        if value is None and type(None) in args:
            return None
        for option in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, option)
            except _Mismatch:
                pass
        raise _Mismatch
    if origin is Literal:
        for choice in args:
            try:
                if _coerce(value, type(choice)) == choice:
                    return choice
            except _Mismatch:
                pass
        raise _Mismatch
    if value is None:
        raise _Mismatch
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (str, int)) and str(value).strip().lower() in _TRUE + _FALSE:
            return str(value).strip().lower() in _TRUE
        raise _Mismatch
    if kind is int:
        if isinstance(value, bool):
            raise _Mismatch
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if _INT.fullmatch(text):
                return int(text)
            try:
                number = float(text)  # "1e3" is exactly 1000; "2.5" is not an int
            except ValueError:
                raise _Mismatch from None
            if math.isfinite(number) and number.is_integer():
                return int(number)
        raise _Mismatch
    if kind is float:
        if isinstance(value, bool):
            raise _Mismatch
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())  # YAML 1.1 reads `1e-5` (no dot) as a string
            except ValueError:
                raise _Mismatch from None
        raise _Mismatch
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # `split: 2024`; a bool is refused: YAML reads an unquoted `no` as false
        raise _Mismatch
    if origin in (list, tuple, collections.abc.Sequence) or kind in (list, tuple):
        items = [value] if isinstance(value, (str, int, float, dict)) else value  # one item may stand for a list
        if not isinstance(items, (list, tuple)):
            raise _Mismatch
        inner = [a for a in args if a is not Ellipsis]
        items = [_coerce(item, inner[0]) for item in items] if inner else list(items)
        return tuple(items) if tuple in (origin, kind) else items
    if origin is dict or kind is dict:
        if not isinstance(value, Mapping):
            raise _Mismatch
        if not args:
            return dict(value)
        return {_coerce(k, args[0]): _coerce(v, args[1]) for k, v in value.items()}
    if isinstance(kind, type) and isinstance(value, kind):
        return value
    raise _Mismatch


def coerce(value: Any, kind: Any, key: str, where: str = "the command line") -> Any:
    """`value` (from YAML or a command line) as the type `kind`; a value that does not fit names the field.

    >>> coerce("1e-5", float, "learning_rate"), coerce("30", int, "steps"), coerce("none", int | None, "limit")
    (1e-05, 30, None)
    >>> coerce("thirty", int, "steps", "config file x.yaml")
    Traceback (most recent call last):
    ...
    reasoncraft.config.coerce.ConfigError: steps: 'thirty' is not a valid int (config file x.yaml)
    """
    if isinstance(value, str) and value.strip().lower() in ("none", "null", "~") and _allows_none(kind):
        return None
    try:
        return _coerce(value, kind)
    except _Mismatch:
        hint = "; quote it to mean the word" if isinstance(value, bool) and _wants_str(kind) else ""
        raise ConfigError(f"{key}: {value!r} is not a valid {type_name(kind)} ({where}){hint}") from None


def _allows_none(kind: Any) -> bool:
    return kind is Any or type(None) in typing.get_args(kind)


def _wants_str(kind: Any) -> bool:
    return kind is str or (typing.get_origin(kind) in (typing.Union, types.UnionType) and str in typing.get_args(kind))


def parse_text(text: str, kind: Any, key: str, *, escapes: bool = False) -> Any:
    """The text of a command-line value (`key=TEXT` or an option) as the field's type.

    Text for a string field is taken as written; any other type reads it as YAML first, so lists
    and mappings are written as in a config file (`rewards=[accuracy, format]`).
    """
    if escapes:
        text = unescape(text)
    if _wants_str(kind) and not (_allows_none(kind) and text.strip().lower() in ("none", "null", "~")):
        return coerce(text, kind, key)
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        value = text  # not YAML: let the type decide (a plain word for a list field is one item)
    if value is None and not _allows_none(kind):
        value = text
    return coerce(value, kind, key)


def unescape(text: str) -> str:
    r"""Backslash escapes typed on a command line ("\n") as the characters they name.

    >>> unescape("\\n\\n")
    '\n\n'
    """
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def field_types(cls: type) -> dict[str, Any]:
    """Each field's resolved type (annotations written as strings under `from __future__ import annotations`)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}
