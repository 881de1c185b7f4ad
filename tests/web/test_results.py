"""The results page and the session review: numbers equal analyze() on the same rows, filters,
exclusions, the session's metrics and gaps, and who may see them."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from html import unescape

import pytest

from tests.conftest import fresh
from tests.results.page_data import data_elements, number, one
from tests.results.records import DAY1, DAY2, TASKS, record_checkout
from tests.support.study_data import Recorder, sus_answers
from uxlab.accounts.service import grant_access
from uxlab.analysis.dataset import Filters, attempt_rows, survey_rows
from uxlab.analysis.exclusions import exclude_participant, find_participant
from uxlab.analysis.service import analyze

EMAIL = "researcher@example.org"
ESTIMATE_KEYS = {"completion": "estimate", "time": "geometric_mean", "errors": "mean",
                 "clicks": "mean", "seq": "mean"}


@pytest.fixture(autouse=True)
def no_charts(request, monkeypatch):
    """Leave the charts out (drawing them is slow) unless a test asks for ``with_charts``."""
    if "with_charts" not in request.fixturenames:
        monkeypatch.setattr("uxlab.researcher.results.page_charts", lambda page: ())


@pytest.fixture
def with_charts():
    """Draw the page's charts as the app does."""


@pytest.fixture
def researcher(make_user, auth):
    user = make_user(EMAIL)
    auth.login(EMAIL)
    return user


@pytest.fixture
def study(make_study, researcher):
    return make_study(owner=researcher)


@pytest.fixture
def sessions(db, study):
    return record_checkout(db, study)


