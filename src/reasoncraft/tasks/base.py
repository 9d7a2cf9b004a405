"""What a task is: problems with fixed splits, a prompt, and one way to score a completion.

A `Task` yields `Problem`s (id, question, gold answer, extra fields) from fixed, deterministic
splits, renders a problem into chat messages through a named template in `reasoncraft.prompts`,
and scores a completion with the reward functions of `reasoncraft.rewards` (the same functions GRPO
trains on, so evaluation and training never disagree). Tasks never extract or compare answers
themselves.

Splits: every task has "dev" and "test"; procedural tasks (arithmetic, Countdown) also have
"train". Splits are disjoint and the same on every machine for the same options. `limit=n` takes
the first n problems of a split, so a smaller limit is always a prefix of a larger one.

Reward fields: `reward_fields(problem)` gives the keyword fields for one problem
(`{"answer": "42"}`, `{"numbers": [3, 5, 7], "target": 22}`); `scoring_fields` adds the question.
The reward contract takes them as per-completion lists (`Task.score_many` builds them for one problem).

Reward set: `RewardSet` is the one description of how completions are scored (reward names,
functions, weights, and which reward decides `correct`); a task's own set comes from
`Task.reward_set()`, a trainer builds one from its config, and both score through `RewardSet.score`.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlparse

from .. import samples
from ..prompts import render, render_text
from ..rewards.base import RewardFailure, get_reward, is_failure
from ..rewards.extract import extract_answer

SPLITS = ("train", "dev", "test")
# Primary rewards that check a math answer against a gold one: their tasks report lenient accuracy.
LENIENT_TASKS = frozenset({"accuracy", "gsm8k_accuracy"})


@dataclass(frozen=True)
class Problem:
    """One problem. `fields` holds extra per-problem data (JSON-serialisable), e.g. Countdown's
    `numbers` and `target`, MATH's `level` and `subject`."""

    id: str
    question: str
    answer: str
    fields: dict = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(id=data["id"], question=data["question"], answer=data["answer"], fields=dict(data.get("fields", {})))


@dataclass(frozen=True)
class Score:
    """How one completion did on one problem.

    `reward` is the task's primary reward (a float, None when not applicable, or a `RewardFailure`
    when scoring itself failed); `correct` is the verdict (None when unknown, e.g. after a failure);
    `extracted` is the answer read from the completion (None when there is none); `breakdown` maps
    every reward the task computed to its value.
    """

    reward: float | None | RewardFailure
    extracted: str | None
    correct: bool | None
    breakdown: dict = field(default_factory=dict, hash=False)


def verdict(reward: Any) -> bool | None:
    """`correct` for a 0/1 reward: True at 1.0, False below, None for None or a failure."""
    if reward is None or is_failure(reward):
        return None
    return float(reward) >= 1.0


