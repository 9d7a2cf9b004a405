"""The reward contract, the failure marker and the reward registry.

A reward function is a plain callable

    fn(completions: list[str], **fields) -> list[float | None | RewardFailure]

returning one value per completion. `fields` are per-completion lists aligned with `completions`
(`answer=[...]`, `numbers=[...]`, `target=[...]`); fields a reward does not use are accepted and
ignored, which is TRL's reward-function convention, so a reasoncraft reward can be handed to TRL and
back. The values mean:

- a float: the score;
- `None`: the reward does not apply to this completion (e.g. no gold answer);
- a `RewardFailure`: the scoring infrastructure failed (checker deadline, worker died, sandbox
  error). It is never a silent 0: callers count failures separately (`is_failure`).

The same functions score evaluation and GRPO training, so the two never disagree. The registry
(`get_reward`, `register_reward`) is the extension point by which configs name rewards; a reward
with one setting is named `family:setting` (`language_consistency:zh`), built by the factory that
`register_reward_family` registered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "RewardFailure",
    "RewardValue",
    "RewardFn",
    "is_failure",
    "register_reward",
    "register_reward_family",
    "get_reward",
    "available_rewards",
]


@dataclass(frozen=True, eq=False)
class RewardFailure:
    """Scoring could not be done (an infrastructure failure, not a wrong answer).

    It is truthy-neutral by design: `bool(failure)` raises, so `if reward:` cannot quietly treat a
    failure as 0 or as a pass; it never compares equal to a float, and `float(failure)` raises.

    >>> f = RewardFailure("checker deadline exceeded")
    >>> is_failure(f), f == 0.0, f == 1.0, f.reason
    (True, False, False, 'checker deadline exceeded')
    """

    reason: str

    def __bool__(self) -> bool:
        raise TypeError(
            f"RewardFailure({self.reason!r}) has no truth value: test it with is_failure() and "
            "count it separately from 0 and 1"
        )

    def __float__(self) -> float:
        raise TypeError(f"RewardFailure({self.reason!r}) is not a score; test it with is_failure()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RewardFailure) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("RewardFailure", self.reason))


RewardValue = float | None | RewardFailure
RewardFn = Callable[..., list]


def is_failure(value: object) -> bool:
    """True when `value` is a `RewardFailure` (scoring failed), False for floats and None.

    >>> is_failure(0.0), is_failure(None), is_failure(RewardFailure("worker died"))
    (False, False, True)
    """
    return isinstance(value, RewardFailure)


_REGISTRY: dict[str, RewardFn] = {}
_FAMILIES: dict[str, Callable[[str], RewardFn]] = {}
_BUILT: dict[str, RewardFn] = {}  # family:setting -> the reward built for it (one object per name)
# Modules whose import registers the built-in rewards; imported on first lookup so that
# `import reasoncraft.rewards` stays light.
_BUILTIN_MODULES = ("math", "format", "countdown", "code", "language", "shaping", "lenient", "choice")


def register_reward(name: str) -> Callable[[RewardFn], RewardFn]:
    """Decorator: make `fn` reachable as `get_reward(name)`.

    Registering a different function under a taken name is an error (two rewards would silently
    shadow each other); re-registering the same function is allowed (module reloads).
    """

    def decorate(fn: RewardFn) -> RewardFn:
        existing = _REGISTRY.get(name)
        if existing is not None and getattr(existing, "__qualname__", None) != getattr(fn, "__qualname__", None):
            raise ValueError(f"reward name {name!r} is already registered to {existing!r}; pick another name")
        _REGISTRY[name] = fn
        return fn

    return decorate


def register_reward_family(name: str, factory: Callable[[str], RewardFn]) -> None:
    """Make `get_reward(f"{name}:{setting}")` return `factory(setting)`; the factory raises
    ValueError, naming the valid settings, for a setting it does not support."""
    existing = _FAMILIES.get(name)
    if existing is not None and getattr(existing, "__qualname__", None) != getattr(factory, "__qualname__", None):
        raise ValueError(f"reward family {name!r} is already registered to {existing!r}; pick another name")
    _FAMILIES[name] = factory


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        try:
            importlib.import_module(f"{__package__}.{module}")
        except ModuleNotFoundError as e:  # an optional built-in not present in this checkout
            if e.name != f"{__package__}.{module}":
                raise


def get_reward(name: str) -> RewardFn:
    """Return the reward function registered as `name` (or built for `family:setting`).

    >>> get_reward("accuracy")(["Answer: 4"], answer=["4"])
    [1.0]
    >>> get_reward("language_consistency:fr")(["<think>Donc la somme est 4.</think>"])
    [1.0]
    """
    if name not in _REGISTRY:
        _load_builtins()
    if name in _REGISTRY:
        return _REGISTRY[name]
    family, _, setting = name.partition(":")
    if setting and family in _FAMILIES:
        if name not in _BUILT:
            try:
                _BUILT[name] = _FAMILIES[family](setting)
            except ValueError as exc:
                raise ValueError(f"reward {name!r}: {exc}") from None
        return _BUILT[name]
    raise KeyError(f"unknown reward {name!r}; available: {', '.join(available_rewards())}")


def available_rewards() -> list[str]:
    """Names of all registered rewards, sorted; a family shows as `family:<setting>`."""
    _load_builtins()
    return sorted([*_REGISTRY, *(f"{family}:<setting>" for family in _FAMILIES)])
