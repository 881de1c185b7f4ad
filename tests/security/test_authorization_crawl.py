"""Authorization crawl: every rule of the URL map, every method, every kind of visitor.

Each rule is requested as anonymous, as a participant (of another study, with its cookie and
ingestion token), as an observer, a viewer and an editor (each with that access to another
study), with the target study's object ids, and again with their own study's id in the path but
the target's objects after it. Everyone but the owner must be refused (401, 403, 404, or a
redirect to the log-in page); the owner must get through. A rule this module does not know fails
the test, so a new route is either covered by the crawl or named in one of the tables below.

SQLite only: who may see what is decided in Python, the same on both databases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token
from tests.security.world import (
    ADMIN,
    EDITOR,
    OBSERVER,
    OWNER,
    VIEWER,
    build_world,
    make_app,
)

#: Rules anyone may open, and why (their own tests cover what they allow).
PUBLIC_ENDPOINTS = {
    "index": "redirects to the study list, which asks for a log-in",
    "static": "the stylesheet and scripts",
    "auth.login": "the log-in form",
    "auth.setup": "the first-run form (closed once an account exists, tests/web/test_auth.py)",
    "auth.logout": "ends the caller's own session only",
    "participant.enter": "a participant link: its token is the participant's credential",
    "participant.recruit": "an open-recruitment link: makes a new participant",
    "participant.run": "the cookie names the one participant it shows",
    "participant.submit": "the cookie names the one participant it changes",
    "participant.switch_language": "the cookie names the one participant whose language it sets",
    "moderated_runner.control": "the cookie names the one participant it shows",
    "sharing.report": "a share link: its token is the stakeholder's credential (tests/sharing)",
    "prototypes.serve": "the prototype pages participants use",
    "api.serve_document": "the API's OpenAPI document",
    "observer_links.join": "an observer link: its token is the guest's credential "
                           "(tests/moderation/test_observer_links.py)",
    "account.set_password": "a set-password link: its token is the credential "
                            "(tests/accounts/test_invitations.py)",
}
#: Rules for any logged-in account that name no study: the study list and new studies, and the
#: CX pages, which are the whole installation's (journeys are shared by its researchers, the
#: board shows only studies the account may read). Observer accounts only read them.
ACCOUNT_ENDPOINTS = {
    "researcher.study_list", "researcher.study_new", "researcher.study_upload_new",
    "researcher.study_from_template",
    "cx.board", "cx.drivers", "cx.import_page", "cx.journeys", "cx.journey_report_download",
    "cx.settings", "cx.revoke_token", "cx.delete_touchpoint",
}
#: Rules about the caller's own account, for every logged-in account, observers included.
OWN_ACCOUNT_ENDPOINTS = {"account.password"}
#: The admin area: admins only; every other visitor, the owner included, is refused.
ADMIN_ENDPOINTS = {"admin.users", "admin.invite", "admin.user_detail", "admin.change_role",
                   "admin.deactivate", "admin.reactivate", "admin.issue_link", "admin.audit_log"}
#: The API's credential-checked rules: a participant's cookie or ingestion token, a feed's
#: bearer token, a webhook's signature.
TOKEN_ENDPOINTS = {"api.post_events", "api.finish", "api.feed", "api.receive_response"}
KNOWN_ENDPOINTS = (set(PUBLIC_ENDPOINTS) | ACCOUNT_ENDPOINTS | OWN_ACCOUNT_ENDPOINTS
                   | ADMIN_ENDPOINTS | TOKEN_ENDPOINTS)

#: Arguments whose value is the same whatever the study (a choice of page or format).
ENUM_ARGUMENTS = {"section", "direction", "action", "what", "fmt"}
#: ``key`` names a different kind of object on different rules.
KEY_BY_ENDPOINT = {"researcher.custom_scale_form": "trust", "researcher.custom_scale_delete":
                   "trust", "researcher.variant_form": "A", "researcher.variant_recorder": "A",
                   "researcher.screener_question_form": "shopping",
                   "researcher.screener_question_move": "shopping",
                   "researcher.quota_form": "weekly",
                   # <section> is "quotas" (the first of screener, quotas)
                   "researcher.screening_item_delete": "weekly"}
#: Actions of rules whose ``action`` argument is a plain string.
ACTION_BY_ENDPOINT = {"moderation.act": "pause"}

#: Arguments naming one of the target study's objects (not the study itself, nor a key that
#: every copy of the demo study has).
OBJECT_ARGUMENTS = {"public_id", "attempt_id", "problem_id", "link_id", "client_id", "code"}

STREAM_ENDPOINTS = {"moderation.stream", "moderation.session_stream"}

#: "guest" joined the home study's observer link: no account, observer rights there only.
VISITORS = ("anonymous", "participant", "guest", OBSERVER, VIEWER, EDITOR)
REFUSED = {401, 403, 404}


class Visitor:
    """A test client with its CSRF token, logged in as ``email`` (or as nobody)."""

    def __init__(self, app, email: str | None = None, participant_token: str | None = None,
                 observer_link_token: str | None = None):
        self.http = app.test_client()
        if participant_token:
            assert self.http.get(f"/p/{participant_token}").status_code == 302
        self.token = csrf_token(self.http, "/login")
        if observer_link_token:
            response = self.http.post(f"/observe/{observer_link_token}", data={
                "display_name": "Guest", "csrf_token": self.token})
            assert response.status_code == 303, response.status_code
        if email:
            response = self.http.post("/login", data={"email": email, "password": TEST_PASSWORD,
                                                      "csrf_token": self.token})
            assert response.status_code == 302, email
            self.token = csrf_token(self.http, "/studies/")

    def request(self, method: str, url: str, *, json_body=None, headers=None):
        headers = {"X-CSRFToken": self.token, **(headers or {})}
        if json_body is not None:
            return self.http.open(url, method=method, json=json_body, headers=headers)
        if method in ("GET", "HEAD"):
            return self.http.open(url, method=method, headers=headers)
        return self.http.open(url, method=method, data={"csrf_token": self.token},
                              headers=headers)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory, sqlite_template, password_hash):
    app = make_app(tmp_path_factory.mktemp("crawl"), sqlite_template)
    world = build_world(app, password_hash)
    visitors = {"anonymous": Visitor(app),
                "participant": Visitor(app, participant_token=world.participant_token),
                "guest": Visitor(app, observer_link_token=world.guest_link_token)}
    visitors.update({email: Visitor(app, email)
                     for email in (OBSERVER, VIEWER, EDITOR, OWNER, ADMIN)})
    visitors["target participant"] = Visitor(app, participant_token=world.target_participant_token)
    yield app, world, visitors
    app.extensions["uxlab.db"].dispose()


def _value(rule, name: str, values: dict):
    if name in ENUM_ARGUMENTS:
        converter = rule._converters[name]
        if hasattr(converter, "items"):
            return "close" if name == "action" else sorted(converter.items)[0]
        return ACTION_BY_ENDPOINT[rule.endpoint]
    if name == "key":
        return KEY_BY_ENDPOINT.get(rule.endpoint, "find-product")
    assert name in values, f"{rule.rule}: the crawl knows no object for <{name}>; add one"
    return values[name]


def _urls(rule, world, own_study: int | None) -> list[str]:
    """The rule's URL with the target's objects, and with ``own_study`` in front of them."""
    names_an_object = bool(OBJECT_ARGUMENTS & rule.arguments)
    studies = [world.target] + ([own_study] if own_study and names_an_object else [])
    urls = []
    for study_id in studies:
        values = {**world.values, "study_id": study_id}
        arguments = {name: _value(rule, name, values) for name in rule.arguments}
        # An object id in the query too (the live feed takes ?session=).
        arguments["session"] = str(world.target_session)
        urls.append(rule.build(arguments, append_unknown=True)[1])
        if rule.endpoint in TOKEN_ENDPOINTS:  # their query strings mean something else
            urls[-1] = urls[-1].split("?")[0]
    return urls


def _event_batch(token: str | None) -> dict:
    event = {"id": str(uuid.uuid4()), "seq": 0, "tab": "crawl", "type": "click",
             "t": 1_700_000_000_000, "x": 1.0, "y": 2.0, "target": "a"}
    return {"events": [event], **({"token": token} if token else {})}


def _api_request(visitor, endpoint, method, url, world, *, credentials: bool):
    """Send the rule's well-formed request, with the owner's credentials or without any."""
    if endpoint == "api.post_events":
        token = world.target_ingest_token if credentials else (
            world.home_ingest_token if visitor == "participant" else None)
        return visitor.request(method, url, json_body=_event_batch(token))
    if endpoint == "api.finish":
        return visitor.request(method, url, json_body={"reason": "gave_up"})
    if endpoint == "api.feed":
        headers = {"Authorization": f"Bearer {world.api_token}"} if credentials else {}
        return visitor.request(method, url, headers=headers)
    body = json.dumps({"id": "r-1", "metric": "nps", "value": 9}).encode()
    signature = hmac.new(world.source_secret.encode(), body, hashlib.sha256).hexdigest()
    return visitor.http.open(url + "?source=survey-tool", method=method, data=body,
                             content_type="application/json",
                             headers={"X-Uxlab-Signature": signature} if credentials else {})


def _refused(response, *, also_to: str = "/login") -> bool:
    """Whether the response refuses: 401/403/404, or a redirect to the log-in page (or to
    ``also_to``: observers asking to create a study are sent back to the study list)."""
    if response.status_code in REFUSED:
        return True
    location = response.headers.get("Location", "").replace("http://localhost", "")
    return response.status_code in (302, 303) and bool(
        re.match(r"/login(\?|$)", location) or location == also_to)


def _through(endpoint: str, response) -> bool:
    """Whether the owner got past authorization (a bad empty form is fine, a 500 is not).

    The live streams answer 503 "busy" after checking access: the test client is not a
    threaded server that could hold one open.
    """
    if endpoint in STREAM_ENDPOINTS and response.status_code == 503:
        return True
    return not _refused(response) and response.status_code < 500


def _requests(app, endpoints=None):
    """Every (rule, method) of the app (of ``endpoints`` only, if given); destructive ones last,
    so that the objects the owner deletes are there for every other rule."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
             if endpoints is None or rule.endpoint in endpoints]

    def destructive(pair):
        rule, method = pair
        return method == "DELETE" or any(w in rule.rule for w in ("delete", "revoke", "close"))

    return sorted(pairs, key=lambda pair: (destructive(pair), pair[0].rule, pair[1]))


