"""The GRPO trainer end to end on a tiny random model: it learns, it resumes exactly, it fails loudly."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from helpers import run, sevens, tiny_config
from reasoncraft.config import ConfigError, load_config
from reasoncraft.rewards.base import RewardFailure
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_model
from reasoncraft.train.checkpoint import CheckpointError
from reasoncraft.train.grpo import train_grpo
from reasoncraft.train.grpo_batch import Rollout, completion_logprobs, pad_rollouts, shared_prompt_logprobs
from reasoncraft.train.grpo_config import GRPOConfig

TIMING = {"step_time", "generation_time", "tokens_per_s", "train_seconds"}


def metrics(path):
    return [
        {k: v for k, v in json.loads(line).items() if k not in TIMING} for line in Path(path).read_text().splitlines()
    ]


def test_every_parameter_changes_and_reward_rises(tmp_path):
    model0, _ = tiny_model("llama")
    config = tiny_config(tmp_path, steps=15, batch_size=16, num_generations=8, micro_batch_size=16)
    model, summary = run(config)
    assert all(not torch.equal(p0, p) for p0, p in zip(model0.parameters(), model.parameters()))
    rewards = [m["reward"] for m in metrics(tmp_path / "run" / "metrics.jsonl")]
    assert sum(rewards[-4:]) / 4 > sum(rewards[:4]) / 4 + 0.3, rewards
    row = summary["final_metrics"]
    for key in (
        "reward/sevens",
        "completion_length_mean",
        "completion_length_max",
        "clipped_share",
        "zero_variance_group_share",
        "clip_fraction",
        "entropy",
        "reflection_rate",
        "logprob_gap",
        "grad_norm",
    ):
        assert key in row
    assert row["logprob_gap"] < 1e-4  # the sampler's log-probs are the trainer's (mu = 1 needs no recomputation)
    assert (tmp_path / "run" / "metrics.png").stat().st_size > 1000
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["command"] == "train grpo" and record["tokens"]["training"] > 0


@pytest.mark.parametrize("arch, attention", [("qwen2", "sdpa"), ("llama", "eager")])
def test_shared_prompt_forward_equals_full_forward(arch, attention):
    """One padding-free row per group (prompt once, completions back to back) gives the padded
    full forward's log-probabilities and gradients."""
    model, tok = tiny_model(arch, attn_implementation=attention)
    model.train()
    torch.manual_seed(0)
    rollouts = [
        Rollout(g, prompt, torch.randint(20, 200, (1 + 2 * i,)).tolist(), [])
        for g, prompt in enumerate([[5, 6, 7, 8, 9], [10, 11, 12]])
        for i in range(3)
    ]
    batch = pad_rollouts(rollouts, tok.pad_token_id)
    full, _ = completion_logprobs(model, batch, 0.7, False)
    (full * batch["completion_mask"]).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    shared, _, b2 = shared_prompt_logprobs(model, rollouts, 3, tok.pad_token_id, 0.7, False, "cpu")
    (shared * b2["completion_mask"]).sum().backward()
    mask = batch["completion_mask"].bool()
    assert torch.allclose(full[mask], shared[mask], atol=1e-5)
    assert all(torch.allclose(g, p.grad, atol=1e-4) for g, p in zip(grads, model.parameters()))


@pytest.mark.parametrize(
    "overrides",
    [
        dict(loss_type="dapo", epsilon_high=0.28, dynamic_sampling=True, overlong_buffer=2, scale_rewards="none"),
        dict(loss_type="dr_grpo", scale_rewards="none", mu=2, micro_batch_size=4, share_prompt_forward=False),
        dict(loss_type="bnpo", beta=0.1),
        dict(advantage="reinforce", scale_rewards="none", loss_type="grpo", lora_r=4, beta=0.05),
        dict(prompt_format="text", template="r1-zero", warmup_steps=1, lr_schedule="cosine"),
    ],
)
def test_variants_train(tmp_path, overrides):
    _, summary = run(tiny_config(tmp_path, steps=2, **overrides))
    row = summary["final_metrics"]
    assert row["step"] == 2 and not row.get("skipped")
    if overrides.get("beta"):
        assert row["kl"] >= 0
    if overrides.get("dynamic_sampling"):
        assert row["groups_trained"] <= 2


