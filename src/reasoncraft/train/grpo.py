"""GRPO: reinforcement learning with verifiable rewards, as DeepSeek-R1-Zero trains from a base model.

Implements Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath §4; used by
DeepSeek-AI 2025, DeepSeek-R1-Zero): for each prompt sample G completions, score them with
rule-based rewards, take each completion's reward relative to its group as the advantage, and
push up the log-probability of its tokens through PPO's clipped ratio, optionally held near a
reference policy by a k3 KL penalty. The variants (Dr. GRPO, DAPO, BNPO, mean-baseline
REINFORCE) are the pure functions of `grpo_loss.py`, picked once from the config.

Where this departs from the paper:
* with mu = 1 (one optimizer step per batch of rollouts, the default) the "old" policy *is* the
  current one, so old log-probabilities are the current ones detached (ratio = 1, as TRL does);
  with mu > 1 they are the log-probabilities the sampler recorded, so no extra forward pass is
  spent recomputing them. The metric `logprob_gap` checks that sampler and trainer agree;
* no reference model is built when beta = 0 (DAPO and Dr. GRPO drop the KL term);
* a completion whose reward could not be computed (infrastructure failure) removes its group
  from the step instead of counting as reward 0; too many failures abort the step.

Rollouts come from the in-process `HFBackend`, which shares the policy's weights (no copy, no
sync), shares each prompt's prefill among its G samples and drops finished samples from the batch.
Everything around the algorithm (output folder, seed, run record, metrics, checkpoints and exact resume,
held-out evaluation before and after, the exported model) is the shared run lifecycle of `run.py`.

Launch:  reasoncraft train grpo configs/r1_zero_quickstart.yaml [key=value ...] [--resume RUN_DIR]
or from Python: `train_grpo(load_config(GRPOConfig, path, overrides))`.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..backends import HFBackend
from ..backends.openai import backend_from_url
from ..models import load_model, weights_hash
from ..record import count_parameters
from ..rewards.base import get_reward
from ..scorers.reward import reward_model_fns
from ..tasks import get_task
from . import distributed, fsdp
from . import grpo_loss as L
from .fused_loss import fused_head, head_is_exact
from .grpo_batch import (
    Rollout,
    attention_kind,
    completion_logprobs,
    micro_batches,
    micro_batches_by_group,
    packed_row_fits,
    pad_rollouts,
    shared_prompt_logprobs,
)
from .grpo_config import GRPOConfig
from .grpo_rollouts import ProblemStream, RewardFailureRateExceeded, make_prompt, sample_step  # noqa: F401 (re-exported)
from .held_out import held_out_eval
from .lora import apply_lora, enable_gradient_checkpointing
from .metrics import reflection_rate
from .optim import guarded_step, optimizer_for
from .run import TrainingRun
from .weight_sync import WeightPusher

# --- held-out evaluation ------------------------------------------------------------------------------


def held_out_evaluator(backend: Any, task: Any, config: GRPOConfig) -> Callable[[str, Path], dict] | None:
    """Greedy held-out evaluation of the task's eval split through reasoncraft.evaluate (as `reasoncraft eval`
    computes it), for `TrainingRun.held_out`; None when eval_problems is 0."""
    if not config.eval_problems:
        return None

    def evaluate(when: str, folder: Path) -> dict:
        return held_out_eval(
            backend,
            task,
            split=config.eval_split,
            limit=config.eval_problems,
            template=config.template,
            max_new_tokens=config.eval_max_new_tokens or config.max_completion_length,
            out_dir=folder,
            prompt_format=config.prompt_format,
            batch_problems=config.generation_batch_rows,
            command=f"train grpo: held-out evaluation {when}",
        )

    return evaluate


# --- the loop ----------------------------------------------------------------------------------------


def _setup_model(config: GRPOConfig, model: Any, tokenizer: Any) -> tuple[Any, Any, Any]:
    """Load the policy (unless given), wrap it for LoRA, and build the reference policy when beta > 0."""
    if model is None:
        model, tokenizer = load_model(config.model, dtype=config.dtype, device=config.device)
    if config.gradient_checkpointing:
        enable_gradient_checkpointing(model)
    reference = None
    if config.lora_r:  # with beta > 0 the reference is the model with its adapter off
        model = apply_lora(model, config.lora_r, config.lora_alpha, config.lora_dropout, config.lora_target_modules)
    elif config.beta > 0:
        reference = copy.deepcopy(model).eval().requires_grad_(False)
    return model, tokenizer, reference


def logprob_chunk_tokens(model: Any, tokenizer: Any, chunk_tokens: int, log: Callable[[str], None]) -> int:
    """`chunk_tokens` when the model's logits are exactly its final hidden states times a plain LM head (so the
    head can be applied in chunks, `fused_loss.py`), else 0 (full logits). Checked once, before any sharding."""
    if not chunk_tokens:
        return 0
    head = fused_head(model)
    probe = torch.tensor([tokenizer("1 + 2 = 3. Answer: 3", add_special_tokens=False)["input_ids"][:16]])
    if head is None or not head_is_exact(model, *head, probe.to(head[1].device)):
        log("log-probabilities from full logits (this model's logits are not its decoder times a plain LM head)")
        return 0
    return chunk_tokens


def _reference_logprobs(
    model: Any, reference: Any, batch: dict, temperature: float, chunk_tokens: int = 0
) -> torch.Tensor:
    with torch.no_grad():
        if reference is not None:
            return completion_logprobs(reference, batch, temperature, False, chunk_tokens)[0]
        with model.disable_adapter():  # LoRA: the base weights are the reference policy
            return completion_logprobs(model, batch, temperature, False, chunk_tokens)[0]


def assign_advantages(rollouts: list[Rollout], config: GRPOConfig) -> None:
    rewards = torch.tensor([r.reward for r in rollouts])  # (N,)
    advantages = L.ADVANTAGES[config.advantage](rewards, config.num_generations, scale=config.scale_rewards)  # (N,)
    for r, a in zip(rollouts, advantages.tolist()):
        r.advantage = a


def policy_update(
    model: Any,
    reference: Any,
    rollouts: list[Rollout],
    config: GRPOConfig,
    optimizer: Any,
    scheduler: Any,
    params: list,
    pad_id: int,
    first_iteration: bool,
    chunk_tokens: int = 0,
) -> dict:
    """One optimizer step over the rollouts: accumulate micro-batch gradients, clip, step (or skip on NaN/inf).

    `chunk_tokens` > 0: log-probabilities from the final hidden states with the LM head applied in chunks
    (`logprob_chunk_tokens` decides whether the model allows it); 0: from full logits."""
    aggregate = L.AGGREGATIONS[config.loss_type]
    total_rows = len(rollouts)
    trained = [r for r in rollouts if not (config.mask_truncated_completions and r.finish_reason == "length")]
    local_tokens = float(sum(len(r.completion_ids) for r in trained))  # the tokens that carry loss
    # dapo divides by the tokens of the whole global batch, per process (gradients are then averaged)
    world = torch.distributed.get_world_size() if distributed.active() else 1
    total_tokens = distributed.all_reduce_sum(local_tokens) / world
    acc = {
        "loss": 0.0,
        "tokens": 0.0,
        "clip_low": 0.0,
        "clip_high": 0.0,
        "kl": 0.0,
        "entropy": 0.0,
        "gap": 0.0,
        "is_weight": 0.0,
    }
    device = params[0].device
    # The shared-prompt forward needs an attention that takes an arbitrary mask; flash kernels do not.
    shared = (
        config.share_prompt_forward
        and not attention_kind(model).startswith("flash")
        and config.micro_batch_size % config.num_generations == 0
    )
    chunks = (
        micro_batches_by_group(rollouts, config.micro_batch_size, config.num_generations)
        if shared
        else micro_batches(rollouts, config.micro_batch_size)
    )
    for chunk in chunks:
        # one packed row per group while its length stays below the measured switch, else one row per completion
        if shared and packed_row_fits(chunk, config.num_generations, config.shared_prompt_max_tokens):
            logp, entropy, batch = shared_prompt_logprobs(
                model, chunk, config.num_generations, pad_id, config.temperature, first_iteration, device, chunk_tokens
            )  # (n, T)
        else:
            batch = {k: v.to(device) for k, v in pad_rollouts(chunk, pad_id).items()}
            logp, entropy = completion_logprobs(
                model, batch, config.temperature, first_iteration, chunk_tokens
            )  # (n, T)
        mask = batch["completion_mask"]  # (n, T)
        if config.mask_truncated_completions:  # DAPO's overlong filtering: a cut-off completion adds no loss
            finished = torch.tensor([r.finish_reason != "length" for r in chunk], device=device)  # (n,)
            mask = mask * finished[:, None]
        advantages = torch.tensor([r.advantage for r in chunk], device=device)  # (n,)
        # mu = 1: the sampling policy is the current one, so ratio = exp(logp - logp.detach()) = 1 exactly;
        # mu > 1: the sampler's recorded log-probabilities are the old policy's (no recomputation).
        old_logp = logp.detach() if config.mu == 1 else batch["sample_logprobs"]
        token_weights = None
        if config.rollout_server:  # server samples are slightly off-policy: truncated importance weights
            w = L.truncated_importance_weights(logp, batch["sample_logprobs"], config.importance_cap)  # (n, T)
            token_weights = torch.where(batch["has_logprobs"] > 0, w, torch.ones_like(w))
            acc["is_weight"] += float((token_weights * mask).sum())
        ref_logp = None
        if config.beta:
            full = {k: v.to(device) for k, v in pad_rollouts(chunk, pad_id).items()}
            ref_logp = _reference_logprobs(model, reference, full, config.temperature, chunk_tokens)  # (n, T)
        loss, stats = L.policy_loss(
            logp,
            old_logp,
            advantages,
            mask,
            aggregate,
            eps_low=config.epsilon,
            eps_high=config.clip_high,
            beta=config.beta,
            ref_logp=ref_logp,
            token_weights=token_weights,
            max_completion_length=config.max_completion_length,
            global_tokens=total_tokens,
        )
        n_tokens = float(mask.sum())
        weight = L.micro_batch_weight(config.loss_type, len(chunk), total_rows, n_tokens, local_tokens)
        (loss * weight).backward()
        acc["loss"] += float(loss.detach()) * weight
        acc["tokens"] += n_tokens
        acc["clip_low"] += float(stats["clip_low_sum"])
        acc["clip_high"] += float(stats["clip_high_sum"])
        acc["kl"] += float(stats.get("kl_sum", 0.0))
        if first_iteration:
            acc["entropy"] += float((entropy * mask).sum())
            acc["gap"] += float(((logp.detach() - batch["sample_logprobs"]).abs() * mask * batch["has_logprobs"]).sum())
    if not config.fsdp:  # FSDP reduce-scatters and averages the gradients itself
        distributed.average_gradients(params)  # no-op on one process
    loss_all = distributed.all_reduce_sum(acc["loss"])  # every process must agree on skipping
    stepped, grad_norm = guarded_step(optimizer, scheduler, params, config.max_grad_norm, loss_all)
    tokens = max(acc["tokens"], 1.0)
    out = {
        "loss": acc["loss"],
        "grad_norm": grad_norm,
        "skipped": not stepped,
        "clip_fraction": (acc["clip_low"] + acc["clip_high"]) / tokens,
        "clip_low": acc["clip_low"] / tokens,
        "clip_high": acc["clip_high"] / tokens,
        "train_tokens": acc["tokens"],
    }
    if config.beta:
        out["kl"] = acc["kl"] / tokens
    if config.rollout_server:
        out["importance_weight_mean"] = acc["is_weight"] / tokens
    if first_iteration:
        out["entropy"] = acc["entropy"] / tokens
        out["logprob_gap"] = acc["gap"] / tokens
    return out


def length_metrics(lengths: list[int], finished: list[bool]) -> dict:
    """Completion-length curves of one step: mean, min, median, max, the share cut off at the limit, and the mean
    length of the completions that ended on their own (TRL's mean_terminated_length; 0 when none did).

    >>> length_metrics([4, 10, 6], [True, False, True])["completion_length_median"], length_metrics([4, 10, 6],
    ...     [True, False, True])["terminated_length_mean"]
    (6, 5.0)
    """
    ordered = sorted(lengths)
    ended = [n for n, done in zip(lengths, finished) if done]
    return {
        "completion_length_mean": sum(lengths) / len(lengths),
        "completion_length_min": ordered[0],
        "completion_length_median": ordered[len(ordered) // 2],
        "completion_length_max": ordered[-1],
        "clipped_share": 1 - len(ended) / len(lengths),
        "terminated_length_mean": sum(ended) / len(ended) if ended else 0.0,
    }


def step_metrics(step: int, rollouts: list[Rollout], sampled: dict, update: dict, config: GRPOConfig) -> dict:
    """The per-step record: rewards, accuracy, lengths, zero-variance share, and the update's diagnostics."""
    first = sampled["first_round"]
    metrics = {"step": step, "reward": sum(r.reward for r in first) / len(first)}
    metrics.update(sampled["reward_means"])
    if "reward/accuracy" in metrics:
        metrics["accuracy"] = metrics["reward/accuracy"]
    metrics.update(
        {
            **length_metrics([len(r.completion_ids) for r in first], [r.finish_reason != "length" for r in first]),
            "zero_variance_group_share": sampled["zero_variance_groups"] / max(sampled["groups_sampled"], 1),
            "groups_sampled": sampled["groups_sampled"],
            "groups_trained": len(rollouts) // config.num_generations,
            "reward_failures": sampled["reward_failures"],
            "dropped_failed_groups": sampled["dropped_failed_groups"],
            "reflection_rate": reflection_rate([r.text for r in first]),
        }
    )
    metrics.update(update)
    return metrics


def _log_samples(path: Path, step: int, rollouts: list[Rollout], tokenizer: Any, k: int = 4) -> None:
    with open(path, "a") as handle:
        for r in rollouts[:k]:
            handle.write(
                json.dumps(
                    {
                        "step": step,
                        "prompt": tokenizer.decode(r.prompt_ids),
                        "completion": r.text,
                        "reward": r.reward,
                        "advantage": r.advantage,
                    }
                )
                + "\n"
            )


PLOT_KEYS = (
    "reward",
    "accuracy",
    "completion_length_mean",
    "completion_length_max",
    "clipped_share",
    "zero_variance_group_share",
    "entropy",
    "clip_fraction",
)


def train_grpo(
    config: GRPOConfig,
    *,
    model: Any = None,
    tokenizer: Any = None,
    task: Any = None,
    reward_fns: list | None = None,
    resume: str | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Run GRPO as configured; return a summary (final metrics, evaluation before and after, paths).

    `model`/`tokenizer`, `task` and `reward_fns` override what the config names (tests pass tiny ones).
    """
    # checks the resume path, trackers and launch before any model loads; joins the process group; seeds
    run = TrainingRun("train grpo", config, resume=resume, sharded=config.fsdp, log=log)
    rank, world, main, sharded, log = run.rank, run.world, run.main, run.sharded, run.log
    if task is None:
        task = get_task(config.task)
    reward_fns = reward_fns if reward_fns is not None else [get_reward(name) for name in config.rewards]
    reward_fns = [*reward_fns, *reward_model_fns(config.reward_models)]  # ORMs and judges (scorers/reward.py)
    model, tokenizer, reference = _setup_model(config, model, tokenizer)
    # Under FSDP the head's weight is a sharded DTensor that the chunked head cannot use: full logits there.
    chunk_tokens = 0 if sharded else logprob_chunk_tokens(model, tokenizer, config.logprob_chunk_tokens, log)
    model_hash, n_parameters = weights_hash(model), count_parameters(model)  # read before sharding splits the tensors
    if sharded:
        for module in (model, reference):
            if module is not None:
                fsdp.shard(module, config.fsdp_reshard_after_forward)
    policy = model.get_base_model() if config.lora_r else model  # the backend drives the (adapted) base model
    backend = HFBackend(policy, tokenizer, max_batch_rows=config.generation_batch_rows, model_id=config.model)
    rollout_backend, pusher = backend, None
    if config.rollout_server:
        rollout_backend = backend_from_url(config.rollout_server, config.rollout_model or config.model)
        pusher = WeightPusher(
            rollout_backend,
            config.weight_sync or ("lora" if config.lora_r else "disk"),
            config.sync_dir or run.out / "weights_sync",
        )
    params, optimizer, scheduler = optimizer_for(model, config, config.optimizer_steps)
    log(
        f"GRPO: {config.steps} steps x {config.batch_size} completions = {config.prompts_per_step} prompts x "
        f"G={config.num_generations}; derived: {config.derived()}; trainable parameters: "
        f"{sum(p.numel() for p in params):,}"
    )
    # config saved, run record and metrics log opened; on resume: weights, optimizer, RNGs and data position back
    data_state = run.start(
        model, optimizer, scheduler, model_id=config.model, weights_sha256=model_hash, parameters=n_parameters
    )
    if run.resume is not None and pusher is not None and main:
        pusher.push(model, run.step)  # the servers must sample from the resumed weights
    stream = ProblemStream(task.problems(config.train_split), config.seed, **(data_state or {}))
    evaluate = held_out_evaluator(backend, task, config)
    run.held_out("before", evaluate, step=0)

    model.train()
    for step in range(run.step + 1, config.steps + 1):
        started = time.perf_counter()
        rollouts, sampled = sample_step(
            rollout_backend,
            task,
            stream,
            config,
            step,
            reward_fns,
            rank,
            world,
            local=backend if pusher is not None else None,
        )
        generated = time.perf_counter()
        update: dict = {"skipped": False}
        lr = scheduler.get_last_lr()[0]  # the rate of this step's first update (the scheduler then holds the next)
        if rollouts:
            assign_advantages(rollouts, config)
            skipped = 0
            for iteration in range(config.mu):  # mu optimizer steps on the same rollouts
                result = policy_update(
                    model,
                    reference,
                    rollouts,
                    config,
                    optimizer,
                    scheduler,
                    params,
                    tokenizer.pad_token_id,
                    first_iteration=iteration == 0,
                    chunk_tokens=chunk_tokens,
                )
                skipped += result["skipped"]
                update = result if iteration == 0 else update | {"loss_last": result["loss"]}
            update["skipped"] = skipped > 0
            update["skipped_updates"] = skipped
        if pusher is not None:
            if main:
                pusher.push(model, step)
            distributed.barrier()
        elapsed = time.perf_counter() - started
        completion_tokens = sum(len(r.completion_ids) for r in sampled["first_round"])
        metrics = (
            step_metrics(step, rollouts, sampled, update, config) if rollouts else {"step": step, "no_groups": True}
        )
        metrics.update(
            {
                "lr": lr,
                "step_time": elapsed,
                "generation_time": generated - started,
                "tokens_per_s": completion_tokens / elapsed,
            }
        )
        training_tokens = config.mu * sum(len(r.prompt_ids) + len(r.completion_ids) for r in rollouts)
        metrics = run.log_step(
            metrics,
            seconds=elapsed,
            prompt_tokens=sampled["prompt_tokens"],
            completion_tokens=completion_tokens,
            training_tokens=training_tokens,
        )  # averaged
        if metrics.get("skipped"):
            log(
                f"step {step}: non-finite loss or gradient, update skipped (loss={metrics.get('loss')}, "
                f"grad_norm={metrics.get('grad_norm')})"
            )
        log(
            f"step {step}/{config.steps} reward {metrics.get('reward', float('nan')):.3f} len "
            f"{metrics.get('completion_length_mean', 0):.1f} loss {metrics.get('loss', 0):.4f} {elapsed:.1f}s"
        )
        if main and config.log_samples_steps and step % config.log_samples_steps == 0:
            _log_samples(run.out / "samples.jsonl", step, sampled["first_round"], tokenizer)
        run.checkpoint(step, last_step=config.steps, data=stream.state())  # when due; collective under FSDP

    model.eval()
    run.held_out("after", evaluate, step=config.steps)
    # metrics.png, the model folder with its card, summary.json and run.json
    return run.finish(tokenizer, steps=config.steps, plot_keys=PLOT_KEYS)
