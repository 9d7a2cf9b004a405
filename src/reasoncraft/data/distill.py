"""`reasoncraft distill`: build an SFT set from a teacher, as DeepSeek-R1 distilled its reasoning.

Pipeline (each stage in its own module): the teacher writes k traces per problem into
`traces.jsonl` (`data.generate`, resumable: rerun the same command after a crash), optionally
reflection journeys are built from its wrong and right traces (`data.journey`), and the traces are
filtered into `sft.jsonl` (`data.pipeline`: rejection sampling, readability, dedup,
decontamination). `report.json` counts every stage; `run.json` holds tokens and cost at the prices
given.

Teachers: a model the in-process backend loads (`teacher: smollm2-135m`, a folder, a hub id), a
server (`base_url:` plus `teacher:` as the served name), or a programmatic solver
(`teacher: countdown-dfs-journey` or `countdown-dfs-shortcut`).

Launch:  reasoncraft distill configs/distill_countdown_journey.yaml [key=value ...]  (docs/distill.md)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backends import SamplingParams
from ..config import ConfigError, anchor_model, config_dict, save_config
from ..config import help_field as _h
from ..models import CATALOGUE, catalogue_folder
from ..record import Price, RunRecord, count_parameters
from ..tasks import get_task
from .countdown import CountdownSearchTeacher
from .decontam import Decontaminator, eval_sets_from_tasks
from .filters import Readability
from .generate import generate_traces, read_records
from .journey import build_journeys, teacher_reflections
from .pipeline import build_sft_set, write_jsonl_atomic

SOLVERS = ("countdown-dfs-journey", "countdown-dfs-shortcut")


@dataclass
class DistillConfig:
    """Every setting of `reasoncraft distill`; validated once here, saved as config.yaml beside the outputs."""

    task: str = _h("Task the problems come from (reasoncraft.tasks.get_task).", "countdown-3")
    task_options: dict = _h("Keyword options of the task, e.g. {max_target: 50} or {data_path: x.jsonl}.", factory=dict)
    split: str = _h("Split the problems come from (never an evaluation split).", "train")
    limit: int | None = _h("Use the first LIMIT problems of the split (None: all).", 256)
    template: str | None = _h("Prompt template (default: the task's).", None)
    teacher: str = _h(
        "Model name/folder/hub id, the served model name with base_url, or a solver: "
        + ", ".join(SOLVERS)
        + " (a folder in a config file: relative to the file when it exists there).",
        "countdown-dfs-shortcut",
        paths=anchor_model,
    )
    base_url: str | None = _h("OpenAI-compatible server URL(s) for the teacher (vLLM, SGLang, hosted).", None)
    max_concurrency: int = _h("Requests in flight to the server.", 32)
    k: int = _h("Traces per problem.", 4)
    temperature: float = _h("Teacher sampling temperature (R1 distillation: 0.6).", 0.6)
    top_p: float = _h("Nucleus sampling mass (R1: 0.95).", 0.95)
    max_new_tokens: int = _h("Token limit per trace.", 1024)
    seed: int = _h("Sampling seed.", 0)
    batch_problems: int = _h("Problems per generation batch (one fsync per batch).", 16)
    count_tokens_with: str | None = _h(
        "Model (catalogue name or folder) whose tokenizer counts a solver's trace "
        "tokens for the length filter, e.g. the student (model teachers count their own).",
        None,
        paths=anchor_model,
    )
    journeys: bool = _h("Also build reflection journeys from each problem's wrong and right traces.", False)
    journeys_per_problem: int = _h("Journeys per problem with both a wrong and a right trace.", 1)
    journey_reflections: str = _h(
        "Who writes a journey's reflection: verifier (the checker's finding) or teacher "
        "(the teacher model, from the journey-reflection prompt; needs a model teacher).",
        "verifier",
    )
    script: str = _h("Expected script of the reasoning for the language filter ('' = off).", "LATIN")
    min_script_share: float = _h("Least share of letters in that script.", 0.95)
    min_tokens: int = _h("Shortest trace kept, in tokens.", 1)
    max_tokens: int = _h("Longest trace kept, in tokens.", 16384)
    layout: str = _h("Trace layout required: r1 (think/answer), answer, boxed or none.", "none")
    near_threshold: float | None = _h("Jaccard similarity at which a trace is a near duplicate (None: off).", 0.8)
    keep_unverified: bool = _h("Keep traces the verifier could not judge.", False)
    decontam_tasks: list[str] | None = _h(
        "Evaluation tasks to decontaminate against (None: every registered task).", None
    )
    decontam_task_options: dict = _h(
        "Per-task options for those, e.g. {math500: {data_path: math500.jsonl}} (the "
        "source task gets task_options unless given here).",
        factory=dict,
    )
    decontam_splits: list[str] = _h(
        "Splits of those tasks to decontaminate against (add dev when it tunes anything).", factory=lambda: ["test"]
    )
    remove_overlap: float = _h("Share of an eval item's 8-grams at which a record is removed.", 0.5)
    flag_overlap: float = _h("Share of an eval item's 8-grams at which a record is flagged.", 0.2)
    flag_containment: float = _h("Share of an eval item's 3-grams at which a record is flagged.", 0.6)
    drop_flagged: bool = _h("Drop flagged (possibly reworded) records too, not only removed ones.", False)
    price_per_million_prompt_tokens: float = _h("Teacher price per million prompt tokens, for run.json.", 0.0)
    price_per_million_completion_tokens: float = _h("Teacher price per million completion tokens.", 0.0)
    price_per_hour: float = _h("Device price per hour.", 0.0)
    device: str | None = _h("cpu or cuda for an in-process teacher (default: cuda when present).", None)
    out_dir: str = _h("Output folder: traces.jsonl, sft.jsonl, report.json, run.json, config.yaml.", "runs/distill")

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ConfigError(f"k (traces per problem) must be >= 1: got {self.k}")
        if self.split in ("test", "dev"):
            raise ConfigError(f"split={self.split!r} is an evaluation split; distil from split=train")
        if self.teacher in SOLVERS and self.base_url:
            raise ConfigError(f"teacher {self.teacher!r} is a programmatic solver; drop base_url")
        if self.journeys and self.k < 2:
            raise ConfigError("journeys need a wrong and a right trace of the same problem: set k >= 2")
        if self.journey_reflections not in ("verifier", "teacher"):
            raise ConfigError(f"journey_reflections must be verifier or teacher: got {self.journey_reflections!r}")
        if self.journey_reflections == "teacher" and self.teacher in SOLVERS:
            raise ConfigError("journey_reflections=teacher needs a model teacher, not a programmatic solver")
        if self.layout not in ("r1", "answer", "boxed", "none"):
            raise ConfigError(f"layout must be r1, answer, boxed or none: got {self.layout!r}")


def make_teacher(config: DistillConfig) -> Any:
    """The teacher the config names: a solver, a server backend, or an in-process model."""
    if config.teacher in SOLVERS:
        return CountdownSearchTeacher(config.teacher.rsplit("-", 1)[1])
    if config.base_url:
        from ..backends.openai import OpenAIBackend  # lazy: heavy (the client needs httpx)

        return OpenAIBackend(config.base_url.split(","), config.teacher, max_concurrency=config.max_concurrency)
    from ..backends import HFBackend  # lazy: heavy (hf.py imports torch)

    return HFBackend.from_name(config.teacher, device=config.device)


def load_tokenizer(name: str) -> Any:
    """The tokenizer of a catalogue model or a local Hugging Face folder (no weights are loaded)."""
    from transformers import AutoTokenizer

    folder = catalogue_folder(name) if name in CATALOGUE else Path(name)
    if not folder.is_dir():
        raise ConfigError(
            f"count_tokens_with={name!r} is neither a catalogue model ({', '.join(CATALOGUE)}) nor a folder"
        )
    return AutoTokenizer.from_pretrained(folder, local_files_only=True)


def run_distill(
    config: DistillConfig,
    *,
    teacher: Any = None,
    task: Any = None,
    count_tokens: Callable[[str], int] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Generate, filter and write the SFT set as configured; return the report. Rerun to resume."""
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_config(config, out / "config.yaml")
    task = task or get_task(config.task, **config.task_options)
    teacher = teacher or make_teacher(config)
    problems = task.problems(config.split, config.limit)
    price = Price(
        config.price_per_hour, config.price_per_million_prompt_tokens, config.price_per_million_completion_tokens
    )
    record = RunRecord("distill", config_dict(config), out, price=price)
    model = getattr(teacher, "model", None)  # a model teacher: FLOPs from its size; a solver or server: none known
    record.set_model(teacher.model_id, None, count_parameters(model) if hasattr(model, "parameters") else None)
    tokenizer = getattr(teacher, "tokenizer", None)
    if count_tokens is None and config.count_tokens_with:
        tokenizer = load_tokenizer(config.count_tokens_with)
    if count_tokens is None and tokenizer is not None:
        count_tokens = lambda text: len(tokenizer.encode(text, add_special_tokens=False))  # noqa: E731
    sampling = SamplingParams(
        n=config.k,
        temperature=config.temperature,
        top_p=config.top_p,
        max_new_tokens=config.max_new_tokens,
        seed=config.seed,
    )
    generation = generate_traces(
        task,
        problems,
        teacher,
        out / "traces.jsonl",
        k=config.k,
        sampling=sampling,
        template=config.template,
        batch_problems=config.batch_problems,
        count_tokens=count_tokens,
        record=record,
        log=log,
    )
    log(generation.summary_line())
    wanted = {p.id for p in problems}
    records = [r for r in read_records(out / "traces.jsonl")[0].values() if r["problem_id"] in wanted]
    reflect = teacher_reflections(teacher) if config.journey_reflections == "teacher" else None
    journeys = (
        build_journeys(task, records, {p.id: p for p in problems}, config.journeys_per_problem, reflect)
        if config.journeys
        else []
    )
    # The task the data comes from is checked against its own test split with the same options
    # (countdown-3 with max_target=50 has another test split than countdown-3's default).
    decontam_options = {config.task: config.task_options, **config.decontam_task_options}
    eval_sets, unavailable = eval_sets_from_tasks(config.decontam_tasks, decontam_options, config.decontam_splits)
    if unavailable:
        log(
            f"WARNING: decontamination did NOT check against {', '.join(sorted(unavailable))} (their data could not be "
            "read here; report.json decontamination_unavailable says why and how to provide each)"
        )
        for name, reason in unavailable.items():
            log(f"  {name}: {reason}")
    decontaminator = (
        Decontaminator(
            eval_sets,
            remove_overlap=config.remove_overlap,
            flag_overlap=config.flag_overlap,
            flag_containment=config.flag_containment,
        )
        if eval_sets
        else None
    )
    rules = Readability(
        config.script, config.min_script_share, config.min_tokens, config.max_tokens, True, config.layout
    )
    kept, filtering = build_sft_set(
        records + journeys,
        rules=rules,
        decontaminator=decontaminator,
        near_threshold=config.near_threshold,
        keep_unverified=config.keep_unverified,
        drop_flagged=config.drop_flagged,
        count_tokens=count_tokens,
    )
    write_jsonl_atomic(kept, out / "sft.jsonl")
    report = {
        "generation": generation.to_dict(),
        "journeys": len(journeys),
        "filtering": filtering,
        "decontamination_sets": {name: len(rows) for name, rows in eval_sets.items()},
        "decontamination_unavailable": unavailable,
    }
    (out / "report.json").write_text(json.dumps(report, indent=2))
    record.finish(
        distill={k: v for k, v in report.items() if k != "filtering"}
        | {"kept": filtering["kept"], "dropped": filtering["dropped"]}
    )
    dropped = ", ".join(f"{reason} {n}" for reason, n in filtering["dropped"].items()) or "none"
    flagged = filtering.get("contamination", {}).get("flagged", 0)
    log(
        f"sft set: {filtering['kept']} of {filtering['input']} records kept -> {out / 'sft.jsonl'}; dropped: {dropped}"
        + (f"; {flagged} flagged as close to an evaluation item (report.json lists them)" if flagged else "")
    )
    return report
