"""Evaluation metrics, now in `reasoncraft.math` (`stats`: pass@k and the k grid; `votes`: maj@k).

- pass@1: the mean verdict over all n samples of every problem (DeepSeek-R1's "pass@1 averaged").
- pass@k: the unbiased estimator of Chen et al. 2021 (Codex), `reasoncraft.math.pass_at_k`.
- maj@k: majority vote over k samples, `reasoncraft.math.maj_at_k` (the one maj@k).

This module only keeps the old import path `reasoncraft.metrics` for the names tests/test_evaluate.py imports.
"""

from __future__ import annotations

from .math.stats import ks_up_to, pass_at_k
from .math.votes import maj_at_k

__all__ = ["ks_up_to", "maj_at_k", "pass_at_k"]
