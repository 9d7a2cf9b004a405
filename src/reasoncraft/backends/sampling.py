"""The `hf` backend's sampling math: one token per row from its logits, its log-probability, each sample's seed.

Pure functions of tensors (no model): inverse-CDF sampling with one uniform draw per row (so a row's randomness
comes from its own generator), top-k / top-p read from the top CANDIDATES logits when they hold the nucleus.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import torch

CANDIDATES = 64  # top-k/top-p sample from the top 64 logits when they hold the nucleus (exact; see below)


def sample_tokens(
    logits: torch.Tensor, temperature: float, top_k: int, top_p: float, uniform: torch.Tensor | None
) -> torch.Tensor:
    """Pick one token per row: argmax at temperature 0, else inverse-CDF sampling from softmax(logits / T)
    restricted to the top-k tokens and then to the nucleus of mass top-p (renormalised, as transformers does).

    `uniform` (B,) holds one U(0, 1) draw per row, so each row's randomness comes from its own generator.
    A full sort of the vocabulary costs ~0.5 s per step for 64 rows x 49K tokens on 2 CPU cores; instead the
    top CANDIDATES logits are taken, which is exact whenever they hold at least top-p of the mass (rows where
    they do not fall back to the whole vocabulary).

    >>> sample_tokens(torch.tensor([[0.0, 5.0, 1.0]]), 1.0, 1, 1.0, torch.tensor([0.9])).tolist()
    [1]
    """
    if temperature == 0:
        return logits.argmax(dim=-1)  # (B,)
    scaled = logits.float() / temperature  # (B, V)
    vocab = scaled.shape[-1]
    if not top_k and top_p >= 1.0:
        cdf = scaled.softmax(dim=-1).cumsum(dim=-1)  # (B, V)
        return _inverse_cdf(cdf, uniform)
    k = min(top_k or CANDIDATES, vocab)
    values, index = torch.topk(scaled, k, dim=-1)  # (B, k), sorted descending
    if top_k:
        probs = values.softmax(dim=-1)  # renormalised over the top-k
    else:
        probs = (values - torch.logsumexp(scaled, dim=-1, keepdim=True)).exp()  # true probabilities
        short = probs.sum(dim=-1) < top_p  # the nucleus reaches past the candidates: use the whole vocabulary
        if short.any():
            values, index = torch.sort(scaled, dim=-1, descending=True)  # rare; exact for every row
            probs = values.softmax(dim=-1)
    if top_p < 1.0:
        before = probs.cumsum(dim=-1) - probs  # mass of the tokens ranked above each one
        probs = probs.masked_fill(before >= top_p, 0.0)  # the top token always stays
    choice = _inverse_cdf(probs.cumsum(dim=-1), uniform)  # (B,)
    return index.gather(-1, choice[:, None]).squeeze(-1)


def _inverse_cdf(cdf: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Index of the first entry whose cumulative mass exceeds u * total, per row."""
    target = uniform[:, None].to(cdf.dtype) * cdf[:, -1:]  # (B, 1)
    return torch.searchsorted(cdf, target, right=True).squeeze(-1).clamp_(max=cdf.shape[-1] - 1)


def token_logprobs(logits: torch.Tensor, tokens: torch.Tensor, temperature: float) -> torch.Tensor:
    """log softmax(logits / T)[token] per row; T = 0 (greedy) scores under T = 1."""
    scale = temperature if temperature > 0 else 1.0
    logp = torch.log_softmax(logits.float() / scale, dim=-1)  # (B, V)
    return logp.gather(-1, tokens[:, None]).squeeze(-1)  # (B,)


def sample_seed(seed: int, prompt_ids: Sequence[int], sample_index: int) -> int:
    """The generator seed of one sample: a hash of (seed, prompt tokens, sample index)."""
    text = f"{seed}|{','.join(map(str, prompt_ids))}|{sample_index}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") & (2**63 - 1)
