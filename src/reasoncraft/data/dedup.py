"""Exact and near-duplicate removal for SFT sets.

Exact: two records are duplicates when their normalised texts (lower case, whitespace collapsed,
punctuation kept) hash the same. Near: MinHash signatures over word 5-gram shingles (Broder 1997),
bucketed by locality-sensitive hashing (b bands of r rows; a pair with Jaccard similarity s shares a
bucket with probability 1 - (1 - s^r)^b), and every candidate pair confirmed by its exact Jaccard
similarity against `threshold`. The first record of a group is kept, so the result does not depend
on hash collisions and is the same on every run.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+|[^\w\s]")
_PRIME = (1 << 31) - 1  # a Mersenne prime


def normalise(text: str) -> str:
    """Lower case with runs of whitespace made one space.

    >>> normalise("  What IS\\n 2 +  2? ")
    'what is 2 + 2?'
    """
    return " ".join(text.lower().split())


def words(text: str) -> list[str]:
    """Lower-cased words and single punctuation marks.

    >>> words("Find x, if 2x = 4.")
    ['find', 'x', ',', 'if', '2x', '=', '4', '.']
    """
    return _WORD.findall(text.lower())


def shingles(text: str, n: int = 5) -> set[str]:
    """Word n-grams (the whole text as one shingle when it is shorter than n words).

    >>> sorted(shingles("a b c d", 3))
    ['a b c', 'b c d']
    """
    tokens = words(text)
    if len(tokens) < n:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def jaccard(a: set, b: set) -> float:
    """
    >>> jaccard({1, 2, 3}, {2, 3, 4})
    0.5
    """
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _hash32(text: str) -> int:
    return struct.unpack("<I", hashlib.blake2b(text.encode(), digest_size=4).digest())[0]


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    rng = random.Random(seed)
    return (
        tuple(rng.randrange(1, _PRIME) for _ in range(num_perm)),
        tuple(rng.randrange(0, _PRIME) for _ in range(num_perm)),
    )


def minhash(items: set[str], num_perm: int = 64, seed: int = 1) -> tuple[int, ...]:
    """MinHash signature of a set under `num_perm` universal hash functions (a x + b mod p, p = 2^31 - 1).

    Values and coefficients stay below 2^31, so a x + b fits in int64 and numpy computes all at once.
    """
    a, b = (np.array(v, dtype=np.int64)[:, None] for v in _permutations(num_perm, seed))  # (P, 1)
    values = np.array([_hash32(s) % _PRIME for s in items] or [0], dtype=np.int64)[None, :]  # (1, S)
    return tuple(((a * values + b) % _PRIME).min(axis=1).tolist())  # (P,)


def exact_duplicates(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of the first earlier text it equals after normalisation (None: first).

    >>> exact_duplicates(["A  b", "a b", "c"])
    [None, 0, None]
    """
    first: dict[str, int] = {}
    out: list[int | None] = []
    for i, text in enumerate(texts):
        digest = hashlib.sha256(normalise(text).encode()).hexdigest()
        out.append(first.get(digest))
        first.setdefault(digest, i)
    return out


def near_duplicates(
    texts: Sequence[str], threshold: float = 0.8, n: int = 5, bands: int = 16, rows: int = 4
) -> list[int | None]:
    """For each text, an earlier kept text with word-n-gram Jaccard >= threshold (None: it is kept).

    >>> texts = ["the cat sat on the mat today", "the cat sat on the mat today!", "dogs bark loudly at night"]
    >>> near_duplicates(texts, n=2)
    [None, 0, None]
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"near-duplicate threshold must be in (0, 1]: got {threshold}")
    sets = [shingles(t, n) for t in texts]
    buckets: dict[tuple, list[int]] = {}
    out: list[int | None] = []
    for i, items in enumerate(sets):
        signature = minhash(items, bands * rows)
        keys = [(b, signature[b * rows : (b + 1) * rows]) for b in range(bands)]
        candidates = sorted({j for key in keys for j in buckets.get(key, [])})
        match = next((j for j in candidates if jaccard(items, sets[j]) >= threshold), None)
        out.append(match)
        if match is None:  # only kept texts represent their group
            for key in keys:
                buckets.setdefault(key, []).append(i)
    return out


def deduplicate(
    records: Sequence[dict], text: Callable[[dict], str], near_threshold: float | None = 0.8
) -> tuple[list[dict], dict[str, int]]:
    """Drop exact, then near duplicates of `text(record)`; return the kept records and the counts."""
    texts = [text(r) for r in records]
    exact = exact_duplicates(texts)
    survivors = [i for i, dup in enumerate(exact) if dup is None]
    near = near_duplicates([texts[i] for i in survivors], near_threshold) if near_threshold else [None] * len(survivors)
    kept = [records[i] for i, dup in zip(survivors, near) if dup is None]
    counts = {"exact_duplicates": len(records) - len(survivors), "near_duplicates": sum(d is not None for d in near)}
    return kept, counts
