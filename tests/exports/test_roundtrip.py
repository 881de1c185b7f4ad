"""Export → ``uxlab analyze`` reproduces the analysis of the dataset rows (issue 5 acceptance)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from tests.exports.conftest import record_study
from uxlab.analysis.dataset import Filters, analyze_dataset, build_dataset
from uxlab.analysis.exclusions import SpeederRule, exclude_participant, exclude_participants
from uxlab.analysis.exclusions import find_participant as participant


def exported_analysis(cli, tmp_path, slug: str, design: str, *filters: str) -> dict:
    attempts, survey = tmp_path / "attempts.csv", tmp_path / "survey.csv"
    for what, path in (("attempts", attempts), ("survey", survey)):
        result = cli("export", slug, "--what", what, "-o", str(path), *filters)
        assert result.exit_code == 0, result.output
    result = cli("analyze", str(attempts), "--survey", str(survey), "--design", design, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def as_json(document: dict) -> dict:
    return json.loads(json.dumps(document, allow_nan=False))


def test_between_subjects_export_reproduces_the_analysis(cli, db, study, recorded, tmp_path):
    exclude_participant(db, participant(db, study, "P-002"), "did not understand the tasks")
    db.commit()

    document = as_json(analyze_dataset(build_dataset(db, study)))

    assert exported_analysis(cli, tmp_path, study.slug, "between") == document
    # The numbers are real: 11 participants (one excluded), 3 tasks, SUS and NPS answered.
    assert sum(v["participants"] for v in document["variants"].values()) == 11
    assert len(document["tasks"]) == 3
    assert document["questionnaires"]["sus"]["variants"]["A"]["n"] > 0
    # The navigation columns travel too: find-product has an optimal path, the others none.
    find, add = document["tasks"][0], document["tasks"][1]
    assert {"direct", "first_click", "lostness"} <= set(find["variants"]["A"])
    assert find["variants"]["B"]["direct"]["n"] > 0
    assert "direct" not in add["variants"]["A"]
    assert {"direct", "first_click"} <= {c["metric"] for c in find["comparisons"]}


def test_within_subjects_export_reproduces_the_analysis(cli, db, make_study, demo_spec,
                                                         tmp_path):
    study = make_study(spec=dataclasses.replace(demo_spec, slug="within-demo", design="within"))
    record_study(db, study, seed=11, participants=10)

    document = as_json(analyze_dataset(build_dataset(db, study)))

    assert exported_analysis(cli, tmp_path, study.slug, "within") == document
    assert document["design"] == "within"
    assert document["tasks"][0]["comparisons"][0]["test"] == "mcnemar exact mid-p"


@pytest.mark.parametrize(("options", "filters"), [
    (("--variant", "A", "--variant", "B", "--no-synthetic"), Filters(include_synthetic=False)),
    (("--include-excluded",), Filters(include_excluded=True)),
    (("--mode", "unmoderated", "--since", "2026-03-02T12:00"),
     Filters(modes=("unmoderated",), started_from=datetime(2026, 3, 2, 12, tzinfo=UTC))),
])
def test_filtered_exports_match_the_filtered_dataset(cli, db, study, recorded, tmp_path,
                                                    options, filters):
    assert 0 < len(exclude_participants(db, study, SpeederRule("total_time", 75))) < 6
    db.commit()

    document = as_json(analyze_dataset(build_dataset(db, study, filters)))

    assert exported_analysis(cli, tmp_path, study.slug, "between", *options) == document
