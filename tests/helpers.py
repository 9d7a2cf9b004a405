"""Builders that several test modules share, in one place (tests import them as `from helpers import ...`).

pytest puts this folder on `sys.path` (pyproject.toml's `pythonpath = ["tests"]`, which holds in any import mode),
and it does not collect this module (its name does not start with `test_`). Scripts that tests run in a child
process insert the folder themselves: `sys.path.insert(0, str(Path(__file__).parent))`.
The tiny random models themselves are library code (`reasoncraft.testing`); what is here only wires them.

- Fake backends without a model: `ScriptedBackend`, `TablePRM`, `seeded_unit`.
- Tiny reward-model folders: `save_step_tag_prm`, `save_classification_prm`, `save_orm`.
- GRPO on a tiny model: the learnable reward `sevens`, `tiny_config`, `run`.
- SFT data: `conversation`, `write_jsonl`, the 16 additions `MEMORISE`.
- Processes: `free_port` for a launcher's rendezvous.

`ScriptedBackend(respond)` asks `respond(prompt_text, sample_index, seed)` for a reply, splits it into word
tokens and "generates" them one at a time with the real backend's rules: stop strings cut the text (finish
"stop"), "<eos>" ends it (finish "stop", last token an end-of-sequence id), and `max_new_tokens` cuts it
(finish "length"). Like the hf backend, a sample depends only on (seed, prompt, sample index), never on what
else is in the batch. tests/test_helpers.py checks that it follows those rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
from pathlib import Path

from reasoncraft.backends.base import Completion, SamplingParams
from reasoncraft.scorers.base import ScorerUsage
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_classifier, tiny_model
from reasoncraft.train.grpo_config import GRPOConfig

# ---------------------------------------------------------------------------------------------------------------
# Fake backends (no model)

EOS_ID = 0


class ScriptedBackend:
    model_id = "scripted"
    eos_ids = {EOS_ID}

    def __init__(self, respond):
        self.respond = respond
        self.calls: list[tuple[list[str], SamplingParams]] = []

    def render_prompt(self, messages) -> str:
        return "\n".join(m["content"] for m in messages) + "\n"

    def generate(self, prompts, sampling: SamplingParams):
        self.calls.append((list(prompts), sampling))
        return [[self._one(p, i, sampling) for i in range(sampling.n)] for p in prompts]

    def _one(self, prompt, index: int, sampling: SamplingParams) -> Completion:
        if not isinstance(prompt, str):  # chat messages: the fake reads their contents
            prompt = "\n".join(m["content"] for m in prompt)
        pieces = re.findall(r"<eos>|(?:(?!<eos>)\S)+\s*|\s+", self.respond(prompt, index, sampling.seed))
        text, ids, finish = "", [], "length"
        for piece in pieces[: sampling.max_new_tokens]:
            if piece == "<eos>":
                ids.append(EOS_ID)
                finish = "stop"
                break
            ids.append(1 + len(ids))
            text += piece
            cut = min((text.find(s) for s in sampling.stop if s in text), default=-1)
            if cut >= 0:
                text, finish = text[:cut], "stop"
                break
        else:
            finish = "length" if len(pieces) >= sampling.max_new_tokens or not pieces else "stop"
            if pieces and len(pieces) < sampling.max_new_tokens:
                ids.append(EOS_ID)  # a reply that ends without a stop string ends the sequence
        return Completion(text, ids, len(prompt.split()), len(ids), finish, index)


def seeded_unit(*parts) -> float:
    """A uniform number in [0, 1) from a hash of `parts` (the fake backends' randomness)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class TablePRM:
    """Scores each step by a lookup table (unknown steps score `default`); records every call."""

    def __init__(self, table: dict[str, float], default: float = 0.5):
        self.table, self.default = table, default
        self.usage = ScorerUsage()
        self.calls: list[list[list[str]]] = []

    def score_steps(self, questions, solutions):
        self.calls.append([list(s) for s in solutions])
        self.usage.calls += 1
        self.usage.prompt_tokens += sum(len(step.split()) for s in solutions for step in s)
        return [[self.table.get(step, self.default) for step in steps] for steps in solutions]


# ---------------------------------------------------------------------------------------------------------------
# Tiny reward models saved to local folders (each returns the in-memory model and tokenizer)


def save_step_tag_prm(folder):
    """A Math-Shepherd-style PRM: a tiny causal LM whose tokenizer has the step tag "ки"."""
    model, tokenizer = tiny_model("llama")
    tokenizer.add_special_tokens({"additional_special_tokens": ["ки"]})
    model.resize_token_embeddings(len(tokenizer))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model.eval(), tokenizer


def save_classification_prm(folder):
    """A Qwen-PRM-style token classifier (2 labels) with the step separator "<extra_0>"."""
    model, tokenizer = tiny_classifier("token", 2, special_tokens=("<extra_0>",))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model, tokenizer


def save_orm(folder):
    """An outcome reward model: a tiny sequence classifier with one score."""
    model, tokenizer = tiny_classifier("sequence", 1, arch="llama")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model, tokenizer


# ---------------------------------------------------------------------------------------------------------------
# GRPO on a tiny random model


def sevens(completions, **fields):
    """Trivially learnable: the share of characters that are the digit 7."""
    return [c.count("7") / max(len(c), 1) for c in completions]


def tiny_config(tmp_path, **overrides) -> GRPOConfig:
    """A GRPO config that trains the tiny model for 4 steps on `sevens`, writing under `tmp_path / "run"`."""
    values = dict(
        model="tiny",
        steps=4,
        batch_size=8,
        num_generations=4,
        micro_batch_size=8,
        max_completion_length=6,
        learning_rate=3e-2,
        eval_problems=0,
        out_dir=str(tmp_path / "run"),
        rewards=["sevens"],
        save_model=False,
        log_samples_steps=0,
        num_threads=1,
    )
    values.update(overrides)
    return GRPOConfig(**values)


def run(config, reward=sevens, **kwargs):
    """Train a fresh tiny llama with `config` on arith-sum-2d problems; return (model, summary)."""
    from reasoncraft.train.grpo import train_grpo  # imports torch: heavy, and only the GRPO tests need it

    model, tok = tiny_model("llama")
    summary = train_grpo(
        config,
        model=model,
        tokenizer=tok,
        task=get_task("arith-sum-2d"),
        reward_fns=[reward],
        log=lambda m: None,
        **kwargs,
    )
    return model, summary


# ---------------------------------------------------------------------------------------------------------------
# SFT data


def conversation(q: str, a: str) -> list[dict]:
    return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]


