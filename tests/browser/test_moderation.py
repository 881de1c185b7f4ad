"""Moderated sessions in Chromium: a participant in the runner and a moderator in the console;
an in-person session logged by keyboard alone."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.conftest import PROJECT_ROOT
from tests.support import browser
from uxlab.models import Attempt, ModerationAudit, Observation, Study, TestSession, User
from uxlab.results import build_results
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec, start_study

pytestmark = pytest.mark.browser


@pytest.fixture
def study_id(live_app, researchers):
    """The demo study, running, owned by the first researcher."""
    with live_app.database.session() as session:
        owner = session.scalar(select(User).where(User.email == researchers[0]))
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml"), owner=owner).study
        start_study(study)
        session.flush()
        return study.id


def start_session(page, base: str, study_id: int, mode: str) -> None:
    page.goto(f"{base}/studies/{study_id}/live")
    page.get_by_label("Remote moderated" if mode == "remote_moderated" else "In person",
                      exact=False).first.check()
    if mode == "in_person":
        page.get_by_label("the participant has read the consent text").check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_selector("#now")


def test_moderator_follows_and_steers_a_remote_participant(live_app, study_id, researchers,
                                                           new_page):
    base = live_app.url
    console = new_page()
    log_in(console, base, researchers[0])
    start_session(console, base, study_id, "remote_moderated")
    link = console.locator("#participant-link").input_value()

    participant = new_page()
    participant.goto(link)
    assert "A moderator runs this session" in participant.locator("#live-notice").inner_text()
    participant.get_by_label("I have read the above and agree").check()
    participant.get_by_role("button", name="Start the study").click()
    participant.wait_for_selector("#start-task")

    browser.wait_in_page(
        console, "document.querySelector('#now').textContent.includes('Task 1 of 5')")
    console.locator("#btn-start").click()
    participant.wait_for_selector("#uxlab-frame", timeout=3000)  # the runner follows
    frame = participant.frame_locator("#uxlab-frame")
    frame.locator("#nav-shoes").wait_for()
    time.sleep(0.3)  # the recorder is ready once the page has loaded

    frame.locator("#nav-shoes").click()
    clicked = time.monotonic()  # the click has been dispatched in the page
    console.locator("#events li", has_text="Clicked: Shoes").wait_for(timeout=2000)
    assert time.monotonic() - clicked < 2.0
    console.locator("#path li", has_text="shoes.html").wait_for(timeout=3000)
    assert console.locator("#path li").count() == 2
    assert console.locator("#timer").inner_text() != "0:00.0"

    console.locator("#btn-end").click()
    participant.wait_for_selector("fieldset.scale", timeout=3000)  # on to the SEQ
    console.get_by_role("button", name="Success with assist").click()
    console.locator("#attempts tr", has_text="success (assisted) · moderator").wait_for()

    # An error and a severity-3 problem, logged with the notes panel's quick keys alone.
    keyboard = console.keyboard
    keyboard.press("e")  # an error: the focus moves to the note's text
    browser.wait_in_page(console, "document.activeElement.name === 'text'")
    keyboard.type("Opened Shoes from the menu, not the search")
    keyboard.press("Enter")  # saved; a new note begins
    keyboard.press("Escape")  # out of the text box, so keys are commands again
    keyboard.press("3")  # severity: major
    keyboard.press("p")  # a problem
    keyboard.type("Coupon field hidden below the fold #coupon")
    keyboard.press("Enter")
    notes = console.locator(".note-list li")
    notes.filter(has_text="severity 3 (major)").wait_for(timeout=5000)
    notes.filter(has_text="error").first.wait_for(timeout=5000)
    assert notes.count() == 2

    with live_app.database.session(write=False) as session:
        owner = session.scalar(select(User).where(User.email == researchers[0]))
        test_session = session.scalars(select(TestSession)).one()
        attempt = session.scalars(select(Attempt)).one()
        assert (attempt.outcome, attempt.assisted, attempt.decided_by) == ("success", True,
                                                                           "moderator")
        assert attempt.clicks >= 1 and attempt.path[:2] == ["index.html", "shoes.html"]
        assert attempt.errors == 1  # the error logged from the console
        audit = session.scalars(select(ModerationAudit).order_by(ModerationAudit.id)).all()
        assert [a.action for a in audit] == ["start", "end", "outcome"]
        assert {(a.session_id, a.user_id) for a in audit} == {(test_session.id, owner.id)}
        assert audit[-1].attempt_id == attempt.id
        assert audit[-1].old_value["outcome"] is None
        assert audit[-1].new_value == {"outcome": "success", "decided_by": "moderator",
                                       "assisted": True, "paused": False,
                                       "time_on_task_ms": attempt.time_on_task_ms}
        observed = session.scalars(select(Observation).order_by(Observation.offset_ms)).all()
        assert [(o.kind, o.severity, o.session_id, o.attempt_id, o.author_id) for o in observed] \
            == [("error", None, test_session.id, attempt.id, owner.id),
                ("problem", 3, test_session.id, attempt.id, owner.id)]
        assert observed[0].text == "Opened Shoes from the menu, not the search"
        assert observed[1].tags == ["coupon"]
        assert observed[0].after_event and observed[0].offset_ms > 0
        page = build_results(session, session.get(Study, study_id))
        rows = [r for r in page.dataset.attempts if r["task"] == "find-product"]
        assert [(r["success"], r["errors"]) for r in rows] == [(1, 1)]
        task = next(t for t in page.analysis["tasks"] if t["task"] == "find-product")
        assert sum(v["successes"] for v in task["variants"].values()) == 1
        assert sum(v["n"] for v in task["variants"].values()) == 1


def test_an_in_person_session_by_keyboard_alone(live_app, study_id, researchers, new_page):
    base = live_app.url
    console = new_page()
    log_in(console, base, researchers[0])
    start_session(console, base, study_id, "in_person")
    browser.wait_in_page(
        console, "document.querySelector('#now').textContent.includes('Task 1 of 5')")
    console.locator("body").focus()
    # The stopwatch: when the page got each press of s (start), h (pause / resume), x (stop).
    console.evaluate("""window.presses = [];
        document.addEventListener('keydown', (e) => presses.push([e.key, Date.now()]), true)""")
    keyboard = console.keyboard
    for number in range(1, 6):
        keyboard.press("s")
        time.sleep(0.4)
        if number == 1:
            keyboard.press("h")  # a pause is not time on task
            time.sleep(0.5)
            keyboard.press("h")
        keyboard.press("x")
        # Focus is on the first outcome button: move to "Success with assist" and press it.
        focused = console.evaluate("document.activeElement.dataset.verdict")
        assert focused == "success"
        keyboard.press("Tab" if number % 2 else "Enter")
        if number % 2:
            keyboard.press("Enter")
        # The SEQ for the task: focus is on its first answer; type the answer and send it.
        browser.wait_in_page(console, "document.activeElement.name === 'item-1'")
        keyboard.press("6")
        keyboard.press("Tab")
        keyboard.press("Enter")
    # Post-study: SUS (ten items), then NPS.
    browser.wait_in_page(console, "document.activeElement.name === 'item-1'")
    for item in range(1, 11):
        keyboard.press("4" if item % 2 else "2")
        keyboard.press("Tab")
    keyboard.press("Enter")
    browser.wait_in_page(
        console, "document.querySelector('#answers-h').textContent.includes('recommend')")
    keyboard.press("9")
    keyboard.press("Tab")
    keyboard.press("Enter")
    browser.wait_in_page(console, "document.querySelector('#now').textContent.includes('over')")
    browser.wait_in_page(console, "document.querySelector('#queue-note').hidden")

    stopwatch, running, started, paused = {}, 0, None, None
    for key, at in console.evaluate("presses"):
        if key == "s":
            running, started, pause_total = running + 1, at, 0
        elif key == "h":
            pause_total, paused = (pause_total + at - paused, None) if paused else (pause_total, at)
        elif key == "x":
            stopwatch[running] = (at - started - pause_total) / 1000
    with live_app.database.session(write=False) as session:
        test_session = session.scalars(select(TestSession)).one()
        assert test_session.mode == "in_person"
        attempts = session.scalars(select(Attempt).order_by(Attempt.position)).all()
        assert len(attempts) == 5
        for number, attempt in enumerate(attempts, start=1):
            assert abs(attempt.time_on_task_ms / 1000 - stopwatch[number]) < 0.1, number
            assert attempt.decided_by == "moderator"
            assert attempt.assisted is (number % 2 == 1)
        page = build_results(session, session.get(Study, study_id))
        assert {r["seq"] for r in page.dataset.attempts} == {6}
        survey = page.dataset.survey
        assert [r["sus_1"] for r in survey] == [4] and [r["nps"] for r in survey] == [9]
        assert page.analysis["questionnaires"]["nps"]