def page(client, study, **query) -> str:
    response = client.get(f"/studies/{study.id}/results", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def expected(db, study, filters: Filters | None = None) -> dict:
    """analyze() on the dataset's rows: what the page must show."""
    filters = filters or Filters()
    survey = list(survey_rows(fresh(db), study, filters))
    return analyze(list(attempt_rows(db, study, filters)), survey or None, design=study.design)


def assert_tasks_match(html: str, document: dict) -> None:
    """Every task cell and comparison on the page equals the analysis document's value."""
    tasks = {task["task"]: task for task in document["tasks"]}
    cells = [e for e in data_elements(html, _tag="td") if e.get("metric") in ESTIMATE_KEYS]
    assert {(c["task"], c["variant"]) for c in cells} == {
        (t, v) for t, task in tasks.items() for v in task["variants"]}
    for cell in cells:
        summary = tasks[cell["task"]]["variants"][cell["variant"]][cell["metric"]]
        assert number(cell, "estimate") == summary[ESTIMATE_KEYS[cell["metric"]]]
        assert number(cell, "low") == summary["low"]
        assert number(cell, "high") == summary["high"]
    for task, entry in tasks.items():
        shown = [e for e in comparison_rows(html) if e.get("task") == task]
        assert len(shown) == len(entry["comparisons"])
        for row, comparison in zip(shown, entry["comparisons"], strict=True):
            assert (row["metric"], row.get("a"), row.get("b")) == (
                comparison["metric"], comparison["a"], comparison["b"])
            assert row.get("test") == comparison["test"]
            for key in ("p", "difference", "low", "high"):
                assert number(row, key) == comparison[key], (task, comparison["metric"], key)
            assert number(row, "p-adjusted") == comparison["p_adjusted"]
            assert comparison["interpretation"] in unescape(html)


def comparison_rows(html: str) -> list[dict]:
    return [e for e in data_elements(html) if "comparison" in e["_class"]]


# --- the numbers ---------------------------------------------------------------------------------

def test_page_numbers_equal_analyze_on_the_dataset_rows(client, db, study, sessions):
    html = page(client, study)
    document = expected(db, study)

    assert_tasks_match(html, document)
    for variant, entry in document["variants"].items():
        assert one(html, variant=variant, _class="variant")["analysed"] == str(
            entry["participants"])
    srm = one(html, _id="srm")
    assert number(srm, "p") == document["srm"]["p"]
    assert srm["flag"] == str(document["srm"]["flag"]).lower()
    sus = document["questionnaires"]["sus"]["variants"]
    for variant, summary in sus.items():
        cell = one(html, metric="sus", variant=variant)
        assert (number(cell, "estimate"), number(cell, "low"), number(cell, "high")) == (
            summary["mean"], summary["low"], summary["high"])
        assert one(html, metric="sus-percentile", variant=variant)["estimate"] == str(
            summary["percentile"])
        assert f'data-metric="sus-grade" data-variant="{variant}">{summary["grade"]}<' in html
    for variant, summary in document["questionnaires"]["nps"]["variants"].items():
        cell = one(html, metric="nps", variant=variant)
        assert number(cell, "estimate") == summary["score"]
        assert (number(cell, "low"), number(cell, "high")) == (summary["low"], summary["high"])
    questionnaire_rows = [e for e in comparison_rows(html) if "task" not in e]
    answered = [q for q in document["questionnaires"].values()
                if any(v["n"] for v in q["variants"].values())]  # UMUX-Lite was not asked
    entries = [c for q in answered for c in q["comparisons"]]
    assert [r["metric"] for r in questionnaire_rows] == [c["metric"] for c in entries]
    assert [r["metric"] for r in questionnaire_rows] == ["sus", "nps"]
    for row, entry in zip(questionnaire_rows, entries, strict=True):
        assert (number(row, "p"), number(row, "difference"), number(row, "low"),
                number(row, "high")) == (entry["p"], entry["difference"], entry["low"],
                                         entry["high"])
        assert entry["interpretation"] in unescape(html)


def test_the_participants_table_adds_up_to_the_analysis(client, db, study, sessions):
    html = page(client, study)
    document = expected(db, study)
    rows = {e["code"]: e for e in data_elements(html) if "participant" in e["_class"]}

    assert set(rows) == set(sessions)
    successes = sum(v["successes"] for task in document["tasks"] for v in task["variants"].values())
    assert sum(int(r["succeeded"]) for r in rows.values()) == successes
    for code, session in sessions.items():
        assert int(rows[code]["succeeded"]) == sum(a.outcome == "success" for a in session.attempts)
        assert number(rows[code], "total-time") == pytest.approx(
            sum(a.time_on_task_ms for a in session.attempts) / 1000)
        assert f"/studies/{study.id}/sessions/{session.public_id}" in html
    assert rows["P-06"]["completed"] == "false" and rows["P-01"]["completed"] == "true"
    totals = one(html, _id="overview-totals")
    assert (totals["started"], totals["completed"]) == ("12", "11")
    a_row = one(html, variant="A", _class="variant")
    assert (a_row["started"], a_row["completed"]) == ("6", "6")
    b_row = one(html, variant="B", _class="variant")
    assert (b_row["started"], b_row["completed"]) == ("6", "5")


def test_synthetic_participants_are_counted_and_can_be_left_out(client, db, study, sessions):
    html = page(client, study)
    assert one(html, _id="synthetic-count")["count"] == "1"
    without = page(client, study, synthetic="0")
    assert "P-12" not in {e["code"] for e in data_elements(without) if "participant" in e["_class"]}
    assert_tasks_match(without, expected(db, study, Filters(include_synthetic=False)))


# --- filters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, filters", [
    ({"variant": "B"}, Filters(variants=("B",))),
    ({"mode": "remote_moderated"}, Filters(modes=("remote_moderated",))),
    ({"since": "2026-03-03"}, Filters(started_from=DAY2.replace(hour=0))),
    ({"before": "2026-03-03"}, Filters(started_before=DAY2.replace(hour=0))),
], ids=["variant", "mode", "since", "before"])
def test_filters_change_the_numbers_as_they_change_the_rows(client, db, study, sessions, query,
                                                            filters):
    everything = page(client, study)
    html = page(client, study, **query)
    document = expected(db, study, filters)

    assert_tasks_match(html, document)
    listed = {e["code"] for e in data_elements(html) if "participant" in e["_class"]}
    all_listed = {e["code"] for e in data_elements(everything) if "participant" in e["_class"]}
    assert listed < all_listed
    analysed = sum(int(e["analysed"]) for e in data_elements(html) if "variant" in e["_class"]
                   and e.get("_tag") == "tr")
    assert analysed == sum(v["participants"] for v in document["variants"].values())
    assert analysed < len(all_listed)
    assert "; ".join(filters.describe()) in html  # says what it shows


def test_the_filter_form_is_labelled_and_keeps_its_values(client, study, sessions):
    html = page(client, study, variant="A", mode="unmoderated", since="2026-03-02",
                before="2026-03-04", include_excluded="1")
    assert '<label for="since">' in html and '<label for="before">' in html
    assert 'value="2026-03-02"' in html and 'value="2026-03-04"' in html
    assert 'name="variant" value="A" checked' in html
    assert 'name="variant" value="B" >' in html
    assert 'name="mode" value="unmoderated" checked' in html
    assert 'id="include_excluded" name="include_excluded" value="1" checked' in html
    assert "<legend>Variants</legend>" in html and "<legend>Session modes</legend>" in html


