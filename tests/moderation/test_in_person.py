"""In-person sessions logged by the moderator: stopwatch times, errors, assists, answers."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from uxlab.models import Attempt, Observation, Participant, QuestionnaireResponse, TestSession
from uxlab.results import build_results


@pytest.fixture
def logger(db, moderator, running_study):
    answer = moderator.start_session(running_study.id, "in_person", consent="yes",
                                     label="Lab, Tuesday")
    assert answer.status_code == 303
    test_session = fresh(db).scalars(select(TestSession)).one()
    fresh(db)
    study_id, public_id = running_study.id, test_session.public_id

    def act(action, **body):
        body.setdefault("key", uuid.uuid4().hex)
        if "at_ms" in body:  # sent now, by a tablet whose clock is an hour behind
            body["sent_ms"] = int(time.time() * 1000) - 3_600_000
        answer = moderator.act(study_id, public_id, action, **body)
        assert answer.status_code == 200, (action, answer.get_json())
        return answer.get_json()

    return test_session, act


def test_in_person_needs_consent_confirmed(db, moderator, running_study):
    answer = moderator.start_session(running_study.id, "in_person")
    assert answer.status_code == 303
    page = moderator.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "consent: confirm that the participant gave their consent" in page
    assert fresh(db).scalars(select(TestSession)).all() == []


def test_a_logged_session_is_analysed_like_any_other(db, running_study, logger):
    test_session, act = logger
    # The tablet's clock is an hour off and its queue is sent ten minutes late: only
    # differences count, and they come out as the stopwatch's to well within 0.1 s.
    t0 = int(time.time() * 1000) - 3_600_000 - 600_000
    act("start", step=1, at_ms=t0, sent_ms=t0 + 60_000)
    act("pause", step=1, at_ms=t0 + 10_000, sent_ms=t0 + 60_000)
    act("resume", step=1, at_ms=t0 + 15_000, sent_ms=t0 + 60_000)
    act("error", text="Opened the wrong menu", at_ms=t0 + 16_000, sent_ms=t0 + 60_000)
    act("assist", text="Prompt level 1 · Hint", at_ms=t0 + 17_000, sent_ms=t0 + 60_000)
    act("end", step=1, at_ms=t0 + 42_345, sent_ms=t0 + 60_000)
    act("judge", task="find-product", verdict="success_assisted", at_ms=t0 + 43_000,
        sent_ms=t0 + 60_000)
    act("answers", step=2, values={"1": 6})
    # Four more tasks, each quickly: 12.3 s on the stopwatch, then its SEQ.
    step = 3
    for _ in range(4):
        t = t0 + step * 10_000
        act("start", step=step, at_ms=t, sent_ms=t + 20_000)
        act("end", step=step, verdict="failure", at_ms=t + 12_300, sent_ms=t + 20_000)
        act("answers", step=step + 1, values={"1": 3})
        step += 2
    act("answers", step=step, values={str(i): 4 if i % 2 else 2 for i in range(1, 11)})  # SUS
    act("answers", step=step + 1, values={"1": 9})  # NPS

    fresh(db)
    attempts = db.scalars(select(Attempt).order_by(Attempt.position)).all()
    assert len(attempts) == 5
    first = attempts[0]
    assert abs(first.time_on_task_ms - (42_345 - 5_000)) < 100, "the stopwatch less the pause"
    assert (first.outcome, first.assisted, first.decided_by) == ("success", True, "moderator")
    assert first.errors == 1
    kinds = sorted(o.kind for o in db.scalars(select(Observation)))
    assert kinds == ["assist", "error"]
    assert all(abs(a.time_on_task_ms - 12_300) < 100 for a in attempts[1:])
    participant = db.get(Participant, test_session.participant_id)
    assert participant.completed_at is not None

    page = build_results(db, running_study)
    variant = participant.variant.key
    questionnaires = page.analysis["questionnaires"]
    assert questionnaires["sus"]["variants"][variant]["n"] == 1
    assert questionnaires["nps"]["variants"][variant]["n"] == 1
    survey = [r for r in page.dataset.survey if r["participant"] == participant.code]
    assert [r["sus_1"] for r in survey] == [4] and [r["nps"] for r in survey] == [9]
    rows = page.dataset.attempts
    assert [r["seq"] for r in rows if r["task"] == "find-product"] == [6]
    assert [round(r["time_s"], 1) for r in rows if r["task"] == "find-product"] == [37.3]
    assert {r["outcome"] for r in rows} == {"success", "failure"}
    modes = build_results(db, running_study, dataclasses.replace(page.filters,
                                                                 modes=("in_person",)))
    assert len(modes.dataset.attempts) == 5


def test_a_repeated_action_changes_nothing(db, logger):
    _, act = logger
    t = int(time.time() * 1000) - 3_600_000 - 60_000
    act("start", step=1, key="same", at_ms=t)
    first = act("end", step=1, key="end-once", at_ms=t + 10_000)
    again = act("end", step=1, key="end-once", at_ms=t + 10_000)
    assert again["attempt"] == first["attempt"]
    attempt = fresh(db).scalars(select(Attempt)).one()
    assert abs(attempt.time_on_task_ms - 10_000) < 100
    assert db.get(Participant, attempt.session.participant_id).step == 2


def test_bad_answers_name_the_item(db, logger, moderator, running_study):
    test_session, act = logger
    act("start", step=1)
    act("end", step=1)
    answer = moderator.act(running_study.id, test_session.public_id, "answers", step=2,
                           values={"1": 12})
    assert answer.status_code == 400 and answer.get_json()["field"] == "values.seq_1"
    assert fresh(db).scalars(select(QuestionnaireResponse)).all() == []
