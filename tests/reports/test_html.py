"""The HTML report: self-contained, complete, accessible, and stamped for reproduction."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import scipy

import uxlab
from uxlab.analysis.service import analyze
from uxlab.reports import render_html_report
from uxlab.reports.charts import report_charts
from uxlab.reports.context import ReportContext


@pytest.fixture(scope="module")
def rendered(two_variants, three_variants, single_variant_nulls, within_design):
    """Each document's HTML report, rendered once for the module."""
    documents = {"two_variants": two_variants, "three_variants": three_variants,
                 "single_variant_nulls": single_variant_nulls, "within_design": within_design}
    return {name: (analysis, context, render_html_report(analysis, context))
            for name, (analysis, context) in documents.items()}


class _Outline(HTMLParser):
    """Collects what the accessibility checks need: tags, attributes, headings, tables."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[int] = []
        self.heading_text: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
            self.heading_text.append("")
            self._in_heading = True

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.heading_text[-1] += data


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", ["two_variants", "three_variants", "single_variant_nulls",
                                  "within_design"])
def test_the_report_is_self_contained(rendered, name):
    _, _, html = rendered[name]
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert "<style>" in html
    for tag, attributes in _outline(html).tags:
        for attribute in ("src", "href", "xlink:href"):
            value = attributes.get(attribute)
            if value is not None:
                assert value.startswith(("#", "data:")), (tag, attribute, value)


@pytest.mark.parametrize("name", ["two_variants", "three_variants", "single_variant_nulls",
                                  "within_design"])
def test_the_report_holds_every_section_task_and_chart(rendered, name):
    analysis, context, html = rendered[name]
    outline = _outline(html)
    headings = [" ".join(text.split()) for text in outline.heading_text]
    for title in ("Executive summary", "Tasks at a glance", "Questionnaires",
                  "Usability problems", "Methods appendix"):
        assert title in headings
    for number, key in enumerate(context.task_order(analysis), start=1):
        assert f"Task {number}: {context.task_title(key)}" in headings
    charts = report_charts(analysis, context).all()
    svgs = [attributes for tag, attributes in outline.tags if tag == "svg"]
    assert len(svgs) == len(charts)
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)


def test_the_methods_appendix_stamps_versions_and_tests(rendered):
    analysis, _, html = rendered["three_variants"]
    methods = html[html.index('id="methods"'):]
    assert f"uxlab version</dt><dd>{uxlab.__version__}" in methods
    assert f"scipy version</dt><dd>{scipy.__version__}" in methods
    assert "Confidence level</dt><dd>95%" in methods
    assert "Holm" in methods
    tests = {entry["test"] for task in analysis["tasks"] for entry in task["comparisons"]
             if entry["test"]}
    assert "welch t (log times)" in tests
    assert "The test behind each comparison" in methods
    assert "Task times are positively skewed" in methods  # why Welch t on log times


def test_fisher_exact_is_explained_when_an_expected_count_is_below_one():
    # A: 3 of 3 succeed, B: 0 of 1. Expected count of B's successes = 1 · 3 / 4 = 0.75 < 1, so
    # the analysis uses Fisher's exact test (Campbell 2007, as docs/statistics.md says).
    rows = [{"participant": f"P{i}", "variant": "A", "task": "T1", "outcome": "success",
             "success": 1, "time_s": 10.0 + i, "errors": 0, "clicks": 3, "seq": 6}
            for i in range(3)]
    rows.append({"participant": "P9", "variant": "B", "task": "T1", "outcome": "failure",
                 "success": 0, "time_s": 50.0, "errors": 2, "clicks": 9, "seq": 2})
    analysis = analyze(rows)
    assert analysis["tasks"][0]["comparisons"][0]["test"] == "fisher exact"
    html = render_html_report(analysis)
    assert "An expected cell count of the 2 × 2 table was below 1" in html
    assert "Fisher exact test" in html


def test_headings_run_in_order(rendered):
    for name, (_, _, html) in rendered.items():
        levels = _outline(html).headings
        assert levels[0] == 1 and levels.count(1) == 1, name
        for previous, current in zip(levels, levels[1:], strict=False):
            assert current <= previous + 1, (name, previous, current)


def test_tables_have_captions_and_scoped_headers(rendered):
    _, _, html = rendered["two_variants"]
    tables = re.findall(r"<table>(.*?)</table>", html, re.S)
    assert len(tables) > 5
    for table in tables:
        assert re.match(r"\s*<caption>[^<]+</caption>", table)
        headers = re.findall(r"<th\b([^>]*)>", table)
        assert headers and all('scope="col"' in h or 'scope="row"' in h for h in headers)


def test_the_page_is_a_document_with_a_language_and_print_css(rendered):
    _, _, html = rendered["two_variants"]
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert re.search(r'<html lang="en">', html)
    assert re.search(r"<title>Simulated study · Usability study report · \d{4}-\d\d-\d\d</title>",
                     html)
    print_css = html[html.index("@media print"):]
    assert "section.major { break-before: page;" in print_css


def test_text_from_the_context_is_escaped(rendered):
    _, _, html = rendered["within_design"]
    assert "Find the &lt;b&gt;sale&lt;/b&gt; &amp; save" in html
    assert "<b>sale</b>" not in html


def test_every_comparison_sentence_and_number_appears(rendered):
    analysis, _, html = rendered["two_variants"]
    text = html.replace("&#39;", "'").replace("&amp;", "&")
    for task in analysis["tasks"]:
        for entry in task["comparisons"]:
            assert entry["interpretation"] in text
    sus = analysis["questionnaires"]["sus"]["variants"]["A"]
    assert f"{sus['mean']:.1f} ({sus['low']:.1f}–{sus['high']:.1f})" in text


def test_a_report_renders_from_the_analysis_document_alone(two_variants):
    analysis, _ = two_variants
    html = render_html_report(analysis)
    assert "<h1 id=\"title-heading\">Usability study</h1>" in html
    assert "No usability problems were recorded" in html
    assert "Task 1: T1" in html


def test_rendering_does_not_change_the_document(two_variants):
    import copy

    analysis, context = two_variants
    before = copy.deepcopy(analysis)
    render_html_report(analysis, ReportContext(task_titles=dict(context.task_titles)))
    assert analysis == before
