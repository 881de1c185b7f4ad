"""Analysis documents and contexts for the report tests, built once per session.

Documents come from ``uxlab.analysis.simulate`` through the real ``analyze``; the report tests
never hand-edit numbers into them except where a test says so.
"""

from __future__ import annotations

import copy

import pytest

from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study
from uxlab.reports.context import ReportContext
from uxlab.reports.simulate import simulate_context


def _document(participants, tasks, variants, design="between", **options):
    extra = options.pop("extra_questions", True)
    benchmarks = options.pop("benchmarks", None)
    study = simulate_study(participants, tasks, variants, design, extra_questions=extra,
                           **options)
    return analyze(study.attempts, study.survey, design=design, benchmarks=benchmarks)


@pytest.fixture(scope="session")
def two_variants() -> tuple[dict, ReportContext]:
    """Two variants between subjects, a time benchmark, problems, discovery matrix and clicks."""
    analysis = _document(40, 3, ("A", "B"), completion=(0.55, 0.9), seed=11,
                         benchmarks={"time": 60})
    return analysis, simulate_context(analysis, seed=2)


@pytest.fixture(scope="session")
def three_variants() -> tuple[dict, ReportContext]:
    """Three variants, per-task time targets, two pages per task."""
    analysis = _document(45, 2, ("A", "B", "C"), seed=5,
                         benchmarks={"time": {"T1": 45, "T2": 90}})
    return analysis, simulate_context(analysis, seed=3, pages_per_task=2)


@pytest.fixture(scope="session")
def single_variant_nulls() -> tuple[dict, ReportContext]:
    """One variant, one task nobody completed, one value of errors: nulls with notes, no survey."""
    rows = [{"participant": f"P{i}", "variant": "A", "task": "T1", "outcome": "failure",
             "success": 0, "time_s": 30.0 + i, "errors": None if i else 2,
             "clicks": None if i else 5, "seq": None if i else 3} for i in range(4)]
    rows += [{"participant": f"P{i}", "variant": "A", "task": "T2", "outcome": "success",
              "success": 1, "time_s": 20.0 if i == 0 else None, "errors": 0, "clicks": 4,
              "seq": 6} for i in range(4)]
    return analyze(rows), ReportContext()


@pytest.fixture(scope="session")
def within_design() -> tuple[dict, ReportContext]:
    analysis = _document(10, 2, ("A", "B"), "within", seed=8)
    return analysis, ReportContext(task_titles={"T1": "Find the <b>sale</b> & save",
                                                "T2": "Check out"})


@pytest.fixture(params=["two_variants", "three_variants", "single_variant_nulls",
                        "within_design"])
def any_document(request):
    """Each document in turn, as an independent copy (a renderer must not mutate it)."""
    analysis, context = request.getfixturevalue(request.param)
    return request.param, copy.deepcopy(analysis), context
