"""The researcher's download routes and exclusion forms: streamed, access-checked, CSRF-protected."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tests.conftest import csrf_token
from tests.exports.conftest import record_study
from uxlab.accounts.service import grant_access
from uxlab.exports.tables import attempts_csv, survey_csv
from uxlab.models import Participant

DOWNLOADS = ("attempts.csv", "survey.csv", "events.csv", "observations.csv", "problems.csv",
             "grid.csv", "all.zip",
             "all.json")


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def owned(db, make_study, owner):
    study = make_study(owner=owner)
    record_study(db, study, seed=3, participants=6)
    return study


def url(study, name: str = "") -> str:
    return f"/studies/{study.id}/export" + (f"/{name}" if name else "")


def test_owner_downloads_streamed_exports(client, auth, db, owner, owned):
    auth.login(owner.email)

    response = client.get(url(owned, "attempts.csv"))

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{owned.slug}-v1-attempts.csv"')
    assert response.get_data(as_text=True) == "".join(attempts_csv(db, owned))
    assert client.get(url(owned, "survey.csv")).get_data(as_text=True) == "".join(
        survey_csv(db, owned))
    document = json.loads(client.get(url(owned, "all.json")).get_data(as_text=True))
    assert len(document["participants"]) == 6
    archive = zipfile.ZipFile(io.BytesIO(client.get(url(owned, "all.zip")).get_data()))
    assert archive.testzip() is None


def test_filters_in_the_query_string(client, auth, owner, owned):
    auth.login(owner.email)

    text = client.get(url(owned, "attempts.csv") + "?variant=B&synthetic=0").get_data(
        as_text=True)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["variant"] for r in rows} == {"B"}
    assert client.get(url(owned, "attempts.csv") + "?variant=Z").status_code == 400
    assert client.get(url(owned, "attempts.csv") + "?since=yesterday").status_code == 400
    assert client.get(url(owned, "events.json")).status_code == 400  # no such combination


def test_other_researchers_get_404(client, auth, make_user, owned):
    make_user("stranger@example.org")
    auth.login("stranger@example.org")

    for name in ("", *DOWNLOADS):
        assert client.get(url(owned, name)).status_code == 404, name
    token = csrf_token(client, "/studies/")
    for action in ("exclude", "include", "speeders"):
        response = client.post(f"/studies/{owned.id}/exclusions/{action}",
                               data={"csrf_token": token, "code": "P-000", "reason": "x",
                                     "measure": "clicks", "below": "5"})
        assert response.status_code == 404, action


def test_logged_out_visitors_are_sent_to_log_in(client, owned):
    response = client.get(url(owned, "attempts.csv"))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_viewers_download_but_cannot_exclude(client, auth, db, make_user, owned):
    viewer = make_user("viewer@example.org")
    grant_access(db, owned, viewer, "viewer")
    db.commit()
    auth.login(viewer.email)

    assert client.get(url(owned, "attempts.csv")).status_code == 200
    page = client.get(url(owned)).get_data(as_text=True)
    assert "Exclude speeders" not in page
    token = csrf_token(client, "/studies/")
    response = client.post(f"/studies/{owned.id}/exclusions/exclude",
                           data={"csrf_token": token, "code": "P-000", "reason": "x"})
    assert response.status_code == 403


def test_exclude_and_include_a_participant(client, auth, db, owner, owned):
    auth.login(owner.email)
    token = csrf_token(client, url(owned))

    response = client.post(f"/studies/{owned.id}/exclusions/exclude",
                           data={"csrf_token": token, "code": "p-001",
                                 "reason": "saw the redesign before"})

    assert response.status_code == 303
    participant = db.query(Participant).filter_by(study_id=owned.id, code="P-001").one()
    assert participant.exclusion_reason == "saw the redesign before"
    page = client.get(url(owned)).get_data(as_text=True)
    assert "saw the redesign before" in page
    rows = list(csv.DictReader(io.StringIO(client.get(url(owned, "attempts.csv")).get_data(
        as_text=True))))
    assert "P-001" not in {r["participant"] for r in rows}
    kept = client.get(url(owned, "attempts.csv") + "?include_excluded=1").get_data(as_text=True)
    assert "P-001" in kept

    response = client.post(f"/studies/{owned.id}/exclusions/include",
                           data={"csrf_token": token, "code": "P-001"})
    assert response.status_code == 303
    db.rollback()  # end the test session's snapshot (SQLite WAL) to see the app's write
    assert participant.excluded_at is None


def test_speeder_rule_form(client, auth, db, owner, owned):
    auth.login(owner.email)
    token = csrf_token(client, url(owned))

    response = client.post(f"/studies/{owned.id}/exclusions/speeders", data={
        "csrf_token": token, "measure": "task_time", "below": "1000", "reason": "too fast"},
        follow_redirects=True)

    assert response.status_code == 200
    assert "6 participant(s) with time on a task below 1000 s excluded" in response.get_data(
        as_text=True)
    reasons = {p.exclusion_reason for p in db.query(Participant).filter_by(study_id=owned.id)}
    assert all(r.startswith("too fast: time on a task ") for r in reasons)


def test_forms_need_csrf_and_valid_input(client, auth, owner, owned):
    auth.login(owner.email)
    response = client.post(f"/studies/{owned.id}/exclusions/exclude",
                           data={"code": "P-001", "reason": "no token"})
    assert response.status_code == 400
    token = csrf_token(client, url(owned))
    response = client.post(f"/studies/{owned.id}/exclusions/exclude",
                           data={"csrf_token": token, "code": "P-001", "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/studies/{owned.id}/exclusions/speeders",
                           data={"csrf_token": token, "measure": "clicks", "below": "-1"})
    assert response.status_code == 400


def test_data_page_carries_its_filters_into_the_links(client, auth, owner, owned):
    auth.login(owner.email)

    page = client.get(url(owned) + "?variant=B&since=2026-03-01").get_data(as_text=True)

    assert f"/studies/{owned.id}/export/attempts.csv?variant=B&amp;since=2026-03-01" in page
    assert f'href="/studies/{owned.id}/export/events.csv"' in page
    assert "variants B only" in page
    page = client.get(url(owned) + "?variant=Z").get_data(as_text=True)
    assert "Filters ignored" in page
