"""The small commands: `models` and `tasks` list what is available, `generate` samples, `demo` shows the mechanics."""

from __future__ import annotations

import typer


def models() -> None:
    """List the embedded model catalogue and where its cache lives."""
    from ..models import CATALOGUE, DEFAULT_MODEL, reasoncraft_home

    for name, entry in CATALOGUE.items():
        default = " (default)" if name == DEFAULT_MODEL else ""
        typer.echo(f"{name}{default}: {entry.wheel} -> {entry.gguf_member} [{entry.license}]; original: {entry.hub_id}")
    typer.echo(f"cache: {reasoncraft_home()}")


def tasks_command() -> None:
    """List the registered tasks."""
    from ..tasks import list_tasks

    for name in list_tasks(include_patterns=True):
        typer.echo(name)


def generate(
    prompt: list[str] = typer.Argument(..., help="One or more user messages (sent through the chat template)."),
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf file, local folder or hub id."),
    n: int = typer.Option(1, help="Samples per prompt."),
    temperature: float = typer.Option(0.0, help="0 = greedy."),
    max_new_tokens: int = typer.Option(128, help="Token limit per completion."),
    seed: int = typer.Option(0, help="Sampling seed."),
    device: str | None = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
) -> None:
    """Sample completions from a model with the in-process backend."""
    from ..backends import HFBackend, SamplingParams

    backend = HFBackend.from_name(model, device=device)
    sampling = SamplingParams(n=n, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
    messages = [[{"role": "user", "content": p}] for p in prompt]
    for text, completions in zip(prompt, backend.generate(messages, sampling)):
        for c in completions:
            typer.echo(f"--- {text!r} sample {c.sample_index} ({c.completion_tokens} tokens, {c.finish_reason})")
            typer.echo(c.text)


def demo(
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf, folder or hub id."),
    problems: int = typer.Option(8, help="How many generated 2-digit sums to solve."),
    device: str | None = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
) -> None:
    """One minute of mechanics: the default model solves generated sums with chain-of-thought."""
    from ..recipes.demo import run_demo

    run_demo(model=model, problems=problems, device=device, echo=typer.echo)
