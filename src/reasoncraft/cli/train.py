"""`reasoncraft train grpo` and `train sft` (and `train prm`, cli/prm.py): a YAML recipe, `key=value` overrides and
one option per config field (file < key=value < option), then one trainer call.

Before anything loads, the output folder is checked (`reasoncraft.runs`): the same config in its own folder
continues from its last checkpoint (or says the run is finished); another command's folder, or this command
with a config that changes the outputs, is refused unless --resume or --overwrite.
"""

from __future__ import annotations

import inspect
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
from .options import OVERWRITE_HELP, alias_names, options_command
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


OPTIONS_DOC = (
    "Every config key is also an option (--learning-rate 2e-5; a list repeats it: --lora-target-modules q_proj "
    "--lora-target-modules v_proj); a later source wins: the YAML file, then key=value overrides, then options."
)


def trainer_command(
    command: str,
    cls: type,
    check: Callable[[Any], None],
    train: Callable[[Any, str | None], None],
    *,
    example: str,
    overrides_help: str,
    doc: str,
) -> Callable[..., None]:
    """A `train ...` command: [CONFIG.yaml] [key=value ...], --resume, --overwrite, --show-config and one option per
    field of `cls`. Every value is checked (the config, then `check`) and the output folder claimed before
    `train(config, checkpoint)` runs; a finished run in its own folder says so instead."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            "resume", keyword, annotation=str | None, default=typer.Option(None, help=RESUME_HELP, show_default=False)
        ),
        inspect.Parameter(
            "overwrite", keyword, annotation=bool, default=typer.Option(False, "--overwrite", help=OVERWRITE_HELP)
        ),
    ]

    def run(resolved: Any, args: dict[str, Any]) -> None:
        check_model_name(resolved.model, "model=")
        check(resolved)
        checkpoint, finished = prepare_folder(command, resolved, args["resume"], args["overwrite"])
        if finished:
            typer.echo(f"{resolved.out_dir}/ already holds this finished run: --overwrite to train it again")
            return
        use_threads(resolved.num_threads)  # 0: the cores not already busy (the trainer keeps a number it is given)
        train(resolved, checkpoint)

    return options_command(
        cls,
        run,
        doc=f"{doc}\n\n{OPTIONS_DOC}",
        example=example,
        overrides_help=overrides_help,
        parameters=parameters,
        names=alias_names(cls),
    )


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
    if config.teacher:  # like the student's, before either model loads
        check_model_name(config.teacher, "teacher=")
    if config.eval_task and config.eval_problems:
        check_task(
            config.eval_task,
            config.eval_task_options,
            split=config.eval_split,
            limit=config.eval_problems,
            template=config.eval_template,
        )


def _grpo(resolved: GRPOConfig, checkpoint: str | None) -> None:
    from ..train.grpo import train_grpo  # lazy: torch and transformers

    summary = train_grpo(resolved, resume=checkpoint, log=typer.echo)
    if "evaluation" in summary:  # the main process's summary (other ranks of a multi-process launch stay quiet)
        typer.echo(f"metrics, plot, checkpoints and run record in {resolved.out_dir}/")
        if summary["evaluation"]:
            typer.echo(held_out_line(summary["evaluation"]))
        report_after(resolved.out_dir)


def _sft(resolved: SFTConfig, checkpoint: str | None) -> None:
    from ..train.sft import train_sft  # lazy: torch and transformers

    summary = train_sft(resolved, resume=checkpoint, log=typer.echo)
    if "final_metrics" in summary:
        loss = summary["final_metrics"].get("loss")
        final = f"; final loss: {loss:.4f}" if isinstance(loss, float) else ""
        typer.echo(f"model, metrics, checkpoints and run record in {resolved.out_dir}/{final}")
        if summary.get("evaluation"):
            typer.echo(held_out_line(summary["evaluation"]))
        report_after(resolved.out_dir)


train_grpo_command = trainer_command(
    "train grpo",
    GRPOConfig,
    _check_grpo,
    _grpo,
    example="configs/r1_zero_quickstart.yaml",
    overrides_help="key=value overrides, e.g. learning_rate=2e-5 steps=50.",
    doc="GRPO (pure RL with rule-based rewards, R1-Zero style): evaluate, train, evaluate again, plot.",
)
train_sft_command = trainer_command(
    "train sft",
    SFTConfig,
    _check_sft,
    _sft,
    example="configs/sft_countdown_shortcut.yaml",
    overrides_help="key=value overrides, e.g. learning_rate=1e-5 max_steps=50.",
    doc="Supervised fine-tuning on chat `messages` JSONL (completion-only loss, packed), optionally with teacher KL.",
)
train_app.command("grpo", no_args_is_help=True)(train_grpo_command)
train_app.command("sft", no_args_is_help=True)(train_sft_command)


def held_out_line(evaluation: dict) -> str:
    """The held-out evaluations as one readable line: "held-out pass@1: before 0.125, after 0.375"."""
    parts = []
    for when in ("before", "after"):
        result = evaluation.get(when)
        if isinstance(result, dict):
            value = next((result[k] for k in ("pass@1", "accuracy") if isinstance(result.get(k), (int, float))), None)
            parts.append(f"{when} {value:.3f}" if value is not None else f"{when} {result}")
    return "held-out pass@1: " + (", ".join(parts) if parts else "none")
