"""What `reasoncraft distill` prints as it runs: each batch with its ETA, then the generation and the SFT set in
words (report.json keeps the numbers), never a raw Python dict."""

from __future__ import annotations

import re

from reasoncraft.data.countdown import CountdownSearchTeacher
from reasoncraft.data.distill import DistillConfig, run_distill


def test_distill_prints_progress_with_eta_and_readable_summaries(tmp_path):
    config = DistillConfig(
        task="countdown-3",
        task_options={"max_target": 50},
        limit=4,
        k=1,
        batch_problems=2,
        decontam_tasks=["countdown-3"],
        out_dir=str(tmp_path / "run"),
    )
    lines: list[str] = []
    report = run_distill(config, teacher=CountdownSearchTeacher("shortcut"), log=lines.append)
    batches = [line for line in lines if line.startswith("traces:")]
    assert [re.sub(r"\(.*\)", "(...)", b) for b in batches] == [
        "traces: 2 of 4 problems drawn, 2 records written (...)",
        "traces: 4 of 4 problems drawn, 4 records written (...)",
    ]
    assert all(re.search(r"\(\d+ s, ETA \d+ s\)$", b) for b in batches)
    generation = next(line for line in lines if line.startswith("generation:"))
    assert generation.startswith("generation: 4 problems, 4 traces (4 new, 0 already on disk), 4 correct; tokens ")
    sft = next(line for line in lines if line.startswith("sft set:"))
    kept = report["filtering"]["kept"]
    assert sft.startswith(f"sft set: {kept} of 4 records kept -> ")
    assert "{" not in generation + sft and "'" not in generation + sft  # words, not a dict's repr
    # a rerun draws nothing and says where the traces came from
    again: list[str] = []
    run_distill(config, teacher=CountdownSearchTeacher("shortcut"), log=again.append)
    assert any(line.startswith("generation: 4 problems, 4 traces (0 new, 4 already on disk)") for line in again)
