"""Answer checking speed and agreement: `reasoncraft.rewards.math_equal` against Math-Verify called
directly (`math_verify.parse` + `math_verify.verify`), on the same pairs, each arm in its own process.

Pairs: every MATH-500 gold answer (../shared/data/math500.jsonl) paired with an identical copy, an
equivalent rewriting and a wrong answer, in equal thirds, built here deterministically; the labels
are known by construction. Pairs are shuffled with a fixed seed so that neither arm gains from
order. A second, smaller quality check runs each arm on the hand-labelled pairs in
tests/fixtures/math_equal_pairs.jsonl (in-sample for ours: the checker was fixed against them).

Agreement on cases from other projects' test suites (tests/fixtures/checker_cases/: Math-Verify's
own suite; lighteval, simple-evals and MATH's tests; NeMo-Skills' `math_equal` tests and inspect_ai's
math scorer cases, sources added later and reported on their own; heldout9.jsonl, nine more sources
gathered in the ninth session; heldout9b.jsonl, three more, in-sample since the tenth; heldout10.jsonl, four more,
gathered in the tenth, in-sample since the eleventh; heldout11.jsonl, seven more, gathered and opened in the
eleventh; heldout12.jsonl and heldout13.jsonl, ten more, gathered in the eleventh, opened in the twelfth;
heldout14.jsonl, four more, gathered and opened in the twelfth; heldout15.jsonl and heldout16.jsonl, gathered in the
twelfth, opened in the thirteenth; heldout17.jsonl and heldout18.jsonl, gathered in the thirteenth (17 opened at
its end, 18 held out); heldout19.jsonl, real model completions, gathered in the fourteenth (held out), on raw
gold and prediction strings, reported for the dev half (ours was fixed against it) and the held-out half (never fixed
against; counts only) apart:
ours = `text_verdicts` (answer extracted, then checked), one call per pair so that the slowest pair
is timed; Math-Verify = `verify(parse(gold), parse(pred))` with its defaults, as its tests call it
(its default parse includes sympy's `parse_expr`, acceptable on this fixed data, not on model text).

Arms:
- ours: `math_equal_many(pairs)` (batched; the accuracy reward calls it this way), and the same
  pairs through per-call `math_equal` in a loop; each timed pass starts a fresh worker and empties the
  per-string memos (`rewards.memo`), so a pass never reuses work of an earlier one; the pairs of the
  last pass that reached the Math-Verify worker are counted (`MathChecker.worker_pairs`);
- Math-Verify direct, each answer wrapped as `\\boxed{...}` (the faster of the two usual wrappings:
  the primary baseline) and as `$...$`.

Run: flock /tmp/reasoncraft-heavy.lock .venv/bin/python benchmarks/verify.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import peak_rss_mb, run_arm, summary, versions, write_result  # noqa: E402

DATA = HERE.parent.parent / "shared" / "data" / "math500.jsonl"
FIXTURE = HERE.parent / "tests" / "fixtures" / "math_equal_pairs.jsonl"
CASES = HERE.parent / "tests" / "fixtures" / "checker_cases"
CASE_FILES = (
    "mathverify",
    "others",
    "nemo_skills",
    "inspect_ai",
    "more_sources",
    "other_languages",
    "new_heldout",
    "heldout9",
    "heldout9b",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
    "heldout15",
    "heldout16",
    "heldout17",
    "heldout18",
    "heldout19",
)
SEED = 0


# --- pairs ------------------------------------------------------------------------------------


def _rewritings(gold: str) -> list[str]:
    """Equivalent spellings of `gold` that a grader must accept (only those that apply)."""
    out = []
    s = gold.strip()
    if re.fullmatch(r"-?\d+", s):
        n = int(s)
        out += [f"{n}.0", f"\\frac{{{2 * n}}}{{2}}", f"x = {n}"]
        if abs(n) >= 1000:
            out.append(f"{n:,}")
    if re.fullmatch(r"-?\d+\.\d+", s):
        out += [s + "0", f"${s}$"]
    if "\\frac" in s:
        out.append(s.replace("\\frac", "\\dfrac"))
    if "\\dfrac" in s:
        out.append(s.replace("\\dfrac", "\\frac"))
    m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", s)
    if m:
        out.append(f"{m.group(1)}{m.group(2)}/{m.group(3)}")
    if s.startswith("(") and s.endswith(")") and "\\left" not in s:
        out.append("\\left" + s[:-1] + "\\right)")
    if "," in s and not re.fullmatch(r"-?\d{1,3}(,\d{3})+", s):
        out.append(re.sub(r",\s*", ", ", s))
    if re.fullmatch(r"\\text\{\(?[A-E]\)?\}", s):
        out.append(re.search(r"[A-E]", s).group(0))
    out += _sympy_rewritings(s)
    out.append(f"\\boxed{{{s}}}")
    out.append(" " + re.sub(r"([+=<>])", r" \1 ", s) + " ")
    return [r for r in out if r != gold]


def _sympy_rewritings(s: str) -> list[str]:
    """Rewritings that only a symbolic checker accepts: a two-term sum reordered, k*sqrt(m) as one
    root. They send part of the equivalent third through Math-Verify in both arms."""
    from reasoncraft.rewards.numeric import _split_top

    out = []
    if not re.search(r"[=,<>_]|\\pm|\\cup|\\in|matrix", s):
        parts = [p.strip() for p in _split_top(s, "+")]
        if len(parts) == 2 and all(parts) and "-" not in parts[0][1:] + parts[1]:
            first = parts[0]
            out.append(parts[1] + (" - " + first[1:] if first.startswith("-") else " + " + first))
    m = re.fullmatch(r"(\d+)\s*\\sqrt\{(\d+)\}", s)
    if m:
        out.append(f"\\sqrt{{{int(m.group(1)) ** 2 * int(m.group(2))}}}")
    return out


def _wrong(gold: str) -> str:
    """A non-equivalent answer: the first digit changed, or `+1` appended when there is none."""
    s = gold.strip()
    if re.fullmatch(r"-?\d+", s):
        return str(int(s) + 1)
    m = re.search(r"\d", s)
    if m:
        d = int(m.group(0))
        return s[: m.start()] + str((d + 1) % 10 if d != 0 else 7) + s[m.end() :]
    m = re.fullmatch(r"\\text\{\(?([A-E])\)?\}", s)
    if m:
        return "ABCDEA"["ABCDE".index(m.group(1)) + 1]
    if s.startswith("\\text{"):
        return s[:-1] + "s}"
    return s + "+1"


def build_pairs() -> list[dict]:
    golds = [json.loads(line)["answer"] for line in DATA.read_text().splitlines() if line.strip()]
    pairs = []
    for k, gold in enumerate(golds):
        options = _rewritings(gold)
        pairs.append({"gold": gold, "candidate": gold, "label": True, "kind": "identical"})
        pairs.append({"gold": gold, "candidate": options[k % len(options)], "label": True, "kind": "rewritten"})
        pairs.append({"gold": gold, "candidate": _wrong(gold), "label": False, "kind": "wrong"})
    random.Random(SEED).shuffle(pairs)
    return pairs


def load_fixture() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def load_cases(name: str) -> list[dict]:
    lines = (CASES / f"{name}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[1:] if line.strip()]  # line 0: sources and split seed


def case_agreement(arm: str) -> dict:
    """Agreement on each case file, dev and held-out apart, on raw strings; slowest pair for ours."""
    if arm == "ours":
        from reasoncraft.rewards.checker import text_verdicts

        text_verdicts([("1", "1+0*x")])  # worker start-up is not charged to a pair

        def check_one(g, p):
            return text_verdicts([(g, p)])[0] is True
    else:
        import logging

        from math_verify import parse, verify

        logging.getLogger("math_verify").setLevel(logging.ERROR)

        def check_one(g, p):
            return bool(verify(parse(g), parse(p)))

    out = {}
    for name in CASE_FILES:
        cases = load_cases(name)
        verdicts, seconds = [], []
        for c in cases:
            start = time.perf_counter()
            verdicts.append(check_one(c["gold"], c["candidate"]))
            seconds.append(time.perf_counter() - start)
        out[name] = {"max_seconds_per_pair": max(seconds), "total_seconds": sum(seconds)}
        for split in ("dev", "heldout", "all"):
            pick = [(v, c) for v, c in zip(verdicts, cases) if split == "all" or c["split"] == split]
            if not pick:  # new_heldout, heldout9b and heldout10 have no dev half
                continue
            quality = _quality([v for v, _ in pick], [c for _, c in pick])
            if split != "dev":  # counts only: the held-out cases (also inside "all") are not to be read
                quality["disagreements"] = len([v for v, c in pick if v != c["label"]])
            out[name][split] = quality
    return out


# --- arms (each runs in its own process) --------------------------------------------------------


def _quality(verdicts: list[bool], pairs: list[dict]) -> dict:
    wrong = [p for v, p in zip(verdicts, pairs) if v != p["label"]]
    return {
        "agreement": 1 - len(wrong) / len(pairs),
        "false_positives": sum(1 for p in wrong if not p["label"]),
        "false_negatives": sum(1 for p in wrong if p["label"]),
        "n": len(pairs),
        "disagreements": [{k: p[k] for k in ("gold", "candidate", "label")} for p in wrong[:40]],
    }


def _checker(arm: str):
    """(name, batch function over pairs, fresh-state function) for an arm."""
    if arm in ("ours", "ours_per_call"):
        import reasoncraft.rewards.checker as checker
        from reasoncraft.rewards.memo import clear_caches

        def fresh():  # a new worker and empty memos per repeat: no answer cached from an earlier repeat
            if checker._default is not None:
                checker._default.close()
            checker._default = checker.MathChecker()
            checker._default.verdicts([("x+1", "1+x")])  # start-up is not timed
            checker._default.worker_pairs = 0
            clear_caches()

        if arm == "ours":
            return lambda pairs: checker.math_equal_many(pairs), fresh
        return lambda pairs: [checker.math_equal(g, c) for g, c in pairs], fresh

    import logging

    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    wrap = (lambda s: "\\boxed{" + s + "}") if arm == "mathverify_boxed" else (lambda s: "$" + s + "$")

    def run(pairs):
        return [bool(verify(parse(wrap(g)), parse(wrap(c)))) for g, c in pairs]

    return run, lambda: None


def run_one_arm(arm: str, repeats: int) -> dict:
    pairs = build_pairs()
    check, fresh = _checker(arm)
    items = [(p["gold"], p["candidate"]) for p in pairs]
    check(items[:30])  # warm up imports and parsers
    times, verdicts, worker_pairs = [], None, None
    for _ in range(repeats):
        fresh()
        start = time.perf_counter()
        verdicts = check(items)
        times.append(time.perf_counter() - start)
    if arm.startswith("ours"):
        import reasoncraft.rewards.checker as checker

        worker_pairs = checker._default.worker_pairs  # pairs of the last pass that reached Math-Verify
    rates = [len(items) / t for t in times]
    fixture = load_fixture()
    fresh()
    fixture_verdicts = check([(p["gold"], p["candidate"]) for p in fixture])
    cases = case_agreement(arm) if arm in ("ours", "mathverify_boxed") else None
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {
        "arm": arm,
        **summary(rates),
        "seconds": times,
        "peak_mem_mb": round(peak_rss_mb(), 1),
        "peak_mem_worker_mb": round(children, 1) if arm.startswith("ours") else 0,
        "math500": _quality(verdicts, pairs),
        "fixture": _quality(fixture_verdicts, fixture),
        "cases": cases,
        "worker_pairs": worker_pairs,
    }


# --- driver ----------------------------------------------------------------------------------


def _cases_line(ours: dict, base: dict) -> str:
    parts = []
    for name, label in (
        ("mathverify", "Math-Verify's suite"),
        ("others", "lighteval/simple-evals/MATH cases"),
        ("nemo_skills", "second source, NeMo-Skills' math_equal tests"),
        ("inspect_ai", "third source, inspect_ai's math scorer cases"),
        ("new_heldout", "AReaL/SkyThought/rLLM/slime cases (eighth session; in-sample since the ninth)"),
        ("heldout9", "nine more sources, MARIO_EVAL/NeMo-RL/verifiers/OpenCompass/OpenRLHF/... (ninth session)"),
        ("heldout9b", "isaacphysics/lm-eval/ZeroEval cases (ninth session; in-sample since the tenth)"),
        ("heldout10", "STACK/DART-Math/tinker-cookbook/RM-Gallery cases (tenth session; in-sample since the eleventh)"),
        ("heldout11", "HELM/MindSpeed-RL/compose-rl/NeMo-Gym/Trinity-RFT/evalscope/KAS cases (eleventh; in-sample)"),
        ("heldout12", "torchforge/miles/tunix/SkyRL/lmms-eval/Eval360 cases (eleventh; in-sample since the twelfth)"),
        ("heldout13", "mindrlhf/strands-env/reasoning-gym/MathCore cases (eleventh; in-sample since the twelfth)"),
        ("heldout14", "ms-swift/CortexJS/mathjs/math-expressions cases (twelfth; opened in the twelfth)"),
        ("heldout15", "sieval/bonsai-fold/math-expressions cases (twelfth session; opened in the thirteenth)"),
        ("heldout16", "Molt/chopthin/MITx/Oppia cases (twelfth session; opened in the thirteenth)"),
        ("heldout17", "pie-framework/CAMEL/kolibrify cases (thirteenth session; opened at its end)"),
        ("heldout18", "seven ML graders' cases (thirteenth session, held out through the fourteenth)"),
        ("heldout19", "GSM8K/Qwen2.5-Math/RewardMATH/CompassVerifier model completions (fourteenth session, held out)"),
    ):
        o, b = ours["cases"][name], base["cases"][name]
        if "dev" not in o:  # one split only
            parts.append(
                f"{label} (raw strings; ours vs Math-Verify direct): **{o['all']['agreement']:.4f}** vs "
                f"{b['all']['agreement']:.4f} (n={o['all']['n']}, false positives {o['all']['false_positives']} vs "
                f"{b['all']['false_positives']}); slowest pair {o['max_seconds_per_pair']:.2f} s"
            )
            continue
        parts.append(
            f"{label} (raw strings; ours vs Math-Verify direct): all {o['all']['agreement']:.4f} vs "
            f"{b['all']['agreement']:.4f} "
            f"(n={o['all']['n']}, false positives {o['all']['false_positives']} vs {b['all']['false_positives']}), "
            f"dev {o['dev']['agreement']:.4f}, **held-out {o['heldout']['agreement']:.4f}** vs "
            f"{b['heldout']['agreement']:.4f} "
            f"(n={o['heldout']['n']}, false positives {o['heldout']['false_positives']}); slowest pair "
            f"{o['max_seconds_per_pair']:.2f} s"
        )
    return "; ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over all pairs per arm (>= 3)")
    parser.add_argument("--arm", help="internal: run one arm in this process and print its JSON")
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(run_one_arm(args.arm, args.repeats)))
        return
    if not DATA.exists():
        sys.exit(f"MATH-500 answers not found at {DATA}; this benchmark reads ../shared/data/math500.jsonl")
    load_start = os.getloadavg()
    pairs = build_pairs()
    arms = {}
    for arm in ("mathverify_boxed", "mathverify_dollar", "ours", "ours_per_call"):
        arms[arm] = run_arm(__file__, ["--arm", arm, "--repeats", str(args.repeats)])
        print(
            f"{arm}: {arms[arm]['median']:.0f} checks/s, math500 agreement {arms[arm]['math500']['agreement']:.4f}, "
            f"fixture agreement {arms[arm]['fixture']['agreement']:.4f}",
            flush=True,
        )
        for name, got in (arms[arm].get("cases") or {}).items():
            print(
                f"  {name}: dev {got.get('dev', got['all'])['agreement']:.4f}, "
                f"held-out {got['heldout']['agreement']:.4f} "
                f"(FP {got['all']['false_positives']}), slowest {got['max_seconds_per_pair']:.2f} s",
                flush=True,
            )
    load_end = os.getloadavg()
    ours, base = arms["ours"], arms["mathverify_boxed"]

    def arm_record(a: dict, name: str | None = None) -> dict:
        record = {k: a[k] for k in ("median", "min", "max", "runs", "seconds", "peak_mem_mb")}
        if a.get("peak_mem_worker_mb"):
            record["peak_mem_worker_mb"] = a["peak_mem_worker_mb"]
        record["math500"] = a["math500"]
        record["fixture"] = a["fixture"]
        if a.get("cases"):
            record["cases"] = a["cases"]
        return ({"name": name} if name else {}) | record

    kinds = {k: sum(p["kind"] == k for p in pairs) for k in ("identical", "rewritten", "wrong")}
    sent_to_sympy = ours["worker_pairs"]
    result = {
        "name": "verify",
        "device": f"cpu, {os.cpu_count()} cores (shared machine)",
        "versions": versions("math-verify", "sympy", "latex2sympy2_extended") | {"python": sys.version.split()[0]},
        "setting": (
            f"{len(pairs)} (gold, candidate) pairs from the {len(pairs) // 3} MATH-500 gold answers, "
            f"{kinds['identical']} identical / {kinds['rewritten']} rewritten-equivalent / {kinds['wrong']} wrong, "
            f"shuffled (seed {SEED}); {args.repeats} timed passes per arm after a 30-pair warm-up, each arm in its own "
            "process; ours = math_equal_many (batched) with a fresh worker and empty memos per pass, start-up not "
            "timed; "
            f"plus agreement on the {len(load_fixture())} hand-labelled pairs of "
            "tests/fixtures/math_equal_pairs.jsonl, "
            "and on the cases of tests/fixtures/checker_cases/ (raw strings; dev and held-out halves apart; ours: "
            "text_verdicts one pair per call; Math-Verify: verify(parse(g), parse(p)) with its defaults)"
        ),
        "metric": "checks per second (higher is better); agreement with the known labels",
        "ours": arm_record(ours),
        "baseline": arm_record(base, "Math-Verify direct: verify(parse('\\boxed{g}'), parse('\\boxed{c}'))"),
        "other_arms": {
            "ours_per_call": arm_record(arms["ours_per_call"], "math_equal called once per pair"),
            "mathverify_dollar": arm_record(
                arms["mathverify_dollar"], "Math-Verify direct with '$g$' / '$c$' wrapping"
            ),
        },
        "speedup": ours["median"] / base["median"],
        "speedup_per_call": arms["ours_per_call"]["median"] / base["median"],
        "target": 5.0,
        "ours_pairs_sent_to_math_verify": sent_to_sympy,
        "load": {"start": load_start, "end": load_end},
    }
    path = write_result(
        result,
        f"verify (cpu, shared, load {load_start[0]:.1f}->{load_end[0]:.1f}): math_equal_many "
        f"{ours['median']:.0f} checks/s (min {ours['min']:.0f}, max {ours['max']:.0f}) vs Math-Verify direct "
        f"{base['median']:.0f} (min {base['min']:.0f}, max {base['max']:.0f}) = {result['speedup']:.1f}x "
        f"(per-call math_equal {result['speedup_per_call']:.1f}x); agreement on {len(pairs)} MATH-500 pairs "
        f"{ours['math500']['agreement']:.4f} vs {base['math500']['agreement']:.4f} "
        f"(false positives {ours['math500']['false_positives']} vs {base['math500']['false_positives']}); "
        f"on {ours['fixture']['n']} hand-labelled pairs {ours['fixture']['agreement']:.4f} vs "
        f"{base['fixture']['agreement']:.4f} "
        f"($-wrapped Math-Verify {arms['mathverify_dollar']['fixture']['agreement']:.4f}). Only {sent_to_sympy} of "
        f"{len(pairs)} pairs reach sympy in ours: the speed is the cheap paths. Target 5x. " + _cases_line(ours, base),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
