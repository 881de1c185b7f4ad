"""The researcher's screening pages (Flask client): screener questions, quotas with their fill,
the panel and end texts; errors beside their fields, nothing changed by a bad edit."""

from __future__ import annotations

import pytest

from tests.conftest import fresh
from tests.screening.conftest import screening_data
from tests.web.test_auth import field_error
from tests.web.test_researcher import CONFIRMED, EMAIL, form_values, post
from uxlab.models import Study
from uxlab.participants import flow
from uxlab.participants.links import create_participants
from uxlab.studies.service import load_spec
from uxlab.studies.spec import parse_study

QUESTION = {"key": "shopping", "kind": "single", "text": "How often do you shop online?",
            "options": "Weekly\r\nMonthly\r\nNever", "must_not_be": "Never"}


@pytest.fixture
def owned(make_user, auth, make_study):
    """The demo study (no screener yet), owned by the logged-in researcher."""
    user = make_user(EMAIL)
    auth.login(EMAIL)
    return make_study(owner=user)


@pytest.fixture
def screened(db, make_user, auth, demo_spec):
    """The demo study with the screener, owned by the logged-in researcher, running."""
    user = make_user(EMAIL)
    auth.login(EMAIL)
    study = load_spec(db, parse_study(screening_data(demo_spec, quotas=[
        {"key": "weekly_a", "places": 2, "variant": "A", "where": {"shopping": ["Weekly"]}}])),
        owner=user).study
    study.status = "running"
    db.commit()
    return study


def _study(db, study_id) -> Study:
    return fresh(db).get(Study, study_id)


def test_add_edit_reorder_and_remove_screener_questions(client, db, owned):
    base = f"/studies/{owned.id}"
    assert post(client, f"{base}/screener/new", QUESTION).status_code == 302
    age = {"key": "age", "kind": "number", "text": "How old are you?", "min": "18", "max": "65"}
    assert post(client, f"{base}/screener/new", age).status_code == 302
    study = _study(db, owned.id)
    assert [(q.key, q.rule) for q in study.screener_questions] == [
        ("shopping", {"must_not_be": ["Never"]}), ("age", {"min": 18, "max": 65})]
    page = client.get(base).get_data(as_text=True)
    assert "How often do you shop online?" in page and "must not be Never" in page
    # Editing shows the stored values and keeps them.
    edit_page = client.get(f"{base}/screener/shopping/edit").get_data(as_text=True)
    values = form_values(edit_page)
    assert values["options"] == "Weekly\r\nMonthly\r\nNever" and values["must_not_be"] == "Never"
    values["must_not_be"], values["must_be"] = "", "Weekly"
    assert client.post(f"{base}/screener/shopping/edit", data=values).status_code == 302
    assert _study(db, owned.id).screener_questions[0].rule == {"must_be": ["Weekly"]}
    assert post(client, f"{base}/screener/age/move/up", form_url=base).status_code == 302
    assert [q.key for q in _study(db, owned.id).screener_questions] == ["age", "shopping"]
    # Removing asks first, then removes.
    first = post(client, f"{base}/screener/age/delete", form_url=base)
    assert first.status_code == 200 and "Remove screener question age?" in first.get_data(
        as_text=True)
    assert [q.key for q in _study(db, owned.id).screener_questions] == ["age", "shopping"]
    post(client, f"{base}/screener/age/delete", CONFIRMED, form_url=base)
    assert [q.key for q in _study(db, owned.id).screener_questions] == ["shopping"]


