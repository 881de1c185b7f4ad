"""The dataset filters as command-line options, shared by ``uxlab export`` and ``uxlab report``."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from uxlab.analysis.dataset import Filters
from uxlab.analysis.segment_filter import parse_segments
from uxlab.models.participants import SESSION_MODES

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def filter_options(command):
    """Add --variant, --mode, --since, --before, --include-excluded, --no-synthetic and
    --segment."""
    options = [
        click.option("--variant", "variants", multiple=True, metavar="KEY",
                     help="Only these variants (repeat for several)."),
        click.option("--mode", "modes", multiple=True, type=click.Choice(SESSION_MODES),
                     help="Only sessions of this mode (repeat for several)."),
        click.option("--since", type=click.DateTime(DATE_FORMATS),
                     help="Only attempts started at or after this UTC date/time."),
        click.option("--before", type=click.DateTime(DATE_FORMATS),
                     help="Only attempts started before this UTC date/time."),
        click.option("--include-excluded", is_flag=True,
                     help="Keep participants excluded from the analysis (left out by default)."),
        click.option("--no-synthetic", is_flag=True,
                     help="Leave out synthetic (simulated) participants."),
        click.option("--segment", "segments", multiple=True, metavar="KEY=ANSWER",
                     help="Only participants with this screener answer (shopping=Weekly), or "
                          "for a number question in this range (age=18..30, age=65.., "
                          "age=..17), or who did not answer it (shopping='(no answer)'); "
                          "repeat: the same question any of them, different questions all."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def filters_from_options(variants=(), modes=(), since: datetime | None = None,
                         before: datetime | None = None, include_excluded: bool = False,
                         no_synthetic: bool = False, segments=()) -> Filters:
    """The :class:`Filters` of the options (dates are UTC); a bad combination is a UsageError."""
    try:
        return Filters(variants=variants, modes=modes, started_from=_utc(since),
                       started_before=_utc(before), include_excluded=include_excluded,
                       include_synthetic=not no_synthetic, segments=parse_segments(segments))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None
