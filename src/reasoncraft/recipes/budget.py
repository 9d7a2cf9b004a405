"""One budget: the training FLOPs each route may spend, planned before any compute.

`train_flops_budget` is one ceiling for `r1-zero`, `r1` and `distill` (per seed): a route's training compute is
every training stage its evaluation depends on, so teacher generation counts toward `distill` and toward `r1`'s
cold start, and the r1-zero GRPO stage that `r1` samples its cold start from counts toward `r1` as well.

The ceiling is enforced by construction: before any stage runs, each stage's training FLOPs are bounded from
above with the same accounting the run records use (`record.RunRecord`: 2N per sampled token, prompt and
completion, 6N per trained token; N the parameters of the model that samples or trains):

- GRPO: the tokens of the prompts it may draw (the longest of the train split, each as often as the passes over
  it allow; one prompt per group and sampling round), B*G completions of at most `max_completion_length` tokens
  per step (the first round's are counted), and mu passes over at most B*G rollouts per step;
- SFT, per optimizer step: at most `gradient_accumulation_steps` packed rows of `micro_batch_tokens` tokens;
- the data engine and the general replies: k samples of each of its prompts, each sample its prompt plus at most
  `max_new_tokens` tokens (a solver teacher costs nothing; a server teacher's FLOPs are unknown: 0);

where prompts are measured with the sampling model's own tokenizer and chat template. Completions stop early
and rows are not always full, so what a stage spends is at most its bound; a plan whose bound exceeds the ceiling
stops before any compute, naming the fields that size the route's largest stages (`BudgetError`). The
comparison shows, per route, what it spent beside the ceiling and the bound it was planned with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..models import CATALOGUE, catalogue_folder
from ..tasks import get_task
from .kinds import engine_config, read_general_prompts
from .settings import BUDGETED, RecipeConfig
from .stages import Stage

SOLVERS = ("column-addition", "countdown-dfs-shortcut", "countdown-dfs-journey")


class BudgetError(ConfigError):
    """A route's planned training FLOPs exceed `train_flops_budget`; the message names the fields to change."""


def grpo_flops(parameters: int, steps: int, prompts: int, generations: int, mu: int, drawn: int, C: int) -> float:
    """Upper bound of a GRPO run's recorded FLOPs: `drawn` tokens of the prompts sampled over the run (each once
    per group and round), `prompts` (B) x `generations` (G) completions of at most C tokens per step, and mu passes
    over at most B*G rollouts per step, each its prompt plus its completion.

    >>> grpo_flops(1, steps=1, prompts=2, generations=8, mu=1, drawn=20, C=20)  # 2*(20+16*20) + 6*(8*20+16*20)
    3560.0
    """
    completions = steps * prompts * generations * C
    sampled = drawn + completions
    trained = mu * (generations * drawn + completions)
    return 2.0 * parameters * sampled + 6.0 * parameters * trained


