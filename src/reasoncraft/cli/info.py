"""The small commands: `models` and `tasks` list what is available, `generate` samples, `demo` shows the mechanics."""

from __future__ import annotations

import typer

from ..backends import SamplingParams
from ..models import CATALOGUE, DEFAULT_MODEL, reasoncraft_home
from ..recipes.demo import run_demo
from ..tasks import list_tasks
from .checks import check_model_name, use_threads, warn_greedy_samples
from .options import THREADS_HELP


def models() -> None:
    """List the embedded model catalogue and where its cache lives."""
    for name, entry in CATALOGUE.items():
        default = " (default)" if name == DEFAULT_MODEL else ""
        typer.echo(f"{name}{default}: {entry.wheel} -> {entry.gguf_member} [{entry.license}]; original: {entry.hub_id}")
    typer.echo(f"cache: {reasoncraft_home()}")


def tasks_command() -> None:
    """List the registered tasks."""
    for name in list_tasks(include_patterns=True):
        typer.echo(name)


def generate(
    prompt: list[str] = typer.Argument(..., help="One or more user messages (sent through the chat template)."),
    model: str = typer.Option(DEFAULT_MODEL, help="Catalogue name, .gguf file, local folder or hub id."),
    samples: int = typer.Option(1, "--samples", "--n", "-n", help="Samples per prompt (--n is its old name)."),
    temperature: float = typer.Option(0.0, help="Sampling temperature; 0 = greedy."),
    max_new_tokens: int = typer.Option(128, help="Token limit per completion."),
    seed: int = typer.Option(0, help="Sampling seed."),
    device: str | None = typer.Option(None, help="cpu or cuda (default: cuda when present).", show_default=False),
    threads: int = typer.Option(0, help=THREADS_HELP),
) -> None:
    """Sample completions from a model with the in-process backend."""
    from ..backends.hf import HFBackend  # lazy: torch and transformers

    if samples < 1 or temperature < 0 or max_new_tokens < 1 or threads < 0:
        raise typer.BadParameter(
            "--samples and --max-new-tokens must be >= 1, --temperature and --threads >= 0: "
            f"got {samples}, {max_new_tokens}, {temperature}, {threads}"
        )
    check_model_name(model)
    warn_greedy_samples(samples, temperature, lambda line: typer.echo(line, err=True))
    use_threads(threads)
    backend = HFBackend.from_name(model, device=device)
    sampling = SamplingParams(n=samples, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
    messages = [[{"role": "user", "content": p}] for p in prompt]
    for text, completions in zip(prompt, backend.generate(messages, sampling)):
        for c in completions:
            typer.echo(f"--- {text!r} sample {c.sample_index} ({c.completion_tokens} tokens, {c.finish_reason})")
            typer.echo(c.text)


def demo(
    model: str = typer.Option(DEFAULT_MODEL, help="Catalogue name, .gguf, folder or hub id."),
    problems: int = typer.Option(8, "--limit", "--problems", help="How many generated 2-digit sums to solve."),
    device: str | None = typer.Option(None, help="cpu or cuda (default: cuda when present).", show_default=False),
    threads: int = typer.Option(0, help=THREADS_HELP),
) -> None:
    """A short look at the mechanics: the default model solves generated sums with chain-of-thought
    (about a minute on a quiet 2-core CPU; it says how long it took)."""
    if problems < 1 or threads < 0:
        raise typer.BadParameter(f"--problems must be >= 1 and --threads >= 0: got {problems} and {threads}")
    check_model_name(model)
    use_threads(threads)
    run_demo(model=model, problems=problems, device=device, echo=typer.echo)
