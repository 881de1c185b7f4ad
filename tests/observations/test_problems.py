"""Problems: made from notes, renamed, merged, split, rated; the list and grid agree with
uxlab.stats; observers may read but not change them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.observations.conftest import EDITOR, OBSERVER, OWNER
from tests.support.study_data import Recorder
from uxlab.models import Observation, ProblemSighting, SeverityRating, UsabilityProblem
from uxlab.stats.discovery import discovery_probability, estimate_p, participants_needed
from uxlab.stats.proportions import completion_interval, two_proportion_test

#: 8 participants × 6 problems (Sauro & Lewis's layout: rows participants, columns problems).
MATRIX = [
    [1, 1, 0, 1, 0, 0],
    [1, 0, 1, 0, 0, 0],
    [1, 1, 0, 0, 1, 0],
    [0, 1, 0, 1, 0, 0],
    [1, 0, 0, 0, 0, 1],
    [1, 1, 1, 0, 0, 0],
    [0, 1, 0, 1, 0, 0],
    [1, 0, 0, 0, 0, 0],
]
SEVERITIES = [2, 3, 1, 4, 2, 0]


@pytest.fixture
def seeded_grid(db, study, clients):
    """The matrix entered through the grid endpoints: participants P1…P8 (A, B alternating)."""
    recorder = Recorder(db, study)
    people = [recorder.participant(f"P{i + 1}", "AB"[i % 2], mode="in_person")
              for i in range(len(MATRIX))]
    problems = [recorder.problem(f"Problem {j + 1}", SEVERITIES[j]) for j in range(6)]
    db.commit()
    editor = clients(EDITOR)
    for i, row in enumerate(MATRIX):
        for j, met in enumerate(row):
            if met:
                answer = editor.json("PUT", f"/studies/{study.id}/problems/{problems[j].id}/grid/"
                                            f"{people[i].participant.code}", {"met": True})
                assert answer.status_code == 200, answer.get_json()
    return people, problems


def test_problem_list_and_discovery_equal_uxlab_stats_on_the_grid(study, clients, seeded_grid):
    _people, problems = seeded_grid
    listing = clients(OBSERVER).get(f"/studies/{study.id}/problems?format=json").get_json()
    assert listing["grid"]["matrix"] == MATRIX
    by_id = {p["id"]: p for p in listing["problems"]}
    for j, problem in enumerate(problems):
        column = [row[j] for row in MATRIX]
        entry = by_id[problem.id]
        expected = completion_interval(sum(column), len(MATRIX), 0.95)
        assert (entry["participants"], entry["observed"]) == (sum(column), len(MATRIX))
        assert entry["low"] == pytest.approx(expected.low)
        assert entry["high"] == pytest.approx(expected.high)
        a = [row[j] for i, row in enumerate(MATRIX) if i % 2 == 0]
        b = [row[j] for i, row in enumerate(MATRIX) if i % 2 == 1]
        assert [(v["variant"], v["participants"], v["observed"]) for v in entry["variants"]] \
            == [("A", sum(a), 4), ("B", sum(b), 4)]
        test = two_proportion_test(sum(a), 4, sum(b), 4, 0.95)
        assert entry["comparisons"][0]["p"] == pytest.approx(test.pvalue)
    estimate = estimate_p(MATRIX)
    discovery = listing["discovery"]
    assert discovery["p_adjusted"] == pytest.approx(estimate.p_adjusted)
    assert discovery["p_observed"] == pytest.approx(estimate.p_observed)
    assert discovery["share_found"] == pytest.approx(
        discovery_probability(estimate.p_adjusted, 8))
    assert discovery["participants_needed"] == {
        "0.85": participants_needed(estimate.p_adjusted, 0.85),
        "0.9": participants_needed(estimate.p_adjusted, 0.90)}
    # Priority: the catastrophe first, then severity × frequency.
    order = [p["title"] for p in listing["problems"]]
    assert order[0] == "Problem 4"
    priorities = [p["priority"] for p in listing["problems"][1:]]
    assert priorities == sorted(priorities, reverse=True)
    page = clients(OBSERVER).get(f"/studies/{study.id}/problems").get_data(as_text=True)
    assert f'data-p-adjusted="{estimate.p_adjusted}"' in page
    assert "4 · catastrophe" in page


def test_grid_export_round_trips_through_plan_discovery(study, clients, seeded_grid, cli,
                                                        tmp_path):
    import json

    response = clients(OWNER).get(f"/studies/{study.id}/export/grid.csv")
    assert response.status_code == 200, response.status_code
    path = tmp_path / "grid.csv"
    path.write_bytes(response.data)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("participant,Problem 1,")
    result = cli("plan", "discovery", "--matrix", str(path), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    listing = clients(OWNER).get(f"/studies/{study.id}/problems?format=json").get_json()
    assert document["estimate"]["p_adjusted"] == pytest.approx(
        listing["discovery"]["p_adjusted"])
    assert document["by_goal"]["0.85"] == listing["discovery"]["participants_needed"]["0.85"]


def test_observers_cannot_change_problems_or_the_grid(db, study, clients, seeded_grid):
    people, problems = seeded_grid
    observer, base = clients(OBSERVER), f"/studies/{study.id}/problems"
    code = people[0].participant.code
    attempts = [("POST", base, {"title": "Mine"}),
                ("PATCH", f"{base}/{problems[0].id}", {"title": "Renamed"}),
                ("POST", f"{base}/{problems[0].id}/merge", {"into": problems[1].id}),
                ("POST", f"{base}/{problems[0].id}/split", {"title": "x", "observations": []}),
                ("POST", f"{base}/{problems[0].id}/rating", {"severity": 1}),
                ("POST", f"{base}/{problems[0].id}/delete", {}),
                ("PUT", f"{base}/{problems[0].id}/grid/{code}", {"met": False})]
    for method, url, body in attempts:
        assert observer.json(method, url, body).status_code == 403, url
    assert fresh(db).scalar(select(func.count()).select_from(UsabilityProblem)) == 6
    assert db.get(UsabilityProblem, problems[0].id).title == "Problem 1"
    page = observer.get(base).get_data(as_text=True)
    assert "grid-toggle" not in page and "Add a problem" not in page


def note(client, study, sitting, text, seconds, kind="problem", severity=None):
    key = uuid.uuid4()
    response = client.json("PUT", f"/studies/{study.id}/sessions/{sitting.public_id}/notes/{key}",
                           {"kind": kind, "text": text, "severity": severity,
                            "noted_at": (sitting.started_at
                                         + timedelta(seconds=seconds)).isoformat()})
    assert response.status_code == 201
    return key


def test_note_becomes_a_problem_then_links_merges_and_splits(db, study, clients, recorded):
    sitting = recorded[0]
    editor = clients(EDITOR)
    first = note(editor, study, sitting, "Coupon field hidden below the fold", 85, severity=3)
    second = note(editor, study, sitting, "“Where do I put the code?”", 90, kind="quote")
    url = f"/studies/{study.id}/sessions/{sitting.public_id}/notes"
    odd = editor.json("POST", f"{url}/{first}/problem", {"problem": "new", "title": 5})
    assert odd.status_code == 400 and odd.get_json()["field"] == "title"
    missing = editor.json("POST", f"{url}/{first}/problem", {"problem": 999999})
    assert missing.status_code == 400 and missing.get_json()["field"] == "problem"
    made = editor.json("POST", f"{url}/{first}/problem", {"problem": "new"})
    assert made.status_code == 200, made.get_json()
    problem = fresh(db).scalar(select(UsabilityProblem))
    assert (problem.title, problem.severity) == ("Coupon field hidden below the fold", 3)
    assert problem.task_id == recorded[1][1].task_id
    assert editor.json("POST", f"{url}/{second}/problem",
                       {"problem": problem.id}).status_code == 200
    other = editor.json("POST", f"/studies/{study.id}/problems",
                        {"title": "Apply button unclear", "severity": 2}).get_json()
    listing = editor.get(f"/studies/{study.id}/problems?format=json").get_json()
    entry = next(p for p in listing["problems"] if p["id"] == problem.id)
    assert entry["quotes"] == ["“Where do I put the code?”"]
    assert (entry["participants"], entry["tasks"]) == (1, ["Apply a coupon"])
    # Merge the new problem into the first: its notes and cells follow.
    editor.json("PUT", f"/studies/{study.id}/problems/{other['id']}/grid/P01", {"met": True})
    editor.json("POST", f"/studies/{study.id}/problems/{problem.id}/rating", {"severity": 4})
    merged = editor.json("POST", f"/studies/{study.id}/problems/{other['id']}/merge",
                         {"into": problem.id})
    assert merged.status_code == 200
    fresh(db)
    assert db.scalar(select(func.count()).select_from(UsabilityProblem)) == 1
    assert db.scalar(select(ProblemSighting.problem_id)) == problem.id
    # Split the quote off into a problem of its own.
    quote_id = db.scalar(select(Observation.id).where(Observation.kind == "quote"))
    split = editor.json("POST", f"/studies/{study.id}/problems/{problem.id}/split",
                        {"title": "No label on the code field", "observations": [quote_id]})
    assert split.status_code == 201, split.get_json()
    new_id = split.get_json()["id"]
    assert fresh(db).get(Observation, quote_id).problem_id == new_id
    bad = editor.json("POST", f"/studies/{study.id}/problems/{problem.id}/split",
                      {"title": "x", "observations": [quote_id]})
    assert bad.status_code == 400 and bad.get_json()["field"] == "observations"
    renamed = editor.json("PATCH", f"/studies/{study.id}/problems/{problem.id}",
                          {"title": "Coupon field hard to find"})
    assert renamed.status_code == 200
    assert fresh(db).get(UsabilityProblem, problem.id).title == "Coupon field hard to find"


def test_several_ratings_show_median_and_range(db, study, clients, seeded_grid):
    problem = seeded_grid[1][0]
    for email, severity in ((OWNER, 2), (EDITOR, 4)):
        assert clients(email).json("POST", f"/studies/{study.id}/problems/{problem.id}/rating",
                                   {"severity": severity}).status_code == 200
    entry = next(p for p in clients(OBSERVER).get(
        f"/studies/{study.id}/problems?format=json").get_json()["problems"]
        if p["id"] == problem.id)
    assert entry["ratings"] == {"count": 2, "median": 3, "low": 2, "high": 4}
    assert fresh(db).scalar(select(func.count()).select_from(SeverityRating)) == 2
    page = clients(OBSERVER).get(f"/studies/{study.id}/problems").get_data(as_text=True)
    assert "median 3 of 2 ratings, range 2–4" in page


def test_bad_problem_input_names_the_field(db, study, clients):
    editor, base = clients(EDITOR), f"/studies/{study.id}/problems"
    for body, field in (({}, "title"), ({"title": " "}, "title"),
                        ({"title": "x", "severity": 7}, "severity"),
                        ({"title": "x", "task": "nope"}, "task"),
                        ({"title": "x", "colour": 1}, "colour")):
        response = editor.json("POST", base, body)
        assert response.status_code == 400 and response.get_json()["field"] == field, body
    form = editor.form(base, {"title": "", "severity": "2"})
    assert form.status_code == 302
    assert fresh(db).scalar(select(func.count()).select_from(UsabilityProblem)) == 0


def test_the_page_forms_work_without_javascript(db, study, clients, seeded_grid):
    people, problems = seeded_grid
    editor, base = clients(EDITOR), f"/studies/{study.id}/problems"
    answer = editor.form(base, {"title": "Totals hard to read", "severity": "1", "task": ""})
    assert answer.status_code == 302 and answer.location.endswith("/problems#problems-h")
    code = people[7].participant.code  # P8 met only problem 1
    toggled = editor.form(f"{base}/{problems[5].id}/grid/{code}", {"met": "1"})
    assert toggled.status_code == 302
    page = editor.get(base).get_data(as_text=True)
    assert "Problem “Totals hard to read” added." in page
    assert fresh(db).scalar(select(ProblemSighting.met).where(
        ProblemSighting.problem_id == problems[5].id)) is True
    bad = editor.form(f"{base}/{problems[5].id}/grid/{code}", {"met": "maybe"})
    assert bad.status_code == 302
    assert "Met: must be true or false" in editor.get(base).get_data(as_text=True)
    assert clients(OBSERVER).form(base, {"title": "x"}).status_code == 403
    assert editor.form(f"{base}/{problems[5].id}/grid/NOBODY", {"met": "1"}).status_code == 404
