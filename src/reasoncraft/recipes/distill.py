"""Route 4, distillation (Sky-T1 / R1-Distill style): a teacher's verified traces, then SFT of the student.

Stages per seed: the data engine (`reasoncraft distill`: the teacher writes traces of train problems; kept
when verified correct and readable, deduplicated, decontaminated against the test split), SFT of the base
model on them, the held-out evaluation. The teacher: the task's own solver (`teacher=solver`: column
addition with its carries for sums, depth-first search for Countdown), a model (name, folder, hub id), or
an OpenAI-compatible server (`teacher_base_url` plus the served model's name).
"""

from __future__ import annotations

from .common import evaluation, sampled_data, sft
from .settings import RecipeConfig
from .stages import Stage


def stages(c: RecipeConfig, seed: int) -> tuple[list[Stage], dict]:
    teacher = c.solver if c.teacher == "solver" else c.teacher
    data = sampled_data(
        c,
        f"distill/seed{seed}/teacher-data",
        seed,
        teacher=teacher,
        problems=c.distill_problems,
        k=1,
        base_url=c.teacher_base_url,
        sized_by="distill_problems",
        fix="raise distill_problems, check that the teacher solves the task (teacher=...), or loosen data_layout",
    )
    student = sft(c, f"distill/seed{seed}/sft", seed, data.name)
    held_out = evaluation(c, f"distill/seed{seed}/eval", model_from=student.name)
    return [data, student, held_out], {"eval": held_out.name}
