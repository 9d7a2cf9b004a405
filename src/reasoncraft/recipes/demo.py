"""The smallest end-to-end run: the embedded default model solves generated problems with
chain-of-thought, scored by the same rewards evaluation and training use.

It shows the mechanics on any machine (a 135M instruct model on a CPU), not reasoning ability:
expect a few right answers out of a handful.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..backends import SamplingParams
from ..tasks import get_task


def run_demo(
    model: str = "smollm2-135m",
    task_spec: str = "arith-sum-2d",
    problems: int = 8,
    max_new_tokens: int = 96,
    device: str | None = None,
    echo: Callable[[str], None] = print,
) -> dict:
    """Solve `problems` test problems greedily with the chain-of-thought template; print and return the tally."""
    from ..backends.hf import HFBackend  # lazy: heavy (hf.py imports torch)

    echo(
        f"{model} solves {problems} generated 2-digit sums with chain-of-thought, {max_new_tokens} tokens each: "
        "about a minute on a quiet 2-core CPU (loading included), longer on a busy one"
    )
    begun = started = time.perf_counter()
    backend = HFBackend.from_name(model, device=device)
    load_s = time.perf_counter() - started
    task = get_task(task_spec)
    chosen = task.problems("test", problems)
    prompts = [task.prompt(p, "cot") for p in chosen]
    started = time.perf_counter()
    outputs = backend.generate(prompts, SamplingParams(temperature=0.0, max_new_tokens=max_new_tokens))
    gen_s = time.perf_counter() - started
    tokens = sum(c.completion_tokens for cs in outputs for c in cs)
    right = 0
    for problem, [completion] in zip(chosen, outputs):
        score = task.score_many(problem, [completion.text])[0]
        right += bool(score.correct)
        mark = "right" if score.correct else "wrong"
        echo(f"Q: {problem.question}  gold {problem.answer}  model {score.extracted!r}  [{mark}]")
        echo("   " + completion.text.strip().replace("\n", "\n   "))
    tally = {
        "model": model,
        "task": task_spec,
        "problems": len(chosen),
        "right": right,
        "completion_tokens": tokens,
        "load_s": load_s,
        "generate_s": gen_s,
        "tokens_per_s": tokens / gen_s,
    }
    echo(
        f"\n{right}/{len(chosen)} right; {tokens} tokens in {gen_s:.1f} s = {tokens / gen_s:.1f} tokens/s "
        f"(batched, greedy, {backend.device}); model loaded in {load_s:.1f} s; "
        f"{time.perf_counter() - begun:.0f} s in all"
    )
    return tally
