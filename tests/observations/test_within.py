"""Within subjects a problem counts for the variant of the attempt its note was written in, and
the variants are compared with McNemar's test, as completion rates are."""

from __future__ import annotations

import pytest

from tests.support.study_data import Recorder
from uxlab.observations.problem_list import problem_list
from uxlab.stats.proportions import completion_interval, mcnemar_test
from uxlab.studies.spec import parse_study


@pytest.fixture
def within_study(make_study, demo_spec):
    data = demo_spec.to_dict()
    data["study"] = {**data["study"], "slug": "checkout-within", "design": "within"}
    return make_study(spec=parse_study(data))


def test_within_subjects_problems_per_variant_use_mcnemar(db, within_study):
    rec = Recorder(db, within_study)
    problem = rec.problem("Coupon field hidden", severity=3)
    # P1 met it in A and B, P2 and P3 in A only, P4 in neither.
    met = {"P1": "AB", "P2": "A", "P3": "A", "P4": ""}
    for code, variants in met.items():
        sitting = rec.participant(code, None, mode="in_person")
        for variant in "AB":
            attempt = rec.attempt(sitting, "apply-coupon", variant)
            if variant in variants:
                rec.observation(sitting, "missed it", kind="problem", problem=problem,
                                attempt=attempt)
    db.commit()

    entry = problem_list(db, within_study).problems[0]
    assert [(v.variant, v.met, v.observed) for v in entry.variants] == [("A", 3, 4),
                                                                        ("B", 1, 4)]
    expected = completion_interval(3, 4, 0.95)
    assert (entry.variants[0].low, entry.variants[0].high) == pytest.approx(
        (expected.low, expected.high))
    comparison = entry.comparisons[0]
    test = mcnemar_test(1, 2, 0, 1, 0.95)
    assert (comparison["test"], comparison["p"]) == (test.test, pytest.approx(test.pvalue))
    assert (comparison["a"], comparison["b"]) == ("A", "B")
