"""The screener in the participant flow (Flask client): eligible answers are kept, an ineligible
person keeps nothing and ends on the screen-out page or the panel's URL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.participants.bot import Bot
from tests.screening.conftest import ELIGIBLE
from uxlab.models import Event, Participant, TestSession
from uxlab.privacy.deletion import delete_participant
from uxlab.studies.editing import check_editable
from uxlab.studies.service import StudyStateError

PROLIFIC = {"preset": "prolific", "completion_code": "C1A2B3", "screen_out_code": "SCREENED",
            "over_quota_code": "FULLQ"}


def _participant(db, bot) -> Participant:
    return fresh(db).get(Participant, bot.participant_id)


def test_the_screener_comes_before_consent_and_keeps_eligible_answers(db, make_screening_study,
                                                                       make_bot):
    bot = make_bot(make_screening_study())
    bot.enter()
    page = bot.page()
    assert "How often do you shop online?" in page and 'type="checkbox"' in page
    assert "I have read the above and agree" not in page
    assert bot.consent().status_code == 400  # no consent before the screener
    assert _participant(db, bot).consented_at is None
    assert bot.post(**ELIGIBLE).status_code == 303
    participant = _participant(db, bot)
    # Multiple choice in option order; a whole number as an int.
    assert participant.screener == {"shopping": "Weekly", "devices": ["Phone", "Computer"],
                                    "age": 34}
    assert participant.step == 1 and participant.turned_away is None
    assert "I have read the above and agree" in bot.page()
    assert bot.consent().status_code == 303
    assert _participant(db, bot).consented_at is not None


def test_a_decimal_number_is_kept_as_a_float(db, make_screening_study, make_bot):
    bot = make_bot(make_screening_study())
    bot.enter()
    assert bot.post(**{**ELIGIBLE, "screener_age": "18,5"}).status_code == 303
    assert _participant(db, bot).screener["age"] == 18.5


@pytest.mark.parametrize(("answers", "field"), [
    ({"screener_shopping": "Daily"}, "screener_shopping"),
    ({"screener_devices": ["Phone", "Fax"]}, "screener_devices"),
    ({"screener_age": "thirty"}, "screener_age"),
    ({"screener_age": "nan"}, "screener_age"),
    ({"screener_age": ""}, "screener_age"),
])
def test_unreadable_answers_are_a_field_error_and_change_nothing(db, make_screening_study,
                                                                 make_bot, answers, field):
    bot = make_bot(make_screening_study())
    bot.enter()
    response = bot.post(**{**ELIGIBLE, **answers})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'role="alert"' in html
    participant = _participant(db, bot)
    assert (participant.step, participant.screener, participant.turned_away) == (0, {}, None)


@pytest.mark.parametrize("answers", [
    {"screener_shopping": "Never"},
    {"screener_devices": ["Tablet"]},
    {"screener_devices": []},
    {"screener_age": "17"},
])
def test_an_ineligible_person_keeps_nothing_and_sees_the_screen_out_page(
        db, make_screening_study, make_bot, answers):
    study = make_screening_study(screen_out="Thank you! This one is not for you.")
    bot = make_bot(study)
    bot.enter()
    screener_page = bot.page()
    response = bot.post(screener_page, **{**ELIGIBLE, **answers})
    assert response.status_code == 303
    participant = _participant(db, bot)
    assert participant.turned_away == "screened_out" and participant.turned_away_at
    assert participant.screener == {} and participant.consented_at is None
    assert db.scalar(select(func.count(TestSession.id)).where(
        TestSession.participant_id == participant.id)) == 0
    page = bot.page()
    assert "Thank you! This one is not for you." in page and "<form" not in page
    # A second go from the same browser (an old tab) gets the same end, and changes nothing.
    assert bot.post(screener_page, **ELIGIBLE).status_code == 303
    assert _participant(db, bot).screener == {}
    # Privacy deletion removes the flagged row too.
    delete_participant(db, participant, deleted_by="test", reason="asked")
    db.commit()
    assert fresh(db).get(Participant, bot.participant_id) is None


def test_the_default_screen_out_text_is_polite(db, make_screening_study, make_bot):
    bot = make_bot(make_screening_study())
    bot.enter()
    bot.post(**{**ELIGIBLE, "screener_shopping": "Never"})
    assert "this study is not a match for you this time" in bot.page()


def test_answering_the_screener_locks_the_study_structure(db, make_screening_study, make_bot):
    study = make_screening_study()
    check_editable(db, study)  # nobody yet
    bot = make_bot(study)
    bot.enter()
    bot.post(**{**ELIGIBLE, "screener_shopping": "Never"})
    with pytest.raises(StudyStateError):
        check_editable(fresh(db), study)


def _recruit(client, study, **params):
    return client.get(f"/s/{study.recruitment_token}", query_string=params)


def test_prolific_screen_out_goes_to_prolific_with_the_screen_out_code(
        db, client, make_screening_study):
    study = make_screening_study(panel=PROLIFIC)
    assert _recruit(client, study, PROLIFIC_PID="5f1e2d3c").status_code == 302
    page = client.get("/run").get_data(as_text=True)
    fields = Bot.form_fields(page)
    response = client.post("/run", data={**fields, **ELIGIBLE, "screener_shopping": "Never"})
    assert response.status_code == 303
    final = client.get("/run")
    assert final.status_code == 302
    assert final.headers["Location"] == \
        "https://app.prolific.com/submissions/complete?cc=SCREENED"
    participant = fresh(db).scalar(select(Participant).where(Participant.study_id == study.id))
    assert participant.panel_id == "5f1e2d3c" and participant.turned_away == "screened_out"
    # The same panel member from another browser gets the same answer, not a second go.
    with client.application.test_client() as other:
        assert _recruit(other, study, PROLIFIC_PID="5f1e2d3c").status_code == 302
        assert other.get("/run").headers["Location"].endswith("cc=SCREENED")
    assert fresh(db).scalar(select(func.count(Participant.id)).where(
        Participant.study_id == study.id)) == 1


def test_a_generic_panel_gets_its_urls_with_quoted_placeholders(db, client, make_screening_study):
    panel = {"id_param": "rid",
             "completion_url": "https://panel.example/end?s=ok&rid={panel_id}&c={code}",
             "completion_code": "OK1",
             "screen_out_url": "https://panel.example/end?s=out&rid={panel_id}&p={participant}"}
    study = make_screening_study(panel=panel)
    _recruit(client, study, rid="a&next=https://evil.example/")
    fields = Bot.form_fields(
        client.get("/run").get_data(as_text=True))
    client.post("/run", data={**fields, **ELIGIBLE, "screener_age": "90"})
    participant = fresh(db).scalar(select(Participant).where(Participant.study_id == study.id))
    location = client.get("/run").headers["Location"]
    assert location == ("https://panel.example/end?s=out&rid=a%26next%3Dhttps%3A%2F%2Fevil.example"
                        f"%2F&p={participant.code}")


def test_a_panel_without_a_screen_out_url_shows_uxlabs_page(db, client, make_screening_study):
    study = make_screening_study(panel={"preset": "prolific", "completion_code": "C1"})
    _recruit(client, study, PROLIFIC_PID="abc")
    fields = Bot.form_fields(
        client.get("/run").get_data(as_text=True))
    client.post("/run", data={**fields, **ELIGIBLE, "screener_shopping": "Never"})
    response = client.get("/run")
    assert response.status_code == 200 and "not a match" in response.get_data(as_text=True)


def test_a_remote_moderated_participant_screened_out_keeps_no_session(db, client,
                                                                       make_screening_study,
                                                                       make_user):
    """The moderator opens the session before the participant reaches the screener; screened
    out, the participant keeps nothing, that session and its events included (found in
    review; events name their session without a foreign key that would cascade)."""
    from tests.recording.factories import EventMaker
    from uxlab.moderation.sessions import start_moderated_session
    from uxlab.recording.ingest import ingest_events

    study = make_screening_study()
    participant, _ = start_moderated_session(db, study, make_user(), "remote_moderated")
    db.flush()
    opened = participant.sessions[0]
    make = EventMaker()
    assert ingest_events(db, opened, [make.click(), make.click()]).accepted == 2
    db.commit()
    opened_id = opened.id
    bot = Bot(client, participant.token)
    bot.enter()
    assert bot.post(**{**ELIGIBLE, "screener_shopping": "Never"}).status_code == 303
    participant = fresh(db).get(Participant, participant.id)
    assert participant.turned_away == "screened_out"
    assert db.scalar(select(func.count(TestSession.id)).where(
        TestSession.participant_id == participant.id)) == 0
    assert db.scalar(select(func.count(Event.id)).where(Event.session_id == opened_id)) == 0
