"""A participant's data is deleted on request (web UI, owner only; CLI), leaving a tombstone."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, fresh
from tests.privacy.conftest import OWNER, log_in, rows_of
from uxlab.accounts.service import grant_access
from uxlab.models import Participant, ParticipantDeletion, TestSession, User

NOTHING = dict.fromkeys(["participants", "sessions", "attempts", "events", "answers",
                         "observations", "problem_sightings"], 0)


def _delete_url(study, code):
    return f"/studies/{study.id}/participants/{code}/delete"


def _tidy_export(client, study) -> str:
    response = client.get(f"/studies/{study.id}/export/all.json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_owner_deletes_a_participants_data_from_the_web(app, db, study, codes):
    gone, kept = codes[0], codes[1:]
    before = rows_of(db, gone)
    assert all(before.values()), before  # every kind of row exists to be deleted
    kept_before = [rows_of(db, code) for code in kept]
    client = log_in(app.test_client(), OWNER)
    session_page = client.get(f"/studies/{study.id}/participants").get_data(as_text=True)
    assert _delete_url(study, gone) in session_page
    assert gone in _tidy_export(client, study)

    page = client.get(_delete_url(study, gone))
    assert page.status_code == 200 and "cannot be brought back" in page.get_data(as_text=True)
    token = csrf_token(client, _delete_url(study, gone))
    unconfirmed = client.post(_delete_url(study, gone), data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert rows_of(fresh(db), gone) == before  # nothing deleted without the confirmation

    done = client.post(_delete_url(study, gone), data={
        "csrf_token": token, "confirm": "y", "reason": "asked by email on 3 Dec"})
    assert done.status_code == 302
    assert rows_of(fresh(db), gone) == NOTHING
    assert [rows_of(db, code) for code in kept] == kept_before  # no one else's data touched

    tombstone = db.scalars(select(ParticipantDeletion)).one()
    owner = db.scalars(select(User).where(User.email == OWNER)).one()
    assert (tombstone.study_id, tombstone.study_slug) == (study.id, study.slug)
    assert (tombstone.deleted_by, tombstone.deleted_by_id) == (OWNER, owner.id)
    assert tombstone.reason == "asked by email on 3 Dec" and tombstone.deleted_at is not None
    assert tombstone.counts == {k: v for k, v in before.items() if k != "participants"}
    assert gone not in tombstone.reference
    receipt = client.get(f"/studies/{study.id}/participants").get_data(as_text=True)
    assert f"Deletion reference: {tombstone.reference}" in receipt  # the flash, shown once
    listing = client.get(f"/studies/{study.id}/participants").get_data(as_text=True)
    assert tombstone.reference in listing and gone not in listing
    export = _tidy_export(client, study)
    assert gone not in export and all(code in export for code in kept)
    results = client.get(f"/studies/{study.id}/results").get_data(as_text=True)
    assert gone not in results


def test_only_the_owner_may_delete(app, db, make_user, study, codes):
    study_id = study.id
    for email, access in (("editor@example.org", "editor"), ("viewer@example.org", "viewer")):
        grant_access(db, study, make_user(email), access)
        db.commit()
        client = log_in(app.test_client(), email)
        assert client.get(f"/studies/{study_id}/participants/{codes[0]}/delete").status_code == 403
        assert "/delete" not in client.get(f"/studies/{study_id}/participants").get_data(
            as_text=True)
    make_user("stranger@example.org")
    stranger = log_in(app.test_client(), "stranger@example.org")
    assert stranger.get(f"/studies/{study_id}/participants/{codes[0]}/delete").status_code == 404
    owner = log_in(app.test_client(), OWNER)
    assert owner.get(f"/studies/{study_id}/participants/NO-SUCH/delete").status_code == 404
    assert rows_of(fresh(db), codes[0])["participants"] == 1


def test_the_cli_deletes_participants_and_prints_their_references(cli, db, study, codes):
    refused = cli("participants", "delete", study.slug, codes[0], "NO-SUCH", "--yes")
    assert refused.exit_code != 0 and "no participant 'NO-SUCH'" in refused.output
    assert rows_of(fresh(db), codes[0])["participants"] == 1  # nothing deleted

    result = cli("participants", "delete", study.slug, codes[0], codes[1], "--reason", "request")
    assert result.exit_code != 0  # no confirmation given (input is empty)
    result = cli("participants", "delete", study.slug, codes[0], codes[1], input="y\n")
    assert result.exit_code == 0, result.output
    tombstones = fresh(db).scalars(select(ParticipantDeletion).order_by(ParticipantDeletion.id))
    references = [t.reference for t in tombstones]
    assert len(references) == 2
    for code, reference in zip(codes[:2], references, strict=True):
        assert f"{code}: deleted" in result.output and reference in result.output
        assert rows_of(db, code) == NOTHING
    assert rows_of(db, codes[2])["participants"] == 1
    assert all(t.deleted_by.startswith("cli:") for t in db.scalars(select(ParticipantDeletion)))
    listed = cli("participants", "deletions", study.slug)
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == references[::-1]
    assert all(code not in listed.output for code in codes)


def test_a_deletion_behind_a_lock_held_too_long_answers_503_and_deletes_nothing(
        app, database, db, study, codes, monkeypatch):
    """A transaction left holding a lock on the participant's session (as a hung ingestion
    would) makes the deletion give up after the lock timeout, with a 503 page, not hang; once
    the lock is gone the same request deletes."""
    if database.is_sqlite:
        pytest.skip("PostgreSQL's lock_timeout; SQLite's writers wait at most its busy timeout")
    monkeypatch.setattr("uxlab.db.POSTGRESQL_LOCK_TIMEOUT_MS", 300)
    db.close()  # its connection back to the pool, which then closes them all:
    database.engine.dispose()  # new connections take the shorter timeout
    gone = codes[0]
    before = rows_of(db, gone)
    client = log_in(app.test_client(), OWNER)
    token = csrf_token(client, _delete_url(study, gone))
    form = {"csrf_token": token, "confirm": "y", "reason": "asked"}
    with database.engine.connect() as holder:
        holder.execute(select(TestSession.id).join(Participant)
                       .where(Participant.code == gone).with_for_update(read=True, key_share=True))
        started = time.monotonic()
        refused = client.post(_delete_url(study, gone), data=form)
        waited = time.monotonic() - started
        holder.rollback()
    assert refused.status_code == 503, refused.get_data(as_text=True)[:300]
    assert refused.headers["Retry-After"] == "5"
    assert 0.3 <= waited < 10
    assert rows_of(fresh(db), gone) == before
    assert db.scalars(select(ParticipantDeletion)).all() == []
    assert client.post(_delete_url(study, gone), data=form).status_code == 302
    assert rows_of(fresh(db), gone) == NOTHING
