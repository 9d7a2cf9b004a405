"""`reasoncraft eval`: its options are EvalConfig's fields; a YAML file and `key=value` overrides work too."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import save_config
from ..eval_config import EvalConfig
from ..evaluate import run_eval
from ..record import Price
from .checks import check_model_name, check_task, claim_folder, use_threads, warn_greedy_samples
from .options import Invocation, config_command


def run(config: EvalConfig, invocation: Invocation) -> None:
    """Check the tasks and the output folder, then evaluate as configured with the resolved config saved beside
    the outputs; print the table."""
    for spec in config.tasks:  # before the model loads: task, options, split, data file, template
        check_task(spec, config.task_options, split=config.split, limit=config.limit, template=config.template)
    if config.base_url is None:
        check_model_name(config.model)
    warn_greedy_samples(config.samples, config.temperature, lambda line: typer.echo(line, err=True))
    claim_folder(
        config.out_dir, "eval", config, resume=invocation.resume, overwrite=invocation.overwrite, log=typer.echo
    )
    save_config(config, Path(config.out_dir) / "config.yaml")
    use_threads(config.threads)
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
