"""Remote-moderated sessions through the HTTP endpoints: the participant's bot and a moderator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from tests.moderation.conftest import settle
from tests.participants.bot import Bot, event
from uxlab.models import Attempt, ModerationAudit, Participant, SessionWatch, TestSession
from uxlab.results import build_results


@pytest.fixture
def remote(db, app, moderator, running_study):
    """A remote-moderated session the participant has consented to, on its first task."""
    answer = moderator.start_session(running_study.id, "remote_moderated", label="P1 remote")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    test_session = fresh(db).scalars(select(TestSession)).one()
    participant_client = app.test_client()
    bot = Bot(participant_client, test_session.participant.token)
    bot.enter()
    consent_page = bot.page()
    assert "A moderator runs this session with you" in consent_page
    bot.consent()
    return test_session, bot


def test_the_session_made_ahead_is_the_one_the_participant_uses(db, remote):
    test_session, _ = remote
    sessions = fresh(db).scalars(select(TestSession)).all()
    assert len(sessions) == 1 and sessions[0].mode == "remote_moderated"
    assert sessions[0].participant.consented_at is not None


def test_console_records_who_watched(db, moderator, running_study, remote, owner):
    test_session, _ = remote
    config = moderator.config(running_study.id, test_session.public_id)
    assert config["role"] == "moderator" and config["state"]["step_kind"] == "task"
    watch = fresh(db).scalars(select(SessionWatch)).one()
    assert (watch.user_id, watch.role) == (owner.id, "moderator")


def test_moderator_starts_ends_and_judges_and_the_runner_follows(db, database, moderator,
                                                                  running_study, remote, owner):
    test_session, bot = remote
    study_id, public_id = running_study.id, test_session.public_id
    control = bot.client.get("/run/moderation").get_json()

    started = moderator.act(study_id, public_id, "start")
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["state"]["task"]["attempt"]["started_at"]
    after_start = bot.client.get("/run/moderation").get_json()
    assert after_start["version"] != control["version"], "the participant's page reloads"
    config = bot.config()  # the participant's /run now shows the running task

    clicked = bot.send_events(config, [event("click", 0, config["attempt"],
                                              target="#add", data={"text": "Add to cart",
                                                                   "interactive": True})])
    assert clicked.status_code == 200
    settle(database)
    feed = moderator.feed(study_id, public_id).get_json()
    assert [e["label"] for e in feed["events"] if e["type"] == "click"] == ["Add to cart"]

    paused = moderator.act(study_id, public_id, "pause")
    assert bot.client.get("/run/moderation").get_json()["paused"] is True
    assert paused.get_json()["state"]["task"]["attempt"]["paused_at"]
    moderator.act(study_id, public_id, "resume")

    ended = moderator.act(study_id, public_id, "end", reason="they were stuck")
    assert ended.status_code == 200
    judged = moderator.act(study_id, public_id, "judge", verdict="success_assisted",
                           reason="found it after a hint")
    assert judged.status_code == 200, judged.get_json()

    attempt = fresh(db).scalars(select(Attempt)).one()
    assert (attempt.outcome, attempt.assisted, attempt.decided_by) == ("success", True,
                                                                       "moderator")
    assert attempt.ended_at is not None and attempt.time_on_task_ms >= 0
    audit = db.scalars(select(ModerationAudit).order_by(ModerationAudit.id)).all()
    assert [a.action for a in audit] == ["start", "pause", "resume", "end", "outcome"]
    last = audit[-1]
    assert last.user_id == owner.id and last.reason == "found it after a hint"
    assert last.old_value["outcome"] is None
    assert (last.new_value["outcome"], last.new_value["assisted"]) == ("success", True)
    participant = db.get(Participant, test_session.participant_id)
    assert participant.step == 2, "on to the task's SEQ"
    assert "How easy was it?" in bot.page()

    page = build_results(db, running_study)
    rows = [r for r in page.dataset.attempts if r["task"] == attempt.task.key]
    assert rows and rows[0]["success"] == 1
    moderated = build_results(db, running_study, page.filters.__class__(modes=("remote_moderated",)))
    assert len(moderated.dataset.attempts) == 1, "the mode filter now matches"


def test_an_override_keeps_the_automatic_outcome(db, moderator, running_study, remote):
    test_session, bot = remote
    study_id, public_id = running_study.id, test_session.public_id
    bot.start_task()
    config = bot.config()
    finished = bot.finish(config, "give_up")
    assert finished.status_code == 200
    judged = moderator.act(study_id, public_id, "judge", verdict="partial",
                           reason="they had done most of it")
    assert judged.status_code == 200
    attempt = fresh(db).scalars(select(Attempt)).one()
    assert (attempt.outcome, attempt.decided_by) == ("partial", "moderator")
    assert (attempt.auto_outcome, attempt.auto_decided_by) == ("abandoned", "participant")


def test_outcome_corrected_from_the_session_review_is_audited(db, client, moderator,
                                                              running_study, remote):
    test_session, bot = remote
    bot.start_task()
    bot.finish(bot.config(), "give_up")
    attempt = fresh(db).scalars(select(Attempt)).one()
    review = f"/studies/{running_study.id}/sessions/{test_session.public_id}"
    page = client.get(review).get_data(as_text=True)
    assert "Correct an outcome" in page
    assert "Correct an outcome" in client.get(f"{review}/outcomes").get_data(as_text=True)
    token = moderator.csrf(running_study.id)
    answer = client.post(f"{review}/attempts/{attempt.id}/outcome",
                         data={"csrf_token": token, "verdict": "failure", "reason": "re-watched"})
    assert answer.status_code == 303
    entry = fresh(db).scalars(select(ModerationAudit)).one()
    assert (entry.action, entry.reason, entry.new_value["outcome"]) == ("outcome", "re-watched",
                                                                        "failure")
    bad = client.post(f"{review}/attempts/{attempt.id}/outcome",
                      data={"csrf_token": token, "verdict": "brilliant"})
    assert bad.status_code == 303
    assert "verdict: must be one of" in client.get(review).get_data(as_text=True)
    assert fresh(db).get(Attempt, attempt.id).outcome == "failure"


def test_skip_passes_the_task_and_its_questions(db, moderator, running_study, remote):
    test_session, bot = remote
    answer = moderator.act(running_study.id, test_session.public_id, "skip", reason="no time")
    assert answer.status_code == 200
    state = answer.get_json()["state"]
    assert state["task"]["number"] == 2 and state["step_kind"] == "task"
    assert fresh(db).scalars(select(Attempt)).all() == []


def test_bad_actions_are_refused_naming_the_field(db, moderator, running_study, remote):
    test_session, _ = remote
    study_id, public_id = running_study.id, test_session.public_id
    assert moderator.act(study_id, public_id, "end").status_code == 409  # nothing running
    moderator.act(study_id, public_id, "start")
    wrong = moderator.act(study_id, public_id, "end", verdict="great")
    assert wrong.status_code == 400 and wrong.get_json()["field"] == "verdict"
    stale = moderator.act(study_id, public_id, "pause", step=99)
    assert stale.status_code == 409 and stale.get_json()["field"] == "step"
    unknown = moderator.act(study_id, public_id, "pause", colour="red")
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "colour"
    timing = moderator.act(study_id, public_id, "pause", at_ms=5, sent_ms=1)
    assert timing.status_code == 400 and timing.get_json()["field"] == "at_ms"
    assert fresh(db).scalars(select(Attempt)).one().paused_at is None


def test_unmoderated_consent_says_when_it_may_be_watched(app, running_study, db):
    from uxlab.participants.links import create_participants

    participant = create_participants(db, running_study, 1)[0]
    db.commit()
    bot = Bot(app.test_client(), participant.token)
    bot.enter()
    page = bot.page()
    assert "may watch this session live" in page and "Who watched is recorded" in page


def test_login_is_needed(client, running_study):
    answer = client.get(f"/studies/{running_study.id}/live")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]



@pytest.fixture
def judged_study(db, make_study, owner, demo_spec):
    """The demo study with its first two tasks judged by the moderator, running."""
    import dataclasses

    tasks = list(demo_spec.tasks)
    for i in (0, 1):
        tasks[i] = dataclasses.replace(tasks[i], success={"type": "moderator"})
    study = make_study(owner=owner, spec=dataclasses.replace(demo_spec, slug="judged",
                                                             tasks=tuple(tasks)))
    study.status = "running"
    db.commit()
    return study


def test_moderator_judged_tasks_decided_count_and_undecided_show(db, client, moderator,
                                                                 judged_study):
    answer = moderator.start_session(judged_study.id, "remote_moderated")
    assert answer.status_code == 303
    test_session = fresh(db).scalars(select(TestSession)).one()
    bot = Bot(client.application.test_client(), test_session.participant.token)
    bot.enter()
    bot.consent()
    fresh(db)
    study_id, public_id = judged_study.id, test_session.public_id
    for _ in range(2):  # the participant says "done"; the criterion leaves it to the moderator
        bot.start_task()
        finished = bot.finish(bot.config(), "done")
        assert finished.get_json()["outcome"] is None
        bot.answer_all()
    state = moderator.feed(study_id, public_id).get_json()["states"][0]
    assert [a["outcome"] for a in state["attempts"]] == [None, None]
    first = state["attempts"][0]
    judged = moderator.act(study_id, public_id, "judge", attempt=first["id"], verdict="success")
    assert judged.status_code == 200

    page = client.get(f"/studies/{study_id}/results").get_data(as_text=True)
    second_task = judged_study.tasks[1]
    assert f'data-task="{second_task.key}" data-undecided="1"' in page
    assert f'data-task="{judged_study.tasks[0].key}" data-undecided' not in page
    results = build_results(fresh(db), db.get(type(judged_study), study_id))
    task = next(t for t in results.analysis["tasks"] if t["task"] == judged_study.tasks[0].key)
    assert sum(v["successes"] for v in task["variants"].values()) == 1
