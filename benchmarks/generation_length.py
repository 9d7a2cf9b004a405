"""Decoding speed at reasoning lengths: the `hf` backend against `model.generate`, rows run to the limit.

Setting: a random-init model of the default model's shape (`random:FOLDER`, see `common.load_bench_model`),
so that no row ends early and both arms decode exactly `length` tokens per row; one chat prompt x 8 samples
(GRPO's G=8, one prompt per step), T=1, one torch thread. For each length the arms alternate in one process
(ours, generate, `--rounds` times), after one short warm-up call each. This separates decoding from the
rest of a GRPO step at the lengths of `grpo_vs_trl.py --max-completion-length 512/1024`.

    python benchmarks/generation_length.py --model random:~/.cache/reasoncraft/models/smollm2-135m 512 1024
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import load_bench_model, versions, write_result  # noqa: E402

SAMPLES = 8
QUESTION = "What is 23 + 45? Give the final answer as a number after 'Answer:'."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lengths", nargs="+", type=int, help="new tokens per row, e.g. 512 1024")
    parser.add_argument("--model", required=True, help="random:FOLDER (a model of that shape whose rows never stop)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if min(args.lengths) < 1 or args.rounds < 1:
        parser.error(f"lengths and --rounds must be >= 1: got {args.lengths} and {args.rounds}")

    import torch

    from reasoncraft.backends import HFBackend, SamplingParams

    torch.set_num_threads(1)
    model, tok = load_bench_model(os.path.expanduser(args.model))
    backend = HFBackend(model, tok, max_batch_rows=SAMPLES)
    chat = [[{"role": "user", "content": QUESTION}]]

    def ours(n: int) -> int:
        sampling = SamplingParams(n=SAMPLES, temperature=1.0, max_new_tokens=n, seed=1)
        return sum(len(c.token_ids) for cs in backend.generate(chat, sampling) for c in cs)

    def baseline(n: int) -> int:
        tok.padding_side = "left"
        batch = tok.pad({"input_ids": [backend.encode(m) for m in chat]}, return_tensors="pt")
        torch.manual_seed(1)
        with torch.inference_mode():
            out = model.generate(
                **batch,
                do_sample=True,
                temperature=1.0,
                top_k=0,
                max_new_tokens=n,
                min_new_tokens=n,
                num_return_sequences=SAMPLES,
                pad_token_id=tok.pad_token_id,
            )
        return (out.shape[1] - batch["input_ids"].shape[1]) * SAMPLES

    ours(8), baseline(8)  # warm-up
    load_start = os.getloadavg()
    per_length = {}
    for n in args.lengths:
        seconds: dict[str, list[float]] = {"ours": [], "generate": []}
        for _ in range(args.rounds):
            for name, fn in (("ours", ours), ("generate", baseline)):
                start = time.perf_counter()
                tokens = fn(n)
                seconds[name].append(time.perf_counter() - start)
                if tokens != n * SAMPLES:
                    raise SystemExit(f"{name} decoded {tokens} tokens, not {n * SAMPLES}: a row stopped early")
        med = {k: statistics.median(v) for k, v in seconds.items()}
        per_k = {k: 1000 * v / (n * SAMPLES) for k, v in med.items()}
        per_length[str(n)] = {"seconds": seconds, "s_per_1k_tokens": per_k, "speedup": med["generate"] / med["ours"]}
    result = {
        "name": "generation_length",
        "device": f"cpu, {os.cpu_count()} cores",
        "versions": versions(),
        "setting": f"random-init model of {args.model}'s shape, fp32, 1 chat prompt x {SAMPLES} samples at T=1, "
        f"every row decodes exactly the length, 1 torch thread, arms alternating in one process, "
        f"{args.rounds} round(s)",
        "metric": "seconds to decode (lower is better); speedup = generate's over ours",
        "lengths": per_length,
        "load": {"start": load_start, "end": os.getloadavg()},
    }
    parts = "; ".join(
        f"{n} tokens: ours {statistics.median(r['seconds']['ours']):.1f} s vs generate "
        f"{statistics.median(r['seconds']['generate']):.1f} s ({r['speedup']:.2f}x)"
        for n, r in per_length.items()
    )
    write_result(result, f"generation_length ({result['device']}): {parts}. {result['setting']}.")
    print(parts)


if __name__ == "__main__":
    main()
