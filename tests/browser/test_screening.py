"""Screening in Chromium (issue 13): an ineligible answer ends on the screen-out page, or on the
panel's screen-out URL with its code, and no task data is stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT
from tests.screening.conftest import screening_data
from uxlab.models import Attempt, Event, Participant, Study, TestSession
from uxlab.participants.links import create_participants
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec, start_study
from uxlab.studies.spec import parse_study

pytestmark = pytest.mark.browser

PROLIFIC_END = "https://app.prolific.com/submissions/complete?cc=SCREENED"


def _screening_study(live_app, **extra):
    demo = read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
    with live_app.database.session() as session:
        study = load_spec(session, parse_study(screening_data(demo, **extra))).study
        start_study(study)
        token = create_participants(session, study, 1)[0].token
        return study.id, token, study.recruitment_token


def _answer(page, shopping: str) -> None:
    page.get_by_label(shopping, exact=True).check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("How old are you?").fill("40")
    page.get_by_role("button", name="Continue").click()


def _stored(live_app, study_id) -> dict:
    with live_app.database.session(write=False) as session:
        def count(model, *where):
            return session.scalar(select(func.count()).select_from(model).where(*where))
        participants = session.scalars(select(Participant).where(
            Participant.study_id == study_id, Participant.turned_away.is_not(None))).all()
        return {"turned_away": [(p.turned_away, p.screener, p.consented_at) for p in participants],
                "sessions": count(TestSession), "attempts": count(Attempt),
                "events": count(Event)}


def test_an_ineligible_answer_ends_on_the_screen_out_page_and_keeps_nothing(live_app, new_page):
    study_id, token, _ = _screening_study(live_app, screen_out="Thanks, but this study is for "
                                                               "people who shop online.")
    page = new_page()
    page.goto(f"{live_app.url}/p/{token}")
    page.get_by_role("heading", name="A few questions first").wait_for()
    _answer(page, "Never")
    page.get_by_role("heading", name="Thank you for your interest").wait_for()
    assert "this study is for people who shop online" in page.inner_text("main")
    assert page.locator("form").count() == 0
    page.reload()  # the end holds: no way back to the screener
    assert "this study is for people who shop online" in page.inner_text("main")
    assert _stored(live_app, study_id) == {"turned_away": [("screened_out", {}, None)],
                                           "sessions": 0, "attempts": 0, "events": 0}


def test_a_prolific_recruit_screened_out_goes_to_prolific_with_the_code(live_app, new_page):
    study_id, _, public = _screening_study(live_app, panel={
        "preset": "prolific", "completion_code": "C1A2B3", "screen_out_code": "SCREENED"})
    page = new_page()
    # Prolific is another site: answer for it here, and record where the browser was sent.
    page.route("https://app.prolific.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Prolific</title><p>Returned</p>"))
    page.goto(f"{live_app.url}/s/{public}?PROLIFIC_PID=5f0c1e2d3b4a")
    _answer(page, "Never")
    page.wait_for_url(PROLIFIC_END)
    assert page.title() == "Prolific"
    assert _stored(live_app, study_id) == {"turned_away": [("screened_out", {}, None)],
                                           "sessions": 0, "attempts": 0, "events": 0}


def test_an_eligible_answer_goes_on_to_consent(live_app, new_page):
    study_id, token, _ = _screening_study(live_app)
    page = new_page()
    page.goto(f"{live_app.url}/p/{token}")
    _answer(page, "Weekly")
    page.get_by_role("button", name="Start the study").wait_for()
    with live_app.database.session(write=False) as session:
        answers = session.scalar(select(Participant.screener).where(
            Participant.study_id == study_id, Participant.token == token))
    assert answers == {"shopping": "Weekly", "devices": ["Phone"], "age": 40}


def test_two_people_taking_the_last_place_at_once_admit_exactly_one(live_app, new_page):
    """Two browsers press "Start the study" together for the one place left: one goes on to
    the first task, the other reads that the study is full, and keeps nothing."""
    study_id, _, _ = _screening_study(live_app, quotas=[{"key": "everyone", "places": 1}])
    with live_app.database.session() as session:
        tokens = [p.token for p in create_participants(session, session.get(Study, study_id), 2)]
    pages = []
    for token in tokens:
        page = new_page()
        page.goto(f"{live_app.url}/p/{token}")
        _answer(page, "Weekly")
        page.get_by_role("button", name="Start the study").wait_for()
        page.get_by_label(re.compile("agree", re.I)).check()
        pages.append(page)
    # Both forms are sent before either answer comes back.
    for page in pages:
        page.evaluate("document.getElementById('consent-form').requestSubmit()")
    for page in pages:
        page.locator("#consent-form").wait_for(state="detached")
        page.wait_for_load_state()
    headings = sorted(page.locator("h1").inner_text() for page in pages)
    assert headings[1] == "Thank you for your interest", headings
    assert "full" in next(page.inner_text("main") for page in pages
                          if page.locator("h1").inner_text() == headings[1])
    with live_app.database.session(write=False) as session:
        outcomes = sorted((p.turned_away or "admitted", p.consented_at is not None)
                          for p in session.scalars(select(Participant).where(
                              Participant.study_id == study_id, Participant.token.in_(tokens))))
    assert outcomes == [("admitted", True), ("full", False)]
