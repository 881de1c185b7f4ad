"""The results service: analysis options from the study, who is listed, problems, the report
context, and the session review, each read straight from the models."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from scipy import stats

from tests.results.records import DAY1, DAY2, record_checkout
from tests.support.study_data import Recorder, sus_answers
from uxlab.analysis.dataset import Filters, analyze_dataset, build_dataset
from uxlab.analysis.exclusions import exclude_participant, find_participant
from uxlab.results import build_results, find_session, session_review
from uxlab.results.context import report_context
from uxlab.results.options import analysis_options


def listed(page) -> list[str]:
    return [p.code for p in page.participants]


# --- analysis options ----------------------------------------------------------------------------

def test_options_carry_the_study_weights_and_benchmarks(db, study):
    study.variants[1].weight = 2.0
    study.tasks[0].target_time_s = 45.0
    study.tasks[1].target_completion = 0.9
    db.commit()
    options = analysis_options(study, ["A", "B"])
    # Demo study file: completion 0.78, sus 68, seq 5.5 and nps 20; no UMUX-Lite target.
    assert options["weights"] == {"A": 1.0, "B": 2.0}
    assert options["benchmarks"]["completion"] == 0.78
    assert options["benchmarks"]["sus"] == 68.0 and options["benchmarks"]["seq"] == 5.5
    assert options["benchmarks"]["nps"] == 20.0
    assert "umux_lite" not in options["benchmarks"]
    assert options["benchmarks"]["time"]["find-product"] == 45.0
    assert options["benchmarks"]["task_completion"] == {study.tasks[1].key: 0.9}
    assert analysis_options(study, ["A"])["weights"] == {"A": 1.0}
    assert "weights" not in analysis_options(study, ["A", "Z"])


def test_the_sample_ratio_check_uses_the_assignment_weights(db, study):
    study.variants[1].weight = 2.0
    rec = Recorder(db, study)
    for i in range(30):
        variant = "A" if i < 10 else "B"
        rec.attempt(rec.participant(f"S-{i}", variant), "find-product", variant,
                    time_ms=20_000 + 500 * i)
    db.commit()

    srm = build_results(db, study).overview.srm

    # 10 : 20 is exactly the 1 : 2 assignment (scipy.stats.chisquare with expected 10, 20).
    assert srm["p"] == pytest.approx(stats.chisquare([10, 20], [10, 20]).pvalue)
    assert srm["flag"] is False
    equal = stats.chisquare([10, 20]).pvalue  # what equal weights would have said
    assert srm["p"] != pytest.approx(equal)


# --- who is listed -------------------------------------------------------------------------------

def test_people_with_a_session_are_listed_even_without_attempts(db, study):
    rec = Recorder(db, study)
    rec.participant("P-START", "A", completed=False)
    done = rec.participant("P-DONE", "B")
    rec.attempt(done, "find-product", "B")
    from uxlab.models import Participant  # a link nobody opened: no session, not listed

    db.add(Participant(study_id=study.id, code="P-UNUSED", token="unused-token"))
    db.commit()

    page = build_results(db, study)
    assert listed(page) == ["P-START", "P-DONE"]
    start = page.participants[0]
    assert (start.attempts, start.tasks_succeeded, start.total_time_s, start.completed) == (
        0, 0, None, False)
    assert [(v.key, v.analysed, v.started, v.completed) for v in page.overview.variants] == [
        ("A", 0, 1, 0), ("B", 1, 1, 1)]


def test_the_filters_pick_the_listed_people(db, study):
    record_checkout(db, study)
    everyone = listed(build_results(db, study))
    assert len(everyone) == 12
    by_variant = build_results(db, study, Filters(variants=("A",)))
    assert listed(by_variant) == everyone[::2]
    by_mode = build_results(db, study, Filters(modes=("remote_moderated",)))
    assert listed(by_mode) == ["P-04"]
    later = build_results(db, study, Filters(started_from=DAY2.replace(hour=0)))
    assert listed(later) == everyone[8:]
    assert later.overview.first_session == DAY2 + timedelta(minutes=30 * 8)


def test_an_analysed_person_is_listed_whatever_their_session_date(db, study):
    rec = Recorder(db, study)
    late = rec.participant("P-LATE", "A", started_at=DAY1.replace(hour=23, minute=50))
    rec.attempt(late, "find-product", "A", started_at=DAY2.replace(hour=0, minute=5))
    db.commit()
    page = build_results(db, study, Filters(started_from=DAY2.replace(hour=0)))
    assert listed(page) == ["P-LATE"]
    assert page.participants[0].attempts == 1


def test_the_analysis_is_analyze_on_the_dataset(db, study):
    record_checkout(db, study)
    filters = Filters(variants=("A", "B"), include_synthetic=False)
    page = build_results(db, study, filters)
    dataset = build_dataset(db, study, filters)
    assert page.analysis == analyze_dataset(dataset, **analysis_options(study, ["A", "B"]))
    assert page.overview.synthetic == 0


def test_times_that_do_not_vary_still_give_results(db, study):
    # Every successful time is 30 s: the one-sample t-test against the task's time benchmark is
    # undefined. The page still shows the analysis (without the time benchmarks, if the
    # analysis refuses them).
    rec = Recorder(db, study)
    for i in range(4):
        rec.attempt(rec.participant(f"C-{i}", "AB"[i % 2]), "find-product", "AB"[i % 2],
                    time_ms=30_000)
    db.commit()
    page = build_results(db, study)
    assert page.analysis is not None
    assert page.analysis["tasks"][0]["variants"]["A"]["time"]["geometric_mean"] == pytest.approx(30)
    assert page.analysis_error is None or page.analysis_error.startswith(
        "Time benchmarks left out")


def test_no_attempts_means_no_analysis(db, study):
    page = build_results(db, study)
    assert page.analysis is None and page.analysis_error == "No attempts match these filters yet."
    assert page.overview.srm is None and page.overview.first_session is None


# --- problems and the report context -------------------------------------------------------------

def test_problems_count_listed_participants_and_build_the_discovery_matrix(db, study):
    sessions = record_checkout(db, study)
    rec = Recorder(db, study)
    severe = rec.problem("Payment fails", severity=4, task="guest-checkout")
    minor = rec.problem("Label unclear", severity=1)
    rec.observation(sessions["P-01"], "payment error", kind="problem", problem=severe)
    rec.observation(sessions["P-02"], "payment error", kind="problem", problem=severe)
    rec.observation(sessions["P-02"], "which label?", kind="problem", problem=minor)
    exclude_participant(db, find_participant(db, study, "P-01"), "pilot")
    db.commit()

    page = build_results(db, study)
    assert [(p.title, p.met, p.observations) for p in page.problems.problems] == [
        ("Payment fails", 1, 1), ("Label unclear", 1, 1)]
    ids = {p.code: p.id for p in page.participants}
    # P-02 (observations) and P-04 (moderated session) were observed; P-01 is excluded.
    observed = [person.id for person in page.problems.grid.participants]
    assert set(observed) == {ids["P-02"], ids["P-04"]}

    context = report_context(page)
    assert [(p.title, p.severity, p.participants, p.observed) for p in context.problems] == [
        ("Payment fails", 4, 1, 2), ("Label unclear", 1, 1, 2)]
    rows = dict(zip(observed, context.discovery_matrix, strict=True))
    assert rows[ids["P-02"]] == (1, 1) and rows[ids["P-04"]] == (0, 0)
    assert context.task_title("find-product") == "Find a product"
    assert context.variant_name("B") == "Redesign"
    assert [e.participant for e in context.excluded] == ["P-01"]

    kept = build_results(db, study, Filters(include_excluded=True))
    assert kept.problems.problems[0].met == 2


# --- the session review --------------------------------------------------------------------------

def test_find_session_only_inside_its_study(db, study, make_study, demo_spec):
    other = make_study(spec=dataclasses.replace(demo_spec, slug="elsewhere"))
    mine = Recorder(db, study).participant("P-MINE", "A")
    theirs = Recorder(db, other).participant("P-THEIRS", "A")
    db.commit()
    assert find_session(db, study, mine.public_id) is mine
    assert find_session(db, study, theirs.public_id) is None
    assert find_session(db, other, theirs.public_id) is theirs


def test_review_groups_answers_scores_them_and_counts_missing_events(db, study):
    rec = Recorder(db, study)
    sitting = rec.participant("P-R", "B")
    attempt = rec.attempt(sitting, "find-product", "B", seq=6)
    rec.answers(sitting, "sus", sus_answers(4), variant="B")
    rec.answers(sitting, "nps", [9], variant="B")
    for seq in (0, 3, 4, 9):
        rec.event(sitting, seq, attempt=attempt, tab_id="t1")
    rec.event(sitting, 1, tab_id="t2", type="navigate")
    db.commit()

    review = session_review(db, study, sitting)

    assert [(a.task_key, a.variant) for a in review.attempts] == [("find-product", "B")]
    assert [(g.instrument, [a.value for a in g.answers]) for g in review.attempts[0].answers] == [
        ("seq", [6.0])]
    sus = next(g for g in review.answers if g.instrument == "sus")
    # sus_answers(4): odd items 4 (contribute 3), even items 2 (contribute 3): 2.5 · 30 = 75.
    assert (sus.about, sus.score) == ("variant B", 75.0)
    assert dict(review.event_counts) == {"click": 4, "navigate": 1}
    assert review.gaps == {"t1": [(1, 2), (5, 8)], "t2": [(0, 0)]}
    assert review.missing_events == 2 + 4 + 1
