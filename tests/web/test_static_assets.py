"""Static files: every page links them with a content hash, and versioned URLs are cached a year."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from uxlab.participants.links import create_participants

STATIC = Path(__file__).resolve().parents[2] / "uxlab" / "static"
TEMPLATES = STATIC.parent / "templates"


def content_hash(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]


def static_links(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


@pytest.fixture
def consent_page(client, db, make_study):
    study = make_study()
    study.status = "running"
    participant = create_participants(db, study, 1)[0]
    db.commit()
    client.get(f"/p/{participant.token}")
    return client.get("/run").get_data(as_text=True)


def test_no_template_links_a_static_file_without_its_version():
    unversioned = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                   if re.search(r"url_for\(\s*['\"]static['\"]", path.read_text())]
    assert unversioned == []


def test_pages_link_static_files_with_their_content_hash(client, consent_page):
    login_links = static_links(client.get("/login", follow_redirects=True).get_data(as_text=True))
    assert f"/static/uxlab.css?v={content_hash('uxlab.css')}" in login_links
    participant_links = static_links(consent_page)
    assert f"/static/runner.js?v={content_hash('runner.js')}" in participant_links
    assert all("?v=" in link for link in login_links + participant_links)


def test_a_versioned_url_is_cached_for_a_year(client):
    with client.get(f"/static/runner.js?v={content_hash('runner.js')}") as response:
        assert response.status_code == 200
        assert response.data == (STATIC / "runner.js").read_bytes()
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=31536000", "immutable"}


@pytest.mark.parametrize("query", ["", "?v=0123456789abcdef"])
def test_an_unversioned_or_stale_url_is_revalidated(client, query):
    with client.get(f"/static/uxlab.css{query}") as response:
        assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-cache" in cache_control and "immutable" not in cache_control


def test_a_missing_static_file_is_404(client):
    assert client.get("/static/nothing-here.js?v=abc").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_every_page_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client):
    """Without a named icon, browsers fetch /favicon.ico on every page: a 404 in each console."""
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, "no icon link"
    with client.get(icon[1]) as answer:  # a file response: closed when done
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
