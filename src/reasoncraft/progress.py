"""Progress with ETA for the long steps of a command: sampling and scoring (`eval`, `scale`), the strategies of
`scale`, and the held-out evaluations of `train grpo` / `train sft`.

One mechanism for all of them: a rich progress display, one bar per stage (done/total, elapsed, ETA), shown
only where a person watches it. It stays quiet when the output is not a terminal (a log file, a pipe, CI, the
tests), when the caller turns it off (`eval --no-progress`, `scale --no-progress`), and on the processes other
than the first of a multi-process launch (torchrun sets RANK), so that logs hold lines, not redrawn bars.
`TTY_COMPATIBLE=1` in the environment shows it anyway (rich reads it; the tests use it).

Loading and saving weights print no third-party bars (`cli.errors.quiet_loading`); what runs long says so here.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


def shown(enabled: bool = True, console: Console | None = None) -> bool:
    """Whether a progress display would be seen: enabled, on a terminal, and the first process of a launch."""
    if not enabled or os.environ.get("RANK", "0") not in ("", "0"):
        return False
    return (console or Console()).is_terminal


class progress_bars:
    """`with progress_bars(enabled) as bars:` gives a `rich.progress.Progress` (add a bar per stage with
    `bars.add_task(description, total=...)`, advance it with `bars.update(bar, advance=k)`), or None where
    nothing would be seen (`shown`); callers skip their progress calls on None."""

    def __init__(self, enabled: bool = True, console: Console | None = None):
        self.enabled, self.console = enabled, console
        self.bars: Progress | None = None

    def __enter__(self) -> Progress | None:
        if not shown(self.enabled, self.console):
            return None
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
        )
        self.bars.__enter__()
        return self.bars

    def __exit__(self, *exc: Any) -> bool:
        if self.bars is not None:
            self.bars.__exit__(*exc)
        return False
