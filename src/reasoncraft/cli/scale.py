"""`reasoncraft scale`: its options are ScaleConfig's fields; a YAML file and `key=value` overrides work too."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import save_config
from ..scaling.sweep import ScaleConfig, run_scale
from .checks import check_model_name, check_task, claim_folder, use_threads
from .options import Invocation, config_command
from .report import report_after


def run(config: ScaleConfig, invocation: Invocation) -> None:
    """Check the task and the output folder, then run the sweep as configured with the resolved config saved
    beside the outputs; print the table."""
    check_model_name(config.model)
    check_task(config.task, config.task_options, split="test", limit=config.limit, template=config.template)
    if config.dev_limit:
        check_task(config.task, config.task_options, split="dev", limit=config.dev_limit, template=config.template)
    claim_folder(
        config.out_dir, "scale", config, resume=invocation.resume, overwrite=invocation.overwrite, log=typer.echo
    )
    save_config(config, Path(config.out_dir) / "config.yaml")
    use_threads(invocation.threads)
    run_scale(config)
    typer.echo((Path(config.out_dir) / "table.md").read_text())
    typer.echo(f"plot, results, config and run record in {config.out_dir}/")
    report_after(config.out_dir)


scale_command = config_command(
    ScaleConfig,
    run,
    example="configs/scale_quickstart.yaml",
    doc="Inference-time scaling: accuracy against generated tokens per problem, per strategy and budget.",
)
