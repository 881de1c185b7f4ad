"""The JSON report: the analysis document unchanged, plus the context and findings, strict JSON."""

from __future__ import annotations

import copy
import json

import pytest

from uxlab.reports import render_json_report


def test_the_json_report_is_strict_json_holding_document_and_context(two_variants):
    analysis, context = two_variants
    report = render_json_report(analysis, context)
    text = json.dumps(report, allow_nan=False)
    again = json.loads(text)
    assert again["format"] == "uxlab-report" and again["format_version"] == 1
    assert again["analysis"] == json.loads(json.dumps(analysis))
    assert again["context"]["task_titles"] == dict(context.task_titles)
    assert again["context"]["versions"]["scipy"] == context.versions.scipy
    assert len(again["context"]["problems"]) == len(context.problems)
    assert again["findings"] and {"kind", "label", "text", "task", "metric"} <= set(
        again["findings"][0])


def test_a_non_finite_number_is_refused(two_variants):
    analysis, context = two_variants
    broken = copy.deepcopy(analysis)
    broken["tasks"][0]["variants"]["A"]["time"]["geometric_mean"] = float("nan")
    with pytest.raises(ValueError, match=r"report\.analysis\.tasks\[0\]\.variants\.A\.time"):
        render_json_report(broken, context)


def test_the_json_report_needs_no_context(single_variant_nulls):
    analysis, _ = single_variant_nulls
    report = render_json_report(analysis)
    assert report["context"]["study"]["title"] == "Usability study"
    json.dumps(report, allow_nan=False)