@dataclass(frozen=True)
class RewardSet:
    """The rewards a completion is scored with: names, functions, weights, and the reward that decides `correct`.

    `score` calls each reward once for a whole batch of completions (of one or many problems; `fields` are
    per-completion lists) and returns one `Score` each: `reward` is the weighted sum of the rewards that
    apply (None when none applies; the first `RewardFailure` when any failed), `correct` the verdict of
    the deciding reward, `breakdown` every reward's value.

    `measures` are (name, function) pairs with the reward contract that are computed and kept in
    `breakdown` beside the rewards but never enter `reward` or `correct` (evaluation's lenient accuracy).

    >>> rs = RewardSet.of(["accuracy"])
    >>> [(s.reward, s.correct) for s in rs.score(["Answer: 4", "Answer: 5"], {"answer": ["4", "4"]})]
    [(1.0, True), (0.0, False)]
    """

    names: tuple[str, ...]
    fns: tuple[Callable[..., list], ...]
    weights: tuple[float, ...]
    correct: str
    measures: tuple[tuple[str, Callable[..., list]], ...] = ()

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("a reward set needs at least one reward")
        if not len(self.names) == len(self.fns) == len(self.weights):
            raise ValueError(
                f"a reward set needs one function and one weight per name: got {len(self.names)} names, "
                f"{len(self.fns)} functions and {len(self.weights)} weights"
            )
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"reward names must be unique: got {list(self.names)}")
        if set(self.names) & {name for name, _ in self.measures}:
            raise ValueError(f"a measure may not share a reward's name: rewards {list(self.names)}")
        if self.correct not in self.names:
            raise ValueError(f"the reward deciding `correct` ({self.correct!r}) is not in the set {list(self.names)}")

    @classmethod
    def of(
        cls,
        names: Sequence[str],
        fns: Sequence[Callable] | None = None,
        weights: Sequence[float] | None = None,
        correct: str | None = None,
    ) -> RewardSet:
        """A set from reward names (functions looked up with `get_reward` unless given; weights default to 1;
        `correct` defaults to the first name)."""
        names = tuple(names)
        fns = tuple(fns) if fns is not None else tuple(get_reward(name) for name in names)
        weights = tuple(float(w) for w in weights) if weights is not None else (1.0,) * len(names)
        return cls(names, fns, weights, correct if correct is not None else (names[0] if names else ""))

    def values(self, completions: Sequence[str], fields: dict[str, list]) -> dict[str, list]:
        """Reward (and measure) name -> one value per completion (one call per reward)."""
        out = {}
        for name, fn in [*zip(self.names, self.fns), *self.measures]:
            values = fn(list(completions), **fields)
            if len(values) != len(completions):
                raise ValueError(f"reward {name!r} returned {len(values)} values for {len(completions)} completions")
            out[name] = values
        return out

    def total(self, breakdown: dict) -> float | None | RewardFailure:
        """The weighted sum of the rewards that apply; None when none applies; a failure when any failed."""
        failed = [v for name in self.names if is_failure(v := breakdown[name])]
        if failed:
            return failed[0]
        applied = [w * v for name, w in zip(self.names, self.weights) if (v := breakdown[name]) is not None]
        return sum(applied) if applied else None

    def score(
        self,
        completions: Sequence[str],
        fields: dict[str, list],
        extract: Callable[[str, dict], str | None] | None = None,
    ) -> list[Score]:
        """Score completions with per-completion `fields`; `extract(completion, row_fields)` gives each
        `Score.extracted` (row_fields: that completion's value of every field, e.g. its problem's choices)."""
        values = self.values(completions, fields)
        scores = []
        for i, completion in enumerate(completions):
            breakdown = {name: vals[i] for name, vals in values.items()}
            extracted = extract(completion, {k: v[i] for k, v in fields.items()}) if extract is not None else None
            scores.append(Score(self.total(breakdown), extracted, verdict(breakdown[self.correct]), breakdown))
        return scores


