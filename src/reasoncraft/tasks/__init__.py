"""Verifiable problem sets: a Task yields problems with fixed splits, prompts them, and scores answers.

`get_task(spec, **options)` builds one by name (`list_tasks()` lists them): the math benchmarks
(math500, gsm8k, aime24, aime25, amc23), Countdown (countdown, countdown-tinyzero), procedural
arithmetic (arith-sum-2d, ...), reasoning-gym generators (rg:<name>, when installed) and user data
(`custom`, from a YAML column mapping).
"""

from .base import Problem, Score, Task
from .registry import get_task, list_tasks, register_task

__all__ = ["Problem", "Score", "Task", "get_task", "list_tasks", "register_task"]
