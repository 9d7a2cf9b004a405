"""The one config system: a command's settings are one dataclass, filled from YAML and `key=value` overrides.

Every command (`train grpo`, `train sft`, `distill`, `eval`, `scale`) declares its settings as one
dataclass whose fields carry a help string (`help_field`) and whose `__post_init__` checks the
cross-field rules once, with a message that says how to fix the problem. The optimizer, LoRA and
run settings that several trainers share are declared once here (`OptimizerSection`,
`LoRASection`, `RunSection`) and composed into each trainer's dataclass, keeping flat keys.

This module does the mechanics, and is the only place that does: read a YAML file (errors name
the file and line), apply `key=value` overrides, coerce every value, from the file and from the
command line alike, to its field's type (`learning_rate: 1e-5`, a string to YAML 1.1, becomes a
float; `steps: "30"` an int; `steps: thirty` fails naming the field, the value and the type),
reject unknown keys with the closest known one, and save the resolved config beside a run.

Why plain dataclasses and ~150 lines of coercion rather than pydantic or tyro: every config here
is already a dataclass with `__post_init__` rules that tests and library callers construct
directly (`EvalConfig(tasks=[...])`); pydantic would change construction, error types and
`dataclasses.asdict` behaviour everywhere for what is a small, fully tested function, and tyro
would bring its own command-line parser beside typer (the CLI derives typer options from the
same field metadata instead: `reasoncraft.cli.options`).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import difflib
import json
import math
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

C = TypeVar("C")


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message says how to fix it."""


def help_field(text: str, default: Any = None, factory: Any = None, *, required: bool = False, **meta: Any) -> Any:
    """A dataclass field with its help string (shown by `--show-config` and `--help`).

    `factory` for mutable defaults; `required=True` for a field without a default. Extra keywords
    go into the metadata, for the command line: `cli=("--out",)` names the option (default: the
    field name with dashes), `escapes=True` turns backslash escapes typed on a command line
    ("\\n") into the characters they name.
    """
    metadata = {"help": text, **meta}
    if required:
        return dataclasses.field(metadata=metadata)
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def redefault(section: type, name: str, default: Any) -> Any:
    """The field `name` of a shared section with another default (its help string stays the one written there)."""
    source = next(f for f in dataclasses.fields(section) if f.name == name)
    return dataclasses.field(default=default, metadata=source.metadata)


# ---------------------------------------------------------------------------------------------------------------------
# coercion: one function for YAML values and command-line text


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
    reasoncraft.config.ConfigError: steps: 'thirty' is not a valid int (config file x.yaml)
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


# ---------------------------------------------------------------------------------------------------------------------
# loading


def field_types(cls: type) -> dict[str, Any]:
    """Each field's resolved type (annotations written as strings under `from __future__ import annotations`)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


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


def resolve_values(
    cls: type, path: str | Path | None = None, overrides: Sequence[str] = (), given: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The typed values of `cls`'s fields that a YAML file, `key=value` overrides and `given` set (later wins).

    `given` holds values a caller already parsed (command-line options); they are checked like the rest.
    """
    kinds = field_types(cls)
    escapes = {f.name for f in dataclasses.fields(cls) if f.metadata.get("escapes")}
    values: dict[str, Any] = {}
    if path is not None:
        loaded, lines = read_yaml(path)
        for key, value in loaded.items():
            where = f"config file {path}, line {lines.get(key, '?')}"
            key = _check_key(cls, str(key), where)
            values[key] = coerce(value, kinds[key], key, where)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key=value (e.g. learning_rate=2e-5)")
        key, text = item.split("=", 1)
        key = key.strip().lstrip("-").replace("-", "_")
        key = _check_key(cls, key, "the command line")
        values[key] = parse_text(text.strip(), kinds[key], key, escapes=key in escapes)
    for key, value in (given or {}).items():
        key = _check_key(cls, key, "the command line")
        values[key] = coerce(value, kinds[key], key)
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


def ordered_fields(cls: Any) -> list[dataclasses.Field]:
    """A config's fields as a reader wants them: the command's own first, then each shared section's.

    (A dataclass puts inherited fields first; the sections are the background, not the headline.)
    """
    shared = [
        f.name
        for base in reversed(type.mro(cls if isinstance(cls, type) else type(cls))[1:])
        if dataclasses.is_dataclass(base) and issubclass(base, _Section)
        for f in dataclasses.fields(base)
    ]
    fields = dataclasses.fields(cls)
    return [f for f in fields if f.name not in shared] + sorted(
        (f for f in fields if f.name in shared), key=lambda f: shared.index(f.name)
    )


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


# ---------------------------------------------------------------------------------------------------------------------
# shared sections, composed into each trainer's config (class GRPOConfig(RunSection, LoRASection, OptimizerSection))