def test_every_rule_is_known_to_the_crawl(crawl):
    app, _, _ = crawl
    unknown = [rule.rule for rule in app.url_map.iter_rules()
               if rule.endpoint not in KNOWN_ENDPOINTS
               and not {"study_id", "public_id"} & rule.arguments]
    assert unknown == [], "routes the crawl does not know: add them to a table above"
    named = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = KNOWN_ENDPOINTS - named
    assert stale == set(), "endpoints named in the tables but gone from the app"


def test_nobody_but_the_owner_reaches_another_studys_objects(crawl):
    app, world, visitors = crawl
    own_study = {"anonymous": None, "participant": world.home, "guest": world.home,
                 OBSERVER: world.home,
                 VIEWER: world.home, EDITOR: world.home}
    holes, checked = [], 0
    for rule, method in _requests(app):
        if rule.endpoint in KNOWN_ENDPOINTS - TOKEN_ENDPOINTS:
            continue
        for name in VISITORS:
            visitor = visitors[name]
            for url in _urls(rule, world, own_study[name]):
                if rule.endpoint in TOKEN_ENDPOINTS:
                    response = _api_request(visitor, rule.endpoint, method, url, world,
                                            credentials=False)
                else:
                    response = visitor.request(method, url)
                checked += 1
                if not _refused(response):
                    holes.append(f"{name} {method} {url} -> {response.status_code}")
    assert holes == [], "\n".join(holes)
    assert checked > 300


