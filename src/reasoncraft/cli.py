"""The command line: a thin layer over the library. Only this file parses command lines.

Each command validates its options, builds the library objects and calls one library function.
Heavy imports happen inside the commands so that `reasoncraft --help` stays fast.
"""

from __future__ import annotations

from typing import Optional

import typer

app = typer.Typer(
    help="reasoncraft: build and compare reasoning LLMs (inference-time scaling, GRPO, SFT, distillation).",
    no_args_is_help=True,
    add_completion=False,
)
train_app = typer.Typer(help="Train a policy: `train grpo` (pure RL), `train sft` (supervised).", no_args_is_help=True)
app.add_typer(train_app, name="train")


@app.command()
def models() -> None:
    """List the embedded model catalogue and where its cache lives."""
    from .models import CATALOGUE, DEFAULT_MODEL, reasoncraft_home

    for name, entry in CATALOGUE.items():
        default = " (default)" if name == DEFAULT_MODEL else ""
        typer.echo(f"{name}{default}: {entry.wheel} -> {entry.gguf_member} [{entry.license}]; original: {entry.hub_id}")
    typer.echo(f"cache: {reasoncraft_home()}")


@app.command()
def generate(
    prompt: list[str] = typer.Argument(..., help="One or more user messages (sent through the chat template)."),
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf file, local folder or hub id."),
    n: int = typer.Option(1, help="Samples per prompt."),
    temperature: float = typer.Option(0.0, help="0 = greedy."),
    max_new_tokens: int = typer.Option(128, help="Token limit per completion."),
    seed: int = typer.Option(0, help="Sampling seed."),
    device: Optional[str] = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
) -> None:
    """Sample completions from a model with the in-process backend."""
    from .backends import HFBackend, SamplingParams

    backend = HFBackend.from_name(model, device=device)
    sampling = SamplingParams(n=n, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
    messages = [[{"role": "user", "content": p}] for p in prompt]
    for text, completions in zip(prompt, backend.generate(messages, sampling)):
        for c in completions:
            typer.echo(f"--- {text!r} sample {c.sample_index} ({c.completion_tokens} tokens, {c.finish_reason})")
            typer.echo(c.text)


@app.command("scale")
def scale_command(
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf file, local folder or hub id."),
    task: str = typer.Option("arith-sum-2d", help="Task name."),
    strategy: list[str] = typer.Option(
        ["greedy", "majority", "best-of-n", "beam", "dvts"], "--strategy", "-s",
        help="Repeatable: direct, greedy, cot, majority, best-of-n, weighted-best-of-n, beam, dvts, budget.",
    ),
    max_n: int = typer.Option(16, help="Largest budget N (a power of two); budgets are 1, 2, 4, ... N."),
    limit: int = typer.Option(100, help="Test problems."),
    dev_limit: int = typer.Option(0, help="Dev problems for the compute-optimal curve (0: none)."),
    scorer: str = typer.Option("rules", help="Verifier for best-of-n and search: rules or oracle."),
    aggregation: str = typer.Option("last", help="Step-score aggregation: last, min or prod."),
    beam_width: int = typer.Option(4, help="M for beam search and DVTS."),
    temperature: float = typer.Option(0.7, help="Sampling temperature."),
    max_new_tokens: int = typer.Option(128, help="Token limit per completion (per step in search)."),
    seed: int = typer.Option(0, help="Sampling seed."),
    out: str = typer.Option("runs/scale", help="Output folder (results, table.md, scale.png, run.json)."),
    cache_dir: Optional[str] = typer.Option(None, help="Completion cache (default: the one eval uses)."),
    device: Optional[str] = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
) -> None:
    """Inference-time scaling: accuracy against generated tokens per problem, per strategy and budget."""
    from pathlib import Path

    from .scaling.sweep import ScaleConfig, run_scale

    try:
        config = ScaleConfig(
            model=model, task=task, strategies=tuple(strategy), max_n=max_n, limit=limit, dev_limit=dev_limit,
            scorer=scorer, aggregation=aggregation, beam_width=beam_width, temperature=temperature,
            max_new_tokens=max_new_tokens, seed=seed, out_dir=out, cache_dir=cache_dir, device=device,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    run_scale(config)
    typer.echo((Path(out) / "table.md").read_text())
    typer.echo(f"plot, results and run record in {out}/")


if __name__ == "__main__":
    app()
