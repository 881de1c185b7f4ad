"""The screener answers in the exports: ``screener_<key>`` columns, and the JSON document."""

from __future__ import annotations

import csv
import io
import json

from tests.segments.conftest import answers_of
from uxlab.analysis.dataset import Filters, analyze_dataset, build_dataset
from uxlab.analysis.segment_filter import parse_segment
from uxlab.analysis.segments import PARTS
from uxlab.exports.everything import study_json
from uxlab.exports.tables import attempts_csv, survey_csv
from uxlab.models import Participant, ScreenerQuestion

SCREENER_COLUMNS = ["screener_shopping", "screener_devices", "screener_age"]


def read(chunks) -> list[dict]:
    return list(csv.DictReader(io.StringIO("".join(chunks))))


def expected_cells(index: int) -> dict:
    answers = answers_of(index)
    return {"screener_shopping": answers.get("shopping", ""),
            # options in the question's order (Phone before Laptop), whatever order was stored
            "screener_devices": "Phone; Laptop" if index % 2 == 0 else "Tablet",
            "screener_age": "37.5" if index == 5 else str(20 + 3 * index)}


def test_the_attempts_csv_ends_with_a_column_per_screener_question(db, screened):
    text = "".join(attempts_csv(db, screened))
    header = text.splitlines()[0].split(",")
    assert header[:9] == ["participant", "variant", "task", "outcome", "success", "time_s",
                          "errors", "clicks", "seq"]
    # trailing, in question order, before the language column (docs/exports.md)
    assert header[-4:] == [*SCREENER_COLUMNS, "language"]
    rows = read([text])
    assert len(rows) == 36
    for row in rows:
        index = int(row["participant"].rsplit("-", 1)[1])
        assert {c: row[c] for c in SCREENER_COLUMNS} == expected_cells(index), row["participant"]


def test_the_survey_csv_carries_them_too(db, screened):
    rows = read(survey_csv(db, screened))
    assert list(rows[0])[-4:] == [*SCREENER_COLUMNS, "language"]
    assert len(rows) == 12
    for row in rows:
        index = int(row["participant"].rsplit("-", 1)[1])
        assert {c: row[c] for c in SCREENER_COLUMNS} == expected_cells(index)


def test_a_study_without_screener_keeps_its_columns(db, study):
    assert "".join(attempts_csv(db, study)).splitlines()[0].endswith(
        "direct,first_click,lostness,language")


def test_answers_go_through_the_formula_guard(db, screened):
    question = db.query(ScreenerQuestion).filter_by(study_id=screened.id, key="shopping").one()
    question.options = ["=HYPERLINK(\"http://x\")", "Monthly", "Never"]
    for participant in db.query(Participant).filter_by(study_id=screened.id):
        if participant.screener.get("shopping") == "Weekly":
            participant.screener = {**participant.screener, "shopping": question.options[0]}
    db.commit()
    text = "".join(attempts_csv(db, screened))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_the_json_export_holds_the_answers_as_stored(db, screened):
    document = json.loads("".join(study_json(db, screened)))
    for participant in document["participants"]:
        index = int(participant["code"].rsplit("-", 1)[1])
        assert participant["screener"] == answers_of(index)


def test_export_then_analyze_by_segment_matches_the_filtered_results(cli, db, screened,
                                                                     tmp_path):
    """The round trip: the segment of the exported file is the web's segment filter."""
    attempts, survey = tmp_path / "attempts.csv", tmp_path / "survey.csv"
    for what, path in (("attempts", attempts), ("survey", survey)):
        result = cli("export", screened.slug, "--what", what, "-o", str(path))
        assert result.exit_code == 0, result.output
    result = cli("analyze", str(attempts), "--survey", str(survey), "--segment",
                 "screener_shopping", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    groups = {g["label"]: g for g in document["segments"]["groups"]}
    assert list(groups) == ["Monthly", "Never", "Weekly", "(no answer)"]
    assert groups["(no answer)"]["participants"] == 1  # P-011 skipped the question
    for answer in ("Weekly", "Monthly"):
        filters = Filters(segments=(parse_segment(f"shopping={answer}"),))
        filtered = json.loads(json.dumps(analyze_dataset(build_dataset(db, screened, filters))))
        for part in PARTS:
            assert groups[answer][part] == filtered[part], (answer, part)
    everyone = json.loads(json.dumps(analyze_dataset(build_dataset(db, screened))))
    assert {k: v for k, v in document.items() if k != "segments"} == everyone
