"""Supervised batches: chat examples tokenised with a completion mask, packed without padding.

Shared by trainers that learn from fixed text (SFT, distillation). Three pure steps:

1. `tokenize_chat`: render the messages with the tokenizer's chat template; the tokens of the last
   assistant message (and the template's end-of-turn tokens after it) carry the loss, everything
   before carries none. The prompt is rendered on its own with the generation prompt, and must be
   a token prefix of the whole conversation, and the assistant text must survive the rendering; a
   template where either fails is refused (loudly), since the mask or the target would be wrong.
2. `pack_best_fit` (best-fit decreasing, TRL's default) or `pack` (greedy, in order): examples into
   rows of at most `max_tokens` tokens; no padding anywhere (TRL's padding-free batches).
3. `collate_packed`: one packed row as tensors: input ids, labels (-100 where there is no loss),
   position ids restarting at 0 for each example, and the attention that keeps examples apart: a
   block-diagonal causal mask (boolean here; `sft.row_forward` makes it additive in the model's dtype
   where eager attention needs that), or position ids alone for flash-attention kernels, which read
   example boundaries from them. A row holding one example gets no mask: plain causal attention is
   the same thing, and it keeps SDPA on its causal fast path (no mask tensor, no repeated KV heads).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

IGNORE_INDEX = -100


@dataclass
class Example:
    """One tokenised conversation; `loss_mask[i]` says whether token i is predicted with loss."""

    input_ids: list[int]
    loss_mask: list[bool]
    source: str = ""  # which dataset it came from

    def __len__(self) -> int:
        return len(self.input_ids)


def tokenize_chat(tokenizer: Any, messages: Sequence[dict], max_tokens: int | None = None, source: str = "") -> Example:
    """Tokenise a conversation whose last message is the assistant's; loss on that message only.

    Longer than `max_tokens`: the completion is cut at the right (the prompt is always kept whole).
    """
    if not messages or messages[-1].get("role") != "assistant":
        raise ValueError("an SFT example must end with an assistant message (the completion to learn)")
    prompt = list(messages[:-1])
    full_ids = _ids(tokenizer.apply_chat_template(list(messages), tokenize=True, add_generation_prompt=False))
    prompt_ids = (
        _ids(tokenizer.apply_chat_template(prompt, tokenize=True, add_generation_prompt=True)) if prompt else []
    )
    if full_ids[: len(prompt_ids)] != prompt_ids:
        raise ValueError(
            "the chat template renders the prompt differently inside the full conversation, so the completion "
            "mask cannot be placed; use a template whose rendering of the prompt with add_generation_prompt=True "
            "is a prefix of the full conversation (ChatML, Llama 3, Qwen2 templates are)"
        )
    content = str(messages[-1].get("content", "")).strip()
    if content and content[-200:] not in tokenizer.decode(full_ids[len(prompt_ids) :]):
        raise ValueError(
            "the chat template changes the assistant message (some templates, e.g. DeepSeek-R1-Distill's, drop "
            "the <think> reasoning of assistant turns), so training would not see the completion as written; "
            "set a template that renders assistant content verbatim (tokenizer.chat_template)"
        )
    if max_tokens is not None and len(prompt_ids) >= max_tokens:
        raise ValueError(
            f"a prompt of {len(prompt_ids)} tokens leaves no room for its completion within "
            f"max_seq_length={max_tokens}: raise max_seq_length or drop the example"
        )
    ids = full_ids[:max_tokens] if max_tokens else full_ids
    mask = [i >= len(prompt_ids) for i in range(len(ids))]
    return Example(ids, mask, source)


def _ids(value: Any) -> list[int]:
    """transformers 5 returns a BatchEncoding from apply_chat_template(tokenize=True); older ones a list."""
    if hasattr(value, "keys") and "input_ids" in value:
        value = value["input_ids"]
    return list(value)


def pack(examples: Sequence[Example], max_tokens: int) -> list[list[Example]]:
    """Greedy packing in order: a row is closed when the next example does not fit.

    >>> [[len(e) for e in row] for row in pack([Example([1] * n, [True] * n) for n in (3, 4, 2, 5)], 7)]
    [[3, 4], [2, 5]]
    """
    rows: list[list[Example]] = []
    current: list[Example] = []
    used = 0
    for example in examples:
        if len(example) > max_tokens:
            raise ValueError(
                f"an example of {len(example)} tokens exceeds the packing budget {max_tokens}; "
                "tokenize with max_tokens <= the budget"
            )
        if current and used + len(example) > max_tokens:
            rows.append(current)
            current, used = [], 0
        current.append(example)
        used += len(example)
    if current:
        rows.append(current)
    return rows


def pack_best_fit(examples: Sequence[Example], max_tokens: int) -> list[list[Example]]:
    """Best-fit decreasing: longest example first, each into the fullest row it still fits (fewer, fuller
    rows than `pack`; TRL's default `bfd`). Rows come out in creation order; shuffle them to train.

    >>> [[len(e) for e in row] for row in pack_best_fit([Example([1] * n, [True] * n) for n in (3, 4, 2, 5)], 7)]
    [[5, 2], [4, 3]]
    """
    order = sorted(range(len(examples)), key=lambda i: -len(examples[i]))
    rows: list[list[Example]] = []
    free: list[tuple[int, int]] = []  # (free tokens, row index), sorted
    for i in order:
        size = len(examples[i])
        if size > max_tokens:
            raise ValueError(
                f"an example of {size} tokens exceeds the packing budget {max_tokens}; "
                "tokenize with max_tokens <= the budget"
            )
        at = bisect.bisect_left(free, (size, -1))  # the row with the least free room that still fits
        if at == len(free):
            rows.append([examples[i]])
            bisect.insort(free, (max_tokens - size, len(rows) - 1))
        else:
            room, row = free.pop(at)
            rows[row].append(examples[i])
            bisect.insort(free, (room - size, row))
    return rows


def collate_packed(row: Sequence[Example], block_mask: bool = True) -> dict[str, Any]:
    """One padding-free row: input_ids, labels, position_ids (1, L) and, with `block_mask` and more than one
    example in the row, a (1, 1, L, L) boolean attention mask that is causal within each example and closed
    between examples (a row of one example needs none: causal attention is already right)."""
    import torch

    input_ids = torch.tensor([[t for e in row for t in e.input_ids]])  # (1, L)
    labels = torch.tensor([[t if m else IGNORE_INDEX for e in row for t, m in zip(e.input_ids, e.loss_mask)]])  # (1, L)
    # The first token of an example is never a target of the previous one: labels are shifted inside
    # the loss, so position 0 of each example only ever appears as an input.
    positions = torch.tensor([[i for e in row for i in range(len(e))]])  # (1, L)
    batch = {"input_ids": input_ids, "labels": labels, "position_ids": positions}
    if block_mask and len(row) > 1:
        seq = torch.tensor([k for k, e in enumerate(row) for _ in range(len(e))])  # (L,)
        L = seq.numel()
        causal = torch.ones(L, L, dtype=torch.bool).tril()  # (L, L)
        batch["attention_mask"] = ((seq[:, None] == seq[None, :]) & causal)[None, None]  # (1, 1, L, L)
    return batch


def shifted_targets(labels: Any, positions: Any) -> Any:
    """Targets for next-token prediction in a packed row: token t+1 for position t, IGNORE at the last
    token of each example (its successor belongs to the next example) and at the row's end.

    >>> import torch
    >>> shifted_targets(torch.tensor([[-100, 5, 6, -100, 8]]), torch.tensor([[0, 1, 2, 0, 1]])).tolist()
    [[5, 6, -100, 8, -100]]
    """
    import torch

    targets = torch.full_like(labels, IGNORE_INDEX)  # (B, L)
    targets[:, :-1] = labels[:, 1:]
    boundary = torch.zeros_like(labels, dtype=torch.bool)  # (B, L): True where the next token starts a new example
    boundary[:, :-1] = positions[:, 1:] == 0
    return targets.masked_fill(boundary, IGNORE_INDEX)