def test_a_bad_question_is_refused_beside_its_field_and_changes_nothing(client, db, owned):
    response = post(client, f"/studies/{owned.id}/screener/new",
                    {**QUESTION, "key": "Shopping Frequency", "must_not_be": "Sometimes"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a valid key" in field_error(html, "key")
    assert field_error(html, "must_not_be") == \
        "'Sometimes' is not one of the options ('Weekly', 'Monthly', 'Never')"
    assert _study(db, owned.id).screener_questions == []


def test_the_screener_is_locked_once_someone_answered(client, db, screened):
    participant = create_participants(db, screened, 1)[0]
    participant.turned_away = "screened_out"
    db.commit()
    page = client.get(f"/studies/{screened.id}").get_data(as_text=True)
    assert "Add screener question" not in page
    response = post(client, f"/studies/{screened.id}/screener/shopping/edit",
                    {**QUESTION, "text": "Changed?"},
                    form_url=f"/studies/{screened.id}/screener/shopping/edit")
    assert response.status_code == 400 and "participants have already taken part" in \
        response.get_data(as_text=True)
    assert _study(db, screened.id).screener_questions[0].text == "How often do you shop online?"


def test_quotas_show_their_fill_and_the_turned_away_counts(client, db, screened):
    people = create_participants(db, screened, 3)
    for person, variant in zip(people[:2], ("A", "B"), strict=True):
        person.screener, person.step = {"shopping": "Weekly", "devices": ["Phone"], "age": 30}, 1
        flow.consent(db, screened, person, 1)
        person.variant = next(v for v in screened.variants if v.key == variant)
    people[2].turned_away = "screened_out"
    db.commit()
    html = client.get(f"/studies/{screened.id}").get_data(as_text=True)
    assert "Screened out: 1 · found the study full: 0" in html
    row = html[html.index('id="quota-weekly_a"'):]
    row = row[:row.index("</tr>")]
    assert "shopping must be Weekly" in row and "1 / 2" in row
    links = client.get(f"/studies/{screened.id}/participants").get_data(as_text=True)
    assert "<td>screened out</td>" in links


def test_a_quota_is_edited_with_checkboxes_while_the_study_runs(client, db, screened):
    base = f"/studies/{screened.id}"
    sitting = create_participants(db, screened, 1)[0]
    sitting.turned_away = "full"  # the study has participant data now
    db.commit()
    page = client.get(f"{base}/quotas/weekly_a/edit").get_data(as_text=True)
    values = form_values(page)
    assert values.getlist("where-shopping") == ["Weekly"] and values["variant"] == "A"
    values.setlist("where-shopping", ["Weekly", "Monthly"])
    values["places"] = "12"
    values["where-age-min"] = "18"
    assert client.post(f"{base}/quotas/weekly_a/edit", data=values).status_code == 302
    quota = _study(db, screened.id).quotas[0]
    assert (quota.places, quota.conditions) == (12, {"shopping": {"must_be": ["Weekly",
                                                                             "Monthly"]},
                                                     "age": {"min": 18}})
    new = post(client, f"{base}/quotas/new", {"key": "total", "places": "-1", "variant": ""})
    assert new.status_code == 400
    assert len(_study(db, screened.id).quotas) == 1
    assert post(client, f"{base}/quotas/new", {"key": "total", "places": "50"}).status_code \
        == 302
    post(client, f"{base}/quotas/total/delete", CONFIRMED, form_url=base)
    assert [q.key for q in _study(db, screened.id).quotas] == ["weekly_a"]


def test_panel_settings_prolific_and_errors(client, db, screened):
    url = f"/studies/{screened.id}/screening"
    values = form_values(client.get(url).get_data(as_text=True)).to_dict()
    values.update(preset="prolific", completion_code="C1A2", screen_out_code="SCR",
                  screen_out="Not this time, thanks.")
    response = client.post(url, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    study = _study(db, screened.id)
    assert study.panel == {"preset": "prolific", "completion_code": "C1A2",
                           "screen_out_code": "SCR"}
    assert study.screen_out_text == "Not this time, thanks."
    values.update(completion_url="javascript:alert(1)")
    bad = client.post(url, data=values)
    assert bad.status_code == 400
    assert field_error(bad.get_data(as_text=True), "completion_url").startswith(
        "must be an http(s) URL")
    assert _study(db, screened.id).panel["completion_code"] == "C1A2"


def test_editing_the_details_keeps_the_screening_settings(client, db, screened):
    study = _study(db, screened.id)
    study.screen_out_text, study.place_hold_minutes = "Sorry.", 30
    db.commit()
    url = f"/studies/{screened.id}/edit"
    values = form_values(client.get(url).get_data(as_text=True)).to_dict()
    values["title"] = "Renamed"
    assert client.post(url, data=values).status_code == 302
    study = _study(db, screened.id)
    assert (study.title, study.screen_out_text, study.place_hold_minutes) == ("Renamed",
                                                                              "Sorry.", 30)


def test_editing_a_quota_keeps_its_must_not_conditions_from_the_study_file(client, db,
                                                                           demo_spec, make_user,
                                                                           auth):
    """The form has tick boxes for "one of" only: a "must not" condition written in the study
    file was dropped on save, and the quota then counted everyone (found in review)."""
    user = make_user(EMAIL)
    auth.login(EMAIL)
    study = load_spec(db, parse_study(screening_data(demo_spec, quotas=[
        {"key": "not_never", "places": 5, "where": {"shopping": {"must_not_be": ["Never"]}}}])),
        owner=user).study
    db.commit()
    base = f"/studies/{study.id}"
    page = client.get(f"{base}/quotas/not_never/edit").get_data(as_text=True)
    assert "did not answer Never" in page
    values = form_values(page)
    values["places"] = "6"
    assert client.post(f"{base}/quotas/not_never/edit", data=values).status_code == 302
    quota = _study(db, study.id).quotas[0]
    assert (quota.places, quota.conditions) == (6, {"shopping": {"must_not_be": ["Never"]}})


@pytest.mark.parametrize(("url", "data", "field"), [
    ("quotas/new", {"key": "huge", "places": "99999999999999999999"}, "places"),
    ("quotas/new", {"key": "huge", "places": "3000000000"}, "places"),
    ("screener/new", {**QUESTION, "kind": "number", "options": "", "must_not_be": "",
                      "min": "sNaN"}, "min"),
    ("screener/new", {**QUESTION, "kind": "number", "options": "", "must_not_be": "",
                      "max": "Infinity"}, "max"),
])
def test_numbers_out_of_range_are_field_errors_not_500s(client, db, owned, url, data, field):
    response = post(client, f"/studies/{owned.id}/{url}", data)
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), field)
    study = _study(db, owned.id)
    assert study.quotas == [] and study.screener_questions == []


def test_a_study_file_quota_larger_than_any_study_is_refused(demo_spec):
    from uxlab.studies.problems import StudyDefinitionError

    with pytest.raises(StudyDefinitionError, match=r"quotas\[0\]\.places"):
        parse_study(screening_data(demo_spec, quotas=[{"key": "all", "places": 3_000_000_000}]))
