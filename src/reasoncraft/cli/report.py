"""`reasoncraft report RUN_DIR [RUN_DIR ...]`: one self-contained HTML report of runs (and their PNG plots)."""

from __future__ import annotations

from pathlib import Path

import typer


def report_command(
    run_dirs: list[Path] = typer.Argument(..., help="Run folders: eval, scale, train, distill or recipe outputs."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="The HTML file (default: RUN_DIR/report.html for one run, ./report.html for several)."
    ),
    png: bool = typer.Option(True, "--png/--no-png", help="Also write each plot as PNG beside the report."),
) -> None:
    """Write one HTML report of runs: record, tables, curves, comparison and a sample browser (no network needed)."""
    from ..report import NotARunError, write_report  # lazy: loads the tasks; `reasoncraft --help` stays fast

    try:
        path = write_report(run_dirs, out, png=png)
    except NotARunError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"report: {path}")


def report_after(out_dir: str | Path) -> None:
    """Write `out_dir/report.html` at the end of a command; a failure is one printed line, never an error (the
    run's own files are written by then; `reasoncraft report out_dir` writes the page again)."""
    from ..report import report_after_run  # lazy: loads the tasks; `reasoncraft --help` stays fast

    report_after_run(out_dir, typer.echo)
