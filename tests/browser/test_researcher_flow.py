"""A researcher sets up and starts a study in Chromium; another researcher cannot reach it.

The forms are driven by their labels and roles (as a screen reader or keyboard user finds them),
so the test also checks that every control the flow needs has an accessible name.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.conftest import log_in
from tests.support.browser import QuietHandler

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/uxlab-study-page.png"

VARIANTS = [
    {"Key": "A", "Name": "Current checkout", "Prototype": "checkout-redesign/a"},
    {"Key": "B", "Name": "Redesign", "Prototype": "checkout-redesign/b"},
]
TASKS = [
    {"key": "find-product", "title": "Find a product", "criterion": "url",
     "value": "product-trail-runner.html"},
    {"key": "apply-coupon", "title": "Apply a coupon", "criterion": "element",
     "value": "#apply-coupon"},
    {"key": "return-policy", "title": "Find the return policy", "criterion": "answer",
     "value": "30\n30 days"},
]


def _expect():
    from playwright.sync_api import expect

    return expect


def add_variant(page, values: dict) -> None:
    page.get_by_role("link", name="Add variant").click()
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save variant").click()
    _expect()(page.get_by_role("status")).to_contain_text(f"Variant {values['Key']} saved.")


def add_task(page, task: dict) -> None:
    page.get_by_role("link", name="Add task").click()
    page.get_by_label("Key", exact=True).fill(task["key"])
    page.get_by_label("Title", exact=True).fill(task["title"])
    page.get_by_label("Instructions (what the participant reads)").fill(
        f"Please {task['title'].lower()}.")
    page.get_by_label("Success is decided by").select_option(task["criterion"])
    if task["criterion"] == "url":
        page.get_by_label("Page reached", exact=False).fill(task["value"])
    elif task["criterion"] == "element":
        page.get_by_label("CSS selector clicked", exact=False).fill(task["value"])
    else:
        page.get_by_label("Question asked", exact=False).fill("How many days?")
        page.get_by_label("Accepted answers (one per line)").fill(task["value"])
    page.get_by_role("button", name="Save task").click()
    _expect()(page.get_by_role("status")).to_contain_text(f"Task {task['key']} saved.")


def test_a_researcher_sets_up_a_study_that_another_cannot_reach(live_app, researchers,
                                                                new_page):
    expect = _expect()
    alice, bob = researchers
    base = live_app.url
    page = new_page()
    log_in(page, base, alice)
    expect(page.get_by_role("heading", name="Studies")).to_be_visible()

    # Create the study; the last field is submitted with the keyboard.
    page.get_by_role("link", name="New study").click()
    page.get_by_label("Short name (slug)").fill("checkout-test")
    page.get_by_label("Title", exact=True).fill("Checkout test")
    page.get_by_label("Design").select_option("between")
    page.get_by_label("Completion-rate benchmark (0–1)").fill("0.78")
    page.get_by_label("SUS benchmark (0–100)").fill("68")
    page.get_by_label("SUS benchmark (0–100)").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout test")
    study_url = page.url
    assert re.fullmatch(rf"{re.escape(base)}/studies/\d+", study_url)
    study_id = int(study_url.rsplit("/", 1)[1])

    # A bad weight is refused beside the field, and the message is the field's description.
    page.get_by_role("link", name="Add variant").click()
    page.get_by_label("Key", exact=True).fill("A")
    page.get_by_label("Name", exact=True).fill("Current checkout")
    page.get_by_label("Prototype", exact=True).fill("checkout-redesign/a")
    page.get_by_label("Assignment weight").fill("0")
    page.get_by_role("button", name="Save variant").click()
    weight = page.get_by_label("Assignment weight")
    expect(weight).to_have_attribute("aria-invalid", "true")
    expect(weight).to_have_accessible_description(re.compile("must be a number above 0"))
    expect(page.get_by_role("alert")).to_contain_text("Assignment weight")
    page.get_by_role("link", name="← Checkout test").click()
    expect(page.get_by_text("No variants yet.")).to_be_visible()

    for variant in VARIANTS:
        add_variant(page, variant)
    for task in TASKS:
        add_task(page, task)
    tasks = page.locator("ol.task-list > li")
    expect(tasks).to_have_count(3)
    for index, task in enumerate(TASKS):
        expect(tasks.nth(index)).to_contain_text(task["title"])

    page.get_by_role("link", name="Choose questionnaires").click()
    page.get_by_label("SEQ: Single Ease Question (7 points)").check()
    page.get_by_label("SUS: System Usability Scale").check()
    page.get_by_label("NPS: likelihood to recommend").check()
    page.get_by_role("button", name="Save questionnaires").click()
    expect(page.get_by_role("status")).to_contain_text("Questionnaires saved.")
    questionnaires = page.get_by_role("region", name="Questionnaires")
    for name in ("SEQ", "SUS", "NPS"):
        expect(questionnaires).to_contain_text(name)

    page.get_by_role("button", name="Start study").click()
    expect(page.get_by_role("status")).to_contain_text("The study is running")
    expect(page.locator(".page-head .status")).to_have_text("running")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("link", name="Participant links").click()
    page.get_by_label("How many links").fill("3")
    page.get_by_label("Label (e.g. recruitment wave)").fill("pilot")
    page.get_by_role("button", name="Create links").click()
    expect(page.get_by_role("status")).to_contain_text("Created 3 participant link(s).")
    rows = page.locator("#participant-links tbody tr")
    expect(rows).to_have_count(3)
    links = [page.get_by_role("textbox", name=re.compile(r"^Link for P-")).nth(i).input_value()
             for i in range(3)]
    assert all(re.fullmatch(rf"{re.escape(base)}/p/[A-Za-z0-9_-]{{32}}", link)
               for link in links), links
    assert len(set(links)) == 3

    # What the browser did is in the database.
    from uxlab.models import Participant, Study

    with live_app.database.session(write=False) as session:
        study = session.get(Study, study_id)
        assert (study.slug, study.status) == ("checkout-test", "running")
        assert [v.key for v in study.variants] == ["A", "B"]
        assert [t.key for t in study.tasks] == [t["key"] for t in TASKS]
        assert [(q.key, q.timing) for q in study.questionnaires] == [
            ("seq", "post_task"), ("sus", "post_study"), ("nps", "post_study")]
        tokens = session.scalars(select(Participant.token)
                                 .where(Participant.study_id == study_id)).all()
        assert sorted(f"{base}/p/{t}" for t in tokens) == sorted(links)

    # Another researcher: not in the list, and 404 by direct URL.
    other = new_page()
    log_in(other, base, bob)
    expect(other.get_by_text("No studies yet.")).to_be_visible()
    expect(other.get_by_text("Checkout test")).to_have_count(0)
    for path in ("", "/edit", "/participants", "/participants.csv", "/study.toml"):
        response = other.goto(f"{study_url}{path}")
        assert response.status == 404, path
        expect(other.get_by_text("Checkout test")).to_have_count(0)
    # A form post (with Bob's own valid token) is refused too, and changes nothing.
    other.goto(f"{base}/studies/")
    token = other.locator("input[name=csrf_token]").first.input_value()
    response = other.request.post(f"{study_url}/close", form={"csrf_token": token})
    assert response.status == 404
    with live_app.database.session(write=False) as session:
        assert session.get(Study, study_id).status == "running"


@pytest.fixture
def other_origin():
    """A second web server, another origin (``http://localhost:<its port>``): serves the
    ``pages`` it is given (path → HTML), as a hostile site would."""
    pages: dict[str, str] = {}

    def site(environ, start_response):
        body = pages.get(environ["PATH_INFO"])
        start_response("200 OK" if body else "404 Not Found",
                       [("Content-Type", "text/html; charset=utf-8")])
        return [(body or "").encode()]

    server = make_server("127.0.0.1", 0, site, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="other-origin", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}", pages
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_a_researcher_page_framed_by_another_origin_is_refused(live_app, researchers, new_page,
                                                              other_origin):
    """Clickjacking: a page of another origin frames a researcher page of uxlab (at
    ``http://127.0.0.1:<port>``); the browser does not render it, while a frame of that origin's
    own page beside it renders (so the test can see a frame render)."""
    alice, _ = researchers
    origin, pages = other_origin
    pages["/frames.html"] = (f'<h1>Win a prize</h1><iframe name="uxlab" src="{live_app.url}'
                             f'/studies/"></iframe><iframe name="own" src="/own.html"></iframe>')
    pages["/own.html"] = "<p id=own>rendered</p>"
    page = new_page(csp_blocks_expected=True)
    log_in(page, live_app.url, alice)
    with page.expect_response(lambda r: r.url.startswith(live_app.url)) as framed:
        page.goto(f"{origin}/frames.html", wait_until="load")  # "load" waits for the frames
    assert framed.value.status in (200, 302), framed.value.url  # uxlab did answer the frame
    assert page.frame(name="own").inner_text("#own") == "rendered"
    uxlab_frame = page.frame(name="uxlab")
    assert not uxlab_frame.url.startswith(live_app.url), uxlab_frame.url
    text = uxlab_frame.evaluate("() => document.body ? document.body.innerText : ''")
    assert "Log in" not in text and "Studies" not in text and "uxlab" not in text, text


def test_an_admin_invites_someone_who_sets_a_password_and_is_then_deactivated(
        live_app, researchers, new_page):
    """Accounts in the browser: the invitation link is used in a second browser (context)."""
    from uxlab.models import User

    expect = _expect()
    admin_email = researchers[0]
    with live_app.database.session() as session:
        session.scalar(select(User).where(User.email == admin_email)).role = "admin"
    base = live_app.url
    admin = new_page()
    log_in(admin, base, admin_email)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    admin.get_by_role("link", name="Invite someone").first.click()
    admin.get_by_label("Email").fill("carol@example.org")
    admin.get_by_label("Name", exact=True).fill("Carol")
    admin.get_by_label("Role").select_option("observer")
    admin.get_by_role("button", name="Create the account and its link").click()
    link = admin.get_by_label("Set-password link").input_value()
    assert link.startswith(f"{base}/account/set-password/")

    carol = new_page()
    carol.goto(link)
    carol.get_by_label("New password").fill("carol's long passphrase")
    carol.get_by_label("Repeat the password").fill("carol's long passphrase")
    carol.get_by_role("button", name="Set password").click()
    carol.wait_for_url(f"{base}/studies/")
    expect(carol.get_by_role("status")).to_contain_text("you are logged in")

    admin.goto(f"{base}/admin/users")
    admin.get_by_role("link", name="carol@example.org").click()
    admin.get_by_role("button", name="Deactivate…").click()
    admin.get_by_role("button", name="Deactivate the account").click()
    expect(admin.get_by_role("status")).to_contain_text("carol@example.org is deactivated.")
    carol.reload()
    assert re.search(r"/login(\?|$)", carol.url), carol.url  # her session ended at once
    carol.goto(link)
    expect(carol.get_by_role("heading", name="This link no longer works")).to_be_visible()
