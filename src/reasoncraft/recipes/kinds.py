"""The stage kinds: each calls one existing engine with a stage's config and returns what later stages read.

A kind is `kind(config, inputs, out, ctx, name) -> outputs`: `config` is the stage's plain config, `inputs`
maps a role to an upstream stage's outputs, `out` is the stage's folder and `ctx` the recipe's `Context`.
Outputs are plain data saved in stage.json; paths in them are relative to the recipe folder. No kind samples,
scores or trains by itself: evaluation is `evaluate.run_eval`, the sweep `scaling.sweep.run_scale`, training
`train.grpo.train_grpo`, `train.sft.train_sft` and `train.prm.train_prm`, data `data.distill.run_distill` and
`data.step_labels.run_step_labels`; the general replies are one `Backend.generate` call of the base model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from ..backends.base import SamplingParams
from ..config import ConfigError
from ..data.column_addition import ColumnAdditionTeacher
from ..data.distill import DistillConfig, make_teacher, run_distill
from ..data.pipeline import write_jsonl_atomic
from ..data.step_labels import LABELS_NAME, StepLabelConfig, prompt_text, read_labels, run_step_labels
from ..eval_config import EvalConfig
from ..evaluate import run_eval
from ..record import RunRecord, count_parameters
from ..scaling.sweep import ScaleConfig, run_scale
from ..tasks import get_task
from ..train.grpo_config import GRPOConfig
from ..train.prm_config import PRMConfig
from ..train.sft_config import SFTConfig
from .comparison import write_comparison
from .stages import Context, StageOutputTooSmall

GENERAL_PROMPTS = "general_prompts.jsonl"  # shipped in reasoncraft/data (CC0, written for this project)


def _model(config: dict, inputs: dict, ctx: Context) -> str:
    """The model a stage starts from: an upstream stage's model folder, else the config's model."""
    return str(ctx.path(inputs["model"]["model"])) if "model" in inputs else config["model"]


def engine_config(
    kind: str, config: dict, *, model: str, out: Path, cache_dir: Path, device: str | None, datasets: list | None = None
) -> Any:
    """The config object a stage's engine is given (EvalConfig, ScaleConfig, GRPOConfig, SFTConfig, DistillConfig,
    StepLabelConfig, PRMConfig), checked by that config's own rules; `model` is the stage's starting model (or
    teacher, or labelling policy); `datasets` are an SFT stage's data files or a PRM stage's label files."""
    settings = {
        k: v for k, v in config.items() if k not in ("model", "general_share", "min_examples", "fix", "layout_solver")
    }
    if kind == "evaluate":
        return EvalConfig(model=model, out_dir=str(out), progress=False, **settings)
    if kind == "scale":
        return ScaleConfig(model=model, out_dir=str(out), cache_dir=str(cache_dir), device=device, **settings)
    if kind == "grpo":
        return GRPOConfig(model=model, out_dir=str(out), eval_problems=0, save_steps=-1, device=device, **settings)
    if kind == "sft":
        return SFTConfig(
            model=model, datasets=datasets or [], out_dir=str(out), save_steps=-1, device=device, **settings
        )
    if kind == "distill":
        return DistillConfig(**{**settings, "teacher": model}, out_dir=str(out), device=device)
    if kind == "step-labels":
        return StepLabelConfig(policy=model, out_dir=str(out), device=device, **settings)
    if kind == "prm":
        return PRMConfig(model=model, labels=datasets or [], out_dir=str(out), save_steps=-1, device=device, **settings)
    raise ValueError(f"stage kind {kind!r} has no engine config")


def mixture_weight(share: float, reasoning: int, general: int) -> float:
    """The weight of the general set that makes it `share` of the mixed examples.

    >>> mixture_weight(0.25, 300, 50)  # 100 general examples beside 300: a quarter
    2.0
    """
    return share * reasoning / ((1 - share) * general)  # w * general / (reasoning + w * general) = share


def evaluate_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """Held-out evaluation (`reasoncraft eval`): samples.jsonl and summary.json in the stage folder."""
    eval_config = engine_config(
        "evaluate", config, model=_model(config, inputs, ctx), out=out, cache_dir=ctx.cache_dir, device=ctx.device
    )
    run_eval(eval_config, out, device=ctx.device, cache_dir=ctx.cache_dir, show_progress=False, command=f"run {name}")
    summary = json.loads((out / "summary.json").read_text())[0]
    return {"samples": ctx.rel(out / "samples.jsonl"), "summary": summary}


def scale_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """The inference-time sweep (`reasoncraft scale`) on the stage's model: accuracy and tokens per budget, and
    each strategy and budget's per-problem results (`results`). A `scorer` input (a trained PRM) is its scorer."""
    if "scorer" in inputs:
        config = {**config, "scorer": str(ctx.path(inputs["scorer"]["model"]))}
    scale_config = engine_config(
        "scale", config, model=_model(config, inputs, ctx), out=out, cache_dir=ctx.cache_dir, device=ctx.device
    )
    summary = run_scale(scale_config)
    results = {path.stem: ctx.rel(path) for path in sorted((out / "results").glob("*/test/*.jsonl"))}
    return {"rows": summary["rows"], "table": ctx.rel(out / "table.md"), "results": results}


