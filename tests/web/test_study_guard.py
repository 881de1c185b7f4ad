"""The researcher UI refuses what would show a participant a missing page: the variant and task
forms (beside the field) and "Start study" (naming the variant or task)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from tests.web.test_auth import field_error
from tests.web.test_researcher import (
    EMAIL,
    TASKS,
    VARIANT_A,
    create_study,
    post,
    snapshot,
    stored,
)
from uxlab.models import Study, Variant
from uxlab.studies.service import spec_from_study


@pytest.fixture
def researcher(make_user, auth):
    user = make_user(EMAIL)
    auth.login(EMAIL)
    return user


@pytest.fixture
def draft(client, db, researcher):
    create_study(client)
    return fresh(db).scalar(select(Study).where(Study.slug == "onboarding")).id


def test_a_variant_whose_folder_does_not_exist_is_refused_beside_the_field(client, db, draft):
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/variants/new",
                    {**VARIANT_A, "prototype": "checkout-redesign/x"})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), "prototype")
    assert error.startswith("variant 'A': prototype folder 'checkout-redesign/x' does not exist")
    assert snapshot(db) == before


def test_a_variant_lacking_a_tasks_page_is_refused_naming_the_task(client, db, draft):
    post(client, f"/studies/{draft}/tasks/new", TASKS[0])
    response = post(client, f"/studies/{draft}/variants/new",
                    {**VARIANT_A, "prototype": "checkout-redesign/shared"})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), "prototype")
    assert "task 'find' starts on 'index.html', which the prototype of variant 'A' " \
           "(checkout-redesign/shared) does not have" in error
    assert fresh(db).scalars(select(Variant)).all() == []


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"start": "shoe.html"}, "start", "task 'find' starts on 'shoe.html'"),
    ({"criterion_url": "product-trail.html"}, "criterion_url",
     "task 'find' succeeds on 'product-trail.html', which matches no page"),
])
def test_a_task_page_the_prototype_lacks_is_refused_beside_the_field(client, db, draft,
                                                                     overrides, field, message):
    post(client, f"/studies/{draft}/variants/new", VARIANT_A)
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/tasks/new", {**TASKS[0], **overrides})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert snapshot(db) == before


def test_start_is_refused_naming_the_variant_and_path(client, db, make_study, researcher):
    study = make_study(owner=researcher)
    fresh(db).get(Study, study.id).variants[1].prototype = "checkout-redesign/x"
    db.commit()
    detail = f"/studies/{study.id}"
    response = post(client, f"{detail}/start", form_url=detail)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Cannot start the study: variant &#39;B&#39;: prototype folder "
            "&#39;checkout-redesign/x&#39; does not exist") in page
    assert stored(db, study.id).status == "draft"


# --- destructive actions ask first ---------------------------------------------------------------

def confirm_form(html: str) -> dict:
    """The fields the confirmation page posts (without a browser: no JavaScript involved)."""
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    return {"confirmed": "yes"}


@pytest.mark.parametrize(("action", "question", "unchanged"), [
    ("close", "Close “Checkout redesign”?", lambda s: s.status == "running"),
    ("variants/A/delete", "Remove variant A (“Current checkout”)?",
     lambda s: [v.key for v in s.variants] == ["A", "B"]),
    ("tasks/apply-coupon/delete", "Remove task apply-coupon (“Apply a coupon”)?",
     lambda s: "apply-coupon" in [t.key for t in s.tasks]),
])
def test_a_destructive_action_asks_and_acts_only_once_confirmed(client, db, make_study,
                                                                researcher, action, question,
                                                                unchanged):
    study = make_study(owner=researcher)
    fresh(db).get(Study, study.id).status = "running"
    db.commit()
    detail = f"/studies/{study.id}"
    response = post(client, f"{detail}/{action}", form_url=detail)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<h1>{question}</h1>" in page
    assert f'<a class="button" href="{detail}">Cancel</a>' in page
    assert unchanged(stored(db, study.id))
    response = post(client, f"{detail}/{action}", confirm_form(page), form_url=detail)
    assert response.status_code == 302
    assert not unchanged(stored(db, study.id))


def test_revoking_a_share_link_asks_first(client, db, make_study, researcher):
    from uxlab.models import ShareLink
    from uxlab.sharing.service import create_share_link

    study = make_study(owner=researcher)
    link, _ = create_share_link(db, study, label="product team")
    db.commit()
    url = f"/studies/{study.id}/share/{link.id}/revoke"
    response = post(client, url, form_url=f"/studies/{study.id}/share")
    assert "<h1>Revoke the share link “product team”?</h1>" in response.get_data(as_text=True)
    assert fresh(db).get(ShareLink, link.id).revoked_at is None
    response = post(client, url, {"confirmed": "yes"}, form_url=f"/studies/{study.id}/share")
    assert response.status_code == 303
    assert fresh(db).get(ShareLink, link.id).revoked_at is not None


# --- error rules in the task form ----------------------------------------------------------------

def test_error_rules_are_edited_in_the_task_form(client, db, make_study, researcher):
    from tests.web.test_researcher import form_values

    study = make_study(owner=researcher)
    url = f"/studies/{study.id}/tasks/add-to-cart/edit"
    data = form_values(client.get(url).get_data(as_text=True))
    assert data["error_rules-0-target"] == "size-missing.html"
    assert data["error_rules-0-label"] == "Added to cart without choosing a size"
    assert data["error_rules-1-target"] == data["error_rules-2-target"] == ""
    data["error_rules-0-label"] = "No size chosen"
    for name, value in {"error_rules-1-type": "element", "error_rules-1-target": "#wishlist",
                        "error_rules-2-type": "url", "error_rules-2-target": "help",
                        "error_rules-2-match": "prefix"}.items():
        data[name] = value  # MultiDict.update would add a second value
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    task = next(t for t in stored(db, study.id).tasks if t.key == "add-to-cart")
    assert task.error_rules == [
        {"type": "url", "url": "size-missing.html", "label": "No size chosen"},
        {"type": "element", "selector": "#wishlist"},
        {"type": "url", "url": "help", "match": "prefix"}]

    data = form_values(client.get(url).get_data(as_text=True))
    data["error_rules-0-target"] = ""  # an emptied row removes its rule
    assert client.post(url, data=data).status_code == 302
    task = next(t for t in stored(db, study.id).tasks if t.key == "add-to-cart")
    assert [rule.get("url") or rule.get("selector") for rule in task.error_rules] == [
        "#wishlist", "help"]


@pytest.mark.parametrize(("row", "message"), [
    ({"error_rules-1-target": "nowhere.html"}, "error rule 'nowhere.html' matches no page"),
    ({"error_rules-1-target": "cart([", "error_rules-1-match": "regex"},
     "not a valid regular expression"),
])
def test_a_bad_error_rule_is_shown_in_its_row(client, db, make_study, researcher, row, message):
    from tests.web.test_researcher import form_values

    study = make_study(owner=researcher)
    before = spec_from_study(stored(db, study.id))
    url = f"/studies/{study.id}/tasks/add-to-cart/edit"
    data = form_values(client.get(url).get_data(as_text=True))
    for name, value in row.items():
        data[name] = value
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), "error_rules-1-target")
    assert spec_from_study(stored(db, study.id)) == before


# --- custom rating scales ------------------------------------------------------------------------

SCALE = {"key": "trust", "title": "Trust", "items": "I would trust this shop.\r\nIt looks safe.",
         "scale": "5", "anchor_low": "Not at all", "anchor_high": "Completely",
         "timing": "post_task"}


def test_custom_rating_scales_are_added_edited_and_removed(client, db, make_study, researcher):
    study = make_study(owner=researcher)
    base = f"/studies/{study.id}/questionnaires"
    response = post(client, f"{base}/custom/new", SCALE)
    assert response.status_code == 302, response.get_data(as_text=True)
    spec = spec_from_study(stored(db, study.id))
    trust = next(q for q in spec.questionnaires if q.key == "trust")
    assert (trust.instrument, trust.timing) == ("likert", "post_task")
    assert trust.options == {"title": "Trust", "scale": 5, "items": [
        "I would trust this shop.", "It looks safe."], "anchors": ["Not at all", "Completely"]}
    assert "Trust" in client.get(f"/studies/{study.id}/tasks/find-product/edit").get_data(
        as_text=True)

    response = post(client, f"{base}/custom/trust/edit",
                    {**SCALE, "key": "confidence", "timing": "post_study", "scale": "7"})
    assert response.status_code == 302
    spec = spec_from_study(stored(db, study.id))
    assert [(q.key, q.timing) for q in spec.questionnaires] == [
        ("seq", "post_task"), ("sus", "post_study"), ("nps", "post_study"),
        ("confidence", "post_study")]

    delete = f"{base}/custom/confidence/delete"
    assert "<h1>Remove the rating scale confidence?</h1>" in post(
        client, delete, form_url=base).get_data(as_text=True)
    post(client, delete, {"confirmed": "yes"}, form_url=base)
    assert [q.key for q in spec_from_study(stored(db, study.id)).questionnaires] == [
        "seq", "sus", "nps"]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"key": "sus"}, "key", "already asks a questionnaire 'sus'"),
    ({"key": "seq", "timing": "post_study"}, "key", "already asks"),
    ({"anchor_high": ""}, None, None),
    ({"scale": "6"}, "scale", "Not a valid choice"),
    ({"items": "  \r\n "}, "items", "This field is required."),
])
def test_bad_rating_scales_are_refused_beside_the_field(client, db, make_study, researcher,
                                                       overrides, field, message):
    study = make_study(owner=researcher)
    before = spec_from_study(stored(db, study.id))
    response = post(client, f"/studies/{study.id}/questionnaires/custom/new",
                    {**SCALE, **overrides})
    if field is None:  # one anchor alone is allowed: the other end stays unlabelled
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert spec_from_study(stored(db, study.id)) == before
