"""Checks every command makes before a model loads: the task (its options, split, data file line by line and
prompt template), the output folder (`reasoncraft.runs`), and settings that waste compute without being wrong.

Each failed check raises `UserError` with one line naming the problem and the fix (`errors.FrontDoor` prints it
and exits 2), so that a mistake costs no loading time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import typer

from .. import runs
from ..backends.openai.probe import probe
from ..models import CATALOGUE
from ..prompts import get_template
from ..tasks import get_task
from ..tasks.registry import _EXACT, _PREFIX  # the factories, to read their keyword options
from ..threads import auto_threads, use_threads  # noqa: F401 (the commands import them from here)
from .errors import UserError, one_line

try:  # typer >= 0.20 runs commands in its own copy of click (errors.py)
    from typer._click.globals import get_current_context as current_context
except ImportError:  # older typer: click itself
    from click import get_current_context as current_context


def _task_options_hint(spec: str, options: Mapping[str, Any], exc: TypeError) -> str:
    """A TypeError from a task's constructor as the option it does not take and the ones it does."""
    factory = _EXACT.get(spec) or next(
        (f for name, f in sorted(_PREFIX.items(), key=lambda kv: -len(kv[0])) if spec.startswith(name)), None
    )
    known: list[str] = []
    if factory is not None:
        try:
            params = inspect.signature(factory).parameters.values()
            known = [p.name for p in params if p.name not in ("self", "spec") and p.kind is not p.VAR_KEYWORD]
        except (TypeError, ValueError):
            known = []
    given = ", ".join(f"{k}={v!r}" for k, v in options.items())
    takes = f"; it takes {', '.join(known)}" if known else ""
    return f"task {spec!r} does not take the option(s) {given} ({exc}){takes}"


