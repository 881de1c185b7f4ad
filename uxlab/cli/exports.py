"""``uxlab export``: a study's data as the tidy CSVs, raw events and observations, or one JSON."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from uxlab.cli.common import db_session
from uxlab.cli.filters import filter_options, filters_from_options
from uxlab.exports.bundle import write_folder
from uxlab.exports.service import WHATS, open_export
from uxlab.studies.service import current_study


@click.command("export")
@click.argument("slug")
@click.option("--what", type=click.Choice(WHATS), default="attempts", show_default=True,
              help="Which data to export.")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv",
              show_default=True, help="csv for one table (or, with --what all, every table); "
                                      "json only with --what all.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="File to write (default: standard output). With --what all --format csv: a "
                   "folder, or a .zip file.")
@filter_options
def export_command(slug: str, what: str, fmt: str, output: Path | None, variants, modes,
                   since: datetime | None, before: datetime | None, include_excluded: bool,
                   no_synthetic: bool, segments: tuple[str, ...]) -> None:
    """Export the data of study SLUG (its newest version).

    \b
    --what attempts  the tidy attempts CSV (participant, variant, task, outcome, success,
                     time_s, errors, clicks, seq, then direct, first_click, lostness and a
                     screener_<key> column per screener question): `uxlab analyze` reads it,
                     `uxlab analyze --segment screener_<key>` compares within each answer
    --what survey    the survey CSV (participant, variant, sus_1 … sus_10, umux_1, umux_2,
                     nps; csat, ces when the study asks them; the screener_<key> columns):
                     `uxlab analyze --survey`
    --what events    every recorded event, one row each
    --what observations  every moderator observation
    --what problems  the usability problems by priority, with frequencies and intervals
    --what grid      participants × problems (0/1), for uxlab plan discovery --matrix
    --what all --format json  one JSON document with everything (study definition,
                     participants, sessions, attempts, responses, observations, problems,
                     events)
    --what all --format csv -o DIR|FILE.zip  every CSV and the study file (study.toml), into
                     the folder DIR or the zip archive FILE.zip

    The filters (--variant, --mode, --since, --before, --include-excluded, --no-synthetic,
    --segment) apply to the attempts and survey tables; events, observations and the JSON hold everything.
    Rows are streamed from the database, so a large study is not loaded into memory.
    """
    if fmt == "json" and what != "all":
        raise click.UsageError("--format json exports everything: use it with --what all")
    if what == "all" and fmt == "csv" and output is None:
        raise click.UsageError("--what all --format csv needs -o: a folder or a .zip file")
    filters = filters_from_options(variants, modes, since, before, include_excluded,
                                   no_synthetic, segments)
    with db_session(write=False) as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r}")
        if what == "all" and fmt == "csv" and output.suffix.lower() != ".zip":
            try:
                filters.check(study)
            except ValueError as exc:
                raise click.UsageError(str(exc)) from exc
            written = write_folder(session, study, output, filters)
            click.echo(f"Wrote {len(written)} files to {output}.")
            return
        try:
            export = open_export(session, study, what, "zip" if what == "all" and fmt == "csv"
                                 else fmt, filters)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        if output is None or str(output) == "-":
            sys.stdout.flush()
            stream = sys.stdout.buffer
            for chunk in export.encoded():
                stream.write(chunk)
            stream.flush()
            return
        with output.open("wb") as handle:
            for chunk in export.encoded():
                handle.write(chunk)
        click.echo(f"Wrote {output}.")
