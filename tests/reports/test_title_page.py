"""The title page: which study, version, data dates, participants, filters and when, in every format."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime

import pypdf

from uxlab.reports.context import Filters, ReportContext
from uxlab.reports.files import report_file
from uxlab.reports.title_page import FILTERS_UNKNOWN, title_page

MADE = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
FIRST = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
LAST = datetime(2026, 3, 9, 17, 45, tzinfo=UTC)


def _context(context: ReportContext) -> ReportContext:
    return dataclasses.replace(
        context, generated_at=MADE, first_attempt=FIRST, last_attempt=LAST, synthetic=3,
        filters=Filters(variant="A, B", description=("variants A, B only",
                                                     "synthetic participants left out")))


def test_every_format_states_the_same_title_page(two_variants):
    analysis, simulated = two_variants
    context = _context(simulated)
    facts = dict(title_page(analysis, context).facts(context))
    assert facts["Study"] == "simulated, version 1 (closed)"
    counts = context.participant_counts(analysis)
    assert facts["Participants"] == (f"A · Current site: {counts['A']}; "
                                     f"B · New navigation: {counts['B']}")
    assert facts["Data"] == "first attempt 2026-03-02 09:05 UTC, last attempt 2026-03-09 17:45 UTC"
    assert facts["Filters"] == "variants A, B only; synthetic participants left out"
    assert facts["Synthetic participants"] == "3 of those analysed are simulated, not people"
    assert facts["Generated"].startswith("2026-04-01 08:30 UTC by uxlab ")

    html = report_file(analysis, context, "html").content.decode("utf-8")
    title = html.split('id="summary"', 1)[0]  # the title page comes first
    pdf = report_file(analysis, context, "pdf").content
    first_page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for text in facts.values():
        assert text in title, text
        assert text in first_page.replace("\n", " "), text

    data = json.loads(report_file(analysis, context, "json").content)["title_page"]
    assert data == {
        "study": "Simulated study", "slug": "simulated", "version": 1, "status": "closed",
        "design": "between", "participants": counts, "tasks": 3,
        "first_attempt": "2026-03-02T09:05:00+00:00", "last_attempt": "2026-03-09T17:45:00+00:00",
        "filters": ["variants A, B only", "synthetic participants left out"], "excluded": 0,
        "synthetic": 3, "confidence": 0.95, "generated_at": "2026-04-01T08:30:00+00:00",
        "uxlab_version": context.versions.uxlab}


def test_an_analysis_document_alone_says_what_is_not_known(two_variants):
    analysis, _ = two_variants
    context = ReportContext()
    facts = dict(title_page(analysis, context).facts(context))
    assert "Study" not in facts and "Synthetic participants" not in facts
    assert facts["Filters"] == FILTERS_UNKNOWN
    assert facts["Data"].startswith("dates not recorded")


def test_file_names_are_safe_for_a_header_and_a_file_system(two_variants):
    analysis, context = two_variants
    assert report_file(analysis, context, "json").filename == "simulated-report.json"
    named = report_file(analysis, context, "json", name='../"evil"\r\nname')
    assert named.filename == "evil-name-report.json"
    assert report_file(analysis, ReportContext(), "json").filename == "study-report.json"
