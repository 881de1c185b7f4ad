"""Password guessing is slowed down per address: a doubling wait after five failed log-ins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import TEST_PASSWORD, fresh
from tests.web.test_auth import _logged_in, field_error
from uxlab.accounts import service, throttle
from uxlab.accounts.service import LoginThrottled, check_login, record_login
from uxlab.models import LoginThrottle
from uxlab.timeutil import utcnow

EMAIL = "researcher@example.org"


def _fail(auth, email=EMAIL, times=1):
    for _ in range(times):
        assert auth.login(email, "wrong password").status_code == 400


def _age_failures(db, seconds: float):
    """Move the last failures back in time, as if ``seconds`` had passed."""
    for row in db.scalars(select(LoginThrottle)):
        row.last_failure_at -= timedelta(seconds=seconds)
    db.commit()


def test_five_failures_cost_nothing_the_sixth_waits(client, db, auth, make_user):
    make_user()
    _fail(auth, times=5)
    response = auth.login(EMAIL)  # the right password, but the address must wait
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "Too many failed log-ins for this address. Try again in 1 second." == field_error(
        response.get_data(as_text=True), "password")
    assert not _logged_in(client)
    _age_failures(fresh(db), 1.5)
    assert auth.login(EMAIL).status_code == 302
    assert _logged_in(client)
    assert fresh(db).scalar(select(func.count()).select_from(LoginThrottle)) == 0


def log_in(db, email, password, now):
    """What the login page does, in one session."""
    user = check_login(db, email, password, now)
    record_login(db, email, user is not None, now)
    return user


def test_the_wait_doubles_with_each_failure_and_is_capped(db, make_user):
    make_user()
    now = utcnow()
    waits = []
    for _ in range(20):
        try:
            assert log_in(db, EMAIL, "wrong password", now=now) is None
        except LoginThrottled as exc:
            waits.append(exc.retry_after)
            now += timedelta(seconds=exc.retry_after)  # wait it out, then guess again
            assert log_in(db, EMAIL, "wrong password", now=now) is None
    assert waits[:11] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert set(waits[11:]) == {900}  # at most a quarter of an hour
    db.rollback()


def test_a_guess_while_waiting_is_not_checked_or_counted(db, make_user):
    make_user()
    now = utcnow()
    for _ in range(6):
        try:
            log_in(db, EMAIL, "wrong password", now=now)
        except LoginThrottled:
            pass
    failures = db.get(LoginThrottle, EMAIL).failures
    with pytest.raises(LoginThrottled):
        log_in(db, EMAIL, TEST_PASSWORD, now=now)
    assert db.get(LoginThrottle, EMAIL).failures == failures == 5
    db.rollback()


def test_unknown_addresses_are_slowed_down_alike(auth, make_user):
    make_user()
    _fail(auth, "nobody@example.org", times=5)
    assert auth.login("nobody@example.org", "any password").status_code == 429
    assert auth.login(EMAIL).status_code == 302  # another address is not held up


def test_failures_are_counted_per_address_however_it_is_typed(auth, make_user):
    make_user()
    _fail(auth, "Researcher@Example.org ", times=5)
    assert auth.login(EMAIL).status_code == 429


def test_a_day_old_failures_are_forgotten(client, db, auth, make_user):
    make_user()
    _fail(auth, times=5)
    _fail(auth, "someone@example.org", times=5)
    fresh(db).get(LoginThrottle, "someone@example.org").failures = 30  # a 15-minute wait
    db.commit()
    _age_failures(db, (throttle.FORGET_AFTER + timedelta(minutes=1)).total_seconds())
    _fail(auth, "someone@example.org")  # starts counting again at 1 ...
    assert fresh(db).get(LoginThrottle, "someone@example.org").failures == 1
    # ... and any failure removes the rows older than a day
    assert fresh(db).scalars(select(LoginThrottle.email)).all() == ["someone@example.org"]
    assert auth.login(EMAIL).status_code == 302


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's one write lock
def test_the_password_check_holds_no_write_lock(database, auth, make_user, monkeypatch):
    """Participants' events must not wait while someone's password is being hashed."""
    make_user()
    checking, release = threading.Event(), threading.Event()
    real_check = service.check_password_hash

    def slow_check(*args):
        checking.set()
        release.wait(timeout=30)
        return real_check(*args)

    monkeypatch.setattr(service, "check_password_hash", slow_check)
    answers = []
    login = threading.Thread(target=lambda: answers.append(auth.login(EMAIL).status_code))
    login.start()
    assert checking.wait(timeout=30)
    wrote = threading.Event()

    def write():
        with database.write_sessions() as session:
            session.execute(update(LoginThrottle).values(failures=1))  # takes the write lock
            session.commit()
        wrote.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert wrote.wait(timeout=5), "a write waited for the password check"
    finally:
        release.set()
        login.join(timeout=30)
        writer.join(timeout=30)
    assert answers == [302]
