"""`reasoncraft train grpo` and `train sft`: a YAML recipe plus `key=value` overrides, then one trainer call.

Before anything loads, the output folder is checked (`reasoncraft.runs`): the same config in its own folder
continues from its last checkpoint (or says the run is finished); another command's folder, or this command
with a config that changes the outputs, is refused unless --resume or --overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from .. import runs
from ..rewards.base import get_reward
from ..train.checkpoint import CheckpointError, resolve_checkpoint
from ..train.grpo_config import GRPOConfig
from ..train.sft_config import SFTConfig, check_datasets
from .checks import check_model_name, check_server, check_task, claim_folder, use_threads
from .errors import UserError
from .options import OVERWRITE_HELP, SHOW_CONFIG_HELP, THREADS_HELP, load_or_exit, show_config
from .report import report_after

train_app = typer.Typer(help="Train a policy: `train grpo` (pure RL), `train sft` (supervised).", no_args_is_help=True)

RESUME_HELP = (
    "Continue a run: its folder or one of its checkpoints (a changed config is accepted and listed); "
    "the same config in its own folder continues without it."
)


def prepare_folder(command: str, config: Any, resume: str | None, overwrite: bool) -> tuple[str | None, bool]:
    """Claim the run folder; return (the checkpoint to resume from or None, whether the run is already finished)."""
    out = Path(config.out_dir)
    explicit = resume is not None
    claim = claim_folder(
        config.out_dir, command, config, resume=explicit, overwrite=overwrite, option="out_dir=", log=typer.echo
    )
    if explicit or not claim.continuing:
        return resume, False
    try:
        checkpoint = resolve_checkpoint(out)
    except CheckpointError:
        checkpoint = None
    if (out / "summary.json").is_file() and claim.state == "continued":
        return None, True
    if checkpoint is None:  # the same run stopped before its first checkpoint: nothing to continue from
        typer.echo(f"{out}/ holds no checkpoint of this run: starting it again")
        runs.clear(out)
        runs.write_identity(out, command, runs.identity_of(command, config), [])
        return None, False
    return str(out), False


def _train(
    command: str,
    cls: type,
    config: str | None,
    overrides: list[str] | None,
    resume: str | None,
    overwrite: bool,
    show: bool,
    check: Callable[[Any], None],
) -> tuple[Any, str | None] | None:
    if show:
        typer.echo(show_config(cls, config, overrides))
        return None
    resolved = load_or_exit(cls, config, overrides)  # every value checked before anything loads
    check_model_name(resolved.model, "model=")
    check(resolved)
    checkpoint, finished = prepare_folder(command, resolved, resume, overwrite)
    if finished:
        typer.echo(f"{resolved.out_dir}/ already holds this finished run: --overwrite to train it again")
        return None
    use_threads(resolved.num_threads)  # 0: the cores not already busy (the trainer keeps a number it is given)
    return resolved, checkpoint


def _check_grpo(config: GRPOConfig) -> None:
    if config.rollout_server:  # within seconds, before the policy loads
        check_server(config.rollout_server, config.rollout_model or config.model, "rollout_model=")
    for name in config.rewards:
        try:
            get_reward(name)
        except KeyError as exc:
            raise UserError(str(exc.args[0]) if exc.args else str(exc)) from exc
    options = dict(getattr(config, "task_options", {}) or {})
    check_task(config.task, options, split=config.train_split, limit=1, template=config.template)
    if config.eval_problems:
        check_task(config.task, options, split=config.eval_split, limit=config.eval_problems, template=config.template)


def _check_sft(config: SFTConfig) -> None:
    check_datasets(config)  # each data file, before the model loads: named as given and as resolved
    if config.eval_task and config.eval_problems:
        check_task(
            config.eval_task,
            config.eval_task_options,
            split=config.eval_split,
            limit=config.eval_problems,
            template=config.eval_template,
        )


@train_app.command("grpo", no_args_is_help=True)
def train_grpo_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/r1_zero_quickstart.yaml."),
    overrides: list[str] | None = typer.Argument(None, help="key=value overrides, e.g. learning_rate=2e-5 steps=50."),
    resume: str | None = typer.Option(None, help=RESUME_HELP, show_default=False),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    show_config_: bool = typer.Option(False, "--show-config", help=SHOW_CONFIG_HELP),
    threads: int | None = typer.Option(None, "--threads", min=0, help=THREADS_HELP + " Sets num_threads."),
) -> None:
    """GRPO (pure RL with rule-based rewards, R1-Zero style): evaluate, train, evaluate again, plot."""
    overrides = [*(overrides or []), *([f"num_threads={threads}"] if threads is not None else [])]
    prepared = _train("train grpo", GRPOConfig, config, overrides, resume, overwrite, show_config_, _check_grpo)
    if prepared is None:
        return
    resolved, checkpoint = prepared
    from ..train.grpo import train_grpo  # lazy: torch and transformers

    summary = train_grpo(resolved, resume=checkpoint, log=typer.echo)
    if "evaluation" in summary:  # the main process's summary (other ranks of a multi-process launch stay quiet)
        typer.echo(f"metrics, plot, checkpoints and run record in {resolved.out_dir}/")
        if summary["evaluation"]:
            typer.echo(held_out_line(summary["evaluation"]))
        report_after(resolved.out_dir)


@train_app.command("sft", no_args_is_help=True)
def train_sft_command(
    config: str | None = typer.Argument(None, help="YAML recipe, e.g. configs/sft_countdown_shortcut.yaml."),
    overrides: list[str] | None = typer.Argument(
        None, help="key=value overrides, e.g. learning_rate=1e-5 max_steps=50."
    ),
    resume: str | None = typer.Option(None, help=RESUME_HELP, show_default=False),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    show_config_: bool = typer.Option(False, "--show-config", help=SHOW_CONFIG_HELP),
    threads: int | None = typer.Option(None, "--threads", min=0, help=THREADS_HELP + " Sets num_threads."),
) -> None:
    """Supervised fine-tuning on chat `messages` JSONL (completion-only loss, packed), optionally with teacher KL."""
    overrides = [*(overrides or []), *([f"num_threads={threads}"] if threads is not None else [])]
    prepared = _train("train sft", SFTConfig, config, overrides, resume, overwrite, show_config_, _check_sft)
    if prepared is None:
        return
    resolved, checkpoint = prepared
    from ..train.sft import train_sft  # lazy: torch and transformers

    summary = train_sft(resolved, resume=checkpoint, log=typer.echo)
    if "final_metrics" in summary:
        loss = summary["final_metrics"].get("loss")
        typer.echo(f"model, metrics, checkpoints and run record in {resolved.out_dir}/; final loss: {loss}")
        if summary.get("evaluation"):
            typer.echo(held_out_line(summary["evaluation"]))
        report_after(resolved.out_dir)


def held_out_line(evaluation: dict) -> str:
    """The held-out evaluations as one readable line: "held-out pass@1: before 0.125, after 0.375"."""
    parts = []
    for when in ("before", "after"):
        result = evaluation.get(when)
        if isinstance(result, dict):
            value = next((result[k] for k in ("pass@1", "accuracy") if isinstance(result.get(k), (int, float))), None)
            parts.append(f"{when} {value:.3f}" if value is not None else f"{when} {result}")
    return "held-out pass@1: " + (", ".join(parts) if parts else "none")
