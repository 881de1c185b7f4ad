"""Known problems and expected behaviours seeded from the study file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.study_data import Recorder
from uxlab.models import UsabilityProblem
from uxlab.studies.files import study_to_toml
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import load_spec, spec_from_study
from uxlab.studies.spec import parse_study

SEEDS = [
    {"key": "coupon-hidden", "title": "Coupon field not found", "task": "apply-coupon",
     "severity": 3, "description": "Known from the 2025 study"},
    {"key": "uses-search", "title": "Uses search to find the product", "kind": "expected",
     "task": "find-product"},
]


def with_problems(demo_spec, seeds):
    data = demo_spec.to_dict()
    data["problems"] = seeds
    return parse_study(data)


def test_seeded_problems_are_loaded_round_trip_and_follow_the_file(db, demo_spec):
    spec = with_problems(demo_spec, SEEDS)
    study = load_spec(db, spec).study
    db.commit()
    stored = db.scalars(select(UsabilityProblem).order_by(UsabilityProblem.id)).all()
    assert [(p.key, p.title, p.severity, p.kind) for p in stored] == [
        ("coupon-hidden", "Coupon field not found", 3, "problem"),
        ("uses-search", "Uses search to find the product", 2, "expected")]
    assert spec_from_study(study) == spec
    assert "[[problems]]" in study_to_toml(spec_from_study(study))
    assert load_spec(db, spec).action == "unchanged"

    # A note links to the first; a file without seeds then makes a new version (participant
    # data), and the problem the note refers to stays as it was.
    rec = Recorder(db, study)
    rec.observation(rec.participant("P1"), "could not find it", problem=stored[0])
    db.commit()
    kept_id = stored[0].id
    load_spec(db, with_problems(demo_spec, []))  # participant data: a new version
    db.commit()
    assert db.get(UsabilityProblem, kept_id).key == "coupon-hidden"  # old version untouched


def test_seeds_removed_from_a_study_without_data_go_unless_referenced(db, demo_spec):
    study = load_spec(db, with_problems(demo_spec, SEEDS)).study
    db.commit()
    result = load_spec(db, with_problems(demo_spec, SEEDS[:1]))
    db.commit()
    assert result.action == "updated"
    assert db.scalars(select(UsabilityProblem.key)).all() == ["coupon-hidden"]
    assert study.id == result.study.id


@pytest.mark.parametrize("seed, key, message", [
    ({"title": "x"}, "problems[0].key", "required"),
    ({"key": "a", "title": "x", "severity": 5}, "problems[0].severity", "0–4"),
    ({"key": "a", "title": "x", "task": "nope"}, "problems[0].task", "no task 'nope'"),
    ({"key": "a", "title": "x", "kind": "bug"}, "problems[0].kind", "'problem' or 'expected'"),
    ({"key": "a", "title": "x", "colour": "red"}, "problems[0].colour", "unknown key"),
    ({"key": "a"}, "problems[0].title", "required"),
])
def test_bad_seeds_are_reported_by_key(demo_spec, seed, key, message):
    with pytest.raises(StudyDefinitionError) as error:
        with_problems(demo_spec, [seed])
    assert any(p.key == key and message in p.message for p in error.value.problems), \
        error.value.problems
