"""Command-line options derived from a config dataclass, and the one way every command loads its config.

A command's options are not written twice: `options_command(cls, run, ...)` builds a typer command that takes
an optional YAML file and `key=value` overrides as arguments, --show-config, the command's own parameters
(--resume, --overwrite, --data-path, ...) and one option per field of the dataclass (name, type, default and
help string from the field); it resolves the config and calls `run(config, own parameters)`. `config_command`
is the usual case (`eval`, `scale`); `train`, `distill` and `step-labels` add their own parameters. What a user
states is resolved by `reasoncraft.config` in one order: the file, then the overrides, then the options typed
on the command line (defaults fill the rest); a repeatable key=value option of a mapping field (--task-option)
adds to the mapping the file and overrides give.

How a field is typed: a scalar as `--name VALUE`, a bool as `--name/--no-name`, a list of scalars as a
repeatable option, a mapping as repeatable `--name key=value`, a list of mappings (or of anything) as a
repeatable option taking one item each written as in a config file (`--datasets '{path: a.jsonl, weight: 2}'`).
A field's metadata may name its options (`cli=("--out",)`), or keep it off the command line (`cli=False`).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import typer
import yaml

from ..config import (
    ALIASES,
    ConfigError,
    build,
    config_dict,
    describe,
    field_default,
    field_types,
    ordered_fields,
    parse_text,
    resolve_values,
    section_of,
    type_name,
    unescape,
)

_SCALARS = (str, int, float)


def _optional(kind: Any) -> tuple[Any, bool]:
    """(the type inside Optional[...], whether None is allowed)."""
    args = typing.get_args(kind)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else kind), True
    return kind, False


def _is_list_of_scalars(kind: Any) -> bool:
    origin, args = typing.get_origin(kind), [a for a in typing.get_args(kind) if a is not Ellipsis]
    return origin in (list, tuple) and len(args) == 1 and args[0] in _SCALARS


def _shape(kind: Any) -> str:
    """How a field is typed on a command line: scalar, flag, many (repeatable option), pairs (key=value), text."""
    inner, _ = _optional(kind)
    if inner is bool:
        return "flag"
    if inner in _SCALARS:
        return "scalar"
    if _is_list_of_scalars(inner):
        return "many"
    if typing.get_origin(inner) is dict or inner is dict:
        return "pairs"
    if inner in (list, tuple) or typing.get_origin(inner) in (list, tuple):
        return "items"  # a list of mappings (or of anything): one item per option, written as in a config file
    return "text"  # Literal, nested types...: written as in a config file and read by the config loader


def _names(f: dataclasses.Field, names: Sequence[str] | None = None) -> tuple[str, ...]:
    return tuple(names or f.metadata.get("cli") or ("--" + f.name.replace("_", "-"),))


def alias_names(cls: type) -> dict[str, tuple[str, ...]]:
    """Option names for the fields of `cls` that have config-key aliases (`reasoncraft.config.ALIASES`): the
    field's own name first, then its aliases, so that `--max-steps` and `--steps` are one option as
    `max_steps=` and `steps=` are one key. Fields whose metadata names their options keep those.

    >>> from reasoncraft.train.sft_config import SFTConfig
    >>> alias_names(SFTConfig)["max_steps"], "num_threads" in alias_names(SFTConfig)
    (('--max-steps', '--steps'), False)
    """
    names = {}
    for f in dataclasses.fields(cls):
        group = next((g for g in ALIASES if f.name in g), None)
        if group is not None and not f.metadata.get("cli"):
            others = sorted(group - {f.name})
            names[f.name] = tuple("--" + n.replace("_", "-") for n in [f.name, *others])
    return names


def option_parameter(
    f: dataclasses.Field, kind: Any, names: Sequence[str] | None = None, panel: str | None = None
) -> inspect.Parameter:
    """The typer option of one config field: its names, type, default (shown in --help) and help string; `names`
    replaces the derived names, `panel` groups the option in --help."""
    shape, names, default = _shape(kind), _names(f, names), field_default(f)
    if default is dataclasses.MISSING:  # required: from the file, an override or this option (the loader checks)
        default = None
    help_text = f.metadata.get("help", "")
    inner, optional = _optional(kind)
    panel_kw = {"rich_help_panel": panel} if panel else {}
    if shape == "flag":
        flag = names[0].lstrip("-")
        option = typer.Option(default, f"--{flag}/--no-{flag}", *names[1:], help=help_text, **panel_kw)
        annotation: Any = bool
    elif shape == "scalar":
        shown: Any = default is not None
        if f.metadata.get("escapes") and isinstance(default, str):  # "\n\n" as typed, not two line breaks
            shown = default.encode("unicode_escape").decode("ascii")
        option = typer.Option(default, *names, help=help_text, show_default=shown, **panel_kw)
        annotation = inner | None if optional or default is None else inner
    elif shape == "many":
        item = [a for a in typing.get_args(inner) if a is not Ellipsis][0]
        shown = ", ".join(str(v) for v in default) if default else False
        option = typer.Option(
            list(default) if default else None, *names, help=help_text + " Repeatable.", show_default=shown, **panel_kw
        )
        annotation = list[item] | None
    elif shape == "pairs":
        more = " Repeatable key=value; adds to the mapping the file and overrides give."
        option = typer.Option(None, *names, help=help_text + more, show_default=False, **panel_kw)
        annotation = list[str] | None
    elif shape == "items":
        more = " Repeatable: one item each, written as in a config file (a list adds its items)."
        shown = json.dumps(default) if default else False
        option = typer.Option(None, *names, help=help_text + more, show_default=shown, **panel_kw)
        annotation = list[str] | None
    else:
        shown = json.dumps(default) if default is not None else False
        more = f" ({type_name(kind)}, written as in a config file.)"
        option = typer.Option(None, *names, help=help_text + more, show_default=shown, **panel_kw)
        annotation = str | None
    return inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)


def key_values(pairs: list[str], name: str) -> dict:
    """key=value pairs into a dict; values that parse as JSON (numbers, true, lists) are converted."""
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"{name}: expected key=value, got {pair!r}")
        try:
            values[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            values[key.replace("-", "_")] = value
    return values


def from_command_line(f: dataclasses.Field, kind: Any, value: Any, names: Sequence[str] | None = None) -> Any:
    """An option's parsed value as the field's value (the config loader then checks its type)."""
    shape = _shape(kind)
    if shape == "pairs":
        return key_values(list(value or []), _names(f, names)[0])
    if shape == "items":
        items: list = []
        for text in value or []:
            item = parse_text(text, Any, f.name)
            items.extend(item if isinstance(item, list) else [item])
        return items
    if shape == "text":
        return parse_text(value, kind, f.name, escapes=bool(f.metadata.get("escapes")))
    if shape == "many":
        return list(value or [])
    if isinstance(value, str) and f.metadata.get("escapes"):
        return unescape(value)
    return value


def load_or_exit(cls: type, path: str | None, overrides: list[str] | None, given: dict | None = None) -> Any:
    """The config from an optional YAML file, `key=value` overrides and options (a `ConfigError` names the mistake:
    the app prints it in one line and exits 2)."""
    overrides = list(overrides or [])
    if path is not None and "=" in path:  # only overrides were given
        overrides, path = [path, *overrides], None
    try:
        values = resolve_values(cls, path, overrides)
        for key, value in resolve_values(cls, None, (), given).items():  # options win; key=value options add
            both = isinstance(value, dict) and isinstance(values.get(key), dict)
            values[key] = {**values[key], **value} if both else value
        return build(cls, values)
    except ConfigError:
        raise
    except ValueError as exc:  # a rule a config's __post_init__ checks
        raise ConfigError(str(exc)) from exc


def show_config(cls: type, path: str | None, overrides: list[str] | None, given: dict | None = None) -> str:
    """What `--show-config` prints: with nothing given, every key with its type, default and help; with a file,
    overrides or options, the config they resolve to, as YAML a later run can load (a dry run: nothing runs)."""
    if path is None and not overrides and not given:
        return describe(cls)
    resolved = load_or_exit(cls, path, overrides, given)
    values = json.loads(json.dumps(config_dict(resolved), default=str))
    return (
        "# the resolved config (nothing ran); save it and pass it as the config file\n"
        + yaml.safe_dump(values, sort_keys=False).rstrip()
    )


def file_arguments(example: str, overrides_help: str | None = None) -> list[inspect.Parameter]:
    """The typer context, the positional YAML file and the `key=value` overrides every config command takes."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("ctx", keyword, annotation=typer.Context),
        inspect.Parameter(
            "config",
            keyword,
            annotation=str | None,
            default=typer.Argument(None, help=f"YAML config, e.g. {example}.", show_default=False),
        ),
        inspect.Parameter(
            "overrides",
            keyword,
            annotation=list[str] | None,
            default=typer.Argument(
                None, help=overrides_help or "key=value overrides (any config key), after the file.", show_default=False
            ),
        ),
    ]