def test_no_reference_model_at_beta_zero():
    from reasoncraft.train.grpo import _setup_model

    model, tok = tiny_model("llama")
    _, _, reference = _setup_model(GRPOConfig(beta=0.0), model, tok)
    assert reference is None
    _, _, reference = _setup_model(GRPOConfig(beta=0.1), model, tok)
    assert reference is not None and not any(p.requires_grad for p in reference.parameters())


def test_reward_failures_drop_groups_then_abort(tmp_path):
    def flaky(completions, **fields):
        return [RewardFailure("judge timeout") if i == 0 else 0.5 for i, _ in enumerate(completions)]

    _, summary = run(tiny_config(tmp_path, steps=1, max_reward_failure_rate=0.5), reward=flaky)
    assert summary["final_metrics"]["reward_failures"] == 1
    assert summary["final_metrics"]["dropped_failed_groups"] == 1

    def broken(completions, **fields):
        return [RewardFailure("sandbox died")] * len(completions)

    from reasoncraft.train.grpo import RewardFailureRateExceeded

    with pytest.raises(RewardFailureRateExceeded, match="max_reward_failure_rate"):
        run(tiny_config(tmp_path, steps=1), reward=broken)


def test_config_validation_messages(tmp_path):
    with pytest.raises(ConfigError, match="num_generations must divide batch_size: got 6 and 8"):
        GRPOConfig(batch_size=8, num_generations=6)
    with pytest.raises(ConfigError, match="did you mean 'learning_rate'"):
        load_config(GRPOConfig, None, ["learning_rat=1e-5"])
    yaml_path = tmp_path / "c.yaml"
    yaml_path.write_text("steps: 7\nrewards: [accuracy, format]\n")
    config = load_config(GRPOConfig, yaml_path, ["learning_rate=2e-5", "dynamic_sampling=true", "epsilon_high=none"])
    assert (config.steps, config.rewards, config.learning_rate, config.dynamic_sampling) == (
        7,
        ["accuracy", "format"],
        2e-5,
        True,
    )
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(GRPOConfig, tmp_path / "missing.yaml")


