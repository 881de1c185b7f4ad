"""The per-participant table of the results page: who took part, how far they got, their sessions.

A participant is listed when they have a session (they opened their link and consented) that
the filters keep (session mode, and a session started in the date range), in a kept variant; and
always when the analysed rows hold them, so every analysed participant is listed. Excluded and
synthetic participants follow the filters as in :mod:`uxlab.analysis.dataset`. The task counts
and times come from the analysed rows themselves, so the table adds up to the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Dataset, Filters, participant_filter_conditions
from uxlab.models import Participant, Study, TestSession, Variant


@dataclass(frozen=True)
class SessionLink:
    """One sitting of a participant, enough to link to its review page."""

    public_id: str
    mode: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class ParticipantRow:
    """One participant of the results page's table.

    ``variant`` is the assigned variant's key (between subjects; None within, where
    ``variant_order`` says the order seen). ``attempts``, ``tasks_succeeded`` and
    ``total_time_s`` count the participant's analysed attempts (``total_time_s`` sums their
    server-measured times; None when no attempt has a time).
    """

    id: int
    code: str
    variant: str | None
    variant_order: tuple[str, ...]
    synthetic: bool
    started_at: datetime
    completed_at: datetime | None
    excluded: bool
    exclusion_reason: str | None
    sessions: tuple[SessionLink, ...]
    attempts: int
    tasks_succeeded: int
    total_time_s: float | None

    @property
    def modes(self) -> tuple[str, ...]:
        """The distinct modes of the participant's sessions, in session order."""
        return tuple(dict.fromkeys(s.mode for s in self.sessions))

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def participant_rows(session: Session, study: Study, filters: Filters, dataset: Dataset
                     ) -> list[ParticipantRow]:
    """Return the listed participants of ``study`` in order of joining, with their sessions."""
    analysed = _analysed(dataset.attempts)
    present = set(analysed) | {row["participant"] for row in dataset.survey}
    statement = (
        select(Participant.id, Participant.code, Variant.key, Participant.variant_order,
               Participant.synthetic, Participant.completed_at, Participant.excluded_at,
               Participant.exclusion_reason, TestSession.public_id, TestSession.mode,
               TestSession.started_at, TestSession.ended_at)
        .join(TestSession, TestSession.participant_id == Participant.id)
        .outerjoin(Variant, Variant.id == Participant.variant_id)
        .where(Participant.study_id == study.id)
        .order_by(Participant.id, TestSession.started_at, TestSession.id)
    )
    statement = statement.where(*participant_filter_conditions(filters))
    grouped: dict[int, list] = {}
    for row in session.execute(statement):
        grouped.setdefault(row.id, []).append(row)
    rows = []
    for sittings in grouped.values():
        first = sittings[0]
        kept = _session_kept(sittings, filters) and _variant_kept(first.key, study, filters)
        if not (kept or first.code in present):
            continue
        attempts, succeeded, total = analysed.get(first.code, (0, 0, None))
        rows.append(ParticipantRow(
            id=first.id, code=first.code, variant=first.key,
            variant_order=tuple(first.variant_order or ()), synthetic=first.synthetic,
            started_at=min(s.started_at for s in sittings), completed_at=first.completed_at,
            excluded=first.excluded_at is not None, exclusion_reason=first.exclusion_reason,
            sessions=tuple(SessionLink(str(s.public_id), s.mode, s.started_at, s.ended_at)
                           for s in sittings),
            attempts=attempts, tasks_succeeded=succeeded, total_time_s=total))
    return rows


def _analysed(attempts: Iterable[dict]) -> dict[str, tuple[int, int, float | None]]:
    """participant → (attempts, successes, summed seconds or None) over the analysed rows."""
    totals: dict[str, tuple[int, int, float | None]] = {}
    for row in attempts:
        count, succeeded, seconds = totals.get(row["participant"], (0, 0, None))
        time_s = row["time_s"]
        totals[row["participant"]] = (
            count + 1, succeeded + (row["success"] == 1),
            seconds if time_s is None else (seconds or 0.0) + time_s)
    return totals


def _session_kept(sittings, filters: Filters) -> bool:
    """Whether one of the sessions has a kept mode and started in the date range."""
    return any(
        (not filters.modes or s.mode in filters.modes)
        and (filters.started_from is None or s.started_at >= filters.started_from)
        and (filters.started_before is None or s.started_at < filters.started_before)
        for s in sittings)


def _variant_kept(variant: str | None, study: Study, filters: Filters) -> bool:
    # Within subjects every participant uses every variant: the filter picks rows, not people.
    return not filters.variants or study.design == "within" or variant in filters.variants


def started_and_completed(rows: Iterable[ParticipantRow], design: str
                          ) -> dict[str | None, tuple[int, int]]:
    """(started, completed) per assigned variant; within subjects one entry under None."""
    counts: dict[str | None, tuple[int, int]] = {}
    for row in rows:
        key = None if design == "within" else row.variant
        started, completed = counts.get(key, (0, 0))
        counts[key] = (started + 1, completed + row.completed)
    return counts
