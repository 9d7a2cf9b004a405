"""Tiny random models and a locally trained tokenizer, for tests that must not need a hub or a GPU.

`tiny_model("llama")` or `tiny_model("qwen2")` builds a 2-layer, hidden-64 causal LM from a config
with seeded random weights, paired with a byte-level BPE tokenizer trained in memory on a small
built-in corpus and given a ChatML chat template (the template SmolLM2 and Qwen2 use). One train
step costs well under a second on a CPU.
"""

from __future__ import annotations

from functools import cache
from typing import Any

CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_CORPUS = [
    "What is 12 + 7? Give the final answer as a number after 'Answer:'",
    "Let me think step by step. 12 + 7 = 19. Answer: 19",
    "<think> 3 * 4 = 12, then 12 - 5 = 7 </think> <answer> 7 </answer>",
    "Using the numbers [3, 5, 8], create an equation that equals 16. Wait, let me check: 8 * (5 - 3) = 16.",
    "The answer is \\boxed{42}. So the final answer is 42.",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 + - * / = ( ) . , ? !",
    "the quick brown fox jumps over the lazy dog; a step, then another step, and the answer follows.",
]


_QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


@cache
def _trained_tokenizer_json(vocab_size: int) -> str:
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    # Qwen2's split (digits one by one, as SmolLM2 also does), then bytes: transformers rebuilds this
    # exact pre-tokenizer when it reloads a qwen2 folder, so a saved tiny model round-trips.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_QWEN2_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS * 4, trainer=trainer)
    return tokenizer.to_str()


def tiny_tokenizer(vocab_size: int = 320) -> Any:
    """A byte-level BPE tokenizer (any text round-trips) with ChatML specials and chat template."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(_trained_tokenizer_json(vocab_size)),
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    tok.chat_template = CHATML_TEMPLATE
    return tok


def tiny_model(arch: str = "llama", seed: int = 0, vocab_size: int = 320, **overrides: Any) -> tuple[Any, Any]:
    """A seeded random 2-layer causal LM (`llama` or `qwen2`) and its tiny tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

    tokenizer = tiny_tokenizer(vocab_size)
    common = dict(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    common.update(overrides)
    configs = {"llama": LlamaConfig, "qwen2": Qwen2Config}
    if arch not in configs:
        raise ValueError(f"unknown tiny architecture {arch!r}: use one of {sorted(configs)}")
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(configs[arch](**common))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.eval()
    return model, tokenizer


def tiny_classifier(
    head: str, num_labels: int, arch: str = "qwen2", special_tokens: tuple[str, ...] = (), seed: int = 0
) -> tuple[Any, Any]:
    """A seeded random 2-layer reward-model shape and its tiny tokenizer (with `special_tokens` added):
    `head="token"` is a per-token classifier (Qwen2.5-Math-PRM's kind), `head="sequence"` an outcome
    reward model (one score per sequence)."""
    import torch
    from transformers import (
        LlamaConfig,
        LlamaForSequenceClassification,
        LlamaForTokenClassification,
        Qwen2Config,
        Qwen2ForSequenceClassification,
        Qwen2ForTokenClassification,
    )

    classes = {
        ("qwen2", "token"): (Qwen2Config, Qwen2ForTokenClassification),
        ("qwen2", "sequence"): (Qwen2Config, Qwen2ForSequenceClassification),
        ("llama", "token"): (LlamaConfig, LlamaForTokenClassification),
        ("llama", "sequence"): (LlamaConfig, LlamaForSequenceClassification),
    }
    if (arch, head) not in classes:
        raise ValueError(
            f"unknown tiny classifier {arch!r}/{head!r}: arch is llama or qwen2, head is token or sequence"
        )
    tokenizer = tiny_tokenizer()
    if special_tokens:
        tokenizer.add_special_tokens({"additional_special_tokens": list(special_tokens)})
    config_class, model_class = classes[(arch, head)]
    torch.manual_seed(seed)
    config = config_class(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        num_labels=num_labels,
        pad_token_id=tokenizer.pad_token_id,
    )
    return model_class(config).eval(), tokenizer