def check_task(
    spec: str,
    options: Mapping[str, Any] | None = None,
    *,
    split: str = "test",
    limit: int | None = None,
    template: str | None = None,
) -> Any:
    """Build the task, read the problems of `split` (a data file is read line by line here) and render the first
    through `template`; return the task. Any failure is a `UserError` naming the task and the fix."""
    options = dict(options or {})
    try:
        task = get_task(spec, **options)
    except TypeError as exc:
        raise UserError(_task_options_hint(spec, options, exc)) from exc
    except KeyError as exc:  # unknown task
        raise UserError(f"{str(exc.args[0] if exc.args else exc)}: `reasoncraft tasks` lists them") from exc
    except (ValueError, RuntimeError, OSError) as exc:
        raise UserError(f"task {spec!r}: {one_line(exc)}") from exc
    if template is not None:
        try:
            get_template(template)
        except KeyError as exc:
            raise UserError(str(exc.args[0] if exc.args else exc)) from exc
    try:
        problems = task.problems(split, limit)
    except (ValueError, KeyError, RuntimeError, OSError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else one_line(exc)
        raise UserError(f"task {spec!r}, split {split!r}: {message}") from exc
    if not problems:
        raise UserError(f"task {spec!r} has no problems in split {split!r} (limit {limit}): check the split and data")
    try:
        task.prompt(problems[0], template)
    except (KeyError, ValueError) as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        raise UserError(f"template {template or task.default_template!r} for task {spec!r}: {message}") from exc
    return task


def claim_folder(
    out_dir: str,
    command: str,
    config: Any,
    *,
    resume: bool,
    overwrite: bool,
    option: str = "--out",
    log: Callable[[str], None] = print,
) -> runs.Claim:
    """`runs.claim` with its decision said in one line (a fresh run says nothing).

    A fresh run's folder goes away again when the command fails before writing anything but what the claim and
    the config wrote (`forget_on_failure`): a mistake found after the claim (a model that does not load, a server
    that fails) leaves no new folder behind, and the corrected command is not refused as "another config".
    """
    if resume and overwrite:
        raise UserError("--resume continues a run and --overwrite clears it: give one of them")
    created = _missing_folders(Path(out_dir))
    claim = runs.claim(out_dir, command, config, resume=resume, overwrite=overwrite, option=option)
    if claim.state in ("new", "overwritten"):  # an overwritten folder stays, emptied
        forget_on_failure(claim.out_dir, created)
    message = claim.message()
    if message:
        log(message)
    return claim


# What a run folder holds before any work: the claim's identity and the saved config.
BOOKKEEPING = frozenset({runs.IDENTITY_NAME, runs.CONFIG_NAME})


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist yet, innermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def forget_on_failure(folder: Path, created: list[Path]) -> None:
    """When the running command ends with an error, remove `folder`'s bookkeeping files and the folders in `created`
    (the run's folder and the parents its claim made), if they hold nothing else: a run that did any work (a
    sample, a checkpoint, a log line) keeps its folder to resume from. Outside a command (library use) nothing
    is registered."""
    context = current_context(silent=True)
    if context is not None:  # its exit stack gets the exception the command ended with
        context.with_resource(_Forget(folder, created))


class _Forget:
    def __init__(self, folder: Path, created: list[Path]):
        self.folder, self.created = folder, created

    def __enter__(self) -> _Forget:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        code = getattr(error, "exit_code", getattr(error, "code", 1))
        if error is None or (isinstance(error, (typer.Exit, SystemExit)) and code in (0, None)):
            return False
        if not self.folder.is_dir() or any(p.name not in BOOKKEEPING for p in self.folder.iterdir()):
            return False
        for name in BOOKKEEPING:
            (self.folder / name).unlink(missing_ok=True)
        for made in self.created:  # innermost first; a folder someone filled meanwhile stays
            try:
                made.rmdir()
            except OSError:
                break
        return False


def warn_greedy_samples(samples: int, temperature: float, log: Callable[[str], None], name: str = "--samples") -> None:
    """Several samples at temperature 0 are copies of one greedy completion: say so (pass@k = pass@1, k x cost)."""
    if samples > 1 and temperature == 0:
        log(
            f"warning: {name} {samples} at temperature 0 draws {samples} copies of one greedy completion "
            f"(pass@k and maj@k equal pass@1): set --temperature (e.g. 0.7) or {name} 1"
        )


def check_model_name(name: str, option: str = "--model") -> None:
    """Fail before loading on a model name that cannot resolve: what `models.load_model` accepts is a catalogue
    name, an existing .gguf file, a folder with config.json, or a hub id owner/name."""
    path = Path(name).expanduser()
    if name in CATALOGUE or (path.is_dir() and (path / "config.json").is_file()):
        return
    if path.suffix == ".gguf":
        if not path.is_file():
            raise UserError(f"{option} {name}: the .gguf file does not exist: check the path")
        return
    if path.is_dir():
        raise UserError(f"{option} {name} is a folder without config.json: point at a Hugging Face model folder")
    if "/" in name and not name.startswith((".", "/", "~")) and name.count("/") == 1:
        return  # a hub id, resolved when it loads (needs the hub or its cache)
    raise UserError(
        f"{option} {name!r} is not a catalogue name ({', '.join(CATALOGUE)}), an existing folder or .gguf file, "
        "or a hub id owner/name: `reasoncraft models` lists the catalogue"
    )


def check_server(base_url: str, model: str | None, option: str = "--model") -> None:
    """Each comma-separated server URL answers `GET /v1/models` as an OpenAI server does (within 5 s), and serves
    `model` when it lists its models; a `BackendError` or `UserError` with the fix otherwise."""
    for url in [u.strip() for u in base_url.split(",") if u.strip()]:
        served = probe(url)
        if model is not None and served and model not in served:
            raise UserError(
                f"{url} serves {', '.join(served[:5])}{' ...' if len(served) > 5 else ''}, not {model!r}: "
                f"pass {option} {served[0]}"
            )
