"""The configuration of `reasoncraft train grpo`: one dataclass, validated once, at the edge.

Sizes are stated once and the rest is derived: a step samples `batch_size` completions,
`num_generations` (G) for each of `batch_size / G` prompts; gradients are accumulated over
micro-batches of `micro_batch_size` completions; each batch of rollouts is used for `mu`
optimizer steps. Field names follow TRL's GRPOConfig where one exists (`num_generations`,
`loss_type`, `scale_rewards`, `epsilon`, `epsilon_high`, `beta`, `max_completion_length`), so
users can carry their configs over.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ConfigError, LoRASection, OptimizerSection, RunSection, need, redefault
from ..config import help_field as _h
from ..scorers.reward import parse_reward_models
from .loggers import normalize_report_to

# The names reasoncraft.train.grpo_loss implements (kept here so reading a config needs no torch).
AGGREGATIONS = ("grpo", "bnpo", "dr_grpo", "dapo")
ADVANTAGES = ("grpo", "reinforce")
# Packed-row length above which one row per completion trains faster: ~853 measured on the CPU at G=8, P=64
# (benchmarks/grpo_packing.py, benchmarks/RESULTS.md; a partial run under load).
SHARED_PROMPT_MAX_TOKENS = 850


@dataclass
class GRPOConfig(RunSection, LoRASection, OptimizerSection):
    """Every setting of a GRPO run; the optimizer, LoRA and run sections are shared with SFT (reasoncraft.config)."""

    # what to train on
    model: str = _h("Catalogue name, local folder, .gguf file or hub id of the policy.", "smollm2-135m")
    task: str = _h("Task name (reasoncraft.tasks.get_task).", "arith-sum-2d")
    template: str = _h("Prompt template name (reasoncraft.prompts).", "arithmetic")
    prompt_format: str = _h(
        "'chat' (messages through the model's chat template) or 'text' (the template's single-string base-model form).",
        "chat",
    )
    train_split: str = _h("Task split that training problems are drawn from.", "train")
    eval_split: str = _h("Held-out split evaluated greedily before and after training.", "test")
    eval_problems: int = _h("Held-out problems to evaluate before and after training (0 = skip).", 200)
    eval_max_new_tokens: int | None = _h("Token limit for evaluation (default: max_completion_length).", None)
    rewards: list[str] = _h(
        "Reward names (reasoncraft.rewards.get_reward), summed with reward_weights.", factory=lambda: ["accuracy"]
    )
    reward_weights: list[float] | None = _h("One weight per reward (default: all 1).", None)
    max_reward_failure_rate: float = _h(
        "Abort a step when more than this share of reward calls fail (infrastructure).", 0.1
    )
    reward_models: list = _h(
        "Model-based rewards through scorers, added to `rewards`: entries like {kind: judge, base_url: URL, "
        "weight: 0.5} or {kind: orm, model: FOLDER} (docs/rewards.md).",
        factory=list,
    )
    # sizes
    steps: int = _h("Training steps; each samples one batch of rollouts.", 30)
    batch_size: int = _h("Completions sampled per step (prompts per step = batch_size / num_generations).", 16)
    num_generations: int = _h("G: completions per prompt (a group).", 8)
    micro_batch_size: int = _h(
        "Completions per forward/backward pass; gradients accumulate over batch_size / this.", 16
    )
    mu: int = _h("Optimizer steps per batch of rollouts (GRPO's mu; TRL's num_iterations).", 1)
    max_completion_length: int = _h("Token limit per sampled completion.", 48)
    # sampling
    temperature: float = _h("Sampling temperature for rollouts.", 1.0)
    top_p: float = _h("Nucleus sampling for rollouts (1 = off).", 1.0)
    top_k: int = _h("Top-k sampling for rollouts (0 = off).", 0)
    # the objective
    advantage: str = _h("Advantage estimator: 'grpo' (group-relative) or 'reinforce' (batch mean baseline).", "grpo")
    scale_rewards: str = _h("Divide advantages by the std of the 'group', the 'batch', or 'none' (Dr. GRPO).", "group")
    loss_type: str = _h("Token aggregation: grpo, bnpo, dr_grpo or dapo (TRL's names).", "grpo")
    epsilon: float = _h("Lower clip range of the importance ratio (1 - epsilon).", 0.2)
    epsilon_high: float | None = _h(
        "Upper clip range (1 + epsilon_high); DAPO's clip-higher uses 0.28. Default: epsilon.", None
    )
    beta: float = _h("KL coefficient to the reference policy (k3). 0 loads no reference model.", 0.0)
    dynamic_sampling: bool = _h(
        "DAPO: drop groups whose rewards are all equal and sample more prompts to refill.", False
    )
    max_refill_rounds: int = _h("Extra sampling rounds dynamic sampling may spend per step.", 3)
    overlong_buffer: int = _h("DAPO soft overlong penalty: tokens before the limit where it starts (0 = off).", 0)
    mask_truncated_completions: bool = _h(
        "DAPO overlong filtering: completions cut off at max_completion_length add no loss (their rewards still "
        "count in the group's advantages); with dynamic_sampling a group cut off entirely is refilled too.",
        False,
    )
    # optimisation (learning rate, schedule, clipping: OptimizerSection)
    share_prompt_forward: bool = _h(
        "Encode each group's prompt once in the training forward (needs micro_batch_size % G == 0).", True
    )
    shared_prompt_max_tokens: int = _h(
        "Longest packed row (prompt + a group's completion tokens) trained as one row; longer groups train one row "
        "per completion, whose attention grows with G*(P+T)^2 instead of (P+G*T)^2 (0 = always pack). The default "
        "is the measured switch point (benchmarks/grpo_packing.py).",
        SHARED_PROMPT_MAX_TOKENS,
    )
    logprob_chunk_tokens: int = _h(
        "Completion positions per chunk of the LM head in the training forward: the sampled tokens' "
        "log-probabilities come from the final hidden states chunk by chunk (recomputed in the backward pass), "
        "so (tokens x vocabulary) logits are never held whole (train/fused_loss.py). 0 computes full logits, "
        "as does a run with fsdp.",
        256,
    )
    fsdp: bool = _h(
        "Shard parameters, gradients and AdamW state over the processes (FSDP2) under torchrun / accelerate "
        "launch with several processes; full fine-tuning, in-process rollouts. See docs/training.md.",
        False,
    )
    fsdp_reshard_after_forward: bool = _h(
        "With fsdp: free gathered weights after each forward (ZeRO-3-like); False keeps "
        "them until the backward (ZeRO-2-like: more memory, less communication).",
        True,
    )
    # rollouts on inference servers (vLLM / SGLang through the OpenAI-compatible backend)
    rollout_server: str | None = _h(
        "Base URL(s) of OpenAI-compatible servers to sample rollouts on (comma-separated); default: in-process.", None
    )
    rollout_model: str | None = _h("Model name the servers serve (default: model).", None)
    weight_sync: str | None = _h(
        "How updated weights reach the servers: 'lora' (vLLM runtime LoRA) or 'disk' (SGLang). "
        "Default: lora if lora_r else disk.",
        None,
    )
    sync_dir: str | None = _h(
        "Folder the servers can read where pushed weights are written (default: out_dir/weights_sync).", None
    )
    importance_cap: float = _h("Cap of the per-token importance weight correcting server rollouts (truncated IS).", 2.0)
    # run mechanics (seed, out_dir, checkpoints, device, threads, trackers: RunSection)
    out_dir: str = redefault(RunSection, "out_dir", "runs/grpo")
    log_samples_steps: int = _h("Write sample completions every this many steps (0 = never).", 10)
    generation_batch_rows: int = _h("Most sequences decoded at once by the in-process backend.", 64)

    def __post_init__(self) -> None:
        super().__post_init__()  # the shared sections' own rules
        for name in ("steps", "batch_size", "num_generations", "micro_batch_size", "mu", "max_completion_length"):
            need(getattr(self, name) >= 1, f"{name} must be >= 1: got {getattr(self, name)}")
        for name in ("shared_prompt_max_tokens", "logprob_chunk_tokens"):
            need(getattr(self, name) >= 0, f"{name} must be >= 0 (0 turns it off): got {getattr(self, name)}")
        need(
            self.num_generations >= 2 or self.advantage == "reinforce",
            f"num_generations must be >= 2 for group-relative advantages: got {self.num_generations} "
            "(or set advantage=reinforce)",
        )
        need(
            self.batch_size % self.num_generations == 0,
            f"num_generations must divide batch_size: got {self.num_generations} and {self.batch_size}",
        )
        need(
            self.batch_size % self.micro_batch_size == 0,
            f"micro_batch_size must divide batch_size: got {self.micro_batch_size} and {self.batch_size}",
        )
        need(
            self.loss_type in AGGREGATIONS,
            f"unknown loss_type {self.loss_type!r}: use one of {', '.join(AGGREGATIONS)}",
        )
        need(self.advantage in ADVANTAGES, f"unknown advantage {self.advantage!r}: use one of {', '.join(ADVANTAGES)}")
        need(
            self.scale_rewards in ("group", "batch", "none"),
            f"unknown scale_rewards {self.scale_rewards!r}: use group, batch or none",
        )
        need(
            not (self.advantage == "reinforce" and self.scale_rewards != "none"),
            "advantage=reinforce uses a plain mean baseline: set scale_rewards=none",
        )
        need(
            self.epsilon > 0 and (self.epsilon_high is None or self.epsilon_high > 0),
            "epsilon and epsilon_high must be > 0",
        )
        need(self.beta >= 0, f"beta must be >= 0: got {self.beta}")
        need(
            self.temperature > 0,
            f"temperature must be > 0 for rollouts (GRPO needs samples, not greedy): got {self.temperature}",
        )
        need(
            0 <= self.overlong_buffer < self.max_completion_length,
            f"overlong_buffer must be in [0, max_completion_length={self.max_completion_length}): "
            f"got {self.overlong_buffer}",
        )
        need(0 <= self.max_reward_failure_rate <= 1, "max_reward_failure_rate must be in [0, 1]")
        need(bool(self.rewards), "rewards must name at least one reward function")
        if self.reward_weights is not None:
            need(
                len(self.reward_weights) == len(self.rewards),
                f"reward_weights needs one weight per reward: got {len(self.reward_weights)} weights "
                f"for {len(self.rewards)} rewards",
            )
        try:
            self.reward_models = [spec.to_dict() for spec in parse_reward_models(self.reward_models)]
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        need(
            len(set(self.reward_names)) == len(self.reward_names),
            f"reward names must be unique: got {self.reward_names}; give each reward_models entry its own name",
        )
        need(self.prompt_format in ("chat", "text"), f"prompt_format must be chat or text: got {self.prompt_format!r}")
        need(self.weight_sync in (None, "lora", "disk"), f"weight_sync must be lora or disk: got {self.weight_sync!r}")
        need(
            not (self.weight_sync == "lora" and not self.lora_r),
            "weight_sync=lora pushes a LoRA adapter: set lora_r > 0",
        )
        need(self.importance_cap >= 1, f"importance_cap must be >= 1: got {self.importance_cap}")
        need(
            not (self.fsdp and self.lora_r),
            "fsdp shards full fine-tuning; LoRA adapters are small: set lora_r=0 or fsdp=false",
        )
        need(
            not (self.fsdp and self.rollout_server),
            "fsdp with rollout_server is not supported (the weight push reads "
            "unsharded weights): sample in-process (rollout_server=null) or train without fsdp",
        )
        self.report_to = normalize_report_to(self.report_to)

    # derived sizes: stated once above, computed here, printed at start
    @property
    def prompts_per_step(self) -> int:
        return self.batch_size // self.num_generations

    @property
    def accumulation_steps(self) -> int:
        return self.batch_size // self.micro_batch_size

    @property
    def optimizer_steps(self) -> int:
        return self.steps * self.mu

    @property
    def clip_high(self) -> float:
        return self.epsilon if self.epsilon_high is None else self.epsilon_high

    @property
    def weights(self) -> list[float]:
        """One weight per entry of `reward_names`."""
        return [float(w) for w in (self.reward_weights or [1.0] * len(self.rewards))] + [
            float(entry["weight"]) for entry in self.reward_models
        ]

    @property
    def reward_names(self) -> list[str]:
        """Every reward in the sum, as the metrics name it (reward/<name>): `rewards`, then `reward_models`."""
        return [*self.rewards, *(entry.get("name") or entry["kind"] for entry in self.reward_models)]

    def derived(self) -> dict:
        return {
            "prompts_per_step": self.prompts_per_step,
            "accumulation_steps": self.accumulation_steps,
            "optimizer_steps": self.optimizer_steps,
            "epsilon_high": self.clip_high,
        }
