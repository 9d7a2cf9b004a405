"""Step labels without humans: the training data of a process reward model (PRM).

Two ways to say whether a step of a solution is good, both automatic:

* **Monte Carlo** (Math-Shepherd, Wang et al. 2024, arXiv 2312.08935, sec. 3.3): sample solutions from a
  policy, split each into steps on the scaling code's step delimiter (`math.steps.split_steps`, a blank
  line), and from the prefix ending at each step roll out K completions. A step's *hard* label is whether
  any rollout reaches the verified answer (their HE), its *soft* label the share that does (their SE).
  The last step needs no rollout: the solution itself is its one completion, so its label is the
  solution's verdict (as in Math-Shepherd).
* **Verifier**: where the task has a step checker (the rule-based arithmetic verifier,
  `scorers.rules.step_verdict`, today), a step is good while no arithmetic claim made so far is false;
  after the first false claim every later step is bad (the same "can this prefix still be right"
  reading as the Monte Carlo label). Hard and soft labels are the same.

Every draw goes through `sampling.sample_and_score`, the one path evaluation, scaling, the data engine and
GRPO share. Rollouts of one step prefix are one request with n = K samples, so the backend shares the
prefix's prefill among them (the HF backend expands one KV cache K times; vLLM and SGLang reuse it
through their prefix cache); `prefixes_per_call` prefixes go into one backend call. A rollout is scored
on the prefix plus its continuation, by the task's own reward set, so a label means what evaluation means
by "correct".

Resumable and cached like the data engine (`data/generate.py`): every completion (solutions and rollouts)
is kept by `samples.sample_key` in a `samples.CompletionCache` under `out_dir/completions/` as soon as its
batch is drawn, and each labelled solution is appended to `out_dir/labels.jsonl` (fsynced per batch of
problems, keyed by the solution's sample key). A rerun draws nothing that is cached and labels only the
solutions without a record, so a run killed at any moment and rerun ends with one record per solution.

A record of labels.jsonl:

    {"key", "problem_id", "question", "answer", "method": "mc" | "verifier", "separator", "solution",
     "correct", "steps": [...], "hard": [0/1 or null per step], "soft": [share or null per step],
     "successes": [rollouts that reached the answer, per step; null for the last step and steps not rolled
     out], "rollouts": K, "policy": backend hash}

A step is left unlabelled (null) only when the solution has more than `max_steps` steps: the first
`max_steps - 1` prefixes are rolled out and the last step keeps the verdict, which bounds the cost of a
solution that rambles on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..backends.base import Backend, Completion, SamplingParams, backend_hash
from ..config import ConfigError, config_dict, need, save_config
from ..config import help_field as _h
from ..math.steps import split_steps
from ..models import CATALOGUE
from ..record import RunRecord, count_parameters
from ..samples import CompletionCache, JsonlStore, ScoredSample, sample_key
from ..sampling import sample_and_score
from ..scorers.rules import step_verdict
from ..tasks import get_task
from ..tasks.base import Problem, RewardSet, Task
from .distill import load_tokenizer

METHODS = ("mc", "verifier")
LABELS_NAME = "labels.jsonl"


# --- the labels: pure functions ----------------------------------------------------------------------


def mc_labels(successes: Sequence[int | None], rollouts: int, correct: bool) -> tuple[list, list]:
    """Hard and soft Monte Carlo labels of a solution's steps from the rollouts that reached the answer.

    `successes[t]` counts the rollouts (of `rollouts`) from the prefix ending at step t that reached the
    verified answer; None for a step not rolled out. The last step's label is the solution's own verdict.

    >>> mc_labels([3, 0, None], 4, False)
    ([1, 0, 0], [0.75, 0.0, 0.0])
    >>> mc_labels([0, None, None], 4, True)
    ([0, None, 1], [0.0, None, 1.0])
    """
    if rollouts < 1:
        raise ValueError(f"rollouts must be >= 1: got {rollouts}")
    hard: list = [None if s is None else int(s > 0) for s in successes[:-1]]
    soft: list = [None if s is None else s / rollouts for s in successes[:-1]]
    return [*hard, int(correct)], [*soft, float(correct)]


def verifier_labels(steps: Sequence[str]) -> list[int]:
    """1 for each step while every arithmetic claim so far holds, 0 from the first false claim on.

    >>> verifier_labels(["12 + 7 = 19", "so the sum is 19", "19 * 2 = 40", "Answer: 40"])
    [1, 1, 0, 0]
    """
    labels, good = [], True
    for step in steps:
        good = good and step_verdict(step) != 0.0
        labels.append(int(good))
    return labels


def rollout_steps(steps: int, max_steps: int) -> list[int]:
    """Indices of the steps whose prefixes are rolled out: all but the last, at most `max_steps - 1` of them.

    >>> rollout_steps(3, 8), rollout_steps(10, 4), rollout_steps(1, 8)
    ([0, 1], [0, 1, 2], [])
    """
    return list(range(min(steps - 1, max_steps - 1)))


def prefix_text(steps: Sequence[str], t: int, separator: str) -> str:
    """The solution text through step t, ending with the separator, as the policy would continue it.

    >>> prefix_text(["a", "b", "c"], 1, "\\n\\n")
    'a\\n\\nb\\n\\n'
    """
    return separator.join(steps[: t + 1]) + separator


# --- prompts as text ------------------------------------------------------------------------------------


def prompt_text(backend: Any, prompt: Any, tokenizer: Any = None) -> str:
    """The prompt as the text the model reads, so that a partial solution can be appended to it.

    Text is kept as is; chat messages go through the backend's `render_prompt`, or the chat template of
    `tokenizer` (for a server, which sends text to its completions endpoint) or of the backend's own tokenizer
    (as `scaling.base.render_prompt` does for search, which this room may not import).
    """
    if isinstance(prompt, str):
        return prompt
    render = getattr(backend, "render_prompt", None)
    if callable(render):
        return render(prompt)
    tokenizer = tokenizer or getattr(backend, "tokenizer", None)
    if tokenizer is None or getattr(tokenizer, "chat_template", None) is None:
        raise ValueError(
            "step labels continue partial solutions, so the prompt must be text: for a server policy set "
            "render_with= the model (catalogue name or folder) whose chat template renders its prompts, or use a "
            "template with a text prompt"
        )
    return tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)


class _Continuations(Task):
    """The task seen from a step prefix: scoring fields gain the prefix, whose text every reward reads first."""

    def __init__(self, task: Task, prefixes: dict[str, str]):
        self.task, self.prefixes, self.name = task, prefixes, task.name

    def scoring_fields(self, problem: Problem) -> dict:
        return {**self.task.scoring_fields(problem), "prefix": self.prefixes[problem.id]}

    def extract(self, completion: str) -> str | None:
        return self.task.extract(completion)

    def extract_for(self, completion: str, fields: dict) -> str | None:
        return self.task.extract_for(completion, fields)

    def reward_set(self, measures: bool = False) -> RewardSet:
        rewards = self.task.reward_set()

        def prefixed(fn: Callable[..., list]) -> Callable[..., list]:
            def score(completions: list[str], prefix: list[str], **fields: Any) -> list:
                return fn([p + c for p, c in zip(prefix, completions)], **fields)

            return score

        return replace(rewards, fns=tuple(prefixed(fn) for fn in rewards.fns), measures=())


# --- the labelling run -----------------------------------------------------------------------------------


@dataclass
class LabelReport:
    """What one labelling run did; tokens and seconds are this run's (cached draws cost nothing)."""

    method: str = "mc"
    problems: int = 0
    solutions: int = 0
    solutions_correct: int = 0
    records_before: int = 0
    records_written: int = 0
    steps: int = 0
    prefixes: int = 0
    rollouts: int = 0
    solution_tokens: int = 0
    rollout_prompt_tokens: int = 0
    rollout_completion_tokens: int = 0
    generate_s: float = 0.0
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return dict(vars(self))


