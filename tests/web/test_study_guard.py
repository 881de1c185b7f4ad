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
