"""The R1-Zero quickstart's acceptance run: held-out accuracy before and after GRPO, over several seeds.

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/grpo_quickstart.py [--seeds 0 1 2] [key=value ...]

Loads the default model once, evaluates it greedily on the held-out problems (the config's
`eval_split`, `eval_problems`), then for each seed trains a fresh copy of it with
`configs/r1_zero_quickstart.yaml` (plus any overrides) and evaluates again. Each seed's training
time is the trainer's own wall time (sampling + updates, without the evaluations). Writes
`benchmarks/results/grpo_quickstart.json` and a line in `benchmarks/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import device_name, versions, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "r1_zero_quickstart.yaml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default="runs/grpo_quickstart_seeds")
    parser.add_argument("--no-write", action="store_true", help="do not write results/RESULTS.md (for tuning)")
    parser.add_argument("overrides", nargs="*", help="key=value overrides of the recipe")
    args = parser.parse_args()

    import torch

    from reasoncraft.backends import HFBackend
    from reasoncraft.config import load_config
    from reasoncraft.models import load_model
    from reasoncraft.tasks import get_task
    from reasoncraft.train.grpo import train_grpo
    from reasoncraft.train.grpo_config import GRPOConfig
    from reasoncraft.train.held_out import held_out_eval

    load_start = os.getloadavg()
    base_config = load_config(GRPOConfig, args.config, args.overrides)
    if base_config.num_threads:
        torch.set_num_threads(base_config.num_threads)
    task = get_task(base_config.task)
    problems = task.problems(base_config.eval_split, limit=base_config.eval_problems)
    eval_tokens = base_config.eval_max_new_tokens or base_config.max_completion_length

    def held_out(model, template, folder):  # exactly as `reasoncraft eval` computes it (reasoncraft.evaluate)
        return held_out_eval(
            HFBackend(model, tokenizer, model_id=base_config.model),
            task,
            split=base_config.eval_split,
            limit=base_config.eval_problems,
            template=template,
            max_new_tokens=eval_tokens,
            out_dir=Path(args.out) / folder,
            prompt_format=base_config.prompt_format,
        )

    base_model, tokenizer = load_model(base_config.model, dtype=base_config.dtype, device=base_config.device)
    started = time.perf_counter()
    before = held_out(base_model, base_config.template, "eval_before")
    print(f"before: {before} ({time.perf_counter() - started:.0f} s)", flush=True)

    seeds = []
    for seed in args.seeds:
        config = load_config(
            GRPOConfig,
            args.config,
            [
                *args.overrides,
                f"seed={seed}",
                "eval_problems=0",
                "save_steps=-1",
                "save_model=false",
                f"out_dir={args.out}/seed{seed}",
            ],
        )
        model = copy.deepcopy(base_model)
        summary = train_grpo(config, model=model, tokenizer=tokenizer, task=task)
        model.eval()
        after = held_out(model, config.template, f"seed{seed}/eval_after")
        seeds.append(
            {
                "seed": seed,
                "train_seconds": summary["train_seconds"],
                "after": after,
                "gain": after["accuracy"] - before["accuracy"],
            }
        )
        print(
            f"seed {seed}: after {after}, gain {seeds[-1]['gain']:+.3f}, training {summary['train_seconds']:.0f} s",
            flush=True,
        )
        del model

    gains = [s["gain"] for s in seeds]
    train_s = [s["train_seconds"] for s in seeds]
    result = {
        "name": "grpo_quickstart",
        "device": device_name() + f", {base_config.num_threads or torch.get_num_threads()} threads",
        "versions": versions(),
        "setting": (
            f"{base_config.model}, {base_config.task} with template {base_config.template!r} and its chat template; "
            f"{base_config.steps} steps x {base_config.batch_size} completions (G={base_config.num_generations}), "
            f"{base_config.max_completion_length} new tokens, lr {base_config.learning_rate}, loss "
            f"{base_config.loss_type}, "
            f"beta {base_config.beta}; greedy held-out accuracy on {len(problems)} '{base_config.eval_split}' "
            "problems; "
            f"overrides {args.overrides}"
        ),
        "metric": "held-out greedy accuracy gain (after - before), per seed",
        "before": before,
        "seeds": seeds,
        "ours": {
            "median": statistics.median(gains),
            "min": min(gains),
            "max": max(gains),
            "mean": statistics.mean(gains),
        },
        "train_seconds": {"median": statistics.median(train_s), "min": min(train_s), "max": max(train_s)},
        "baseline": {
            "name": "TRL GRPOTrainer (reported in issue 8, not rerun here)",
            "gain": 0.30,
            "train_seconds": 750,
        },
        "target": {"mean_gain": 0.20, "each_seed_positive": True, "train_seconds_max": 400},
        "load": {"start": load_start, "end": os.getloadavg()},
    }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        line = (
            f"grpo_quickstart ({result['device']}): held-out accuracy {before['accuracy']:.3f} -> "
            f"{', '.join(format(s['after']['accuracy'], '.3f') for s in seeds)} (seeds {args.seeds}; mean gain "
            f"{result['ours']['mean']:+.3f}); training {result['train_seconds']['median']:.0f} s median "
            f"({min(train_s):.0f}-{max(train_s):.0f}); extraction failures {before['extraction_failure_rate']:.2f} -> "
            f"{statistics.mean(s['after']['extraction_failure_rate'] for s in seeds):.2f}; load "
            f"{load_start[0]:.1f}->{os.getloadavg()[0]:.1f} (shared machine)"
        )
        write_result(result, line)


if __name__ == "__main__":
    main()
