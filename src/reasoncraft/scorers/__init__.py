"""Model-based judgement over a backend (and one rule-based verifier): what search and best-of-N score with.

* `StepScorer` / `OutcomeScorer`: the two contracts (`base`); `StepsAsOutcome`, `OutcomeAsSteps` adapt one to the other.
* `StepTagPRM` (Math-Shepherd), `ClassificationPRM` (Qwen2.5-Math-PRM), `SequenceClassificationORM` (`hf`).
* `LLMJudge` over any backend and `self_evaluation(policy)` (`judge`).
* `ArithmeticVerifier`: checks every "a op b = c" in each step, no model (`rules`).
* `load_scorer(name)`: a reward model by catalogue name, folder or hub id, in the right adapter (`registry`).
* `TrainedPRM`, `TrainedORM`: folders written by `reasoncraft train prm`, and their input format (`trained`).

The HF adapters import torch only when they score.
"""

from .base import OutcomeAsSteps, OutcomeScorer, ScorerUsage, StepsAsOutcome, StepScorer
from .hf import ClassificationPRM, SequenceClassificationORM, StepTagPRM
from .judge import LLMJudge, parse_verdict, self_evaluation
from .registry import ADAPTERS, is_process_scorer, load_scorer
from .rules import ArithmeticVerifier, arithmetic_claims, step_verdict
from .trained import TrainedORM, TrainedPRM, encode_steps

__all__ = [
    "StepScorer",
    "OutcomeScorer",
    "ScorerUsage",
    "StepsAsOutcome",
    "OutcomeAsSteps",
    "StepTagPRM",
    "ClassificationPRM",
    "SequenceClassificationORM",
    "LLMJudge",
    "self_evaluation",
    "parse_verdict",
    "ArithmeticVerifier",
    "arithmetic_claims",
    "step_verdict",
    "ADAPTERS",
    "load_scorer",
    "is_process_scorer",
    "TrainedPRM",
    "TrainedORM",
    "encode_steps",
]