def largest_total(lengths: Sequence[int], draws: int) -> int:
    """An upper bound of the tokens of `draws` prompts drawn from `lengths` by epochs (each prompt at most once per
    pass): the longest ones, each as often as the passes allow.

    >>> largest_total([5, 1, 3], 2), largest_total([5, 1, 3], 4)  # 5+3; two passes: 5+5+3+3
    (8, 16)
    """
    passes = -(-draws // len(lengths))
    return sum(sorted(lengths * passes, reverse=True)[:draws])


def sft_flops(parameters: int, steps: int, rows_per_step: int, row_tokens: int) -> float:
    """Upper bound of an SFT run's recorded FLOPs: every step at most `rows_per_step` rows of `row_tokens` tokens.

    >>> sft_flops(1, steps=30, rows_per_step=1, row_tokens=256)
    46080.0
    """
    return 6.0 * parameters * steps * rows_per_step * row_tokens


def sampling_flops(parameters: int, prompt_tokens: Sequence[int], samples: int, completion_tokens: int) -> float:
    """Upper bound of sampling `samples` completions of at most `completion_tokens` tokens for each prompt (each
    sample's prompt counted, as the data engine counts it).

    >>> sampling_flops(1, [10, 12], samples=4, completion_tokens=20)
    496.0
    """
    return 2.0 * parameters * sum(samples * (p + completion_tokens) for p in prompt_tokens)


class ModelSizes:
    """Parameter counts and prompt lengths of the models a plan samples or trains, read from each model's config
    and tokenizer (no weights are loaded: the model is built on the meta device to count its parameters)."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[int, Any]] = {}
        self._lengths: dict[tuple, list[int]] = {}

    def _load(self, name: str) -> tuple[int, Any]:
        if name not in self._loaded:
            import torch  # lazy: heavy
            from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer  # lazy: heavy

            where = catalogue_folder(name) if name in CATALOGUE else name
            local = Path(str(where)).is_dir()
            try:
                config = AutoConfig.from_pretrained(where, local_files_only=local)
                tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=local)
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"model {name!r}: its config and tokenizer could not be read ({str(exc).splitlines()[0]}), and "
                    "the stages are sized against train_flops_budget with them: check the name, reach the hub once "
                    "so they are cached, or set train_flops_budget=null (no ceiling)"
                ) from None
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(config)
            self._loaded[name] = (sum(p.numel() for p in model.parameters()), tokenizer)
        return self._loaded[name]

    def parameters(self, name: str) -> int:
        return self._load(name)[0]

    def prompt_tokens(self, name: str, prompts: Sequence[str | list[dict]]) -> list[int]:
        """Each prompt's length in `name`'s tokens as the in-process backend encodes it (`HFBackend.encode`: chat
        messages through the chat template with the generation prompt, text as is, no added special tokens)."""
        tokenizer = self._load(name)[1]
        texts = []
        for prompt in prompts:
            if not isinstance(prompt, str):
                prompt = tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)
            texts.append(prompt)
        return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]] if texts else []

    def prompt_lengths(
        self, name: str, task: str, split: str, limit: int | None, template: str, form: str
    ) -> list[int]:
        """The prompts' lengths in `name`'s tokens, of the first `limit` problems of a task's split (all: None), as
        chat messages or text (`form`)."""
        key = (name, task, split, limit, template, form)
        if key not in self._lengths:
            found = get_task(task)
            render = found.prompt if form == "chat" else found.prompt_text
            self._lengths[key] = self.prompt_tokens(name, [render(p, template) for p in found.problems(split, limit)])
        return self._lengths[key]


def stage_flops(stage: Stage, c: RecipeConfig, sizes: ModelSizes) -> float:
    """Upper bound of one training stage's recorded FLOPs (see the module docstring)."""
    k = stage.config
    if stage.kind == "grpo":  # sized as the engine will run it (prompts per step, mu, refill rounds derived there)
        model = k.get("model") or c.model  # a model trained by an earlier stage has the base model's size
        g = engine_config("grpo", dict(k), model=model, out=Path("."), cache_dir=Path("."), device=None)
        lengths = sizes.prompt_lengths(model, g.task, g.train_split, None, g.template, g.prompt_format)
        rounds = 1 + (g.max_refill_rounds if g.dynamic_sampling else 0)
        drawn = largest_total(lengths, g.steps * g.prompts_per_step * rounds)
        B, G, C = g.prompts_per_step, g.num_generations, g.max_completion_length
        return grpo_flops(sizes.parameters(model), g.steps, B, G, g.mu, drawn, C)
    if stage.kind == "sft":
        rows = k["gradient_accumulation_steps"]
        return sft_flops(sizes.parameters(k["model"]), k["max_steps"], rows, k["micro_batch_tokens"])
    if stage.kind == "distill":
        if "teacher" not in stage.inputs and (k["teacher"] in SOLVERS or k.get("base_url")):
            return 0.0  # a solver costs no model FLOPs; a served teacher's are not known (counted as 0, as run)
        teacher = c.model if "teacher" in stage.inputs else k["teacher"]  # an earlier stage's model: base-sized
        drawn = sizes.prompt_lengths(teacher, k["task"], k["split"], k["limit"], k["template"], "chat")
        return sampling_flops(sizes.parameters(teacher), drawn, k["k"], k["max_new_tokens"])
    if stage.kind == "general":
        messages = [[{"role": "user", "content": p}] for p in read_general_prompts()[: k["prompts"]]]
        drawn = sizes.prompt_tokens(k["model"], messages)
        return sampling_flops(sizes.parameters(k["model"]), drawn, 1, k["max_new_tokens"])
    return 0.0


def plan_budget(stages: Sequence[Stage], c: RecipeConfig, sizes: ModelSizes) -> dict[str, dict]:
    """Per route of the plan (its comparison stage's `routes`): the largest bound over its seeds (`planned`) and
    each training stage's bound (`stages`)."""
    by_name = {s.name: s for s in stages}
    bounds: dict[str, float] = {}
    out = {}
    for spec in stages[-1].config["routes"]:
        per_seed = []
        for seed in spec["seeds"]:
            for name in seed["train"]:
                if name not in bounds:
                    bounds[name] = stage_flops(by_name[name], c, sizes)
            per_seed.append(sum(bounds[name] for name in seed["train"]))
        names = list(dict.fromkeys(n for seed in spec["seeds"] for n in seed["train"]))
        out[spec["route"]] = {"planned": max(per_seed), "stages": {n: bounds[n] for n in names}}
    return out


def check_budget(planned: Mapping[str, dict], stages: Sequence[Stage], ceiling: float) -> None:
    """Raise `BudgetError` when a budgeted route's planned FLOPs exceed the ceiling, naming the fields that size
    its largest stages and the fix."""
    sized_by = {s.name: s.sized_by for s in stages}
    for route in BUDGETED:
        if route not in planned or planned[route]["planned"] <= ceiling:
            continue
        shares = sorted(planned[route]["stages"].items(), key=lambda item: -item[1])
        largest = ", ".join(f"{name} {flops:.2g} ({sized_by[name]})" for name, flops in shares[:3] if flops > 0)
        fields = list(dict.fromkeys(f for name, flops in shares if flops > 0 for f in sized_by[name].split(", ")))
        raise BudgetError(
            f"train_flops_budget: route {route} is planned to spend up to {planned[route]['planned']:.3g} training "
            f"FLOPs per seed, over the ceiling {ceiling:.3g} (largest stages: {largest}): lower "
            f"{', '.join(fields)}, or raise train_flops_budget to at least {planned[route]['planned']:.3g}"
        )