def grpo_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """GRPO (`reasoncraft train grpo`) from the stage's model; the trained model in model/."""
    from ..train.grpo import train_grpo  # lazy: torch

    grpo_config = engine_config(
        "grpo", config, model=_model(config, inputs, ctx), out=out, cache_dir=ctx.cache_dir, device=ctx.device
    )
    train_grpo(grpo_config, log=_quiet(ctx.log))
    return {"model": ctx.rel(out / "model")}


def sft_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """SFT (`reasoncraft train sft`) of the stage's model on the `data` input's SFT set, mixed with the
    `general` input's at `general_share` of the examples when given."""
    from ..train.sft import train_sft  # lazy: torch

    datasets: list[Any] = [str(ctx.path(inputs["data"]["sft"]))]
    if "general" in inputs:
        weight = mixture_weight(config["general_share"], inputs["data"]["kept"], inputs["general"]["kept"])
        datasets.append({"path": str(ctx.path(inputs["general"]["sft"])), "weight": weight})
    sft_config = engine_config(
        "sft",
        config,
        model=_model(config, inputs, ctx),
        out=out,
        cache_dir=ctx.cache_dir,
        device=ctx.device,
        datasets=datasets,
    )
    summary = train_sft(sft_config, log=_quiet(ctx.log))
    return {"model": ctx.rel(out / "model"), "examples": summary.get("examples")}


def distill_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """The data engine (`reasoncraft distill`): a teacher's traces, verified, filtered, deduplicated and
    decontaminated into sft.jsonl. The teacher is the `teacher` input's model, a solver, a model or a server.
    Stops the recipe when fewer than `min_examples` examples are kept (`fix` says what to change)."""
    teacher_name = str(ctx.path(inputs["teacher"]["model"])) if "teacher" in inputs else config["teacher"]
    distill_config = engine_config(
        "distill", config, model=teacher_name, out=out, cache_dir=ctx.cache_dir, device=ctx.device
    )
    teacher = _teacher(distill_config, config.get("layout_solver", "answer"), make_teacher)
    parameters = sum(p.numel() for p in teacher.model.parameters()) if hasattr(teacher, "model") else 0
    report = run_distill(distill_config, teacher=teacher, log=_quiet(ctx.log))
    kept, generated = report["filtering"]["kept"], report["generation"]
    if kept < config["min_examples"]:
        reasons = report["filtering"]["dropped"]
        dropped = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items())) or "none"
        fix = config["fix"]
        too_long = reasons.get("readability:length", 0)
        if too_long:  # the traces do not fit the token limit the student is evaluated with
            fix += (
                f"; {too_long} traces were longer than max_new_tokens={config['max_tokens']} (the "
                "evaluation's limit): raise max_new_tokens or use a teacher that writes shorter traces"
            )
        bad_format = reasons.get("readability:format", 0)
        if bad_format:  # verified answers in another layout than the one data_layout asks for
            fix += (
                f"; {bad_format} traces lacked the layout data_layout={config['layout']} asks for: set data_layout "
                "to what the template's answers look like (answer, r1, boxed, or none to check answers only)"
            )
        raise StageOutputTooSmall(
            name,
            f"{kept} SFT examples (fewer than min_sft_examples={config['min_examples']}) from "
            f"{generated['records_total']} traces of {generated['problems']} problems, {generated['correct']} of "
            f"them verified correct; dropped: {dropped}",
            fix,
        )
    # the traces the data holds, whichever run drew them: a killed and rerun stage counts the same FLOPs
    flops = 2.0 * parameters * (generated["data_prompt_tokens"] + generated["data_completion_tokens"])
    return {"sft": ctx.rel(out / "sft.jsonl"), "kept": kept, "flops": flops, "teacher": distill_config.teacher}


