"""``uxlab report``: a study's report (HTML, PDF or JSON), or the report of an analysis document."""

from __future__ import annotations

import dataclasses
import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

import click

from uxlab.analysis.segment_filter import SegmentError
from uxlab.cli.chart_worker import ChartWorker
from uxlab.cli.common import db_session
from uxlab.cli.filters import filter_options, filters_from_options
from uxlab.reports.files import REPORT_FORMATS, ReportFile
from uxlab.results.report import ReportUnavailable, study_report
from uxlab.studies.service import current_study

#: Exit status when the data (a study's rows, an analysis file) cannot give a report.
DATA_ERROR_EXIT_CODE = 2


@click.command("report")
@click.argument("slug", required=False)
@click.option("--analysis", "analysis_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Report this analysis document (`uxlab analyze --json`) instead of a study.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html",
              show_default=True, help="html (one self-contained page), pdf or json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output; pdf needs a file).")
@click.option("--title", help="The report's title (default: the study's title).")
@filter_options
def report_command(slug: str | None, analysis_path: Path | None, fmt: str, output: Path | None,
                   title: str | None, variants, modes, since: datetime | None,
                   before: datetime | None, include_excluded: bool, no_synthetic: bool,
                   segments: tuple[str, ...]) -> None:
    """Write the report of study SLUG (its newest version) under the filters given.

    \b
    uxlab report SLUG --format html|pdf|json [-o FILE] [filters]
    uxlab report --analysis analysis.json --format html|pdf|json -o FILE [--title T]

    The report holds what the results page shows for the same filters: a title page (study,
    version, dates of the data, participants per variant, filters, when it was made), the
    executive summary, each task, the questionnaires, the problems and the methods. HTML and
    JSON go to standard output without -o; a PDF needs -o. With --analysis the report is made
    from the document `uxlab analyze --json` prints, e.g. for a study analysed from a
    spreadsheet; the filters then do not apply (the document is already analysed).
    """
    filtered = bool(variants or modes or since or before or include_excluded or no_synthetic
                    or segments)
    if (slug is None) == (analysis_path is None):
        raise click.UsageError("give either a study SLUG or --analysis FILE (one of them)")
    if analysis_path is not None and filtered:
        raise click.UsageError("the filters (--variant, --mode, --since, --before, "
                               "--include-excluded, --no-synthetic, --segment) apply to a study's data, "
                               "not to --analysis: the document is already analysed")
    if fmt == "pdf" and (output is None or str(output) == "-"):
        raise click.UsageError("--format pdf writes a binary file: give it with -o FILE.pdf")
    if analysis_path is not None:
        report = _analysis_report(analysis_path, fmt, title)
    else:
        report = _study_report(slug, fmt, title, filters_from_options(
            variants, modes, since, before, include_excluded, no_synthetic, segments))
    _write(report, output)


def _study_report(slug: str, fmt: str, title: str | None, filters) -> ReportFile:
    # The HTML's charts are drawn by a second process, forked now that this module's imports
    # (scipy, the analysis, which the charts need too) are loaded, so that it loads matplotlib
    # while this one reads and analyses.
    worker = ChartWorker.start() if fmt == "html" else None
    with worker or nullcontext(), db_session(write=False) as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r} (see `uxlab study list`)")
        try:
            filters.check(study)
        except SegmentError as exc:
            raise click.BadParameter(str(exc), param_hint="'--segment'") from exc
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--variant'") from exc
        try:
            return study_report(session, study, filters, fmt, title=title,
                                draw_charts=worker.draw if worker else None)
        except ReportUnavailable as exc:
            click.echo(f"Error: no report of study {slug!r} under "
                       f"{'; '.join(filters.describe())}: {exc}", err=True)
            raise click.exceptions.Exit(DATA_ERROR_EXIT_CODE) from exc


def _analysis_report(path: Path, fmt: str, title: str | None) -> ReportFile:
    from uxlab.reports.analysis_file import (
        AnalysisFileError,
        describe_render_error,
        read_analysis_document,
    )
    from uxlab.reports.context import ReportContext, StudyInfo
    from uxlab.reports.files import report_file

    try:
        analysis = read_analysis_document(path)
    except AnalysisFileError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(DATA_ERROR_EXIT_CODE) from exc
    study = StudyInfo(title=title) if title else StudyInfo()
    context = ReportContext(study=dataclasses.replace(study, design=analysis["design"]))
    try:
        return report_file(analysis, context, fmt, name=path.stem)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # The document passed the top-level checks but a deeper key is missing or of the wrong
        # type: name the file rather than print a traceback.
        click.echo(f"Error: {describe_render_error(exc, str(path))}", err=True)
        raise click.exceptions.Exit(DATA_ERROR_EXIT_CODE) from exc


def _write(report: ReportFile, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(report.content)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(report.content)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot be written ({exc.strerror})") from exc
    click.echo(f"Wrote {output} ({len(report.content) / 1024:,.0f} KiB).")
