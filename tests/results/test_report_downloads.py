"""The study report as a download from the results page, under the page's filters."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from datetime import timedelta

import pypdf
import pytest

from tests.reports.report_files import external_references
from tests.results.records import DAY1, DAY2, record_checkout
from uxlab.analysis.dataset import Filters, attempt_span
from uxlab.results.report import ReportUnavailable, study_report


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def recorded(db, make_study, owner):
    study = make_study(owner=owner)
    record_checkout(db, study)
    return study


def download(client, study, fmt: str, query: str = ""):
    return client.get(f"/studies/{study.id}/report.{fmt}" + (f"?{query}" if query else ""))


def test_the_results_page_links_the_three_formats_with_its_filters(client, auth, owner,
                                                                   recorded):
    auth.login(owner.email)
    page = client.get(f"/studies/{recorded.id}/results?variant=B&since=2026-03-02")
    text = page.get_data(as_text=True)
    links = {fmt: html_lib.unescape(re.search(rf'href="([^"]+)" id="report-{fmt}"', text)[1])
             for fmt in ("html", "pdf", "json")}
    for fmt, link in links.items():
        assert link.startswith(f"/studies/{recorded.id}/report.{fmt}?")
        assert "variant=B" in link and "since=2026-03-02" in link
    assert re.search(r'id="report-filters">The files hold the results shown on this page: '
                     r'variants B only; attempts started from 2026-03-02T00:00:00\+00:00; '
                     r'excluded participants left out', text)


def test_each_format_holds_the_filtered_results(client, auth, owner, recorded):
    auth.login(owner.email)
    query = "variant=B&mode=unmoderated"
    as_json = download(client, recorded, "json", query)
    assert as_json.status_code == 200
    assert as_json.headers["Content-Disposition"] == (
        'attachment; filename="checkout-redesign-v1-B-report.json"')
    report = json.loads(as_json.get_data(as_text=True))
    assert set(report["analysis"]["variants"]) == {"B"}
    assert report["title_page"]["filters"] == [
        "variants B only", "unmoderated sessions only", "excluded participants left out"]
    # Participant 4 (B) was moderated; six B participants, one of them moderated.
    assert report["title_page"]["participants"] == {"B": 5}
    assert report["title_page"]["first_attempt"].startswith("2026-03-02T09:30")

    as_html = download(client, recorded, "html", query)
    assert as_html.mimetype == "text/html"
    page = as_html.get_data(as_text=True)
    assert "variants B only; unmoderated sessions only" in page
    assert "B · Redesign: 5" in page and "A · Current checkout" not in page
    assert external_references(page) == []

    as_pdf = download(client, recorded, "pdf", query)
    assert as_pdf.mimetype == "application/pdf"
    assert as_pdf.headers["Cache-Control"] == "no-store"
    title_page = pypdf.PdfReader(io.BytesIO(as_pdf.data)).pages[0].extract_text()
    assert "variants B only; unmoderated sessions only" in title_page
    assert "B · Redesign: 5" in title_page and "A · Current checkout" not in title_page


def test_bad_filters_and_empty_results_are_refused(client, auth, owner, recorded):
    auth.login(owner.email)
    bad = download(client, recorded, "pdf", "variant=Z")
    assert bad.status_code == 400
    assert "has no variant 'Z'" in html_lib.unescape(bad.get_data(as_text=True))
    assert download(client, recorded, "html", "since=soon").status_code == 400
    empty = download(client, recorded, "json", "since=2030-01-01")
    assert empty.status_code == 404
    assert "No attempts match these filters yet." in empty.get_data(as_text=True)
    assert client.get(f"/studies/{recorded.id}/report.docx").status_code == 404


def test_a_study_without_results_offers_no_report(client, auth, owner, make_study):
    study = make_study(owner=owner)
    auth.login(owner.email)
    text = client.get(f"/studies/{study.id}/results").get_data(as_text=True)
    assert 'id="report-none"' in text and 'id="report-pdf"' not in text


def test_only_those_with_access_download(client, auth, make_user, recorded):
    assert download(client, recorded, "html").status_code == 302  # to the login page
    make_user("stranger@example.org")
    auth.login("stranger@example.org")
    assert download(client, recorded, "html").status_code == 404


# --- the service ---------------------------------------------------------------------------------

def test_the_data_dates_are_the_first_and_last_kept_attempt(db, recorded):
    first, last = attempt_span(db, recorded)
    assert first == DAY1 + timedelta(minutes=0)  # participant 1's first attempt
    # Participant 12 (on DAY2, 30 min × 11 after 09:00) started their third attempt 2 min in.
    assert last == DAY2 + timedelta(minutes=30 * 11 + 2)
    only_day1 = Filters(started_before=DAY2)
    assert attempt_span(db, recorded, only_day1)[1] < DAY2
    assert attempt_span(db, recorded, Filters(variants=("B",)))[0] == DAY1 + timedelta(
        minutes=30)
    assert attempt_span(db, recorded, Filters(started_from=DAY2 + timedelta(days=9))) == (
        None, None)


def test_the_service_refuses_an_unknown_format_before_reading(db, recorded):
    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        study_report(db, recorded, Filters(), "docx")
    with pytest.raises(ReportUnavailable, match="No attempts match"):
        study_report(db, recorded, Filters(started_from=DAY2 + timedelta(days=9)), "json")


def test_the_title_replaces_the_studys_title_only_in_the_report(db, recorded):
    report = study_report(db, recorded, Filters(), "json", title="Board summary")
    assert json.loads(report.content)["title_page"]["study"] == "Board summary"
    assert recorded.title == "Checkout redesign"
