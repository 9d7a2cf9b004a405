"""Learned process reward models (issue #19): labelling throughput, and a PRM trained on automatic labels
against majority voting and the rule-based verifier.

--part speed: Monte Carlo step labels for the same solutions with the step prefixes batched into one backend
  call each (`prefixes_per_call=16`; each prefix is one request of K samples sharing its prefill) against one
  prefix per backend call (`prefixes_per_call=1`). Each arm in its own process, from an empty cache, repeated;
  rollouts per second of labelling wall time, and whether both arms wrote the same labels.

--part quality: on the task's train split, Monte Carlo labels (problems x solutions x K rollouts), a PRM
  trained on them (`train_prm`); on dev problems the step-score aggregation is chosen (PRM-weighted best-of-8,
  lenient accuracy); on held-out test problems one draw of 8 samples per problem is ranked by majority vote, by
  PRM-weighted and PRM best-of-8, and by the rule-based verifier the same ways; PRM beam search and verifier
  beam search draw their own. Strict and lenient accuracy per arm, and paired bootstrap 95% intervals
  (reasoncraft.math.paired_bootstrap) of each arm against majority@8 and of each PRM arm against its verifier
  twin. Every stage is cached under --work, so a rerun picks up where a killed one stopped.

    flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/prm.py --part quality --work runs/bench-prm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import device_name, versions, write_result  # noqa: E402


def _setup(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


# --- speed ----------------------------------------------------------------------------------------------------


def speed_arm(args: argparse.Namespace) -> dict:
    """One labelling run from a cache holding the solutions only (drawn once, by the first arm, and not timed)."""
    _setup(args.threads)
    from reasoncraft.backends import HFBackend, SamplingParams
    from reasoncraft.data.step_labels import make_step_labels, read_labels
    from reasoncraft.tasks import get_task

    task = get_task(args.task, template=args.template, reward=args.label_reward)
    problems = task.problems("train", limit=args.problems)
    backend = HFBackend.from_name(args.model)
    sampling = SamplingParams(temperature=args.temperature, max_new_tokens=args.max_new_tokens, seed=0)
    common = dict(solutions=args.solutions, rollouts=args.rollouts, sampling=sampling, max_steps=args.max_steps)
    solutions = Path(args.work) / f"speed-solutions-{args.problems}x{args.solutions}"
    if not (solutions / "labels.jsonl").exists():  # the same solutions in every arm: sampled once, cached
        make_step_labels(task, problems, backend, solutions, method="verifier", **common)
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(solutions / "completions", Path(folder) / "completions")  # only the rollouts are drawn below
        started = time.perf_counter()
        report = make_step_labels(task, problems, backend, folder, prefixes_per_call=args.prefixes_per_call, **common)
        wall = time.perf_counter() - started
        labels = {k: r["soft"] for k, r in read_labels(Path(folder) / "labels.jsonl").items()}
    return {
        "wall_s": wall,
        "rollouts": report.rollouts,
        "prefixes": report.prefixes,
        "rollout_tokens": report.rollout_completion_tokens,
        "rollouts_per_s": report.rollouts / wall,
        "labels": labels,
    }


def speed(args: argparse.Namespace) -> dict:
    from common import run_arm

    arms = {"batched": 16, "one_prefix": 1}
    runs: dict[str, list[dict]] = {name: [] for name in arms}
    load_start = os.getloadavg()
    for _ in range(args.repeats):
        for name, per_call in arms.items():
            extra = ["--prefixes-per-call", str(per_call)]
            runs[name].append(run_arm(__file__, [*_arm_args(args), "--part", "speed-arm", *extra]))
    load_end = os.getloadavg()
    if not runs["batched"][0]["rollouts"]:
        raise SystemExit("no step prefix to roll out: the policy wrote no multi-step solution; raise --problems")
    same = all(r["labels"] == runs["batched"][0]["labels"] for rs in runs.values() for r in rs)
    stats = {
        name: {
            "median": statistics.median(r["rollouts_per_s"] for r in rs),
            "min": min(r["rollouts_per_s"] for r in rs),
            "max": max(r["rollouts_per_s"] for r in rs),
            "wall_s": [round(r["wall_s"], 2) for r in rs],
            "rollouts": rs[0]["rollouts"],
            "prefixes": rs[0]["prefixes"],
        }
        for name, rs in runs.items()
    }
    return {
        "name": "prm_labelling",
        "device": device_name(),
        "versions": versions(),
        "setting": f"Monte Carlo step labels of {args.problems} {args.task} train problems x {args.solutions} "
        f"solutions of {args.model} (template {args.template}, T={args.temperature}, <= {args.max_new_tokens} "
        f"tokens, <= {args.max_steps} steps) x K={args.rollouts} rollouts scored by {args.label_reward}; "
        f"{args.threads} torch thread(s); {args.repeats} repeats per arm, each in its own process",
        "metric": "rollouts per second of labelling wall time (higher is better)",
        "ours": {"name": "prefixes batched, 16 per backend call", **stats["batched"]},
        "baseline": {"name": "one prefix per backend call", **stats["one_prefix"]},
        "speedup": stats["batched"]["median"] / stats["one_prefix"]["median"],
        "same_labels": same,
        "target": 2.0,
        "load": {"start": load_start, "end": load_end},
    }


def _arm_args(args: argparse.Namespace) -> list[str]:
    return [
        "--model", args.model, "--task", args.task, "--problems", str(args.problems), "--solutions",
        str(args.solutions), "--rollouts", str(args.rollouts), "--max-new-tokens", str(args.max_new_tokens),
        "--max-steps", str(args.max_steps), "--threads", str(args.threads), "--work", args.work,
        "--template", args.template, "--temperature", str(args.temperature), "--label-reward", args.label_reward,
    ]  # fmt: skip


# --- design: label balance of candidate settings, on a few train problems --------------------------------------


def label_balance(records: list[dict]) -> dict:
    """What a set of label records offers a PRM: correct solutions, steps per solution, share of good steps."""
    steps = [len(r["steps"]) for r in records]
    labelled = [y for r in records for y in r["hard"] if y is not None]
    soft = [y for r in records for y in r["soft"] if y is not None]
    return {
        "solutions": len(records),
        "correct": statistics.mean(float(r["correct"]) for r in records),
        "steps_per_solution": statistics.mean(steps),
        "multi_step_share": statistics.mean(float(n > 1) for n in steps),
        "labelled_steps": len(labelled),
        "good_share_hard": statistics.mean(labelled),
        "mean_soft": statistics.mean(soft),
        "fractional_soft": sum(0 < y < 1 for y in soft),
    }


def design(args: argparse.Namespace) -> dict:
    """Monte Carlo labels of `--problems` train problems under each `--designs` entry (template:T:label reward)."""
    _setup(args.threads)
    from reasoncraft.backends import HFBackend, SamplingParams
    from reasoncraft.data.step_labels import make_step_labels, read_labels
    from reasoncraft.tasks import get_task

    backend = HFBackend.from_name(args.model)
    out = {}
    for spec in args.designs:
        template, temperature, reward = spec.split(":")
        task = get_task(args.task, template=template, reward=reward)
        folder = Path(args.work) / f"design-{template}-{temperature}-{reward}"
        report = make_step_labels(
            task, task.problems("train", limit=args.problems), backend, folder, solutions=args.solutions,
            rollouts=args.rollouts, max_steps=args.max_steps, log=print,
            sampling=SamplingParams(temperature=float(temperature), max_new_tokens=args.max_new_tokens),
        )  # fmt: skip
        records = list(read_labels(folder / "labels.jsonl").values())
        out[spec] = {**label_balance(records), "cost": report.to_dict()}
        print(spec, json.dumps(out[spec]), flush=True)
    return out


# --- quality --------------------------------------------------------------------------------------------------


def _pool(backend, task, problems, n: int, max_new_tokens: int, temperature: float, seed: int, cache):
    """n samples per problem through the one sample-and-score path, strict and lenient verdicts per sample."""
    from reasoncraft.backends.base import SamplingParams, backend_hash
    from reasoncraft.rewards.lenient import lenient_answer
    from reasoncraft.samples import sample_key
    from reasoncraft.sampling import sample_and_score

    sampling = SamplingParams(n=n, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
    prompts = [task.prompt(p) for p in problems]
    policy = backend_hash(backend)  # hashes every weight: once, not once per sample
    keys = [[sample_key(policy, pr, sampling.to_dict(), j) for j in range(n)] for pr in prompts]
    drawn = sample_and_score(
        backend, task, problems, prompts, sampling, rewards=task.reward_set(measures=True), keys=keys, cache=cache,
        batch_problems=8,
    )  # fmt: skip
    return [
        [
            {
                "text": s.completion,
                "strict_answer": s.extracted,
                "lenient_answer": lenient_answer(s.completion, task.extract),
                "strict": bool(s.correct),
                "lenient": s.breakdown.get("lenient_accuracy") == 1.0,
                "tokens": s.completion_tokens,
            }
            for s in group
        ]
        for group in drawn.samples
    ]


def _select(group: list[dict], scores: list[float] | None, how: str) -> dict[str, bool]:
    """Strict and lenient correctness of one problem's pick: a (weighted) vote per reading, or the best score."""
    from reasoncraft.math import best_of_n, weighted_vote
    from reasoncraft.rewards import math_equal

    out = {}
    for reading in ("strict", "lenient"):
        if how == "best":
            index = best_of_n(scores)
        else:
            weights = [1.0] * len(group) if how == "majority" else scores
            index = weighted_vote([g[f"{reading}_answer"] for g in group], weights, math_equal).index
        out[reading] = index is not None and group[index][reading]
    return out


