"""The recipes end to end on tiny random models: each route, their comparison, resuming after SIGKILL.

The base model is a tiny random llama given 40 SFT steps on "Answer: 7" (`sevens_base`), and the task a
user task whose every answer is 7: so sampled data verifies correct often enough for r1's data stages to
have something to keep, in seconds. The real presets (quick, full, GPU) are not run here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reasoncraft.config import ConfigError, load_config
from reasoncraft.math.stats import paired_bootstrap
from reasoncraft.recipes.compare import plan
from reasoncraft.recipes.runner import prepare, run_recipe
from reasoncraft.recipes.settings import RecipeConfig
from reasoncraft.recipes.stages import StageOutputTooSmall, read_stage
from reasoncraft.rewards.lenient import lenient_answer
from reasoncraft.samples import read_jsonl


def _questions() -> list[str]:
    sums = [f"What is {a} + {7 - a}?" for a in range(8)]
    differences = [f"What is {b + 7} - {b}?" for b in range(1, 22)]
    return sums + differences + ["What is 1 * 7?", "What is 7 * 1?"]


def taught_tiny_llama(root: Path, rows: list[dict], steps: int, max_seq_length: int, batch_tokens: int) -> str:
    """A tiny random llama given `steps` SFT steps (lr 3e-3) on chat `rows`; its model folder under `root`."""
    from reasoncraft.testing import tiny_model
    from reasoncraft.train.sft import train_sft
    from reasoncraft.train.sft_config import SFTConfig

    (root / "sft.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    model, tokenizer = tiny_model("llama")
    config = SFTConfig(
        model="tiny",
        datasets=[str(root / "sft.jsonl")],
        max_steps=steps,
        learning_rate=3e-3,
        max_seq_length=max_seq_length,
        micro_batch_tokens=batch_tokens,
        out_dir=str(root / "base"),
        num_threads=1,
        save_steps=-1,
    )
    train_sft(config, model=model, tokenizer=tokenizer, log=lambda message: None)
    return str(root / "base" / "model")


@pytest.fixture(scope="module")
def sevens_base(tmp_path_factory) -> dict:
    """A user task whose answers are all 7, and a tiny llama taught to answer "Answer: 7" (its folder)."""
    from reasoncraft.tasks import get_task

    root = tmp_path_factory.mktemp("sevens")
    questions = _questions()
    splits = {"test": questions[::4], "train": [q for i, q in enumerate(questions) if i % 4]}
    for split, rows in splits.items():
        (root / f"{split}.jsonl").write_text("".join(json.dumps({"question": q, "answer": "7"}) + "\n" for q in rows))
    (root / "sevens.yaml").write_text(
        "name: sevens\nsplits: {test: test.jsonl, train: train.jsonl}\ncolumns: {question: question, answer: answer}\n"
        "template: arithmetic\nreward: accuracy\n"
    )
    task = get_task(str(root / "sevens.yaml"))
    data = [
        {"messages": [*task.prompt(p, "arithmetic"), {"role": "assistant", "content": "Answer: 7"}]}
        for p in task.problems("train")
    ]
    model = taught_tiny_llama(root, data, steps=40, max_seq_length=128, batch_tokens=256)
    return {"task": str(root / "sevens.yaml"), "model": model}


def tiny_settings(base: dict, out: Path, **overrides) -> RecipeConfig:
    values = dict(
        model=base["model"],
        task=base["task"],
        template="arithmetic",
        problems=8,
        max_new_tokens=8,
        scaling_max_n=2,
        rl_rewards=["accuracy"],
        rl_reward_weights=None,
        rl_steps=2,
        rl_batch_size=4,
        rl_num_generations=2,
        rl_micro_batch_size=4,
        rl_learning_rate=1e-4,
        r1_rl_steps=1,
        final_rl_steps=1,
        cold_start_problems=4,
        cold_start_k=2,
        rejection_problems=4,
        rejection_k=2,
        sft_max_steps=2,
        sft_gradient_accumulation_steps=1,
        sft_max_seq_length=128,
        distill_problems=4,
        teacher=base["model"],
        min_sft_examples=1,
        batch_problems=8,
        workers=1,
        num_threads=1,
        out_dir=str(out),
    )
    values.update(overrides)
    return RecipeConfig.from_values(values)


TIMING = ("train_wall_s",)


def _without_timing(comparison: dict) -> dict:
    return {**comparison, "routes": [{k: v for k, v in r.items() if k not in TIMING} for r in comparison["routes"]]}


def test_each_route_then_compare_chains_and_reuses_stages(sevens_base, tmp_path):
    """Each route runs end to end; stages chain (a stage reads its input's model or data); compare afterwards
    reruns nothing but the comparison, and r1 reuses r1-zero's GRPO stage instead of training it again."""
    out = tmp_path / "recipes"
    lines: list[str] = []
    for recipe in ("scaling", "r1-zero", "distill", "r1"):
        run_recipe(recipe, tiny_settings(sevens_base, out), log=lines.append)
        table = (out / "comparison" / "table.md").read_text()
        assert "base (" in table and recipe.split("-")[0] in table
    assert any(line.endswith("r1-zero/seed0/grpo: done before, skipped") for line in lines)  # shared with r1
    lines.clear()
    record = run_recipe("compare", tiny_settings(sevens_base, out), log=lines.append)
    ran = [line for line in lines if line.endswith("...")]
    assert len(ran) == 1 and "comparison" in ran[0], ran
    comparison = json.loads((out / record["outputs"]["comparison"]).read_text())
    assert [r["route"] for r in comparison["routes"]] == ["base", "scaling", "r1-zero", "r1", "distill"]
    assert (out / "comparison" / "comparison.png").stat().st_size > 1000
    # every stage wrote its run record and a stage.json with its inputs' keys; the model chain is real
    sft_cold = read_stage(out / "r1/seed0/sft-cold-start")
    assert sft_cold["inputs"]["data"]["stage"] == "r1/seed0/cold-start-data"
    sft_config = json.loads((out / "r1/seed0/sft-cold-start/run.json").read_text())["config"]
    assert sft_config["datasets"] == [str(out / "r1/seed0/cold-start-data/sft.jsonl")]
    rl = json.loads((out / "r1/seed0/rl-reasoning/run.json").read_text())["config"]
    assert rl["model"] == str(out / "r1/seed0/sft-cold-start/model") and "language_consistency" in rl["rewards"]
    mixed = json.loads((out / "r1/seed0/sft-mixed/run.json").read_text())["config"]["datasets"]
    assert mixed[1]["path"].endswith("r1/general-data/sft.jsonl") and mixed[1]["weight"] > 0
    for stage in ("base/eval", "scaling/seed0/sweep", "r1/general-data", "distill/seed0/teacher-data", "comparison"):
        assert (out / stage / "run.json").is_file() and read_stage(out / stage)["done"]
    r1_row = next(r for r in comparison["routes"] if r["route"] == "r1")
    zero_row = next(r for r in comparison["routes"] if r["route"] == "r1-zero")
    assert r1_row["train_flops"] > zero_row["train_flops"] > 0  # r1 counts the r1-zero stage it builds on
    for row in comparison["routes"]:  # one budget: what each trained route spent is within its plan and the ceiling
        if row["route"] in ("r1-zero", "r1", "distill"):
            assert 0 < row["train_flops"] <= row["train_flops_planned"] <= row["train_flops_ceiling"], row
            assert not row["over_budget"]
    spent = f"| {r1_row['train_flops']:.3g} / {r1_row['train_flops_ceiling']:.3g} |"
    assert spent in (out / "comparison" / "table.md").read_text()
    # the command line reruns nothing, prints the table and writes the HTML report of the whole comparison
    from typer.testing import CliRunner

    from reasoncraft.cli import app
    from reasoncraft.config import save_config

    save_config(tiny_settings(sevens_base, out), tmp_path / "recipe.yaml")
    result = CliRunner().invoke(app, ["run", "compare", str(tmp_path / "recipe.yaml")])
    assert result.exit_code == 0, result.output
    assert f"report: {out / 'report.html'}" in result.output and "| r1-zero" in result.output
    assert "r1-zero" in (out / "report.html").read_text()
    whole = json.loads((out / "run.json").read_text())  # the recipe's record sums its stages' tokens and FLOPs
    stage_flops = sum(json.loads(p.read_text()).get("flops_estimate") or 0 for p in out.glob("*/**/run.json"))
    assert whole["tokens"]["completion"] > 0 and stage_flops > 0
    assert whole["flops_estimate"] == pytest.approx(stage_flops)


def test_table_recomputed_from_samples_equals_comparison(sevens_base, tmp_path):
    """Strict accuracy, per-problem pairing, the bootstrap interval and the scaling row's lenient maj@N, recomputed
    here from samples.jsonl alone."""
    out = tmp_path / "recipes"
    record = run_recipe("compare", tiny_settings(sevens_base, out, routes=["scaling", "distill"]), log=lambda m: None)
    comparison = json.loads((out / record["outputs"]["comparison"]).read_text())

    def per_problem(path: str, vote: bool) -> dict[str, float]:
        groups: dict[str, list[dict]] = {}
        for s in read_jsonl(out / path):
            groups.setdefault(s["problem_id"], []).append(s)
        if not vote:
            return {pid: statistics.fmean(bool(s["correct"]) for s in g) for pid, g in groups.items()}
        scores = {}
        for pid, g in groups.items():  # plain majority over extracted answers, ties to the first seen
            counts: dict[str, int] = {}
            for s in g:
                if s["extracted"] is not None:
                    counts[s["extracted"]] = counts.get(s["extracted"], 0) + 1
            top = max(counts.values(), default=0)
            winners = [a for a, c in counts.items() if c == top]
            right = {s["extracted"] for s in g if s["correct"]}
            scores[pid] = statistics.fmean(a in right for a in winners) if winners else 0.0
        return scores

    rows = {r["route"]: r for r in comparison["routes"]}
    base = per_problem(rows["base"]["samples"][0], vote=False)
    ids = sorted(base)
    for route, row in rows.items():
        mine = per_problem(row["samples"][0], vote=route == "scaling")
        assert sorted(mine) == ids
        assert row["strict"]["mean"] == pytest.approx(statistics.fmean(mine.values()))
        if route != "base":
            expected = paired_bootstrap([mine[i] for i in ids], [base[i] for i in ids])
            assert row["vs_base"]["diff"] == pytest.approx(expected["diff"])
    table = (out / "comparison" / "table.md").read_text()
    assert f"{rows['distill']['strict']['mean']:.3f}" in table
    # the scaling row's lenient maj@N: a number in the table (it read n/a), recomputed from the samples by a plain
    # loop over the lenient reward's reading (string classes, a tie to the first seen, no answer no vote)
    scaling = rows["scaling"]
    lenient = []
    for pid in ids:
        group = sorted(
            (s for s in read_jsonl(out / scaling["samples"][0]) if s["problem_id"] == pid),
            key=lambda s: s["sample_index"],
        )
        counts: dict[str, list[dict]] = {}
        for s in group:
            answer = lenient_answer(s["completion"])
            if answer:
                counts.setdefault(answer, []).append(s)
        top = max(counts.values(), key=len, default=[])
        lenient.append(float(bool(top) and top[0]["breakdown"]["lenient_accuracy"] == 1.0))
    assert scaling["lenient"]["mean"] == pytest.approx(statistics.fmean(lenient))
    line = next(line for line in table.splitlines() if line.startswith(f"| {scaling['label']} |"))
    assert line.split(" | ")[3] == f"{scaling['lenient']['mean']:.3f}", line


def test_too_small_cold_start_stops_with_the_stage_and_the_fix(sevens_base, tmp_path):
    """A cold start sampled from a model that solves nothing (a fresh tiny random model) never trains on nothing."""
    from reasoncraft.testing import tiny_model

    model, tokenizer = tiny_model("llama", seed=1)
    model.save_pretrained(tmp_path / "random")
    tokenizer.save_pretrained(tmp_path / "random")
    settings = tiny_settings(sevens_base, tmp_path / "out", cold_start_teacher=str(tmp_path / "random"))
    with pytest.raises(StageOutputTooSmall) as caught:
        run_recipe("r1", settings, log=lambda m: None)
    message = str(caught.value)
    assert "r1/seed0/cold-start-data" in message and "0 SFT examples" in message and "cold_start_teacher" in message
    assert not (tmp_path / "out" / "r1/seed0/sft-cold-start").exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        (["routes=[scaling, r2]"], "routes"),
        (["rl_stepz=3"], "rl_stepz"),
        (["preset=fast"], "preset"),
        (["rl_rewards=[accuracy]", "rl_reward_weights=[1.0, 0.5]"], "rl_reward_weights"),
        (["train_flops_budget=-1"], "train_flops_budget"),
    ],
)
def test_bad_recipe_config_fails_naming_the_field(overrides, field):
    with pytest.raises(ConfigError) as caught:
        load_config(RecipeConfig, None, overrides)
    assert field in str(caught.value)


