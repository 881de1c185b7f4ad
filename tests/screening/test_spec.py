"""[[screener]], [[quotas]] and [panel] in study files: rules, errors with their keys, and the
load → store → export → load round trip."""

from __future__ import annotations

import copy

import pytest

from tests.screening.conftest import screening_data
from uxlab.screening.rules import answer_meets, answers_meet
from uxlab.studies.files import parse_study_bytes, study_to_toml
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import load_spec, spec_from_study
from uxlab.studies.spec import parse_study

QUOTAS = [
    {"key": "weekly_a", "places": 10, "variant": "A", "where": {"shopping": ["Weekly"]}},
    {"key": "young", "places": 5, "where": {"age": {"min": 18, "max": 34},
                                            "devices": {"must_not_include": ["Tablet"]}}},
    {"key": "total", "places": 40},
]
PROLIFIC = {"preset": "prolific", "completion_code": "C1A2B3", "screen_out_code": "SCREENED"}


def _problems(data) -> list[tuple[str, str]]:
    with pytest.raises(StudyDefinitionError) as caught:
        parse_study(data)
    return [(p.key, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(("kind", "rule", "answer", "meets"), [
    ("single", {"must_be": ["Weekly", "Monthly"]}, "Monthly", True),
    ("single", {"must_be": ["Weekly"]}, "Rarely", False),
    ("single", {"must_not_be": ["Never"]}, "Never", False),
    ("single", {"must_not_be": ["Never"]}, "Rarely", True),
    ("multiple", {"must_include": ["Phone", "Tablet"]}, ["Computer", "Tablet"], True),
    ("multiple", {"must_include": ["Phone"]}, ["Computer"], False),
    ("multiple", {"must_include": ["Phone"]}, [], False),
    ("multiple", {"must_not_include": ["Tablet"]}, ["Phone", "Tablet"], False),
    ("multiple", {"must_not_include": ["Tablet"]}, [], True),
    ("number", {"min": 18, "max": 75}, 18, True),
    ("number", {"min": 18, "max": 75}, 75.0, True),
    ("number", {"min": 18, "max": 75}, 17.5, False),
    ("number", {"max": 75}, 76, False),
    ("number", {}, None, True),
    ("number", {"min": 1}, None, False),
])
def test_rules(kind, rule, answer, meets):
    assert answer_meets(kind, rule, answer) is meets


def test_conditions_must_all_hold():
    kinds = {"shopping": "single", "age": "number"}
    conditions = {"shopping": {"must_be": ["Weekly"]}, "age": {"max": 30}}
    assert answers_meet(kinds, conditions, {"shopping": "Weekly", "age": 30})
    assert not answers_meet(kinds, conditions, {"shopping": "Weekly", "age": 31})
    assert answers_meet(kinds, {}, {})


def test_screener_quotas_and_panel_round_trip_through_the_database_and_toml(db, demo_spec):
    spec = parse_study(screening_data(demo_spec, quotas=copy.deepcopy(QUOTAS), panel=PROLIFIC,
                                      screen_out="Sorry, not this time.", full="All full.",
                                      place_hold_minutes=45))
    # The short form of a condition becomes the full rule.
    assert spec.quotas[0].where == {"shopping": {"must_be": ["Weekly"]}}
    study = load_spec(db, spec).study
    db.commit()
    assert [(q.key, q.kind, q.position) for q in study.screener_questions] == [
        ("shopping", "single", 0), ("devices", "multiple", 1), ("age", "number", 2)]
    assert study.screener_questions[2].rule == {"min": 18, "max": 75}
    assert [(q.key, q.places, q.variant.key if q.variant else None) for q in study.quotas] == [
        ("weekly_a", 10, "A"), ("young", 5, None), ("total", 40, None)]
    stored = spec_from_study(study)
    assert stored == spec
    exported = study_to_toml(stored)
    assert parse_study_bytes(exported.encode(), "exported.toml") == spec
    assert load_spec(db, parse_study_bytes(exported.encode(), "x")).action == "unchanged"


def test_a_reordered_and_shortened_screener_updates_the_stored_questions(db, demo_spec):
    data = screening_data(demo_spec)
    study = load_spec(db, parse_study(data)).study
    first_id = study.screener_questions[0].id
    data["screener"] = [data["screener"][2], data["screener"][0]]
    load_spec(db, parse_study(data))
    db.commit()
    assert [(q.key, q.position) for q in study.screener_questions] == [("age", 0),
                                                                        ("shopping", 1)]
    assert study.screener_questions[1].id == first_id


def test_old_study_files_with_completion_redirect_and_panel_id_param_still_load(demo_spec):
    data = demo_spec.to_dict()
    data["study"].update(completion_redirect="https://panel.example/done?id={panel_id}",
                         panel_id_param="PID", open_recruitment=True)
    spec = parse_study(data)
    assert (spec.completion_redirect, spec.panel_id_param, spec.panel) == (
        "https://panel.example/done?id={panel_id}", "PID", {})


def test_screener_errors_name_their_keys(demo_spec):
    data = screening_data(demo_spec)
    data["screener"] = [
        {"key": "Shopping", "kind": "single", "text": "x", "options": ["A", "B"]},
        {"key": "kind", "kind": "scale", "text": "", "options": ["A", "B"]},
        {"key": "devices", "kind": "multiple", "text": "x", "options": ["A", "B"],
         "must_be": ["A"], "must_include": ["C"]},
        {"key": "age", "kind": "number", "text": "x", "min": 80, "max": 18, "colour": 1},
        {"key": "age", "kind": "single", "text": "x", "options": ["Only"]},
    ]
    assert _problems(data) == [
        ("screener[0].key", "'Shopping' is not a valid key (lower-case letters, digits and _, "
                            "starting with a letter, at most 64)"),
        ("screener[1].kind", "must be one of single, multiple, number, not 'scale'"),
        ("screener[1].text", "required: the question the participant reads"),
        ("screener[2].must_be", "not a rule for a multiple question (allowed: must_include, "
                                "must_not_include)"),
        ("screener[2].must_include", "'C' is not one of the options ('A', 'B')"),
        ("screener[3].colour", "unknown key (allowed here: key, kind, max, min, must_be, "
                               "must_include, must_not_be, must_not_include, options, text)"),
        ("screener[3].min", "80 is above max 18"),
        ("screener[4].key", "duplicate screener question key 'age' (first used at screener[3])"),
        ("screener[4].options", "must be a list of 2–50 non-empty answer texts"),
    ]


def test_quota_errors_name_their_keys(demo_spec):
    data = screening_data(demo_spec, quotas=[
        {"key": "a", "places": -1, "variant": "Z", "where": {"colour": ["Red"]}},
        {"key": "b", "places": 2, "where": {"shopping": ["Daily"], "age": {"min": "x"}}},
        {"key": "c", "places": 2.5, "seats": 3},
    ])
    assert _problems(data) == [
        ("quotas[0].places", "must be a whole number from 0 to 1,000,000, not -1"),
        ("quotas[0].variant", "the study has no variant 'Z'"),
        ("quotas[0].where.colour", "the screener has no question 'colour'"),
        ("quotas[1].where.shopping.must_be", "'Daily' is not one of the options ('Weekly', "
                                             "'Monthly', 'Rarely', 'Never')"),
        ("quotas[1].where.age.min", "must be a number, not 'x'"),
        ("quotas[2].seats", "unknown key (allowed here: key, places, variant, where)"),
        ("quotas[2].places", "must be a whole number from 0 to 1,000,000, not 2.5"),
    ]


def test_a_per_variant_quota_needs_a_between_subjects_study(demo_spec):
    data = screening_data(demo_spec, quotas=[{"key": "a", "places": 3, "variant": "A"}])
    data["study"]["design"] = "within"
    assert ("quotas[0].variant", "in a within-subjects study every participant sees every "
                                 "variant: a quota cannot be per variant") in _problems(data)


@pytest.mark.parametrize(("panel", "problem"), [
    ({"preset": "prolific"}, ("panel.completion_code",
                              "Prolific needs the study's completion code")),
    ({"preset": "mturk"}, ("panel.preset", "unknown panel 'mturk' (known: prolific, generic)")),
    ({"completion_url": "javascript:alert(1)//{code}", "completion_code": "X"},
     ("panel.completion_url", "must be an http(s) URL with a host, without spaces, line breaks "
                              "or backslashes")),
    ({"screen_out_url": "https://panel.example/out?c={code}"},
     ("panel.screen_out_url", "uses {code} but screen_out_code is not set")),
    ({"preset": "prolific", "completion_code": "has space"},
     ("panel.completion_code", "must be 1–64 letters, digits, _ . or -")),
    ({"id_param": "a&b", "completion_url": "https://x.example/"},
     ("panel.id_param", "must be a query parameter name (letters, digits, _ . -)")),
    ({"redirect": "https://x.example/"},
     ("panel.redirect", "unknown key (allowed here: completion_code, completion_url, id_param, "
                        "over_quota_code, over_quota_url, preset, screen_out_code, "
                        "screen_out_url)")),
    ([1], ("panel", "must be a table")),
])
def test_panel_errors_name_their_keys(demo_spec, panel, problem):
    assert _problems(screening_data(demo_spec, panel=panel)) == [problem]


def test_completion_and_id_param_are_given_in_one_place(demo_spec):
    data = screening_data(demo_spec, panel={"preset": "prolific", "completion_code": "C",
                                            "id_param": "PID"})
    data["study"].update(completion_redirect="https://x.example/", panel_id_param="PID")
    assert _problems(data) == [
        ("study.completion_redirect", "give the completion URL in one place: [panel] or "
                                      "study.completion_redirect"),
        ("study.panel_id_param", "give the panel id parameter in one place: panel.id_param or "
                                 "study.panel_id_param"),
    ]


def test_study_validate_names_the_file_and_key(cli, tmp_path, demo_spec):
    import tomli_w

    data = screening_data(demo_spec, quotas=[{"key": "a", "places": 1,
                                              "where": {"shoe_size": [1]}}])
    path = tmp_path / "screened.toml"
    path.write_text(tomli_w.dumps(data))
    result = cli("study", "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}: quotas[0].where.shoe_size: the screener has no question 'shoe_size'" \
        in result.stderr


@pytest.mark.parametrize("url", ["https://{panel_id}/done", "https://{panel_id}.example.org/",
                                 "https://user{code}@example.org/done"])
def test_a_placeholder_in_the_host_is_refused_and_never_followed(url):
    """A panel id must not choose where a participant is sent (found in review)."""
    from uxlab.screening.panels import panel_problems, redirect_for

    assert [key for key, _ in panel_problems({"completion_url": url, "completion_code": "C1"})] \
        == ["completion_url"]
    assert redirect_for({"completion_url": url, "completion_code": "C1"}, None, "completion",
                        "evil.example", "P-1") is None
