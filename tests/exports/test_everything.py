"""The JSON document with everything, the zip of every CSV, and the CLI around them."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tests.support.study_data import Recorder
from uxlab.analysis.exclusions import exclude_participant, find_participant
from uxlab.exports.bundle import csv_zip
from uxlab.exports.everything import study_json
from uxlab.exports.service import open_export
from uxlab.exports.tables import attempts_csv, events_csv
from uxlab.models import Attempt, Event, Participant, QuestionnaireResponse
from uxlab.studies.service import spec_from_study


def count(db, model, study) -> int:
    from sqlalchemy import func, select

    from uxlab.models import TestSession

    statement = select(func.count()).select_from(model)
    if model is not Participant:
        statement = statement.join(TestSession, TestSession.id == model.session_id).join(
            Participant, Participant.id == TestSession.participant_id)
    return db.scalar(statement.where(Participant.study_id == study.id))


def test_json_holds_everything_of_the_study(db, study, recorded, other_study):
    rec = Recorder(db, study)
    problem = rec.problem("Coupon field is hidden", severity=3, task="apply-coupon")
    exclude_participant(db, find_participant(db, study, "P-001"), "a colleague, not a customer")
    db.commit()

    document = json.loads("".join(study_json(db, study)))

    assert (document["format"], document["version"]) == ("uxlab-study-export", 1)
    assert document["study"]["definition"] == json.loads(json.dumps(
        spec_from_study(study).to_dict()))
    assert len(document["participants"]) == count(db, Participant, study) == 12
    assert len(document["attempts"]) == count(db, Attempt, study) == 36
    assert len(document["events"]) == count(db, Event, study) == 108
    assert len(document["responses"]) == count(db, QuestionnaireResponse, study)
    assert len(document["sessions"]) == 12
    assert len(document["observations"]) == 3
    assert document["problems"] == [{"id": problem.id, "task": "apply-coupon",
                                     "title": "Coupon field is hidden", "description": "",
                                     "severity": 3, "created_at": problem.created_at.isoformat(),
                                     "key": None, "kind": "problem"}]
    people = {p["code"]: p for p in document["participants"]}
    assert set(people) == {f"P-{i:03}" for i in range(12)}  # none of the other study's
    assert people["P-001"]["exclusion_reason"] == "a colleague, not a customer"
    assert people["P-004"]["synthetic"] is True
    assert all("token" not in p for p in document["participants"])
    sessions = {s["id"] for s in document["sessions"]}
    assert {e["session"] for e in document["events"]} <= sessions
    attempts = {a["id"] for a in document["attempts"]}
    assert {e["attempt"] for e in document["events"]} <= attempts


def test_json_of_an_empty_study_is_valid(db, study):
    document = json.loads("".join(study_json(db, study)))
    assert document["participants"] == [] and document["events"] == []


def test_zip_holds_every_csv_and_the_study_file(db, study, recorded):
    data = b"".join(csv_zip(db, study))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        attempts = archive.read(f"{study.slug}/attempts.csv").decode()
        events = archive.read(f"{study.slug}/events.csv").decode()
    assert names == [f"{study.slug}/{name}" for name in (
        "attempts.csv", "survey.csv", "events.csv", "observations.csv", "problems.csv",
        "problem-grid.csv", "study.toml")]
    assert attempts == "".join(attempts_csv(db, study))
    assert events == "".join(events_csv(db, study))


def test_open_export_refuses_unknown_names(db, study):
    with pytest.raises(ValueError, match="'clicks'"):
        open_export(db, study, "clicks", "csv")
    with pytest.raises(ValueError, match="'json'"):
        open_export(db, study, "events", "json")
    from uxlab.analysis.dataset import Filters

    with pytest.raises(ValueError, match="'C'"):
        open_export(db, study, "attempts", "csv", Filters(variants=("C",)))


def test_cli_exports(cli, db, study, recorded, tmp_path):
    result = cli("export", study.slug, "--what", "events")
    assert result.exit_code == 0
    assert result.output == "".join(events_csv(db, study))

    result = cli("export", study.slug, "--what", "all", "--format", "json", "-o",
                 str(tmp_path / "all.json"))
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "all.json").read_text())["attempts"]) == 36

    result = cli("export", study.slug, "--what", "all", "-o", str(tmp_path / "bundle"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "bundle").iterdir()) == [
        "attempts.csv", "events.csv", "observations.csv", "problem-grid.csv", "problems.csv",
        "study.toml", "survey.csv"]
    observations = (tmp_path / "bundle" / "observations.csv").read_text()
    assert len(list(csv.reader(io.StringIO(observations)))) == 4

    result = cli("export", study.slug, "--what", "all", "-o", str(tmp_path / "bundle.zip"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        assert archive.testzip() is None


@pytest.mark.parametrize(("args", "message"), [
    (("--what", "events", "--format", "json"), "--what all"),
    (("--what", "all"), "needs -o"),
    (("--variant", "Z"), "no variant 'Z'"),
    (("--since", "2026-03-05", "--before", "2026-03-01"), "must be after"),
])
def test_cli_usage_errors(cli, study, args, message):
    result = cli("export", study.slug, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_unknown_study(cli, study):
    result = cli("export", "no-such-study")
    assert result.exit_code == 1
    assert "no study 'no-such-study'" in result.output
