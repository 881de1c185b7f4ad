"""ReportContext: defaults that render from a document alone, plain-data input, strict JSON out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import scipy

import uxlab
from uxlab.reports.context import Click, ProblemRecord, ReportContext, StudyInfo


def test_defaults_fall_back_to_the_document(two_variants):
    analysis, _ = two_variants
    context = ReportContext()
    assert context.variant_name("A") == "A" and context.variant_label("A") == "A"
    assert context.task_title("T2") == "T2"
    assert context.task_order(analysis) == ["T1", "T2", "T3"]
    assert context.participant_counts(analysis) == {
        v: s["participants"] for v, s in analysis["variants"].items()}
    assert context.versions.uxlab == uxlab.__version__
    assert context.versions.scipy == scipy.__version__
    assert context.generated_at.tzinfo is not None
    assert context.clicks_for("T1", "A") == ()


def test_titles_give_the_study_order_and_names_the_labels(two_variants):
    analysis, _ = two_variants
    context = ReportContext(task_titles={"T3": "Pay", "T1": "Search"},
                            variant_names={"B": "New checkout"})
    assert context.task_order(analysis) == ["T3", "T1", "T2"]  # titled first, then the rest
    assert context.variant_label("B") == "B · New checkout"
    assert context.variant_label("A") == "A"


def test_plain_dicts_become_frozen_records():
    context = ReportContext(
        study={"slug": "checkout", "title": "Checkout study", "first_session": date(2026, 1, 2)},
        problems=[{"title": "Hidden button", "severity": 3, "participants": 2,
                   "frequency": 0.25}],
        clicks={("T1", "A"): [{"page": "/", "x": 10, "y": 20, "vw": 100, "vh": 200}]},
        excluded=[{"participant": "P9", "reason": "speeder: 8 s in total"}],
        nps_counts={"A": {"promoters": 1, "passives": 2, "detractors": 3}},
        filters={"exclusion_rules": ["total time below 10 s"]})
    assert isinstance(context.study, StudyInfo) and context.study.slug == "checkout"
    assert isinstance(context.problems[0], ProblemRecord)
    assert context.problems[0].observed_participants == 8  # 2 participants are 25%
    assert context.clicks_for("T1", "A") == (Click("/", 10, 20, 100, 200),)
    assert context.filters.exclusion_rules == ("total time below 10 s",)
    with pytest.raises(TypeError):
        context.variant_names["A"] = "changed"  # read-only


def test_to_dict_is_strict_json_and_round_trips():
    context = ReportContext(
        study=StudyInfo(slug="s", first_session=datetime(2026, 1, 2, 9, 30, tzinfo=UTC)),
        problems=[ProblemRecord("Hidden", 4, "T1", 1, 0.5)],
        discovery_matrix=[[1, 0], [0, 1]],
        clicks={("T1", "A"): [Click("/", 1, 2, 3, 4, False, True)]},
        generated_at=datetime(2026, 1, 3, tzinfo=UTC))
    data = context.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert data["study"]["first_session"] == "2026-01-02T09:30:00+00:00"
    restored = ReportContext(**{**json.loads(text), "generated_at": context.generated_at})
    assert restored.problems == context.problems
    assert restored.clicks_for("T1", "A") == context.clicks_for("T1", "A")
    assert restored.discovery_matrix == ((1, 0), (0, 1))


@pytest.mark.parametrize("arguments, message", [
    ({"title": "x", "severity": 5}, "severity must be an integer 0–4, got 5"),
    ({"title": "x", "frequency": 1.5}, "frequency must be a share 0–1, got 1.5"),
    ({"title": "x", "participants": -1}, "participants must be ≥ 0, got -1"),
])
def test_problem_records_refuse_bad_values(arguments, message):
    with pytest.raises(ValueError, match=message):
        ProblemRecord(**arguments)


def test_bad_clicks_and_matrices_are_refused():
    with pytest.raises(ValueError, match="viewport must be positive"):
        Click("/", 1, 1, 0, 800)
    with pytest.raises(ValueError, match="only 0 and 1"):
        ReportContext(discovery_matrix=[[0, 2]])
    with pytest.raises(ValueError, match=r"keyed by \(task, variant\)"):
        ReportContext(clicks={"T1": []})


def test_rendering_imports_neither_flask_nor_sqlalchemy():
    import subprocess
    import sys

    code = ("import sys, uxlab.reports.html, uxlab.reports.pdf, uxlab.reports.json_report, "
            "uxlab.reports.simulate; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == "[]"
