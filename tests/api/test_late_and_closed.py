"""Events after the fact: late events change no metrics, a closed study takes nothing new, tokens
expire, and a replay of an acknowledged batch keeps its success answer (issue 14, fix 5)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select, update

from tests.conftest import fresh
from tests.recording.factories import EventMaker, make_attempt
from uxlab.exports.tables import events_csv
from uxlab.models import Attempt, Event, Study
from uxlab.recording.auth import ingest_token
from uxlab.recording.ingest import LATE_AFTER


def _post(client, sitting, body):
    return client.post(f"/api/v1/sessions/{sitting.public_id}/events", json=body)


def _stored(db, **where) -> int:
    fresh(db)
    return db.scalar(select(func.count()).select_from(Event).filter_by(**where))


def _end(db, attempt: Attempt, ago: timedelta) -> None:
    db.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        ended_at=attempt.started_at + timedelta(seconds=20) - ago, outcome="success"))
    db.commit()


def _close(db, study) -> None:
    db.execute(update(Study).where(Study.id == study.id).values(status="closed"))
    db.commit()


def test_events_long_after_the_end_are_stored_as_late_and_change_no_metric(
        db, as_participant, sitting):
    attempt = make_attempt(db, sitting, "find-product")
    make = EventMaker(attempt=attempt.id)
    during = [make.navigate("index.html"), make.click("a.shoes"), make.navigate("shoes.html")]
    assert _post(as_participant, sitting, {"events": during}).status_code == 200
    _end(db, attempt, ago=timedelta(seconds=0))
    # Within the grace the recorder's last batch still counts (metrics derived again).
    assert _post(as_participant, sitting, {"events": [make.click("a.x")]}).status_code == 200
    before = fresh(db).get(Attempt, attempt.id)
    counted = (before.clicks, before.errors, before.path, before.lostness, before.direct)
    assert before.clicks == 2 and before.path == ["index.html", "shoes.html"]

    _end(db, attempt, ago=LATE_AFTER + timedelta(seconds=1))
    flood = [make.click("a.evil") for _ in range(500)] + [make.navigate("help.html")]
    answer = _post(as_participant, sitting, {"events": flood})
    assert answer.status_code == 200 and answer.get_json() == {"accepted": 501, "duplicates": 0}
    after = fresh(db).get(Attempt, attempt.id)
    assert (after.clicks, after.errors, after.path, after.lostness, after.direct) == counted
    assert _stored(db, late=True) == 501 and _stored(db, late=False) == 4
    # Deriving the metrics again (a moderator's override does) still leaves them out.
    from uxlab.recording.metrics import derive_attempt_metrics

    derive_attempt_metrics(db, after)
    assert after.clicks == 2
    # The researcher sees which events were late.
    rows = list(csv.DictReader(io.StringIO("".join(events_csv(db, sitting.participant.study)))))
    assert sorted({row["late"] for row in rows}) == ["0", "1"]
    assert sum(row["late"] == "1" for row in rows) == 501


def test_a_closed_studys_session_takes_nothing_new_but_replays_succeed(
        db, as_participant, sitting, study):
    make = EventMaker()
    acknowledged = {"events": [make.click() for _ in range(3)]}
    assert _post(as_participant, sitting, acknowledged).get_json() == {
        "accepted": 3, "duplicates": 0}
    _close(db, study)
    refused = _post(as_participant, sitting, {"events": [make.click()]})
    assert refused.status_code == 409
    assert refused.get_json() == {"error": "study closed", "field": None,
                                  "message": refused.get_json()["message"]}
    assert "closed" in refused.get_json()["message"]
    # A retry of the batch whose answer was lost keeps its success answer.
    replay = _post(as_participant, sitting, acknowledged)
    assert replay.status_code == 200 and replay.get_json() == {"accepted": 0, "duplicates": 3}
    # Half old, half new is new data: refused whole.
    mixed = {"events": acknowledged["events"][:1] + [make.click()]}
    assert _post(as_participant, sitting, mixed).status_code == 409
    assert _stored(db) == 3


def test_an_expired_token_is_401_naming_it_and_its_replay_still_succeeds(
        db, app, client, sitting):
    token = ingest_token(app, sitting.public_id)
    batch = {"events": [EventMaker().click()], "token": token}
    assert _post(client, sitting, batch).status_code == 200
    app.config["INGEST_TOKEN_MAX_AGE_S"] = -1  # every token issued so far has expired
    expired = _post(client, sitting, {"events": [EventMaker(tab="t2").click()], "token": token})
    assert expired.status_code == 401
    body = expired.get_json()
    assert body["field"] == "token" and body["error"] == "token expired"
    assert _post(client, sitting, batch).get_json() == {"accepted": 0, "duplicates": 1}
    assert _stored(db) == 1


def test_finishing_an_attempt_of_a_closed_study_is_409(db, client, sitting, study):
    attempt = make_attempt(db, sitting, "find-product")
    with client.session_transaction() as s:
        s["participant_id"] = sitting.participant_id
    _close(db, study)
    response = client.post(f"/api/v1/sessions/{sitting.public_id}/attempts/{attempt.id}/finish",
                           json={"reason": "give_up"})
    assert response.status_code == 409 and response.get_json()["error"] == "study closed"
    assert fresh(db).get(Attempt, attempt.id).ended_at is None
