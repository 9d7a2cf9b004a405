"""Adapters for Hugging Face reward models: the two common kinds of PRM, and an outcome reward model.

* `StepTagPRM` — Math-Shepherd (Wang et al. 2023, arXiv 2312.08935) and its descendants: a causal LM
  reads "question step1 ки\\nstep2 ки\\n..." and, at each step tag, the probability of the "good"
  token against the "bad" one (softmax over just those two logits) is the step's score.
* `ClassificationPRM` — Qwen2.5-Math-PRM (Zhang et al. 2025, arXiv 2501.07301): a chat-formatted
  conversation whose assistant turn joins the steps with a separator token ("<extra_0>") after each
  step; a two-way head on every token gives P(correct) = softmax(logits)[1] at each separator.
* `SequenceClassificationORM` — an outcome reward model with a one-logit sequence head (the usual
  `AutoModelForSequenceClassification` reward model): the raw logit of the whole conversation.

They take a loaded model and tokenizer (where weights come from is `models.py`'s business) and
read only `.logits` (or the first output) of the forward pass, so any model with the matching head
shape works, including tiny random ones built from a config in tests. Every forward pass is
counted in `usage.prompt_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import ScorerUsage, check_lengths


def _logits(output: Any) -> Any:
    return output.logits if hasattr(output, "logits") else output[0]


def _single_id(tokenizer: Any, text: str, what: str) -> int:
    ids = tokenizer.encode(text, add_special_tokens=False)
    if len(ids) != 1:
        raise ValueError(
            f"the {what} {text!r} must be one token of this tokenizer, but encodes to {len(ids)} tokens {ids}; "
            f"pick the model's own {what} or add it with tokenizer.add_special_tokens"
        )
    return ids[0]


class _HFScorer:
    def __init__(self, model: Any, tokenizer: Any, batch_size: int):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1: got {batch_size}")
        self.model, self.tokenizer, self.batch_size = model, tokenizer, batch_size
        self.usage = ScorerUsage()
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad is None:
            raise ValueError("the scorer's tokenizer has neither a pad nor an eos token: set tokenizer.pad_token")
        self.pad_id = pad

    def _forward(self, batch: list[list[int]]) -> tuple[Any, Any]:
        """Right-padded forward pass of a batch of token-id lists; returns (logits, input_ids)."""
        import torch

        device = next(self.model.parameters()).device
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)  # (B, T)
        mask = torch.zeros((len(batch), width), dtype=torch.long)  # (B, T)
        for i, ids in enumerate(batch):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            mask[i, : len(ids)] = 1
        self.usage.calls += 1
        self.usage.prompt_tokens += sum(len(ids) for ids in batch)
        with torch.inference_mode():
            out = self.model(input_ids=input_ids.to(device), attention_mask=mask.to(device))
        return _logits(out).float().cpu(), input_ids

    def _batches(self, items: list) -> Any:
        for start in range(0, len(items), self.batch_size):
            yield start, items[start : start + self.batch_size]


class StepTagPRM(_HFScorer):
    """Math-Shepherd-style PRM: P(good) against P(bad) at each step tag of a causal LM."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        step_tag: str = "ки",
        good_token: str = "+",
        bad_token: str = "-",
        batch_size: int = 8,
    ):
        super().__init__(model, tokenizer, batch_size)
        self.step_tag = step_tag
        self.step_tag_id = _single_id(tokenizer, step_tag, "step tag")
        self.good_id = _single_id(tokenizer, good_token, "good token")
        self.bad_id = _single_id(tokenizer, bad_token, "bad token")

    def format(self, question: str, steps: Sequence[str]) -> str:
        """Math-Shepherd's input: the question, then each step followed by the tag and a newline."""
        body = "".join(f"{step.replace(self.step_tag, '').strip()} {self.step_tag}\n" for step in steps)
        return f"{question} {body}"

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        check_lengths(questions, solutions)
        encoded = [
            self.tokenizer.encode(self.format(q, s), add_special_tokens=True) for q, s in zip(questions, solutions)
        ]
        out: list[list[float]] = []
        for start, batch in self._batches(encoded):
            logits, input_ids = self._forward(batch)  # (B, T, V), (B, T)
            pair = logits[:, :, [self.good_id, self.bad_id]].softmax(dim=-1)[:, :, 0]  # (B, T) P(good)
            for row, steps in enumerate(solutions[start : start + len(batch)]):
                at_tags = pair[row][input_ids[row] == self.step_tag_id].tolist()
                out.append(_one_per_step(at_tags, len(steps), "step tag"))
        return out


class ClassificationPRM(_HFScorer):
    """Qwen2.5-Math-PRM-style PRM: a 2-way token head read at the separator after each step."""

    SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."

    def __init__(
        self, model: Any, tokenizer: Any, separator: str = "<extra_0>", system: str | None = SYSTEM, batch_size: int = 8
    ):
        super().__init__(model, tokenizer, batch_size)
        if getattr(tokenizer, "chat_template", None) is None:
            raise ValueError("ClassificationPRM formats a conversation: its tokenizer needs a chat template")
        self.separator, self.system = separator, system
        self.separator_id = _single_id(tokenizer, separator, "step separator")

    def format(self, question: str, steps: Sequence[str]) -> str:
        answer = "".join(step.replace(self.separator, "").strip() + self.separator for step in steps)
        messages = ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)

    def score_steps(self, questions: Sequence[str], solutions: Sequence[Sequence[str]]) -> list[list[float]]:
        check_lengths(questions, solutions)
        encoded = [
            self.tokenizer.encode(self.format(q, s), add_special_tokens=False) for q, s in zip(questions, solutions)
        ]
        out: list[list[float]] = []
        for start, batch in self._batches(encoded):
            logits, input_ids = self._forward(batch)  # (B, T, 2)
            if logits.shape[-1] != 2:
                raise ValueError(
                    f"ClassificationPRM needs a 2-way token head; this model's logits have {logits.shape[-1]} classes"
                )
            positive = logits.softmax(dim=-1)[:, :, 1]  # (B, T) P(step correct)
            for row, steps in enumerate(solutions[start : start + len(batch)]):
                at_separators = positive[row][input_ids[row] == self.separator_id].tolist()
                out.append(_one_per_step(at_separators, len(steps), "separator"))
        return out


class SequenceClassificationORM(_HFScorer):
    """An outcome reward model: the single logit of a sequence-classification head over the conversation."""

    def format(self, question: str, solution: str) -> str:
        if getattr(self.tokenizer, "chat_template", None) is None:
            return f"{question}\n{solution}"
        messages = [{"role": "user", "content": question}, {"role": "assistant", "content": solution}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)

    def score(self, questions: Sequence[str], solutions: Sequence[str]) -> list[float]:
        check_lengths(questions, solutions)
        encoded = [
            self.tokenizer.encode(self.format(q, s), add_special_tokens=False) for q, s in zip(questions, solutions)
        ]
        out: list[float] = []
        for _, batch in self._batches(encoded):
            logits, _ = self._forward(batch)  # (B, 1)
            if logits.dim() != 2 or logits.shape[-1] != 1:
                raise ValueError(
                    "SequenceClassificationORM needs a one-logit sequence head; got logits of shape "
                    f"{tuple(logits.shape)}"
                )
            out.extend(logits[:, 0].tolist())
        return out


def _one_per_step(scores: list[float], steps: int, marker: str) -> list[float]:
    if len(scores) != steps:
        raise ValueError(
            f"found {len(scores)} {marker} positions for {steps} steps: the {marker} must be a token that "
            "the tokenizer keeps whole next to the surrounding text"
        )
    return scores