def _outcome_scores(scorer, questions: list[str], groups: list[list[dict]], aggregation: str) -> list[list[float]]:
    from reasoncraft.scorers import StepsAsOutcome

    outcome = StepsAsOutcome(scorer, aggregation)
    flat_q = [q for q, g in zip(questions, groups) for _ in g]
    flat = outcome.score(flat_q, [s["text"] for g in groups for s in g])
    it = iter(flat)
    return [[next(it) for _ in g] for g in groups]


def _step_scores(prm, problems, groups: list[list[dict]]) -> list[list[list[float]]]:
    """The PRM's score of every step of every sample, once (each aggregation reads them)."""
    from reasoncraft.math import split_steps

    flat = prm.score_steps(
        [p.question for p, g in zip(problems, groups) for _ in g],
        [split_steps(s["text"], "\n\n") or [s["text"]] for g in groups for s in g],
    )
    it = iter(flat)
    return [[next(it) for _ in g] for g in groups]


def _beam(backend, task, problems, scorer, args, aggregation: str, cache: Path) -> list[dict[str, bool]]:
    """Beam search outcomes on `problems`, cached in `cache` after every batch of 25: a rerun with more problems
    keeps the outcomes already there and searches only the rest (the new ones from their own batches)."""
    from reasoncraft.rewards.lenient import lenient_accuracy_reward
    from reasoncraft.scaling import BeamSearch

    search = BeamSearch(
        scorer=scorer, n=8, beam_width=args.beam_width, aggregation=aggregation, max_steps=args.beam_steps,
        max_step_tokens=args.beam_step_tokens, max_final_tokens=args.max_new_tokens, temperature=args.temperature,
        seed=args.seed, template=task.default_template,
    )  # fmt: skip
    out = json.loads(cache.read_text()) if cache.exists() else []
    for start in range(len(out), len(problems), 25):
        batch = problems[start : start + 25]
        outcomes = search.solve(backend, [task.prompt(p) for p in batch], [p.question for p in batch])
        for p, o in zip(batch, outcomes):
            strict = bool(task.score(p, o.text).correct)
            lenient = lenient_accuracy_reward([o.text], answer=[p.answer])[0] == 1.0
            out.append({"strict": strict, "lenient": lenient})
        cache.write_text(json.dumps(out))
    return out[: len(problems)]


