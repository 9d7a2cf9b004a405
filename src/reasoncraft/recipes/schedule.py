"""The runner of a recipe's stages: one after another in this process, or side by side in processes of their own.

`run_stages` computes every stage's key (`stages.stage_key`), skips the stages whose stage.json says done with
the same key, and runs the rest: with `workers` = 1 in order, in this process; with more, each stage as soon
as its inputs are finished and a worker is free (`recipes.worker`), never two stages that append to the same
model's completion cache at once (`stages.shares_cache`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..record import RECORD_NAME, RunRecord
from .stages import STAGE_FILE, Context, Stage, check_order, digest, read_stage, shares_cache, stage_key, write_json
from .worker import launch, result


def _fresh_record(stage: Stage, keys: Mapping[str, str], folder: Path) -> dict:
    """Remove what a stale or half-written stage left and write its stage.json, not done yet."""
    if folder.exists():  # stale (upstream or config changed) or half-written (killed): start it afresh
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    record = {
        "name": stage.name,
        "kind": stage.kind,
        "config": dict(stage.config),
        "config_hash": digest(dict(stage.config)),
        "inputs": {role: {"stage": up, "key": keys[up]} for role, up in stage.inputs.items()},
        "key": keys[stage.name],
        "done": False,
        "started": time.time(),
    }
    write_json(folder / STAGE_FILE, record)
    return record


def _finish_record(stage: Stage, folder: Path, record: dict, outputs: dict, wall: float) -> dict:
    if not (folder / RECORD_NAME).exists():  # an engine that writes no run record of its own
        RunRecord(f"recipe stage {stage.kind}", dict(stage.config), folder).finish(outputs=outputs)
    record.update(done=True, finished=time.time(), wall_s=round(wall, 3), outputs=outputs)
    write_json(folder / STAGE_FILE, record)
    return record


def run_stages(
    stages: Sequence[Stage],
    root: str | Path,
    kinds: Mapping[str, Callable[..., dict]],
    *,
    log: Callable[[str], None] = print,
    device: str | None = None,
    estimates: Mapping[str, float | None] | None = None,
    workers: int = 1,
    threads: int = 0,
) -> dict[str, dict]:
    """Run every stage not already done with the same key; return each stage's stage.json, by name.

    `workers` = 1 runs the stages one after another in this process; more runs up to that many stages whose
    inputs are finished at the same time, each in its own process (`recipes.worker`; `kinds` must then be
    `recipes.kinds.KINDS`), each with `threads` torch threads (0: torch's default). `estimates` (stage name ->
    seconds) adds the estimated time left to each closing line."""
    check_order(stages, kinds)
    ctx = Context(Path(root), log=log, device=device)
    ctx.root.mkdir(parents=True, exist_ok=True)
    keys: dict[str, str] = {}
    todo: list[Stage] = []
    for index, stage in enumerate(stages, 1):
        keys[stage.name] = stage_key(stage, {role: keys[up] for role, up in stage.inputs.items()})
        done = read_stage(ctx.root / stage.name)
        if done is not None and done.get("done") and done.get("key") == keys[stage.name]:
            log(f"[{index}/{len(stages)}] {stage.name}: done before, skipped")
            ctx.records[stage.name] = done
        else:
            todo.append(stage)
    number = {stage.name: i for i, stage in enumerate(stages, 1)}

    def closing(stage: Stage, wall: float) -> None:
        left = [(estimates or {}).get(s.name) for s in todo]
        rest = "" if estimates is None or None in left else f"; about {sum(left) / 60:.0f} min left"
        log(f"[{number[stage.name]}/{len(stages)}] {stage.name}: done in {wall:.0f} s{rest}")

    if workers <= 1:
        while todo:
            stage = todo.pop(0)
            folder = ctx.root / stage.name
            record = _fresh_record(stage, keys, folder)
            log(f"[{number[stage.name]}/{len(stages)}] {stage.name}: {stage.about or stage.kind} ...")
            started = time.perf_counter()
            inputs = {role: ctx.records[up]["outputs"] for role, up in stage.inputs.items()}
            outputs = kinds[stage.kind](dict(stage.config), inputs, folder, ctx, stage.name)
            wall = time.perf_counter() - started
            ctx.records[stage.name] = _finish_record(stage, folder, record, outputs, wall)
            closing(stage, wall)
        return ctx.records
    running: dict[str, tuple[Any, float, dict, Stage]] = {}
    try:
        while todo or running:
            for stage in list(todo):
                if len(running) >= workers:
                    break
                ready = all(up in ctx.records for up in stage.inputs.values())
                if not ready or any(shares_cache(stage, other) for *_, other in running.values()):
                    continue
                todo.remove(stage)
                record = _fresh_record(stage, keys, ctx.root / stage.name)
                log(f"[{number[stage.name]}/{len(stages)}] {stage.name}: {stage.about or stage.kind} ... (started)")
                process = launch(stage, ctx, {n: ctx.records[n] for n in stage.inputs.values()}, threads)
                running[stage.name] = (process, time.perf_counter(), record, stage)
            time.sleep(0.2)
            for name, (process, started, record, stage) in list(running.items()):
                if process.poll() is None:
                    continue
                del running[name]
                outputs = result(process, ctx.root / name)  # raises what the stage raised
                wall = time.perf_counter() - started
                ctx.records[name] = _finish_record(stage, ctx.root / name, record, outputs, wall)
                closing(stage, wall)
    finally:
        for process, *_ in running.values():  # a failed stage (or an interrupt) stops the others too
            process.kill()
            process.wait()
    return ctx.records
