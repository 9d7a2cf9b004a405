"""`reasoncraft train grpo` and `train sft`: a YAML recipe plus `key=value` overrides, then one trainer call."""

from __future__ import annotations

import typer

from ..config import describe
from ..train.grpo_config import GRPOConfig
from ..train.sft_config import SFTConfig
from .options import load_or_exit

train_app = typer.Typer(help="Train a policy: `train grpo` (pure RL), `train sft` (supervised).", no_args_is_help=True)

CONFIG_HELP = "List every config key with its type, default and help, then exit."


@train_app.command("grpo")
def train_grpo_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/r1_zero_quickstart.yaml."),
    overrides: list[str] | None = typer.Argument(None, help="key=value overrides, e.g. learning_rate=2e-5 steps=50."),
    resume: str | None = typer.Option(None, help="Run folder or checkpoint to continue exactly from."),
    show_config: bool = typer.Option(False, "--show-config", help=CONFIG_HELP),
) -> None:
    """GRPO (pure RL with rule-based rewards, R1-Zero style): evaluate, train, evaluate again, plot."""
    if show_config:
        typer.echo(describe(GRPOConfig))
        return
    resolved = load_or_exit(GRPOConfig, config, overrides)  # every value checked before anything loads
    from ..train.grpo import train_grpo  # torch and transformers

    summary = train_grpo(resolved, resume=resume, log=typer.echo)
    if "evaluation" in summary:  # the main process's summary (other ranks of a multi-process launch stay quiet)
        typer.echo(
            f"metrics, plot, checkpoints and run record in {resolved.out_dir}/; evaluation: {summary['evaluation']}"
        )


@train_app.command("sft")
def train_sft_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/sft_countdown_shortcut.yaml."),
    overrides: list[str] | None = typer.Argument(
        None, help="key=value overrides, e.g. learning_rate=1e-5 max_steps=50."
    ),
    resume: str | None = typer.Option(None, help="Run folder or checkpoint to continue exactly from."),
    show_config: bool = typer.Option(False, "--show-config", help=CONFIG_HELP),
) -> None:
    """Supervised fine-tuning on chat `messages` JSONL (completion-only loss, packed), optionally with teacher KL."""
    if show_config:
        typer.echo(describe(SFTConfig))
        return
    resolved = load_or_exit(SFTConfig, config, overrides)
    from ..train.sft import train_sft  # torch and transformers

    summary = train_sft(resolved, resume=resume, log=typer.echo)
    loss = summary["final_metrics"].get("loss")
    typer.echo(f"model, metrics, checkpoints and run record in {resolved.out_dir}/; final: {loss}")
