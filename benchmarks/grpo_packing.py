"""Where one packed row per group stops paying: the GRPO training forward's two layouts against each other.

One command (under the heavy lock on a shared machine):

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/grpo_packing.py [--lengths 64 128 256 512]

For each completion length T, one group of G completions (random tokens after a P-token prompt) goes through
a training forward and backward (`grpo_batch`, LM head in chunks) in two layouts, each arm in its own
subprocess, alternating: `packed` is one row per group (prompt once, completions back to back, a dense block
mask: attention grows with (P + G*T)^2), `per_completion` is one row per completion (prompt recomputed G
times: attention grows with G*(P + T)^2). Reported: median seconds of forward + backward over `--repeats`
after one warm-up, and the packed row length P + G*T at which per-completion becomes faster, which sets
`GRPOConfig.shared_prompt_max_tokens`.

The model is a random-init model of the default's shape (SmolLM2-135M: hidden 576, 9 heads, 3 KV heads,
MLP 1536, 49K vocabulary) with `--layers` decoder layers instead of 30: both layouts run the same layers and
the same LM-head work, so the crossover point does not depend on the layer count, and 4 layers measure it
seven times faster. Speed on a shared machine is measured under load: the load is recorded.

`--memory-length T` adds a memory comparison at one length: one row per completion with the LM head in
chunks against the same pass with full logits (`logprob_chunk_tokens=0`), one timed pass each in its own
subprocess; the peak RSS difference is what the (tokens x vocabulary) logits cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import device_name, peak_rss_mb, run_arm, versions, write_result  # noqa: E402

DEFAULT_FOLDER = Path.home() / ".cache" / "reasoncraft" / "models" / "smollm2-135m"


def arm(layout: str, length: int, args: argparse.Namespace) -> dict:
    """One layout at one completion length, in this process: warm-up, then `repeats` timed passes."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from reasoncraft.train.grpo_batch import Rollout, completion_logprobs, pad_rollouts, shared_prompt_logprobs

    torch.set_num_threads(args.threads)
    config = AutoConfig.from_pretrained(args.folder)
    config.num_hidden_layers = args.layers
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).train()
    prompt = torch.randint(100, config.vocab_size, (args.prompt,)).tolist()
    rollouts = [
        Rollout(0, prompt, torch.randint(100, config.vocab_size, (length,)).tolist(), []) for _ in range(args.group)
    ]

    def step() -> float:
        started = time.perf_counter()
        if layout == "packed":
            logp, _, batch = shared_prompt_logprobs(model, rollouts, args.group, 0, 1.0, False, "cpu", args.chunk)
        else:
            batch = pad_rollouts(rollouts, 0)
            logp, _ = completion_logprobs(model, batch, 1.0, False, args.chunk)
        (logp * batch["completion_mask"]).sum().backward()
        model.zero_grad(set_to_none=True)
        return time.perf_counter() - started

    step()  # warm-up
    times = [step() for _ in range(args.repeats)]
    return {"times": times, "peak_mem_mb": peak_rss_mb()}


