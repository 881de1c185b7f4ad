"""``uxlab analyze --segment COLUMN``: the whole analysis again within each value of a column."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from tests.analysis.test_service import assert_valid
from uxlab.analysis.segments import PARTS
from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study, write_csvs
from uxlab.cli.analyze import analyze_command

SEGMENTS = ("Weekly", "Monthly", "")  # "" = the participant left the question unanswered


def _with_column(path, column, value_of, out):
    """Copy the CSV ``path`` to ``out`` with a trailing ``column`` holding value_of(participant)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0], column])
        writer.writerows([*row, value_of(row[0])] for row in rows[1:])
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("segments")
    study = simulate_study(36, 2, ("A", "B"), seed=5)
    write_csvs(study, folder / "plain.csv", folder / "survey.csv")
    codes = sorted({row["participant"] for row in study.attempts})
    segment_of = {code: SEGMENTS[i % 3] for i, code in enumerate(codes)}
    attempts = _with_column(folder / "plain.csv", "screener_shopping", segment_of.get,
                            folder / "attempts.csv")
    return attempts, folder / "survey.csv", segment_of, folder


def run(*args):
    return CliRunner().invoke(analyze_command, [str(a) for a in args])


def _only(path, column, value, out):
    """The rows of ``path`` whose ``column`` is ``value``, written to ``out``."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r[column] == value)
    return out


def test_json_holds_the_overall_analysis_and_one_per_segment(files):
    attempts, survey, segment_of, folder = files
    result = run(attempts, "--survey", survey, "--segment", "screener_shopping", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid(document)
    plain = json.loads(run(attempts, "--survey", survey, "--json").stdout)
    assert "segments" not in plain
    assert {k: v for k, v in document.items() if k != "segments"} == plain  # overall unchanged
    segments = document["segments"]
    assert segments["column"] == "screener_shopping"
    assert [g["label"] for g in segments["groups"]] == ["Monthly", "Weekly", "(no answer)"]
    assert [g["value"] for g in segments["groups"]] == ["Monthly", "Weekly", None]
    for group in segments["groups"]:
        people = [c for c, s in segment_of.items() if s == (group["value"] or "")]
        assert group["participants"] == len(people)
        assert_valid({**{k: document[k] for k in ("design", "confidence", "times", "adjust")},
                      **{part: group[part] for part in PARTS}})


def test_a_segment_is_the_analysis_of_its_rows_alone(files):
    """Each segment's numbers are those of ``uxlab analyze`` on the segment's rows: the same
    code, with the survey answers of the segment's participants."""
    attempts, survey, segment_of, folder = files
    document = json.loads(run(attempts, "--survey", survey, "--segment", "screener_shopping",
                              "--json").stdout)
    weekly_attempts = _only(attempts, "screener_shopping", "Weekly", folder / "weekly.csv")
    weekly = {c for c, s in segment_of.items() if s == "Weekly"}
    weekly_survey = _with_column(survey, "screener_shopping", segment_of.get,
                                 folder / "survey-segmented.csv")
    weekly_survey = _only(weekly_survey, "screener_shopping", "Weekly", folder / "ws.csv")
    alone = json.loads(run(weekly_attempts, "--survey", weekly_survey, "--json").stdout)
    (group,) = [g for g in document["segments"]["groups"] if g["value"] == "Weekly"]
    for part in PARTS:
        assert group[part] == alone[part], part
    assert group["participants"] == len(weekly)


def test_the_survey_follows_its_own_column_when_it_has_one(files):
    attempts, survey, segment_of, folder = files
    # A survey that says otherwise than the attempts: its own column decides.
    flipped = _with_column(survey, "screener_shopping", lambda code: "Weekly",
                           folder / "survey-all-weekly.csv")
    document = analyze_files(attempts, flipped)
    groups = {g["label"]: g for g in document["segments"]["groups"]}
    assert groups["Monthly"]["questionnaires"]["sus"]["variants"] == {}
    everyone = analyze_files(attempts, survey)
    assert groups["Weekly"]["questionnaires"]["sus"] == everyone["questionnaires"]["sus"]


