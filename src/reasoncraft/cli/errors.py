"""How the command line answers a mistake: one or two lines on stderr that name the problem and the fix, exit 2.

`FrontDoor` is the click group class of the `reasoncraft` app; it runs every command and turns what is a
user's mistake (a bad option value, an unknown key, task, split or template, a malformed data file, an output
folder that holds another run, a model that is not there, a server that does not answer) into

    error: <what is wrong>: <how to fix it>

with exit status 2 and no traceback. `--debug` anywhere on the command line (or REASONCRAFT_DEBUG=1) adds the
traceback. Everything else is a bug of ours and keeps its traceback (exit 1).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 parses with its own copy of click, whose exceptions are not click's
    from typer._click import exceptions as clicks
except ImportError:  # older typer: click itself
    from click import exceptions as clicks

from ..config import ConfigError

USAGE_EXIT = 2
DEBUG_FLAG = "--debug"
# Raised for a user's mistake by rooms the CLI does not import at start (matched by name, so that importing
# them, and httpx or torch behind them, waits until a command needs them).
_USER_ERROR_NAMES = {
    "reasoncraft.models": ("ModelLoadError",),
    "reasoncraft.backends.openai.errors": ("BackendError",),
    "reasoncraft.train.checkpoint": ("CheckpointError",),
}
# Operating-system errors about a path the user gave (missing file, unreadable, a file where a folder belongs).
_PATH_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError)


class UserError(ConfigError):
    """A mistake in what the user asked for, found by a check before anything loads; the message says the fix."""


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` reports a user's mistake (answered in one line) rather than a bug (answered with a traceback)."""
    if isinstance(exc, (ConfigError, *_PATH_ERRORS)):
        return True
    return any(c.__name__ in _USER_ERROR_NAMES.get(c.__module__, ()) for c in type(exc).__mro__)


def one_line(exc: BaseException) -> str:
    """The error's message in at most two lines (an OSError's strerror and path, not its repr)."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        fix = "check the path" if isinstance(exc, FileNotFoundError) else "check the path and its permissions"
        return f"{exc.filename}: {exc.strerror.lower()}: {fix}"
    lines = [line for line in str(exc).strip().splitlines() if line.strip()] or [type(exc).__name__]
    return "\n".join(lines[:2])


def report(message: str, debug: bool = False) -> None:
    """Print `error: message` on stderr (and the traceback being handled, with --debug)."""
    if debug:
        traceback.print_exc()
    typer.echo(f"error: {message}", err=True)


def wants_debug(args: Sequence[str]) -> bool:
    return DEBUG_FLAG in args or os.environ.get("REASONCRAFT_DEBUG", "") not in ("", "0")


def quiet_loading() -> None:
    """No third-party progress bars (weights loaded and saved, files fetched): our own lines say what happens.
    A user who sets HF_HUB_DISABLE_PROGRESS_BARS=0 keeps them."""
    if os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1") in ("", "0"):
        return
    hub = sys.modules.get("huggingface_hub")  # already imported: it read the variable before we set it
    if hub is not None:
        hub.utils.disable_progress_bars()
    transformers = sys.modules.get("transformers")
    if transformers is not None:
        transformers.utils.logging.disable_progress_bar()


class FrontDoor(TyperGroup):
    """The app's group: compact usage errors, user errors as one line with exit 2, `--debug` for tracebacks."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        quiet_loading()
        debug = wants_debug(args)
        args = [a for a in args if a != DEBUG_FLAG]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except clicks.NoArgsIsHelpError:  # a bare command: its usage (rich has printed it already), not an error
            sys.exit(USAGE_EXIT)
        except clicks.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "reasoncraft"
            report(f"{exc.format_message()}\n  `{where} --help` lists the options and their defaults", debug)
            sys.exit(USAGE_EXIT)
        except clicks.ClickException as exc:
            report(exc.format_message(), debug)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            typer.echo("interrupted: rerun the same command to continue where it stopped", err=True)
            sys.exit(130)
        except Exception as exc:
            if not is_user_error(exc):
                raise
            report(one_line(exc), debug)
            sys.exit(USAGE_EXIT)
        sys.exit(code or 0)