@pytest.mark.parametrize("query", [{"variant": "Z"}, {"mode": "telepathic"},
                                   {"since": "yesterday"},
                                   {"since": "2026-03-04", "before": "2026-03-02"}])
def test_a_bad_filter_is_refused_with_the_reason(client, db, study, sessions, query):
    response = client.get(f"/studies/{study.id}/results", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The filters were not applied" in html and 'role="alert"' in html
    assert_tasks_match(html, expected(db, study))  # the unfiltered results are still shown


def test_within_subjects_counts_people_once_and_pairs_the_comparisons(client, db, make_study,
                                                                      demo_spec, researcher):
    spec = dataclasses.replace(demo_spec, slug="within-demo", design="within")
    study = make_study(owner=researcher, spec=spec)
    rec = Recorder(db, study)
    for i in range(6):
        person = rec.participant(f"W-{i}", None, completed=i != 0)
        person.participant.variant_order = ["A", "B"] if i % 2 else ["B", "A"]
        for variant in ("A", "B"):
            better = variant == "B"
            rec.attempt(person, "find-product", variant,
                        outcome="success" if better or i % 2 else "failure",
                        time_ms=20_000 + 2_000 * i - (5_000 if better else 0), seq=3 + i % 3)
    db.commit()

    html = page(client, study)
    document = expected(db, study)
    assert document["design"] == "within"
    assert_tasks_match(html, document)
    assert {row.get("test") for row in comparison_rows(html)} >= {"mcnemar exact mid-p",
                                                              "paired t (log times)"}
    totals = one(html, _id="overview-totals")
    assert (totals["started"], totals["completed"]) == ("6", "5")
    assert "started" not in one(html, variant="A", _class="variant")  # study-wide only
    assert "A → B" in html and "B → A" in html
    assert "within-subjects: every participant uses every variant" in html


# --- exclusions ----------------------------------------------------------------------------------

def test_excluded_participants_disappear_unless_included(client, db, study, sessions):
    before = expected(db, study)
    exclude_participant(db, find_participant(db, study, "P-02"), "speeder: 12 s in total")
    db.commit()

    html = page(client, study)
    listed = {e["code"]: e for e in data_elements(html) if "participant" in e["_class"]}
    assert "P-02" not in listed
    assert one(html, code="P-02", _tag="tr")  # in the exclusions table, with its reason
    assert "speeder: 12 s in total" in html
    assert one(html, variant="B", _class="variant")["analysed"] == str(
        before["variants"]["B"]["participants"] - 1)
    assert_tasks_match(html, expected(db, study))

    kept = page(client, study, include_excluded="1")
    listed = {e["code"]: e for e in data_elements(kept) if "participant" in e["_class"]}
    assert listed["P-02"]["excluded"] == "true"
    assert "yes: speeder: 12 s in total" in kept
    assert one(kept, variant="B", _class="variant")["analysed"] == str(
        before["variants"]["B"]["participants"])
    assert_tasks_match(kept, before)


# --- charts, problems, empty studies -------------------------------------------------------------

def test_the_report_charts_are_inline(client, study, sessions, with_charts):
    html = page(client, study)
    assert html.count("<svg") == 5
    for caption in ("Completion rate by task", "Task time by task", "Ease rating by task",
                    "SUS by variant", "Net Promoter Score by variant"):
        assert f"<figcaption><details><summary>{caption}" in html
    assert html.count('role="img"') == 5


def test_a_study_without_data_says_so(client, study, with_charts):
    html = page(client, study)
    assert "No attempts match these filters yet." in html
    assert "<svg" not in html
    assert "No participant matches these filters." in html
    assert "No usability problems recorded yet." in html


def test_problems_count_the_participants_whose_observations_link_to_them(client, db, study,
                                                                          sessions):
    rec = Recorder(db, study)
    hidden = rec.problem("Coupon field is hidden", severity=3, task="apply-coupon")
    rec.problem("Typo in the footer", severity=1)
    for code in ("P-01", "P-03", "P-05"):
        rec.observation(sessions[code], "looked for the coupon", kind="problem", problem=hidden)
    rec.observation(sessions["P-01"], "again", kind="problem", problem=hidden)
    rec.observation(sessions["P-02"], "hesitated", kind="note")
    db.commit()

    html = page(client, study)
    row = one(html, problem="Coupon field is hidden")
    assert (row["severity"], row["participants"], row["observations"]) == ("3", "3", "4")
    assert "3 · major" in html and "Apply a coupon" in html
    assert one(html, problem="Typo in the footer")["participants"] == "0"
    # Observed: the three with problems, P-02 (a note) and P-04 (a moderated session).
    assert "of the 5 listed participant(s) observed" in html

    exclude_participant(db, find_participant(db, study, "P-03"), "test run")
    db.commit()
    assert one(page(client, study), problem="Coupon field is hidden")["participants"] == "2"


# --- the session review --------------------------------------------------------------------------

def test_session_review_shows_metrics_answers_observations_and_gaps(client, db, study, sessions):
    session = sessions["P-04"]
    rec = Recorder(db, study)
    first = session.attempts[0]
    first.client_time_ms, first.misclicks, first.lostness = 31_250, 1, 0.42
    first.path = ["index.html", "shoes.html", "product-trail-runner.html"]
    first.direct, first.first_click_correct = True, False
    for seq in (0, 1, 4, 5):
        rec.event(session, seq, attempt=first, tab_id="tab-1",
                  type="navigate" if seq == 1 else "click")
    for seq in (0, 2):
        rec.event(session, seq, tab_id="tab-2")
    problem = rec.problem("Size picker is easy to miss", severity=2, task="add-to-cart")
    rec.observation(session, "did not see the size picker", kind="problem", problem=problem,
                    attempt=session.attempts[1], offset_ms=125_000, severity=2)
    db.commit()

    response = client.get(f"/studies/{study.id}/sessions/{session.public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    attempts = data_elements(html, _class="attempt")
    assert [a["task"] for a in attempts] == list(TASKS)
    shown = attempts[0]
    assert (shown["outcome"], shown["time-ms"], shown["client-time-ms"], shown["clicks"],
            shown["misclicks"], shown["errors"], shown["lostness"]) == (
        first.outcome, str(first.time_on_task_ms), "31250", str(first.clicks), "1",
        str(first.errors), "0.42")
    assert "<code>index.html</code> → <code>shoes.html</code>" in html
    assert "remote moderated" in html
    assert one(html, instrument="sus")["score"] is not None
    assert "did not see the size picker" in html and "2:05" in html
    assert "Size picker is easy to miss" in html
    assert one(html, type="click")["count"] == "5"
    assert one(html, type="navigate")["count"] == "1"
    assert one(html, tab="tab-1") and one(html, tab="tab-2")
    assert [(g["first"], g["last"]) for g in data_elements(html, _tag="span")
            if "first" in g] == [("2", "3"), ("1", "1")]
    assert 'id="missing-events" data-count="3"' in html
    assert "events that never arrived".lower() in html.lower()


def test_a_session_without_gaps_says_nothing_is_missing(client, db, study, sessions):
    session = sessions["P-01"]
    rec = Recorder(db, study)
    for seq in range(3):
        rec.event(session, seq, tab_id="tab-1")
    db.commit()
    html = client.get(f"/studies/{study.id}/sessions/{session.public_id}").get_data(as_text=True)
    assert 'id="missing-events" data-count="0"' in html


# --- access --------------------------------------------------------------------------------------

def test_another_researcher_gets_404_on_results_and_sessions(client, db, auth, make_user, study,
                                                             sessions):
    make_user("other@example.org")
    auth.logout()
    auth.login("other@example.org")
    assert client.get(f"/studies/{study.id}/results").status_code == 404
    session = sessions["P-01"]
    assert client.get(f"/studies/{study.id}/sessions/{session.public_id}").status_code == 404


def test_a_viewer_may_see_the_results(client, db, auth, make_user, study, sessions):
    viewer = make_user("viewer@example.org")
    grant_access(db, study, viewer, "viewer")
    db.commit()
    auth.logout()
    auth.login("viewer@example.org")
    assert client.get(f"/studies/{study.id}/results").status_code == 200
    session = sessions["P-01"]
    assert client.get(f"/studies/{study.id}/sessions/{session.public_id}").status_code == 200


def test_a_session_of_another_study_is_404_under_this_study(client, db, make_study, demo_spec,
                                                            researcher, study, sessions):
    other = make_study(owner=researcher, spec=dataclasses.replace(demo_spec, slug="other"))
    foreign = Recorder(db, other).participant("P-X", "A")
    db.commit()
    assert client.get(f"/studies/{other.id}/sessions/{foreign.public_id}").status_code == 200
    assert client.get(f"/studies/{study.id}/sessions/{foreign.public_id}").status_code == 404
    assert client.get(f"/studies/{study.id}/sessions/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/studies/{study.id}/sessions/not-a-uuid").status_code == 404


def test_results_need_a_login(client, study):
    anonymous = client.application.test_client()
    response = anonymous.get(f"/studies/{study.id}/results")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_study_page_links_to_its_results(client, study):
    html = client.get(f"/studies/{study.id}").get_data(as_text=True)
    assert f'href="/studies/{study.id}/results"' in html


def test_dates_of_the_first_and_last_session(client, study, sessions):
    html = page(client, study)
    assert f'datetime="{DAY1.isoformat()}"' in html
    last = DAY2 + timedelta(minutes=30 * 11)
    assert f'datetime="{last.isoformat()}"' in html


def test_the_study_page_links_to_results_data_and_sharing(client, auth, make_user, make_study):
    owner = make_user("links-owner@example.org")
    study = make_study(owner=owner)
    auth.login(owner.email)
    html = client.get(f"/studies/{study.id}").get_data(as_text=True)
    for path in ("results", "export", "share"):
        assert f'href="/studies/{study.id}/{path}"' in html


def test_exported_csvs_through_uxlab_analyze_give_the_page_numbers(client, study, sessions,
                                                                    tmp_path):
    """Issue 5: attempts CSV → `uxlab analyze` → the same numbers as the results page."""
    import json

    from click.testing import CliRunner

    from uxlab.cli import main

    paths = {}
    for what in ("attempts", "survey"):
        response = client.get(f"/studies/{study.id}/export/{what}.csv")
        assert response.status_code == 200
        paths[what] = tmp_path / f"{what}.csv"
        paths[what].write_bytes(response.get_data())
    result = CliRunner().invoke(main, ["analyze", str(paths["attempts"]), "--survey",
                                       str(paths["survey"]), "--design", study.design, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["tasks"], "the export held no attempts"
    assert_tasks_match(page(client, study), document)


# --- small groups and unasked instruments (issue 9) ----------------------------------------------

SCALES_ON_PAGE = {"completion": (0, 1), "time": (0, None), "errors": (0, None),
                  "clicks": (0, None), "seq": (1, 7), "sus": (0, 100), "nps": (-100, 100)}


@pytest.mark.parametrize("per_variant", [2, 3])
def test_small_groups_keep_every_interval_on_its_scale(client, db, study, with_charts,
                                                       per_variant):
    """Two or three participants per variant, SUS asked and NPS never answered: every bound on
    the page lies on its scale, a withheld interval says so, and there is no NPS chart."""
    rec = Recorder(db, study)
    for i in range(2 * per_variant):
        variant = "AB"[i % 2]
        session = rec.participant(f"S-{i}", variant)
        for t, task in enumerate(TASKS):
            rec.attempt(session, task, variant, time_ms=[9_000, 95_000, 30_000][(i + t) % 3],
                        errors=(i * t) % 2, clicks=3 + 4 * ((i + t) % 2), seq=[2, 7, 5][i % 3])
        rec.answers(session, "sus", sus_answers(1 + (i % 3) + (i % 2)), variant=variant)
    db.commit()
    html = page(client, study)
    cells = [e for e in data_elements(html, _tag="td") if e.get("metric") in SCALES_ON_PAGE]
    assert cells
    for cell in cells:
        bottom, top = SCALES_ON_PAGE[cell["metric"]]
        for key in ("low", "high"):
            value = number(cell, key)
            if value is not None:
                assert value >= bottom and (top is None or value <= top), cell
    withheld = [c for c in cells if c.get("interval-withheld") == "true"]
    assert withheld and all(c.get("low") is None for c in withheld)
    assert "too few values for an interval" in html
    assert "Net Promoter Score by variant" not in html and 'id="q-nps"' not in html
    assert "SUS by variant" in html


def test_a_comparison_row_names_its_own_variants(app):
    """Issue 9: the row "C vs A" was labelled "B − A"."""
    from uxlab.results import formatting

    entries = [{"metric": "seq", "kind": "pairwise", "a": "A", "b": "C", "test": "welch t",
                "p": 0.5, "p_adjusted": 0.9, "difference": 0.4, "low": -0.8, "high": 1.6,
                "effect": "difference in means (b - a)", "interpretation": "…"},
               {"metric": "time", "kind": "pairwise", "a": "B", "b": "C",
                "test": "welch t (log times)", "p": 0.5, "p_adjusted": 0.9, "difference": 0.8,
                "low": 0.5, "high": 1.3, "effect": "ratio of geometric means (b / a)",
                "interpretation": "…"}]
    with app.test_request_context():
        macros = app.jinja_env.get_template("researcher/results_macros.html").make_module(
            {"fmt": formatting})
        html = str(macros.comparisons(entries))
    assert "C − A" in html and "C / B" in html
    assert "B − A" not in html and "B / A" not in html
