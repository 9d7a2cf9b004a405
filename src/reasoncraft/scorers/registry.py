"""Build a scorer from a name: a reward model from `models.REWARD_MODELS`, a local folder or a hub id.

`load_scorer("qwen2.5-math-prm-7b")` loads the weights through `models.load_reward_model` (which
decides where weights come from and which kind of reward model they are) and wraps them in the
adapter for that kind:

==================  =============================  ===============================================
kind                adapter                        e.g.
==================  =============================  ===============================================
`step-tag`          `StepTagPRM` (a PRM)           math-shepherd-mistral-7b-prm (causal LM)
`classification`    `ClassificationPRM` (a PRM)    qwen2.5-math-prm-7b (2-way token head)
`orm`               `SequenceClassificationORM`    any one-logit sequence-classification model
==================  =============================  ===============================================

A folder written by `reasoncraft train prm` says in its config.json how it must be read (`trained.CONFIG_KEY`):
it loads as a token-classification model and is wrapped in `TrainedPRM` or `TrainedORM`, with no option needed.
"""

from __future__ import annotations

from typing import Any

from ..models import load_reward_model
from .hf import ClassificationPRM, SequenceClassificationORM, StepTagPRM
from .trained import TRAINED_ADAPTERS, trained_settings

ADAPTERS: dict[str, type] = {
    "step-tag": StepTagPRM,
    "classification": ClassificationPRM,
    "orm": SequenceClassificationORM,
}


def load_scorer(
    name_or_path: str,
    kind: str | None = None,
    device: str | None = None,
    dtype: Any = None,
    batch_size: int = 8,
    **options: Any,
) -> Any:
    """The adapter over a loaded reward model; `options` override the catalogue's adapter settings (e.g. step_tag).

    A folder trained by `reasoncraft train prm` gets its own adapter unless `kind` names another one."""
    trained = trained_settings(name_or_path) if kind is None else None
    if trained is not None:
        model, tokenizer, _, _ = load_reward_model(name_or_path, kind="classification", dtype=dtype, device=device)
        adapter = TRAINED_ADAPTERS[trained["objective"]]
        return adapter(model, tokenizer, batch_size=batch_size, **{"separator": trained["separator"], **options})
    model, tokenizer, kind, defaults = load_reward_model(name_or_path, kind=kind, dtype=dtype, device=device)
    return ADAPTERS[kind](model, tokenizer, batch_size=batch_size, **{**defaults, **options})


def is_process_scorer(scorer: Any) -> bool:
    """Whether `scorer` scores steps (a PRM) rather than whole solutions."""
    return callable(getattr(scorer, "score_steps", None))