def test_the_owner_gets_through_every_rule(crawl):
    app, world, visitors = crawl
    blocked, checked = [], 0
    for rule, method in _requests(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        owner = visitors[ADMIN if rule.endpoint in ADMIN_ENDPOINTS else OWNER]
        for url in _urls(rule, world, None):
            if rule.endpoint in TOKEN_ENDPOINTS:
                response = _api_request(visitors["target participant"], rule.endpoint,
                                        method, url, world, credentials=True)
            else:
                response = owner.request(method, url)
            checked += 1
            if not _through(rule.endpoint, response):
                blocked.append(f"{method} {url} -> {response.status_code}")
    assert blocked == [], "\n".join(blocked)
    assert checked > 80


def test_account_pages_refuse_visitors_without_an_account(crawl):
    app, world, visitors = crawl
    holes = []
    for rule, method in _requests(app, ACCOUNT_ENDPOINTS | OWN_ACCOUNT_ENDPOINTS):
        for url in _urls(rule, world, None):
            for name in ("anonymous", "participant", "guest"):
                response = visitors[name].request(method, url)
                if not _refused(response):
                    holes.append(f"{name} {method} {url} -> {response.status_code}")
            if method != "GET" and rule.endpoint in ACCOUNT_ENDPOINTS:
                response = visitors[OBSERVER].request(method, url)
                if not _refused(response, also_to="/studies/"):
                    holes.append(f"observer {method} {url} -> {response.status_code}")
    assert holes == [], "\n".join(holes)


def test_admin_pages_refuse_everyone_but_admins(crawl):
    app, world, visitors = crawl
    holes = []
    for rule, method in _requests(app, ADMIN_ENDPOINTS):
        for url in _urls(rule, world, None):
            for name in (*VISITORS, OWNER):
                response = visitors[name].request(method, url)
                if not _refused(response):
                    holes.append(f"{name} {method} {url} -> {response.status_code}")
    assert holes == [], "\n".join(holes)
