"""No researcher page runs a script an editor typed into a study (stored XSS), in Chromium.

Every text of a study is set to script payloads straight in the database (as a hostile editor,
a hostile study file or an older version's data could leave them, bypassing today's forms):
title, description, welcome, consent and thanks texts, variant names and descriptions, task
titles and instructions, a custom scale's texts, participant labels, exclusion reasons, answers,
notes, usability problems, the CX journey's, stage's and touchpoint's names, a share link's
label; URL fields hold ``javascript:`` URLs. Then every researcher page of the URL map (GET,
HTML) is opened as the owner, and no payload may have run.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD, csrf_token
from tests.security.test_authorization_crawl import _value
from tests.security.world import OWNER, build_world, make_app
from tests.support import browser as chromium_support
from uxlab.models import (
    ApiToken,
    Attempt,
    Journey,
    JourneyStage,
    Observation,
    Participant,
    ShareLink,
    Study,
    Touchpoint,
    UsabilityProblem,
)

pytestmark = [
    pytest.mark.browser,
    # Task titles this long squeeze the report charts' axes to nothing: matplotlib warns (a
    # layout matter for the reports, not a security one; production does not raise on it).
    pytest.mark.filterwarnings("ignore:constrained_layout not applied:UserWarning"),
]

MARKUP = ('<img src=x onerror=window.__xss=1>"><script>window.__xss=1</script>'
          "'><svg onload=window.__xss=1>")
URL = "javascript:window.__xss=1//"
#: Blueprints whose pages are the researcher's (participant pages are the runner's).
RESEARCHER_BLUEPRINTS = ("researcher.", "observations.", "moderation.", "cx.", "sharing.")
#: Pages that are not HTML documents, or that do not end (event streams).
NOT_PAGES = ("moderation.stream", "moderation.session_stream", "moderation.feed",
             "moderation.session_feed")


def _poison(database, study_id: int) -> None:
    """Overwrite every text of the study and the installation with payloads."""
    with database.write_sessions() as db:
        study = db.get(Study, study_id)
        for name in ("title", "description", "welcome_text", "consent_text", "thanks_text"):
            setattr(study, name, f"{name} {MARKUP}")
        study.completion_redirect_url = URL
        for variant in study.variants:
            variant.name, variant.description = f"V{variant.id} {MARKUP}", MARKUP
        for task in study.tasks:
            task.title, task.instructions = f"T{task.id} {MARKUP}", MARKUP
            task.start_page = URL
        for questionnaire in study.questionnaires:
            if questionnaire.instrument == "likert":
                questionnaire.options = {**questionnaire.options, "title": MARKUP,
                                         "items": [MARKUP], "anchors": [MARKUP, MARKUP]}
        for participant in db.scalars(select(Participant).where(
                Participant.study_id == study_id)):
            participant.label, participant.exclusion_reason = MARKUP, MARKUP
            participant.panel_id = MARKUP
        for attempt in db.scalars(select(Attempt)):
            attempt.answer = MARKUP
        for observation in db.scalars(select(Observation)):
            observation.text, observation.after_event = MARKUP, MARKUP
        for problem in db.scalars(select(UsabilityProblem)):
            problem.title, problem.description = f"P{problem.id} {MARKUP}", MARKUP
        for row in (*db.scalars(select(Journey)), *db.scalars(select(JourneyStage)),
                    *db.scalars(select(Touchpoint))):
            row.name = f"{type(row).__name__} {row.id} {MARKUP}"
            if hasattr(row, "description"):
                row.description = MARKUP
        for touchpoint in db.scalars(select(Touchpoint)):
            touchpoint.owner = MARKUP
        for row in (*db.scalars(select(ShareLink)), *db.scalars(select(ApiToken))):
            if isinstance(row, ShareLink):
                row.label = MARKUP
            else:
                row.name = f"{row.id} {MARKUP}"
        db.commit()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sqlite_template, password_hash):
    """uxlab in a thread with a study whose every text is a script payload."""
    app = make_app(tmp_path_factory.mktemp("xss"), sqlite_template)
    world = build_world(app, password_hash)
    _poison(app.extensions["uxlab.db"], world.target)
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=chromium_support.QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="uxlab-xss", daemon=True)
    thread.start()
    yield app, world, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["uxlab.db"].dispose()


def _researcher_pages(app, world) -> tuple[list[str], dict[str, str]]:
    """URLs of every researcher page of the URL map that answers the owner with HTML, and the
    HTML downloads (reports), which are opened as documents of their own."""
    client = app.test_client()
    client.post("/login", data={"email": OWNER, "password": TEST_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    values = {**world.values, "token": world.share_token}
    urls, downloads = [], {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if ("GET" not in rule.methods or not rule.endpoint.startswith(RESEARCHER_BLUEPRINTS)
                or rule.endpoint in NOT_PAGES):
            continue
        for fmt in ("html",) if "fmt" in rule.arguments else (None,):
            arguments = {name: _value(rule, name, values) for name in rule.arguments}
            if fmt and "html" in getattr(rule._converters["fmt"], "items", ()):
                arguments["fmt"] = fmt
            url = rule.build(arguments, append_unknown=False)[1]
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            if response.mimetype == "text/html" and response.status_code == 200:
                if "attachment" in response.headers.get("Content-Disposition", ""):
                    downloads[url] = response.get_data(as_text=True)
                else:
                    urls.append(url)
    return urls, downloads


def test_no_researcher_page_runs_a_payload(hostile, chromium):
    app, world, base = hostile
    pages, downloads = _researcher_pages(app, world)
    assert len(pages) >= 25, pages
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        log_in(page, base, OWNER)
        ran, carrying = [], []
        for url in pages:
            page.goto(base + url, wait_until="load")
            if page.evaluate("typeof window.__xss") != "undefined":
                ran.append(url)
            if "window.__xss" in page.content():
                carrying.append(url)
        for url, html in downloads.items():
            page.set_content(html, wait_until="load")
            if page.evaluate("typeof window.__xss") != "undefined":
                ran.append(f"{url} (downloaded)")
    finally:
        context.close()
    assert ran == [] and dialogs == []
    # The payloads did reach the pages (as text), so the check above could have failed.
    assert len(carrying) >= 20, carrying