class Task:
    """Base class. Subclasses set `name` and `default_template` and implement `_split`.

    Override `reward_fields` when the rewards need more than the gold answer, `extract` for the
    answer shown in `Score.extracted`, and `rewards` to change which rewards are computed (the first
    is the primary one).
    """

    name: str = ""
    default_template: str = "cot"
    splits: tuple[str, ...] = ("dev", "test")
    primary_reward: str = "accuracy"

    def __init__(self, template: str | None = None, reward: str | None = None):
        if template is not None:
            self.default_template = template
        if reward is not None:
            get_reward(reward)  # fail now, listing the known rewards
            self.primary_reward = reward

    # -- problems -----------------------------------------------------------------------------
    def _split(self, split: str) -> list[Problem]:
        raise NotImplementedError

    def problems(self, split: str = "test", limit: int | None = None) -> list[Problem]:
        """The problems of `split`, in a fixed order; `limit` keeps the first `limit` of them."""
        if split not in self.splits:
            raise ValueError(f"task {self.name!r} has splits {', '.join(self.splits)}; got {split!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0 or None: got {limit}")
        problems = self._split(split)
        return problems if limit is None else problems[:limit]

    # -- prompting ----------------------------------------------------------------------------
    def template_fields(self, problem: Problem) -> dict:
        """Fields the prompt template may use: the question plus the problem's extra fields."""
        return {**problem.fields, "question": problem.question}

    def prompt(self, problem: Problem, template: str | None = None) -> list[dict]:
        """Chat messages for `problem` from the named template (default: the task's)."""
        return render(template or self.default_template, **self.template_fields(problem))

    def prompt_text(self, problem: Problem, template: str | None = None) -> str:
        """The single-string base-model prompt, for templates that have one (r1-zero, tinyzero-countdown)."""
        return render_text(template or self.default_template, **self.template_fields(problem))

    # -- scoring ------------------------------------------------------------------------------
    def reward_fields(self, problem: Problem) -> dict:
        return {"answer": problem.answer}

    def scoring_fields(self, problem: Problem) -> dict:
        """Every field a reward may read for `problem`: the question (model-based rewards judge an answer
        against it) and the task's `reward_fields`."""
        return {"question": problem.question, **self.reward_fields(problem)}

    def rewards(self) -> dict[str, Callable[..., list]]:
        """Reward name -> function; the first entry is the primary reward."""
        return {self.primary_reward: get_reward(self.primary_reward)}

    def measures(self) -> dict[str, Callable[..., list]]:
        """Measures evaluation reports beside the rewards (name -> function with the reward contract).

        Tasks whose answer is a number or expression checked against a gold answer report
        `lenient_accuracy` (the last number or expression anywhere in the completion, see
        `rewards.lenient`); Countdown, code and multiple-choice tasks have no such reading and report none.
        """
        return {"lenient_accuracy": get_reward("lenient_accuracy")} if self.primary_reward in LENIENT_TASKS else {}

    def reward_set(self, measures: bool = False) -> RewardSet:
        """The task's rewards as a `RewardSet`: weights 1, the first (primary) reward decides `correct`;
        with `measures`, the task's `measures()` are computed beside them."""
        rewards = self.rewards()
        extra = tuple(self.measures().items()) if measures else ()
        return RewardSet(tuple(rewards), tuple(rewards.values()), (1.0,) * len(rewards), next(iter(rewards)), extra)

    def extract(self, completion: str) -> str | None:
        """The answer shown in `Score.extracted`, read as the primary reward reads it: with the reward's own
        `extract` attribute when it has one (GSM8K's last-number fallback), else `extract_answer`."""
        reader = getattr(next(iter(self.rewards().values())), "extract", None) or extract_answer
        return reader(completion)

    def extract_for(self, completion: str, fields: dict) -> str | None:
        """`extract` given the completion's scoring fields (`scoring_fields`); override it when reading the
        answer needs the problem (a multiple-choice answer written as the choice's text needs the choices)."""
        return self.extract(completion)

    def score_many(self, problem: Problem, completions: Sequence[str]) -> list[Score]:
        """Score several completions of one problem through the task's reward set (one call per reward)."""
        fields = {k: [v] * len(completions) for k, v in self.scoring_fields(problem).items()}
        return self.reward_set().score(completions, fields, self.extract_for)

    def score(self, problem: Problem, completion: str) -> Score:
        return self.score_many(problem, [completion])[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, template={self.default_template!r})"


# -- deterministic split assignment for generated problems ---------------------------------------
# A generated problem belongs to a split by a hash of its content, not of the seed that drew it,
# so no seed can put the same problem into two splits. Shares: test 20%, dev 10%, train 70%.
_SPLIT_BUCKETS = {"test": range(0, 20), "dev": range(20, 30), "train": range(30, 100)}


def split_of(task_name: str, key: str) -> str:
    """The split a generated problem with content `key` belongs to (same everywhere, forever).

    >>> split_of("arith-sum-2d", "12+34") in SPLITS
    True
    """
    bucket = int.from_bytes(hashlib.sha256(f"{task_name}\0{key}".encode()).digest()[:8], "big") % 100
    return next(s for s, r in _SPLIT_BUCKETS.items() if bucket in r)


def split_seed(seed: int, split: str) -> int:
    """A per-split RNG seed, so the splits' orders are independent of each other."""
    return int.from_bytes(hashlib.sha256(f"{seed}\0{split}".encode()).digest()[:8], "big")


