"""`reasoncraft eval`: its options are EvalConfig's fields; a YAML file and `key=value` overrides work too."""

from __future__ import annotations

from pathlib import Path

import typer

from ..backends.openai import BackendError, backend_from_url
from ..config import save_config
from ..eval_config import EvalConfig
from ..evaluate import run_eval
from ..record import Price
from .checks import check_model_name, check_server, check_task, claim_folder, use_threads, warn_greedy_samples
from .errors import UserError, one_line
from .options import Invocation, config_command
from .report import report_after


def run(config: EvalConfig, invocation: Invocation) -> None:
    """Check the tasks and the output folder, then evaluate as configured with the resolved config saved beside
    the outputs; print the table."""
    for spec in config.tasks:  # before the model loads: task, options, split, data file, template
        check_task(spec, config.task_options, split=config.split, limit=config.limit, template=config.template)
    if config.base_url is None:
        check_model_name(config.model)
    else:  # within seconds: nothing listening, HTML, not JSON, another shape, a model it does not serve
        check_server(config.base_url, config.model)
    warn_greedy_samples(config.samples, config.temperature, lambda line: typer.echo(line, err=True))
    claim_folder(
        config.out_dir, "eval", config, resume=invocation.resume, overwrite=invocation.overwrite, log=typer.echo
    )
    save_config(config, Path(config.out_dir) / "config.yaml")
    use_threads(config.threads)
    price = Price(per_hour=config.price_per_hour, per_million_completion_tokens=config.price_per_million_tokens)
    backend = None
    if config.base_url is not None:
        backend = backend_from_url(config.base_url, config.model, max_retries=config.max_retries)
    try:
        results = run_eval(
            config,
            config.out_dir,
            device=config.device,
            price=price,
            cache_dir=config.cache_dir,
            show_progress=config.progress,
            backend=backend,
        )
    except BackendError as exc:  # the advice names this command's option
        raise UserError(one_line(exc).replace("raise max_retries", "raise --max-retries")) from exc
    for line in filter(None, (r.reuse_line() for r in results)):  # cached work, counted exactly
        typer.echo(line)
    typer.echo((Path(config.out_dir) / "table.md").read_text())
    typer.echo(f"samples, summary, config and run record in {config.out_dir}/")
    report_after(config.out_dir)


eval_command = config_command(
    EvalConfig,
    run,
    example="configs/eval_quickstart.yaml",
    doc="Evaluate a model or a server on tasks: pass@1, pass@k, maj@k, tokens, cost. Rerun to resume.",
)
