"""One timestamp type: aware UTC in, aware UTC out, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from uxlab.models import User
from uxlab.timeutil import utcnow


def test_utcnow_is_aware_utc():
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_timestamps_round_trip_as_aware_utc(db):
    berlin = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=berlin)
    user = User(email="t@example.org", password_hash="x", created_at=moment)
    db.add(user)
    db.commit()
    db.expire_all()

    stored = db.get(User, user.id).created_at

    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == moment
    assert stored == datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)


def test_naive_datetimes_are_refused(db):
    db.add(User(email="n@example.org", password_hash="x", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        db.commit()