def show_config_parameter() -> inspect.Parameter:
    """--show-config: print what the file, overrides and options resolve to, and run nothing."""
    return inspect.Parameter(
        "show_config",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=bool,
        default=typer.Option(False, "--show-config", help=SHOW_CONFIG_HELP, show_default=False),
    )


SHOW_CONFIG_HELP = (
    "Print the config the file, overrides and options resolve to, then exit (a dry run); "
    "alone: every key with its type, default and help."
)
RESUME_HELP = "Continue the run in the output folder even though its config changed (the changes are listed)."
OVERWRITE_HELP = "Clear the output folder (a run folder only) and start again."


THREADS_HELP = "CPU threads of an in-process model (0 = the cores not already busy, at most 8)."


def threads_parameter() -> inspect.Parameter:
    """--threads, for a command whose config has no `threads` field."""
    return inspect.Parameter(
        "threads",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=int,
        default=typer.Option(0, "--threads", min=0, help=THREADS_HELP),
    )


def run_folder_parameters() -> list[inspect.Parameter]:
    """--resume and --overwrite: what to do with an output folder that holds another run (`reasoncraft.runs`)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter(
            "resume", keyword, annotation=bool, default=typer.Option(False, "--resume", help=RESUME_HELP)
        ),
        inspect.Parameter(
            "overwrite", keyword, annotation=bool, default=typer.Option(False, "--overwrite", help=OVERWRITE_HELP)
        ),
    ]


def _typed_by_user(ctx: typer.Context, name: str) -> bool:
    """Whether the option was typed on the command line (not its default): those win over the file and overrides.

    (Compared by name: typer ships its own copy of click, whose ParameterSource is not click's.)
    """
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


@dataclasses.dataclass(frozen=True)
class Invocation:
    """What a command was asked to do with its output folder, beside its config."""

    resume: bool = False
    overwrite: bool = False
    threads: int = 0


def _declared_names(parameter: inspect.Parameter) -> set[str]:
    """The option names a typer parameter answers to (an option declared without names: its parameter's name)."""
    if not isinstance(parameter.default, typer.models.OptionInfo):
        return set()
    declared = parameter.default.param_decls or ("--" + parameter.name.replace("_", "-"),)
    return {n for d in declared for n in d.split("/") if n.startswith("-")}


def options_command(
    cls: type,
    run: Callable[[Any, dict[str, Any]], None],
    *,
    doc: str,
    example: str,
    overrides_help: str | None = None,
    parameters: Sequence[inspect.Parameter] = (),
    after: Sequence[inspect.Parameter] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    options: bool = True,
    add_given: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> Callable[..., None]:
    """A typer command for `cls`: [CONFIG.yaml] [key=value ...] and --show-config, the command's own `parameters`,
    one option per field (when `options`; `names` replaces a field's option names), then `after`.

    It resolves the config (file < key=value < typed options; `add_given(own, given)` may add to what the options
    gave, e.g. --data-path to task_options) and calls `run(config, own)`, `own` holding the values of the command's
    own parameters; with --show-config it prints the resolved config (or, with nothing given, every key) instead.
    """
    kinds = field_types(cls)
    names = dict(names or {})
    fields = [f for f in ordered_fields(cls) if options and f.metadata.get("cli", True) is not False]
    own = [*file_arguments(example, overrides_help), show_config_parameter(), *parameters]
    clash = [f.name for f in fields if f.name in {p.name for p in [*own, *after]}]
    assert not clash, f"config fields {clash} clash with the command's own parameters"
    derived = []
    for f in fields:  # a shared section's fields under its own heading in --help ("Optimizer options")
        section = section_of(cls, f.name)
        panel = f"{section.title} options" if section else None
        derived.append(option_parameter(f, kinds[f.name], names.get(f.name), panel))
    declared = [n for p in [*own, *derived, *after] for n in _declared_names(p)]
    twice = sorted({n for n in declared if declared.count(n) > 1})
    assert not twice, f"option names given twice: {twice}"

    def command(**kwargs: Any) -> None:
        ctx: typer.Context = kwargs["ctx"]
        args = {p.name: kwargs[p.name] for p in [*own, *after]}
        typed = [f for f in fields if _typed_by_user(ctx, f.name)]
        given = {f.name: from_command_line(f, kinds[f.name], kwargs[f.name], names.get(f.name)) for f in typed}
        if add_given is not None:
            add_given(args, given)
        if args["show_config"]:
            typer.echo(show_config(cls, args["config"], args["overrides"], given))
            return
        run(load_or_exit(cls, args["config"], args["overrides"], given), args)

    command.__signature__ = inspect.Signature([*own, *derived, *after])  # what typer reads to build the options
    command.__doc__ = doc
    return command


def config_command(
    cls: type, run: Callable[[Any, Invocation], None], *, doc: str, example: str, options: bool = True
) -> Callable[..., None]:
    """A typer command for `cls` (`eval`, `scale`): [CONFIG.yaml] [key=value ...], --show-config, --resume,
    --overwrite and --threads, plus one option per field when `options`."""
    own_threads = "threads" in field_types(cls)

    def body(config: Any, args: dict[str, Any]) -> None:
        threads = getattr(config, "threads", 0) if own_threads else args["threads"]
        run(config, Invocation(resume=args["resume"], overwrite=args["overwrite"], threads=threads))

    return options_command(
        cls,
        body,
        doc=doc,
        example=example,
        parameters=run_folder_parameters(),
        after=[] if own_threads else [threads_parameter()],  # every command that runs a model takes --threads
        options=options,
    )