def test_missing_resume_path_fails_loudly(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        run(tiny_config(tmp_path), resume=str(tmp_path / "nowhere"))


_CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from helpers import run, tiny_config
    from pathlib import Path
    run(tiny_config(Path({tmp!r}), steps=6, save_steps=1, keep_checkpoints=3))
""")


def test_sigkill_mid_training_then_resume_gives_identical_metrics(tmp_path):
    reference_dir = tmp_path / "ref"
    reference_dir.mkdir()
    run(tiny_config(reference_dir, steps=6, save_steps=1, keep_checkpoints=3))
    expected = metrics(reference_dir / "run" / "metrics.jsonl")

    killed_dir = tmp_path / "killed"
    killed_dir.mkdir()
    code = _CHILD.format(tests=str(Path(__file__).parent), tmp=str(killed_dir))
    child = subprocess.Popen([sys.executable, "-c", code])
    log = killed_dir / "run" / "metrics.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and child.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    assert child.poll() is None, "the child finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert len(metrics(log)) < 6

    _, summary = run(tiny_config(killed_dir, steps=6, save_steps=1, keep_checkpoints=3), resume=str(killed_dir / "run"))
    assert metrics(log) == expected


_KILL_WHILE_SAVING = textwrap.dedent("""
    import os, signal, sys
    import torch
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    import reasoncraft.train.checkpoint as ck
    real_save = torch.save
    def dying_save(obj, path, *a, **k):
        real_save(obj, path, *a, **k)
        if "step-000003" in str(path) and str(path).endswith("scheduler.pt"):
            os.kill(os.getpid(), signal.SIGKILL)  # die half-way through writing checkpoint 3
    torch.save = dying_save
    from helpers import run, tiny_config
    run(tiny_config(Path({tmp!r}), steps=4, save_steps=1, keep_checkpoints=5))
""")


def test_kill_during_checkpoint_write_resumes_from_last_complete(tmp_path):
    code = _KILL_WHILE_SAVING.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code])
    assert result.returncode == -signal.SIGKILL
    root = tmp_path / "run" / "checkpoints"
    assert (root / "latest").read_text().strip() == "step-000002"
    assert list(root.glob(".tmp-step-000003-*")), "the half-written checkpoint should be a hidden temp folder"
    _, summary = run(tiny_config(tmp_path, steps=4, save_steps=1, keep_checkpoints=5), resume=str(tmp_path / "run"))
    assert summary["final_metrics"]["step"] == 4
    assert [m["step"] for m in metrics(tmp_path / "run" / "metrics.jsonl")] == [1, 2, 3, 4]
    assert not list(root.glob(".tmp-*"))
    assert (root / "latest").read_text().strip() == "step-000004"


@pytest.mark.parametrize("flavour", ["vllm", "sglang"])
def test_rollouts_on_a_server_with_weights_pushed_each_step(tmp_path, flavour):
    """vLLM: the LoRA adapter of each step is loaded (the previous unloaded) and sampled from;
    SGLang: the full weights of each step are saved and reloaded from disk."""
    from fake_openai_server import FakeOpenAIServer

    with FakeOpenAIServer(flavour=flavour, model="tiny") as server:
        extra = dict(lora_r=4, weight_sync="lora") if flavour == "vllm" else dict(weight_sync="disk")
        config = tiny_config(
            tmp_path, steps=2, rollout_server=server.base_url, rollout_model="tiny", max_completion_length=12, **extra
        )
        _, summary = run(config, reward=lambda completions, **f: [float(len(c) % 5) for c in completions])
        sync = tmp_path / "run" / "weights_sync"
        if flavour == "vllm":
            assert list(server.loras) == ["policy-step-2"]  # step 1's adapter was unloaded
            assert Path(server.loras["policy-step-2"]) == sync / "step-000002"
            assert (sync / "step-000002" / "adapter_model.safetensors").exists()
            assert server.log[-1]["body"]["model"] == "policy-step-1"  # step 2 sampled from step 1's adapter
        else:
            assert Path(server.weights_path) == sync / "step-000002"
            assert (sync / "step-000002" / "config.json").exists()
        assert all(r["body"].get("logprobs") for r in server.log)  # sampling log-probs were requested
    row = summary["final_metrics"]
    assert row["step"] == 2 and 0 < row["importance_weight_mean"] <= 2.0


def test_gradient_checkpointing_gives_the_same_training(tmp_path):
    """Recomputing activations changes memory, not the math: the same metrics step for step.

    (It once crashed: the shared-prompt forward then reused the prompt's KV cache, which checkpointing
    turns off.)"""
    sizes = dict(steps=3, batch_size=16, num_generations=8, micro_batch_size=16)
    plain = tiny_config(tmp_path / "plain", **sizes)
    checkpointed = tiny_config(tmp_path / "gc", gradient_checkpointing=True, **sizes)
    run(plain)
    run(checkpointed)
    a, b = (metrics(Path(c.out_dir) / "metrics.jsonl") for c in (plain, checkpointed))
    assert len(a) == len(b) == 3
    for row_a, row_b in zip(a, b):
        assert row_a["reward"] == row_b["reward"]
        assert row_a["loss"] == pytest.approx(row_b["loss"], rel=1e-4, abs=1e-6)
        assert row_a["grad_norm"] == pytest.approx(row_b["grad_norm"], rel=1e-3)
    assert max(r["grad_norm"] for r in a) > 0


@pytest.mark.gpu
def test_bf16_training_with_gradient_checkpointing_on_cuda(tmp_path):
    """On a GPU: bf16 weights, gradient checkpointing, rollouts and training on CUDA; it learns."""
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    model, tok = tiny_model("llama")
    model = model.to("cuda", torch.bfloat16)
    config = tiny_config(
        tmp_path,
        steps=15,
        batch_size=16,
        num_generations=8,
        micro_batch_size=16,
        gradient_checkpointing=True,
        device="cuda",
        dtype="bfloat16",
    )
    summary = train_grpo(
        config, model=model, tokenizer=tok, task=get_task("arith-sum-2d"), reward_fns=[sevens], log=lambda m: None
    )
    rows = metrics(tmp_path / "run" / "metrics.jsonl")
    rewards = [r["reward"] for r in rows]
    assert sum(rewards[-4:]) / 4 > sum(rewards[:4]) / 4 + 0.2, rewards
    assert next(model.parameters()).dtype == torch.bfloat16 and next(model.parameters()).is_cuda
    assert all(not r["skipped"] for r in rows) and max(r["grad_norm"] for r in rows) > 0
    assert summary["steps"] == 15
