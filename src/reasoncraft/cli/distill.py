"""`reasoncraft distill`: a YAML recipe plus `key=value` overrides, then the distillation pipeline."""

from __future__ import annotations

import typer

from ..config import describe
from ..data.distill import DistillConfig
from .options import load_or_exit


def distill_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/distill_countdown_journey.yaml."),
    overrides: list[str] | None = typer.Argument(None, help="key=value overrides, e.g. k=8 teacher=smollm2-135m."),
    show_config: bool = typer.Option(
        False, "--show-config", help="List every config key with its type, default and help, then exit."
    ),
) -> None:
    """Build an SFT set from a teacher: k traces per problem, verified, filtered, deduplicated, decontaminated.
    Rerun the same command to resume after a crash."""
    if show_config:
        typer.echo(describe(DistillConfig))
        return
    resolved = load_or_exit(DistillConfig, config, overrides)
    from ..data.distill import run_distill

    report = run_distill(resolved, log=typer.echo)
    kept = report["filtering"]["kept"]
    typer.echo(f"traces.jsonl, sft.jsonl ({kept} records), report.json and run.json in {resolved.out_dir}/")
