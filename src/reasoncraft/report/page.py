"""One self-contained HTML page for one or several run folders, and the PNG twins of its plots.

The page needs no network and no server: the CSS and the browser's JavaScript are inlined from static/,
plots are inline SVG, and every sample set is JSON (`<script type="application/json">` blocks of 2,000 rows)
that the browser parses only when it is shown, after the first paint, then renders 20 rows at a time. Sample
records are cut to what the browser shows (no token ids, sampling settings or cache keys; one prompt per
problem), so the page stays smaller than the samples.jsonl it shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from . import browse, compare, figures, sections
from .folders import RunFolder, read_json, read_run, stage_files
from .svg import line_chart

STATIC = Path(__file__).parent / "static"
CHUNK_ROWS = 2000


def _embed(value: object) -> str:
    """JSON that can sit inside a <script> element: no "</" (it would end the element) and no "<!--"."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _blocks(number: int, dataset: dict) -> str:
    """A sample set as JSON blocks of CHUNK_ROWS rows (the problems ride in the first): the HTML parser can yield
    between blocks, so the browser paints the tables and plots before it has read a large run's samples."""
    rows = dataset["rows"]
    chunks = [rows[start : start + CHUNK_ROWS] for start in range(0, len(rows), CHUNK_ROWS)] or [[]]
    blocks = []
    for j, chunk in enumerate(chunks):
        value = {"problems": dataset["problems"], "rows": chunk} if j == 0 else {"rows": chunk}
        blocks.append(f'<script type="application/json" id="rc-ds-{number}-{j}">{_embed(value)}</script>')
    return "".join(blocks)


def _charts(charts: Sequence[figures.Chart]) -> str:
    drawn = [line_chart(c.series, **c.style()) for c in charts]
    return f'<div class="charts">{"".join(drawn)}</div>' if drawn else ""


