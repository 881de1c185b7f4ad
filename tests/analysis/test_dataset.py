"""The tidy rows built from the database: what goes in comes out, filters, exclusions, isolation."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.support.study_data import T0, Recorder, sus_answers
from uxlab.analysis.dataset import (
    SURVEY_BASE_COLUMNS,
    Filters,
    analyze_dataset,
    attempt_rows,
    build_dataset,
    survey_columns,
    survey_rows,
)
from uxlab.analysis.exclusions import (
    SpeederRule,
    exclude_participant,
    exclude_participants,
    find_participant,
    include_participant,
)
from uxlab.analysis.service import analyze
from uxlab.analysis.tidy import ATTEMPT_COLUMNS, NAVIGATION_COLUMNS


def row(participant, variant, task, outcome, success, time_s, errors, clicks, seq,
        navigation=(None, None, None)):
    return dict(zip(ATTEMPT_COLUMNS + NAVIGATION_COLUMNS,
                    (participant, variant, task, outcome, success, time_s, errors, clicks, seq,
                     *navigation), strict=True))


@pytest.fixture
def rec(db, study):
    return Recorder(db, study)


def test_attempt_rows_are_what_was_recorded(db, study, rec):
    one = rec.participant("P-ONE", "A")
    rec.attempt(one, "add-to-cart", "A", outcome="partial", time_ms=12_345, errors=2, clicks=9,
                seq=4)
    rec.attempt(one, "find-product", "A", outcome="success", time_ms=41_000, errors=0, clicks=3,
                seq=6, direct=True, first_click_correct=True, lostness=0.0)
    two = rec.participant("P-TWO", "B")
    rec.attempt(two, "find-product", "B", outcome="abandoned", time_ms=90_000, errors=1,
                clicks=20)
    rec.attempt(two, "add-to-cart", "B", outcome=None, time_ms=None, errors=0, clicks=1)
    db.commit()

    rows = list(attempt_rows(db, study))

    # Task order is the study's (find-product before add-to-cart), then variant order.
    assert rows == [
        row("P-ONE", "A", "find-product", "success", 1, 41.0, 0, 3, 6, (1, 1, 0.0)),
        # find-product has an optimal path: an attempt that did not succeed is not direct.
        row("P-TWO", "B", "find-product", "abandoned", 0, 90.0, 1, 20, None, (0, None, None)),
        row("P-ONE", "A", "add-to-cart", "partial", 0, 12.345, 2, 9, 4),
        row("P-TWO", "B", "add-to-cart", None, None, None, 0, 1, None),
    ]


def test_survey_rows_between_subjects(db, study, rec):
    assert survey_columns(study) == SURVEY_BASE_COLUMNS  # the demo asks SUS and NPS
    one = rec.participant("P-ONE", "A")
    rec.attempt(one, "find-product", "A")
    rec.answers(one, "sus", sus_answers(4), variant="A")
    rec.answers(one, "nps", [9], variant="A")
    two = rec.participant("P-TWO", "B")
    rec.attempt(two, "find-product", "B")
    rec.answers(two, "nps", [3], scope="study")  # no variant on the answer: the participant's
    three = rec.participant("P-NONE", "B")  # answered nothing: no survey row
    rec.attempt(three, "find-product", "B")
    db.commit()

    rows = list(survey_rows(db, study))

    empty = dict.fromkeys(SURVEY_BASE_COLUMNS)
    assert rows == [
        {**empty, "participant": "P-ONE", "variant": "A",
         **{f"sus_{i}": v for i, v in enumerate(sus_answers(4), start=1)}, "nps": 9},
        {**empty, "participant": "P-TWO", "variant": "B", "nps": 3},
    ]


def test_survey_rows_within_subjects_are_per_variant(db, make_study, demo_spec):
    spec = dataclasses.replace(demo_spec, slug="within-demo", design="within")
    study = make_study(spec=spec)
    rec = Recorder(db, study)
    person = rec.participant("P-W", None)
    for variant, level in (("A", 2), ("B", 5)):
        rec.attempt(person, "find-product", variant, seq=level + 1)
        rec.answers(person, "sus", sus_answers(level), variant=variant)
        rec.answers(person, "nps", [level * 2], variant=variant)
    db.commit()

    dataset = build_dataset(db, study)

    assert [(r["participant"], r["variant"], r["sus_1"], r["sus_2"], r["nps"])
            for r in dataset.survey] == [("P-W", "A", 2, 4, 4), ("P-W", "B", 5, 1, 10)]
    assert [r["seq"] for r in dataset.attempts] == [3, 6]
    assert dataset.design == "within"


def test_csat_and_ces_columns_when_the_study_asks_them(db, make_study, demo_spec):
    from uxlab.studies.spec import QuestionnaireSpec

    spec = dataclasses.replace(demo_spec, slug="csat-demo", questionnaires=(
        QuestionnaireSpec("seq", "seq", "post_task"), QuestionnaireSpec("sus", "sus", "post_study"),
        QuestionnaireSpec("csat", "csat", "post_study"),
        QuestionnaireSpec("ces", "ces", "post_study")))
    study = make_study(spec=spec)
    rec = Recorder(db, study)
    person = rec.participant("P-C", "A")
    rec.attempt(person, "find-product", "A")
    rec.answers(person, "csat", [4], variant="A")
    rec.answers(person, "ces", [6], variant="A")
    db.commit()

    assert survey_columns(study) == (*SURVEY_BASE_COLUMNS, "csat", "ces")
    [answers] = survey_rows(db, study)
    assert (answers["csat"], answers["ces"], answers["sus_1"]) == (4, 6, None)


def test_rows_are_read_with_one_query_each(database, db, study, rec):
    for i in range(30):
        person = rec.participant(f"P-{i:03}", "AB"[i % 2])
        for task in ("find-product", "add-to-cart", "apply-coupon"):
            rec.attempt(person, task, "AB"[i % 2], seq=5)
        rec.answers(person, "sus", sus_answers(4), variant="AB"[i % 2])
    db.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        attempts = list(attempt_rows(db, study))
        attempt_queries = len(statements)
        survey = list(survey_rows(db, study))
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert (len(attempts), len(survey)) == (90, 30)
    # Set-based: one statement per table however many attempts (plus, at most, the lazy load of
    # the study's variants for the filter check and its questionnaires for the columns).
    assert attempt_queries <= 2
    assert len(statements) - attempt_queries <= 2


def test_filters_by_variant_date_and_mode(db, study, rec):
    early = rec.participant("P-EARLY", "A", started_at=T0)
    rec.attempt(early, "find-product", "A", started_at=T0)
    rec.answers(early, "nps", [10], variant="A")
    late = rec.participant("P-LATE", "B", started_at=T0 + timedelta(days=3),
                           mode="remote_moderated")
    rec.attempt(late, "find-product", "B", started_at=T0 + timedelta(days=3))
    rec.answers(late, "nps", [2], variant="B")
    db.commit()

    def codes(filters):
        dataset = build_dataset(db, study, filters)
        return ([r["participant"] for r in dataset.attempts],
                [r["participant"] for r in dataset.survey])

    assert codes(Filters()) == (["P-EARLY", "P-LATE"], ["P-EARLY", "P-LATE"])
    assert codes(Filters(variants=("B",))) == (["P-LATE"], ["P-LATE"])
    assert codes(Filters(started_from=T0 + timedelta(days=1))) == (["P-LATE"], ["P-LATE"])
    assert codes(Filters(started_before=T0 + timedelta(days=1))) == (["P-EARLY"], ["P-EARLY"])
    assert codes(Filters(modes=("unmoderated",))) == (["P-EARLY"], ["P-EARLY"])
    assert codes(Filters(modes=("in_person",))) == ([], [])


def test_filters_reject_bad_values(study):
    with pytest.raises(ValueError, match="'Z'"):
        Filters(variants=("Z",)).check(study)
    with pytest.raises(ValueError, match="'hallway'"):
        Filters(modes=("hallway",))
    with pytest.raises(ValueError, match="naive"):
        Filters(started_from=T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="must be after"):
        Filters(started_from=T0, started_before=T0)


def test_excluded_left_out_and_listed_synthetic_labelled(db, study, rec):
    for code, synthetic in (("P-REAL", False), ("SIM-1", True), ("P-FAST", False)):
        person = rec.participant(code, "A", synthetic=synthetic)
        rec.attempt(person, "find-product", "A")
        rec.answers(person, "nps", [8], variant="A")
    exclude_participant(db, find_participant(db, study, "p-fast"), "answered at random")
    db.commit()

    dataset = build_dataset(db, study)
    assert [r["participant"] for r in dataset.attempts] == ["P-REAL", "SIM-1"]
    assert [r["participant"] for r in dataset.survey] == ["P-REAL", "SIM-1"]
    assert dataset.synthetic == {"SIM-1"}
    [excluded] = dataset.excluded
    assert (excluded.code, excluded.variant, excluded.reason) == ("P-FAST", "A",
                                                                  "answered at random")

    kept = build_dataset(db, study, Filters(include_excluded=True, include_synthetic=False))
    assert [r["participant"] for r in kept.attempts] == ["P-REAL", "P-FAST"]
    assert kept.synthetic == frozenset()

    include_participant(db, find_participant(db, study, "P-FAST"))
    db.commit()
    again = build_dataset(db, study)
    assert [r["participant"] for r in again.attempts] == ["P-REAL", "SIM-1", "P-FAST"]
    assert again.excluded == []


def test_exclusion_needs_a_reason(db, study, rec):
    rec.participant("P-X", "A")
    with pytest.raises(ValueError, match="reason"):
        exclude_participant(db, find_participant(db, study, "P-X"), "   ")


@pytest.mark.parametrize(("rule", "flagged"), [
    # P-SLOW: 3 tasks × 40 s, 15 clicks; P-QUICK: 3 × 8 s, 6 clicks; P-ONEFAST: 40 + 40 + 2 s.
    (SpeederRule("total_time", 30), ["P-QUICK"]),
    (SpeederRule("total_time", 100), ["P-QUICK", "P-ONEFAST"]),
    (SpeederRule("task_time", 5), ["P-ONEFAST"]),
    (SpeederRule("task_time", 10), ["P-QUICK", "P-ONEFAST"]),
    (SpeederRule("clicks", 10), ["P-QUICK"]),
])
def test_speeder_rules(db, study, rec, rule, flagged):
    plans = {"P-SLOW": [(40_000, 5)] * 3, "P-QUICK": [(8_000, 2)] * 3,
             "P-ONEFAST": [(40_000, 5), (40_000, 5), (2_000, 5)]}
    for code, plan in plans.items():
        person = rec.participant(code, "A")
        for task, (time_ms, clicks) in zip(("find-product", "add-to-cart", "apply-coupon"), plan,
                                           strict=True):
            rec.attempt(person, task, "A", time_ms=time_ms, clicks=clicks)
    # Still in the study: totals are not judged yet, a finished fast task is.
    busy = rec.participant("P-BUSY", "A", completed=False)
    rec.attempt(busy, "find-product", "A", time_ms=1_000, clicks=1)
    rec.attempt(busy, "add-to-cart", "A", outcome=None, time_ms=None, clicks=0)
    db.commit()

    excluded = exclude_participants(db, study, rule)
    db.commit()

    expected = flagged + (["P-BUSY"] if rule.measure == "task_time" else [])
    assert sorted(p.code for p in excluded) == sorted(expected)
    dataset = build_dataset(db, study)
    assert {e.code for e in dataset.excluded} == set(expected)
    assert not {r["participant"] for r in dataset.attempts} & set(expected)
    reasons = {e.code: e.reason for e in dataset.excluded}
    if rule == SpeederRule("total_time", 30):
        assert reasons == {"P-QUICK": "speeder: total time on task 24 s (below 30 s)"}
    # Running the rule again finds no one new; the first reason stays.
    assert exclude_participants(db, study, rule) == []


def test_speeder_rule_arguments():
    with pytest.raises(ValueError, match="'pace'"):
        SpeederRule("pace", 3)
    with pytest.raises(ValueError, match="positive"):
        SpeederRule("clicks", 0)
    assert SpeederRule("task_time", 2.5).describe() == "time on a task below 2.5 s"


def test_rows_hold_only_their_own_study(db, make_study, demo_spec, study, rec):
    other = make_study(spec=dataclasses.replace(demo_spec, slug="other-study"))
    theirs = Recorder(db, other)
    person = theirs.participant("P-THEIRS", "A")
    theirs.attempt(person, "find-product", "A", seq=2)
    theirs.answers(person, "nps", [0], variant="A")
    mine = rec.participant("P-MINE", "A")
    rec.attempt(mine, "find-product", "A", seq=7)
    rec.answers(mine, "nps", [10], variant="A")
    db.commit()

    dataset = build_dataset(db, study)
    assert [(r["participant"], r["seq"]) for r in dataset.attempts] == [("P-MINE", 7)]
    assert [(r["participant"], r["nps"]) for r in dataset.survey] == [("P-MINE", 10)]


def test_analyze_runs_on_the_rows_unchanged(db, study, rec):
    # 4 + 4 participants; A succeeds 3 of 4 on find-product, B 4 of 4.
    for i in range(8):
        variant = "AB"[i // 4]
        person = rec.participant(f"P-{i}", variant)
        success = not (variant == "A" and i == 0)
        rec.attempt(person, "find-product", variant, outcome="success" if success else "failure",
                    time_ms=20_000 + 1000 * i, clicks=3 + i, seq=4 + i % 3)
        rec.answers(person, "sus", sus_answers(3 + i % 3), variant=variant)
        rec.answers(person, "nps", [6 + i % 5], variant=variant)
    db.commit()

    dataset = build_dataset(db, study)
    document = analyze_dataset(dataset)

    [task] = document["tasks"]
    assert (task["variants"]["A"]["successes"], task["variants"]["A"]["n"]) == (3, 4)
    assert (task["variants"]["B"]["successes"], task["variants"]["B"]["n"]) == (4, 4)
    assert document["questionnaires"]["sus"]["variants"]["A"]["n"] == 4
    # Same document as from rows typed by hand from what was recorded above.
    # P-0's failure at find-product (which has an optimal path) is a 0 for direct success.
    by_hand = [row(f"P-{i}", "AB"[i // 4], "find-product", "failure" if i == 0 else "success",
                   None, 20 + i, 0, 3 + i, 4 + i % 3, (0 if i == 0 else None, None, None))
               for i in range(8)]
    survey = [{"participant": f"P-{i}", "variant": "AB"[i // 4],
               **{f"sus_{k}": v for k, v in enumerate(sus_answers(3 + i % 3), start=1)},
               "umux_1": None, "umux_2": None, "nps": 6 + i % 5} for i in range(8)]
    assert document == analyze(by_hand, survey)
