"""`reasoncraft eval`: its options are EvalConfig's fields; a YAML file and `key=value` overrides work too."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import save_config
from ..eval_config import EvalConfig
from .options import config_command


def run(config: EvalConfig) -> None:
    """Evaluate as configured, with the resolved config saved beside the outputs; print the table."""
    from ..evaluate import run_eval
    from ..record import Price

    save_config(config, Path(config.out_dir) / "config.yaml")
    price = Price(per_hour=config.price_per_hour, per_million_completion_tokens=config.price_per_million_tokens)
    run_eval(
        config,
        config.out_dir,
        device=config.device,
        price=price,
        cache_dir=config.cache_dir,
        show_progress=config.progress,
    )
    typer.echo((Path(config.out_dir) / "table.md").read_text())
    typer.echo(f"samples, summary, config and run record in {config.out_dir}/")


eval_command = config_command(
    EvalConfig,
    run,
    example="configs/eval_quickstart.yaml",
    doc="Evaluate a model or a server on tasks: pass@1, pass@k, maj@k, tokens, cost. Rerun to resume.",
)
