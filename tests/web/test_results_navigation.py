"""Navigation on the results page, the click-map page and the reports: direct and first-click
success, lostness, common paths, click maps, the SUM per variant and questionnaire benchmarks."""

from __future__ import annotations

import json
import re

import pytest

from tests.results.page_data import data_elements, number, one
from tests.support.study_data import Recorder
from uxlab.reports import render_html_report, render_json_report
from uxlab.results import build_results
from uxlab.results.context import report_context

EMAIL = "researcher@example.org"
OPTIMAL = ["index.html", "shoes.html", "product-trail-runner.html"]
DETOUR = ["index.html", "help.html", "index.html", "shoes.html", "product-trail-runner.html"]


@pytest.fixture(autouse=True)
def no_page_charts(monkeypatch):
    """The results page's own charts are not the point here (drawing them is slow)."""
    monkeypatch.setattr("uxlab.researcher.results.page_charts", lambda page: ())


@pytest.fixture
def study(make_study, make_user, auth):
    owner = make_user(EMAIL)
    auth.login(EMAIL)
    study = make_study(owner=owner)
    study.benchmarks = {**study.benchmarks, "nps": 0, "umux_lite": 60}
    return study


@pytest.fixture
def recorded(db, study):
    """Six participants at find-product (which has an optimal path): A takes detours."""
    rec = Recorder(db, study)
    for i in range(6):
        variant = "AB"[i % 2]
        session = rec.participant(f"P-{i}", variant)
        detour = variant == "A" and i != 0
        path = DETOUR if detour else OPTIMAL
        attempt = rec.attempt(
            session, "find-product", variant, outcome="success", time_ms=20_000 + 3_000 * i,
            seq=4 + i % 3, direct=not detour, first_click_correct=not detour,
            lostness=0.4 if detour else 0.0, path=path)
        rec.attempt(session, "add-to-cart", variant, outcome="failure" if i == 1 else "success",
                    seq=5, path=["product-trail-runner.html"])
        for seq, (x, y) in enumerate([(300, 200), (640, 420)]):
            rec.event(session, seq, attempt=attempt, type="click", x=x, y=y + 10 * i,
                      url="index.html", client_ts_ms=1_770_000_000_000 + seq, tab_id="t",
                      payload={"interactive": seq == 1, "vw": 1280, "vh": 800})
        rec.event(session, 5, attempt=attempt, type="click", x=None, y=None, url="index.html",
                  client_ts_ms=1_770_000_000_010, tab_id="t",
                  payload={"interactive": True, "vw": 1280, "vh": 800})  # a keyboard click
        rec.answers(session, "nps", [9 if variant == "B" else 6], variant=variant)
    db.commit()
    return rec


