"""`reasoncraft distill`: a YAML recipe plus `key=value` overrides, then the distillation pipeline.

The output folder holds one run's records only: a folder of another command, or of a distillation whose
traces came from another teacher or sampling, is refused (`reasoncraft.runs`); the same config continues
from the traces already written.
"""

from __future__ import annotations

import typer

from .. import runs
from ..config import config_dict
from ..data.distill import SOLVERS, DistillConfig, run_distill
from .checks import check_model_name, check_server, check_task, claim_folder, use_threads
from .errors import UserError
from .options import OVERWRITE_HELP, SHOW_CONFIG_HELP, THREADS_HELP, show_config, with_task_options
from .report import report_after

# What writes traces.jsonl: a change here would mix two teachers' traces in one sft.jsonl, so --resume is refused.
TRACE_KEYS = (
    "task",
    "task_options",
    "split",
    "template",
    "teacher",
    "base_url",
    "k",
    "temperature",
    "top_p",
    "max_new_tokens",
    "seed",
)


def distill_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/distill_countdown_journey.yaml."),
    overrides: list[str] | None = typer.Argument(None, help="key=value overrides, e.g. k=8 teacher=smollm2-135m."),
    resume: bool = typer.Option(
        False, "--resume", help="Continue the run in out_dir after a change of its filters (the changes are listed)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    show_config_: bool = typer.Option(False, "--show-config", help=SHOW_CONFIG_HELP),
    task_option: list[str] | None = typer.Option(
        None,
        "--task-option",
        help="key=value option of the task (repeatable); adds to task_options.",
        show_default=False,
    ),
    data_path: str | None = typer.Option(
        None, "--data-path", help="Local data file of the task: the same as --task-option data_path=FILE."
    ),
    threads: int = typer.Option(0, "--threads", min=0, help=THREADS_HELP),
) -> None:
    """Build an SFT set from a teacher: k traces per problem, verified, filtered, deduplicated, decontaminated.
    Rerun the same command to resume after a crash."""
    if show_config_ and config is None and not overrides and not task_option and data_path is None:
        typer.echo(show_config(DistillConfig, None, None))
        return
    resolved = with_task_options(DistillConfig, config, overrides, task_option, data_path)
    if show_config_:
        typer.echo(show_config(DistillConfig, None, None, config_dict(resolved)))
        return
    if resolved.base_url:
        check_server(resolved.base_url, resolved.teacher, "teacher=")
    elif resolved.teacher not in SOLVERS:
        check_model_name(resolved.teacher, "teacher=")
    check_task(resolved.task, resolved.task_options, split=resolved.split, limit=resolved.limit)
    if resume and not overwrite:
        previous = runs.read_identity(resolved.out_dir)
        if previous and previous["command"] == "distill":
            new = runs.identity_of("distill", resolved)
            mixed = [k for k in TRACE_KEYS if runs.plain(previous["config"].get(k)) != new.get(k)]
            if mixed:
                raise UserError(
                    f"{resolved.out_dir} holds traces of another {'/'.join(mixed)}: sft.jsonl would mix two runs' "
                    "records; --overwrite to clear it, or choose another out_dir="
                )
    claim_folder(resolved.out_dir, "distill", resolved, resume=resume, overwrite=overwrite, option="out_dir=")
    use_threads(threads)
    report = run_distill(resolved, log=typer.echo)
    kept = report["filtering"]["kept"]
    typer.echo(f"traces.jsonl, sft.jsonl ({kept} records), report.json and run.json in {resolved.out_dir}/")
    report_after(resolved.out_dir)