def step_labels_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """Monte Carlo step labels (`reasoncraft step-labels`) of the base model's solutions to train problems. Its
    FLOPs (2N per token: every solution's prompt and completion, every rollout's) are counted here, as the data
    engine's are, since the labeller's run record holds tokens without the model's size. Stops the recipe when no
    step is labelled good: a PRM would learn a constant."""
    from ..backends.hf import HFBackend  # lazy: torch

    where = {"out": out, "cache_dir": out, "device": ctx.device}
    label_config = engine_config("step-labels", config, model=config["model"], **where)
    backend = HFBackend.from_name(label_config.policy, device=ctx.device)
    report = run_step_labels(label_config, backend=backend, log=_quiet(ctx.log))
    task = get_task(label_config.task, **label_config.task_options)
    problems = task.problems(label_config.split, label_config.problems)
    prompts = sum(len(backend.encode(prompt_text(backend, task.prompt(p, label_config.template)))) for p in problems)
    tokens = label_config.solutions * prompts + report["solution_tokens"]
    tokens += report["rollout_prompt_tokens"] + report["rollout_completion_tokens"]
    records = read_labels(out / LABELS_NAME).values()
    good = sum(label == 1 for r in records for label in r["hard"])
    if not good:
        raise StageOutputTooSmall(
            name,
            f"no step labelled good in {report['solutions']} solutions ({report['solutions_correct']} correct, "
            f"{report['rollouts']} rollouts)",
            "score rollouts more leniently (prm_label_reward=lenient_accuracy on numeric answers), label more "
            "(prm_problems, prm_solutions, prm_rollouts), or use a task the base model sometimes solves",
        )
    return {
        "labels": ctx.rel(out / LABELS_NAME),
        "solutions": report["solutions"],
        "correct": report["solutions_correct"],
        "steps": report["steps"],
        "good_steps": good,
        "rollouts": report["rollouts"],
        "flops": 2.0 * count_parameters(backend.model) * tokens,
    }


def prm_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """PRM training (`reasoncraft train prm`) of the base model on the `labels` input's step labels; the trained
    reward model in model/ (`scorers.load_scorer` reads it)."""
    from ..train.prm import train_prm  # lazy: torch

    labels = [str(ctx.path(inputs["labels"]["labels"]))]
    prm_config = engine_config(
        "prm", config, model=config["model"], out=out, cache_dir=out, device=ctx.device, datasets=labels
    )
    summary = train_prm(prm_config, log=_quiet(ctx.log))
    return {"model": ctx.rel(out / "model"), "examples": summary.get("examples"), "held_out": summary.get("held_out")}


def _teacher(config: Any, layout: str, make_teacher: Callable[[Any], Any]) -> Any:
    if config.teacher == "column-addition":
        return ColumnAdditionTeacher(layout)
    return make_teacher(config)


def general_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """The non-reasoning share of r1's second SFT: the base model's greedy replies to the shipped general prompts."""
    from ..backends.hf import HFBackend  # lazy: torch

    prompts = read_general_prompts()[: config["prompts"]]
    backend = HFBackend.from_name(config["model"], device=ctx.device)
    record = RunRecord("run general replies", config, out)
    record.set_model(config["model"], None, count_parameters(backend.model))
    messages = [[{"role": "user", "content": p}] for p in prompts]
    outputs = backend.generate(messages, SamplingParams(n=1, temperature=0.0, max_new_tokens=config["max_new_tokens"]))
    rows = []
    for prompt, [reply] in zip(messages, outputs):
        record.add_tokens(prompt=reply.prompt_tokens, completion=reply.completion_tokens)
        if reply.text.strip():
            rows.append({"messages": [*prompt, {"role": "assistant", "content": reply.text.strip()}]})
    write_jsonl_atomic(rows, out / "sft.jsonl")
    record.finish(kept=len(rows))
    if not rows:
        raise StageOutputTooSmall(name, "no non-empty reply", "raise max_new_tokens, or set general_share=0")
    return {"sft": ctx.rel(out / "sft.jsonl"), "kept": len(rows), "flops": record.flops}


def read_general_prompts() -> list[str]:
    """The shipped general (non-reasoning) prompts."""
    text = resources.files("reasoncraft.data").joinpath(GENERAL_PROMPTS).read_text()
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not rows:
        raise ConfigError(f"reasoncraft/data/{GENERAL_PROMPTS} is empty: reinstall reasoncraft")
    return [row["prompt"] for row in rows]


def _quiet(log: Callable[[str], None]) -> Callable[[str], None]:
    """An engine's log lines, indented under the stage's own line."""
    return lambda message: log("    " + message)


def compare_stage(config: dict, inputs: dict, out: Path, ctx: Context, name: str) -> dict:
    """The comparison of every route: comparison.json, table.md and the plot (`recipes.comparison`)."""

    return write_comparison(config, ctx, out)


KINDS: dict[str, Callable[..., dict]] = {
    "evaluate": evaluate_stage,
    "scale": scale_stage,
    "grpo": grpo_stage,
    "sft": sft_stage,
    "distill": distill_stage,
    "general": general_stage,
    "step-labels": step_labels_stage,
    "prm": prm_stage,
    "compare": compare_stage,
}
