"""CX imports from the command line, and the figures of ``uxlab cx summary`` against uxlab.stats."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.cx.conftest import (
    RESPONSE_HEADER,
    generate_responses,
    values_of,
    write_csv,
)
from uxlab.models import CxMeasure, CxResponse, Touchpoint
from uxlab.stats.nps import nps
from uxlab.stats.proportions import completion_interval
from uxlab.stats.questionnaires import ces_summary, csat_top_two_box


def summary(cli, *args) -> dict:
    result = cli("cx", "summary", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def card(board: dict, touchpoint: str) -> dict:
    return next(c for s in board["stages"] for c in s["touchpoints"] if c["name"] == touchpoint)


def assert_figure(figure: dict, expected) -> None:
    assert figure["estimate"] == pytest.approx(expected.estimate)
    assert figure["low"] == pytest.approx(expected.low)
    assert figure["high"] == pytest.approx(expected.high)
    assert figure["n"] == expected.n


@pytest.fixture
def loaded(cli, journey_file, responses_file):
    assert cli("journeys", "load", str(journey_file)).exit_code == 0
    path, rows = responses_file
    result = cli("cx", "import", str(path))
    assert result.exit_code == 0, result.output
    return path, rows, result.output


def test_figures_equal_uxlab_stats_by_period_and_segment(cli, loaded):
    _path, rows, output = loaded
    assert f"read {len(rows)}, imported {len(rows)}, duplicates 0, refused 0" in output
    place = ("Purchase", "Checkout", "Guest checkout")
    for args, months, segment in (((), None, None),
                                  (("--period", "2026-Q3"), ["2026-07", "2026-08", "2026-09"],
                                   None),
                                  (("--period", "2026-10", "--segment", "returning"),
                                   ["2026-10"], "returning")):
        board = summary(cli, "--journey", "Purchase", *args)
        cx = card(board, "Guest checkout")["cx"]
        assert_figure(cx["nps"], nps(values_of(rows, place, "nps", months, segment).astype(int)))
        assert_figure(cx["csat"], csat_top_two_box(
            values_of(rows, place, "csat", months, segment).astype(int)))
        ces = values_of(rows, place, "ces", months, segment)
        assert_figure(cx["ces"], ces_summary(ces))
        agree = completion_interval(int((ces >= 5).sum()), ces.size)
        assert cx["ces"]["agree"]["estimate"] == pytest.approx(agree.estimate)
        assert cx["ces"]["agree"]["low"] == pytest.approx(agree.low)
    whole = summary(cli, "--journey", "Purchase")["journey_summary"]["cx"]["nps"]
    assert_figure(whole, nps(values_of(rows, ("Purchase", "", ""), "nps").astype(int)))


def test_trend_by_quarter_and_period_comparison(cli, loaded):
    _path, rows, _ = loaded
    place = ("Purchase", "Browse", "Product search")
    board = summary(cli, "--journey", "Purchase", "--granularity", "quarter",
                    "--period", "2026-Q4", "--compare-to", "2026-Q3")
    entry = card(board, "Product search")
    assert [p["period"] for p in entry["trend"]["nps"]] == ["2026-Q3", "2026-Q4"]
    q3 = values_of(rows, place, "csat", ["2026-07", "2026-08", "2026-09"])
    q4 = values_of(rows, place, "csat", ["2026-10"])
    comparison = entry["comparisons"]["csat"]
    from uxlab.stats.proportions import two_proportion_test

    expected = two_proportion_test(int((q3 >= 4).sum()), q3.size, int((q4 >= 4).sum()), q4.size)
    assert comparison["difference"] == pytest.approx(expected.difference)
    assert comparison["p"] == pytest.approx(expected.pvalue)
    assert comparison["sentence"].startswith("CSAT in 2026-Q4 was")


def test_importing_the_same_file_twice_changes_nothing(cli, db, loaded):
    path, rows, _ = loaded
    before = summary(cli, "--journey", "Purchase")
    again = cli("cx", "import", str(path))
    assert again.exit_code == 0, again.output
    assert f"read {len(rows)}, imported 0, duplicates {len(rows)}, refused 0" in again.output
    assert db.scalar(select(func.count()).select_from(CxResponse)) == len(rows)
    assert summary(cli, "--journey", "Purchase") == before


def test_one_bad_score_names_row_and_column_and_imports_nothing(cli, db, tmp_path,
                                                               journey_file):
    rows = generate_responses(seed=2, per_cell=4)
    bad = next(i for i, r in enumerate(rows) if r["metric"] == "nps")
    rows[bad]["value"] = "11"
    path = write_csv(tmp_path / "bad.csv", RESPONSE_HEADER, rows)
    result = cli("cx", "import", str(path))
    assert result.exit_code != 0
    assert f"row {bad + 2}, column value" in result.output
    assert "whole number from 0 to 10" in result.output
    assert db.scalar(select(func.count()).select_from(CxResponse)) == 0
    assert db.scalar(select(func.count()).select_from(Touchpoint)) == 0  # nothing created


def test_no_create_refuses_places_that_do_not_exist(cli, db, tmp_path, journey_file):
    assert cli("journeys", "load", str(journey_file)).exit_code == 0
    rows = [{"recorded_at": "2026-09-01", "journey": "Purchase", "stage": "Checkout",
             "touchpoint": "Gift wrap", "metric": "csat", "value": "4"}]
    path = write_csv(tmp_path / "new.csv", RESPONSE_HEADER[:6], rows)
    refused = cli("cx", "import", "--no-create", str(path))
    assert refused.exit_code != 0
    assert "row 2, column touchpoint" in refused.output
    created = cli("cx", "import", str(path))
    assert "created touchpoint Purchase › Checkout › Gift wrap" in created.output


def test_aggregates_with_and_without_counts(cli, db, tmp_path, journey_file):
    assert cli("journeys", "load", str(journey_file)).exit_code == 0
    header = ["period_start", "period_end", "journey", "stage", "touchpoint", "metric", "value",
              "n", "promoters", "passives", "detractors", "top_box", "sd", "source"]
    rows = [
        {"period_start": "2026-09-01", "period_end": "2026-09-30", "journey": "Purchase",
         "stage": "Checkout", "touchpoint": "Payment", "metric": "nps", "value": "20",
         "n": "50", "promoters": "20", "passives": "20", "detractors": "10"},
        {"period_start": "2026-09-01", "period_end": "2026-09-30", "journey": "Purchase",
         "stage": "Checkout", "touchpoint": "Payment", "metric": "csat", "value": "81"},
        {"period_start": "2026-09-01", "period_end": "2026-09-30", "journey": "Purchase",
         "stage": "Checkout", "touchpoint": "Payment", "metric": "tickets", "value": "140"},
    ]
    path = write_csv(tmp_path / "aggregates.csv", header, rows)
    result = cli("cx", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "aggregates: read 3, imported 3" in result.output
    cx = card(summary(cli, "--journey", "Purchase"), "Payment")["cx"]
    expected = nps([10] * 20 + [8] * 20 + [0] * 10)
    assert cx["nps"]["estimate"] == 20
    assert (cx["nps"]["low"], cx["nps"]["high"]) == pytest.approx((expected.low, expected.high))
    assert cx["csat"]["estimate"] == pytest.approx(0.81)
    assert cx["csat"]["note"] == "no interval (n unknown)"
    assert cx["tickets"]["estimate"] == 140
    assert db.scalar(select(func.count()).select_from(CxMeasure)) == 3


def test_inconsistent_aggregate_counts_are_refused(cli, tmp_path):
    header = ["period_start", "period_end", "journey", "stage", "touchpoint", "metric", "value",
              "n", "promoters", "passives", "detractors"]
    rows = [{"period_start": "2026-09-01", "period_end": "2026-09-30", "journey": "P",
             "stage": "", "touchpoint": "", "metric": "nps", "value": "20", "n": "51",
             "promoters": "20", "passives": "20", "detractors": "10"}]
    result = cli("cx", "import", str(write_csv(tmp_path / "a.csv", header, rows)))
    assert result.exit_code != 0
    assert "row 2, column n: promoters + passives + detractors = 50, not n = 51" in result.output


QUALTRICS = '''StartDate,EndDate,Status,Progress,Finished,RecordedDate,ResponseId,Q1,Q2,Segment
Start Date,End Date,Response Type,Progress,Finished,Recorded Date,Response ID,How likely…,How satisfied…,Customer type
"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}","{""ImportId"":""progress""}","{""ImportId"":""finished""}","{""ImportId"":""recordedDate""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}"
2026-09-01 10:00:00,2026-09-01 10:05:00,IP Address,100,True,2026-09-01 10:05:00,R_1,9,5,new
2026-09-02 10:00:00,2026-09-02 10:05:00,IP Address,100,True,2026-09-02 10:05:00,R_2,3,,returning
2026-09-03 10:00:00,2026-09-03 10:05:00,Survey Preview,100,True,2026-09-03 10:05:00,R_3,10,5,new
2026-09-04 10:00:00,2026-09-04 10:05:00,IP Address,40,False,2026-09-04 10:05:00,R_4,10,5,new
'''


def test_qualtrics_export_drops_previews_and_unfinished(cli, db, tmp_path, journey_file):
    assert cli("journeys", "load", str(journey_file)).exit_code == 0
    path = tmp_path / "qualtrics.csv"
    path.write_text(QUALTRICS, encoding="utf-8")
    missing = cli("cx", "import", str(path))
    assert missing.exit_code != 0 and "mapping" in missing.output
    result = cli("cx", "import", str(path), "--map", "Q1=nps@Purchase/Checkout/Guest checkout",
                 "--map", "Q2=csat@Purchase/Checkout/Guest checkout",
                 "--segment-column", "Segment")
    assert result.exit_code == 0, result.output
    assert "qualtrics: read 6, imported 3, duplicates 0, refused 0, skipped 3" in result.output
    stored = db.execute(select(CxResponse.metric, CxResponse.value, CxResponse.segment,
                               CxResponse.external_id).order_by(CxResponse.external_id)).all()
    assert stored == [("nps", 9.0, "new", "R_1:Q1"), ("csat", 5.0, "new", "R_1:Q2"),
                      ("nps", 3.0, "returning", "R_2:Q1")]
    again = cli("cx", "import", str(path), "--map", "Q1=nps@Purchase/Checkout/Guest checkout",
                "--map", "Q2=csat@Purchase/Checkout/Guest checkout")
    assert "imported 0, duplicates 3" in again.output


def test_unknown_layout_and_bad_mapping_are_explained(cli, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = cli("cx", "import", str(path))
    assert result.exit_code != 0 and "not a CX file" in result.output
    bad = cli("cx", "import", str(path), "--map", "Q1=stars@Purchase")
    assert bad.exit_code != 0 and "--map" in bad.output


def test_journey_files_are_validated_with_key_paths(cli, tmp_path, journey_file):
    assert "2 journeys, 4 touchpoints" in cli("journeys", "validate", str(journey_file)).output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[journeys]]\nname = "P"\n[[journeys.stages]]\nname = "S"\n'
                   '[[journeys.stages.touchpoints]]\nname = "T"\ntargets = { nps = 300 }\n',
                   encoding="utf-8")
    result = cli("journeys", "validate", str(bad))
    assert result.exit_code == 1
    assert "journeys[0].stages[0].touchpoints[0].targets.nps: must be a number from -100 to 100" \
        in result.output


def test_the_shipped_journey_file_validates(cli):
    from tests.conftest import PROJECT_ROOT

    result = cli("journeys", "validate", str(PROJECT_ROOT / "studies" / "journeys.toml"))
    assert result.exit_code == 0, result.output
    assert "1 journeys, 5 touchpoints" in result.output


def test_cli_registers_sources_and_tokens(cli):
    source = cli("cx", "source", "survey-x", "--kind", "delighted")
    assert source.exit_code == 0 and "source survey-x (delighted): secret " in source.output
    assert cli("cx", "source", "survey-x").exit_code != 0  # the name is taken
    assert cli("cx", "source", "Bad Name!").exit_code != 0
    token = cli("cx", "token", "create", "XM sync")
    assert token.exit_code == 0 and "uxl_" in token.output
    listing = cli("cx", "token", "list").output
    assert "XM sync" in listing and "live" in listing
    assert "revoked" in cli("cx", "token", "revoke", "1").output
    assert cli("cx", "token", "revoke", "99").exit_code != 0
