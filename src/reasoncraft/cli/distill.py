"""`reasoncraft distill`: a YAML recipe, `key=value` overrides and one option per DistillConfig field, then the
distillation pipeline.

The output folder holds one run's records only: a folder of another command, or of a distillation whose
traces came from another teacher or sampling, is refused (`reasoncraft.runs`); the same config continues
from the traces already written.
"""

from __future__ import annotations

import inspect

import typer

from .. import runs
from ..data.distill import SOLVERS, DistillConfig, run_distill
from .checks import check_model_name, check_server, check_task, claim_folder, use_threads
from .errors import UserError
from .options import OVERWRITE_HELP, alias_names, options_command, threads_parameter
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


DOC = """Build an SFT set from a teacher: k traces per problem, verified, filtered, deduplicated, decontaminated.
Rerun the same command to resume after a crash.

Every config key is also an option (--teacher, --k); a later source wins: the YAML file, then key=value
overrides, then options. --task-option key=value adds to the file's task_options."""


def _add_data_path(args: dict, given: dict) -> None:
    if args["data_path"] is not None:  # the same as --task-option data_path=FILE, after the other task options
        given["task_options"] = {**given.get("task_options", {}), "data_path": args["data_path"]}


def _run(resolved: DistillConfig, args: dict) -> None:
    resume, overwrite = args["resume"], args["overwrite"]
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
    use_threads(args["threads"])
    report = run_distill(resolved, log=typer.echo)
    kept = report["filtering"]["kept"]
    typer.echo(f"traces.jsonl, sft.jsonl ({kept} records), report.json and run.json in {resolved.out_dir}/")
    report_after(resolved.out_dir)


def _parameters() -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    resume = typer.Option(
        False, "--resume", help="Continue the run in out_dir after a change of its filters (the changes are listed)."
    )
    return [
        inspect.Parameter("resume", keyword, annotation=bool, default=resume),
        inspect.Parameter(
            "overwrite", keyword, annotation=bool, default=typer.Option(False, "--overwrite", help=OVERWRITE_HELP)
        ),
        inspect.Parameter(
            "data_path",
            keyword,
            annotation=str | None,
            default=typer.Option(
                None, "--data-path", help="Local data file of the task: the same as --task-option data_path=FILE."
            ),
        ),
    ]


distill_command = options_command(
    DistillConfig,
    _run,
    doc=DOC,
    example="configs/distill_countdown_journey.yaml",
    overrides_help="key=value overrides, e.g. k=8 teacher=smollm2-135m.",
    parameters=_parameters(),
    after=[threads_parameter()],
    names={**alias_names(DistillConfig), "task_options": ("--task-option",)},
    add_given=_add_data_path,
)
