"""A researcher filters the results page and downloads the report as HTML, PDF and JSON."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from tests.browser.conftest import log_in
from tests.results.records import record_checkout

pytestmark = pytest.mark.browser


@pytest.fixture
def recorded_study(live_app, researchers):
    """The demo study owned by the first researcher, with twelve recorded participants."""
    from sqlalchemy import select

    from tests.conftest import PROJECT_ROOT
    from uxlab.models import User
    from uxlab.studies.files import read_study_file
    from uxlab.studies.service import load_spec

    with live_app.database.session() as session:
        owner = session.scalar(select(User).where(User.email == researchers[0]))
        spec = read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
        study = load_spec(session, spec, owner=owner).study
        session.flush()
        record_checkout(session, study)
        return study.id


def _download(page, link_name: str) -> bytes:
    # The report is rendered before its first byte is sent: a PDF takes seconds on a busy machine.
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as handle:
        return handle.read()


def test_the_report_downloads_in_three_formats_under_the_pages_filter(
        live_app, researchers, recorded_study, new_page):
    from playwright.sync_api import expect

    page = new_page()
    page.set_default_timeout(30_000)  # the results page analyses the study on each load
    log_in(page, live_app.url, researchers[0])
    page.goto(f"{live_app.url}/studies/{recorded_study}/results")
    page.get_by_label("B · Redesign").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#report-filters")).to_contain_text(
        "The files hold the results shown on this page: variants B only; excluded "
        "participants left out", timeout=30_000)

    html = _download(page, "HTML").decode("utf-8")
    assert "variants B only" in html
    assert "B · Redesign: 6" in html and "A · Current checkout" not in html

    pdf = pypdf.PdfReader(io.BytesIO(_download(page, "PDF")))
    title_page = pdf.pages[0].extract_text()
    assert "variants B only" in title_page
    assert "B · Redesign: 6" in title_page and "A · Current checkout" not in title_page

    report = json.loads(_download(page, "JSON"))
    assert set(report["analysis"]["variants"]) == {"B"}
    assert report["title_page"]["filters"][0] == "variants B only"
    assert report["title_page"]["participants"] == {"B": 6}
