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


@train_app.command("grpo")
def train_grpo_command(
    config: Optional[str] = typer.Argument(None, help="YAML recipe, e.g. configs/r1_zero_quickstart.yaml."),
    overrides: Optional[list[str]] = typer.Argument(None, help="key=value overrides, e.g. learning_rate=2e-5 steps=50."),
    resume: Optional[str] = typer.Option(None, help="Run folder or checkpoint to continue exactly from."),
    show_config: bool = typer.Option(False, "--show-config", help="List every config key with its help, then exit."),
) -> None:
    """GRPO (pure RL with rule-based rewards, R1-Zero style): evaluate, train, evaluate again, plot."""
    from .config import ConfigError, describe, load_config
    from .train.grpo_config import GRPOConfig

    if show_config:
        typer.echo(describe(GRPOConfig))
        return
    if config is not None and "=" in config:  # only overrides were given
        overrides, config = [config, *(overrides or [])], None
    try:
        resolved = load_config(GRPOConfig, config, overrides or [])
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    from .train.grpo import train_grpo

    summary = train_grpo(resolved, resume=resume, log=typer.echo)
    if "evaluation" in summary:  # the main process's summary (other ranks of a multi-process launch stay quiet)
        typer.echo(f"metrics, plot, checkpoints and run record in {resolved.out_dir}/; evaluation: {summary['evaluation']}")


def _load_or_exit(cls, config: Optional[str], overrides: Optional[list[str]]):
    """A config dataclass from an optional YAML file and key=value overrides; a bad value is a usage error."""
    from .config import ConfigError, load_config

    if config is not None and "=" in config:  # only overrides were given
        overrides, config = [config, *(overrides or [])], None
    try:
        return load_config(cls, config, overrides or [])
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc


@train_app.command("sft")
def train_sft_command(
    config: Optional[str] = typer.Argument(None, help="YAML recipe, e.g. configs/sft_countdown_shortcut.yaml."),
    overrides: Optional[list[str]] = typer.Argument(None, help="key=value overrides, e.g. learning_rate=1e-5 max_steps=50."),
    resume: Optional[str] = typer.Option(None, help="Run folder or checkpoint to continue exactly from."),
    show_config: bool = typer.Option(False, "--show-config", help="List every config key with its help, then exit."),
) -> None:
    """Supervised fine-tuning on chat `messages` JSONL (completion-only loss, packed), optionally with KL to a teacher."""
    from .config import describe
    from .train.sft_config import SFTConfig

    if show_config:
        typer.echo(describe(SFTConfig))
        return
    resolved = _load_or_exit(SFTConfig, config, overrides)
    from .train.sft import train_sft

    summary = train_sft(resolved, resume=resume, log=typer.echo)
    typer.echo(f"model, metrics, checkpoints and run record in {resolved.out_dir}/; final: {summary['final_metrics'].get('loss')}")


@app.command("distill")
def distill_command(
    config: Optional[str] = typer.Argument(None, help="YAML recipe, e.g. configs/distill_countdown_journey.yaml."),
    overrides: Optional[list[str]] = typer.Argument(None, help="key=value overrides, e.g. k=8 teacher=smollm2-135m."),
    show_config: bool = typer.Option(False, "--show-config", help="List every config key with its help, then exit."),
) -> None:
    """Build an SFT set from a teacher: k traces per problem, verified, filtered, deduplicated, decontaminated.
    Rerun the same command to resume after a crash."""
    from .data.distill import DistillConfig, run_distill
    from .config import describe

    if show_config:
        typer.echo(describe(DistillConfig))
        return
    resolved = _load_or_exit(DistillConfig, config, overrides)
    report = run_distill(resolved, log=typer.echo)
    typer.echo(f"traces.jsonl, sft.jsonl ({report['filtering']['kept']} records), report.json and run.json in {resolved.out_dir}/")


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