def read_labels(path: str | Path) -> dict[str, dict]:
    """Label records on disk by solution key (the first of any repeat wins)."""
    records: dict[str, dict] = {}
    for record in JsonlStore(path).read():
        records.setdefault(record["key"], record)
    return records


def make_step_labels(
    task: Task,
    problems: Sequence[Problem],
    backend: Backend,
    out_dir: str | Path,
    *,
    method: str = "mc",
    solutions: int = 4,
    rollouts: int = 4,
    sampling: SamplingParams | None = None,
    rollout_max_new_tokens: int | None = None,
    template: str | None = None,
    separator: str = "\n\n",
    max_steps: int = 8,
    batch_problems: int = 16,
    prefixes_per_call: int = 16,
    tokenizer: Any = None,
    record: Any = None,
    log: Callable[[str], None] = lambda message: None,
) -> LabelReport:
    """Sample `solutions` per problem from `backend`, label their steps by `method`, append to out_dir/labels.jsonl.

    `sampling` draws the solutions (its n is replaced by `solutions`) and, with n = `rollouts` and at most
    `rollout_max_new_tokens` tokens (default: the solutions' limit), the rollouts. `batch_problems` problems
    are labelled (and their records written) at a time; `prefixes_per_call` step prefixes go into one backend
    call, each prefix one request of `rollouts` samples. `tokenizer` renders chat prompts to text for a backend
    that cannot (a server). `record` (a `RunRecord`) receives the tokens drawn.
    """
    if method not in METHODS:
        raise ValueError(f"unknown step-label method {method!r}: use one of {', '.join(METHODS)}")
    for name, value in (
        ("solutions", solutions),
        ("rollouts", rollouts),
        ("batch_problems", batch_problems),
        ("prefixes_per_call", prefixes_per_call),
        ("max_steps", max_steps),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1: got {value}")
    if not separator:
        raise ValueError("separator (the step delimiter) must be non-empty, e.g. a blank line '\\n\\n'")
    base = sampling or SamplingParams(temperature=0.8, max_new_tokens=256)
    if base.greedy:
        raise ValueError(
            "step labels need several different solutions and rollouts: temperature must be > 0 (got 0, greedy)"
        )
    solution_sampling = replace(base, n=solutions)
    rollout_sampling = replace(base, n=rollouts, max_new_tokens=rollout_max_new_tokens or base.max_new_tokens)
    out = Path(out_dir)
    policy = backend_hash(backend)
    cache = CompletionCache(out / "completions", policy)
    store = JsonlStore(out / LABELS_NAME)
    existing = read_labels(store.path)
    report = LabelReport(method=method, problems=len(problems), records_before=len(existing))
    started = time.perf_counter()
    all_keys: list[str] = []
    for start in range(0, len(problems), batch_problems):
        chunk = list(problems[start : start + batch_problems])
        texts = [prompt_text(backend, task.prompt(p, template), tokenizer) for p in chunk]
        keys = [[sample_key(policy, t, solution_sampling.to_dict(), j) for j in range(solutions)] for t in texts]
        drawn = sample_and_score(
            backend, task, chunk, texts, solution_sampling, keys=keys, cache=cache, batch_problems=batch_problems
        )
        all_keys += [k for key_list in keys for k in key_list]
        report.generate_s += drawn.generate_s
        report.solution_tokens += drawn.new_tokens
        todo = [(p, s) for p, group in zip(chunk, drawn.samples) for s in group if s.key not in existing]
        if method == "mc":
            fresh = _label_by_rollouts(
                task, todo, texts_by_id={p.id: t for p, t in zip(chunk, texts)}, backend=backend, cache=cache,
                sampling=rollout_sampling, separator=separator, max_steps=max_steps,
                prefixes_per_call=prefixes_per_call, policy=policy, report=report,
            )  # fmt: skip
        else:
            fresh = [_verifier_record(p, s, separator, policy) for p, s in todo]
        fresh = [r for r in fresh if r is not None]
        store.append(fresh)
        for r in fresh:
            existing[r["key"]] = r
        report.records_written += len(fresh)
        done = min(start + batch_problems, len(problems))
        log(f"step labels: {done}/{len(problems)} problems, {report.records_written} solutions labelled this run")
    for key in all_keys:
        if key in existing:
            report.solutions += 1
            report.solutions_correct += int(bool(existing[key]["correct"]))
            report.steps += len(existing[key]["steps"])
    report.wall_s = round(time.perf_counter() - started, 3)
    if record is not None:
        record.add_tokens(
            prompt=report.rollout_prompt_tokens,
            completion=report.solution_tokens + report.rollout_completion_tokens,
        )
    return report


def _base_record(problem: Problem, sample: ScoredSample, steps: list[str], method: str, separator: str, policy: str):
    return {
        "key": sample.key,
        "problem_id": problem.id,
        "question": problem.question,
        "answer": problem.answer,
        "method": method,
        "separator": separator,
        "solution": sample.completion,
        "correct": bool(sample.correct),
        "steps": steps,
        "policy": policy,
    }


def _verifier_record(problem: Problem, sample: ScoredSample, separator: str, policy: str) -> dict | None:
    steps = split_steps(sample.completion, separator)
    if not steps:
        return None
    labels = verifier_labels(steps)
    record = _base_record(problem, sample, steps, "verifier", separator, policy)
    return {**record, "hard": labels, "soft": [float(x) for x in labels], "successes": None, "rollouts": 0}


def _label_by_rollouts(
    task: Task,
    todo: list[tuple[Problem, ScoredSample]],
    *,
    texts_by_id: dict[str, str],
    backend: Backend,
    cache: CompletionCache,
    sampling: SamplingParams,
    separator: str,
    max_steps: int,
    prefixes_per_call: int,
    policy: str,
    report: LabelReport,
) -> list[dict]:
    """Roll out K completions from each step prefix of each solution in `todo` and label its steps."""
    split = [(p, s, split_steps(s.completion, separator)) for p, s in todo]
    split = [(p, s, steps) for p, s, steps in split if steps]
    # one pseudo-problem per distinct step prefix (solutions that agree on their first steps share rollouts)
    prefix_problems, prompts, prefixes, owners, index = [], [], {}, [], {}
    for n, (p, _, steps) in enumerate(split):
        for t in rollout_steps(len(steps), max_steps):
            prompt = texts_by_id[p.id] + prefix_text(steps, t, separator)
            if prompt not in index:
                index[prompt] = len(prompts)
                pid = f"{p.id}#{len(prompts)}"
                prefixes[pid] = prefix_text(steps, t, separator)
                prefix_problems.append(replace(p, id=pid))
                prompts.append(prompt)
            owners.append((n, t, index[prompt]))
    keys = [[sample_key(policy, prompt, sampling.to_dict(), j) for j in range(sampling.n)] for prompt in prompts]
    continuations = _Continuations(task, prefixes)

    def count(_: list[int], fresh: list[list[Completion]], __: Any) -> None:
        for group in fresh:
            report.rollout_prompt_tokens += sum(c.prompt_tokens or 0 for c in group)
            report.rollout_completion_tokens += sum(c.completion_tokens or 0 for c in group)

    drawn = sample_and_score(
        backend,
        continuations,
        prefix_problems,
        prompts,
        sampling,
        rewards=continuations.reward_set(),
        keys=keys,
        cache=cache,
        batch_problems=prefixes_per_call,
        copy_greedy=False,
        on_batch=count,
    )
    report.generate_s += drawn.generate_s
    report.prefixes += len(prompts)
    report.rollouts += len(prompts) * sampling.n
    successes: list[list[int | None]] = [[None] * len(steps) for _, _, steps in split]
    for n, t, i in owners:
        successes[n][t] = sum(1 for r in drawn.samples[i] if r.correct)
    records = []
    for (p, s, steps), counts in zip(split, successes):
        hard, soft = mc_labels(counts, sampling.n, bool(s.correct))
        record = _base_record(p, s, steps, "mc", separator, policy)
        records.append({**record, "hard": hard, "soft": soft, "successes": counts, "rollouts": sampling.n})
    return records


# --- the command: `reasoncraft step-labels` ----------------------------------------------------------------------


@dataclass
class StepLabelConfig:
    """Every setting of a step-labelling run (`reasoncraft step-labels`)."""

    policy: str = _h(
        "Model that writes the solutions and the rollouts (catalogue name, folder, hub id).", "smollm2-135m"
    )
    base_url: str | None = _h("An OpenAI-compatible server to sample from instead of loading `policy`.", None)
    render_with: str | None = _h(
        "With base_url: the model (catalogue name or folder) whose chat template renders the prompts as text, "
        "so that partial solutions can be appended (default: `policy`, when it names a catalogue model or folder).",
        None,
    )
    task: str = _h("Task whose problems are labelled (a name from `reasoncraft tasks`).", "arith-sum-2d")
    task_options: dict = _h("Keyword options of the task.", factory=dict)
    template: str | None = _h("Prompt template (default: the task's).", None)
    split: str = _h("Split whose problems are labelled (train: never the one you evaluate on).", "train")
    problems: int = _h("Problems to label (the first ones of the split).", 128)
    method: str = _h("mc (Monte Carlo rollouts, Math-Shepherd) or verifier (the rule-based arithmetic checker).", "mc")
    solutions: int = _h("Solutions sampled per problem.", 4)
    rollouts: int = _h("K: completions rolled out from each step prefix (mc).", 4)
    temperature: float = _h("Sampling temperature of solutions and rollouts.", 0.8)
    top_p: float = _h("Nucleus sampling of solutions and rollouts.", 1.0)
    max_new_tokens: int = _h("Token limit of a solution.", 128)
    rollout_max_new_tokens: int | None = _h("Token limit of a rollout (default: max_new_tokens).", None)
    step_delimiter: str = _h("What separates steps (the scaling code's default: a blank line).", "\n\n", escapes=True)
    max_steps: int = _h("Steps labelled per solution at most: later prefixes are not rolled out (mc).", 8)
    batch_problems: int = _h("Problems labelled (and their records written) at a time.", 16)
    prefixes_per_call: int = _h("Step prefixes per backend call, each one request of K rollouts.", 16)
    seed: int = _h("Sampling seed.", 0)
    out_dir: str = _h("Folder of labels.jsonl, completions/ (the cache), report.json and run.json.", "runs/step-labels")
    device: str | None = _h("cpu or cuda for an in-process policy (default: cuda when present).", None)
    num_threads: int = _h("torch CPU threads (0 = torch's default).", 0)

    def __post_init__(self) -> None:
        need(self.method in METHODS, f"method must be one of {', '.join(METHODS)}: got {self.method!r}")
        for name in ("problems", "solutions", "rollouts", "max_new_tokens", "max_steps", "batch_problems"):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        need(self.prefixes_per_call >= 1, f"prefixes_per_call must be >= 1: got {self.prefixes_per_call}")
        need(self.temperature > 0, f"temperature must be > 0 (labels need different samples): got {self.temperature}")
        need(bool(self.step_delimiter), "step_delimiter must be non-empty, e.g. '\\n\\n'")


def run_step_labels(config: StepLabelConfig, *, backend: Any = None, log: Callable[[str], None] = print) -> dict:
    """Label the configured problems into config.out_dir (rerun to resume); write report.json and run.json."""
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_config(config, out / "config.yaml")
    task = get_task(config.task, **config.task_options)
    problems = task.problems(config.split, config.problems)
    if backend is None:
        backend = _policy_backend(config)
    record = RunRecord("step-labels", config_dict(config), out)
    model = getattr(backend, "model", None)  # in-process: FLOPs counted from its size; a server's are unknown
    record.set_model(backend.model_id, None, count_parameters(model) if hasattr(model, "parameters") else None)
    sampling = SamplingParams(
        temperature=config.temperature, top_p=config.top_p, max_new_tokens=config.max_new_tokens, seed=config.seed
    )
    report = make_step_labels(
        task,
        problems,
        backend,
        out,
        method=config.method,
        solutions=config.solutions,
        rollouts=config.rollouts,
        sampling=sampling,
        rollout_max_new_tokens=config.rollout_max_new_tokens,
        template=config.template,
        separator=config.step_delimiter,
        max_steps=config.max_steps,
        batch_problems=config.batch_problems,
        prefixes_per_call=config.prefixes_per_call,
        tokenizer=_render_tokenizer(config),
        record=record,
        log=log,
    ).to_dict()
    (out / "report.json").write_text(json.dumps(report, indent=2))
    record.finish(labels=report)
    return report


def _render_tokenizer(config: StepLabelConfig) -> Any:
    """A server policy's chat template, from `render_with` (or `policy` when it names a local model)."""
    if not config.base_url:
        return None
    name = config.render_with or config.policy
    if name not in CATALOGUE and not Path(name).is_dir():
        if config.render_with:
            raise ConfigError(
                f"render_with={name!r} is neither a catalogue model ({', '.join(CATALOGUE)}) nor a folder"
            )
        return None  # prompt_text says what to set if the prompts turn out to be chat messages
    return load_tokenizer(name)


def _policy_backend(config: StepLabelConfig) -> Any:
    if config.num_threads:
        import torch  # lazy: heavy, and only an in-process policy needs it

        torch.set_num_threads(config.num_threads)
    if config.base_url:
        from ..backends.openai import OpenAIBackend  # lazy: heavy (the client needs httpx)

        return OpenAIBackend(config.base_url.split(","), config.policy)
    from ..backends import HFBackend  # lazy: heavy (hf.py imports torch)

    return HFBackend.from_name(config.policy, device=config.device)
