"""GRPO training speed and memory: reasoncraft's trainer against TRL's GRPOTrainer.

One command (run it under the heavy lock on a shared machine):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/grpo_vs_trl.py [--steps 6] [--model smollm2-135m]

Both arms train the same model (the default, SmolLM2-135M-Instruct, fp32 on the CPU) on the same
2-digit sums with the same chat prompt, G, batch, max new tokens, learning rate, mu = 1, beta = 0,
loss type and reward (reasoncraft's `accuracy`), each in its own subprocess (peak RSS is a
high-water mark); the arms alternate (`--rounds`, ours then TRL) so that a change in the load of a
shared machine hits both. Reported: median seconds per step over the steps after each run's first
(warm-up), seconds per 1,000 completion tokens (completion lengths differ between runs, so this is the
fair rate), and peak memory. Before training, each arm computes its loss and gradient norm on one fixed
batch (the same token ids, rewards and initial weights); they must agree within 1e-4 relative.

Each of those step times is also split in two (`split` in each arm, `split_speedup` between them):
generation, the time spent sampling and scoring the step's completions (our trainer's logged
`generation_time`, i.e. `sample_step`; in the TRL arm the time inside
`GRPOTrainer._generate_and_score_completions`, timed by shadowing that method on the trainer instance,
with a CUDA sync on either side on a GPU), and the rest of the same step time (training forward,
backward and optimizer step). Reported as medians over the same steps, in seconds per step and per
1,000 completion tokens, with the median share of generation.

Gradient checkpointing is set alike in both arms (`--gradient-checkpointing on|off`, default on: TRL's
GRPOConfig defaults to on; runs before 2026-12-03 09:50 compared our checkpointing-off with TRL's on, which
favoured our speed and TRL's memory). `loss_type` defaults to `dapo`: at ratio 1 the `grpo` loss of
group-centred advantages is exactly 0, which would make a relative comparison meaningless.

On a GPU: `--device cuda --dtype bfloat16 --model random:FOLDER` (a random-init model of the default's
shape, see `common.load_bench_model`; the default model's weights cannot travel to the GPU machine).
Both arms then train the same bf16 weights on CUDA; the fixed-batch loss is still computed in fp32
first. A random model's completions run to the token limit and score 0: the step is the same work.
The result is then named grpo_vs_trl_cuda and memory is torch's peak GPU allocation.

At reasoning lengths: `--max-completion-length 512 --batch-size 8` (G = 8, one prompt per step) with
`--model random:FOLDER` (a random-init model of the default's shape, whose completions run to the limit;
the real model stops far short of 512 on sums), e.g. `--steps 4 --rounds 2` (about an hour on 2 cores).
Any length other than 48 is written as grpo_vs_trl_<length>.json: a memory-only check at 1,024 tokens,
`--max-completion-length 1024 --batch-size 8 --steps 2 --rounds 1`, writes grpo_vs_trl_1024.json, its figures
(the split included) from the one step after warm-up. `--steps` must be at least 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import device_name, load_bench_model, peak_memory_mb, run_arm, versions, write_result  # noqa: E402

SETTING = dict(
    batch_size=16,
    num_generations=8,
    max_completion_length=48,
    learning_rate=1e-5,
    temperature=1.0,
    loss_type="dapo",
    beta=0.0,
    mu=1,
    template="arithmetic",
    task="arith-sum-2d",
)


def fixed_batch(tokenizer, task):
    """Two prompts x 4 completions of different lengths, with rewards: the same tensors for both arms."""
    import torch

    problems = task.problems("train", limit=2)
    texts = ["Answer: {}", "{} is the sum. Answer: {}", "I think the answer is 7", "Let me add: the total is {}."]
    prompt_ids, completion_ids, rewards = [], [], []
    for problem in problems:
        messages = task.prompt(problem, SETTING["template"])
        ids = tokenizer(
            tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True),
            add_special_tokens=False,
        )["input_ids"]
        for k, text in enumerate(texts):
            prompt_ids.append(ids)
            completion = text.format(problem.answer, problem.answer)
            completion_ids.append(
                tokenizer(completion, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
            )
            rewards.append(1.0 if k < 2 else 0.0)
    return prompt_ids, completion_ids, torch.tensor(rewards)


def _grad_norm(model):
    import torch

    return float(torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters() if p.grad is not None)))


def fixed_loss_ours(model, tokenizer, task) -> dict:
    from reasoncraft.train import grpo_loss as L
    from reasoncraft.train.grpo_batch import Rollout, shared_prompt_logprobs

    prompt_ids, completion_ids, rewards = fixed_batch(tokenizer, task)
    G = 4
    advantages = L.group_advantages(rewards, G)
    rollouts = [
        Rollout(i // G, p, c, [], reward=float(r), advantage=float(a))
        for i, (p, c, r, a) in enumerate(zip(prompt_ids, completion_ids, rewards, advantages))
    ]
    model.train()
    device = next(model.parameters()).device
    advantages = advantages.to(device)
    logp, _, batch = shared_prompt_logprobs(
        model, rollouts, G, tokenizer.pad_token_id, SETTING["temperature"], False, device
    )
    mask = batch["completion_mask"]
    loss, _ = L.policy_loss(
        logp,
        logp.detach(),
        advantages,
        mask,
        L.AGGREGATIONS[SETTING["loss_type"]],
        eps_low=0.2,
        eps_high=0.2,
        max_completion_length=SETTING["max_completion_length"],
        global_tokens=float(mask.sum()),
    )
    loss.backward()
    norm = _grad_norm(model)
    model.zero_grad(set_to_none=True)
    return {"loss": float(loss), "grad_norm": norm}


def fixed_loss_trl(trainer, model, tokenizer, task) -> dict:
    """TRL's own `_compute_loss` on the fixed batch (left-padded prompts, right-padded completions)."""
    import torch

    prompt_ids, completion_ids, rewards = fixed_batch(tokenizer, task)
    G = 4
    grouped = rewards.view(-1, G)  # TRL's advantage formula (trl/trainer/grpo_trainer.py, scale_rewards="group")
    advantages = ((grouped - grouped.mean(1, keepdim=True)) / (grouped.std(1, keepdim=True) + 1e-4)).view(-1)
    P, T = max(map(len, prompt_ids)), max(map(len, completion_ids))
    pad = tokenizer.pad_token_id
    inputs = {
        "prompt_ids": torch.full((len(prompt_ids), P), pad),
        "prompt_mask": torch.zeros(len(prompt_ids), P, dtype=torch.long),
        "completion_ids": torch.full((len(prompt_ids), T), pad),
        "completion_mask": torch.zeros(len(prompt_ids), T, dtype=torch.long),
    }
    for i, (p, c) in enumerate(zip(prompt_ids, completion_ids)):
        inputs["prompt_ids"][i, P - len(p) :] = torch.tensor(p)
        inputs["prompt_mask"][i, P - len(p) :] = 1
        inputs["completion_ids"][i, : len(c)] = torch.tensor(c)
        inputs["completion_mask"][i, : len(c)] = 1
    inputs["advantages"] = advantages
    inputs["num_items_in_batch"] = inputs["completion_mask"].sum()
    inputs = {k: v.to(next(model.parameters()).device) for k, v in inputs.items()}
    model.train()
    trainer.current_gradient_accumulation_steps = 1
    loss = trainer._compute_loss(model, inputs)
    loss.backward()
    norm = _grad_norm(model)
    model.zero_grad(set_to_none=True)
    return {"loss": float(loss), "grad_norm": norm}


