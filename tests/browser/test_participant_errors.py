"""A participant is never shown a researcher's error (issue 10, point 4), in Chromium.

Two tabs of one link, dead ends, a reload mid-task (with the server's and with the offline
queue's knowledge of the page), and a withdrawn share link.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PROJECT_ROOT
from tests.support import browser
from tests.support.polling import wait_for
from uxlab.models import Attempt, Event, Study
from uxlab.participants.links import create_participants
from uxlab.sharing.service import create_share_link, revoke_share_link
from uxlab.studies.files import read_study_file
from uxlab.studies.service import close_study, load_spec, start_study

pytestmark = pytest.mark.browser

FIND_PRODUCT = ["index.html", "shoes.html", "product-trail-runner.html"]


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def demo(live_app):
    """The demo study running on the live app; returns a participant link token."""
    with live_app.database.session() as session:
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml")).study
        start_study(study)
        return create_participants(session, study, 1)[0].token



def _no_way_to_the_researcher_side(page):
    html = page.content()
    for text in ("CSRF", "Bad Request", "/login", "/studies", "Back to uxlab"):
        assert text not in html, text
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert set(hrefs) <= {"#main", "/run"}, hrefs


def _consent(page):
    page.get_by_label("I have read the above and agree").check()
    page.get_by_role("button", name="Start the study").click()


def test_the_older_of_two_tabs_is_told_the_study_is_open_in_another(live_app, demo, new_page):
    expect = _expect()
    older = new_page()
    older.goto(f"{live_app.url}/p/{demo}")
    newer = older.context.new_page()
    newer.goto(f"{live_app.url}/p/{demo}")
    _consent(newer)
    newer.get_by_role("button", name="Start task").click()
    newer.wait_for_selector("#uxlab-frame")

    _consent(older)  # the older tab still shows the consent page
    expect(older.get_by_role("heading", name="This study is open in another tab")).to_be_visible()
    _no_way_to_the_researcher_side(older)
    older.get_by_role("link", name="Continue the study").click()
    older.wait_for_selector("#uxlab-frame")  # the step the participant is on: the task
    assert "Task 1 of 5" in older.inner_text(".uxlab-bar")


def test_dead_ends_offer_no_way_on(live_app, demo, new_page):
    expect = _expect()
    page = new_page()
    page.goto(f"{live_app.url}/p/{demo}")  # the participant has a session from here on
    _consent(page)
    page.wait_for_selector("#start-task")

    response = page.goto(f"{live_app.url}/p/not-a-real-token")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Link not found")).to_be_visible()
    assert page.get_by_role("link", name="Continue the study").count() == 0
    _no_way_to_the_researcher_side(page)

    with live_app.database.session() as session:
        close_study(session.scalars(select(Study)).one())
    response = page.goto(f"{live_app.url}/run")
    assert response.status == 410
    expect(page.get_by_role("heading", name="Study closed")).to_be_visible()
    assert page.get_by_role("link", name="Continue the study").count() == 0
    _no_way_to_the_researcher_side(page)

    response = page.goto(f"{live_app.url}/p/a/b")  # not even a participant URL
    assert response.status == 404
    _no_way_to_the_researcher_side(page)


def _stored_pages(live_app) -> list[tuple[str, dict]]:
    with live_app.database.session(write=False) as session:
        return [(url, payload) for url, payload in session.execute(
            select(Event.url, Event.payload).where(Event.type == "navigate")
            .order_by(Event.client_ts_ms, Event.seq))]


def _find_product_attempt(live_app) -> Attempt | None:
    with live_app.database.session(write=False) as session:
        return session.scalars(select(Attempt).where(Attempt.ended_at.is_not(None))).first()


ON_SHOES = ("document.querySelector('#uxlab-frame').contentWindow"
            ".location.pathname.endsWith('/shoes.html')")


def _reload_on_the_second_page(live_app, demo, page, block_events: bool):
    page.goto(f"{live_app.url}/p/{demo}")
    _consent(page)
    page.get_by_role("button", name="Start task").click()
    frame = page.frame_locator("#uxlab-frame")
    frame.locator("#category-shoes").wait_for()
    if block_events:  # the server hears nothing of the page change before the reload
        page.route("**/events", lambda route: route.abort())
    frame.locator("#category-shoes").click()
    browser.wait_in_page(page, ON_SHOES, timeout=20)
    if block_events:  # the runner has queued the page's event (it has not sent it)
        # Its navigate event, not just any text naming shoes: the click's target does too.
        browser.wait_in_page(
            page, "Object.keys(localStorage).filter((key) => key.startsWith('uxlab:queue:'))"
            ".some((key) => (JSON.parse(localStorage.getItem(key)).events || [])"
            ".some((e) => e.type === 'navigate' && e.url === 'shoes.html'))", timeout=20)
    else:
        assert wait_for(lambda: any(url == "shoes.html" for url, _ in _stored_pages(live_app)))
    page.reload()
    page.wait_for_selector("#uxlab-frame")
    assert "Find a product" in page.inner_text(".uxlab-bar")
    # A reload loads two documents in a row when the queue knew better: give a busy machine time.
    browser.wait_in_page(page, ON_SHOES, timeout=30)
    config = page.evaluate("JSON.parse(document.querySelector('#uxlab-task').textContent)")
    # Blocked, the server knows at most the start page: the runner takes the page from its queue.
    assert (config.get("resume_page") == "shoes.html") is not block_events
    if block_events:
        page.unroute("**/events")
    frame.locator("#product-trail-runner").click()
    page.wait_for_selector("fieldset.scale")  # the success criterion ended the task

    assert wait_for(lambda: (_find_product_attempt(live_app) or Attempt()).path == FIND_PRODUCT)
    attempt = _find_product_attempt(live_app)
    assert attempt.outcome == "success"
    assert attempt.direct is True
    assert attempt.lostness == 0
    assert attempt.first_click_correct is True
    pages = _stored_pages(live_app)
    assert [url for url, payload in pages if not payload.get("restored")] == FIND_PRODUCT
    # The page the reload showed again; when the runner had to move the frame to the queue's page,
    # the page the frame began to load may report itself too, marked all the same.
    restored = [url for url, payload in pages if payload.get("restored")]
    assert restored in (["shoes.html"], ["index.html", "shoes.html"])


def test_a_reload_mid_task_keeps_the_page_and_the_path(live_app, demo, new_page):
    _reload_on_the_second_page(live_app, demo, new_page(), block_events=False)


def test_a_reload_finds_the_page_in_the_offline_queue(live_app, demo, new_page):
    _reload_on_the_second_page(live_app, demo, new_page(), block_events=True)


def test_a_withdrawn_share_link_says_so(live_app, new_page):
    expect = _expect()
    with live_app.database.session() as session:
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml")).study
        link, token = create_share_link(session, study)
        revoke_share_link(session, study, link.id)
    page = new_page()
    response = page.goto(f"{live_app.url}/share/{token}")
    assert response.status == 410
    expect(page.locator("#share-gone")).to_have_text(
        "This link to a study report was withdrawn by the person who shared it. Please ask them "
        "for a new link if you still need the report.")
    assert "Checkout redesign" not in page.content()
    assert page.goto(f"{live_app.url}/share/{token}x").status == 404
