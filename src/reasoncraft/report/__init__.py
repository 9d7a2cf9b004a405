"""Reports of runs: markdown tables (table.md) and one self-contained HTML page per run or comparison.

`write_report(["runs/eval"])` reads what a command left in its folder (run.json, summary.json, table.md,
metrics.jsonl, samples.jsonl, eval/before|after, results/, traces.jsonl, comparison.json) and writes
`runs/eval/report.html`: the run record, tables, plots (inline SVG, with PNG twins in `report_plots/`) and a
sample browser, opened with no network and no server. The command line is `reasoncraft report RUN_DIR ...`.

    tables.py    markdown tables (evaluate.py writes table.md with `summary_table`)
    folders.py   reading a run folder: its kind, its files, what is missing
    browse.py    the sample sets of a run, as compact rows for the browser
    figures.py   what is plotted for each kind of run; the PNG twins
    svg.py       inline SVG line charts
    sections.py  the HTML of the run record and of each kind's tables
    compare.py   comparison.json, and several runs side by side with bootstrap intervals
    page.py      the page: sections, embedded sample sets, static/report.css and static/report.js
"""

from __future__ import annotations

from .folders import NotARunError, RunFolder, read_run
from .page import report_after_run, write_report
from .tables import pass_k_table, summary_table

__all__ = ["NotARunError", "RunFolder", "pass_k_table", "read_run", "report_after_run", "summary_table", "write_report"]