def analyze_files(attempts, survey):
    result = run(attempts, "--survey", survey, "--segment", "screener_shopping", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_text_report_has_a_section_per_segment(files):
    attempts, survey, _, _ = files
    result = run(attempts, "--survey", survey, "--segment", "SCREENER_SHOPPING")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "All participants (3 segments by screener_shopping below)" in text
    for label in ("Monthly", "Weekly", "(no answer)"):
        assert f"Segment screener_shopping = {label}: " in text
    assert text.index("= Monthly") < text.index("= Weekly") < text.index("= (no answer)")
    weekly = text[text.index("= Weekly"):text.index("= (no answer)")]
    assert "Task T1" in weekly and "completion, A vs B:" in weekly
    assert "SUS (System Usability Scale, 0–100)" in weekly


def test_a_segment_too_small_to_compare_says_so(tmp_path):
    attempts = tmp_path / "small.csv"
    attempts.write_text(
        "participant,variant,task,outcome,success,time_s,errors,clicks,seq,screener_age\n"
        "p1,A,T1,,1,20,0,3,6,young\n"
        "p2,B,T1,,0,40,1,5,3,young\n"
        "p3,A,T1,,1,25,0,4,5,old\n"
        "p4,A,T1,,1,22,0,3,6,old\n")
    result = run(attempts, "--segment", "screener_age")
    assert result.exit_code == 0, result.output
    old = result.stdout[result.stdout.index("= old"):]
    assert "Note: only variant A in this segment: its variants could not be compared." in old
    young = result.stdout[result.stdout.index("= young"):]
    assert "could not be compared: fewer than 2" in young  # the usual small-sample wording
    document = json.loads(run(attempts, "--segment", "screener_age", "--json").stdout)
    old_group = document["segments"]["groups"][0]
    assert old_group["label"] == "old" and old_group["tasks"][0]["comparisons"] == []
    assert "only variant A" in old_group["note"]


def test_a_segment_that_breaks_the_design_keeps_its_counts_and_says_why(tmp_path):
    attempts = tmp_path / "within.csv"
    attempts.write_text(
        "participant,variant,task,outcome,success,time_s,errors,clicks,seq,device\n"
        "p1,A,T1,,1,20,0,3,6,phone\n"
        "p1,B,T1,,0,40,1,5,3,laptop\n"
        "p2,A,T1,,1,25,0,4,5,phone\n"
        "p2,B,T1,,1,22,0,3,6,phone\n")
    document = json.loads(run(attempts, "--design", "within", "--segment", "device",
                              "--json").stdout)
    laptop, phone = document["segments"]["groups"]
    assert laptop["label"] == "laptop" and "only variant B" in laptop["note"]
    assert phone["label"] == "phone" and (phone["participants"], phone["attempts"]) == (2, 3)
    assert phone["tasks"] is None and phone["srm"] is None
    assert phone["note"] == ("participant p1 has no attempts in variant B; in a "
                             "within-subjects design each participant uses every variant")
    text = run(attempts, "--design", "within", "--segment", "device").stdout
    assert "Segment device = phone: 2 participants, 3 attempts" in text
    assert "Note: participant p1 has no attempts in variant B;" in text


def test_a_number_column_segments_by_its_values(files):
    attempts, _, _, _ = files
    document = analyze(_rows(attempts), segment="seq")
    labels = [g["label"] for g in document["segments"]["groups"]]
    assert labels[-1] == "(no answer)" or all(label.isdigit() for label in labels)
    assert all(label in {"1", "2", "3", "4", "5", "6", "7", "(no answer)"} for label in labels)


def _rows(path):
    with path.open(newline="") as handle:
        return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_rows_from_the_database_segment_like_the_csv(files):
    """``analyze`` on mapping rows (what the web builds) reads the extra column too."""
    attempts, _, _, _ = files
    from_rows = analyze(_rows(attempts), segment="screener_shopping")
    from_file = json.loads(run(attempts, "--segment", "screener_shopping", "--json").stdout)
    assert json.loads(json.dumps(from_rows)) == from_file


def test_a_missing_column_names_the_file_and_lists_the_columns(files):
    attempts, _, _, _ = files
    result = run(attempts, "--segment", "screener_nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(attempts) in result.stderr and "'screener_nope'" in result.stderr
    assert ("the columns are participant, variant, task, outcome, success, time_s, errors, "
            "clicks, seq and screener_shopping") in result.stderr
