"""Useful tokens/s of the in-process `hf` backend against `model.generate(num_return_sequences=n)`.

Setting: the embedded default model (SmolLM2-135M-Instruct), 8 chat prompts x 8 samples x up to
128 new tokens, temperature 0.7, top-p 0.95, one batch of 64 rows for each arm. "Useful" tokens
are those up to and including the end-of-sequence token: what a user keeps. Each arm runs in its
own subprocess (peak memory is a high-water mark), warms up once, then times `--repeats` calls.

    python benchmarks/generation.py            # both arms, writes results/generation.json

On a GPU: `--device cuda --dtype bfloat16 --model random:FOLDER` (a random-init model of the default's
shape, see `common.load_bench_model`); the result is then named generation_cuda. A random model rarely
ends a row early, so every row runs to the token limit there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import device_name, load_bench_model, peak_memory_mb, run_arm, summary, versions, write_result  # noqa: E402

PROMPTS, SAMPLES, MAX_NEW, TEMPERATURE, TOP_P = 8, 8, 128, 0.7, 0.95


def messages() -> list[list[dict]]:
    pairs = [(23, 45), (17, 68), (52, 39), (81, 14), (36, 27), (64, 95), (11, 88), (73, 46)][:PROMPTS]
    return [
        [
            {
                "role": "user",
                "content": f"What is {a} + {b}? Think step by step, then give the final answer "
                "as a number after 'Answer:'",
            }
        ]
        for a, b in pairs
    ]


def useful_tokens(rows: list[list[int]], eos: set[int]) -> int:
    """Tokens up to and including the first end-of-sequence token of each row."""
    total = 0
    for row in rows:
        cut = next((i + 1 for i, t in enumerate(row) if t in eos), len(row))
        total += cut
    return total


def arm(name: str, repeats: int, model_spec: str, device: str, dtype: str) -> dict:
    import torch

    from reasoncraft.backends import HFBackend, SamplingParams

    model, tok = load_bench_model(model_spec, device, dtype)
    backend = HFBackend(model, tok, max_batch_rows=PROMPTS * SAMPLES)
    chats = messages()
    eos = backend.eos_ids

    def ours(seed: int, max_new: int) -> list[list[int]]:
        sampling = SamplingParams(n=SAMPLES, temperature=TEMPERATURE, top_p=TOP_P, max_new_tokens=max_new, seed=seed)
        return [c.token_ids for cs in backend.generate(chats, sampling) for c in cs]

    def baseline(seed: int, max_new: int) -> list[list[int]]:
        tok.padding_side = "left"
        batch = tok.pad({"input_ids": [backend.encode(m) for m in chats]}, return_tensors="pt").to(device)
        torch.manual_seed(seed)
        with torch.inference_mode():
            out = model.generate(
                **batch,
                do_sample=True,
                temperature=TEMPERATURE,
                top_p=TOP_P,
                top_k=0,
                max_new_tokens=max_new,
                num_return_sequences=SAMPLES,
                pad_token_id=tok.pad_token_id,
            )
        return out[:, batch["input_ids"].shape[1] :].tolist()

    fn = ours if name == "ours" else baseline
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    fn(0, 8)  # warm-up
    seconds, tokens = [], []
    for r in range(repeats):
        sync()
        start = time.perf_counter()
        rows = fn(1000 + r, MAX_NEW)
        sync()
        seconds.append(time.perf_counter() - start)
        tokens.append(useful_tokens(rows, eos))
    return {"seconds": seconds, "useful_tokens": tokens, "peak_mem_mb": peak_memory_mb(device)}


def model_label(spec: str) -> str:
    if spec.startswith("random:"):
        return "random-init model of SmolLM2-135M's shape (rows run to the limit)"
    return "SmolLM2-135M-Instruct (embedded GGUF)" if spec == "smollm2-135m" else spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", choices=["ours", "baseline"], help="internal: run one arm and print JSON")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="smollm2-135m", help="catalogue name, folder, or random:FOLDER (GPU checks)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(arm(args.arm, args.repeats, args.model, args.device, args.dtype)))
        return
    load_before = os.getloadavg()
    common = ["--repeats", str(args.repeats), "--model", args.model, "--device", args.device, "--dtype", args.dtype]
    arms = {name: run_arm(__file__, ["--arm", name, *common]) for name in ("baseline", "ours")}
    rate = {n: [t / s for t, s in zip(a["useful_tokens"], a["seconds"])] for n, a in arms.items()}
    per_k = {n: [1000 * s / t for t, s in zip(a["useful_tokens"], a["seconds"])] for n, a in arms.items()}
    ours, base = summary(rate["ours"]), summary(rate["baseline"])
    result = {
        "name": "generation" + ("_cuda" if args.device.startswith("cuda") else ""),
        "device": device_name() if args.device.startswith("cuda") else f"cpu, {os.cpu_count()} cores",
        "versions": versions(),
        "setting": f"{model_label(args.model)}, {args.dtype}, {PROMPTS} chat prompts x {SAMPLES} samples x up to "
        f"{MAX_NEW} new tokens, temperature {TEMPERATURE}, top-p {TOP_P}, one batch of "
        f"{PROMPTS * SAMPLES} rows per arm, {args.repeats} timed repeats after a warm-up",
        "metric": "useful tokens/s (tokens up to and including end-of-sequence; higher is better)",
        "ours": {
            **ours,
            "peak_mem_mb": arms["ours"]["peak_mem_mb"],
            "seconds_per_1k_tokens": summary(per_k["ours"]),
            "useful_tokens": arms["ours"]["useful_tokens"],
        },
        "baseline": {
            "name": "transformers model.generate(num_return_sequences=8)",
            **base,
            "peak_mem_mb": arms["baseline"]["peak_mem_mb"],
            "seconds_per_1k_tokens": summary(per_k["baseline"]),
            "useful_tokens": arms["baseline"]["useful_tokens"],
        },
        "speedup": ours["median"] / base["median"],
        "target": 1.5,
        "load": {"start": load_before, "end": os.getloadavg()},
    }
    mem = " GPU" if args.device.startswith("cuda") else " RSS"
    write_result(
        result,
        (
            f"generation ({result['device']}): hf backend {ours['median']:.1f} useful tok/s "
            f"(min {ours['min']:.1f}, max {ours['max']:.1f}, peak {arms['ours']['peak_mem_mb']:.0f} MB{mem}) vs "
            f"model.generate {base['median']:.1f} (min {base['min']:.1f}, max {base['max']:.1f}, peak "
            f"{arms['baseline']['peak_mem_mb']:.0f} MB{mem}): {result['speedup']:.2f}x (target 1.5x). "
            f"{result['setting']}. "
            f"Load average at start/end {load_before[0]:.1f}/{result['load']['end'][0]:.1f} (shared machine)."
        ),
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