def write_jsonl(path: Path, conversations) -> Path:
    """Write `{"messages": ...}` rows, the SFT dataset format."""
    path.write_text("".join(json.dumps({"messages": m}) + "\n" for m in conversations))
    return path


MEMORISE = [
    conversation(f"What is {a} + {b}?", f"{a} + {b} = {a + b}. Answer: {a + b}")
    for a, b in [
        (3, 4),
        (12, 7),
        (5, 9),
        (20, 13),
        (8, 8),
        (6, 15),
        (11, 2),
        (9, 14),
        (17, 3),
        (4, 16),
        (2, 19),
        (13, 13),
        (7, 10),
        (18, 1),
        (15, 5),
        (10, 6),
    ]
]


# ---------------------------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for torchrun's or accelerate's rendezvous)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def called_equal(pairs: list[tuple[str, str]], equal: bool = True) -> list[tuple[str, str]]:
    """The (gold, answer) pairs `math_verdicts` calls equal (or, with `equal=False`, does not call equal)."""
    from reasoncraft.rewards import math_verdicts

    return [pair for pair, v in zip(pairs, math_verdicts(pairs)) if (v is True) == equal]


def scored_by_both_readers(cases: list[tuple[str, str]]) -> list[tuple[str, str, bool, bool]]:
    """(gold, completion, either, both) per case: whether `text_verdicts` or the `accuracy` reward calls it equal
    (for an attack, either reader paying is a hole) and whether both do (an honest text must be paid by both)."""
    from reasoncraft.rewards import get_reward
    from reasoncraft.rewards.checker import text_verdicts

    by_text = text_verdicts(cases)
    by_reward = get_reward("accuracy")([t for _, t in cases], answer=[g for g, _ in cases])
    return [(g, t, v is True or r == 1.0, v is True and r == 1.0) for (g, t), v, r in zip(cases, by_text, by_reward)]


def paid_completions(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The completions either reader (`text_verdicts`, the `accuracy` reward) scores equal."""
    return [(g, t[:60]) for g, t, either, _ in scored_by_both_readers(cases) if either]


def lost_completions(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The completions not scored equal by both readers."""
    return [(g, t) for g, t, _, both in scored_by_both_readers(cases) if not both]
