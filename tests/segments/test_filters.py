"""Filtering by segment (a screener answer, or a number range): dataset, results page, downloads,
``uxlab export`` and ``uxlab report``."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.segments.conftest import answers_of
from uxlab.analysis.dataset import Filters, build_dataset
from uxlab.analysis.segment_filter import SegmentError, parse_segment, parse_segments
from uxlab.models import Participant


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    """The results page's charts are beside the point here, and slow to draw."""
    monkeypatch.setattr("uxlab.researcher.results.page_charts", lambda page: ())


def kept(db, study, *segments: str) -> set[int]:
    """The indexes of the participants the filters keep (in the attempts)."""
    dataset = build_dataset(db, study, Filters(segments=parse_segments(segments)))
    return {int(row["participant"].rsplit("-", 1)[1]) for row in dataset.attempts}


def matching(rule) -> set[int]:
    return {i for i in range(12) if rule(answers_of(i))}


# --- the filter itself ----------------------------------------------------------------------


def test_a_choice_answer_keeps_those_who_gave_it(db, screened):
    assert kept(db, screened, "shopping=Weekly") == matching(
        lambda a: a.get("shopping") == "Weekly")
    # a multiple choice matches when the answer is one of the participant's
    assert kept(db, screened, "devices=Phone") == matching(lambda a: "Phone" in a["devices"])
    assert kept(db, screened, "devices=Tablet") == {1, 3, 5, 7, 9, 11}


def test_answers_to_one_question_are_alternatives_and_questions_combine(db, screened):
    assert kept(db, screened, "shopping=Weekly", "shopping=Never") == matching(
        lambda a: a.get("shopping") in ("Weekly", "Never"))
    assert kept(db, screened, "shopping=Weekly", "devices=Phone") == matching(
        lambda a: a.get("shopping") == "Weekly" and "Phone" in a["devices"])


@pytest.mark.parametrize(("text", "low", "high"), [
    ("age=26..35", 26, 35), ("age=37.5..", 37.5, None), ("age=..29", None, 29)])
def test_a_number_range_includes_both_ends(db, screened, text, low, high):
    expected = matching(lambda a: (low is None or a["age"] >= low)
                        and (high is None or a["age"] <= high))
    assert expected and kept(db, screened, text) == expected


def test_the_survey_and_the_participant_table_follow_the_filter(db, screened):
    dataset = build_dataset(db, screened, Filters(segments=(parse_segment("shopping=Never"),)))
    assert {row["participant"] for row in dataset.survey} == {"P-002", "P-005", "P-008"}


@pytest.mark.parametrize(("text", "message"), [
    ("shopping", "is not QUESTION=ANSWER"),
    ("Shopping=Weekly", "is not QUESTION=ANSWER"),
    ("shopping=", "gives no answer for shopping"),
    ("age=..", "gives neither end"),
    ("age=40..30", "ends below its start"),
    ("age=1e999..", "is not a finite number"),
])
def test_malformed_filters_say_what_is_wrong(text, message):
    with pytest.raises(SegmentError, match=re.escape(message)):
        parse_segment(text)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
@pytest.mark.parametrize(("text", "message"), [
    ("shoping=Weekly", "has no screener question 'shoping'; its screener questions: "
                       "shopping, devices, age"),
    ("shopping=Daily", "shopping has no answer 'Daily'; its answers are Weekly, Monthly, Never"),
    ("age=30", "age is a number question: give a range such as age=18..30"),
    ("shopping=1..2", "shopping is a choice question"),
])
def test_filters_the_study_does_not_fit_name_the_question(asked, text, message):
    with pytest.raises(SegmentError, match=re.escape(message)):
        Filters(segments=(parse_segment(text),)).check(asked)


# --- the results page and its downloads -----------------------------------------------------


def results(client, study, query: str):
    return client.get(f"/studies/{study.id}/results?{query}")