def _options(pairs: list[str]) -> dict:
    """key=value pairs into a dict; values that parse as JSON (numbers, true, lists) are converted."""
    import json

    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected key=value, got {pair!r}")
        try:
            options[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            options[key.replace("-", "_")] = value
    return options


@app.command("eval")
def eval_command(
    task: list[str] = typer.Option(..., "--task", "-t", help="Task spec (repeatable), e.g. arith-sum-2d, math500, gsm8k."),
    model: Optional[str] = typer.Option(None, help="Catalogue name, .gguf, folder or hub id [default: smollm2-135m]; "
                                        "with --base-url, the model name the server serves."),
    base_url: Optional[str] = typer.Option(None, help="OpenAI-compatible server URL(s), comma-separated (vLLM, SGLang)."),
    samples: Optional[int] = typer.Option(None, help="Samples per problem, N [default: 1]."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature; 0 = greedy [default: 0]."),
    top_p: Optional[float] = typer.Option(None, help="Nucleus sampling mass [default: 1.0]."),
    top_k: Optional[int] = typer.Option(None, help="Top-k sampling; 0 = off [default: 0]."),
    max_new_tokens: Optional[int] = typer.Option(None, help="Token limit per completion [default: 512]."),
    seed: Optional[int] = typer.Option(None, help="Sampling seed [default: 0]."),
    split: Optional[str] = typer.Option(None, help="Task split: test or dev [default: test]."),
    limit: Optional[int] = typer.Option(None, help="Evaluate only the first LIMIT problems of each task."),
    template: Optional[str] = typer.Option(None, help="Prompt template name (default: each task's own)."),
    task_option: list[str] = typer.Option([], help="key=value passed to every task, e.g. data_path=gsm8k.jsonl."),
    preset: Optional[str] = typer.Option(None, help="r1 (T=0.6, top-p 0.95, 64 samples, cons@64) or greedy."),
    batch_problems: Optional[int] = typer.Option(None, help="Problems per generation batch [default: 16]."),
    out: str = typer.Option("runs/eval", help="Output folder: samples.jsonl, summary.json, table.md, run.json."),
    cache_dir: Optional[str] = typer.Option(None, help="Completion cache shared by eval and scale [default: under REASONCRAFT_HOME]."),
    device: Optional[str] = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
    price_per_hour: float = typer.Option(0.0, help="Device price per hour, for the cost in run.json."),
    price_per_million_tokens: float = typer.Option(0.0, help="Price per million completion tokens (hosted APIs)."),
    no_progress: bool = typer.Option(False, help="Hide the progress bar."),
) -> None:
    """Evaluate a model or a server on tasks: pass@1, pass@k, maj@k, tokens, cost. Rerun to resume."""
    from pathlib import Path

    from .evaluate import EvalConfig, run_eval
    from .record import Price

    if base_url is None and model is None:
        model = "smollm2-135m"
    try:
        config = EvalConfig.resolve(
            preset, tasks=task, model=model, base_url=base_url, samples=samples,
            temperature=temperature, top_p=top_p, top_k=top_k, max_new_tokens=max_new_tokens, seed=seed, split=split,
            limit=limit, template=template, task_options=_options(task_option), batch_problems=batch_problems,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    price = Price(per_hour=price_per_hour, per_million_completion_tokens=price_per_million_tokens)
    run_eval(config, out, device=device, price=price, cache_dir=cache_dir, show_progress=not no_progress)
    typer.echo((Path(out) / "table.md").read_text())
    typer.echo(f"samples, summary and run record in {out}/")


@app.command()
def demo(
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf, folder or hub id."),
    problems: int = typer.Option(8, help="How many generated 2-digit sums to solve."),
    device: Optional[str] = typer.Option(None, help="cpu or cuda (default: cuda when present)."),
) -> None:
    """One minute of mechanics: the default model solves generated sums with chain-of-thought."""
    from .recipes.demo import run_demo

    run_demo(model=model, problems=problems, device=device, echo=typer.echo)


@app.command("tasks")
def tasks_command() -> None:
    """List the registered tasks."""
    from .tasks import list_tasks

    for name in list_tasks(include_patterns=True):
        typer.echo(name)


@app.command("scale")
def scale_command(
    model: str = typer.Option("smollm2-135m", help="Catalogue name, .gguf file, local folder or hub id."),
    task: str = typer.Option("arith-sum-2d", help="Task name."),
    strategy: list[str] = typer.Option(
        ["greedy", "majority", "best-of-n", "beam", "dvts"], "--strategy", "-s",
        help="Repeatable: direct, greedy, cot, majority, best-of-n, weighted-best-of-n, beam (beam-search), dvts, "
             "budget (budget-forcing).",
    ),
    max_n: int = typer.Option(16, help="Largest budget N (a power of two); budgets are 1, 2, 4, ... N."),
    limit: int = typer.Option(100, help="Test problems."),
    dev_limit: int = typer.Option(0, help="Dev problems for the compute-optimal curve (0: none)."),
    scorer: str = typer.Option("rules", help="Verifier for best-of-n and search: rules, oracle, or a reward model "
                               "(qwen2.5-math-prm-7b, math-shepherd-mistral-7b-prm, a local folder or a hub id)."),
    scorer_kind: Optional[str] = typer.Option(None, help="Reward-model adapter: step-tag, classification or orm [default: detected]."),
    step_delimiter: str = typer.Option("\\n\\n", help="Where a step ends (escapes allowed): blank line by default; '\\n' for one newline."),
    pilot: int = typer.Option(4, help="Pilot samples per problem for compute-optimal difficulty."),
    difficulty: str = typer.Option("auto", help="Compute-optimal difficulty: verifier, agreement or auto."),
    bins: int = typer.Option(5, help="Compute-optimal difficulty bins (ties can leave fewer)."),
    min_bin_size: int = typer.Option(10, help="A difficulty bin with fewer dev problems joins its smaller neighbour."),
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
            scorer=scorer, scorer_kind=scorer_kind, step_delimiter=_unescape(step_delimiter), pilot=pilot,
            difficulty=difficulty, bins=bins, min_bin_size=min_bin_size,
            aggregation=aggregation, beam_width=beam_width, temperature=temperature,
            max_new_tokens=max_new_tokens, seed=seed, out_dir=out, cache_dir=cache_dir, device=device,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    run_scale(config)
    typer.echo((Path(out) / "table.md").read_text())
    typer.echo(f"plot, results and run record in {out}/")


def _unescape(text: str) -> str:
    r"""Backslash escapes typed on a command line ("\n") as the characters they name."""
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


if __name__ == "__main__":
    app()