def draw_split(
    task_name: str,
    split: str,
    size: int,
    draw: Callable[[Any], tuple[str, Problem]],
    rng: Any,
    patience: int = 2000,
) -> list[Problem]:
    """Draw problems with `draw(rng) -> (key, problem)` until `size` distinct ones of `split` exist.

    Problems of other splits and repeats are skipped. When `patience` draws in a row bring nothing
    new, the problem space is taken as exhausted and the split is what was found: small spaces
    (1-digit sums) yield short splits rather than repeats.
    """
    seen: set[str] = set()
    out: list[Problem] = []
    misses = 0
    while len(out) < size and misses < patience:
        key, problem = draw(rng)
        if key in seen or split_of(task_name, key) != split:
            misses += 1
            continue
        misses = 0
        seen.add(key)
        out.append(problem)
    return out


class GeneratedTask(Task):
    """A task whose problems come from a seeded generator `spec.draw(rng) -> (key, problem)`, with
    train/dev/test splits of the given sizes (see `draw_split`); `key` is the problem's content."""

    default_template = "arithmetic"
    splits = ("train", "dev", "test")

    def __init__(
        self,
        name: str,
        spec,
        *,
        seed: int = 0,
        test_size: int = 500,
        dev_size: int = 200,
        train_size: int = 10000,
        template: str | None = None,
        reward: str | None = None,
        split_namespace: str | None = None,
    ):
        super().__init__(template, reward)
        for label, size in (("test_size", test_size), ("dev_size", dev_size), ("train_size", train_size)):
            if size < 0:
                raise ValueError(f"{label} must be >= 0: got {size}")
        self.name, self.spec, self.seed = name, spec, seed
        # Problems of one family (all Countdown specs, all arithmetic expressions) share the hash that
        # assigns splits, so a test problem of one spec is never a training problem of another.
        self.split_namespace = split_namespace or name
        self.sizes = {"test": test_size, "dev": dev_size, "train": train_size}
        self._cache: dict[str, list[Problem]] = {}

    def _split(self, split: str) -> list[Problem]:
        if split not in self._cache:
            rng = random.Random(split_seed(self.seed, split))
            drawn = draw_split(self.split_namespace, split, self.sizes[split], self.spec.draw, rng)
            prefix = self.name if self.seed == 0 else f"{self.name}-s{self.seed}"
            self._cache[split] = [
                Problem(f"{prefix}-{split}-{i}", p.question, p.answer, p.fields) for i, p in enumerate(drawn)
            ]
        return list(self._cache[split])


def _hub_host() -> str:
    return urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co").hostname or "huggingface.co"


def load_hub_rows(hub_id: str, config: str | None, split: str, how_to_fix: str) -> list[dict]:
    """Rows of a hub dataset split through `datasets`, or a RuntimeError that says how to fix it.

    Unless the user asked for offline mode (HF_DATASETS_OFFLINE / HF_HUB_OFFLINE, which reads the
    local cache), the hub is probed first with a 3 s connection, so an offline machine fails at once
    instead of after `datasets`' retries (about 25 s).
    """
    offline = any(
        os.environ.get(v, "").lower() in ("1", "true", "yes") for v in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE")
    )
    if not offline:
        try:
            socket.create_connection((_hub_host(), 443), timeout=3).close()
        except OSError as e:
            raise RuntimeError(
                f"cannot reach the Hugging Face hub for {hub_id} ({type(e).__name__}: {e}); {how_to_fix} "
                "(or set HF_DATASETS_OFFLINE=1 to use a copy already in the datasets cache)"
            ) from None
    try:
        import datasets  # lazy: heavy, and only for hub-loaded tasks
    except ImportError:
        raise RuntimeError(f"loading {hub_id} needs the `datasets` package; {how_to_fix}") from None
    try:
        return [dict(row) for row in datasets.load_dataset(hub_id, config, split=split)]
    except Exception as e:  # missing, renamed, offline without a cached copy: the fix is the same
        raise RuntimeError(
            f"could not load {hub_id} ({split}) from the hub ({type(e).__name__}: {e}); {how_to_fix}"
        ) from e


def read_jsonl(path: str) -> list[dict]:
    """Rows of a task's JSON Lines file; a malformed line is reported with its number."""
    return samples.read_jsonl(path, hint="each line must be one JSON object")
