"""The one config system: a command's settings are one dataclass, filled from YAML and `key=value` overrides.

Every command (`train grpo`, `train sft`, `train prm`, `distill`, `eval`, `scale`, `run`) declares its
settings as one dataclass whose fields carry a help string (`help_field`) and whose `__post_init__`
checks the cross-field rules once, with a message that says how to fix the problem. The optimizer,
LoRA and run settings that several trainers share are declared once (`OptimizerSection`,
`LoRASection`, `RunSection`) and composed into each trainer's dataclass, keeping flat keys.

This package does the mechanics, and is the only place that does, one responsibility per module:

- `coerce`: every value, from a file or a command line alike, as its field's type (`learning_rate:
  1e-5`, a string to YAML 1.1, becomes a float; `steps: "30"` an int; `steps: thirty` fails naming the
  field, the value and the type);
- `load`: read a YAML file (errors name the file and line), apply `key=value` overrides and values
  already parsed (command-line options), in that order, reject unknown keys with the closest known
  one, build the dataclass;
- `sections`: `help_field` and the shared sections;
- `show`: the fields in a reader's order, the resolved config as data and as YAML saved beside a run,
  and `describe` for `--show-config`.

Everything is importable from `reasoncraft.config` itself.

Why plain dataclasses and ~150 lines of coercion rather than pydantic or tyro: every config here
is already a dataclass with `__post_init__` rules that tests and library callers construct
directly (`EvalConfig(tasks=[...])`); pydantic would change construction, error types and
`dataclasses.asdict` behaviour everywhere for what is a small, fully tested function, and tyro
would bring its own command-line parser beside typer (the CLI derives typer options from the
same field metadata instead: `reasoncraft.cli.options`).
"""

from __future__ import annotations

from .coerce import ConfigError, coerce, field_types, parse_text, type_name, unescape
from .load import ALIASES, anchor_model, build, canonical_key, load_config, read_yaml, resolve_values
from .sections import (
    LORA_TARGETS,
    LR_SCHEDULES,
    LoRASection,
    OptimizerSection,
    RunSection,
    Section,
    help_field,
    need,
    redefault,
)
from .show import config_dict, describe, field_default, ordered_fields, save_config, section_of

__all__ = [
    "ALIASES",
    "LORA_TARGETS",
    "LR_SCHEDULES",
    "ConfigError",
    "LoRASection",
    "OptimizerSection",
    "RunSection",
    "Section",
    "anchor_model",
    "build",
    "canonical_key",
    "coerce",
    "config_dict",
    "describe",
    "field_default",
    "field_types",
    "help_field",
    "load_config",
    "need",
    "ordered_fields",
    "parse_text",
    "read_yaml",
    "redefault",
    "resolve_values",
    "save_config",
    "section_of",
    "type_name",
    "unescape",
]
