"""Model-based rewards: an outcome reward model or an LLM judge as a reward function.

`rewards/` stays model-free (ARCHITECTURE.md); what needs a model to judge lives in `scorers/`.
This module is the bridge. `scorer_reward(scorer)` turns any outcome scorer (an ORM, an LLM
judge, a PRM through `StepsAsOutcome`) into a reward function under the contract of
`rewards/base.py`; `RewardModelSpec` is one entry of GRPO's `reward_models:` list (kind orm, prm or judge), checked
when the config is read and built (model loaded, client made) when training starts. Weights are
loaded by `models.load_reward_model` (through `scorers.load_scorer`), which alone decides where
they come from.

How model-based rewards meet the contract:

* the question each completion answers comes from the `question` field (the GRPO trainer passes
  it) or, as TRL passes them, from `prompts` (a string, or the last user message of a chat);
* one reward call is one scorer call over all its completions: the ORM scores them in batches of
  `batch_size`, the judge sends one request per completion, concurrently;
* a judge request that still fails after the client's retries (server error, time-out, dropped
  connection, rate limit, malformed body) makes that completion's value a `RewardFailure` with the
  reason, never a silent 0; the trainer counts it, drops the group, and aborts the step above
  `max_reward_failure_rate`. An authentication error is raised at once (no retry or later step
  fixes a wrong key), and so is any error of an in-process model (a bug, not an outage).

Config (GRPO YAML):

    rewards: [accuracy, format]
    reward_models:
      - {kind: judge, base_url: "http://127.0.0.1:8000/v1", model: Qwen/Qwen2.5-7B-Instruct, weight: 0.5}
      - {kind: orm, model: ./my-reward-model, weight: 0.1, sigmoid: true}
      - {kind: prm, model: qwen2.5-math-prm-7b, aggregation: min, weight: 0.2}
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..config import help_field as _h
from ..math.steps import get_aggregation
from ..models import ModelLoadError, check_reward_model_name, load_model
from ..prompts import get_template
from ..rewards.base import RewardFailure, RewardFn
from ..rewards.text import completion_text
from .base import StepsAsOutcome
from .judge import LLMJudge
from .registry import is_process_scorer, load_scorer

__all__ = [
    "scorer_reward",
    "FailureIsolatingBackend",
    "RewardModelSpec",
    "parse_reward_models",
    "build_reward_model",
    "reward_model_fns",
    "load_orm",
]

log = logging.getLogger(__name__)


# --- the adapter ------------------------------------------------------------------------------------


def _prompt_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    users = [m["content"] for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
    return str(users[-1]) if users else completion_text(prompt)


def completion_questions(n: int, question: Sequence | None = None, prompts: Sequence | None = None) -> list[str]:
    """The question of each of `n` completions, from `question=[...]` or TRL's `prompts=[...]`.

    >>> completion_questions(2, prompts=[[{"role": "user", "content": "1 + 1?"}]] * 2)
    ['1 + 1?', '1 + 1?']
    """
    if question is not None:
        values = question
    elif prompts is not None:
        values = [_prompt_text(p) for p in prompts]
    else:
        raise TypeError(
            "a model-based reward judges each completion against its question: pass question=[...] (the GRPO "
            "trainer does) or TRL's prompts=[...], one per completion"
        )
    if isinstance(values, str):
        raise TypeError("question must be a list with one question per completion, not a single string")
    if len(values) != n:
        raise ValueError(f"got {len(values)} questions for {n} completions; they must align")
    return [str(v) for v in values]


class FailureIsolatingBackend:
    """A backend wrapper through which a failed prompt fails only itself.

    With a backend that reports failures per prompt (`generate_results`, the OpenAI-compatible
    client), `generate` returns no completions for a failed prompt, where the backend's own
    `generate` would raise for the whole batch, and records why in `failures` (prompt index ->
    reason) for the last call. Other backends pass through unchanged.
    """

    def __init__(self, backend: Any):
        self.backend = backend
        self.failures: dict[int, str] = {}

    @property
    def model_id(self) -> str:
        return self.backend.model_id

    def generate(self, prompts: Sequence[Any], sampling: Any) -> list[list[Any]]:
        self.failures = {}
        results_of = getattr(self.backend, "generate_results", None)
        if results_of is None:
            return self.backend.generate(prompts, sampling)
        out: list[list[Any]] = []
        for i, result in enumerate(results_of(prompts, sampling)):
            if isinstance(result, Exception):
                self.failures[i] = f"{type(result).__name__}: {result}"
                out.append([])
            else:
                out.append(result)
        return out


def _is_outage(exc: BaseException) -> bool:
    """A server-side failure that a retry later might not meet (not a wrong key, not a bug)."""
    try:
        from ..backends.openai.errors import BackendAuthError, BackendError  # lazy: heavy (the client needs httpx)
    except ImportError:  # no HTTP client installed: nothing here can be a server failure
        return False
    return isinstance(exc, BackendError) and not isinstance(exc, BackendAuthError)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def scorer_reward(scorer: Any, name: str = "model", sigmoid: bool = False) -> RewardFn:
    """A reward function (the contract in `rewards/base.py`) from an outcome scorer.

    `scorer.score(questions, solutions)` is called once per reward call. With `sigmoid`, raw
    scores (an ORM's logits) are mapped to (0, 1), on the scale of 0/1 accuracy. Failed judge
    requests become `RewardFailure`s: per completion when the scorer's backend is a
    `FailureIsolatingBackend`, for every completion of the call otherwise.
    """

    def model_reward(
        completions: Sequence, question: Sequence | None = None, prompts: Sequence | None = None, **fields: Any
    ) -> list:
        texts = [completion_text(c) for c in completions]
        questions = completion_questions(len(texts), question, prompts)
        if not texts:
            return []
        try:
            scores = scorer.score(questions, texts)
        except Exception as exc:
            if not _is_outage(exc):
                raise
            log.warning("reward %s: the scorer failed for all %d completions: %s", name, len(texts), exc)
            return [RewardFailure(f"{name}: {type(exc).__name__}: {exc}") for _ in texts]
        backend = getattr(scorer, "backend", None)
        failures = backend.failures if isinstance(backend, FailureIsolatingBackend) else {}
        if failures:
            first = next(iter(failures.values()))
            log.warning("reward %s: %d of %d judge requests failed (first: %s)", name, len(failures), len(texts), first)
        return [
            RewardFailure(f"{name}: {failures[i]}") if i in failures else (_sigmoid(s) if sigmoid else float(s))
            for i, s in enumerate(scores)
        ]

    model_reward.__qualname__ = model_reward.__name__ = f"{name}_reward"
    return model_reward


# --- the config entry -------------------------------------------------------------------------------

_COMMON = ("kind", "model", "weight", "name")
_SERVER_ONLY = ("max_retries", "request_timeout", "max_concurrency", "api_key_env")
KIND_KEYS = {  # the keys each kind takes besides the common ones
    "orm": ("batch_size", "sigmoid", "device"),
    "prm": ("batch_size", "device", "aggregation", "step_delimiter"),
    "judge": ("base_url", "template", "n", "temperature", "max_new_tokens", "undecided", *_SERVER_ONLY),
}
KINDS = tuple(KIND_KEYS)
_EXAMPLE = "{kind: judge, base_url: 'http://127.0.0.1:8000/v1', weight: 0.5}"


@dataclass
class RewardModelSpec:
    """One entry of `reward_models:`; see docs/rewards.md."""

    kind: str = _h(
        "orm: a sequence-classification reward model with one logit, run in-process; prm: a process "
        "reward model whose step scores are aggregated; judge: an LLM asked whether the solution is "
        "correct (scorers.LLMJudge).",
        None,
    )
    model: str | None = _h(
        "orm, prm: a name from models.REWARD_MODELS, a local folder or a hub id. judge: the served model name "
        "(default: ask the server), "
        "or without base_url a model loaded in-process (reasoncraft.load_model).",
        None,
    )
    weight: float = _h("Weight of this reward in the sum.", 1.0)
    name: str | None = _h("Name in the metrics (reward/<name>); default: the kind.", None)
    # orm and prm
    batch_size: int = _h("orm, prm: completions per forward pass.", 8)
    device: str | None = _h("orm, prm: cpu or cuda (default: cuda when present).", None)
    sigmoid: bool = _h("orm: map the logit to (0, 1) with a sigmoid (on the scale of 0/1 accuracy).", False)
    aggregation: str = _h("prm: how step scores make the completion's score: last, min or prod.", "last")
    step_delimiter: str = _h("prm: where one step of a completion ends.", "\n\n")
    # judge
    base_url: str | None = _h("judge: base URL(s) of OpenAI-compatible servers, comma-separated.", None)
    template: str = _h("judge: prompt template (reasoncraft.prompts): judge, or self-eval for P(True).", "judge")
    n: int = _h("judge: verdicts per completion; the score is the share saying correct.", 1)
    temperature: float = _h("judge: sampling temperature (> 0 when n > 1).", 0.0)
    max_new_tokens: int = _h("judge: token limit of a verdict.", 8)
    undecided: float = _h("judge: score when no reply gives a verdict.", 0.5)
    # judge on a server
    max_retries: int = _h("judge server: retries of a failed request before it counts as a reward failure.", 2)
    request_timeout: float = _h("judge server: seconds one attempt may take.", 120.0)
    max_concurrency: int = _h("judge server: requests in flight at once.", 32)
    api_key_env: str | None = _h(
        "judge server: environment variable holding the API key (none for a local server).", "OPENAI_API_KEY"
    )

    @property
    def metric_name(self) -> str:
        return self.name or self.kind

    def to_dict(self) -> dict:
        """The resolved entry, with only the keys that apply to its kind (so it loads back)."""
        keep = set(_COMMON + KIND_KEYS[self.kind])
        if self.kind == "judge" and not self.base_url:
            keep -= set(_SERVER_ONLY)
        return {k: v for k, v in dataclasses.asdict(self).items() if k in keep}

    @classmethod
    def from_dict(cls, entry: Any, where: str = "reward_models[0]") -> RewardModelSpec:
        """Check one entry and fill its defaults; every error names the entry and the fix."""

        def fail(message: str) -> None:
            raise ValueError(f"{where}: {message}")

        if not isinstance(entry, dict):
            fail(f"each entry is a mapping like {_EXAMPLE}: got {entry!r}")
        known = [f.name for f in dataclasses.fields(cls)]
        for key in entry:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                fail(
                    f"unknown key {key!r}"
                    + (f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}")
                )
        kind = entry.get("kind")
        if kind not in KINDS:
            fail(f"kind must be one of {', '.join(KINDS)}: got {kind!r} (e.g. {_EXAMPLE})")
        wrong = [k for k in entry if k not in _COMMON + KIND_KEYS[kind]]
        if wrong:
            fail(f"{wrong[0]!r} does not apply to kind {kind}: remove it")
        if kind == "judge" and not entry.get("base_url") and any(k in entry for k in _SERVER_ONLY):
            fail(f"{next(k for k in entry if k in _SERVER_ONLY)!r} configures the judge's server: set base_url too")
        spec = cls(**entry)
        if kind in ("orm", "prm"):
            if not spec.model:
                fail(
                    f"a{'n' * (kind == 'orm')} {kind} needs model: a name from models.REWARD_MODELS, a local "
                    "folder or a hub id"
                )
            try:
                check_reward_model_name(spec.model)
                get_aggregation(spec.aggregation)
            except (ModelLoadError, ValueError) as exc:
                fail(str(exc))
            if not spec.step_delimiter:
                fail("step_delimiter must be non-empty, e.g. a blank line")
        if kind == "judge" and not (spec.model or spec.base_url):
            fail("a judge needs base_url (an OpenAI-compatible server) or model (loaded in-process)")
        if spec.base_url and not all(
            u.strip().startswith(("http://", "https://")) for u in spec.base_url.split(",") if u.strip()
        ):
            fail(f"base_url must start with http:// or https://: got {spec.base_url!r}")
        for key in ("weight", "temperature", "undecided", "request_timeout"):
            if isinstance(getattr(spec, key), bool) or not isinstance(getattr(spec, key), (int, float)):
                fail(f"{key} must be a number: got {getattr(spec, key)!r}")
        for key, low in (
            ("batch_size", 1),
            ("n", 1),
            ("max_new_tokens", 1),
            ("max_retries", 0),
            ("max_concurrency", 1),
        ):
            value = getattr(spec, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                fail(f"{key} must be an integer >= {low}: got {value!r}")
        if spec.n > 1 and spec.temperature == 0:
            fail(f"n={spec.n} verdicts at temperature 0 would all agree: set temperature > 0 or n: 1")
        if not 0 <= spec.undecided <= 1 or spec.request_timeout <= 0 or spec.temperature < 0:
            fail("need 0 <= undecided <= 1, request_timeout > 0 and temperature >= 0")
        if kind == "judge":
            try:
                get_template(spec.template)
            except KeyError as exc:
                fail(str(exc).strip("'\""))
        return spec


def parse_reward_models(entries: Any) -> list[RewardModelSpec]:
    """Check the `reward_models:` list (as YAML gives it) and return its specs."""
    if entries is None:
        return []
    if not isinstance(entries, (list, tuple)):
        raise ValueError(f"reward_models must be a list of entries like {_EXAMPLE}: got {entries!r}")
    return [RewardModelSpec.from_dict(e, f"reward_models[{i}]") for i, e in enumerate(entries)]


# --- building: load the model or make the client ----------------------------------------------------


def load_orm(name_or_path: str, device: str | None = None, batch_size: int = 8) -> Any:
    """An outcome reward model (one-logit sequence classifier) in its adapter, loaded by `models`."""
    scorer = load_scorer(name_or_path, kind="orm", device=device, batch_size=batch_size)
    config = scorer.model.config
    if config.num_labels != 1:
        raise ValueError(
            f"orm model {name_or_path!r} has {config.num_labels} labels; an outcome reward model has one "
            "logit (num_labels=1). A PRM scores steps: wrap it in scorers.StepsAsOutcome in code"
        )
    if config.pad_token_id is None:  # the head reads the last non-pad token, and batches are padded with pad_id
        config.pad_token_id = scorer.pad_id
    return scorer


def build_reward_model(spec: RewardModelSpec) -> RewardFn:
    """The reward function of one checked entry: loads the ORM, or makes the judge's client."""
    if spec.kind == "orm":
        return scorer_reward(load_orm(spec.model, spec.device, spec.batch_size), spec.metric_name, sigmoid=spec.sigmoid)
    if spec.kind == "prm":
        prm = load_scorer(spec.model, device=spec.device, batch_size=spec.batch_size)
        if not is_process_scorer(prm):
            raise ValueError(f"prm model {spec.model!r} is an outcome reward model: use kind: orm")
        return scorer_reward(StepsAsOutcome(prm, spec.aggregation, separator=spec.step_delimiter), spec.metric_name)
    if spec.base_url:
        from ..backends.openai import backend_from_url  # lazy: heavy (the client needs httpx)

        backend = backend_from_url(
            spec.base_url,
            spec.model,
            api_key_env=spec.api_key_env,
            max_retries=spec.max_retries,
            request_timeout=spec.request_timeout,
            max_concurrency=spec.max_concurrency,
        )
    else:
        from ..backends import HFBackend  # lazy: heavy (hf.py imports torch)

        backend = HFBackend(*load_model(spec.model), model_id=spec.model)
    judge = LLMJudge(
        FailureIsolatingBackend(backend),
        template=spec.template,
        n=spec.n,
        temperature=spec.temperature,
        max_new_tokens=spec.max_new_tokens,
        undecided=spec.undecided,
    )
    return scorer_reward(judge, spec.metric_name)


def reward_model_fns(entries: Any) -> list[RewardFn]:
    """The reward functions of a `reward_models:` list, in order."""
    return [build_reward_model(spec) for spec in parse_reward_models(entries)]
