"""``uxlab journeys`` and ``uxlab cx``: journey files, CX imports, the summary, tokens, sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from uxlab.cli.common import db_session
from uxlab.cx.board import BoardError, build_board
from uxlab.cx.credentials import (
    CredentialError,
    api_tokens,
    create_api_token,
    create_source,
    revoke_api_token,
)
from uxlab.cx.importing import CxImportError, import_cx_csv, parse_qualtrics_map
from uxlab.cx.journey_files import JourneyDefinitionError, read_journey_file
from uxlab.cx.journeys import load_journeys
from uxlab.cx.report import render_journey_report
from uxlab.cx.text_summary import board_text


@click.group("journeys")
def journeys_group() -> None:
    """Validate and load journey files (journeys, stages, touchpoints, targets)."""


@journeys_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_journeys(files: tuple[str, ...]) -> None:
    """Check journey FILES; print every problem with file, key and reason."""
    failed = False
    for path in files:
        try:
            journeys = read_journey_file(path)
        except JourneyDefinitionError as exc:
            failed = True
            click.echo(exc.render(), err=True)
        else:
            touchpoints = sum(len(s.touchpoints) for j in journeys for s in j.stages)
            click.echo(f"{path}: ok ({len(journeys)} journeys, {touchpoints} touchpoints)")
    if failed:
        raise SystemExit(1)


@journeys_group.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
def load_journeys_command(file: str) -> None:
    """Create or update the journeys in FILE (nothing is deleted)."""
    try:
        journeys = read_journey_file(file)
    except JourneyDefinitionError as exc:
        click.echo(exc.render(), err=True)
        raise SystemExit(1) from exc
    with db_session() as session:
        created = load_journeys(session, journeys)
    click.echo(f"{file}: loaded {len(journeys)} journeys"
               + (f"; created {', '.join(created.lines())}" if created else ""))


@click.group("cx")
def cx_group() -> None:
    """CX data: import, summary, API tokens for the feed, webhook sources."""


@cx_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-create", is_flag=True,
              help="Refuse rows whose journey, stage or touchpoint does not exist yet.")
@click.option("--source", default="import", show_default=True,
              help="Source name for rows without a source column.")
@click.option("--map", "mappings", multiple=True, metavar="COLUMN=METRIC@JOURNEY[/STAGE[/TP]]",
              help="Qualtrics exports: which question column holds which metric for which "
                   "place (repeat for several).")
@click.option("--segment-column", help="Qualtrics exports: the column that names the segment.")
def import_command(file: Path, no_create: bool, source: str, mappings: tuple[str, ...],
                   segment_column: str | None) -> None:
    """Import CX responses or aggregates from FILE (layout told by its header; docs/cx.md)."""
    try:
        mapping = parse_qualtrics_map(list(mappings))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    try:
        stream = file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot read the file ({exc.strerror})") from None
    try:
        with stream, db_session() as session:
            summary = import_cx_csv(session, stream, create=not no_create,
                                    default_source=source, qualtrics_map=mapping,
                                    segment_column=segment_column)
    except CxImportError as exc:
        for line in str(exc).splitlines():
            click.echo(f"{file}: {line}", err=True)
        raise SystemExit(1) from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    click.echo(f"{file}: {summary.layout}: read {summary.read}, imported {summary.imported}, "
               f"duplicates {summary.duplicates}, refused {summary.refused}, "
               f"skipped {summary.skipped}")
    for line in summary.created.lines():
        click.echo(f"  created {line}")


@cx_group.command("summary")
@click.option("--journey", help="Journey name (default: the first journey).")
@click.option("--period", help="Only this month (YYYY-MM) or quarter (YYYY-Qn).")
@click.option("--compare-to", help="Compare --period with this earlier period.")
@click.option("--granularity", "--trend", type=click.Choice(("month", "quarter")),
              default="month", show_default=True, help="Periods of the trend.")
@click.option("--segment", help="Only this segment.")
@click.option("--json", "as_json", is_flag=True, help="Print the board as JSON.")
def summary_command(journey, period, compare_to, granularity, segment, as_json) -> None:
    """Print the CX board of a journey: CX and UX figures per touchpoint."""
    with db_session(write=False) as session:
        try:
            board = build_board(session, journey, period, compare_to, granularity, segment)
        except BoardError as exc:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.field.replace('_', '-')}") \
                from None
        if as_json:
            json.dump(board.as_dict(), sys.stdout, indent=2, allow_nan=False, default=str)
            sys.stdout.write("\n")
        else:
            click.echo(board_text(board))


@cx_group.command("report")
@click.option("--journey", help="Journey name (default: the first journey).")
@click.option("--period", help="Only this month (YYYY-MM) or quarter (YYYY-Qn).")
@click.option("--compare-to", help="Compare --period with this earlier period.")
@click.option("--segment", help="Only this segment.")
@click.option("--format", "fmt", type=click.Choice(("html", "pdf")), default="html",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (HTML: default standard output; PDF: required).")
def report_command(journey, period, compare_to, segment, fmt, output) -> None:
    """Write the journey report (the CX board as HTML or PDF)."""
    if fmt == "pdf" and output is None:
        raise click.BadParameter("a PDF needs a file: give -o FILE.pdf", param_hint="--output")
    with db_session(write=False) as session:
        try:
            board = build_board(session, journey, period, compare_to, "month", segment)
        except BoardError as exc:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.field.replace('_', '-')}") \
                from None
        if board.journey is None:
            raise click.ClickException("no journeys yet: load one with `uxlab journeys load`")
        body, _mimetype = render_journey_report(board, fmt)
    if output is None:
        click.echo(body)
    elif isinstance(body, bytes):
        output.write_bytes(body)
    else:
        output.write_text(body, encoding="utf-8")
    if output is not None:
        click.echo(f"wrote {output}")


@cx_group.group("token")
def token_group() -> None:
    """API tokens for the CX feed (GET /api/v1/cx/feed)."""


@token_group.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Make a token; it is printed once and stored only as a hash."""
    with db_session() as session:
        try:
            row, token = create_api_token(session, name)
        except CredentialError as exc:
            raise click.BadParameter(str(exc), param_hint="NAME") from None
        click.echo(f"token {row.id} ({row.name}): {token}")
        click.echo("Keep it now: uxlab stores only its hash and cannot show it again.")


@token_group.command("list")
def token_list() -> None:
    """List tokens (their first characters only)."""
    with db_session(write=False) as session:
        for row in api_tokens(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
            click.echo(f"{row.id:4} {row.prefix}…  {state:18} {row.name}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID: the feed refuses it from now on."""
    with db_session() as session:
        try:
            row = revoke_api_token(session, token_id)
        except CredentialError as exc:
            raise click.BadParameter(str(exc), param_hint="TOKEN_ID") from None
        click.echo(f"token {row.id} ({row.name}) revoked")


@cx_group.command("source")
@click.argument("name")
@click.option("--kind", type=click.Choice(("generic", "delighted", "wootric")),
              default="generic", show_default=True, help="The shape of the posted JSON.")
def source_create(name: str, kind: str) -> None:
    """Register webhook source NAME and print the secret it signs its posts with."""
    with db_session() as session:
        try:
            source, secret = create_source(session, name, kind)
        except CredentialError as exc:
            raise click.BadParameter(str(exc), param_hint="NAME") from None
        click.echo(f"source {source.name} ({source.kind}): secret {secret}")
        click.echo("Sign each POST to /api/v1/cx/responses?source=" + source.name
                   + " with X-Uxlab-Signature: sha256=<hex HMAC-SHA256 of the body>.")
