"""``uxlab participants delete`` and ``uxlab retention apply``: participants' data on request
and raw events no longer needed (:mod:`uxlab.privacy`)."""

from __future__ import annotations

import getpass

import click

from uxlab.cli.common import db_session
from uxlab.privacy.deletion import delete_participant, deletions_of, find_participant
from uxlab.privacy.retention import apply_retention, plan_retention
from uxlab.studies.service import current_study
from uxlab.timeutil import utcnow


@click.command("delete")
@click.argument("slug")
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", default="", help="Why (kept in the deletion record; name no one).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(slug: str, codes: tuple[str, ...], reason: str, yes: bool) -> None:
    """Delete all data of participants CODES of study SLUG, leaving a deletion record each.

    Their sessions, attempts, raw events, answers, notes on their sessions and problem
    sightings go; results and exports no longer count them. Prints one deletion reference per
    participant, to give them as a receipt. Nothing is deleted if any code is unknown.
    """
    with db_session() as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r}")
        participants = []
        for code in dict.fromkeys(codes):
            participant = find_participant(session, study, code)
            if participant is None:
                raise click.ClickException(f"study {slug!r} has no participant {code!r}")
            participants.append(participant)
        if not yes:
            click.confirm(f"Delete all data of {len(participants)} participant(s) of {slug!r}? "
                          "This cannot be undone", abort=True)
        who = f"cli:{getpass.getuser()}"
        for participant in participants:
            code = participant.code
            tombstone = delete_participant(session, participant, deleted_by=who, reason=reason)
            click.echo(f"{code}: deleted ({_counts(tombstone)}); reference {tombstone.reference}")


@click.command("deletions")
@click.argument("slug")
def deletions_command(slug: str) -> None:
    """List the deletion records of study SLUG, newest first."""
    with db_session(write=False) as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r}")
        for record in deletions_of(session, study):
            when = record.deleted_at.strftime("%Y-%m-%d %H:%M UTC")
            reason = f" ({record.reason})" if record.reason else ""
            click.echo(f"{record.reference}  {when}  {record.deleted_by}{reason}: {_counts(record)}")


def _counts(record) -> str:
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in record.counts.items())


@click.group("retention")
def retention_group() -> None:
    """Keep participants' raw events no longer than needed."""


@retention_group.command("apply")
@click.option("--days", type=click.IntRange(min=1), required=True,
              help="Delete raw events received more than this many days ago.")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
def apply_command(days: int, dry_run: bool) -> None:
    """Delete raw events older than DAYS days of ended sessions; attempts keep their metrics.

    Results, reports and the tidy exports do not change; click maps, session timelines and the
    raw-event export lose the deleted events.
    """
    with db_session() as session:
        now = utcnow()
        plan = plan_retention(session, days, now) if dry_run else \
            apply_retention(session, days, now)
        verb = "would be deleted" if dry_run else "deleted"
        cutoff = plan.cutoff.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{plan.events} raw event(s) received before {cutoff} {verb}.")
        for slug, count in plan.events_by_study.items():
            click.echo(f"  {slug}: {count}")
        if dry_run:
            session.rollback()
