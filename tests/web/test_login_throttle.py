"""Password guessing is slowed down per address: a doubling wait after five failed log-ins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import TEST_PASSWORD, csrf_token, fresh
from tests.web.test_auth import _logged_in, field_error
from uxlab.accounts import service, throttle
from uxlab.accounts.service import LoginThrottled, authenticate, claim_login, login_succeeded
from uxlab.models import LoginThrottle
from uxlab.timeutil import utcnow

EMAIL = "researcher@example.org"
#: The Flask test client's REMOTE_ADDR.
CLIENT = "127.0.0.1"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The log-in page's clock stands still, so a wait never runs out on a slow machine."""
    now = utcnow()
    monkeypatch.setattr("uxlab.auth.views.utcnow", lambda: now)
    return now


def _fail(auth, email=EMAIL, times=1):
    for _ in range(times):
        assert auth.login(email, "wrong password").status_code == 400


def _age_failures(db, seconds: float):
    """Move the last failures back in time, as if ``seconds`` had passed."""
    for row in db.scalars(select(LoginThrottle)):
        row.last_failure_at -= timedelta(seconds=seconds)
        row.next_allowed_at -= timedelta(seconds=seconds)
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
    assert fresh(db).get(LoginThrottle, (EMAIL, CLIENT)) is None
    # the address's failures still count toward its ceiling; the successful try does not
    assert db.get(LoginThrottle, (EMAIL, throttle.ANY_CLIENT)).failures == 5


def log_in(db, email, password, now, client=CLIENT):
    """What the login page does, in one session."""
    claim_login(db, email, client, now)
    user = authenticate(db, email, password)
    if user is not None:
        login_succeeded(db, email, client)
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
    failures = db.get(LoginThrottle, (EMAIL, CLIENT)).failures
    with pytest.raises(LoginThrottled):
        log_in(db, EMAIL, TEST_PASSWORD, now=now)
    assert db.get(LoginThrottle, (EMAIL, CLIENT)).failures == failures == 5
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
    row = fresh(db).get(LoginThrottle, ("someone@example.org", CLIENT))
    row.failures, row.next_allowed_at = 30, row.next_allowed_at + timedelta(minutes=15)
    db.commit()
    _age_failures(db, (throttle.FORGET_AFTER + timedelta(minutes=1)).total_seconds())
    _fail(auth, "someone@example.org")  # starts counting again at 1 ...
    assert fresh(db).get(LoginThrottle, ("someone@example.org", CLIENT)).failures == 1
    # ... and any failure removes the rows older than a day
    assert set(fresh(db).scalars(select(LoginThrottle.email))) == {"someone@example.org"}
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


def _post_login(client, email, password, address):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_an_attackers_failures_do_not_lock_the_owner_out(app, make_user):
    """Failures count per address *and client*: the owner's own client is not held up."""
    make_user()
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(throttle.FREE_FAILURES):
        assert _post_login(attacker, EMAIL, "a guess", "203.0.113.9").status_code == 400
    assert _post_login(attacker, EMAIL, TEST_PASSWORD, "203.0.113.9").status_code == 429
    assert _post_login(owner, EMAIL, TEST_PASSWORD, "198.51.100.7").status_code == 302
    assert _logged_in(owner) and not _logged_in(attacker)


def test_the_address_has_a_ceiling_across_clients(db, make_user):
    """Many clients together get ``ADDRESS_FREE_FAILURES`` free guesses at one address."""
    make_user()
    now = utcnow()
    for n in range(throttle.ADDRESS_FREE_FAILURES):
        claim_login(db, EMAIL, f"10.0.{n // 250}.{n % 250}", now)
    with pytest.raises(LoginThrottled) as throttled:
        claim_login(db, EMAIL, "192.0.2.1", now)  # a fresh client, but the address must wait
    assert throttled.value.retry_after == 1
    db.rollback()


def test_simultaneous_guesses_after_a_wait_check_one_password(database, db, make_user):
    """40 guesses sent at the same moment once a wait is over: one claims the password check,
    whatever the database and however many connections (the wait is claimed atomically)."""
    make_user()
    now = utcnow()
    db.add(LoginThrottle(email=EMAIL, client=CLIENT, failures=throttle.FREE_FAILURES,
                         last_failure_at=now - timedelta(seconds=2),
                         next_allowed_at=now - timedelta(seconds=1)))
    db.commit()
    guesses = 40
    start = threading.Barrier(guesses)
    outcomes = []

    def guess():
        with database.write_sessions() as session:
            start.wait(timeout=30)
            try:
                claim_login(session, EMAIL, CLIENT, now)
            except LoginThrottled:
                session.rollback()
                outcomes.append("wait")
            else:
                session.commit()
                outcomes.append("checked")

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["checked"] + ["wait"] * (guesses - 1)
    assert fresh(db).get(LoginThrottle, (EMAIL, CLIENT)).failures == throttle.FREE_FAILURES + 1
