"""Problems, notes, moderator outcomes and the grid on the results page and in the report."""

from __future__ import annotations

import io
import json

import pypdf

from tests.observations.conftest import OBSERVER
from tests.results.records import record_checkout
from tests.support.study_data import Recorder
from uxlab.reports.html import render_html_report
from uxlab.reports.json_report import render_json_report
from uxlab.reports.pdf import render_pdf_report
from uxlab.results import build_results
from uxlab.results.context import report_context


def seed(db, study):
    sessions = record_checkout(db, study, people=6)
    rec = Recorder(db, study)
    moderated = sessions["P-04"]
    decided = moderated.attempts[0]
    decided.decided_by, decided.assisted = "moderator", True
    undecided = moderated.attempts[1]
    undecided.outcome, undecided.decided_by = None, None
    hidden = rec.problem("Coupon field is hidden", severity=3, task="apply-coupon")
    rec.observation(moderated, "Scrolls past <the> field", kind="problem", problem=hidden,
                    attempt=moderated.attempts[2], offset_ms=65_000, severity=3)
    rec.observation(moderated, "“Where is it?”", kind="quote", problem=hidden, offset_ms=70_000)
    rec.observation(sessions["P-02"], "sighs", kind="note", offset_ms=5_000)
    db.commit()
    return sessions


def test_results_page_shows_problems_notes_and_moderator_outcomes(db, study, clients):
    seed(db, study)
    html = clients(OBSERVER).get(f"/studies/{study.id}/results").get_data(as_text=True)
    assert 'data-problem="Coupon field is hidden"' in html
    assert 'data-participants="1" data-observed="2"' in html  # P-04 moderated, P-02 a note
    assert 'id="moderator-outcomes" data-decided="1" data-assisted="1" data-undecided="1"' in html
    assert 'data-notes="3"' in html and "quote 1" in html
    grid = html[html.index('id="grid-h"'):html.index('id="notes-h"')]
    assert 'data-participant="P-04" data-met="true"' in grid
    assert 'data-participant="P-02" data-met="false"' in grid
    assert "grid-toggle" not in grid  # read-only here


def test_report_holds_the_grid_notes_and_moderator_outcomes(db, study):
    seed(db, study)
    page = build_results(db, study)
    context = report_context(page)
    assert context.grid_participants == ("P-02", "P-04")
    assert context.grid_problems == ("Coupon field is hidden",)
    assert context.discovery_matrix == ((0,), (1,))
    html = render_html_report(page.analysis, context)
    assert "Problems × participants" in html
    assert "Scrolls past &lt;the&gt; field" in html
    assert "1 attempt(s) were decided by a moderator (1 with assistance)" in html
    assert "ended without an outcome" in html
    report = render_json_report(page.analysis, context)
    json.dumps(report, allow_nan=False)
    assert [n["kind"] for n in report["context"]["notes"]] == ["note", "problem", "quote"]
    assert report["context"]["moderator_outcomes"] == {"decided": 1, "assisted": 1,
                                                       "undecided": 1}
    assert report["context"]["grid_participants"] == ["P-02", "P-04"]
    pdf = render_pdf_report(page.analysis, context)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Problems × participants" in text and "Scrolls past <the> field" in text
