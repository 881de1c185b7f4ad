"""Charts: every chart renders, every estimate is drawn with its interval, SVG stays accessible."""

from __future__ import annotations

import dataclasses
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.backend_bases import _get_renderer
from matplotlib.collections import LineCollection

from uxlab.reports import style
from uxlab.reports.charts import (
    completion_chart,
    discovery_chart,
    nps_chart,
    report_charts,
    seq_chart,
    sus_chart,
    time_chart,
)
from uxlab.reports.charts_clicks import click_map
from uxlab.reports.context import Click, ReportContext

SVG = "{http://www.w3.org/2000/svg}"


def _estimates_in_document(analysis: dict, metric: str, key: str) -> list[tuple]:
    """(estimate, low, high) of every task × variant whose estimate the document gives."""
    return [(v[metric][key], v[metric].get("low"), v[metric].get("high"))
            for task in analysis["tasks"] for v in task["variants"].values()
            if v.get(metric, {}).get(key) is not None]


def _interval_segments(figure) -> list[tuple[float, float]]:
    """(low, high) in data units of every interval line the chart drew, read from the artists."""
    segments = []
    for ax in figure.axes:
        for collection in ax.collections:
            gid = collection.get_gid() or ""
            if isinstance(collection, LineCollection) and re.fullmatch(r"interval-\d+", gid):
                for segment in collection.get_segments():
                    # Intervals run along x (horizontal charts); a zero-width one is a point.
                    vertical = np.ptp(segment[:, 0]) == 0 and np.ptp(segment[:, 1]) > 0
                    xs = segment[:, 1] if vertical else segment[:, 0]
                    segments.append((float(xs.min()), float(xs.max())))
    return segments


