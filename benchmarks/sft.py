"""SFT training speed and memory: reasoncraft's `train sft` against TRL's SFTTrainer.

One command (run it under the heavy lock on a shared machine):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/sft.py [--steps 12] [--repeats 3]
        [--precision fp32|bf16] [--gradient-checkpointing on|off]

Both arms fine-tune the same model (default SmolLM2-135M-Instruct, fp32 weights on the CPU) on the same
Countdown-4 journey traces (written by the depth-first-search teacher, no model needed), with the
same chat template, completion-only loss (TRL: prompt/completion format), learning rate and
batching: packed, padding-free rows of at most `--row-tokens` tokens, one row per optimizer step,
and the same precision: `--precision fp32` trains in fp32 in both arms (TRL's SFTConfig defaults to
bf16=True, which on a CPU means bfloat16 autocast; runs before 2026-11-26 15:00 compared our fp32
with TRL's bf16 autocast without saying so), `--precision bf16` runs both under bfloat16 autocast
(ours: `autocast_bf16=True`). Gradient checkpointing is set in both arms alike (`--gradient-checkpointing`;
TRL's SFTConfig defaults to on, and runs before 2026-11-26 17:30 compared our checkpointing-off with TRL's
on without saying so). Each arm runs in its own subprocess (peak RSS is a high-water mark);
arms alternate over repeats.

Reported: non-padding training tokens per second over the steps after the first (warm-up), and
peak memory. Both arms pack best-fit-decreasing into the same rows (checked: 182 rows of 461 tokens on
average at 512), each in its own shuffled order, so rows differ from step to step: time enough steps,
and compare tokens per second, not seconds per step. Both keep packed examples apart: TRL passes
position ids only and transformers >= 5 derives a block mask from them (checked: the same loss as our
explicit mask on a two-example row); both leave rows of one example unmasked (SDPA's causal path).
Both avoid holding (tokens x vocabulary) logits: TRL >= 1.x patches the model with a chunked log-prob LM head
that scores every position and recomputes the logits in the backward pass; ours (`train/fused_loss.py`)
scores only completion positions and computes the head's gradients in the forward pass, so nothing is
recomputed.
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

from common import device_name, peak_rss_mb, run_arm, summary, versions, write_result  # noqa: E402

LEARNING_RATE = 2e-5
PRECISION = {"fp32": "fp32", "bf16": "bfloat16 autocast (fp32 weights)"}


def traces(limit: int) -> list[list[dict]]:
    """Countdown-4 journey traces as chat conversations (the same for both arms)."""
    from reasoncraft.data.countdown import CountdownSearchTeacher
    from reasoncraft.tasks import get_task

    task = get_task("countdown-4", max_target=50)
    teacher = CountdownSearchTeacher("journey")
    return [
        task.prompt(p) + [{"role": "assistant", "content": teacher.solve(p, 0)}]
        for p in task.problems("train", limit=limit)
    ]


def arm_ours(
    steps: int, model_name: str, threads: int, row_tokens: int, precision: str, checkpointing: str = "on"
) -> dict:
    import torch

    from reasoncraft.train.sft import train_sft
    from reasoncraft.train.sft_config import SFTConfig

    torch.set_num_threads(threads)
    folder = Path(tempfile.mkdtemp())
    data = folder / "d.jsonl"
    data.write_text("".join(json.dumps({"messages": m}) + "\n" for m in traces(200)))
    config = SFTConfig(
        model=model_name,
        datasets=[str(data)],
        max_seq_length=row_tokens,
        micro_batch_tokens=row_tokens,
        max_steps=steps,
        learning_rate=LEARNING_RATE,
        lr_schedule="constant",
        save_steps=-1,
        autocast_bf16=precision == "bf16",
        gradient_checkpointing=checkpointing == "on",
        save_model=False,
        device="cpu",
        dtype="float32",
        num_threads=threads,
        out_dir=str(folder / "run"),
        log_steps=0,
    )
    train_sft(config, log=lambda m: None)
    rows = [json.loads(line) for line in (folder / "run" / "metrics.jsonl").read_text().splitlines()][1:]
    tokens = sum(r["train_tokens"] for r in rows)
    seconds = sum(r["step_time"] for r in rows)
    return {
        "tokens_per_s": tokens / seconds,
        "tokens_per_step": tokens / len(rows),
        "s_per_step": seconds / len(rows),
        "peak_mem_mb": round(peak_rss_mb()),
    }


def arm_trl(
    steps: int, model_name: str, threads: int, row_tokens: int, precision: str, checkpointing: str = "on"
) -> dict:
    import datasets
    import torch
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from reasoncraft.models import load_model

    torch.set_num_threads(threads)
    model, tokenizer = load_model(model_name, device="cpu", dtype="float32")
    rows = [{"prompt": m[:-1], "completion": m[-1:]} for m in traces(200)]
    marks: list[tuple[float, int]] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            marks.append((time.perf_counter(), int(state.num_input_tokens_seen)))

    class Start(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if not marks:
                marks.append((time.perf_counter(), 0))

    out = tempfile.mkdtemp()
    args = SFTConfig(
        output_dir=out,
        max_steps=steps,
        per_device_train_batch_size=1,
        gradient_accumulation_steps=1,
        learning_rate=LEARNING_RATE,
        lr_scheduler_type="constant",
        packing=True,
        packing_strategy="bfd",
        max_length=row_tokens,
        completion_only_loss=True,
        save_strategy="no",
        report_to=[],
        logging_steps=1,
        use_cpu=True,
        include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0,
        seed=0,
        bf16=precision == "bf16",
        gradient_checkpointing=checkpointing == "on",
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[Start(), Clock()],
    )
    trainer.train()
    # marks[0] is the start of step 1, marks[1] its end; time the steps after the first.
    (t1, n1), (t_end, n_end) = marks[1], marks[-1]
    timed = len(marks) - 2
    return {
        "tokens_per_s": (n_end - n1) / (t_end - t1),
        "tokens_per_step": (n_end - n1) / timed,
        "s_per_step": (t_end - t1) / timed,
        "peak_mem_mb": round(peak_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arm", choices=["ours", "trl"], help="internal: run one arm and print its JSON")
    parser.add_argument(
        "--steps",
        type=int,
        default=12,
        help="optimizer steps per arm (the first is warm-up); rows vary in length, so time enough of them",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--row-tokens", type=int, default=1024, help="packed row size (tokens per optimizer step)")
    parser.add_argument(
        "--precision",
        choices=["fp32", "bf16"],
        default="fp32",
        help="fp32 in both arms, or bfloat16 autocast in both (TRL's default is bf16)",
    )
    parser.add_argument(
        "--gradient-checkpointing",
        choices=["on", "off"],
        default="on",
        help="recompute activations in the backward pass, in both arms (TRL's SFTConfig defaults to on)",
    )
    args = parser.parse_args()
    if args.arm:
        arm = arm_ours if args.arm == "ours" else arm_trl
        print(
            json.dumps(
                arm(args.steps, args.model, args.threads, args.row_tokens, args.precision, args.gradient_checkpointing)
            )
        )
        return
    load_start = os.getloadavg()
    common = [
        "--steps",
        str(args.steps),
        "--model",
        args.model,
        "--threads",
        str(args.threads),
        "--row-tokens",
        str(args.row_tokens),
        "--precision",
        args.precision,
        "--gradient-checkpointing",
        args.gradient_checkpointing,
    ]
    raw: dict[str, list[dict]] = {"ours": [], "trl": []}
    for _ in range(args.repeats):  # alternate, so a change in machine load hits both arms
        for name in ("ours", "trl"):
            raw[name].append(run_arm(__file__, ["--arm", name, *common]))

    def stats(name: str) -> dict:
        runs = raw[name]
        mem = [r["peak_mem_mb"] for r in runs]
        return {
            **summary([r["tokens_per_s"] for r in runs]),
            "peak_mem_mb": max(mem),
            "peak_mem": {"median": statistics.median(mem), "min": min(mem), "max": max(mem), "runs": mem},
            "tokens_per_step": statistics.median(r["tokens_per_step"] for r in runs),
            "s_per_step": statistics.median(r["s_per_step"] for r in runs),
        }

    ours, trl = stats("ours"), stats("trl")
    speedup = ours["median"] / trl["median"]
    load_end = os.getloadavg()
    checkpointing = args.gradient_checkpointing == "on"
    result = {
        "name": "sft"
        + ("_bf16" if args.precision == "bf16" else "")
        + ("_no_checkpointing" if not checkpointing else ""),
        "device": device_name() + f", {args.threads} threads",
        "versions": versions("trl", "peft"),
        "setting": (
            f"{args.model} full fine-tuning, {PRECISION[args.precision]} in both arms, on Countdown-4 journey "
            f"traces (chat template, completion-only loss), packed padding-free rows of <= {args.row_tokens} "
            f"tokens, 1 row per optimizer step, lr {LEARNING_RATE} constant, fused AdamW in both, gradient "
            f"checkpointing {args.gradient_checkpointing} in both; {args.steps} "
            f"steps per arm, first is warm-up; {args.repeats} repeats, arms alternating. Both pack "
            "best-fit-decreasing and keep packed examples apart (TRL through transformers' position-id block "
            "mask, ours with an explicit one); rows of one example are unmasked in both."
        ),
        "metric": "non-padding training tokens per second (higher is better)",
        "ours": ours,
        "baseline": {"name": "TRL SFTTrainer (packing=True, bfd)", **trl},
        "speedup": speedup,
        "target": 1.0,
        "load": {"start": load_start, "end": load_end},
        "raw": raw,
    }
    line = (
        f"sft ({result['device']}): {ours['median']:.0f} non-padding training tokens/s vs TRL SFTTrainer "
        f"{trl['median']:.0f} ({speedup:.2f}x; ours {ours['min']:.0f}-{ours['max']:.0f}, TRL "
        f"{trl['min']:.0f}-{trl['max']:.0f}); "
        f"peak RSS (max over {args.repeats} runs) {ours['peak_mem_mb']} vs {trl['peak_mem_mb']} MB (ours "
        f"{ours['peak_mem']['min']}-{ours['peak_mem']['max']}, TRL {trl['peak_mem']['min']}-{trl['peak_mem']['max']}); "
        f"{args.model}, {PRECISION[args.precision]}, gradient checkpointing {args.gradient_checkpointing} in both "
        f"arms, packed rows <= {args.row_tokens} tokens; load {load_start[0]:.1f}->{load_end[0]:.1f} (shared machine)"
    )
    print(json.dumps({k: v for k, v in result.items() if k != "raw"}, indent=2))
    write_result(result, line)


if __name__ == "__main__":
    main()
