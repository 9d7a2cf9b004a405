"""In-process generation with a transformers model: the `hf` backend.

A hand-written decoding loop instead of `model.generate`, for these reasons that matter to
reasoning workloads (many samples per prompt, lengths that vary widely):

* the n samples of a prompt share one prefill: the prompt is encoded once and its KV cache is
  expanded n times (`DynamicCache.batch_repeat_interleave`), not recomputed n times;
* a finished sequence leaves the batch (`DynamicCache.batch_select_indices`), so it stops costing
  compute; `generate` keeps decoding padding for it until the longest sample ends;
* the cache grows in place (`kv_headroom.py`): a decode step writes one position into spare room,
  where `DynamicCache` copies the whole cache with `torch.cat` (quadratic in the length);
* every sample draws its randomness (one uniform per token) from its own generator, seeded by
  (seed, prompt, sample index), so
  a sample does not depend on what else shares its batch: a rerun, a resumed run, or a run with
  n=16 where an earlier one had n=4 reproduce the same samples (up to float rounding differences
  between batch shapes);
* top-k / top-p sampling reads the top 64 logits instead of sorting the whole vocabulary each step
  (exact; a full sort of 64 x 49K logits costs more than the forward pass of a 135M model on a CPU);
* on the CPU, a llama or qwen2 model's decode step runs as one fused call with stacked, pre-packed weights
  (`fused_decode.py`), any other model's through its forward with pre-packed linear weights (`packed_linear.py`).

On CUDA a second decoding path (`static_cache`, on by default there) keeps the KV cache in preallocated
tensors (transformers' `StaticCache`) and the batch at a fixed size, so that every decode step has the same
shapes and `torch.compile(mode="reduce-overhead")` replays it as a CUDA graph: a small model's decode step
on a GPU is dominated by kernel-launch overhead, which the graph removes. It gives up the pruning of
finished rows (a graph needs a fixed batch; finished rows decode padding that is ignored) and the shared
prefill (each sample's prompt is encoded in its own row). On the CPU, where there is no launch overhead
to remove and pruning is what pays, it is off unless asked for (`static_cache=True`, uncompiled): the
tests run it there for token equality.

Greedy decoding picks the same tokens as `model.generate` (tested, both paths). Log-probabilities are those of
the sampled tokens under the temperature-scaled distribution, softmax(logits / T), before top-k or
top-p filtering, which is what a policy-gradient trainer recomputes.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

from ..models import load_model
from .base import Completion, Prompt, SamplingParams
from .fused_decode import FusedDecoder, fusable
from .kv_headroom import with_headroom
from .packed_linear import PackedLinears, available_bytes, packing_available
from .sampling import sample_seed, sample_tokens, token_logprobs

STATIC_WIDTH_STEP = 32  # the static path left-pads prompts to a multiple of this (each cache shape compiles once)


# --- the backend ----------------------------------------------------------------------------------


@dataclass
class _Row:
    """Decoding state of one sample."""

    prompt: int
    sample_index: int
    generator: torch.Generator | None
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    finish_reason: str | None = None
    text: str | None = None


def _is_sharded(model: Any) -> bool:
    try:
        from torch.distributed.fsdp import FSDPModule
    except ImportError:  # torch < 2.6: no public FSDP2
        return False
    return isinstance(model, FSDPModule)


@contextmanager
def _eval_mode(model: Any) -> Iterator[None]:
    """Generate in eval mode without gradients, then give a trainer its model back as it was."""
    was_training = model.training
    model.eval()
    try:
        # FSDP keeps the weights it gathers for a forward in buffers it later updates in place, which
        # inference tensors forbid: a sharded model generates under plain no_grad.
        with torch.no_grad() if _is_sharded(model) else torch.inference_mode():
            yield
    finally:
        model.train(was_training)


class HFBackend:
    """Batched in-process generation on CPU or CUDA; can share its model object with a trainer."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_batch_rows: int = 64,
        model_id: str | None = None,
        static_cache: bool | None = None,
        compile_decode: bool | None = None,
        packed_decode: bool | None = None,
        fused_decode: bool | None = None,
    ):
        """`static_cache`: decode with a static KV cache and a fixed batch (default: on CUDA only);
        `compile_decode`: compile that decode step with torch.compile(mode="reduce-overhead") (CUDA graphs;
        default: on CUDA only, never on the CPU); `packed_decode`: decode steps' matrix products through
        oneDNN with pre-packed weights (`packed_linear.py`; default: on the CPU where the op exists and the packed copy
        takes at most half of the available memory); `fused_decode`: decode steps of llama-family models written
        out as one call (`fused_decode.py`; default: on the CPU for the families it supports)."""
        if max_batch_rows < 1:
            raise ValueError(f"max_batch_rows must be >= 1: got {max_batch_rows}")
        self.model = model
        self.tokenizer = tokenizer
        self.max_batch_rows = max_batch_rows
        self.model_id = model_id or getattr(model, "name_or_path", None) or type(model).__name__
        self.eos_ids = self._eos_ids()
        self.static_cache, self.compile_decode = static_cache, compile_decode
        self._compiled: Any = None
        self.packed_decode = packed_decode
        self._packed: PackedLinears | None = None
        self.fused_decode = fused_decode
        self._fused: tuple[tuple, FusedDecoder] | None = None  # (the weights' versions, the decoder built from them)
        # transformers >= 5.2x renamed the cache argument and output from `past_key_values` to `cache`.
        forward_args = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in forward_args else "past_key_values"
        if tokenizer.pad_token_id is None and tokenizer.eos_token_id is None:
            raise ValueError("the tokenizer has neither a pad nor an eos token: set tokenizer.pad_token")

    @classmethod
    def from_name(cls, name_or_path: str, dtype: Any = None, device: str | None = None, **kwargs: Any) -> HFBackend:
        model, tokenizer = load_model(name_or_path, dtype=dtype, device=device)
        return cls(model, tokenizer, model_id=name_or_path, **kwargs)

    def _eos_ids(self) -> set[int]:
        ids: set[int] = set()
        for source in (getattr(self.model, "generation_config", None), self.tokenizer):
            value = getattr(source, "eos_token_id", None)
            if value is None:
                continue
            ids.update([value] if isinstance(value, int) else value)
        return ids

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def encode(self, prompt: Prompt) -> list[int]:
        """Token ids of a prompt: chat messages through the chat template, text as is."""
        if isinstance(prompt, str):
            return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if self.tokenizer.chat_template is None:
            raise ValueError("chat messages need a tokenizer with a chat template; pass plain text instead")
        text = self.tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def generate(self, prompts: Sequence[Prompt], sampling: SamplingParams) -> list[list[Completion]]:
        encoded = [self.encode(p) for p in prompts]
        per_chunk = max(1, self.max_batch_rows // sampling.n)
        results: list[list[Completion]] = []
        on_cuda = self.device.type == "cuda" and not _is_sharded(self.model)
        static = on_cuda if self.static_cache is None else self.static_cache
        training = self.model.training  # a trainer's model: its weights change before the next call
        with _eval_mode(self.model), self._decode_path(static) as fused:
            for start in range(0, len(encoded), per_chunk):
                chunk = encoded[start : start + per_chunk]
                if static:
                    results.extend(self._generate_chunk_static(chunk, sampling))
                else:
                    results.extend(self._generate_chunk(chunk, sampling, fused))
        if training:
            self.release_packed()  # stale after the next optimizer step: do not hold them through training
        return results

    @contextmanager
    def _decode_path(self, static: bool) -> Iterator[FusedDecoder | None]:
        """How decode steps run while generating: a fused decoder where one applies (`fused_decode.py`), else the
        model's forward, through pre-packed weights where that is on (`packed_linear.py`)."""
        on_cpu = self.device.type == "cpu" and not _is_sharded(self.model)
        wanted = on_cpu and packing_available() if self.packed_decode is None else self.packed_decode
        if wanted and not packing_available():
            raise RuntimeError("packed_decode=True needs torch's oneDNN linear ops (an x86 CPU build): pass False")
        fuse = on_cpu and not static and fusable(self.model) if self.fused_decode is None else self.fused_decode
        if fuse and (static or not fusable(self.model)):
            raise ValueError(
                "fused_decode=True needs a stock llama/qwen2 model on the CPU (no LoRA or hooks) and static_cache off:"
                " pass fused_decode=False"
            )
        if self.packed_decode is None and wanted and not self._room_for_copies():
            wanted = False  # a second copy of the weights would crowd the machine: decode unpacked
        if fuse:
            yield self._fused_decoder(pack=wanted)
        elif wanted:
            if self._packed is None:
                self._packed = PackedLinears(self.model, rows_hint=self.max_batch_rows)
            with self._packed.active():
                yield None
        else:
            yield None

    def _room_for_copies(self) -> bool:
        """Whether packed copies of the linear weights take at most half of the memory available (held ones count)."""
        linears = [m.weight for m in self.model.modules() if type(m) is torch.nn.Linear]
        nbytes = sum(w.numel() * w.element_size() for w in linears)
        held = nbytes if (self._packed is not None and self._packed.holding) or self._fused is not None else 0
        free = available_bytes()
        if free is not None and nbytes > (free + held) // 2:
            self.release_packed()
            return False
        return True

    def _fused_decoder(self, pack: bool) -> FusedDecoder:
        """The fused decoder of the current weights: kept between calls, rebuilt when a weight changes."""
        key = (pack, *((p.data_ptr(), p._version) for p in self.model.parameters()))
        if self._fused is None or self._fused[0] != key:
            self.release_packed()
            self._fused = (key, FusedDecoder(self.model, rows_hint=self.max_batch_rows, pack=pack))
        return self._fused[1]

    def release_packed(self) -> None:
        """Free the decode steps' packed weight copies (`packed_linear.py`, `fused_decode.py`); the next `generate`
        builds them again."""
        if self._packed is not None:
            self._packed.release()
        self._fused = None

    # -- one batch of prompts -----------------------------------------------------------------------

    def _prefill(self, prompt_ids: list[list[int]]) -> tuple[torch.Tensor, Any, torch.Tensor]:
        """Encode the left-padded prompts once; return last-position logits, the cache and the mask."""
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        width = max(len(ids) for ids in prompt_ids)
        input_ids = torch.full((len(prompt_ids), width), pad, dtype=torch.long)  # (P, L)
        mask = torch.zeros((len(prompt_ids), width), dtype=torch.long)  # (P, L)
        for i, ids in enumerate(prompt_ids):
            input_ids[i, width - len(ids) :] = torch.tensor(ids)
            mask[i, width - len(ids) :] = 1
        input_ids, mask = input_ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)  # as model.generate builds them
        out = self.model(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        return out.logits[:, -1, :], self._cache_of(out), mask

    def _cache_of(self, out: Any) -> Any:
        return out.get("cache") if out.get("cache") is not None else out.past_key_values

    def _generate_chunk(
        self, prompt_ids: list[list[int]], sampling: SamplingParams, fused: FusedDecoder | None
    ) -> list[list[Completion]]:
        n = sampling.n
        logits, cache, mask = self._prefill(prompt_ids)
        if n > 1:  # share the prefill among the n samples of each prompt
            cache.batch_repeat_interleave(n)
            logits = logits.repeat_interleave(n, dim=0)  # (P*n, V)
            mask = mask.repeat_interleave(n, dim=0)  # (P*n, L)
        if fused is not None:
            run = fused.begin(cache, capacity=mask.shape[1] + sampling.max_new_tokens)
            cache = None  # copied into the run's buffers: free the prefill's
        else:
            cache = with_headroom(cache)  # decode writes one position per step instead of copying the cache
        rows = [
            _Row(p, i, None if sampling.greedy else self._generator(sample_seed(sampling.seed, ids, i)))
            for p, ids in enumerate(prompt_ids)
            for i in range(n)
        ]
        active = list(range(len(rows)))  # batch position -> index into rows
        positions = mask.sum(-1, keepdim=True) - 1  # (B, 1) position of the last prompt token
        max_stop = max((len(s) for s in sampling.stop), default=0)
        for step in range(sampling.max_new_tokens):
            tokens, keep = self._advance(rows, active, logits, sampling, step, max_stop)  # (B,)
            if not keep:
                break
            if len(keep) < len(active):  # finished samples leave the batch
                index = torch.tensor(keep, device=self.device)
                run.select(index) if fused is not None else cache.batch_select_indices(index)
                mask, positions, tokens = mask[index], positions[index], tokens[index]
                active = [active[b] for b in keep]
            mask = torch.cat([mask, mask.new_ones((len(active), 1))], dim=-1)  # (B, L+t)
            positions = positions + 1
            if fused is not None:
                logits = run.step(tokens, mask, positions)
            else:
                out = self.model(
                    input_ids=tokens[:, None],
                    attention_mask=mask,
                    position_ids=positions,
                    use_cache=True,
                    **{self._cache_arg: cache},
                )
                logits, cache = out.logits[:, -1, :], self._cache_of(out)
        return self._completions(rows, prompt_ids, n, sampling.logprobs)

    def _generate_chunk_static(self, prompt_ids: list[list[int]], sampling: SamplingParams) -> list[list[Completion]]:
        """As `_generate_chunk`, with a static KV cache and every row kept in the batch to the end, so each decode
        step has the same shapes (and, compiled, runs as one CUDA graph replay)."""
        from transformers import StaticCache  # lazy: heavy, and only this path needs it

        n = sampling.n
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        expanded = [ids for ids in prompt_ids for _ in range(n)]  # each sample's prompt in its own row
        B, width = len(expanded), max(len(ids) for ids in expanded)
        width = -(-width // STATIC_WIDTH_STEP) * STATIC_WIDTH_STEP  # few distinct cache shapes: few recompilations
        total = width + sampling.max_new_tokens
        input_ids = torch.full((B, width), pad, dtype=torch.long, device=self.device)  # (B, W)
        mask = torch.zeros((B, total), dtype=torch.long, device=self.device)  # (B, W + max_new): the whole cache
        for i, ids in enumerate(expanded):
            input_ids[i, width - len(ids) :] = torch.tensor(ids, device=self.device)
            mask[i, width - len(ids) : width] = 1
        positions = (mask[:, :width].cumsum(-1) - 1).masked_fill(mask[:, :width] == 0, 1)  # (B, W)
        cache = StaticCache(config=self.model.config, max_cache_len=total)
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
            **{self._cache_arg: cache},
        )
        logits = out.logits[:, -1, :]  # (B, V)
        rows = [
            _Row(p, i, None if sampling.greedy else self._generator(sample_seed(sampling.seed, ids, i)))
            for p, ids in enumerate(prompt_ids)
            for i in range(n)
        ]
        active = list(range(B))  # rows still decoding; the batch itself never shrinks
        positions = mask.sum(-1, keepdim=True) - 1  # (B, 1)
        tokens = torch.full((B,), pad, dtype=torch.long, device=self.device)  # (B,): finished rows feed padding
        step_fn = self._decode_step()
        max_stop = max((len(s) for s in sampling.stop), default=0)
        for step in range(sampling.max_new_tokens):
            index = torch.tensor(active, device=self.device)
            chosen, keep = self._advance(rows, active, logits[index], sampling, step, max_stop)
            tokens.fill_(pad).index_copy_(0, index, chosen)
            active = [active[b] for b in keep]
            if not active:
                break
            mask[:, width + step] = 1
            positions = positions + 1
            logits = step_fn(tokens[:, None], mask, positions, cache)
        return self._completions(rows, prompt_ids, n, sampling.logprobs)

    def _decode_step(self) -> Any:
        """One decode step of the static path: logits (B, V) of the next token; compiled on CUDA (reduce-overhead)."""
        compile_it = self.device.type == "cuda" if self.compile_decode is None else self.compile_decode

        def step(tokens: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor, cache: Any) -> torch.Tensor:
            out = self.model(
                input_ids=tokens,
                attention_mask=mask,
                position_ids=positions,
                use_cache=True,
                **{self._cache_arg: cache},
            )
            return out.logits[:, -1, :]

        if not compile_it:
            return step
        if self._compiled is None:  # one compiled step per backend; a new batch size recompiles once
            self._compiled = torch.compile(step, mode="reduce-overhead", dynamic=False)
        compiled = self._compiled
        # a CUDA graph overwrites its outputs on the next replay: copy the logits out
        return lambda *args: compiled(*args).clone()

    def _advance(
        self,
        rows: list[_Row],
        active: list[int],
        logits: torch.Tensor,
        sampling: SamplingParams,
        step: int,
        max_stop: int,
    ) -> tuple[torch.Tensor, list[int]]:
        """Sample one token for each active row from its logits (B, V), each from its own generator; record it
        (and its log-probability) and mark rows that finished. Returns the tokens (B,) and the batch positions
        still running."""
        uniform = None
        if not sampling.greedy:
            draws = [torch.rand(1, generator=rows[r].generator, device=self.device) for r in active]
            uniform = torch.cat(draws)  # (B,)
        tokens = sample_tokens(logits, sampling.temperature, sampling.top_k, sampling.top_p, uniform)  # (B,)
        chosen = tokens.tolist()
        lps = token_logprobs(logits, tokens, sampling.temperature).tolist() if sampling.logprobs else None
        last_step = step == sampling.max_new_tokens - 1
        keep = []
        for b, r in enumerate(active):
            row = rows[r]
            row.tokens.append(chosen[b])
            if lps is not None:
                row.logprobs.append(lps[b])
            if self._finished(row, sampling.stop, max_stop, last_step) is None:
                keep.append(b)
        return tokens, keep

    def _generator(self, seed: int) -> torch.Generator:
        generator = torch.Generator(device=self.device)
        generator.manual_seed(seed)
        return generator

    def _finished(self, row: _Row, stop: tuple[str, ...], max_stop: int, last_step: bool) -> str | None:
        """Mark the row finished (end-of-sequence, a stop string, or the token limit); return why."""
        if row.tokens[-1] in self.eos_ids:
            row.finish_reason = "stop"
        elif stop:
            # Cheap test on the tail first; a full decode only when a stop string may have appeared.
            tail = self.tokenizer.decode(row.tokens[-(max_stop + 2) :], skip_special_tokens=True)
            if any(s in tail for s in stop):
                text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
                cut = min((text.find(s) for s in stop if s in text), default=-1)
                if cut >= 0:
                    row.finish_reason, row.text = "stop", text[:cut]
        if row.finish_reason is None and last_step:
            row.finish_reason = "length"
        return row.finish_reason

    def _completions(
        self, rows: list[_Row], prompt_ids: list[list[int]], n: int, logprobs: bool
    ) -> list[list[Completion]]:
        grouped: list[list[Completion]] = [[] for _ in prompt_ids]
        for row in rows:
            text = row.text if row.text is not None else self.tokenizer.decode(row.tokens, skip_special_tokens=True)
            grouped[row.prompt].append(
                Completion(
                    text=text,
                    token_ids=row.tokens,
                    prompt_tokens=len(prompt_ids[row.prompt]),
                    completion_tokens=len(row.tokens),
                    finish_reason=row.finish_reason or "length",
                    sample_index=row.sample_index,
                    logprobs=row.logprobs if logprobs else None,
                    prompt_token_ids=prompt_ids[row.prompt],
                )
            )
        return grouped