@pytest.mark.parametrize("build, metric, key", [
    (completion_chart, "completion", "estimate"),
    (time_chart, "time", "geometric_mean"),
    (seq_chart, "seq", "mean"),
])
def test_every_task_estimate_is_drawn_with_its_interval(any_document, build, metric, key):
    _, analysis, context = any_document
    expected = _estimates_in_document(analysis, metric, key)
    chart = build(analysis, context)
    assert chart.estimates == len(expected)
    with_interval = [(low, high) for _, low, high in expected
                     if low is not None and high is not None]
    assert chart.intervals == len(with_interval)
    assert chart.intervals + chart.without_interval == chart.estimates
    # The drawn intervals are the document's intervals, read back from the artists.
    drawn = sorted(_interval_segments(chart.figure))
    assert len(drawn) == len(with_interval)
    for (low, high), (drawn_low, drawn_high) in zip(sorted(with_interval), drawn, strict=True):
        assert math.isclose(low, drawn_low, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(high, drawn_high, rel_tol=1e-9, abs_tol=1e-12)


def test_svg_pairs_each_estimate_with_an_interval(two_variants):
    analysis, context = two_variants
    for chart in report_charts(analysis, context).all():
        svg = chart.svg()
        estimates = set(re.findall(r'id="[^"]*-estimate-(\d+)"', svg))
        intervals = set(re.findall(r'id="[^"]*-interval-(\d+)"', svg))
        assert len(estimates) == chart.estimates, chart.key
        assert intervals == estimates, chart.key  # the k-th estimate has the k-th interval
        assert chart.without_interval == 0


def test_an_estimate_without_interval_is_labelled(single_variant_nulls):
    analysis, context = single_variant_nulls
    chart = time_chart(analysis, context)
    # T1 had no successful attempt; T2 one time: a geometric mean without interval.
    assert (chart.estimates, chart.intervals, chart.without_interval) == (1, 0, 1)
    texts = [t.get_text().strip() for ax in chart.figure.axes for t in ax.texts]
    assert "no interval" in texts
    assert "no successful attempts" in texts


def test_every_chart_renders_svg_and_png(any_document):
    name, analysis, context = any_document
    charts = report_charts(analysis, context).all()
    assert charts, name
    ids = []
    for chart in charts:
        svg = chart.svg()
        root = ET.fromstring(svg)  # well-formed XML
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root[0].tag == f"{SVG}title" and root[0].text == chart.title
        assert root[1].tag == f"{SVG}desc" and root[1].text == chart.alt
        assert root.get("aria-labelledby") == f"{chart.key}-title {chart.key}-desc"
        assert "<text" in svg  # svg.fonttype = none: text stays text
        assert "<?xml" not in svg and "<metadata" not in svg
        ids += re.findall(r'\bid="([^"]+)"', svg)
        png = chart.png(dpi=72)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert chart.title and chart.alt
    assert len(ids) == len(set(ids)), "ids repeat across the charts of one report"


def test_no_survey_means_no_questionnaire_charts(single_variant_nulls):
    analysis, context = single_variant_nulls
    assert sus_chart(analysis, context) is None
    assert nps_chart(analysis, context) is None
    charts = report_charts(analysis, context)
    assert not charts.questionnaires and not charts.problems


def test_questionnaire_charts_draw_every_variant_with_its_interval(three_variants):
    analysis, context = three_variants
    sus = analysis["questionnaires"]["sus"]["variants"]
    chart = sus_chart(analysis, context)
    assert chart.estimates == chart.intervals == len(sus) == 3
    drawn = sorted(_interval_segments(chart.figure))
    expected = sorted((s["low"], s["high"]) for s in sus.values())
    assert np.allclose(drawn, expected)
    nps = nps_chart(analysis, context)
    assert nps.estimates == nps.intervals == 3
    assert "promoters" in nps.alt and "NPS" in nps.alt


def test_nps_counts_come_from_the_context_when_the_document_lacks_them(two_variants):
    analysis, _ = two_variants
    stripped = {**analysis, "questionnaires": {**analysis["questionnaires"], "nps": {
        "variants": {v: {k: s[k] for k in ("n", "score", "low", "high", "method")}
                     for v, s in analysis["questionnaires"]["nps"]["variants"].items()},
        "comparisons": []}}}
    context = ReportContext(nps_counts={"A": {"promoters": 7, "passives": 2, "detractors": 1},
                                        "B": {"promoters": 1, "passives": 1, "detractors": 8}})
    chart = nps_chart(stripped, context)
    assert "7 promoters, 2 passives, 1 detractors" in chart.alt
    shares = sorted(round(p.get_width(), 3) for p in chart.figure.axes[0].patches)
    assert shares == sorted([0.7, 0.2, 0.1, 0.1, 0.1, 0.8])


def test_discovery_curve_is_one_minus_one_minus_p_to_the_n(two_variants):
    _, context = two_variants
    chart = discovery_chart(context)
    matrix = np.array(context.discovery_matrix, dtype=float)
    seen = matrix[:, matrix.sum(axis=0) > 0]
    n, problems = seen.shape
    once = (seen.sum(axis=0) == 1).sum()
    p_observed = seen.mean()
    # Lewis (2001): mean of the normalization and Good-Turing estimates, computed here by hand.
    p_adjusted = (0.5 * (p_observed - 1 / n) * (1 - 1 / n)
                  + 0.5 * p_observed / (1 + once / problems))
    lines = {line.get_label(): line for line in chart.figure.axes[0].lines}
    adjusted = next(line for label, line in lines.items() if label.startswith("Lewis"))
    xs, ys = adjusted.get_xdata(), adjusted.get_ydata()
    assert np.allclose(ys, 1 - (1 - p_adjusted) ** np.asarray(xs))
    assert f"{p_observed:.2f}" in chart.alt and f"{p_adjusted:.2f}" in chart.alt


def test_click_map_marks_every_misclick_and_first_click():
    clicks = [Click("/home", x=100 * i, y=50, vw=1000, vh=800, interactive=i % 3 != 0,
                    first=i < 4) for i in range(10)]
    context = ReportContext(task_titles={"T1": "Find it"})
    chart = click_map(context, "T1", "A", "/home", clicks)
    density, first = chart.figure.axes[:2]
    misclick_points = sum(len(c.get_offsets()) for c in density.collections
                          if c.get_offsets().size)
    assert misclick_points == sum(not c.interactive for c in clicks)  # 4
    first_points = sum(len(c.get_offsets()) for c in first.collections if c.get_offsets().size)
    assert first_points == 4
    assert density.images, "the density is drawn"
    share = density.images[0].get_array()
    assert math.isclose(float(share.sum()), 1.0, rel_tol=1e-9)
    assert "10 clicks, 4 of them misclicks" in chart.alt
    assert "4 first clicks, 2 on an interactive element" in chart.alt


def test_clicks_are_positioned_as_shares_of_the_viewport():
    # The same relative spot on two screen sizes lands on the same place of the map.
    clicks = [Click("/p", x=640, y=200, vw=1280, vh=800, interactive=False),
              Click("/p", x=195, y=211, vw=390, vh=844, interactive=False)]
    chart = click_map(ReportContext(), "T1", "A", "/p", clicks)
    offsets = np.vstack([c.get_offsets() for c in chart.figure.axes[0].collections
                         if c.get_offsets().size])
    assert np.allclose(offsets, [[0.5, 0.25], [0.5, 0.25]])


def test_variant_styles_differ_without_colour():
    looks = [style.variant_style(i) for i in range(len(style.PALETTE))]
    for attribute in ("marker", "hatch", "color"):
        values = [getattr(look, attribute) for look in looks]
        assert len(set(values)) == len(values), attribute
    assert len({str(look.linestyle) for look in looks}) == len(looks)
    with pytest.raises(ValueError, match="-1"):
        style.variant_style(-1)


def test_render_rejects_an_unknown_format(two_variants):
    analysis, context = two_variants
    chart = completion_chart(analysis, context)
    with pytest.raises(ValueError, match="'eps'"):
        style.render(chart.figure, "eps")


def test_charts_are_deterministic(two_variants):
    analysis, context = two_variants
    assert completion_chart(analysis, context).svg() == completion_chart(analysis, context).svg()


LONG = ("Find the cheapest return flight to Lisbon for two adults in the second week of May, "
        "then compare the luggage allowance of the three cheapest fares")


def test_long_variant_names_and_task_titles_leave_the_charts_readable(two_variants):
    # A long variant name in a legend once squeezed the plots to nothing (matplotlib's
    # "axes sizes collapsed" warning, an error under filterwarnings = error).
    analysis, context = two_variants
    context = dataclasses.replace(
        context, variant_names={"A": LONG, "B": "Express-checkout-with-guest-accounts-and-saved-cards"},
        task_titles={"T1": LONG, "T2": "X" * 200, "T3": "Pay"})
    charts = report_charts(analysis, context).all()
    assert {"completion", "time", "seq", "sus", "nps"} <= {chart.key for chart in charts}
    for chart in charts:
        figure = chart.figure
        renderer = _get_renderer(figure)
        plot = figure.axes[0].get_position()
        assert plot.width > 0.3 and plot.height > 0.3, chart.key
        for text in [*figure.texts, *(t for ax in figure.axes for t in ax.texts)]:
            extent = text.get_window_extent(renderer)
            assert 0 <= extent.x0 and extent.x1 <= figure.bbox.width, (chart.key, text)
        if chart.key in ("completion", "sus"):
            labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
            assert labels[0].startswith("A · Find the cheapest") and labels[0].endswith("…")
    assert any(LONG in chart.alt for chart in charts)  # the whole name stays in the text
