"""Reading and validating the tidy attempts and survey tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from uxlab.analysis.simulate import simulate_study, write_csvs
from uxlab.analysis.tidy import (
    AttemptRow,
    SurveyRow,
    TidyDataError,
    attempts_from_rows,
    check_design,
    natural_key,
    read_attempts_csv,
    read_survey_csv,
    survey_from_rows,
)

HEADER = "participant,variant,task,outcome,success,time_s,errors,clicks,seq\n"
SURVEY_HEADER = ("participant,variant," + ",".join(f"sus_{i}" for i in range(1, 11))
                 + ",umux_1,umux_2,nps\n")


def write(tmp_path, text, name="attempts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(excinfo):
    return [str(p) for p in excinfo.value.problems]


def test_reads_values_and_missing_cells(tmp_path):
    path = write(tmp_path, HEADER + "P1,A,T1,success,1,30.5,0,5,6\n"
                                    "P2,B,T1,failure,0,,2,,\n")
    table = read_attempts_csv(path)
    assert len(table) == 2
    assert table.variants == ("A", "B")
    assert table.success.tolist() == [1.0, 0.0]
    assert table.time_s[0] == 30.5 and math.isnan(table.time_s[1])
    assert math.isnan(table.clicks[1]) and math.isnan(table.seq[1])
    rows = list(table.rows())
    assert rows[0] == AttemptRow("P1", "A", "T1", "success", True, 30.5, 0, 5, 6)
    assert rows[1] == AttemptRow("P2", "B", "T1", "failure", False, None, 2, None, None)


def test_success_is_derived_from_the_outcome_when_missing():
    table = attempts_from_rows([
        {"participant": "P1", "variant": "A", "task": "T1", "outcome": "success", "success": ""},
        {"participant": "P2", "variant": "A", "task": "T1", "outcome": "partial", "success": None},
        {"participant": "P3", "variant": "A", "task": "T1", "outcome": "", "success": ""},
    ], columns=["participant", "variant", "task", "outcome", "success", "time_s", "errors",
                "clicks", "seq"])
    assert table.success[:2].tolist() == [1.0, 0.0]
    assert math.isnan(table.success[2])


def test_bad_values_are_reported_with_row_and_column(tmp_path):
    path = write(tmp_path, HEADER
                 + "P1,A,T1,success,1,30,0,5,6\n"
                 + "P2,A,T1,success,1,abc,0,5,6\n"       # row 3
                 + "P3,A,T1,failure,0,12,-1,2.5,9\n"     # row 4
                 + "P4,A,T1,done,2,-4,0,1,0\n"           # row 5
                 + ",A,T1,success,1,3,0,1,7\n")          # row 6
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(path)
    found = problems_of(excinfo)
    assert "row 3, column time_s: 'abc' is not a number" in found
    assert "row 4, column errors: '-1' must not be negative" in found
    assert "row 4, column clicks: '2.5' is not a whole number" in found
    assert "row 4, column seq: '9' is outside 1–7" in found
    assert any(p.startswith("row 5, column outcome: 'done' is not an outcome") for p in found)
    assert "row 5, column success: '2' must be 0 or 1" in found
    assert "row 5, column time_s: '-4' must be greater than 0 (seconds)" in found
    assert "row 5, column seq: '0' is outside 1–7" in found
    assert "row 6, column participant: is empty (required)" in found
    assert len(found) == 9
    message = str(excinfo.value)
    assert str(path) in message and "row 3, column time_s" in message


def test_missing_columns_are_named(tmp_path):
    path = write(tmp_path, "participant,task,success\nP1,T1,1\n")
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(path)
    (problem,) = excinfo.value.problems
    assert problem.row == 1
    for column in ("variant", "outcome", "time_s", "errors", "clicks", "seq"):
        assert column in problem.message


def test_duplicate_attempts_name_both_rows(tmp_path):
    path = write(tmp_path, HEADER + "P1,A,T1,success,1,30,0,5,6\n"
                                    "P1,A,T2,success,1,30,0,5,6\n"
                                    "P1,A,T1,failure,0,40,1,6,3\n")
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(path)
    assert problems_of(excinfo) == [
        "row 4: participant P1 already has an attempt at task T1 in variant A (row 2)"]


def test_outcome_contradicting_success_is_reported():
    with pytest.raises(TidyDataError) as excinfo:
        attempts_from_rows([{"participant": "P1", "variant": "A", "task": "T1",
                             "outcome": "abandoned", "success": 1, "time_s": 3, "errors": 0,
                             "clicks": 1, "seq": 2}])
    assert problems_of(excinfo) == ["row 2, column success: 1 contradicts outcome 'abandoned'"]


def test_ragged_rows_and_empty_files(tmp_path):
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(write(tmp_path, HEADER + "P1,A,T1,success,1,30\n\nP2,A,T1,,,,,,\n"))
    assert problems_of(excinfo) == ["row 2: has 6 cells but the header has 9"]
    with pytest.raises(TidyDataError, match="no data rows"):
        read_attempts_csv(write(tmp_path, HEADER))
    with pytest.raises(TidyDataError, match="empty"):
        read_attempts_csv(write(tmp_path, ""))
    with pytest.raises(TidyDataError, match="cannot open"):
        read_attempts_csv(tmp_path / "nowhere.csv")


def test_blank_lines_keep_the_row_numbers_of_the_file(tmp_path):
    path = write(tmp_path, HEADER + "P1,A,T1,success,1,30,0,5,6\n\nP2,A,T1,success,1,x,0,5,6,\n")
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(path)
    assert problems_of(excinfo) == ["row 4: has 10 cells but the header has 9"]
    path = write(tmp_path, HEADER + "P1,A,T1,success,1,30,0,5,6\n,,,,,,,,\nP2,A,T1,success,1,x,0,5,6\n")
    with pytest.raises(TidyDataError) as excinfo:
        read_attempts_csv(path)
    assert "row 4, column time_s: 'x' is not a number" in problems_of(excinfo)


def test_database_rows_with_python_values():
    rows = [AttemptRow("P1", "A", "T1", "success", True, 12.0, 0, 4, 7),
            AttemptRow("P2", "B", "T1", None, False, None, None, None, None)]
    table = attempts_from_rows(rows)
    assert list(table.rows()) == rows
    table = attempts_from_rows([{"participant": 7, "variant": "A", "task": "T1", "success": True,
                                 "time_s": float("nan")}],
                               columns=["participant", "variant", "task", "outcome", "success",
                                        "time_s", "errors", "clicks", "seq"])
    assert table.participant.tolist() == ["7"] and math.isnan(table.time_s[0])


def test_non_finite_numbers_are_rejected():
    with pytest.raises(TidyDataError) as excinfo:
        attempts_from_rows([{"participant": "P1", "variant": "A", "task": "T1", "outcome": "",
                             "success": "", "time_s": "inf", "errors": "", "clicks": "",
                             "seq": ""}])
    assert problems_of(excinfo) == ["row 2, column time_s: 'inf' is not a finite number"]


def test_header_is_case_and_space_insensitive(tmp_path):
    path = write(tmp_path, " Participant,VARIANT,task,outcome,success,time_s,errors,clicks,seq\n"
                           "P1,A,T1,SUCCESS,1,30,0,5,6\n")
    table = read_attempts_csv(path)
    assert table.outcome.tolist() == ["success"]


def test_task_and_variant_order():
    rows = [{"participant": f"P{i}", "variant": v, "task": t, "success": 1}
            for i, (v, t) in enumerate([("B10", "T2"), ("B2", "T10"), ("A", "T1"), ("B2", "T2")])]
    table = attempts_from_rows(rows, columns=["participant", "variant", "task", "outcome",
                                              "success", "time_s", "errors", "clicks", "seq"])
    assert table.variants == ("A", "B2", "B10")
    assert table.tasks == ("T2", "T10", "T1")
    assert sorted(["T10", "T2", "T1"], key=natural_key) == ["T1", "T2", "T10"]


def test_design_checks():
    columns = ["participant", "variant", "task", "outcome", "success", "time_s", "errors",
               "clicks", "seq"]
    table = attempts_from_rows([
        {"participant": "P1", "variant": "A", "task": "T1", "success": 1},
        {"participant": "P1", "variant": "B", "task": "T1", "success": 1},
        {"participant": "P2", "variant": "A", "task": "T1", "success": 0},
    ], columns=columns)
    with pytest.raises(TidyDataError) as excinfo:
        check_design(table, "between")
    assert problems_of(excinfo) == [
        "row 2, column variant: participant P1 appears in variants A and B; in a "
        "between-subjects design each participant uses one variant (is the design within?)"]
    with pytest.raises(TidyDataError) as excinfo:
        check_design(table, "within")
    assert problems_of(excinfo) == [
        "row 4, column variant: participant P2 has no attempts in variant B; in a "
        "within-subjects design each participant uses every variant"]
    with pytest.raises(ValueError, match="'crossover'"):
        check_design(table, "crossover")


def test_survey_variant_must_match_attempts_between_subjects():
    attempts = attempts_from_rows([{"participant": "P1", "variant": "A", "task": "T1",
                                    "success": 1}],
                                  columns=["participant", "variant", "task", "outcome",
                                           "success", "time_s", "errors", "clicks", "seq"])
    survey = survey_from_rows([{"participant": "P1", "variant": "B", "nps": 9}])
    with pytest.raises(TidyDataError) as excinfo:
        check_design(attempts, "between", survey)
    assert problems_of(excinfo) == [
        "row 2, column variant: participant P1 answered the survey for variant B but did the "
        "tasks in A"]


def test_survey_reads_instruments_and_ranges(tmp_path):
    path = write(tmp_path, SURVEY_HEADER
                 + "P1,A,4,2,4,1,5,2,4,2,4,1,6,7,9\n"
                 + "P2,B,4,2,4,1,5,2,4,2,4,,6,8,11\n"      # row 3: umux_2 and nps out of range
                 + "P2,B,1,1,1,1,1,1,1,1,1,1,1,1,1\n",     # row 4: duplicate
                 "survey.csv")
    with pytest.raises(TidyDataError) as excinfo:
        read_survey_csv(path)
    assert problems_of(excinfo) == [
        "row 3, column umux_2: '8' is outside 1–7",
        "row 3, column nps: '11' is outside 0–10",
        "row 4: participant P2 already answered the survey for variant B (row 3)",
    ]
    path = write(tmp_path, SURVEY_HEADER + "P1,A,4,2,4,1,5,2,4,2,4,,6,7,9\n", "survey.csv")
    survey = read_survey_csv(path)
    assert survey.instruments == ("sus", "umux_lite", "nps")
    assert survey.matrix("sus").shape == (1, 10)
    (row,) = survey.rows()
    assert row == SurveyRow("P1", "A", (4, 2, 4, 1, 5, 2, 4, 2, 4, None), (6, 7), 9)
    assert list(survey_from_rows([row]).rows()) == [row]


def test_survey_instruments_come_complete():
    with pytest.raises(TidyDataError) as excinfo:
        survey_from_rows([{"participant": "P1", "variant": "A", "sus_1": 3, "umux_1": 4}])
    found = problems_of(excinfo)
    assert any("sus_2" in p and "sus_10" in p for p in found)
    assert any("umux_2" in p for p in found)
    with pytest.raises(TidyDataError, match="no questionnaire columns"):
        survey_from_rows([{"participant": "P1", "variant": "A"}])
    survey = survey_from_rows([{"participant": "P1", "variant": "A", "nps": 9, "csat": 4,
                                "ces": 6}])
    assert survey.instruments == ("nps", "csat", "ces")
    with pytest.raises(TidyDataError, match="column csat: 6 is outside 1–5"):
        survey_from_rows([{"participant": "P1", "variant": "A", "csat": 6}])


def test_simulated_study_round_trips_through_csv(tmp_path):
    study = simulate_study(30, 4, ("A", "B", "C"), seed=5, extra_questions=True)
    write_csvs(study, tmp_path / "a.csv", tmp_path / "s.csv")
    attempts = read_attempts_csv(tmp_path / "a.csv")
    survey = read_survey_csv(tmp_path / "s.csv")
    check_design(attempts, "between", survey)
    assert len(attempts) == 30 * 4 and len(survey) == 30
    assert attempts.tasks == ("T1", "T2", "T3", "T4")
    assert survey.instruments == ("sus", "umux_lite", "nps", "csat", "ces")
    again = attempts_from_rows(study.attempts)
    np.testing.assert_array_equal(again.time_s, attempts.time_s)


def test_simulation_is_seeded_and_fits_the_design():
    first = simulate_study(10, 3, design="within", seed=11)
    assert first.attempts == simulate_study(10, 3, design="within", seed=11).attempts
    assert first.attempts != simulate_study(10, 3, design="within", seed=12).attempts
    table = attempts_from_rows(first.attempts)
    check_design(table, "within")
    assert len(table) == 10 * 3 * 2 and len(first.survey) == 20


def test_simulation_follows_the_completion_rates():
    study = simulate_study(4000, 1, completion={"A": 0.3, "B": 0.9}, seed=2)
    table = attempts_from_rows(study.attempts)
    rates = {v: np.mean(table.success[table.variant == v]) for v in ("A", "B")}
    assert rates["A"] < 0.45 < 0.75 < rates["B"]


def test_simulation_splits_participants_by_weight():
    study = simulate_study(100, 1, ("A", "B"), weights=(3, 1), seed=0)
    variants = [row["variant"] for row in study.attempts]
    assert variants.count("A") == 75 and variants.count("B") == 25
    with pytest.raises(ValueError, match="weights"):
        simulate_study(10, 1, ("A", "B"), weights=(1,))
    with pytest.raises(ValueError, match="completion"):
        simulate_study(10, 1, ("A", "B"), completion=(0.5, 1.0))
