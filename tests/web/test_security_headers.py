"""Security headers on every response (issue 14, fix 2): a strict Content-Security-Policy,
nosniff, HSTS over HTTPS only; and templates that need no inline script to work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, Auth
from tests.participants.bot import Bot
from uxlab.participants.links import create_participants

TEMPLATES = PROJECT_ROOT / "uxlab" / "templates"


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as directive → values."""
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


@pytest.fixture
def researcher(make_user, client):
    make_user("alice@example.org")
    Auth(client).login("alice@example.org")


@pytest.mark.parametrize("url", ["/login", "/studies/", "/studies/999", "/api/v1/openapi.json",
                                 "/api/v1/nowhere", "/static/uxlab.css", "/p/no-such-token"])
def test_every_response_carries_the_headers(client, researcher, url):
    with client.get(url) as response:
        rules = policy(response)
        assert rules["default-src"] == ["'self'"]
        assert rules["frame-ancestors"] == ["'self'"]
        assert rules["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in rules["script-src"]
        assert "'unsafe-eval'" not in rules["script-src"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_the_script_nonce_is_new_on_every_request(client):
    first = policy(client.get("/login"))["script-src"]
    second = policy(client.get("/login"))["script-src"]
    assert first[0] == "'self'" and first[1].startswith("'nonce-")
    assert first != second


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://uxlab.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_proxy_the_forwarded_scheme_counts_when_configured(database_url, tmp_path):
    from uxlab.app import create_app

    def hsts(proxy_fix: int) -> str | None:
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "s",
                          "INSTANCE_PATH": str(tmp_path / "instance"), "PROXY_FIX": proxy_fix})
        try:
            return app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"}
                                         ).headers.get("Strict-Transport-Security")
        finally:
            app.extensions["uxlab.db"].dispose()

    assert hsts(0) is None  # a forged header from a client is not believed by default
    assert hsts(1) is not None


def _task_page(client, db, study):
    """The first task page of a participant of ``study`` (started here)."""
    study.status = "running"
    participant = create_participants(db, study, 1)[0]
    db.commit()
    bot = Bot(client, participant.token)
    bot.enter()
    bot.consent()
    bot.start_task()
    return client.get("/run")


def test_the_task_page_may_frame_its_prototype_only(client, db, make_study):
    response = _task_page(client, db, make_study())
    assert 'id="uxlab-frame"' in response.get_data(as_text=True)
    assert policy(response)["frame-src"] == ["'self'", "http://localhost"]
    assert policy(client.get("/login"))["frame-src"] == ["'self'"]


def test_an_external_prototype_is_the_only_other_origin_framed(client, db, make_study,
                                                              demo_spec):
    from dataclasses import replace

    variants = tuple(replace(v, prototype="https://proto.example.com/shop")
                     for v in demo_spec.variants)
    response = _task_page(client, db, make_study(spec=replace(demo_spec, variants=variants)))
    assert policy(response)["frame-src"] == ["'self'", "https://proto.example.com"]


def test_a_prototype_page_keeps_its_own_scripts_but_not_a_foreign_frame(client):
    with client.get("/prototypes/checkout-redesign/a/index.html") as response:
        assert response.status_code == 200
        assert policy(response) == {"frame-ancestors": ["'self'"]}
        assert response.headers["X-Content-Type-Options"] == "nosniff"


#: An inline script (``<script>`` without ``src``, other than a JSON data island), an ``on…=``
#: handler or a ``javascript:`` URL: what the policy would block.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.html")))
def test_no_template_needs_an_inline_script(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(text)]
    assert not found, f"{template}: {found}"


def test_every_template_folder_is_checked():
    folders = {p.parent.name for p in TEMPLATES.rglob("*.html")}
    assert {"moderation", "observations", "cx", "researcher", "participant"} <= folders
    assert Path(TEMPLATES / "researcher" / "share.html").is_file()
