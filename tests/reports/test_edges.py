"""Reports at the edges (issue 9): two and three participants per variant, intervals on their
scales, chart axes fitted to the plausible range, no chart or section for an unasked instrument."""

from __future__ import annotations

import pytest

from tests.support.scales import assert_intervals_on_scale
from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study
from uxlab.reports import render_html_report, render_json_report
from uxlab.reports.charts import report_charts, time_chart
from uxlab.reports.content import build_report
from uxlab.reports.context import ReportContext


def _without(survey: list[dict], *prefixes: str) -> list[dict]:
    """The survey with the instruments starting with ``prefixes`` not asked (cells empty)."""
    return [{k: None if k.startswith(prefixes) else v for k, v in row.items()} for row in survey]


@pytest.fixture(scope="module", params=[2, 3], ids=["2-per-variant", "3-per-variant"])
def small_study(request):
    """SUS asked, UMUX-Lite and NPS not: the survey CSV's columns are there but empty."""
    per_variant = request.param
    study = simulate_study(2 * per_variant, 3, ("A", "B"), seed=per_variant, missing=0.0)
    document = analyze(study.attempts, _without(study.survey, "umux", "nps"))
    return study, document


def test_no_interval_in_the_report_json_leaves_its_scale(small_study):
    _, document = small_study
    report = render_json_report(document, ReportContext())
    assert assert_intervals_on_scale(report["analysis"]) > 20


def test_no_chart_and_no_section_for_instruments_not_asked(small_study):
    _, document = small_study
    assert document["questionnaires"]["nps"]["variants"] == {}
    charts = report_charts(document, ReportContext())
    assert [c.key for c in charts.questionnaires] == ["sus"]
    report = build_report(document, ReportContext(), charts)
    (questionnaires,) = [s for s in report.sections if s.id == "questionnaires"]
    headings = [getattr(block, "text", "") for block in questionnaires.blocks]
    assert "System Usability Scale (SUS)" in headings
    assert not any("UMUX" in text or "Net Promoter" in text for text in headings)
    html = render_html_report(document, ReportContext())
    assert ">System Usability Scale (SUS)</h3>" in html
    assert ">UMUX-Lite</h3>" not in html and ">Net Promoter Score (NPS)</h3>" not in html
    assert "Net Promoter Score by variant" not in html  # the chart's title


def test_value_axes_stay_within_the_plausible_range(small_study):
    study, document = small_study
    charts = {c.key: c for c in report_charts(document, ReportContext()).all()}
    times = [r["time_s"] for r in study.attempts if r["time_s"] is not None]
    low, high = charts["time"].figure.axes[0].get_xlim()
    assert low >= min(times) / 10 and high <= max(times) * 10
    assert charts["completion"].figure.axes[0].get_xlim() == pytest.approx((-0.02, 1.02))
    assert charts["seq"].figure.axes[0].get_xlim() == pytest.approx((0.8, 7.2))
    assert 0 <= charts["sus"].figure.axes[0].get_xlim()[0]
    assert charts["sus"].figure.axes[0].get_xlim()[1] <= 100


def test_a_wide_time_interval_ends_in_arrows_and_leaves_the_axis_to_the_others():
    tight = [("T2", 20), ("T2", 22), ("T2", 25), ("T3", 30), ("T3", 33), ("T3", 36)]
    rows = [{"participant": f"P{i}", "variant": "A", "task": task, "outcome": "success",
             "success": 1, "time_s": t, "errors": 0, "clicks": 4, "seq": 5}
            for i, (task, t) in enumerate([("T1", 10), ("T1", 31), ("T1", 100), *tight])]
    document = analyze(rows)
    wide = document["tasks"][0]["variants"]["A"]["time"]
    assert wide["low"] < 2 and wide["high"] > 500  # shown: within ten times the data
    chart = time_chart(document, ReportContext())
    low, high = chart.figure.axes[0].get_xlim()
    assert 5 < low and high < 200  # fitted to the estimates, not to 1.8–544 s
    svg = chart.svg()
    assert 'id="time-interval-arrow-1-low"' in svg and 'id="time-interval-arrow-1-high"' in svg
    assert "interval-arrow-2" not in svg  # the tight intervals fit
    assert chart.intervals == 3