def test_unknown_recipe_and_missing_teacher_fail_before_compute(tmp_path):
    with pytest.raises(ConfigError, match="unknown recipe 'r2'.*run --list"):
        prepare("r2", RecipeConfig(out_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="cold_start_teacher: .*no/such/.*fix the name"):
        prepare("r1", RecipeConfig(cold_start_teacher=str(tmp_path / "no/such/folder"), out_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="task: .*unknown task 'nosuch'"):
        prepare("compare", RecipeConfig(task="nosuch", teacher="smollm2-135m", out_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="teacher=solver: task 'gsm8k' has no solver"):
        prepare("distill", RecipeConfig(task="gsm8k", teacher="solver", out_dir=str(tmp_path)))
    with pytest.raises(ConfigError, match="template: .*unknown prompt template"):
        prepare("r1-zero", RecipeConfig(template="nosuch", out_dir=str(tmp_path)))
    assert not any(tmp_path.iterdir())  # nothing was written


def test_cli_lists_and_refuses_a_bad_route():
    from typer.testing import CliRunner

    from reasoncraft.cli import app

    listed = CliRunner().invoke(app, ["run", "--list"])
    assert listed.exit_code == 0 and "compare" in listed.output and "gpu-qwen2.5-1.5b" in listed.output
    bad = CliRunner().invoke(app, ["run", "compare", "routes=[scaling, r2]"])
    assert bad.exit_code == 2 and "routes" in bad.output + (bad.stderr if bad.stderr_bytes is not None else "")


_CHILD = """
import sys
from reasoncraft.recipes.runner import run_recipe
sys.path.insert(0, {tests!r})
from test_recipes_run import tiny_settings
settings = tiny_settings({base!r}, __import__("pathlib").Path({out!r}){extra})
run_recipe({recipe!r}, settings, log=lambda m: print(m, flush=True))
"""


def _child(base: dict, out: Path, recipe: str = "r1", extra: str = "", **kwargs) -> subprocess.Popen:
    code = _CHILD.format(tests=str(Path(__file__).parent), base=base, out=str(out), recipe=recipe, extra=extra)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    streams = kwargs or {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    return subprocess.Popen([sys.executable, "-c", code], env=env, **streams)


# Each kill costs a fresh process (~15-25 s of imports and loading here), so the default tier kills r1 during one
# stage of each stateful kind (data engine, SFT, GRPO); REASONCRAFT_TEST_EVERY_KILL=1 kills it during every stage.
KILL_KINDS = None if os.environ.get("REASONCRAFT_TEST_EVERY_KILL") else {"distill", "sft", "grpo"}


def test_sigkill_during_r1_stages_then_rerun_gives_the_same_table(sevens_base, tmp_path):
    """Kill the r1 recipe (SIGKILL) while a stage is running, once per stage kind (or every stage); the rerun skips
    what finished and ends with the table of an uninterrupted run of the same command (same folder: the SFT
    mixture is seeded by its data files' paths)."""
    out = tmp_path / "run"
    run_recipe("r1", tiny_settings(sevens_base, out), log=lambda m: None)
    expected = json.loads((out / "comparison" / "comparison.json").read_text())
    stages = plan("r1", tiny_settings(sevens_base, out))
    shutil.rmtree(out)
    targets, kinds = [], set()
    for stage in stages:
        if KILL_KINDS is None or (stage.kind in KILL_KINDS and stage.kind not in kinds):
            targets.append(stage.name)
            kinds.add(stage.kind)
    killed = []
    for victim in targets:
        child = _child(sevens_base, out)
        while child.poll() is None:
            state = read_stage(out / victim)
            if state is not None and not state["done"]:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        child.wait()
        if child.returncode == -signal.SIGKILL:
            assert not read_stage(out / victim)["done"]
            killed.append(victim)
    final = _child(sevens_base, out)
    log = final.communicate()[0].decode()
    assert final.returncode == 0 and "done before, skipped" in log, log[-2000:]
    assert len(killed) >= len(targets) - 1, (killed, targets)  # a stage may finish between two polls
    for name in killed:  # the stage killed at each round was redone later and is finished now
        assert read_stage(out / name)["done"]
    got = json.loads((out / "comparison" / "comparison.json").read_text())
    assert _without_timing(got) == _without_timing(expected)


def _workers_of(folder: Path) -> list[int]:
    """Process ids of stage workers running a stage under `folder` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"reasoncraft.recipes.worker" in command and any(str(folder).encode() in part for part in command):
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the worker's death signal is Linux's")
def test_parallel_stages_die_with_a_killed_run_and_give_the_sequential_comparison(sevens_base, tmp_path):
    """workers=2: stages whose inputs are finished run at the same time, each in its own process. SIGKILL of the
    command takes its stage processes with it; the same command then finishes with the comparison that a run of
    one stage after another gives."""
    routes = ["distill"]  # a process per stage costs seconds of imports: few stages (base/eval beside teacher-data)
    run_recipe("compare", tiny_settings(sevens_base, tmp_path / "one", routes=routes), log=lambda m: None)
    out = tmp_path / "two"
    extra = f", routes={routes!r}, workers=2"
    child = _child(sevens_base, out, "compare", extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not _workers_of(out) and child.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert _workers_of(out), "no stage process was seen running"
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.time() + 3  # a stage process is seen during its imports: seconds before it could end
    while _workers_of(out) and time.time() < deadline:
        time.sleep(0.05)
    assert not _workers_of(out)  # no stage keeps running beside the rerun
    lines: list[str] = []
    run_recipe("compare", tiny_settings(sevens_base, out, routes=routes, workers=2), log=lines.append)
    one, two = (json.loads((tmp_path / f / "comparison/comparison.json").read_text()) for f in ("one", "two"))
    assert _without_timing(one) == _without_timing(two)
    # at some moment two stages were running: a second one started before the first had finished
    order = [line.endswith("(started)") for line in lines if line.endswith("(started)") or " done in " in line]
    assert any(a and b for a, b in zip(order, order[1:]))
    assert (out / "distill/seed0/sft/log.txt").stat().st_size > 0
