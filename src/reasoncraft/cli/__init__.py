"""The command line: a thin layer over the library. Only this package parses command lines.

One small module per command or group of commands; this file only assembles them into `app` (the
`reasoncraft` console script), so a new command is a new module plus one line here. Each command
builds its config through `reasoncraft.config` (the options of every config command are derived
from its config dataclass by `options.py`), then calls one library function. Heavy imports happen
inside the commands so that `reasoncraft --help` stays fast.
"""

from __future__ import annotations

import typer

from . import distill, eval, info, prm, report, run, scale, train
from .errors import FrontDoor

app = typer.Typer(
    cls=FrontDoor,  # a user's mistake is one line on stderr and exit 2; --debug anywhere shows the traceback
    help="reasoncraft: build and compare reasoning LLMs (inference-time scaling, GRPO, SFT, distillation). "
    "Add --debug to any command for the traceback behind an error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a bug's traceback plain, as Python prints it
)
app.add_typer(train.train_app, name="train")
app.command("distill", no_args_is_help=True)(distill.distill_command)
app.command("models")(info.models)
app.command("generate")(info.generate)
app.command("eval")(eval.eval_command)
app.command("demo")(info.demo)
app.command("tasks")(info.tasks_command)
app.command("scale")(scale.scale_command)
app.command("report")(report.report_command)
app.command("run")(run.run_command)
app.command("step-labels", no_args_is_help=True)(prm.step_labels_command)
train.train_app.command("prm", no_args_is_help=True)(prm.train_prm_command)

__all__ = ["app"]