class Page:
    """Collects the sections, the chart groups (for the PNG twins) and the sample sets of a report."""

    def __init__(self, runs: Sequence[RunFolder], plots: str):
        self.runs = list(runs)
        self.plots = plots  # the folder of the PNG twins, relative to the page
        self.many = len(self.runs) > 1
        self.datasets: list[dict] = []
        self.png_groups: dict[str, list[figures.Chart]] = {}
        self.png_names: dict[str, str] = {}
        self.eval_entries: list[tuple[str, dict, dict]] = []

    def _png(self, run_index: int, name: str, charts: list[figures.Chart]) -> str:
        if not charts:
            return ""
        key = f"{self.runs[run_index].name}-{name}" if self.many else name
        self.png_groups[key] = charts
        where = f"{escape(self.plots)}/{escape(key)}.png"
        return f'<p class="png" data-png="{escape(key)}.png">PNG twin: <code>{where}</code></p>'

    def run_section(self, i: int, run: RunFolder) -> str:
        prefix = f"{run.name}: " if self.many else ""
        own = browse.datasets(run)
        for dataset in own:
            dataset["title"] = prefix + dataset["title"]
        self.datasets += own
        parts = [
            f'<section class="run" id="run-{i}" data-kind="{run.kind}">',
            f"<h2>{escape(run.name)}: {escape(sections.KIND_NAMES[run.kind])}</h2>",
            f'<p class="sub">{escape(str(run.path))}</p>',
            sections.missing_box(run),
            "<h3>Run record</h3>",
            sections.record_section(run),
        ]
        if run.kind == "eval" and isinstance(run.summary, list) and run.summary:
            charts = figures.eval_charts(run.summary, prefix=f"{i}-")
            parts += ["<h3>Summary</h3>", sections.eval_table(run.summary), sections.pass_k_tables(run.summary)]
            levels = sections.level_table(own[0]) if own else ""
            parts += ["<h3>By difficulty level</h3>", levels] if levels else []
            if charts:
                parts += ["<h3>Accuracy against compute</h3>", _charts(charts)]
                parts.append(self._png(i, "accuracy-vs-compute", charts))
            self._remember(run, run.summary, own)
        elif run.kind == "scale" and isinstance(run.summary, dict):
            charts = figures.scale_charts(run.summary)
            parts += ["<h3>Strategies</h3>", sections.scale_table(run.summary)]
            parts += ["<h3>Accuracy against compute</h3>", _charts(charts), self._png(i, "accuracy-vs-compute", charts)]
        elif run.kind in ("grpo", "sft"):
            held = sections.held_out_table(run)
            if held:
                parts += ["<h3>Held-out before and after training</h3>", held]
            charts = figures.training_charts(run.metrics, run.kind)
            parts += ["<h3>Training curves</h3>", sections.training_facts(run), _charts(charts)]
            parts.append(self._png(i, "training", charts))
            after = run.held_out.get("after")
            if after is not None and isinstance(after.summary, list):
                self._remember(run, after.summary, [d for d in own if d["title"].endswith("held-out after training")])
        elif run.kind == "distill":
            parts += ["<h3>Generation and filtering</h3>", sections.distill_tables(run)]
        elif run.kind == "recipe":
            if isinstance(run.comparison, dict):
                charts = figures.comparison_charts(run.comparison)
                parts += ["<h3>Comparison</h3>", compare.comparison_tables(run.comparison), _charts(charts)]
                parts.append(self._png(i, "comparison", charts))
            parts.append(self._stages(run))
        parts.append("</section>")
        return "".join(parts)

    def _remember(self, run: RunFolder, summaries: list[dict], own: list[dict]) -> None:
        rows = [row for dataset in own[:1] for row in dataset["rows"]]
        problems = compare.per_problem(rows)
        for summary in summaries:
            self.eval_entries.append((run.name, summary, problems))

    def _stages(self, run: RunFolder) -> str:
        rows = []
        root = run.root or run.path
        for file in stage_files(root):
            stage = read_json(file)
            if isinstance(stage, dict):
                wall = stage.get("wall_s")
                rows.append(
                    [
                        stage.get("name") or str(file.parent.relative_to(root)),
                        stage.get("kind", "-"),
                        "yes" if stage.get("done") else "no",
                        sections.duration(wall) if wall is not None else "-",
                    ]
                )
        return ("<h3>Stages</h3>" + sections.table(["stage", "kind", "done", "wall time"], rows)) if rows else ""

    def comparison_section(self) -> str:
        if not self.many or len({label for label, _, _ in self.eval_entries}) < 2:
            return ""
        charts = figures.runs_comparison_chart([(f"{label} {s['task']}", s) for label, s, _ in self.eval_entries])
        self.png_groups["runs-comparison"] = charts
        return (
            '<section id="comparison"><h2>Comparison of the runs</h2>'
            '<p class="sub">pass@1 with a 95% bootstrap interval over problems; the difference to the first run is '
            "paired over the problems both evaluated (for a training run: its held-out evaluation after training).</p>"
            + compare.runs_table(self.eval_entries)
            + _charts(charts)
            + f'<p class="png">PNG twin: <code>{escape(self.plots)}/runs-comparison.png</code></p></section>'
        )

    def browser_section(self) -> str:
        if not self.datasets:
            return '<section id="samples"><h2>Samples</h2><p class="sub">No sample file in these folders.</p></section>'
        return (
            '<section id="samples" class="browser"><h2>Samples</h2><div class="bar">'
            '<select id="rc-dataset" aria-label="sample set"></select>'
            '<input id="rc-search" type="search" placeholder="search prompts, completions, answers" '
            'aria-label="search">'
            '<select id="rc-filter" aria-label="filter"></select><select id="rc-group" aria-label="group"></select>'
            '<button id="rc-prev" type="button">&larr;</button><span id="rc-page"></span>'
            '<button id="rc-next" type="button">&rarr;</button>'
            '<select id="rc-size" aria-label="rows per page">'
            "<option>20</option><option>50</option><option>100</option></select>"
            '<span id="rc-count" class="facts"></span></div><div id="rc-samples"></div></section>'
        )

    def html(self) -> str:
        body = [self.run_section(i, run) for i, run in enumerate(self.runs)]
        comparison = self.comparison_section()
        browser = self.browser_section()
        kinds = ", ".join(sorted({sections.KIND_NAMES[r.kind] for r in self.runs}))
        names = ", ".join(r.name for r in self.runs)
        links = "".join(f'<a href="#run-{i}">{escape(r.name)}</a>' for i, r in enumerate(self.runs))
        links += '<a href="#comparison">comparison</a>' if comparison else ""
        links += '<a href="#samples">samples</a>'
        index = [
            {
                "title": d["title"],
                "kind": d["kind"],
                "group": d["group"],
                "filters": d["filters"],
                "count": len(d["rows"]),
            }
            for d in self.datasets
        ]
        blocks = "".join(_blocks(i, d) for i, d in enumerate(self.datasets))
        made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        content = "".join(body) + comparison + browser
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>reasoncraft report: {escape(names)}</title>"
            f"<style>{(STATIC / 'report.css').read_text()}</style></head>"
            f"<body><main><h1>reasoncraft report: {escape(names)}</h1>"
            f'<p class="sub">{escape(kinds)} · written {made} · plots as PNG in <code>{escape(self.plots)}</code></p>'
            f"<nav>{links}</nav>{content}</main>"
            f'<script type="application/json" id="rc-index">{_embed(index)}</script>{blocks}'
            f"<script>{(STATIC / 'report.js').read_text()}</script></body></html>"
        )


def default_output(run_dirs: Sequence[str | Path]) -> Path:
    """report.html in the run folder for one run; in the current folder for several."""
    return Path(run_dirs[0]) / "report.html" if len(run_dirs) == 1 else Path("report.html")


def write_report(run_dirs: Sequence[str | Path], out: str | Path | None = None, png: bool = True) -> Path:
    """Read the run folders, write the HTML report (and its PNG twins in `<name>_plots/`); return its path.

    Raises `NotARunError` (one line) for a folder that holds nothing a reasoncraft command writes.
    """
    if not run_dirs:
        raise ValueError("give at least one run folder")
    runs = [read_run(path) for path in run_dirs]
    out = Path(out) if out is not None else default_output(run_dirs)
    plots = out.parent / f"{out.stem}_plots"
    page = Page(runs, plots.name)
    html = page.html()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(html.encode("utf-8", errors="replace"))
    if png:
        figures.write_pngs(page.png_groups, plots)
    return out


def report_after_run(out_dir: str | Path, log=print) -> Path | None:
    """Write `out_dir/report.html` at the end of a command; a failure is one line in `log`, never an exception
    (the run itself is done and its files are safe; `reasoncraft report out_dir` can be rerun)."""
    try:
        path = write_report([out_dir])
    except Exception as error:  # noqa: BLE001 - whatever breaks in the report must not fail the finished run
        log(f"report: not written ({type(error).__name__}: {error}); try `reasoncraft report {out_dir}`")
        return None
    log(f"report: {path}")
    return path
