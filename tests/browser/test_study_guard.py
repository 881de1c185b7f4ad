"""In Chromium: a study whose prototype lacks a folder does not start, with the message
``uxlab study validate`` prints; a changed study file uploaded for a running study becomes the
next version while the old version keeps its data."""

from __future__ import annotations

import dataclasses
import re
import tomllib

import pytest
import tomli_w
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.browser.conftest import log_in
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

DEMO_FILE = PROJECT_ROOT / "studies" / "checkout-redesign.toml"


def _expect():
    from playwright.sync_api import expect

    return expect


def load_demo(live_app, owner_email: str, **variant_b):
    """Load the demo study (variant B changed by ``variant_b``) owned by ``owner_email``."""
    from uxlab.models import User
    from uxlab.studies.files import read_study_file
    from uxlab.studies.service import load_spec

    spec = read_study_file(DEMO_FILE)
    variants = (spec.variants[0], dataclasses.replace(spec.variants[1], **variant_b))
    with live_app.database.session() as session:
        owner = session.scalar(select(User).where(User.email == owner_email))
        study = load_spec(session, dataclasses.replace(spec, variants=variants), owner).study
        return study.id


def test_a_study_with_a_missing_prototype_folder_does_not_start(live_app, researchers,
                                                                new_page, tmp_path):
    from uxlab.cli import main
    from uxlab.models import Study

    study_id = load_demo(live_app, researchers[0], prototype="checkout-redesign/x")
    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["variants"][1]["prototype"] = "checkout-redesign/x"
    path = tmp_path / "broken.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    validated = CliRunner().invoke(main, ["study", "validate", "--studies-dir",
                                          str(PROJECT_ROOT / "studies"), str(path)])
    assert validated.exit_code == 1
    cli_message = validated.stderr.strip().split(": ", 2)[2]
    assert cli_message.startswith("variant 'B': prototype folder 'checkout-redesign/x'")

    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(f"{live_app.url}/studies/{study_id}")
    page.get_by_role("button", name="Start study").click()
    _expect()(page.get_by_role("status")).to_have_text(f"Cannot start the study: {cli_message}.")
    _expect()(page.locator(".page-head .status")).to_have_text("draft")
    with live_app.database.session() as session:
        assert session.get(Study, study_id).status == "draft"


def test_an_uploaded_change_to_a_running_study_becomes_a_new_version(live_app, researchers,
                                                                     new_page, tmp_path):
    from uxlab.models import Participant, Study, TestSession
    from uxlab.studies.service import start_study

    study_id = load_demo(live_app, researchers[0])
    with live_app.database.session() as session:
        study = session.get(Study, study_id)
        start_study(study, PROJECT_ROOT / "studies")
        participant = Participant(study_id=study_id, code="P-0001", token="t" * 32,
                                  variant_id=study.variants[0].id)
        session.add(participant)
        session.flush()
        session.add(TestSession(participant_id=participant.id))

    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["tasks"][0]["title"] = "Find the trail shoe"
    changed = tmp_path / "checkout-redesign.toml"
    changed.write_text(tomli_w.dumps(data), encoding="utf-8")

    expect = _expect()
    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(f"{live_app.url}/studies/{study_id}")
    page.get_by_role("link", name="Upload a changed study file").first.click()
    page.get_by_label("Study file (.toml)").set_input_files(str(changed))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text(
        "the changes were loaded as version 2 (draft); version 1 keeps its data")
    expect(page.get_by_role("heading", level=1)).to_contain_text("v2")
    expect(page.locator("ol.task-list > li").first).to_contain_text("Find the trail shoe")
    new_url = page.url

    page.get_by_role("link", name="Studies").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("draft")
    expect(rows.nth(1)).to_contain_text("running")
    expect(rows.nth(1).locator("td.num")).to_have_text("1")
    rows.nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("v1")
    expect(page.locator("ol.task-list > li").first).to_contain_text("Find a product")
    assert page.url != new_url

    with live_app.database.session() as session:
        versions = session.scalars(select(Study).order_by(Study.version)).all()
        assert [(s.version, s.status) for s in versions] == [(1, "running"), (2, "draft")]
        counts = [session.scalar(select(func.count(TestSession.id)).join(Participant)
                                 .where(Participant.study_id == s.id)) for s in versions]
        assert counts == [1, 0]
    assert re.search(r"/studies/\d+$", new_url)


@pytest.fixture
def other_site(tmp_path, live_app):
    """A second origin serving two external prototypes: with the recorder snippet, and without."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    page = "<!doctype html><title>{title}</title><h1>{title}</h1>{snippet}"
    snippet = (f'<script src="{live_app.url}/static/recorder.js" '
               f'data-uxlab-origin="{live_app.url}"></script>')
    for folder, tag in (("with", snippet), ("without", "")):
        (tmp_path / "site" / folder).mkdir(parents=True)
        (tmp_path / "site" / folder / "index.html").write_text(
            page.format(title=f"Prototype {folder} snippet", snippet=tag), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        Quiet, directory=str(tmp_path / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_the_recorder_check_says_yes_or_no(live_app, researchers, new_page, other_site):
    from uxlab.models import Study

    study_id = load_demo(live_app, researchers[0], prototype=f"{other_site}/with")
    expect = _expect()
    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.goto(f"{live_app.url}/studies/{study_id}")
    page.get_by_role("link", name="Snippet and check of variant B").click()
    snippet = page.get_by_label("Recorder snippet")
    expect(snippet).to_have_value(f'<script src="{live_app.url}/static/recorder.js" '
                                  f'data-uxlab-origin="{live_app.url}"></script>')
    expect(page.get_by_role("status")).to_have_text(re.compile("^Yes: the page loaded"))

    with live_app.database.session() as session:
        session.get(Study, study_id).variants[1].prototype = f"{other_site}/without"
    page.goto(f"{live_app.url}/studies/{study_id}/variants/B/recorder?wait=2")
    expect(page.get_by_role("status")).to_have_text(
        re.compile("^No: the recorder did not say hello within 2 seconds"))
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("^Checking"))
    expect(page.get_by_role("status")).to_have_text(re.compile("^No: "))

    page.goto(f"{live_app.url}/studies/{study_id}")
    page.get_by_role("link", name="Check recorder of variant A").click()
    expect(page.get_by_text("nothing to paste")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile("^Yes: "))
