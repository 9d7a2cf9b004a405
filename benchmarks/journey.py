"""Journey against shortcut learning on Countdown: does training on search traces with dead ends and
backtracking beat training on the solution path alone? (O1 Replication Journey, arXiv 2410.18982.)

One command (heavy: run it under the lock on a shared machine):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/journey.py [--seeds 3] [--train 512] \\
        [--eval 200] [--steps 30] [--problems-per-step 8] [--model smollm2-135m]

Setting (stated before any number is taken; the same for both arms):
* problems: `countdown-3` (3 numbers in 1..99, targets 1..50), the first `--train` problems of the train
  split for training and the first `--eval` of the test split for evaluation (disjoint by construction,
  and the SFT sets are 8-gram decontaminated against the test split);
* teachers: the programmatic depth-first search of `reasoncraft.data.countdown`, one trace per problem:
  `journey` (every try, dead end and backtrack) or `shortcut` (only the path to the target), both
  verified by the task's scorer, with the same answers;
* students: `--model` fine-tuned with `reasoncraft train sft`, full fine-tuning, the same number of
  optimizer steps (`--steps`), learning rate and seeds, and the same problems: each optimizer step holds
  `--problems-per-step` problems, one example per row (`packing=none`), in an order set by the seed alone,
  so both students see the same problems at the same step (the journey student reads more tokens: 2.2x in
  the 2026-11-26 run, prompts included).
  `--problems-per-step 0` is the earlier equal-compute setting instead: one packed row of <= 1024 tokens
  per step, so the shortcut student sees ~4x more problems (results/journey_equal_compute.json);
* evaluation: greedy decoding, at most 512 new tokens, scored by the task's strict `countdown` reward;
  the base model is evaluated the same way.

Reported: accuracy of the base model and of each student per seed; whether the shortcut student beats
the base model by more than its seed spread (max - min over seeds); and the journey-minus-shortcut
difference with a 95% bootstrap confidence interval (resampling problems, paired, averaged over seeds),
whatever its sign. Figures in benchmarks/results/journey.json and one line in RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import device_name, run_arm, versions, write_result  # noqa: E402

TASK, TASK_OPTIONS = "countdown-3", {"max_target": 50}
ROW_TOKENS, ACCUMULATION, LEARNING_RATE, MAX_NEW_TOKENS = 1024, 1, 5e-5, 512


def build_data(style: str, train: int, out: Path, model: str) -> Path:
    """The SFT set of one teacher style (verified, readable, decontaminated against the test split)."""
    from reasoncraft.data.distill import DistillConfig, load_tokenizer, run_distill

    tokenizer = load_tokenizer(model)
    config = DistillConfig(
        task=TASK,
        task_options=TASK_OPTIONS,
        limit=train,
        k=1,
        teacher=f"countdown-dfs-{style}",
        layout="r1",
        max_tokens=ROW_TOKENS - 200,
        decontam_tasks=[TASK],
        decontam_task_options={TASK: TASK_OPTIONS},
        out_dir=str(out / f"data_{style}"),
    )
    report = run_distill(
        config, count_tokens=lambda t: len(tokenizer(t, add_special_tokens=False)["input_ids"]), log=lambda m: None
    )
    print(f"{style}: {report['filtering']['kept']} of {report['filtering']['input']} traces kept", file=sys.stderr)
    return out / f"data_{style}" / "sft.jsonl"


def same_problems(paths: dict[str, Path]) -> int:
    """Keep only the problems every SFT set still holds (a filter may drop a long journey), in place, in the
    same order (by problem id), so a seeded order visits the same problems in every set."""
    from reasoncraft.samples import read_jsonl

    rows = {style: sorted(read_jsonl(path), key=lambda r: str(r["problem_id"])) for style, path in paths.items()}
    shared = set.intersection(*({r["problem_id"] for r in rs} for rs in rows.values()))
    for style, path in paths.items():
        path.write_text("".join(json.dumps(r) + "\n" for r in rows[style] if r["problem_id"] in shared))
    print(f"{len(shared)} problems in every SFT set", file=sys.stderr)
    return len(shared)


def evaluate(model: str, limit: int) -> list[int]:
    """Greedy correctness (0/1) on the first `limit` test problems."""
    from reasoncraft.backends import HFBackend, SamplingParams
    from reasoncraft.tasks import get_task

    task = get_task(TASK, **TASK_OPTIONS)
    problems = task.problems("test", limit=limit)
    backend = HFBackend.from_name(model, device="cpu")
    outputs = backend.generate(
        [task.prompt(p) for p in problems], SamplingParams(temperature=0, max_new_tokens=MAX_NEW_TOKENS)
    )
    return [int(task.score(p, o[0].text).correct is True) for p, o in zip(problems, outputs)]


def arm_student(
    model: str, data: str, seed: int, steps: int, limit: int, out: str, threads: int, problems_per_step: int
) -> dict:
    from reasoncraft.train.metrics import read_metrics
    from reasoncraft.train.sft import train_sft
    from reasoncraft.train.sft_config import SFTConfig

    rows = (
        {"packing": "none", "gradient_accumulation_steps": problems_per_step}
        if problems_per_step
        else {"packing": "bfd", "gradient_accumulation_steps": ACCUMULATION}
    )
    config = SFTConfig(
        model=model,
        datasets=[data],
        max_seq_length=ROW_TOKENS,
        micro_batch_tokens=ROW_TOKENS,
        **rows,
        max_steps=steps,
        learning_rate=LEARNING_RATE,
        warmup_steps=max(1, steps // 10),
        lr_schedule="cosine",
        seed=seed,
        save_steps=-1,
        device="cpu",
        num_threads=threads,
        out_dir=out,
        log_steps=0,
    )
    summary = train_sft(config, log=lambda m: None)
    logged = read_metrics(Path(out) / "metrics.jsonl")
    trained = sum(row.get("train_tokens", 0) for row in logged)
    return {
        "correct": evaluate(str(Path(out) / "model"), limit),
        "final_loss": summary["final_metrics"].get("loss"),
        "train_tokens": trained,
    }


def paired_bootstrap(
    a: list[list[int]], b: list[list[int]], samples: int = 10_000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of (a - b) per problem averaged over seeds, with a 95% bootstrap interval over problems."""
    per_problem = [statistics.mean(x) - statistics.mean(y) for x, y in zip(zip(*a), zip(*b))]
    rng = random.Random(seed)
    n = len(per_problem)
    means = sorted(statistics.mean(per_problem[rng.randrange(n)] for _ in range(n)) for _ in range(samples))
    return statistics.mean(per_problem), means[int(0.025 * samples)], means[int(0.975 * samples) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arm", choices=["student", "base"], help="internal: one run in its own process")
    parser.add_argument("--data", default="")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--train", type=int, default=512)
    parser.add_argument("--eval", type=int, default=200)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument(
        "--problems-per-step",
        type=int,
        default=8,
        help="problems per optimizer step, the same in both arms (0: one packed row of <= 1024 tokens, "
        "the earlier equal-compute setting)",
    )
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="")
    parser.add_argument("--no-record", action="store_true", help="print the result only (smoke runs)")
    args = parser.parse_args()
    if args.arm == "base":
        print(json.dumps({"correct": evaluate(args.model, args.eval)}))
        return
    if args.arm == "student":
        print(
            json.dumps(
                arm_student(
                    args.model,
                    args.data,
                    args.seed,
                    args.steps,
                    args.eval,
                    args.out,
                    args.threads,
                    args.problems_per_step,
                )
            )
        )
        return
    load_start = os.getloadavg()
    work = Path(args.out or tempfile.mkdtemp(prefix="journey-"))
    data = {style: build_data(style, args.train, work, args.model) for style in ("shortcut", "journey")}
    same_problems(data)
    common = [
        "--model",
        args.model,
        "--eval",
        str(args.eval),
        "--steps",
        str(args.steps),
        "--threads",
        str(args.threads),
        "--problems-per-step",
        str(args.problems_per_step),
    ]
    base = run_arm(__file__, ["--arm", "base", *common])["correct"]
    runs: dict[str, list[dict]] = {"shortcut": [], "journey": []}
    for seed in range(args.seeds):
        for style in ("shortcut", "journey"):
            runs[style].append(
                run_arm(
                    __file__,
                    [
                        "--arm",
                        "student",
                        "--data",
                        str(data[style]),
                        "--seed",
                        str(seed),
                        "--out",
                        str(work / f"{style}_seed{seed}"),
                        *common,
                    ],
                )
            )
    accuracy = {style: [statistics.mean(r["correct"]) for r in rs] for style, rs in runs.items()}
    base_accuracy = statistics.mean(base)
    spread = max(accuracy["shortcut"]) - min(accuracy["shortcut"])
    diff, low, high = paired_bootstrap(
        [r["correct"] for r in runs["journey"]], [r["correct"] for r in runs["shortcut"]]
    )
    load_end = os.getloadavg()
    per_step = (
        f"{args.problems_per_step} problems (one example per row, the same problems at each step in both arms)"
        if args.problems_per_step
        else f"{ACCUMULATION} packed row(s) of <= {ROW_TOKENS} tokens (equal compute)"
    )
    tokens = {s: statistics.median(r["train_tokens"] for r in rs) for s, rs in runs.items()}
    result = {
        "name": "journey" if args.problems_per_step else "journey_equal_compute",
        "device": device_name() + f", {args.threads} threads",
        "versions": versions("trl"),
        "setting": (
            f"{TASK} {TASK_OPTIONS}, {args.train} train problems, 1 DFS trace each (journey vs shortcut, same "
            f"problems); {args.model} full SFT, {args.steps} optimizer steps of {per_step}, lr {LEARNING_RATE} "
            f"cosine; greedy eval on {args.eval} test problems, "
            f"<= {MAX_NEW_TOKENS} new tokens; {args.seeds} seeds"
        ),
        "metric": "greedy accuracy on held-out Countdown problems (strict countdown reward)",
        "base": {"accuracy": base_accuracy},
        "ours": {
            "name": "journey student",
            "accuracy_per_seed": accuracy["journey"],
            "mean": statistics.mean(accuracy["journey"]),
        },
        "baseline": {
            "name": "shortcut student",
            "accuracy_per_seed": accuracy["shortcut"],
            "mean": statistics.mean(accuracy["shortcut"]),
        },
        "shortcut_beats_base_by_more_than_seed_spread": min(accuracy["shortcut"]) - base_accuracy > spread,
        "journey_minus_shortcut": {"mean": diff, "ci95": [low, high]},
        "final_loss": {s: [r["final_loss"] for r in rs] for s, rs in runs.items()},
        "train_tokens_median": tokens,
        "load": {"start": load_start, "end": load_end},
    }
    print(json.dumps(result, indent=2))
    if not args.no_record:
        line = (
            f"journey ({result['device']}): base {base_accuracy:.3f}, shortcut {result['baseline']['mean']:.3f} "
            f"{accuracy['shortcut']}, journey {result['ours']['mean']:.3f} {accuracy['journey']}; journey - shortcut "
            f"{diff:+.3f} [95% CI {low:+.3f}, {high:+.3f}]; {result['setting']}; load "
            f"{load_start[0]:.1f}->{load_end[0]:.1f}"
        )
        write_result(result, line)


if __name__ == "__main__":
    main()
