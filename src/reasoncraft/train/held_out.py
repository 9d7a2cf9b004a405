"""Held-out evaluation before and after training, computed by `reasoncraft.evaluate` itself.

Both trainers (GRPO, SFT) and the quickstart benchmark call `held_out_eval`, which runs the same
code as `reasoncraft eval --temperature 0 --samples 1`: the same prompts, the same scoring by the
task's rewards, the same metrics (pass@1, lenient accuracy, extraction-failure rate, scoring failures, share cut at
the token limit). So a number printed by a training run can be reproduced on the saved model with
`reasoncraft eval`, and the two can never drift apart. Each evaluation writes what `reasoncraft
eval` writes (samples.jsonl, summary.json, table.md, run.json) into its own folder, with a
completion cache beside it, so an evaluation interrupted by a kill resumes from the finished batches.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..backends import SamplingParams
from ..evaluate import EvalConfig, evaluate
from ..record import RunRecord

# The summary entries kept in a trainer's `evaluation` (the full summary is in the folder's summary.json).
KEPT = (
    "problems",
    "pass@1",
    "lenient_accuracy",
    "extraction_failure_rate",
    "scoring_failures",
    "cut_at_limit_rate",
    "mean_completion_tokens",
    "wall_s",
)


def held_out_eval(
    backend: Any,
    task: Any,
    *,
    split: str,
    limit: int | None,
    template: str | None,
    max_new_tokens: int,
    out_dir: str | Path,
    prompt_format: str = "chat",
    batch_problems: int = 64,
    command: str = "train: held-out evaluation",
    show_progress: bool = True,
) -> dict:
    """Greedy pass@1 of `backend` on the first `limit` problems of `task`'s `split`.

    `show_progress`: a bar with ETA named after `command` ("held-out evaluation before: TASK"), shown on a
    terminal only and on the first process of a launch (`reasoncraft.progress`).

    Returns the evaluation summary's main entries plus `accuracy` (the greedy pass@1, the name the
    trainers' summaries and model cards use) and `outputs` (the folder with the scored samples).
    """
    out = Path(out_dir)
    sampling = SamplingParams(n=1, temperature=0.0, max_new_tokens=max_new_tokens)
    # the settings `reasoncraft eval` would be given to reproduce this evaluation, saved in run.json
    settings = asdict(
        EvalConfig(
            tasks=[task.name],
            model=backend.model_id,
            samples=1,
            temperature=0.0,
            max_new_tokens=max_new_tokens,
            split=split,
            limit=limit,
            template=template,
            batch_problems=batch_problems,
        )
    )
    settings["prompt_format"] = prompt_format
    record = RunRecord(command, settings, out)
    (result,) = evaluate(
        backend,
        [task],
        sampling,
        out,
        record=record,
        cache_dir=out.parent / "cache",
        split=split,
        limit=limit,
        template=template,
        batch_problems=batch_problems,
        show_progress=show_progress,
        prompt_format=prompt_format,
        progress_label=f"{command.split(': ', 1)[-1]}: ",
    )
    summary = result.summary
    return {"accuracy": summary["pass@1"], **{k: summary[k] for k in KEPT}, "outputs": str(out)}


def brief(result: dict) -> str:
    """One line for the training log."""
    lenient = result.get("lenient_accuracy")
    return (
        f"accuracy {result['accuracy']:.3f}"
        + (f" (lenient {lenient:.3f})" if lenient is not None else "")
        + f", no extractable answer {result['extraction_failure_rate']:.3f}, "
        f"{result['problems']} problems, {result['wall_s']:.0f} s (samples in {result['outputs']})"
    )


def eval_scalars(result: dict) -> dict[str, float]:
    """What the trackers (TensorBoard, W&B) plot of an evaluation."""
    scalars = {"eval/accuracy": result["accuracy"], "eval/extraction_failure_rate": result["extraction_failure_rate"]}
    if result.get("lenient_accuracy") is not None:
        scalars["eval/lenient_accuracy"] = result["lenient_accuracy"]
    return scalars