def test_the_results_page_filters_by_segment_and_keeps_it_in_its_links(client, auth, owner,
                                                                       screened):
    auth.login(owner.email)
    response = results(client, screened, "segment=shopping%3DWeekly&variant=A")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "screener shopping: Weekly" in html[html.index('id="filters-applied"'):]
    for link in ("report-html", "report-pdf", "report-json"):
        tag = re.search(rf'<a href="([^"]+)" id="{link}"', html)[1]
        assert "segment=shopping%3DWeekly" in tag and "variant=A" in tag
    assert re.search(r'<input type="checkbox" name="segment" value="shopping=Weekly" checked>',
                     html)
    assert 'value="shopping=Monthly" >' in html or 'value="shopping=Monthly">' in html
    weekly_in_a = {i for i in matching(lambda a: a.get("shopping") == "Weekly") if i % 2 == 0}
    listed = set(re.findall(r"P-0(\d\d)", html[html.index('id="participants-h"'):]))
    assert {int(i) for i in listed} == weekly_in_a


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_the_range_fields_become_one_segment_filter(client, auth, owner, screened):
    auth.login(owner.email)
    response = results(client, screened, "variant=B&segment_from_age=26&segment_to_age=35")
    assert response.status_code == 303
    assert response.location.endswith(f"/studies/{screened.id}/results?variant=B"
                                      "&segment=age%3D26..35")
    html = client.get(response.location).get_data(as_text=True)
    assert "screener age from 26 to 35" in html
    assert 'name="segment_from_age" value="26"' in html
    assert 'name="segment_to_age" value="35"' in html
    empty = results(client, screened, "segment_from_age=&segment_to_age=")
    assert empty.status_code == 303 and empty.location.endswith("/results")
    unknown = results(client, screened, "segment_from_nope=1")
    assert unknown.location.endswith("/results?segment=nope%3D1..")
    assert "no screener question &#39;nope&#39;" in client.get(unknown.location).get_data(
        as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
@pytest.mark.parametrize(("query", "message"), [
    ("segment=shoping%3DWeekly", "has no screener question &#39;shoping&#39;"),
    ("segment=shopping%3DDaily", "shopping has no answer &#39;Daily&#39;"),
    ("segment=%3Cscript%3Ealert(1)%3C/script%3E%3Dx", "is not QUESTION=ANSWER"),
    ("segment=shopping%3D%3Cscript%3Ealert(1)%3C%2Fscript%3E",
     "no answer &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;"),
])
def test_a_bad_segment_is_a_400_naming_it(client, auth, owner, screened, query, message):
    auth.login(owner.email)
    response = results(client, screened, query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "<script>alert" not in html
    for path in ("report.json", "export/attempts.csv"):
        download = client.get(f"/studies/{screened.id}/{path}?{query}")
        assert download.status_code == 400, path
        assert "segment" in download.get_data(as_text=True)


def test_the_downloads_take_the_segment_filter(client, auth, owner, screened):
    auth.login(owner.email)
    query = "segment=devices%3DTablet"
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/studies/{screened.id}/export/attempts.csv?{query}").get_data(as_text=True))))
    assert {r["participant"] for r in rows} == {f"P-{i:03}" for i in (1, 3, 5, 7, 9, 11)}
    assert {r["screener_devices"] for r in rows} == {"Tablet"}
    report = client.get(f"/studies/{screened.id}/report.json?{query}")
    assert report.status_code == 200
    document = json.loads(report.get_data(as_text=True))
    assert "screener devices: Tablet" in json.dumps(document)
    data_page = client.get(f"/studies/{screened.id}/export?{query}").get_data(as_text=True)
    assert f"/studies/{screened.id}/export/attempts.csv?segment=devices%3DTablet" in data_page
    assert "screener devices: Tablet" in data_page


# --- the command line ------------------------------------------------------------------------


def test_uxlab_export_and_report_take_the_segment(cli, db, screened, tmp_path):
    out = tmp_path / "weekly.csv"
    result = cli("export", screened.slug, "--segment", "shopping=Weekly", "--segment",
                 "age=..40", "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        codes = {int(r["participant"][2:]) for r in csv.DictReader(handle)}
    assert codes == matching(lambda a: a.get("shopping") == "Weekly" and a["age"] <= 40)
    result = cli("report", screened.slug, "--format", "json", "--segment", "shopping=Weekly")
    assert result.exit_code == 0, result.output
    assert "screener shopping: Weekly" in result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize(("value", "message"), [
    ("shoping=Weekly", "has no screener question 'shoping'"),
    ("shopping", "'shopping' is not QUESTION=ANSWER"),
])
def test_cli_errors_name_the_key(cli, db, screened, command, value, message):
    result = cli(command, screened.slug, "--segment", value)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# --- those who gave no answer ------------------------------------------------------------------


def test_no_answer_keeps_those_who_did_not_answer_the_question(db, screened):
    # P-011 skipped `shopping`; others never saw the screener, or left a question empty
    assert kept(db, screened, "shopping=(no answer)") == {11}
    participants = {p.code: p for p in db.query(Participant).filter_by(study_id=screened.id)}
    participants["P-004"].screener = {}  # never saw the screener (a moderator skipped it)
    participants["P-006"].screener = {"devices": [], "age": None, "shopping": ""}
    db.commit()
    assert kept(db, screened, "shopping=(no answer)") == {4, 6, 11}
    assert kept(db, screened, "devices=(no answer)") == {4, 6}
    assert kept(db, screened, "age=(no answer)") == {4, 6}
    # alternatives on one question, and combined with another question
    assert kept(db, screened, "shopping=(no answer)", "shopping=Never") == \
        {4, 6, 11} | (matching(lambda a: a.get("shopping") == "Never") - {4, 6})
    assert kept(db, screened, "age=(no answer)", "age=..25") == {0, 1, 4, 6}
    assert kept(db, screened, "shopping=(no answer)", "devices=Tablet") == {11}


def test_the_results_page_offers_no_answer_for_every_question(client, auth, owner, screened):
    auth.login(owner.email)
    html = results(client, screened, "segment=shopping%3D%28no+answer%29").get_data(as_text=True)
    assert "screener shopping: no answer" in html[html.index('id="filters-applied"'):]
    assert re.search(r'<input type="checkbox" name="segment" value="shopping=\(no answer\)" '
                     r'checked>', html)
    for key in ("devices", "age"):
        assert re.search(rf'<input type="checkbox" name="segment" value="{key}=\(no answer\)" >',
                         html)
    listed = set(re.findall(r"P-0(\d\d)", html[html.index('id="participants-h"'):]))
    assert listed == {"11"}


@pytest.mark.parametrize("option", [" (no answer) ", "(No answer)", "(NO ANSWER)"])
def test_no_option_may_be_called_no_answer(option):
    from uxlab.screening.spec import parse_screener
    from uxlab.studies.problems import Problems

    problems = Problems()
    parse_screener({"screener": [{"key": "shopping", "kind": "single", "text": "How often?",
                                  "options": ["Weekly", option]}]}, problems)
    assert [p.key for p in problems.items if "missing answer" in p.message] == [
        "screener[0].options"], problems.items
