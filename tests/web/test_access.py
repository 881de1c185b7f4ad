"""Who sees and changes which study: owners, people given access, admins, everyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Auth, csrf_token, fresh
from uxlab.accounts.service import grant_access
from uxlab.models import Participant, Study, StudyMember, User
from uxlab.studies.service import spec_from_study

OWNER = "alice@example.org"
OTHER = "bob@example.org"

READ_ROUTES = ["", "/participants", "/participants.csv", "/participants/print", "/study.toml"]
#: Pages holding participant tokens: for owners and editors only (a token lets anyone take part).
LINK_ROUTES = ["/participants.csv", "/participants/print"]
EDIT_PAGES = ["/edit", "/variants/new", "/variants/A/edit", "/tasks/new",
              "/tasks/find-product/edit", "/questionnaires", "/access"]
#: POSTs with the form data that would change something if it were accepted.
EDIT_POSTS = [
    ("/start", {}),
    ("/close", {"confirmed": "yes"}),
    ("/variants/A/delete", {"confirmed": "yes"}),
    ("/tasks/find-product/delete", {"confirmed": "yes"}),
    ("/tasks/find-product/move/down", {}),
    ("/edit", {"title": "Taken over", "design": "between"}),
    ("/variants/new", {"key": "C", "name": "C", "prototype": "checkout-redesign/a",
                       "weight": "1"}),
    ("/tasks/new", {"key": "t9", "title": "T", "criterion_type": "moderator",
                    "criterion_match": "exact"}),
    ("/questionnaires", {"post_task": "seq"}),
    ("/participants", {"count": "5"}),
    ("/access", {"email": OTHER, "access": "editor"}),
]


def login(app, email) -> tuple:
    client = app.test_client()
    Auth(client).login(email)
    return client


@pytest.fixture
def owner(make_user):
    return make_user(OWNER)


@pytest.fixture
def other(make_user):
    return make_user(OTHER)


@pytest.fixture
def study(make_study, owner):
    return make_study(owner=owner)


@pytest.fixture
def other_client(app, other):
    return login(app, OTHER)


def state(db, study_id) -> tuple:
    """Everything about the study a request could change."""
    fresh(db)
    study = db.get(Study, study_id)
    members = db.execute(select(StudyMember.user_id, StudyMember.access)
                         .where(StudyMember.study_id == study_id)
                         .order_by(StudyMember.user_id)).all()
    participants = db.scalars(select(Participant.id).where(Participant.study_id == study_id)
                              ).all()
    return (spec_from_study(study), study.status, study.updated_at, members, participants,
            db.scalars(select(Study.id).order_by(Study.id)).all())


def post(client, url, data):
    # The visitor's own valid CSRF token: the refusal must come from access control, not CSRF.
    token = csrf_token(client, "/studies/")
    return client.post(url, data={**data, "csrf_token": token})


def test_the_owner_can_do_everything(app, study):
    client = login(app, OWNER)
    for route in READ_ROUTES + EDIT_PAGES:
        assert client.get(f"/studies/{study.id}{route}").status_code == 200, route


def test_others_do_not_see_the_study_in_their_list(other_client, study):
    html = other_client.get("/studies/").get_data(as_text=True)
    assert "checkout-redesign" not in html and "Checkout redesign" not in html
    assert "No studies yet" in html


@pytest.mark.parametrize("route", READ_ROUTES + EDIT_PAGES)
def test_others_get_404_by_direct_url(other_client, db, study, route):
    before = state(db, study.id)
    response = other_client.get(f"/studies/{study.id}{route}")
    assert response.status_code == 404
    assert "Checkout redesign" not in response.get_data(as_text=True)
    assert state(db, study.id) == before


@pytest.mark.parametrize(("route", "data"), EDIT_POSTS, ids=[r for r, _ in EDIT_POSTS])
def test_others_get_404_on_every_post_and_nothing_changes(other_client, db, study, route,
                                                          data):
    before = state(db, study.id)
    response = post(other_client, f"/studies/{study.id}{route}", data)
    assert response.status_code == 404
    assert state(db, study.id) == before


def _value_for(rule, name, known):
    """A value the rule's converter accepts: the known one, else any(...)'s first, 1 or "x"."""
    converter = rule._converters.get(name)
    if converter is None:  # a plain string
        return known.get(name, "x")
    for candidate in (known.get(name), *sorted(getattr(converter, "items", ())), 1, "x"):
        try:
            if candidate is not None and converter.to_url(candidate):
                return candidate
        except ValueError:
            continue
    raise AssertionError(f"no value for {name} in {rule.rule}")


def test_every_researcher_route_of_a_study_is_404_for_others(app, other_client, db, study):
    """Routes added later are covered too: every researcher URL with a study id."""
    values = {"study_id": study.id, "key": "A", "section": "variants", "direction": "down",
              "action": "start"}
    checked = 0
    before = state(db, study.id)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("researcher.") or "study_id" not in rule.arguments:
            continue
        arguments = {name: _value_for(rule, name, values) for name in rule.arguments}
        url = rule.build(arguments, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = (other_client.get(url) if method == "GET"
                        else post(other_client, url, {}))
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= len(READ_ROUTES) + len(EDIT_PAGES) + len(EDIT_POSTS)
    assert state(db, study.id) == before


def test_a_viewer_sees_but_cannot_change(app, db, study, other):
    grant_access(db, study, other, "viewer")
    db.commit()
    client = login(app, OTHER)
    assert "Checkout redesign" in client.get("/studies/").get_data(as_text=True)
    for route in READ_ROUTES:
        expected = 403 if route in LINK_ROUTES else 200
        assert client.get(f"/studies/{study.id}{route}").status_code == expected, route
    detail = client.get(f"/studies/{study.id}").get_data(as_text=True)
    assert "Edit details" not in detail and "Start study" not in detail
    assert "Add variant" not in detail
    assert "Create links" not in client.get(f"/studies/{study.id}/participants").get_data(
        as_text=True)
    before = state(db, study.id)
    for route in EDIT_PAGES:
        assert client.get(f"/studies/{study.id}{route}").status_code == 403, route
    for route, data in EDIT_POSTS:
        assert post(client, f"/studies/{study.id}{route}", data).status_code == 403, route
    assert state(db, study.id) == before


@pytest.mark.parametrize(("access", "role"), [("viewer", "researcher"), ("observer", "researcher"),
                                              ("note_taker", "researcher"),
                                              ("editor", "observer")])
def test_only_owners_and_editors_see_participant_links(app, db, study, make_user, access, role):
    from uxlab.participants.links import create_participants

    running = db.get(Study, study.id)
    running.open_recruitment, running.recruitment_token = True, "public-token-xyz"
    [participant] = create_participants(db, running, 1)
    db.commit()
    make_user("guest@example.org", role=role)
    grant_access(db, running, fresh(db).scalar(select(User).where(
        User.email == "guest@example.org")), access)
    db.commit()
    client = login(app, "guest@example.org")
    page = client.get(f"/studies/{study.id}/participants")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and participant.code in html  # progress stays visible
    assert participant.token not in html and "public-token-xyz" not in html
    assert "participants.csv" not in html and "participants/print" not in html
    for route in LINK_ROUTES:
        response = client.get(f"/studies/{study.id}{route}")
        assert response.status_code == 403, route
        assert participant.token not in response.get_data(as_text=True)
    editor = login(app, OWNER)
    assert participant.token in editor.get(f"/studies/{study.id}/participants").get_data(
        as_text=True)
    assert participant.token in editor.get(f"/studies/{study.id}/participants.csv").get_data(
        as_text=True)


def test_an_editor_can_edit(app, db, study, other):
    grant_access(db, study, other, "editor")
    db.commit()
    client = login(app, OTHER)
    for route in EDIT_PAGES:
        assert client.get(f"/studies/{study.id}{route}").status_code == 200, route
    response = post(client, f"/studies/{study.id}/variants/new",
                    {"key": "C", "name": "Third", "prototype": "checkout-redesign/a",
                     "weight": "1"})
    assert response.status_code == 302
    assert post(client, f"/studies/{study.id}/start", {}).status_code == 302
    fresh(db)
    stored = db.get(Study, study.id)
    assert [v.key for v in stored.variants] == ["A", "B", "C"]
    assert stored.status == "running"


def test_an_observer_given_edit_access_still_cannot_edit(app, db, study, make_user):
    observer = make_user("olga@example.org", role="observer")
    grant_access(db, study, observer, "editor")
    db.commit()
    client = login(app, "olga@example.org")
    assert client.get(f"/studies/{study.id}").status_code == 200
    before = state(db, study.id)
    assert client.get(f"/studies/{study.id}/edit").status_code == 403
    assert post(client, f"/studies/{study.id}/start", {}).status_code == 403
    assert state(db, study.id) == before


def test_an_admin_sees_and_changes_every_study(app, db, study, make_user):
    make_user("root@example.org", role="admin")
    client = login(app, "root@example.org")
    assert "Checkout redesign" in client.get("/studies/").get_data(as_text=True)
    for route in READ_ROUTES + EDIT_PAGES:
        assert client.get(f"/studies/{study.id}{route}").status_code == 200, route
    assert post(client, f"/studies/{study.id}/start", {}).status_code == 302
    assert fresh(db).get(Study, study.id).status == "running"


def test_the_owner_can_give_access(app, db, study, other):
    client = login(app, OWNER)
    response = post(client, f"/studies/{study.id}/access", {"email": "Bob@Example.org",
                                                             "access": "viewer"})
    assert response.status_code == 302
    members = dict(fresh(db).execute(select(StudyMember.user_id, StudyMember.access)
                                     .where(StudyMember.study_id == study.id)).all())
    assert members[other.id] == "viewer"
    response = post(client, f"/studies/{study.id}/access", {"email": "nobody@example.org",
                                                             "access": "viewer"})
    assert response.status_code == 400
    assert "No account has this email" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client, study):
    for route in READ_ROUTES + EDIT_PAGES:
        response = client.get(f"/studies/{study.id}{route}")
        assert response.status_code == 302, route
        assert "/login" in response.headers["Location"]


def test_an_unknown_study_is_404(app, study):
    client = login(app, OWNER)
    assert client.get(f"/studies/{study.id + 1000}").status_code == 404