def results(client, study, **query) -> str:
    response = client.get(f"/studies/{study.id}/results", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_results_page_shows_navigation_with_the_analysis_numbers(client, db, study, recorded):
    html = results(client, study)
    analysis = build_results(db, study).analysis
    find = next(t for t in analysis["tasks"] if t["task"] == "find-product")
    for metric, key in (("direct", "estimate"), ("first_click", "estimate"),
                        ("lostness", "mean")):
        for variant in ("A", "B"):
            cell = one(html, _tag="td", metric=metric, task="find-product", variant=variant)
            assert number(cell, "estimate") == find["variants"][variant][metric][key]
            assert number(cell, "low") == find["variants"][variant][metric]["low"]
    # A: 1 of 3 direct (P-0 took the optimal path); B: all 3.
    assert number(one(html, _tag="td", metric="direct", task="find-product", variant="A"),
                  "estimate") == pytest.approx(1 / 3)
    assert number(one(html, _tag="td", metric="lostness", task="find-product", variant="A"),
                  "estimate") == pytest.approx(0.8 / 3)
    # The comparison of direct success is listed with the task's comparisons.
    assert one(html, _tag="tr", metric="direct", task="find-product", a="A", b="B")["test"]
    # add-to-cart has no navigation values: no navigation table for it.
    assert not data_elements(html, _tag="td", metric="direct", task="add-to-cart")


def test_results_page_lists_the_most_common_paths(client, study, recorded):
    html = results(client, study)
    a_paths = data_elements(html, _tag="table", task="find-product", variant="A")
    assert len(a_paths) == 1
    assert "index.html → help.html → index.html → shoes.html → product-trail-runner.html" in html
    def counts(variant):
        return [int(e["count"]) for e in data_elements(html, _tag="tr", _class="path",
                                                         task="find-product", variant=variant)]

    assert counts("A") == [2, 1]  # the detour twice, the optimal path once
    assert counts("B") == [3]
    filtered = results(client, study, variant="B")
    assert "help.html" not in filtered  # paths follow the filters


def test_results_page_has_the_usability_metric_and_questionnaire_benchmarks(client, db, study,
                                                                            recorded):
    html = results(client, study)
    analysis = build_results(db, study).analysis
    assert 'id="sum-h"' in html and 'href="#sum-h"' in html
    for variant in ("A", "B"):
        cell = one(html, _tag="td", metric="usability-metric", variant=variant)
        assert number(cell, "estimate") == analysis["usability_metric"]["variants"][variant][
            "score"]
    assert one(html, _tag="ul", _class="benchmarks", instrument="nps")
    sentences = re.search(r'<ul class="benchmarks" data-instrument="nps">(.*?)</ul>', html,
                          re.S).group(1)
    assert "Variant B&#39;s NPS (100) is" in sentences, sentences


def test_click_map_page_draws_first_click_and_page_maps(client, study, recorded):
    html = results(client, study)
    assert f'/studies/{study.id}/results/clicks' in html
    response = client.get(f"/studies/{study.id}/results/clicks", query_string={"variant": "A"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert one(page, _tag="section", task="find-product")
    assert "First clicks on index.html: " in page
    assert "Clicks on index.html: " in page
    assert page.count("<svg") == 2  # variant A only: its first-click map and its page map
    # Every participant's first click (the one at (300, y)) is a misclick; the alt text says so.
    assert "3 first clicks, 0 on an interactive element" in page


def test_click_map_page_with_a_bad_filter_says_so(client, study, recorded):
    response = client.get(f"/studies/{study.id}/results/clicks", query_string={"variant": "Z"})
    assert response.status_code == 400
    assert "has no variant" in response.get_data(as_text=True)


def test_reports_carry_navigation_paths_clicks_and_the_usability_metric(db, study, recorded):
    page = build_results(db, study)
    context = report_context(page)
    report = render_json_report(page.analysis, context)
    json.dumps(report, allow_nan=False)
    find = next(t for t in report["analysis"]["tasks"] if t["task"] == "find-product")
    assert find["variants"]["B"]["direct"]["estimate"] == 1.0
    assert report["analysis"]["usability_metric"]["variants"]["A"]["n"] == 3
    paths = [p for p in report["context"]["paths"] if p["task"] == "find-product"]
    assert {p["variant"] for p in paths} == {"A", "B"}
    assert max(p["paths"][0]["count"] for p in paths) == 3
    clicks = {(c["task"], c["variant"]): c["clicks"] for c in report["context"]["clicks"]}
    assert len(clicks[("find-product", "A")]) == 6  # 2 placed clicks each; keyboard left out
    assert sum(c["first"] for c in clicks[("find-product", "A")]) == 3

    html = render_html_report(page.analysis, context)
    assert "Single Usability Metric" in html
    assert "Most common paths" in html and "Navigation by variant" in html
    assert "Clicks on index.html: " in html  # the start page's map, first clicks on the right
    # The methods appendix's command reproduces the study's benchmarks, the new ones included.
    assert "--benchmark umux_lite=60 --benchmark nps=0 --benchmark time:find-product=60" in html
