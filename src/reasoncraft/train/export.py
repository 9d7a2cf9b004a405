"""Save a trained policy as a standard Hugging Face model folder with a model card.

The folder loads with `reasoncraft.load_model(path)`, `transformers.AutoModelForCausalLM` and vLLM.
LoRA adapters are merged into the base weights by default (`merge_lora=False` keeps the adapter
folder instead, loadable with peft). The model card records the recipe (GRPO or SFT, in words and
as the resolved config), the data, the final training metrics and the held-out evaluation before and
after training (with the `reasoncraft eval` command that reproduces it), so a folder found later
explains itself. Shared by every trainer.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml


def _grpo_recipe(cfg: dict) -> list[str]:
    rewards = ", ".join(
        f"`{name}` x {weight}"
        for name, weight in zip(cfg["rewards"], cfg.get("reward_weights") or [1.0] * len(cfg["rewards"]))
    )
    return [
        f"**Recipe:** reinforcement learning with GRPO (DeepSeek-R1-Zero style, no SFT first): {cfg['steps']} steps of "
        f"{cfg['batch_size']} completions ({cfg['batch_size'] // cfg['num_generations']} prompts x "
        f"G={cfg['num_generations']}, "
        f"at most {cfg['max_completion_length']} tokens, temperature {cfg['temperature']}), loss `{cfg['loss_type']}`, "
        f"advantage `{cfg['advantage']}` (std scaling: {cfg['scale_rewards']}), mu={cfg['mu']}, beta={cfg['beta']}, "
        f"learning rate {cfg['learning_rate']}, {_tuning(cfg)}.",
        "",
        f"**Data:** task `{cfg['task']}` (split `{cfg['train_split']}`), prompt template `{cfg['template']}` "
        f"({cfg['prompt_format']} format); rewards {rewards}.",
    ]


def _sft_recipe(cfg: dict, examples: int | None) -> list[str]:
    if cfg.get("teacher"):
        objective = (
            f"(1 - {cfg['distill_alpha']}) x cross-entropy + {cfg['distill_alpha']} x T^2 x KL to the logits of "
            f"`{cfg['teacher']}` (T = {cfg['distill_temperature']})"
        )
    else:
        objective = "cross-entropy on the completion tokens"
    mixture = ", ".join(
        f"`{e}` x 1.0" if isinstance(e, str) else f"`{e['path']}` x {float(e.get('weight', 1.0))}"
        for e in cfg["datasets"]
    )
    size = f"{examples} examples" if examples is not None else "examples"
    steps = f"{cfg['max_steps']} optimizer steps" if cfg.get("max_steps") else f"{cfg['epochs']} epoch(s)"
    return [
        f"**Recipe:** supervised fine-tuning (SFT) on reasoning traces: objective {objective}; "
        f"{steps}, {cfg['gradient_accumulation_steps']} packed row(s) of <= {cfg['micro_batch_tokens']} tokens "
        "per optimizer "
        f"step, learning rate {cfg['learning_rate']} "
        f"({cfg['lr_schedule']}), {_tuning(cfg)}.",
        "",
        f"**Data:** {size} (chat `{cfg['messages_field']}`, at most {cfg['max_seq_length']} tokens each) from "
        f"{mixture}.",
    ]


def _other_recipe(cfg: dict, trainer: str) -> list[str]:
    return [
        f"**Recipe:** `reasoncraft train {trainer}`, {_tuning(cfg)}; every setting is in the resolved config below."
    ]


def _tuning(cfg: dict) -> str:
    return f"LoRA r={cfg['lora_r']} alpha={cfg['lora_alpha']}" if cfg.get("lora_r") else "full fine-tuning"


def _evaluation_lines(cfg: dict, evaluation: dict, trainer: str) -> list[str]:
    task = cfg.get("task") if trainer == "grpo" else cfg.get("eval_task")
    template = cfg.get("template") if trainer == "grpo" else cfg.get("eval_template")
    lines = []
    for when, result in evaluation.items():
        if result:
            lines.append(
                f"- held-out `{task}` (split `{cfg.get('eval_split')}`, greedy, {result.get('problems')} problems) "
                f"{when} training: accuracy {result['accuracy']:.3f}"
                + (f" (lenient {result['lenient_accuracy']:.3f})" if result.get("lenient_accuracy") is not None else "")
                + f", no extractable answer {result['extraction_failure_rate']:.3f}"
            )
    if not lines:
        return ["- no held-out evaluation was run"]
    lines += ["", "Computed by `reasoncraft.evaluate` (pass@1 of one greedy sample, scored by the task's rewards)."]
    if cfg.get("prompt_format", "chat") == "chat":
        tokens = cfg.get("eval_max_new_tokens") or cfg.get("max_completion_length")
        options = "".join(f" --task-option {k}={v}" for k, v in (cfg.get("eval_task_options") or {}).items())
        limit = next(r for r in evaluation.values() if r).get("problems")
        lines[-1] += (
            f" To reproduce on this folder: `reasoncraft eval --task {task} --model <this folder> --split "
            f"{cfg.get('eval_split')} --limit {limit} --max-new-tokens {tokens}"
            + (f" --template {template}" if template else "")
            + options
            + "`."
        )
    return lines


def model_card(
    config: Any, metrics: Sequence[dict], evaluation: dict, trainer: str, examples: int | None = None
) -> str:
    """A README.md for the saved policy: the recipe, its data, final metrics and evaluation.

    `trainer` names the command (`train <trainer>`): "grpo" and "sft" get their recipe and data in words, any
    other trainer a line naming its command (its settings are in the resolved config the card ends with);
    `examples` is the number of SFT examples after mixing.
    """
    cfg = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    last = metrics[-1] if metrics else {}
    if trainer == "grpo":
        recipe = _grpo_recipe(cfg)
    elif trainer == "sft":
        recipe = _sft_recipe(cfg, examples)
    else:
        recipe = _other_recipe(cfg, trainer)
    lines = [
        "---",
        "library_name: transformers",
        "tags: [reasoncraft, " + trainer + "]",
        "---",
        "",
        f"# {cfg.get('model', 'policy')} trained with reasoncraft `train {trainer}`",
        "",
        f"Trained from `{cfg.get('model')}`.",
        "",
        *recipe,
        "",
        "## Results",
        "",
        *_evaluation_lines(cfg, evaluation, trainer),
    ]
    if last:
        keep = {k: v for k, v in last.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lines += ["", f"Final training step: `{json.dumps(keep)}`"]
    lines += ["", "## Recipe (resolved config)", "", "```yaml"]
    lines += [yaml.safe_dump(json.loads(json.dumps(cfg)), sort_keys=False).rstrip(), "```", ""]
    return "\n".join(lines)


def save_policy(
    model: Any,
    tokenizer: Any,
    folder: str | Path,
    *,
    config: Any,
    metrics: Sequence[dict] = (),
    evaluation: dict | None = None,
    merge_lora: bool = True,
    trainer: str = "grpo",
    examples: int | None = None,
    state_dict: dict | None = None,
) -> Path:
    """Write the policy (LoRA merged unless merge_lora=False), its tokenizer and README.md to `folder`.
    `state_dict`: the full tensors of a sharded (FSDP) model, gathered by `fsdp.full_states`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "peft_config") and merge_lora:
        model = copy.deepcopy(model).merge_and_unload()
    model.save_pretrained(
        folder, safe_serialization=True, **({"state_dict": state_dict} if state_dict is not None else {})
    )
    tokenizer.save_pretrained(folder)
    (folder / "README.md").write_text(model_card(config, metrics, evaluation or {}, trainer, examples))
    return folder
