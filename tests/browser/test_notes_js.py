"""notes.js in Chromium: quick keys, saved as typed, and a reload loses no draft nor doubles it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.support.study_data import Recorder
from uxlab.models import Observation
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec
from uxlab.timeutil import utcnow

pytestmark = pytest.mark.browser
TEXT = "Scrolls past the coupon field twice #coupon"


@pytest.fixture
def session_page(live_app, researchers):
    from tests.conftest import PROJECT_ROOT
    from uxlab.models import User

    with live_app.database.session() as db:
        owner = db.scalar(select(User).where(User.email == researchers[0]))
        study = load_spec(db, read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml"),
                          owner=owner).study
        db.flush()
        sitting = Recorder(db, study).participant(
            "P01", "A", mode="remote_moderated", started_at=utcnow() - timedelta(minutes=5))
        url = f"{live_app.url}/studies/{study.id}/sessions/{sitting.public_id}"
    return url


def stored(live_app) -> list[Observation]:
    with live_app.database.read_sessions() as db:
        return list(db.scalars(select(Observation)))


def test_a_draft_survives_a_reload_and_is_saved_once(live_app, researchers, session_page,
                                                     new_page):
    from playwright.sync_api import expect

    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(session_page)
    text = page.get_by_label("Note", exact=True)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("e")  # quick key: an error, and the text box takes the focus
    expect(text).to_be_focused()
    page.keyboard.type(TEXT)
    page.keyboard.press("Escape")
    page.keyboard.press("3")  # quick key: severity 3
    expect(page.get_by_label("Severity", exact=True)).to_have_value("3")
    page.reload()  # possibly before the save went out: the draft is in localStorage

    expect(text).to_have_value(TEXT)
    expect(page.get_by_label("Kind", exact=True)).to_have_value("error")
    expect(page.locator(".note-status")).to_have_text("Saved.")
    page.reload()
    expect(text).to_have_value(TEXT)
    expect(page.locator(".note-status")).to_have_text("Saved.")
    notes = stored(live_app)
    assert [(n.text, n.kind, n.severity, n.tags) for n in notes] == [
        (TEXT, "error", 3, ["coupon"])]

    text.press("Enter")  # finished: the form clears for the next note
    expect(text).to_have_value("")
    expect(page.locator(".note-list li")).to_have_count(1)
    # Stamped when typing began, about five minutes into the session (not at the scrubber's 0:00).
    expect(page.locator(".note-list li")).to_contain_text(re.compile(r"^[56]:\d\d · error"))
    expect(page.locator(".note-list li")).to_contain_text("severity 3 (major)")
    page.reload()
    expect(text).to_have_value("")
    assert len(stored(live_app)) == 1


def test_grid_cells_toggle_in_place(live_app, researchers, session_page, new_page):
    from playwright.sync_api import expect

    from uxlab.models import ProblemSighting, Study, UsabilityProblem

    with live_app.database.session() as db:
        study = db.scalar(select(Study))
        db.add(UsabilityProblem(study_id=study.id, title="Coupon field hidden", severity=3))
        study_id = study.id
    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(f"{live_app.url}/studies/{study_id}/problems")
    cell = page.get_by_role("button", name="P01 met Coupon field hidden")
    expect(cell).to_have_attribute("aria-pressed", "false")
    cell.click()
    expect(cell).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").last).to_contain_text("Saved: P01 met it")
    assert page.url.endswith("/problems")  # no page load: filled live
    with live_app.database.read_sessions() as db:
        assert [c.met for c in db.scalars(select(ProblemSighting))] == [True]
    cell.click()
    expect(cell).to_have_attribute("aria-pressed", "false")


def test_a_time_that_is_not_one_is_refused_where_it_was_typed(live_app, researchers,
                                                              session_page, new_page):
    """Typing 99:99 into "At" must not look accepted: the field goes back to the stamp the note
    keeps, and says why, rather than showing 99:99 over a note saved at another moment."""
    from playwright.sync_api import expect

    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(session_page)
    text = page.get_by_label("Note", exact=True)
    text.fill("hesitates at the coupon field")  # stamped now, about 5:00 into the session
    at = page.get_by_label("At (m:ss into the session)")
    expect(at).to_have_value(re.compile(r"^[56]:\d\d$"))
    stamp = at.input_value()
    at.fill("99:99")
    at.press("Tab")
    expect(at).to_have_value(stamp)
    expect(page.locator(".note-status")).to_contain_text("“99:99” is not a time")
    at.fill("2:05")
    at.press("Tab")
    text.press("Enter")
    expect(page.locator(".note-list li")).to_contain_text(re.compile(r"^2:05 · note"))
    assert [n.offset_ms for n in stored(live_app)] == [125_000]
