"""``uxlab retention apply``: raw events older than N days go; the attempts' metrics stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.conftest import fresh
from uxlab.analysis.dataset import analyze_dataset, build_dataset
from uxlab.models import Attempt, Event, Participant, TestSession
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.timeutil import utcnow


def _sessions_of(code):
    return select(TestSession.id).join(Participant).where(Participant.code == code)


def _events(db, code=None) -> int:
    query = select(func.count()).select_from(Event)
    if code is not None:
        query = query.where(Event.session_id.in_(_sessions_of(code)))
    return fresh(db).scalar(query)


def _metrics(db):
    return fresh(db).execute(select(
        Attempt.id, Attempt.outcome, Attempt.time_on_task_ms, Attempt.clicks, Attempt.misclicks,
        Attempt.errors, Attempt.path, Attempt.direct, Attempt.first_click_correct,
        Attempt.lostness).order_by(Attempt.id)).all()


def test_old_raw_events_go_and_the_metrics_stay(cli, db, study, codes):
    old, still_open, recent = codes
    for code in (old, still_open):
        db.execute(update(Event).where(Event.session_id.in_(_sessions_of(code)))
                   .values(received_at=utcnow() - timedelta(days=40)))
    # a session that never ended keeps its events: its attempts may still be recorded
    db.execute(update(TestSession).where(TestSession.id.in_(_sessions_of(still_open)))
               .values(ended_at=None))
    db.commit()
    counts = {code: _events(db, code) for code in codes}
    assert all(counts.values())
    metrics, analysis = _metrics(db), analyze_dataset(build_dataset(fresh(db), study))

    dry = cli("retention", "apply", "--days", "30", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"{counts[old]} raw event(s) received before" in dry.output
    assert "would be deleted" in dry.output and f"{study.slug}: {counts[old]}" in dry.output
    assert {code: _events(db, code) for code in codes} == counts  # a dry run deletes nothing

    result = cli("retention", "apply", "--days", "30")
    assert result.exit_code == 0, result.output
    assert f"{counts[old]} raw event(s) received before" in result.output
    assert {code: _events(db, code) for code in codes} == {**counts, old: 0}
    assert _metrics(db) == metrics
    assert analyze_dataset(build_dataset(fresh(db), study)) == analysis
    # nothing recomputes the metrics later from the events that are left (there are none)
    for attempt in db.scalars(select(Attempt).where(Attempt.session_id.in_(_sessions_of(old)))):
        assert attempt.raw_events_deleted_at is not None
        derive_attempt_metrics(db, attempt)
    db.flush()
    assert _metrics(db) == metrics


def test_retention_needs_a_positive_number_of_days(cli):
    result = cli("retention", "apply", "--days", "0")
    assert result.exit_code == 2 and "--days" in result.output