def arm_ours(steps: int, model_name: str, threads: int, device: str, dtype: str, checkpointing: bool) -> dict:
    import torch

    torch.set_num_threads(threads)
    from reasoncraft.tasks import get_task
    from reasoncraft.train.grpo import train_grpo
    from reasoncraft.train.grpo_config import GRPOConfig

    task = get_task(SETTING["task"])
    model, tokenizer = load_bench_model(model_name, device, "float32")
    fixed = fixed_loss_ours(model, tokenizer, task)
    model.to(getattr(torch, dtype))
    with tempfile.TemporaryDirectory() as out:
        config = GRPOConfig(
            model=model_name,
            steps=steps,
            micro_batch_size=SETTING["batch_size"],
            eval_problems=0,
            save_steps=-1,
            save_model=False,
            log_samples_steps=0,
            out_dir=out,
            num_threads=threads,
            device=device,
            dtype=dtype,
            gradient_checkpointing=checkpointing,
            **{k: v for k, v in SETTING.items()},
        )
        train_grpo(config, model=model, tokenizer=tokenizer, task=task, log=lambda m: None)
        rows = [json.loads(line) for line in Path(out, "metrics.jsonl").read_text().splitlines()]
    times = [r["step_time"] for r in rows]
    tokens = [r["completion_length_mean"] * SETTING["batch_size"] for r in rows]
    return {
        "step_times": times,
        "generation_times": [r["generation_time"] for r in rows],  # sample_step's share of the same step_time
        "completion_tokens": tokens,
        "peak_mem_mb": peak_memory_mb(device),
        "fixed_batch": fixed,
    }


