"""The share page (no login, one study only, read-only) and the researcher's share routes."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import csrf_token
from tests.support.study_data import Recorder
from uxlab.accounts.service import grant_access
from uxlab.analysis.dataset import analyze_dataset, build_dataset
from uxlab.models import ShareLink
from uxlab.sharing.service import create_share_link
from uxlab.timeutil import utcnow


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def study(db, make_study, owner):
    study = make_study(owner=owner)
    rec = Recorder(db, study)
    # find-product: A 3 of 4 succeed, B 4 of 4.
    for i in range(8):
        variant = "AB"[i // 4]
        session = rec.participant(f"P-{i}", variant)
        rec.attempt(session, "find-product", variant,
                    outcome="failure" if i == 0 else "success", seq=5)
    db.commit()
    return study


@pytest.fixture
def other(db, make_study, demo_spec, owner):
    spec = dataclasses.replace(demo_spec, slug="secret-pricing", title="Secret pricing test")
    other = make_study(owner=owner, spec=spec)
    session = Recorder(db, other).participant("Q-SECRET", "A")
    Recorder(db, other).attempt(session, "find-product", "A")
    db.commit()
    return other


def create_link(client, study, **data) -> str:
    token = csrf_token(client, f"/studies/{study.id}/share")
    response = client.post(f"/studies/{study.id}/share", data={"csrf_token": token, **data})
    assert response.status_code == 200, response.get_data(as_text=True)
    match = re.search(r'value="(http://localhost/share/[^"]+)"', response.get_data(as_text=True))
    assert match, "the new link is shown once"
    return match.group(1).removeprefix("http://localhost")


def test_share_link_works_without_login_and_shows_only_that_study(client, auth, db, owner,
                                                                   study, other):
    auth.login(owner.email)
    path = create_link(client, study, label="product team")
    auth.logout()

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Checkout redesign" in page and "Find a product" in page
    # A 3/4: the adjusted-Wald 95% interval by hand, (3+1.92)/(4+3.84) = 0.628 ± 1.96·sqrt(
    # 0.628·0.372/7.84) = 0.290 … 0.966.
    assert "75% (29–97%)" in page
    # Every cell shows the numbers of the analysis of the study's dataset.
    [task] = analyze_dataset(build_dataset(db, study))["tasks"]
    for cell in task["variants"].values():
        c = cell["completion"]
        assert f"{cell['successes']} / {cell['n']}" in page
        assert f"{c['estimate']:.0%} ({c['low'] * 100:.0f}–{c['high']:.0%})" in page
    assert "Secret pricing" not in page and "Q-SECRET" not in page
    assert "/studies/" not in page  # no way into the researcher UI
    assert client.get(f"/studies/{study.id}").status_code == 302  # still not logged in


def test_revoked_and_expired_links_stop_at_once(client, auth, db, owner, study):
    auth.login(owner.email)
    path = create_link(client, study)
    assert client.get(path).status_code == 200
    link = db.query(ShareLink).filter_by(study_id=study.id).one()

    token = csrf_token(client, f"/studies/{study.id}/share")
    response = client.post(f"/studies/{study.id}/share/{link.id}/revoke",
                           data={"csrf_token": token, "confirmed": "yes"})
    assert response.status_code == 303

    response = client.get(path)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link to a study report was withdrawn by the person who shared it." in page
    assert study.title not in page  # a withdrawn link shows nothing of the study
    assert response.headers["Referrer-Policy"] == "no-referrer"

    db.rollback()  # leave the snapshot read before the app's write (SQLite WAL)
    expiring, secret = create_share_link(db, study, expires_at=utcnow() + timedelta(hours=1))
    db.commit()
    assert client.get(f"/share/{secret}").status_code == 200
    expiring.expires_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.commit()
    response = client.get(f"/share/{secret}")
    assert response.status_code == 410
    assert "This link to a study report expired on 1 March 2026 at 00:00 UTC." in \
        response.get_data(as_text=True)


def test_unknown_token_is_404(client, study):
    response = client.get("/share/not-a-token")
    assert response.status_code == 404
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_expiry_date_from_the_form(client, auth, db, owner, study):
    auth.login(owner.email)
    tomorrow = (utcnow() + timedelta(days=1)).date()
    create_link(client, study, expires=tomorrow.isoformat())
    link = db.query(ShareLink).filter_by(study_id=study.id).one()
    assert link.expires_at.date() == tomorrow + timedelta(days=1)  # works through that day

    token = csrf_token(client, f"/studies/{study.id}/share")
    response = client.post(f"/studies/{study.id}/share", data={
        "csrf_token": token, "expires": "2020-01-01"})
    assert response.status_code == 400
    assert "not in the future" in response.get_data(as_text=True)


def test_only_editors_manage_share_links(client, auth, db, make_user, study):
    viewer = make_user("viewer@example.org")
    grant_access(db, study, viewer, "viewer")
    make_user("stranger@example.org")
    db.commit()
    link, _ = create_share_link(db, study)
    db.commit()

    auth.login(viewer.email)
    assert client.get(f"/studies/{study.id}/share").status_code == 403
    token = csrf_token(client, "/studies/")
    assert client.post(f"/studies/{study.id}/share/{link.id}/revoke",
                       data={"csrf_token": token, "confirmed": "yes"}).status_code == 403
    auth.logout()

    auth.login("stranger@example.org")
    assert client.get(f"/studies/{study.id}/share").status_code == 404
    token = csrf_token(client, "/studies/")
    assert client.post(f"/studies/{study.id}/share/{link.id}/revoke",
                       data={"csrf_token": token, "confirmed": "yes"}).status_code == 404
    db.rollback()
    assert db.get(ShareLink, link.id).revoked_at is None


def test_revoking_another_studys_link_is_404(client, auth, db, owner, study, other):
    theirs, _ = create_share_link(db, other)
    db.commit()
    auth.login(owner.email)
    token = csrf_token(client, f"/studies/{study.id}/share")
    response = client.post(f"/studies/{study.id}/share/{theirs.id}/revoke",
                           data={"csrf_token": token, "confirmed": "yes"})
    assert response.status_code == 404


def test_share_page_of_a_study_without_results(client, db, make_study, demo_spec):
    empty = make_study(spec=dataclasses.replace(demo_spec, slug="empty-study"))
    _, token = create_share_link(db, empty)
    db.commit()
    response = client.get(f"/share/{token}")
    assert response.status_code == 200
    assert "No results yet" in response.get_data(as_text=True)
