"""`reasoncraft step-labels` and `reasoncraft train prm`: make step labels without humans, train a PRM on them.

    reasoncraft step-labels task=arith-sum-2d problems=128 solutions=4 rollouts=4 out_dir=runs/labels
    reasoncraft train prm labels=runs/labels/labels.jsonl out_dir=runs/prm   # or labels=[a.jsonl,b.jsonl]
    reasoncraft scale --scorer runs/prm/model ...          # the folder says how it is read

Both take a YAML file, key=value overrides and one option per config field (file < key=value < option), and
check the output folder first (`reasoncraft.runs`): the same config continues (labels from their cache, training
from its last checkpoint).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import typer

from ..data.step_labels import StepLabelConfig, run_step_labels
from ..train.prm_config import PRMConfig
from .checks import check_model_name, check_task, claim_folder, use_threads
from .options import OVERWRITE_HELP, options_command
from .train import trainer_command


def _step_labels(resolved: StepLabelConfig, args: dict) -> None:
    if not resolved.base_url:
        check_model_name(resolved.policy, "policy=")
    check_task(
        resolved.task, resolved.task_options, split=resolved.split, limit=resolved.problems, template=resolved.template
    )
    claim_folder(
        resolved.out_dir, "step-labels", resolved, resume=False, overwrite=args["overwrite"], option="out_dir="
    )
    use_threads(resolved.num_threads)
    report = run_step_labels(resolved, log=typer.echo)
    typer.echo(
        f"{report['solutions']} solutions ({report['steps']} steps) labelled in {resolved.out_dir}/labels.jsonl; "
        f"{report['rollouts']} rollouts drawn this run, {report['wall_s']:.0f} s"
    )


step_labels_command = options_command(
    StepLabelConfig,
    _step_labels,
    doc="Label the steps of sampled solutions: Monte Carlo rollouts (Math-Shepherd) or the arithmetic verifier. "
    "Rerun the same command to resume: nothing cached is drawn again.\n\n"
    "Every config key is also an option (--rollouts 8); a later source wins: the YAML file, then key=value "
    "overrides, then options.",
    example="labels.yaml (StepLabelConfig settings)",
    overrides_help="key=value overrides, e.g. problems=128 rollouts=4.",
    parameters=[
        inspect.Parameter(
            "overwrite",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=bool,
            default=typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
        )
    ],
    names={"task_options": ("--task-option",), "num_threads": ("--threads", "--num-threads")},
)


def _prm(resolved: PRMConfig, checkpoint: str | None) -> None:
    from ..train.prm import train_prm  # lazy: torch and transformers

    summary = train_prm(resolved, resume=checkpoint, log=typer.echo)
    after = summary.get("held_out", {}).get("after")
    typer.echo(
        f"reward model, metrics, checkpoints and run record in {resolved.out_dir}/"
        + (f"; held-out step accuracy {after['step_accuracy']:.3f}" if after else "")
    )


def _check_prm(config: PRMConfig) -> None:
    for path in config.labels:  # each label file, before the model loads
        if not Path(path).is_file():
            raise FileNotFoundError(2, "No such file or directory", str(path))


train_prm_command = trainer_command(
    "train prm",
    PRMConfig,
    _check_prm,
    _prm,
    example="prm.yaml (PRMConfig settings)",
    overrides_help="key=value overrides, e.g. labels=runs/labels/labels.jsonl lora_r=16.",
    doc="Train a process reward model (or an ORM) on step labels; the saved folder loads with `scale --scorer`.",
)