LR_SCHEDULES = ("constant", "linear", "cosine")
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def need(condition: bool, message: str) -> None:
    """Raise a `ConfigError` with `message` (which says how to fix it) unless `condition` holds."""
    if not condition:
        raise ConfigError(message)


@dataclasses.dataclass
class _Section:
    def __post_init__(self) -> None:  # the end of the cooperative chain of section checks
        pass


@dataclasses.dataclass
class OptimizerSection(_Section):
    """AdamW with warm-up and a decay schedule, gradient clipping and checkpointing."""

    learning_rate: float = help_field("Peak learning rate (AdamW).", 1e-5)
    weight_decay: float = help_field("AdamW weight decay.", 0.0)
    adam_beta1: float = help_field("AdamW beta1.", 0.9)
    adam_beta2: float = help_field("AdamW beta2.", 0.99)
    warmup_steps: int = help_field("Optimizer steps of linear warm-up.", 0)
    lr_schedule: str = help_field("Decay after warm-up: constant, linear or cosine.", "constant")
    max_grad_norm: float = help_field("Clip the gradient norm to this (0 = no clipping).", 1.0)
    gradient_checkpointing: bool = help_field(
        "Recompute activations in the backward pass (saves memory, costs time).", False
    )

    def __post_init__(self) -> None:
        need(self.learning_rate >= 0, f"learning_rate must be >= 0: got {self.learning_rate}")
        need(self.weight_decay >= 0, f"weight_decay must be >= 0: got {self.weight_decay}")
        for name in ("adam_beta1", "adam_beta2"):
            need(0 <= getattr(self, name) < 1, f"{name} must be in [0, 1): got {getattr(self, name)}")
        need(self.warmup_steps >= 0, f"warmup_steps must be >= 0: got {self.warmup_steps}")
        need(
            self.lr_schedule in LR_SCHEDULES,
            f"unknown lr_schedule {self.lr_schedule!r}: use one of {', '.join(LR_SCHEDULES)}",
        )
        need(self.max_grad_norm >= 0, f"max_grad_norm must be >= 0 (0 = no clipping): got {self.max_grad_norm}")
        super().__post_init__()


@dataclasses.dataclass
class LoRASection(_Section):
    """LoRA adapters through peft; `lora_r = 0` trains every parameter."""

    lora_r: int = help_field("LoRA rank (0 = full fine-tuning).", 0)
    lora_alpha: int = help_field("LoRA alpha.", 32)
    lora_dropout: float = help_field("LoRA dropout.", 0.0)
    lora_target_modules: list[str] = help_field("Module names LoRA adapts.", factory=lambda: list(LORA_TARGETS))

    def __post_init__(self) -> None:
        need(self.lora_r >= 0, "lora_r must be >= 0 (0 = full fine-tuning)")
        need(0 <= self.lora_dropout < 1, f"lora_dropout must be in [0, 1): got {self.lora_dropout}")
        need(
            not self.lora_r or bool(self.lora_target_modules),
            "lora_target_modules is empty: name the modules LoRA adapts (e.g. [q_proj, v_proj]) or set lora_r=0",
        )
        super().__post_init__()


@dataclasses.dataclass
class RunSection(_Section):
    """Where a training run writes, how it is seeded, how often it saves, where it runs and reports."""

    seed: int = help_field("Seed of the data order, sampling, dropout and initialisation.", 0)
    out_dir: str = help_field("Run folder: metrics.jsonl, metrics.png, checkpoints/, model/, run.json.", "runs/train")
    save_steps: int = help_field("Checkpoint every this many steps (0 = only at the end, -1 = never).", 0)
    keep_checkpoints: int = help_field("Checkpoints to keep (older ones are deleted).", 2)
    save_model: bool = help_field("Save the final model as a Hugging Face folder under out_dir/model.", True)
    device: str | None = help_field("cpu or cuda (default: cuda when present).", None)
    dtype: str | None = help_field("float32 or bfloat16 (default: bf16 on GPU, fp32 on CPU).", None)
    num_threads: int = help_field("torch CPU threads (0 = torch's default).", 0)
    report_to: list[str] = help_field(
        "Trackers the per-step metrics also go to, beside metrics.jsonl: tensorboard, "
        "wandb (TRL's name; W&B reads its WANDB_* environment).",
        factory=list,
    )

    def __post_init__(self) -> None:
        need(bool(self.out_dir), "out_dir must name a folder for the run's outputs")
        need(
            self.save_steps >= -1, f"save_steps must be >= -1 (0 = only at the end, -1 = never): got {self.save_steps}"
        )
        need(self.num_threads >= 0, f"num_threads must be >= 0 (0 = torch's default): got {self.num_threads}")
        super().__post_init__()
