"""Notes saved as typed: stamped, tied to the attempt and last event, upserted by client id."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import fresh
from tests.observations.conftest import EDITOR, OBSERVER, OWNER, STRANGER
from uxlab.models import Observation


def notes_url(study, sitting, client_id=None):
    base = f"/studies/{study.id}/sessions/{sitting.public_id}/notes"
    return f"{base}/{client_id}" if client_id else base


def stamp(sitting, seconds):
    return (sitting.started_at + timedelta(seconds=seconds)).isoformat()


def test_notes_errors_and_problems_are_stored_with_attempt_and_last_event(
        db, study, clients, recorded):
    sitting, (first, second), events = recorded
    client = clients(OWNER)
    logged = [("note", 15, None, first.id, "page 'Shop'"),
              ("error", 85, 2, second.id, "click 'Apply'"),
              ("problem", 100, 3, second.id, "click 'Help'")]
    for kind, seconds, severity, _attempt, _after in logged:
        response = client.json("PUT", notes_url(study, sitting, uuid.uuid4()), {
            "kind": kind, "text": f"{kind} #Checkout #coupon", "severity": severity,
            "noted_at": stamp(sitting, seconds)})
        assert response.status_code == 201, response.get_json()
    stored = fresh(db).scalars(select(Observation).order_by(Observation.offset_ms)).all()
    assert [(o.kind, o.offset_ms, o.severity, o.attempt_id, o.after_event) for o in stored] == [
        (kind, seconds * 1000, severity, attempt, after)
        for kind, seconds, severity, attempt, after in logged]
    assert stored[1].after_event_id == events[1].id
    assert all(o.tags == ["checkout", "coupon"] for o in stored)


def test_saving_the_same_draft_again_updates_one_note(db, study, clients, recorded):
    sitting = recorded[0]
    client, key = clients(OWNER), uuid.uuid4()
    body = {"kind": "note", "text": "Looks", "noted_at": stamp(sitting, 20)}
    assert client.json("PUT", notes_url(study, sitting, key), body).status_code == 201
    body["text"] = "Looks for the coupon field under the total"
    answer = client.json("PUT", notes_url(study, sitting, key), body)
    assert answer.status_code == 200
    assert fresh(db).scalar(select(func.count()).select_from(Observation)) == 1
    assert db.scalar(select(Observation.text)) == body["text"]
    assert answer.get_json()["after_event"] == "page 'Shop'"


def test_back_dating_moves_the_stamp_and_its_context(db, study, clients, recorded):
    sitting, (first, second), _events = recorded
    client, key = clients(OWNER), uuid.uuid4()
    client.json("PUT", notes_url(study, sitting, key),
                {"text": "hesitates", "noted_at": stamp(sitting, 90)})
    client.json("PUT", notes_url(study, sitting, key),
                {"text": "hesitates", "noted_at": stamp(sitting, 30)})
    note = fresh(db).scalar(select(Observation))
    assert (note.offset_ms, note.attempt_id, note.after_event) == (30_000, first.id, "page 'Shop'")


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(db, study, clients, recorded):
    sitting = recorded[0]
    client = clients(OWNER)
    cases = [({"kind": "rant", "noted_at": stamp(sitting, 1)}, "kind"),
             ({"text": "x", "noted_at": stamp(sitting, 1), "severity": 5}, "severity"),
             ({"text": "x", "noted_at": stamp(sitting, 1), "severity": True}, "severity"),
             ({"text": "x"}, "noted_at"),
             ({"text": "x", "noted_at": "yesterday"}, "noted_at"),
             ({"text": "x", "noted_at": stamp(sitting, -3600)}, "noted_at"),
             ({"text": 5, "noted_at": stamp(sitting, 1)}, "text"),
             ({"text": "x", "noted_at": stamp(sitting, 1), "colour": "red"}, "colour"),
             ({"text": "x", "noted_at": stamp(sitting, 1), "tags": ["a b"]}, "tags")]
    for body, field in cases:
        response = client.json("PUT", notes_url(study, sitting, uuid.uuid4()), body)
        assert response.status_code == 400, body
        assert response.get_json()["field"] == field, body
    assert client.json("PUT", notes_url(study, sitting, "not-a-uuid"),
                       {"text": "x", "noted_at": stamp(sitting, 1)}).get_json()["field"] \
        == "client_id"
    assert fresh(db).scalar(select(func.count()).select_from(Observation)) == 0


def test_observers_notes_are_theirs_and_others_may_not_edit_them(db, study, clients, recorded):
    sitting = recorded[0]
    key = uuid.uuid4()
    body = {"text": "I see it", "noted_at": stamp(sitting, 5)}
    created = clients(OBSERVER).json("PUT", notes_url(study, sitting, key), body)
    assert created.status_code == 201
    assert created.get_json()["author"] == OBSERVER
    # Another observer-level person may not overwrite it; an editor may.
    assert clients(EDITOR).json("PUT", notes_url(study, sitting, key),
                                {**body, "text": "edited"}).status_code == 200
    key2 = uuid.uuid4()
    clients(EDITOR).json("PUT", notes_url(study, sitting, key2), body)
    assert clients(OBSERVER).json("PUT", notes_url(study, sitting, key2),
                                  {**body, "text": "mine now"}).status_code == 403
    assert clients(OBSERVER).json("DELETE", notes_url(study, sitting, key2)).status_code == 403
    texts = sorted(fresh(db).scalars(select(Observation.text)))
    assert texts == ["I see it", "edited"]


def test_filters_by_author_tag_and_kind(study, clients, recorded):
    sitting = recorded[0]
    clients(OWNER).json("PUT", notes_url(study, sitting, uuid.uuid4()),
                        {"kind": "quote", "text": "Where is it? #nav", "noted_at": stamp(sitting, 3)})
    clients(OBSERVER).json("PUT", notes_url(study, sitting, uuid.uuid4()),
                           {"kind": "error", "text": "wrong menu", "noted_at": stamp(sitting, 4)})
    url = notes_url(study, sitting)

    def texts(query):
        return [n["text"] for n in clients(OWNER).get(f"{url}?{query}").get_json()["notes"]]

    assert texts(f"author={OBSERVER}") == ["wrong menu"]
    assert texts("tag=%23nav") == ["Where is it? #nav"]
    assert texts("kind=error") == ["wrong menu"]
    assert texts("") == ["Where is it? #nav", "wrong menu"]
    assert clients(OWNER).get(f"{url}?kind=rant").status_code == 400


def test_people_without_access_get_404_and_writes_need_csrf(study, clients, recorded):
    sitting = recorded[0]
    body = {"text": "x", "noted_at": stamp(sitting, 1)}
    stranger = clients(STRANGER)
    assert stranger.get(notes_url(study, sitting)).status_code == 404
    assert stranger.json("PUT", notes_url(study, sitting, uuid.uuid4()), body).status_code == 404
    assert stranger.get(f"/studies/{study.id}/problems").status_code == 404
    assert stranger.get(f"/studies/{study.id}/sessions/{sitting.public_id}").status_code == 404
    owner = clients(OWNER)
    no_token = owner.http.put(notes_url(study, sitting, uuid.uuid4()), json=body)
    assert no_token.status_code == 400


def test_viewers_read_notes_and_problems_but_add_no_notes(db, study, clients, make_user,
                                                          recorded, app):
    from tests.observations.conftest import Client
    from uxlab.accounts.service import grant_access

    viewer = make_user("viewer@example.org")
    grant_access(db, study, viewer, "viewer")
    db.commit()
    sitting = recorded[0]
    client = Client(app, "viewer@example.org")
    assert client.get(notes_url(study, sitting)).status_code == 200
    assert client.get(f"/studies/{study.id}/problems").status_code == 200
    answer = client.json("PUT", notes_url(study, sitting, uuid.uuid4()),
                         {"text": "x", "noted_at": stamp(sitting, 1)})
    assert answer.status_code == 403


def test_an_error_note_counts_in_its_ended_attempts_errors(db, study, clients, recorded):
    """The notes panel's error (key ``e``) is a moderator's error as much as the logger's button:
    it counts in the attempt's errors even when written after the task ended."""
    from uxlab.models import Attempt

    sitting, (first, _second), _events = recorded
    client, key = clients(OWNER), uuid.uuid4()
    before = fresh(db).get(Attempt, first.id).errors or 0
    body = {"kind": "error", "text": "Opened the wrong menu", "noted_at": stamp(sitting, 30)}
    assert client.json("PUT", notes_url(study, sitting, key), body).status_code == 201
    assert fresh(db).get(Attempt, first.id).errors == before + 1
    body["kind"] = "note"  # no longer an error
    assert client.json("PUT", notes_url(study, sitting, key), body).status_code == 200
    assert fresh(db).get(Attempt, first.id).errors == before
    body["kind"] = "error"
    client.json("PUT", notes_url(study, sitting, key), body)
    assert client.json("DELETE", notes_url(study, sitting, key)).status_code == 204
    assert fresh(db).get(Attempt, first.id).errors == before
