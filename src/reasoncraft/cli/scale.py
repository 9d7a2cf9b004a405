"""`reasoncraft scale`: its options are ScaleConfig's fields; a YAML file and `key=value` overrides work too."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import save_config
from ..scaling.sweep import ScaleConfig
from .options import config_command


def run(config: ScaleConfig) -> None:
    """Run the sweep as configured, with the resolved config saved beside the outputs; print the table."""
    from ..scaling.sweep import run_scale

    save_config(config, Path(config.out_dir) / "config.yaml")
    run_scale(config)
    typer.echo((Path(config.out_dir) / "table.md").read_text())
    typer.echo(f"plot, results, config and run record in {config.out_dir}/")


scale_command = config_command(
    ScaleConfig,
    run,
    example="configs/scale_quickstart.yaml",
    doc="Inference-time scaling: accuracy against generated tokens per problem, per strategy and budget.",
)
