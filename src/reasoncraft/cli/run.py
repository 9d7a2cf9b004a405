"""`reasoncraft run RECIPE [CONFIG.yaml] [key=value ...]`: a route, or all of them compared; `--list` shows them."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import ConfigError, describe
from ..recipes.settings import PRESETS, RECIPES, RecipeConfig
from ..recipes.stages import StageOutputTooSmall
from .options import load_or_exit
from .report import report_after

ABOUT = {
    "scaling": "inference-time scaling of the base model: greedy, majority vote, best-of-N with a verifier",
    "r1-zero": "pure RL (GRPO) from the base model with accuracy and format rewards",
    "r1": "DeepSeek-R1: cold start -> SFT -> RL -> rejection sampling + general data -> SFT -> RL",
    "distill": "a teacher's verified traces (the task's solver, a model or a server) -> SFT of the base model",
    "compare": "all four routes on one base model and task, then one comparison (table, plot, intervals)",
}


def run_command(
    recipe: str | None = typer.Argument(None, help="A recipe: " + ", ".join(RECIPES) + "."),
    config: str | None = typer.Argument(
        None, help="YAML config (e.g. configs/recipes/compare_quick.yaml) or key=value."
    ),
    overrides: list[str] | None = typer.Argument(None, help="key=value overrides, e.g. preset=full seeds=[0,1]."),
    list_recipes: bool = typer.Option(False, "--list", help="List the recipes and presets, then exit."),
    show_config: bool = typer.Option(False, "--show-config", help="List every config key with its help, then exit."),
) -> None:
    """Run a route to a reasoning model, or compare them all (`compare`); rerun the same command to continue."""
    if show_config:
        typer.echo(describe(RecipeConfig))
        return
    if list_recipes or recipe is None:
        for name in RECIPES:
            typer.echo(f"{name:8s} {ABOUT[name]}")
        typer.echo("presets: " + ", ".join(PRESETS) + " (preset=NAME; quick is the default)")
        return
    if recipe not in RECIPES:
        raise typer.BadParameter(f"unknown recipe {recipe!r}: use one of {', '.join(RECIPES)} (reasoncraft run --list)")
    resolved = load_or_exit(RecipeConfig, config, overrides)
    from ..recipes.runner import run_recipe  # lazy: the engines behind it (evaluate, data, scaling)

    try:
        record = run_recipe(recipe, resolved, log=typer.echo)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except StageOutputTooSmall as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    root = Path(resolved.folder(recipe))
    outputs = record["outputs"]
    typer.echo("\n" + (root / outputs["table"]).read_text())
    typer.echo(f"comparison: {root / outputs['comparison']}; plot: {root / outputs['plot']}")
    typer.echo(f"every stage's samples, models and run records: {root}/")
    report_after(root)