def crossover(
    lengths: list[int], packed: list[float], per_completion: list[float], prompt: int, group: int
) -> int | None:
    """The packed row length P + G*T where per-completion rows become faster (linear between measured lengths);
    the shortest measured row when they win everywhere, None when packing wins at every measured length.

    >>> crossover([64, 128], [10.0, 40.0], [20.0, 30.0], 64, 8)
    832
    """
    rows = [prompt + group * t for t in lengths]
    diff = [p - q for p, q in zip(packed, per_completion)]  # > 0: per-completion is faster
    if diff[0] > 0:
        return rows[0]
    for i in range(1, len(rows)):
        if diff[i] > 0:
            return round(rows[i - 1] + (rows[i] - rows[i - 1]) * -diff[i - 1] / (diff[i] - diff[i - 1]))
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--group", type=int, default=8, help="G: completions per prompt")
    parser.add_argument("--prompt", type=int, default=64, help="P: prompt tokens")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=256, help="logprob_chunk_tokens")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="a folder with the default model's config.json")
    parser.add_argument("--memory-length", type=int, default=0, help="also compare peak RSS, chunked vs full, at T")
    parser.add_argument("--arm", nargs=2, metavar=("LAYOUT", "LENGTH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(arm(args.arm[0], int(args.arm[1]), args)))
        return
    load_start = os.getloadavg()
    passthrough = [
        *("--group", str(args.group), "--prompt", str(args.prompt), "--layers", str(args.layers)),
        *("--repeats", str(args.repeats), "--chunk", str(args.chunk), "--threads", str(args.threads)),
        *("--folder", args.folder),
    ]
    results: dict[str, dict[int, dict]] = {"packed": {}, "per_completion": {}}
    for length in args.lengths:
        for layout in ("packed", "per_completion"):  # alternating, so a change in load hits both
            out = run_arm(__file__, [*passthrough, "--arm", layout, str(length)])
            results[layout][length] = {**out, "median": statistics.median(out["times"])}
            print(f"T={length} {layout}: {results[layout][length]['median']:.2f} s", file=sys.stderr)
    memory = {}
    if args.memory_length:
        for chunk in (args.chunk, 0):
            one = [*passthrough, "--repeats", "1", "--chunk", str(chunk), "--arm", "per_completion"]
            out = run_arm(__file__, [*one, str(args.memory_length)])
            memory["chunked" if chunk else "full_logits"] = out
            print(f"memory T={args.memory_length} chunk={chunk}: {out['peak_mem_mb']:.0f} MB", file=sys.stderr)
    load_end = os.getloadavg()
    medians = {k: [results[k][t]["median"] for t in args.lengths] for k in results}
    switch = crossover(args.lengths, medians["packed"], medians["per_completion"], args.prompt, args.group)
    result = {
        "name": "grpo_packing",
        "device": device_name(),
        "versions": versions(),
        "setting": (
            f"GRPO training forward + backward of one group, G={args.group}, P={args.prompt}, T in {args.lengths}, "
            f"random-init model of the default's shape with {args.layers} layers, fp32, LM head in chunks of "
            f"{args.chunk}, {args.threads} threads; packed row vs one row per completion, each arm in its own "
            f"subprocess, median of {args.repeats} after a warm-up"
        ),
        "metric": "seconds per forward + backward (lower is better)",
        "load": {"start": load_start, "end": load_end},
        "lengths": args.lengths,
        "ours": {
            "name": "one row per completion",
            **{str(t): results["per_completion"][t] for t in args.lengths},
        },
        "baseline": {"name": "one packed row per group", **{str(t): results["packed"][t] for t in args.lengths}},
        "speedup_by_length": {
            str(t): results["packed"][t]["median"] / results["per_completion"][t]["median"] for t in args.lengths
        },
        "switch_row_tokens": switch,
    }
    if memory:
        result["memory"] = {
            "setting": f"one row per completion, G={args.group}, P={args.prompt}, T={args.memory_length}, one pass",
            "peak_rss_mb": {k: round(v["peak_mem_mb"]) for k, v in memory.items()},
            "seconds": {k: v["times"][0] for k, v in memory.items()},
        }
    pairs = ", ".join(
        f"T={t}: {results['packed'][t]['median']:.2f}/{results['per_completion'][t]['median']:.2f} s"
        for t in args.lengths
    )
    line = (
        f"grpo_packing (cpu, {args.threads} threads, under load {load_start[0]:.1f}-{load_end[0]:.1f}): GRPO forward+"
        f"backward of one group G={args.group}, P={args.prompt}, default shape with {args.layers} layers, packed/"
        f"per-completion {pairs}; "
        + (
            f"per-completion faster above a packed row of ~{switch} tokens (shared_prompt_max_tokens)"
            if switch
            else "packing faster at every measured length"
        )
    )
    if memory:
        rss = result["memory"]["peak_rss_mb"]
        line += (
            f"; peak RSS of the pass at T={args.memory_length}: LM head in chunks {rss['chunked']} MB vs full "
            f"logits {rss['full_logits']} MB"
        )
    line += ". `benchmarks/results/grpo_packing.json`"
    print(write_result(result, line))


if __name__ == "__main__":
    main()
