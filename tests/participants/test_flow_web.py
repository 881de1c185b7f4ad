"""The participant flow over HTTP: links, consent, tasks, questionnaires, resume, staleness."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.participants.bot import Bot, event
from uxlab.models import Attempt, Participant, QuestionnaireResponse
from uxlab.participants.links import create_participants
from uxlab.participants.prototypes import insert_recorder


def _count(db, model, *where):
    fresh(db)
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_link_sets_a_cookie_and_leaves_the_url(bot):
    response = bot.enter()
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/run")
    assert bot.token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = bot.client.get("/run")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "I have read the above and agree" in page.get_data(as_text=True)


def test_unknown_link_is_404(client):
    assert client.get("/p/not-a-real-token").status_code == 404
    assert client.get("/run").status_code == 403


def test_consent_is_required(bot, db):
    bot.enter()
    assert bot.post().status_code == 400
    fresh(db)
    participant = db.get(Participant, bot.participant_id)
    assert participant.step == 0 and participant.consented_at is None


def _play_task(bot, reason="criterion", answer=None):
    assert bot.start_task().status_code == 303
    config = bot.config()
    criterion = config["criterion"]
    if reason == "criterion":
        url = criterion["url"].replace("\\", "").rstrip("$")
        navigate = event("navigate", 100 + config["attempt"], config["attempt"], url=url)
        assert bot.send_events(config, [navigate]).status_code == 200
        response = bot.finish(config, "criterion", event=navigate)
    else:
        response = bot.finish(config, reason, answer=answer)
    assert response.status_code == 200, response.get_json()
    return config, response.get_json()


def test_bot_completes_the_demo_study(bot, db, running_study):
    bot.enter()
    assert bot.consent().status_code == 303
    outcomes = []
    for number in range(5):
        html = bot.page()
        assert f"Task {number + 1} of 5" in html
        config = bot.config(bot.start_task() and bot.page())
        bot.client  # noqa: B018 - keep the session
        criterion = config["criterion"]
        if criterion["type"] == "answer":
            result = bot.finish(config, "done", answer="30 days").get_json()
        elif config["task"]["key"] == "apply-coupon":
            result = bot.finish(config, "give_up").get_json()
        else:
            url = criterion["url"].replace("\\", "").rstrip("$")
            navigate = event("navigate", number, config["attempt"], url=url)
            bot.send_events(config, [navigate])
            result = bot.finish(config, "criterion", event=navigate).get_json()
        outcomes.append((config["task"]["key"], result["outcome"]))
        assert bot.answer_all().status_code == 303  # SEQ
    assert "System Usability" in bot.page() or "About the website" in bot.page()
    assert bot.answer_all(lambda name, low, high: 4 if name.startswith("sus") else 9
                          ).status_code == 303
    assert bot.answer_all(lambda name, low, high: 9).status_code == 303
    assert "Thank you" in bot.page()

    assert dict(outcomes) == {"find-product": "success", "add-to-cart": "success",
                              "apply-coupon": "abandoned", "guest-checkout": "success",
                              "return-policy": "success"}
    fresh(db)
    participant = db.get(Participant, bot.participant_id)
    assert participant.completed_at is not None
    session_id = participant.sessions[0].id
    assert _count(db, Attempt, Attempt.session_id == session_id) == 5
    responses = db.execute(select(QuestionnaireResponse.instrument, func.count())
                           .where(QuestionnaireResponse.session_id == session_id)
                           .group_by(QuestionnaireResponse.instrument)).all()
    assert dict(responses) == {"seq": 5, "sus": 10, "nps": 1}
    attempts = db.scalars(select(Attempt).where(Attempt.session_id == session_id)).all()
    assert all(a.time_on_task_ms is not None and a.time_on_task_ms >= 0 for a in attempts)


def test_double_submit_makes_one_attempt_and_stale_posts_get_409(bot, db):
    bot.enter()
    consent_page = bot.page()
    bot.post(consent_page, agree="yes")
    html = bot.page()
    first = bot.post(html)
    second = bot.post(html)  # same idempotency key: replayed
    assert first.status_code == second.status_code == 303
    assert _count(db, Attempt) == 1
    # The consent form again, from a stale tab, with a fresh key: refused, nothing changes.
    stale = bot.client.post("/run", data={**bot.form_fields(consent_page), "agree": "yes",
                                          "idempotency_key": "other"})
    assert stale.status_code == 409
    assert _count(db, Attempt) == 1
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 1


def test_finish_is_idempotent_and_a_stale_finish_is_409(bot, db):
    bot.enter()
    bot.consent()
    bot.start_task()
    config = bot.config()
    first = bot.finish(config, "give_up", key="k1")
    again = bot.finish(config, "give_up", key="k1")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 2
    stale = bot.finish(config, "done", key="k2")
    assert stale.status_code == 409
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 2


def test_criterion_event_is_checked_by_the_server(bot, db):
    bot.enter()
    bot.consent()
    bot.start_task()
    config = bot.config()
    wrong = event("navigate", 1, config["attempt"], url="help.html")
    response = bot.finish(config, "criterion", event=wrong)
    assert response.status_code == 400 and response.get_json()["field"] == "event"
    fresh(db)
    assert db.get(Attempt, config["attempt"]).ended_at is None


def test_a_reload_keeps_the_task_and_its_clock(bot):
    bot.enter()
    bot.consent()
    bot.start_task()
    first, second = bot.config(), bot.config()
    assert first["attempt"] == second["attempt"]
    assert first["started_at_ms"] == second["started_at_ms"]


def test_another_participants_session_is_forbidden(bot, client, db, running_study, app):
    bot.enter()
    bot.consent()
    bot.start_task()
    config = bot.config()
    other = create_participants(db, running_study, 1)[0]
    db.commit()
    intruder = Bot(app.test_client(), other.token)
    intruder.enter()
    assert intruder.finish(config, "give_up").status_code == 403
    batch = [event("click", 0, config["attempt"], data={"interactive": True})]
    assert intruder.send_events(config, batch).status_code == 403
    fresh(db)
    assert db.get(Attempt, config["attempt"]).ended_at is None


def test_missing_answers_store_nothing(bot, db):
    bot.enter()
    bot.consent()
    bot.start_task()
    bot.finish(bot.config(), "give_up")
    response = bot.post()  # SEQ page, no answer
    assert response.status_code == 400
    assert "Please choose an answer" in response.get_data(as_text=True)
    assert _count(db, QuestionnaireResponse) == 0


def test_wrong_answer_fails_the_answer_task(client, db, running_study):
    participant = create_participants(db, running_study, 1)[0]
    participant_id = participant.id
    db.commit()
    bot = Bot(client, participant.token)
    bot.enter()
    bot.consent()
    for _ in range(4):
        bot.start_task()
        bot.finish(bot.config(), "give_up")
        bot.answer_all()
    bot.start_task()
    config = bot.config()
    assert config["criterion"]["type"] == "answer"
    assert bot.finish(config, "done", answer="14 days").get_json()["outcome"] == "failure"
    fresh(db)
    assert db.get(Participant, participant_id).step > 0


def test_open_recruitment_creates_one_participant_per_visitor(app, db, running_study):
    from uxlab.studies.service import start_study

    running_study.status = "draft"
    start_study(running_study)
    db.commit()
    token = running_study.recruitment_token
    assert token
    visitor = app.test_client()
    assert visitor.get(f"/s/{token}?PROLIFIC_PID=abc123").status_code == 302
    assert visitor.get(f"/s/{token}?PROLIFIC_PID=abc123").status_code == 302
    other = app.test_client()
    other.get(f"/s/{token}?PROLIFIC_PID=zzz")
    fresh(db)
    panel_ids = sorted(db.scalars(select(Participant.panel_id).where(
        Participant.study_id == running_study.id)))
    assert panel_ids == ["abc123", "zzz"]


def test_prototypes_are_served_with_the_recorder(client):
    page = client.get("/prototypes/checkout-redesign/a/index.html")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-uxlab-recorder') == 1
    # First in the page, so that it hears clicks on a page still arriving.
    assert html.index("data-uxlab-recorder") < html.lower().index("<title>")
    # Inline, so no second request has to succeed before the page records.
    recorder = (Path(client.application.static_folder) / "recorder.js").read_text(encoding="utf-8")
    assert f"<script data-uxlab-recorder>{recorder}</script>" in html
    assert "/static/recorder.js" not in html
    assert client.get("/prototypes/checkout-redesign.toml").status_code == 404
    assert client.get("/prototypes/../setup.cfg").status_code == 404
    with client.get("/prototypes/checkout-redesign/shared/style.css") as asset:
        assert asset.status_code == 200 and asset.mimetype == "text/css"


@pytest.mark.parametrize("page, expected", [
    ("<!doctype html>\n<html lang=en>\n<head>\n<title>T</title>", "<!doctype html>\n<html lang=en>\n<head>\nR<title>T</title>"),
    ("<!-- a > b --><!DOCTYPE html><html data-x='a>b'><body><p>", "<!-- a > b --><!DOCTYPE html><html data-x='a>b'>R<body><p>"),
    ('<html class="a b" hidden><HEAD id=h>', '<html class="a b" hidden><HEAD id=h>R'),
    ("<html><header>Shop</header>", "<html>R<header>Shop</header>"),  # no head tag: not <header>
    ("<p>a fragment", "R<p>a fragment"),
    ('<?xml version="1.0"?>\n<!DOCTYPE html><html><head>', '<?xml version="1.0"?>\n<!DOCTYPE html><html><head>R'),
    ('<!--><html><body><a title="-->">', '<!--><html>R<body><a title="-->">'),  # "<!-->" ends
    ("<!-- x --!><head>", "<!-- x --!><head>R"),
    ("", "R"),
])
def test_the_recorder_goes_before_the_first_element(page, expected):
    """After the doctype and the <html> and <head> tags, never inside a tag, whatever their
    attributes hold."""
    assert insert_recorder(page, "R") == expected


def test_openapi_documents_the_finish_call(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/sessions/{public_id}/attempts/{attempt_id}/finish"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "409"}
    reasons = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert reasons["reason"]["enum"] == ["criterion", "done", "give_up", "timeout"]


def test_finish_refuses_non_json_and_unknown_fields(bot, db):
    bot.enter()
    bot.consent()
    bot.start_task()
    config = bot.config()
    as_form = bot.client.post(config["endpoints"]["finish"], data={"reason": "give_up"})
    assert as_form.status_code == 415
    unknown = bot.client.post(config["endpoints"]["finish"],
                              json={"reason": "give_up", "colour": "red"})
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "colour"
    fresh(db)
    assert db.get(Attempt, config["attempt"]).ended_at is None