def arm_trl(steps: int, model_name: str, threads: int, device: str, dtype: str, checkpointing: bool) -> dict:
    import torch

    torch.set_num_threads(threads)
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from reasoncraft.rewards.base import get_reward
    from reasoncraft.tasks import get_task

    task = get_task(SETTING["task"])
    model, tokenizer = load_bench_model(model_name, device, "float32")
    problems = task.problems("train", limit=SETTING["batch_size"] // SETTING["num_generations"] * steps)
    data = Dataset.from_list([{"prompt": task.prompt(p, SETTING["template"]), "answer": p.answer} for p in problems])
    accuracy = get_reward("accuracy")

    def reward(completions, answer, **_):
        return [0.0 if v is None else float(v) for v in accuracy(completions, answer=answer)]

    times, generation_times, tokens = [], [], []
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    class Timer(TrainerCallback):
        generating = 0.0  # seconds in `_generate_and_score_completions` since this step began

        def on_step_begin(self, args, state, control, **kw):
            sync()
            self.generating = 0.0
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            sync()
            times.append(time.perf_counter() - self.start)
            generation_times.append(self.generating)

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "completions/mean_length" in logs:
                tokens.append(logs["completions/mean_length"] * SETTING["batch_size"])

    timer = Timer()
    with tempfile.TemporaryDirectory() as out:
        args = GRPOConfig(
            output_dir=out,
            per_device_train_batch_size=SETTING["batch_size"],
            num_generations=SETTING["num_generations"],
            max_completion_length=SETTING["max_completion_length"],
            learning_rate=SETTING["learning_rate"],
            temperature=SETTING["temperature"],
            loss_type=SETTING["loss_type"],
            beta=SETTING["beta"],
            num_iterations=SETTING["mu"],
            max_steps=steps,
            logging_steps=1,
            report_to=[],
            save_strategy="no",
            use_cpu=device == "cpu",
            bf16=False,
            gradient_accumulation_steps=1,
            lr_scheduler_type="constant",
            warmup_steps=0,
            adam_beta2=0.99,
            weight_decay=0.0,
            max_grad_norm=1.0,
            seed=0,
            shuffle_dataset=False,
            gradient_checkpointing=checkpointing,
        )
        trainer = GRPOTrainer(
            model=model,
            reward_funcs=[reward],
            args=args,
            train_dataset=data,
            processing_class=tokenizer,
            callbacks=[timer],
        )
        # TRL's counterpart of our `sample_step` (sample, decode, score, advantages): `_prepare_inputs`, inside
        # `training_step` and so inside the Timer's window, calls it once per step (mu = 1, no accumulation).
        # Shadowed on this instance only, for this arm; TRL's files are untouched.
        generate_and_score = trainer._generate_and_score_completions

        def timed_generate_and_score(*a, **kw):
            sync()
            start = time.perf_counter()
            try:
                return generate_and_score(*a, **kw)
            finally:
                sync()
                timer.generating += time.perf_counter() - start

        trainer._generate_and_score_completions = timed_generate_and_score
        fixed = fixed_loss_trl(trainer, model, tokenizer, task)
        model.to(getattr(torch, dtype))  # both arms train the same weights in `dtype`; the fixed batch ran in fp32
        trainer.train()
    return {
        "step_times": times,
        "generation_times": generation_times,
        "completion_tokens": tokens,
        "peak_mem_mb": peak_memory_mb(device),
        "fixed_batch": fixed,
    }


def pool(runs: list[dict]) -> dict:
    """One arm's runs (alternating with the other arm's) as one: steps after each run's warm-up step."""
    return {
        "step_times": [t for r in runs for t in r["step_times"][1:]],
        "generation_times": [g for r in runs for g in r["generation_times"][1:]],
        "completion_tokens": [n for r in runs for n in r["completion_tokens"][1:]],
        "peak_mem_mb": max(r["peak_mem_mb"] for r in runs),
        "fixed_batch": runs[0]["fixed_batch"],
        "runs": runs,
    }


def step_split(times: list[float], generation_times: list[float], tokens: list[float]) -> dict:
    """Each step's time split into generation (sample and score) and the rest (training forward, backward,
    optimizer), as medians over steps of seconds per step and per 1,000 completion tokens.

    The parts are of the same step times the benchmark reports; the median of a sum is not the sum of the
    medians, so the two medians need not add up to the step's median.

    >>> split = step_split([10.0, 12.0, 11.0], [6.0, 8.0, 7.0], [500, 500, 500])
    >>> split["generation"], split["rest"], split["generation_share"]
    ({'s_per_step': 7.0, 's_per_1k_tokens': 14.0}, {'s_per_step': 4.0, 's_per_1k_tokens': 8.0}, 0.6363636363636364)
    """
    if len(times) != len(generation_times):
        raise ValueError(f"one generation time per step: got {len(generation_times)} for {len(times)} steps")
    if any(not 0 <= g <= t for t, g in zip(times, generation_times)):
        raise ValueError(f"a step's generation time lies outside its step time: {times} vs {generation_times}")
    rest = [t - g for t, g in zip(times, generation_times)]

    def part(seconds: list[float]) -> dict:
        return {
            "s_per_step": statistics.median(seconds),
            "s_per_1k_tokens": statistics.median([1000 * s / max(n, 1) for s, n in zip(seconds, tokens)]),
        }

    return {
        "generation": part(generation_times),
        "rest": part(rest),
        "generation_share": statistics.median([g / t for t, g in zip(times, generation_times)]),
    }


def split_speedup(ours: dict, trl: dict) -> dict:
    """TRL's seconds per 1,000 completion tokens over ours, for each part of the step (as `speedup` is).

    >>> split_speedup({"generation": {"s_per_1k_tokens": 2.0}, "rest": {"s_per_1k_tokens": 1.0}},
    ...               {"generation": {"s_per_1k_tokens": 3.0}, "rest": {"s_per_1k_tokens": 0.5}})
    {'generation': 1.5, 'rest': 0.5}
    """
    return {part: trl[part]["s_per_1k_tokens"] / ours[part]["s_per_1k_tokens"] for part in ("generation", "rest")}


def summarise(arm: dict) -> dict:
    times, tokens = arm["step_times"], arm["completion_tokens"]  # warm-up steps already dropped by `pool`
    per_k = [1000 * t / max(n, 1) for t, n in zip(times, tokens)]
    return {
        "median": statistics.median(per_k),
        "min": min(per_k),
        "max": max(per_k),
        "s_per_step": {"median": statistics.median(times), "min": min(times), "max": max(times)},
        "split": step_split(times, arm["generation_times"], tokens),
        "completion_tokens_per_step": statistics.median(tokens),
        "peak_mem_mb": round(arm["peak_mem_mb"]),
        "fixed_batch": arm["fixed_batch"],
        "raw": arm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arm", choices=["ours", "trl"], help="internal: run one arm and print its JSON")
    parser.add_argument("--steps", type=int, default=6, help="training steps per arm run (the first is warm-up)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each arm, alternating ours / TRL")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", help="training dtype (bfloat16 on a GPU)")
    parser.add_argument("--max-completion-length", type=int, default=SETTING["max_completion_length"])
    parser.add_argument("--batch-size", type=int, default=SETTING["batch_size"], help="completions per step (G = 8)")
    parser.add_argument(
        "--gradient-checkpointing", choices=["on", "off"], default="on", help="in both arms (TRL's default: on)"
    )
    args = parser.parse_args()
    if args.steps < 2:
        parser.error(f"--steps must be at least 2 (the first step of each run is warm-up): got {args.steps}")
    SETTING.update(max_completion_length=args.max_completion_length, batch_size=args.batch_size)  # both arms
    if args.arm:
        result = (arm_ours if args.arm == "ours" else arm_trl)(
            args.steps, args.model, args.threads, args.device, args.dtype, args.gradient_checkpointing == "on"
        )
        print(json.dumps(result))
        return
    load_start = os.getloadavg()
    common = [
        "--steps",
        str(args.steps),
        "--model",
        args.model,
        "--threads",
        str(args.threads),
        "--device",
        args.device,
        "--dtype",
        args.dtype,
        "--max-completion-length",
        str(args.max_completion_length),
        "--batch-size",
        str(args.batch_size),
        "--gradient-checkpointing",
        args.gradient_checkpointing,
    ]
    cuda = args.device.startswith("cuda")
    runs: dict[str, list[dict]] = {"ours": [], "trl": []}
    for _ in range(args.rounds):  # alternate the arms so that a change of machine load hits both
        for name in ("ours", "trl"):
            runs[name].append(run_arm(__file__, ["--arm", name, *common]))
    ours, trl = summarise(pool(runs["ours"])), summarise(pool(runs["trl"]))
    a, b = ours["fixed_batch"], trl["fixed_batch"]
    loss_rel = abs(a["loss"] - b["loss"]) / max(abs(b["loss"]), 1e-12)
    grad_rel = abs(a["grad_norm"] - b["grad_norm"]) / max(abs(b["grad_norm"]), 1e-12)
    speedup = trl["median"] / ours["median"]
    parts = split_speedup(ours["split"], trl["split"])
    result = {
        "name": "grpo_vs_trl"
        + ("" if args.max_completion_length == 48 else f"_{args.max_completion_length}")
        + ("_no_checkpointing" if args.gradient_checkpointing == "off" else "")
        + ("_cuda" if cuda else ""),
        "device": device_name() if cuda else device_name() + f", {args.threads} threads",
        "versions": versions("trl"),
        "setting": (
            f"{args.model} {args.dtype}, 2-digit sums, chat template, {args.batch_size} completions/step = "
            f"{args.batch_size // SETTING['num_generations']} prompts x G={SETTING['num_generations']}, "
            f"max {args.max_completion_length} new tokens, lr {SETTING['learning_rate']}, mu {SETTING['mu']}, "
            f"beta {SETTING['beta']}, loss {SETTING['loss_type']}, T={SETTING['temperature']}, gradient checkpointing "
            f"{args.gradient_checkpointing} in both; {args.rounds} "
            "alternating runs x "
            f"{args.steps} steps per arm, the first step of each run is warm-up"
        ),
        "metric": "seconds per 1,000 completion tokens (lower is better)",
        "ours": {k: v for k, v in ours.items() if k != "raw"},
        "baseline": {"name": "TRL GRPOTrainer", **{k: v for k, v in trl.items() if k != "raw"}},
        "speedup": speedup,
        "split_speedup": {
            **parts,
            "note": "TRL's median seconds per 1k completion tokens over ours, per part of the step: generation = "
            "sampling and scoring the step's completions (our sample_step, TRL's _generate_and_score_completions), "
            "rest = the step's time less that (training forward, backward, optimizer)",
        },
        "target": 2.0,
        "fixed_batch_loss": {
            "ours": a,
            "trl": b,
            "loss_rel_diff": loss_rel,
            "grad_norm_rel_diff": grad_rel,
            "equal_within_1e-4": loss_rel <= 1e-4 and grad_rel <= 1e-4,
        },
        "load": {"start": load_start, "end": os.getloadavg()},
        "raw": {"ours": ours["raw"], "trl": trl["raw"]},
    }
    line = (
        f"grpo_vs_trl ({result['device']}): {ours['median']:.2f} s per 1k completion tokens vs TRL "
        f"{trl['median']:.2f} ({speedup:.2f}x; s/step {ours['s_per_step']['median']:.1f} vs "
        f"{trl['s_per_step']['median']:.1f}; generation {ours['split']['generation']['s_per_step']:.1f} vs "
        f"{trl['split']['generation']['s_per_step']:.1f} s/step ({parts['generation']:.2f}x), rest "
        f"{ours['split']['rest']['s_per_step']:.1f} vs {trl['split']['rest']['s_per_step']:.1f} ({parts['rest']:.2f}x)"
        f"); peak {'GPU memory' if cuda else 'RSS'} {ours['peak_mem_mb']} vs "
        f"{trl['peak_mem_mb']} MB; fixed-batch "
        f"loss rel diff {loss_rel:.1e}, grad-norm rel diff {grad_rel:.1e}; load "
        f"{load_start[0]:.1f}->{os.getloadavg()[0]:.1f}"
        f"; {result['setting']}"
    )
    print(json.dumps({k: v for k, v in result.items() if k != "raw"}, indent=2))
    write_result(result, line)


if __name__ == "__main__":
    main()