def ranking_quality(pool: list[list[dict]], scores: list[list[float]]) -> dict:
    """How well scores rank a problem's samples, lenient reading: the share of (right, wrong) pairs within a
    problem ordered right above wrong (ties count half; 0.5 is chance), over problems with both kinds."""
    ordered, pairs = 0.0, 0
    for group, row in zip(pool, scores):
        right = [s for g, s in zip(group, row) if g["lenient"]]
        wrong = [s for g, s in zip(group, row) if not g["lenient"]]
        for r in right:
            for w in wrong:
                ordered += 1.0 if r > w else 0.5 if r == w else 0.0
                pairs += 1
    return {"within_problem_auc": ordered / pairs if pairs else None, "pairs": pairs}


def _stage(path: Path, make):
    if path.exists():
        return json.loads(path.read_text())
    value = make()
    path.write_text(json.dumps(value))
    return value


def quality(args: argparse.Namespace) -> dict:
    _setup(args.threads)
    from reasoncraft.backends import HFBackend, SamplingParams
    from reasoncraft.backends.base import backend_hash
    from reasoncraft.data.step_labels import make_step_labels
    from reasoncraft.math import aggregate, paired_bootstrap
    from reasoncraft.samples import CompletionCache
    from reasoncraft.scorers import ArithmeticVerifier, load_scorer
    from reasoncraft.tasks import get_task
    from reasoncraft.train.prm import train_prm
    from reasoncraft.train.prm_config import PRMConfig

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    task = get_task(args.task, template=args.template)  # scored strictly, lenient accuracy measured beside
    label_task = get_task(args.task, template=args.template, reward=args.label_reward)
    backend = HFBackend.from_name(args.model)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    labels = _stage(work / "labels_report.json", lambda: make_step_labels(
        label_task, task.problems("train", limit=args.problems), backend, work / "labels", solutions=args.solutions,
        rollouts=args.rollouts, max_steps=args.max_steps, prefixes_per_call=16, log=print,
        sampling=SamplingParams(temperature=args.temperature, max_new_tokens=args.max_new_tokens),
    ).to_dict())  # fmt: skip
    timings["labels_s"] = time.perf_counter() - started
    print("labels:", labels, flush=True)

    prm_dir = work / f"prm-{args.label_kind}-{'lora' if args.lora_r else 'full'}"
    started = time.perf_counter()
    trained = _stage(prm_dir.with_suffix(".json"), lambda: train_prm(PRMConfig(
        model=args.model, labels=[str(work / "labels" / "labels.jsonl")], label_kind=args.label_kind,
        lora_r=args.lora_r, learning_rate=args.learning_rate, epochs=args.epochs, batch_size=16, micro_batch_size=8,
        out_dir=str(prm_dir), num_threads=args.threads, seed=args.seed,
    ), log=print))  # fmt: skip
    timings["train_s"] = time.perf_counter() - started
    print("trained:", trained.get("held_out"), flush=True)

    prm = load_scorer(str(prm_dir / "model"), device="cpu")
    verifier = ArithmeticVerifier()
    cache = CompletionCache(work / "pool-cache", backend_hash(backend))

    # settings chosen on dev: the aggregation of PRM step scores, by PRM-weighted best-of-8 lenient accuracy
    dev = task.problems("dev", limit=args.dev_problems)

    def draw(problems):
        return _pool(backend, task, problems, 8, args.max_new_tokens, args.temperature, args.seed, cache)

    dev_pool = _stage(work / "dev_pool.json", lambda: draw(dev))
    dev_acc = {}
    dev_steps = _stage(work / f"dev_steps_{prm_dir.name}.json", lambda: _step_scores(prm, dev, dev_pool))
    for aggregation in ("last", "min", "prod"):
        scores = [[aggregate(s, aggregation) for s in row] for row in dev_steps]
        dev_acc[aggregation] = statistics.mean(_select(g, s, "weighted")["lenient"] for g, s in zip(dev_pool, scores))
    aggregation = max(dev_acc, key=dev_acc.get)  # ties to the first: last
    print("dev:", dev_acc, "->", aggregation, flush=True)

    test = task.problems("test", limit=args.test_problems)
    started = time.perf_counter()
    pool = _stage(work / "test_pool.json", lambda: draw(test))
    timings["test_pool_s"] = time.perf_counter() - started
    questions = [p.question for p in test]
    prm_scores = _stage(work / f"scores_{prm_dir.name}_{aggregation}.json",
                        lambda: _outcome_scores(prm, questions, pool, aggregation))  # fmt: skip
    rule_scores = _outcome_scores(verifier, questions, pool, "last")
    arms = {
        "majority@8": [_select(g, None, "majority") for g in pool],
        "prm_weighted_bo8": [_select(g, s, "weighted") for g, s in zip(pool, prm_scores)],
        "prm_bo8": [_select(g, s, "best") for g, s in zip(pool, prm_scores)],
        "verifier_weighted_bo8": [_select(g, s, "weighted") for g, s in zip(pool, rule_scores)],
        "verifier_bo8": [_select(g, s, "best") for g, s in zip(pool, rule_scores)],
    }
    ranking = {"prm": ranking_quality(pool, prm_scores), "verifier": ranking_quality(pool, rule_scores)}
    for name, folder in (x.split("=", 1) for x in args.extra_prm):  # earlier PRMs scored on the same pool
        other = load_scorer(folder, device="cpu")
        scores = _stage(work / f"scores_{name}_{aggregation}.json",
                        lambda other=other: _outcome_scores(other, questions, pool, aggregation))  # fmt: skip
        arms[f"{name}_weighted_bo8"] = [_select(g, s, "weighted") for g, s in zip(pool, scores)]
        ranking[name] = ranking_quality(pool, scores)
    twins = [(n, "majority@8") for n in arms if n != "majority@8"]
    twins += [("prm_weighted_bo8", "verifier_weighted_bo8"), ("prm_bo8", "verifier_bo8")]
    if args.beam_steps:
        beam_test = test[: args.beam_problems]
        beam = {
            "prm_beam": (work / f"beam_prm_{prm_dir.name}_{aggregation}.json", prm, aggregation),
            "verifier_beam": (work / "beam_verifier.json", verifier, "last"),
        }
        for name in [n for n in beam if args.beam_arms in ("both", n.split("_")[0])]:
            cache, scorer, how = beam[name]
            started = time.perf_counter()
            arms[name] = _beam(backend, task, beam_test, scorer, args, how, cache)
            timings[f"{name}_s"] = time.perf_counter() - started
        twins += [(n, "majority@8") for n in beam if n in arms]
        twins += [("prm_beam", "verifier_beam")] if args.beam_arms == "both" else []
    arms["pass@8 (oracle)"] = [{r: any(s[r] for s in g) for r in ("strict", "lenient")} for g in pool]
    accuracy = {
        name: {"problems": len(rows), **{r: statistics.mean(float(x[r]) for x in rows) for r in ("strict", "lenient")}}
        for name, rows in arms.items()
    }
    pairs = []
    for a, b in twins:
        size = min(len(arms[a]), len(arms[b]))  # the beam arms run on the first --beam-problems test problems
        for r in ("strict", "lenient"):
            ci = paired_bootstrap(
                [float(x[r]) for x in arms[a][:size]], [float(x[r]) for x in arms[b][:size]], seed=args.seed
            )
            interval = {k: ci[k] for k in ("diff", "low", "high")}
            pairs.append({"a": a, "b": b, "reading": r, "problems": size, **interval})
    best = next(p for p in pairs if (p["a"], p["b"], p["reading"]) == ("prm_weighted_bo8", "majority@8", "lenient"))
    return {
        "name": "prm",
        "device": device_name(),
        "versions": versions(),
        "setting": f"{args.model} on {args.task}, template {args.template}, T={args.temperature}, <= "
        f"{args.max_new_tokens} new tokens: MC labels (rollouts scored by {args.label_reward}) on {args.problems} "
        f"train problems x {args.solutions} solutions x K={args.rollouts} (<= {args.max_steps} steps); PRM "
        f"{args.label_kind} labels, {'LoRA r=' + str(args.lora_r) if args.lora_r else 'full'} fine-tuning, lr "
        f"{args.learning_rate}, {args.epochs} epochs; aggregation chosen on {args.dev_problems} dev problems; "
        f"{args.test_problems} test problems, 8 samples each; beam N=8 M={args.beam_width} "
        f"<= {args.beam_steps} steps of <= {args.beam_step_tokens} tokens on the first {args.beam_problems}",
        "metric": "accuracy (strict: the task's reward; lenient: lenient_accuracy), paired bootstrap 95% CIs",
        "labels": labels,
        "train": {"held_out": trained.get("held_out"), "steps": trained.get("steps")},
        "dev_aggregation": dev_acc,
        "aggregation": aggregation,
        "accuracy": accuracy,
        "ranking": ranking,
        "pairs": pairs,
        "ours": {"name": "PRM-weighted best-of-8", **accuracy["prm_weighted_bo8"]},
        "baseline": {"name": "majority@8", **accuracy["majority@8"]},
        "target": "PRM-weighted best-of-8 beats majority@8 in lenient accuracy with a 95% interval above 0",
        "met": best["low"] > 0,
        "timings_s": timings,
        "load": {"start": load_start, "end": os.getloadavg()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["speed", "speed-arm", "design", "quality"], required=True)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--task", default="arith-sum-2d")
    parser.add_argument("--problems", type=int, default=128, help="train problems labelled")
    parser.add_argument("--solutions", type=int, default=4)
    parser.add_argument("--rollouts", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--max-steps", type=int, default=4, help="steps labelled per solution at most")
    parser.add_argument("--prefixes-per-call", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", default="runs/bench-prm")
    parser.add_argument("--label-kind", default="soft", choices=["soft", "hard"])
    parser.add_argument("--lora-r", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--dev-problems", type=int, default=64)
    parser.add_argument("--test-problems", type=int, default=200)
    parser.add_argument("--beam-width", type=int, default=2)
    parser.add_argument("--beam-steps", type=int, default=4, help="0: no beam search arms")
    parser.add_argument("--beam-step-tokens", type=int, default=48)
    parser.add_argument("--beam-problems", type=int, default=200, help="beam arms on the first N test problems")
    parser.add_argument("--beam-arms", default="both", choices=["both", "prm", "verifier"],
                        help="beam arms to run (two processes may share --work, one arm each)")  # fmt: skip
    parser.add_argument("--template", default="arithmetic", help="prompt template of solutions, rollouts and pools")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--label-reward", default="accuracy", help="reward that scores rollouts (labels)")
    parser.add_argument("--extra-prm", nargs="*", default=[], help="NAME=FOLDER: earlier PRMs scored on the pool")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--designs", nargs="+", default=["arithmetic:0.8:accuracy", "arithmetic:0.8:lenient_accuracy"],
                        help="--part design: template:temperature:label reward entries")  # fmt: skip
    parser.add_argument("--no-write", action="store_true", help="print the result instead of writing results/")
    args = parser.parse_args()
    if args.part == "speed-arm":
        print(json.dumps(speed_arm(args)))
        return
    if args.part == "design":
        print(json.dumps(design(args), indent=2))
        return
    result = speed(args) if args.part == "speed" else quality(args)
    print(json.dumps({k: v for k, v in result.items() if k != "labels" or args.part == "quality"}, indent=2))
    if args.no_write:
        return
    if args.part == "speed":
        line = (
            f"prm_labelling ({result['device']}, load "
            f"{result['load']['start'][0]:.1f}->{result['load']['end'][0]:.1f}): "
            f"{result['ours']['median']:.2f} rollouts/s "
            f"(min {result['ours']['min']:.2f}, max {result['ours']['max']:.2f}) with prefixes batched vs "
            f"{result['baseline']['median']:.2f} ({result['baseline']['min']:.2f}-{result['baseline']['max']:.2f}) one "
            f"prefix per call = {result['speedup']:.2f}x (target 2x); same labels: {result['same_labels']}. "
            f"{result['setting']}."
        )
    else:
        acc = result["accuracy"]
        line = (
            f"prm ({result['device']}, load {result['load']['start'][0]:.1f}->{result['load']['end'][0]:.1f}): "
            + "; ".join(f"{k} strict {v['strict']:.3f} lenient {v['lenient']:.3f}" for k, v in acc.items())
            + ". "
            + "; ".join(
                f"{p['a']} - {p['b']} ({p['reading']}) {p['diff']:+.3f} [{p['low']:+.3f}, {p['high']:+.3f}]"
                for p in result["pairs"]
            )
            + f". Target met: {result['met']}. {result['setting']}."
        )
    write_result(result, line)


if __name__ == "__main__":
    main()
