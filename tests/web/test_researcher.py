"""The researcher UI: create and edit a study, its variants, tasks and questionnaires, start and
close it, create participant links, and download it as a study file."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tomllib
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token, fresh
from tests.web.test_auth import field_error
from uxlab.models import Participant, Questionnaire, Study, StudyMember, Task, TestSession, Variant
from uxlab.studies.service import spec_from_study
from uxlab.studies.spec import parse_study

EMAIL = "researcher@example.org"


@pytest.fixture
def researcher(make_user, auth):
    user = make_user(EMAIL)
    auth.login(EMAIL)
    return user


@pytest.fixture
def demo(make_study, researcher):
    """The demo study, owned by the logged-in researcher."""
    return make_study(owner=researcher)


def post(client, url, data=None, form_url=None):
    """POST ``data`` to ``url`` with the CSRF token of the form at ``form_url`` (default ``url``)."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**(data or {}), "csrf_token": token})


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's (last) POST form with a submit button."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form" and attrs.get("method") == "post":
            self._form_values = []
        elif tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form_values.append((name, attrs.get("value", "on" if kind == "checkbox"
                                                      else "")))
        elif tag == "select":
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            self._first = self._first or attrs.get("value")
            if "selected" in attrs:
                self._form_values.append((self._select, attrs.get("value")))
                self._select = None
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self._form_values.append((self._select, self._first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The parser drops one newline after <textarea>; a browser submits CRLF line ends.
            text = self._text.replace("\r\n", "\n").removeprefix("\n")
            self._form_values.append((self._textarea, text.replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "form" and any(name != "csrf_token" for name, _ in self._form_values):
            self.values = self._form_values

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def form_values(html: str) -> MultiDict:
    reader = _FormReader()
    reader.feed(html)
    return MultiDict(reader.values)


def count(db, model, *where) -> int:
    return fresh(db).scalar(select(func.count()).select_from(model).where(*where))


def snapshot(db) -> dict:
    """Row counts of everything a researcher's form could write."""
    return {model.__name__: count(db, model) for model in
            (Study, StudyMember, Variant, Task, Questionnaire, Participant)}


def stored(db, study_id):
    return fresh(db).get(Study, study_id)


STUDY_FORM = {"slug": "onboarding", "title": "Onboarding flow", "design": "between",
              "description": "Does the new sign-up work?", "benchmark_completion": "0.8",
              "benchmark_sus": "70", "benchmark_umux_lite": "72.5"}
VARIANT_A = {"key": "A", "name": "Current", "prototype": "checkout-redesign/a", "weight": "1"}
VARIANT_B = {"key": "B", "name": "Redesign", "prototype": "https://proto.example/b",
             "weight": "2", "description": "New layout"}
TASKS = [
    {"key": "find", "title": "Find the shoe", "instructions": "Find the Trail Runner 2.",
     "start": "index.html", "time_limit": "120", "criterion_type": "url",
     "criterion_url": "product-trail-runner.html", "criterion_match": "exact",
     "optimal_path": "index.html\nshoes.html\nproduct-trail-runner.html", "optimal_clicks": "2"},
    {"key": "coupon", "title": "Apply a coupon", "criterion_type": "element",
     "criterion_selector": "#apply-coupon", "criterion_match": "exact",
     "benchmark_completion": "0.7", "benchmark_time": "45",
     "touchpoint_journey": "Purchase", "touchpoint_stage": "Cart", "touchpoint_name": "Promos"},
    {"key": "returns", "title": "Find the return policy", "criterion_type": "answer",
     "criterion_question": "How many days?", "criterion_answers": "30\n30 days",
     "criterion_match": "exact"},
]


#: What the confirmation page of a destructive action posts.
CONFIRMED = {"confirmed": "yes"}


def create_study(client, **overrides):
    return post(client, "/studies/new", {**STUDY_FORM, **overrides})


# --- creating a study ----------------------------------------------------------------------------

def test_the_study_list_shows_status_and_participant_counts(client, db, demo):
    db.add_all([Participant(study_id=demo.id, code=f"P-{i}", token=f"token-{i}" * 4)
                for i in range(3)])
    db.commit()
    html = client.get("/studies/").get_data(as_text=True)
    row = re.search(rf'<tr>\s*<th scope="row"><a href="/studies/{demo.id}">.*?</tr>', html,
                    re.S).group(0)
    assert "Checkout redesign" in row
    assert "status-draft" in row
    assert '<td class="num">3</td>' in row


def test_create_a_study_through_the_form(client, db, researcher):
    response = create_study(client)
    assert response.status_code == 302
    study = fresh(db).scalar(select(Study).where(Study.slug == "onboarding"))
    assert response.headers["Location"] == f"/studies/{study.id}"
    assert (study.title, study.design, study.status, study.version) == (
        "Onboarding flow", "between", "draft", 1)
    assert study.description == "Does the new sign-up work?"
    assert study.benchmarks == {"completion": 0.8, "sus": 70, "umux_lite": 72.5}
    assert study.owner_id == researcher.id
    assert [(m.user_id, m.access) for m in study.members] == [(researcher.id, "owner")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Onboarding flow" in page and "No variants yet." in page and "No tasks yet." in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "   "}, "title", "This field is required."),
    ({"title": "T" * 5000}, "title", "must be at most 200 characters long, not 5,000"),
    ({"description": "d " * 100_000}, "description", "at most 20,000 characters"),
    ({"slug": "Bad Slug!"}, "slug", "must be lower-case letters, digits and dashes"),
    ({"slug": ""}, "slug", "This field is required."),
    ({"benchmark_completion": "1.5"}, "benchmark_completion", "out of range"),
    ({"benchmark_completion": "lots"}, "benchmark_completion", "Not a valid decimal value"),
    ({"benchmark_nps": "150"}, "benchmark_nps", "out of range"),
    ({"benchmark_umux_lite": "101"}, "benchmark_umux_lite", "out of range"),
    ({"benchmark_sus": "nan"}, "benchmark_sus", "must be a number"),
    ({"benchmark_seq": "0"}, "benchmark_seq", "out of range"),
    ({"completion_redirect": "ftp://panel.example"}, "completion_redirect", "http(s) URL"),
    ({"design": "sideways"}, "design", "Not a valid choice"),
])
def test_bad_study_input_is_shown_beside_the_field(client, db, researcher, overrides, field,
                                                   message):
    before = snapshot(db)
    response = create_study(client, **overrides)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = field_error(html, field)
    assert error is not None and message in error, html
    assert 'role="alert"' in html  # the summary above the form links to the field
    assert f'href="#{field}"' in html
    assert snapshot(db) == before


def test_a_duplicate_slug_is_refused(client, db, demo):
    before = snapshot(db)
    response = create_study(client, slug="checkout-redesign", benchmark_sus="101")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a study called 'checkout-redesign' already exists" in field_error(html, "slug")
    assert "out of range" in field_error(html, "benchmark_sus")
    assert snapshot(db) == before


def test_several_problems_are_shown_at_once(client, db, researcher):
    before = snapshot(db)
    response = create_study(client, slug="Bad Slug!", benchmark_sus="101")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "slug") and field_error(html, "benchmark_sus")
    assert snapshot(db) == before


def summary_items(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


@pytest.mark.parametrize("path", ["/studies/new", "edit"])
def test_each_problem_is_reported_once_under_the_fields_name(client, db, researcher, path):
    if path == "edit":
        assert create_study(client).status_code == 302
        study = fresh(db).scalar(select(Study).where(Study.slug == "onboarding"))
        path = f"/studies/{study.id}/edit"
        response = post(client, path, {**STUDY_FORM, "benchmark_sus": "101"})
        expected = ["SUS benchmark (0–100): 101.0 is out of range (must be between 0.0 and 100.0)"]
    else:
        response = post(client, path, {**STUDY_FORM, "slug": "Bad Slug!", "benchmark_sus": "101"})
        expected = ["Short name (slug): 'Bad Slug!' must be lower-case letters, digits and dashes",
                    "SUS benchmark (0–100): 101.0 is out of range (must be between 0.0 and 100.0)"]
    assert response.status_code == 400
    items = [unescape(item) for item in summary_items(response.get_data(as_text=True))]
    assert items == expected


def test_observers_cannot_create_studies(client, db, make_user, auth):
    make_user("observer@example.org", role="observer")
    auth.login("observer@example.org")
    assert "New study" not in client.get("/studies/").get_data(as_text=True)
    assert client.get("/studies/new").status_code == 302
    token = csrf_token(client, "/studies/")
    response = client.post("/studies/new", data={**STUDY_FORM, "csrf_token": token})
    assert response.status_code == 302
    assert count(db, Study) == 0


def test_edit_study_details(client, db, demo):
    url = f"/studies/{demo.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Checkout redesign"' in page
    # Everything a browser sends: emptied fields come as "" (the slug field is hidden).
    data = {"title": "Checkout, round two", "design": "between", "slug": "changed-slug",
            "description": "", "welcome": "", "consent": "", "thanks": "",
            "completion_redirect": "", "panel_id_param": "", "benchmark_completion": "0.8",
            "benchmark_sus": "", "benchmark_seq": "", "benchmark_nps": ""}
    response = post(client, url, data)
    assert response.status_code == 302
    study = stored(db, demo.id)
    assert study.title == "Checkout, round two"
    assert study.slug == "checkout-redesign"  # the slug never changes
    assert study.benchmarks == {"completion": 0.8}
    assert (study.welcome_text, study.open_recruitment, study.panel_id_param) == ("", False, None)
    response = post(client, url, {**data, "benchmark_completion": "2"})
    assert response.status_code == 400
    assert "out of range" in field_error(response.get_data(as_text=True), "benchmark_completion")
    assert stored(db, demo.id).benchmarks == {"completion": 0.8}


# --- variants and tasks --------------------------------------------------------------------------

@pytest.fixture
def draft(client, db, researcher):
    """A study created through the form, without variants or tasks."""
    create_study(client)
    return fresh(db).scalar(select(Study).where(Study.slug == "onboarding")).id


def test_add_two_variants_and_three_tasks(client, db, draft):
    for variant in (VARIANT_A, VARIANT_B):
        response = post(client, f"/studies/{draft}/variants/new", variant)
        assert response.status_code == 302, response.get_data(as_text=True)
    for task in TASKS:
        response = post(client, f"/studies/{draft}/tasks/new", task)
        assert response.status_code == 302, response.get_data(as_text=True)
    study = stored(db, draft)
    assert [(v.key, v.name, v.prototype, v.weight, v.position) for v in study.variants] == [
        ("A", "Current", "checkout-redesign/a", 1.0, 0),
        ("B", "Redesign", "https://proto.example/b", 2.0, 1)]
    assert [t.key for t in study.tasks] == ["find", "coupon", "returns"]
    find, coupon, returns = study.tasks
    assert find.criterion == {"type": "url", "url": "product-trail-runner.html"}
    assert (find.time_limit_s, find.start_page, find.optimal_clicks) == (120, "index.html", 2)
    assert find.optimal_path == ["index.html", "shoes.html", "product-trail-runner.html"]
    assert coupon.criterion == {"type": "element", "selector": "#apply-coupon"}
    assert (coupon.target_completion, coupon.target_time_s) == (0.7, 45)
    assert (coupon.touchpoint.journey.name, coupon.touchpoint.stage.name,
            coupon.touchpoint.name) == (
        "Purchase", "Cart", "Promos")
    assert returns.criterion == {"type": "answer", "question": "How many days?",
                                 "answers": ["30", "30 days"]}
    page = client.get(f"/studies/{draft}").get_data(as_text=True)
    for text in ("Current", "Redesign", "Find the shoe", "Apply a coupon",
                 "Find the return policy"):
        assert text in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"weight": "0"}, "weight", "above 0"),
    ({"weight": "-1"}, "weight", "above 0"),
    ({"weight": "heavy"}, "weight", "Not a valid decimal value"),
    ({"weight": "NaN"}, "weight", "must be a number"),
    ({"weight": "Infinity"}, "weight", "must be a number"),
    ({"weight": ""}, "weight", "required"),
    ({"key": "a b"}, "key", "not a valid key"),
    ({"key": ""}, "key", "This field is required."),
    ({"name": ""}, "name", "This field is required."),
    ({"prototype": "/etc/passwd"}, "prototype", "path inside the studies folder"),
    ({"prototype": "checkout-redesign/../../secret"}, "prototype", "no .."),
])
def test_bad_variant_input_is_shown_beside_the_field(client, db, draft, overrides, field,
                                                     message):
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/variants/new", {**VARIANT_A, **overrides})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), field)
    assert error is not None and message in error, response.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_duplicate_variant_key_is_refused(client, db, draft):
    post(client, f"/studies/{draft}/variants/new", VARIANT_A)
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/variants/new", {**VARIANT_B, "key": "A"})
    assert response.status_code == 400
    assert "duplicate variant key 'A'" in field_error(response.get_data(as_text=True), "key")
    assert snapshot(db) == before


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"criterion_url": ""}, "criterion_url", "non-empty"),
    ({"criterion_url": "cart([", "criterion_match": "regex"}, "criterion_url",
     "not a valid regular expression"),
    ({"criterion_type": "element"}, "criterion_selector", "non-empty"),
    ({"criterion_type": "answer"}, "criterion_answers", "needs 'answers' or 'pattern'"),
    ({"criterion_type": "telepathy"}, "criterion_type", "Not a valid choice"),
    ({"time_limit": "0"}, "time_limit", "out of range"),
    ({"time_limit": "soon"}, "time_limit", "Not a valid integer value"),
    ({"benchmark_completion": "1"}, "benchmark_completion", "out of range"),
    ({"title": ""}, "title", "This field is required."),
    ({"key": "no spaces"}, "key", "not a valid key"),
    ({"touchpoint_journey": "Purchase"}, "touchpoint_name", "must not be empty"),
    ({"start": "javascript:fetch('/studies/1/access')"}, "start", "must be a page inside"),
    ({"start": "https://evil.example/"}, "start", "must be a page inside"),
])
def test_bad_task_input_is_shown_beside_the_field(client, db, draft, overrides, field, message):
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/tasks/new", {**TASKS[0], **overrides})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), field)
    assert error is not None and message in error, response.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_duplicate_task_key_is_refused(client, db, draft):
    post(client, f"/studies/{draft}/tasks/new", TASKS[0])
    before = snapshot(db)
    response = post(client, f"/studies/{draft}/tasks/new", {**TASKS[1], "key": "find"})
    assert response.status_code == 400
    assert "duplicate task key 'find'" in field_error(response.get_data(as_text=True), "key")
    assert snapshot(db) == before


def test_edit_a_task(client, db, demo):
    url = f"/studies/{demo.id}/tasks/apply-coupon/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="coupon-applied.html"' in page
    task_id = next(t.id for t in demo.tasks if t.key == "apply-coupon")
    response = post(client, url, {
        "key": "apply-coupon", "title": "Use the coupon", "criterion_type": "url",
        "criterion_url": "coupon-(applied|ok)\\.html", "criterion_match": "regex",
        "time_limit": "90", "error_rules-0-type": "url", "error_rules-0-match": "exact",
        "error_rules-0-target": "coupon-invalid.html",
        "error_rules-0-label": "Entered a code the shop did not accept"})
    assert response.status_code == 302, response.get_data(as_text=True)
    task = fresh(db).get(Task, task_id)
    assert task.title == "Use the coupon"
    assert task.criterion == {"type": "url", "url": "coupon-(applied|ok)\\.html",
                              "match": "regex"}
    assert task.time_limit_s == 90
    # The error rules set in the study file are in the form and survive an edit.
    assert task.error_rules == [{"type": "url", "url": "coupon-invalid.html",
                                 "label": "Entered a code the shop did not accept"}]
    assert [t.key for t in stored(db, demo.id).tasks][2] == "apply-coupon"


def test_editing_a_task_keeps_what_the_form_does_not_show(client, db, make_study,
                                                         researcher, demo_spec):
    tasks = list(demo_spec.tasks)
    tasks[0] = dataclasses.replace(tasks[0], success={
        "type": "url", "url": "product-trail-runner.html", "label": "Product page"})
    tasks[4] = dataclasses.replace(tasks[4], success={
        "type": "answer", "question": "How many days?", "pattern": "^30( days)?$"})
    study = make_study(owner=researcher, spec=dataclasses.replace(demo_spec, tasks=tuple(tasks)))
    for key in ("find-product", "return-policy"):
        url = f"/studies/{study.id}/tasks/{key}/edit"
        data = form_values(client.get(url).get_data(as_text=True))
        assert data["key"] == key
        data["title"] = f"Renamed {key}"
        response = client.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    stored_tasks = {t.key: t for t in stored(db, study.id).tasks}
    assert stored_tasks["find-product"].title == "Renamed find-product"
    assert stored_tasks["find-product"].criterion == {
        "type": "url", "url": "product-trail-runner.html", "label": "Product page"}
    assert stored_tasks["return-policy"].criterion == {
        "type": "answer", "question": "How many days?", "pattern": "^30( days)?$"}


def test_a_browser_resubmitting_the_edit_form_changes_nothing(client, db, demo):
    before = spec_from_study(stored(db, demo.id))
    for url in [f"/studies/{demo.id}/edit", f"/studies/{demo.id}/questionnaires",
                *(f"/studies/{demo.id}/tasks/{t.key}/edit" for t in demo.tasks),
                *(f"/studies/{demo.id}/variants/{v.key}/edit" for v in demo.variants)]:
        data = form_values(client.get(url).get_data(as_text=True))
        response = client.post(url, data=data)
        assert response.status_code == 302, (url, response.get_data(as_text=True))
    assert spec_from_study(stored(db, demo.id)) == before


def test_edit_a_variant_and_rename_a_task(client, db, demo):
    response = post(client, f"/studies/{demo.id}/variants/B/edit",
                    {"key": "B", "name": "Redesign 2", "prototype": "checkout-redesign/b",
                     "weight": "3"})
    assert response.status_code == 302
    response = post(client, f"/studies/{demo.id}/tasks/find-product/edit",
                    {"key": "find-shoe", "title": "Find a shoe", "criterion_type": "moderator",
                     "criterion_match": "exact"})
    assert response.status_code == 302
    study = stored(db, demo.id)
    assert [(v.key, v.name, v.weight) for v in study.variants] == [
        ("A", "Current checkout", 1.0), ("B", "Redesign 2", 3.0)]
    assert [t.key for t in study.tasks][0] == "find-shoe"
    assert study.tasks[0].criterion == {"type": "moderator"}


def test_editing_an_unknown_item_is_404(client, demo):
    assert client.get(f"/studies/{demo.id}/tasks/nope/edit").status_code == 404
    assert client.get(f"/studies/{demo.id}/variants/nope/edit").status_code == 404


def test_move_and_remove_tasks_and_variants(client, db, demo):
    detail = f"/studies/{demo.id}"
    keys = [t.key for t in demo.tasks]
    assert post(client, f"{detail}/tasks/{keys[1]}/move/up", form_url=detail).status_code == 302
    assert [t.key for t in stored(db, demo.id).tasks] == [keys[1], keys[0], *keys[2:]]
    post(client, f"{detail}/tasks/{keys[1]}/move/down", form_url=detail)
    post(client, f"{detail}/tasks/{keys[4]}/move/down", form_url=detail)  # already last
    assert [t.key for t in stored(db, demo.id).tasks] == keys
    assert [t.position for t in stored(db, demo.id).tasks] == [0, 1, 2, 3, 4]

    post(client, f"{detail}/tasks/{keys[2]}/delete", CONFIRMED, form_url=detail)
    assert [t.key for t in stored(db, demo.id).tasks] == [*keys[:2], *keys[3:]]
    post(client, f"{detail}/variants/A/delete", CONFIRMED, form_url=detail)
    assert [v.key for v in stored(db, demo.id).variants] == ["B"]
    assert count(db, Variant, Variant.study_id == demo.id) == 1


def test_removing_the_last_variant_of_a_started_study_is_refused(client, db, demo):
    detail = f"/studies/{demo.id}"
    post(client, f"{detail}/start", form_url=detail)
    post(client, f"{detail}/variants/A/delete", CONFIRMED, form_url=detail)
    response = post(client, f"{detail}/variants/B/delete", CONFIRMED, form_url=detail)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not removed" in page
    assert [v.key for v in stored(db, demo.id).variants] == ["B"]


def test_choose_questionnaires(client, db, demo):
    url = f"/studies/{demo.id}/questionnaires"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="sus"|<input[^>]*value="sus"[^>]*checked',
                     page)
    token = csrf_token(client, url)
    response = client.post(url, data={"post_task": ["seq", "ces"], "post_study": ["umux_lite"],
                                      "csrf_token": token})
    assert response.status_code == 302
    questionnaires = stored(db, demo.id).questionnaires
    assert [(q.key, q.timing) for q in questionnaires] == [
        ("seq", "post_task"), ("ces", "post_task"), ("umux_lite", "post_study")]
    # The NPS wording was an option of NPS, which is no longer asked: it goes with it.
    assert all(q.options == {} for q in questionnaires)


def test_questionnaires_are_named_as_people_write_them(client, db, demo):
    url = f"/studies/{demo.id}/questionnaires"
    client.post(url, data={"post_task": ["seq"], "post_study": ["umux_lite", "nps"],
                           "csrf_token": csrf_token(client, url)})
    page = client.get(f"/studies/{demo.id}").get_data(as_text=True)
    listed = re.findall(r"<li>([^<]+) <span class=\"muted\">", page)
    assert listed == ["SEQ", "UMUX-Lite", "NPS"]


def test_seq_cannot_be_chosen_for_the_end(client, db, demo):
    url = f"/studies/{demo.id}/questionnaires"
    before = [(q.key, q.timing) for q in demo.questionnaires]
    token = csrf_token(client, url)
    response = client.post(url, data={"post_study": ["seq"], "csrf_token": token})
    assert response.status_code == 400
    assert "'seq' is not a valid choice" in unescape(response.get_data(as_text=True))
    assert [(q.key, q.timing) for q in stored(db, demo.id).questionnaires] == before


# --- status and participants ---------------------------------------------------------------------

def test_start_and_close_a_study(client, db, demo):
    detail = f"/studies/{demo.id}"
    assert "Start study" in client.get(detail).get_data(as_text=True)
    assert post(client, f"{detail}/start", form_url=detail).status_code == 302
    assert stored(db, demo.id).status == "running"
    page = client.get(detail).get_data(as_text=True)
    assert "Close study" in page and "participants can now take part" in page
    post(client, f"{detail}/close", CONFIRMED, form_url=detail)
    assert stored(db, demo.id).status == "closed"
    assert "Reopen study" in client.get(detail).get_data(as_text=True)


def test_a_study_without_tasks_does_not_start(client, db, draft):
    detail = f"/studies/{draft}"
    post(client, f"{detail}/variants/new", VARIANT_A)
    response = post(client, f"{detail}/start", form_url=detail)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cannot start the study: add at least one task" in page
    assert stored(db, draft).status == "draft"


def test_create_participant_links(client, db, demo):
    url = f"/studies/{demo.id}/participants"
    response = post(client, url, {"count": "4", "label": "wave 1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    participants = fresh(db).scalars(select(Participant).where(
        Participant.study_id == demo.id).order_by(Participant.id)).all()
    assert len(participants) == 4
    assert {p.label for p in participants} == {"wave 1"}
    assert len({p.token for p in participants}) == 4
    for p in participants:
        assert p.code in html
        assert f"http://localhost/p/{p.token}" in html

    csv_response = client.get(f"{url}.csv")
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    assert "checkout-redesign-participants.csv" in csv_response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))
    assert rows[0] == ["code", "label", "link", "created_at"]
    assert len(rows) == 5
    assert [row[0] for row in rows[1:]] == [p.code for p in participants]
    assert [row[2] for row in rows[1:]] == [f"http://localhost/p/{p.token}"
                                           for p in participants]

    printable = client.get(f"{url}/print").get_data(as_text=True)
    for p in participants:
        assert p.code in printable and f"http://localhost/p/{p.token}" in printable
    assert 'class="site-header"' not in printable


@pytest.mark.parametrize(("count_value", "message"), [
    ("0", "between 1 and 1000"),
    ("1001", "between 1 and 1000"),
    ("many", "Not a valid integer value"),
])
def test_bad_link_counts_are_refused(client, db, demo, count_value, message):
    response = post(client, f"/studies/{demo.id}/participants", {"count": count_value})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), "count")
    assert count(db, Participant) == 0


def test_the_public_recruitment_link_is_shown(client, db, demo):
    url = f"/studies/{demo.id}/participants"
    assert "appears here when the study starts" in client.get(url).get_data(as_text=True)
    detail = f"/studies/{demo.id}"
    post(client, f"{detail}/start", form_url=detail)
    token = stored(db, demo.id).recruitment_token
    html = client.get(url).get_data(as_text=True)
    link = f"http://localhost/s/{token}"
    assert f'value="{link}"' in html
    assert "PROLIFIC_PID" in html
    # The link works: a visitor becomes a participant.
    visitor = client.application.test_client()
    response = visitor.get(f"/s/{token}", query_string={"PROLIFIC_PID": "abc"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/run")
    assert fresh(db).scalar(select(Participant.panel_id)) == "abc"


def test_a_closed_study_gets_no_new_links(client, db, demo):
    demo.status = "closed"
    db.commit()
    page = client.get(f"/studies/{demo.id}/participants").get_data(as_text=True)
    assert "The study is closed: links work only while it is running." in page
    response = post(client, f"/studies/{demo.id}/participants", {"count": "2"})
    assert response.status_code == 400
    assert "the study is closed" in response.get_data(as_text=True)
    assert count(db, Participant) == 0


def test_a_label_cannot_inject_a_formula_into_the_csv(client, demo):
    post(client, f"/studies/{demo.id}/participants", {"count": "1", "label": "=HYPERLINK(1)"})
    rows = list(csv.reader(io.StringIO(client.get(
        f"/studies/{demo.id}/participants.csv").get_data(as_text=True))))
    assert not rows[1][1].startswith("=")


@pytest.fixture
def taken_part(db, demo):
    """The demo study after one participant has started a session."""
    participant = Participant(study_id=demo.id, code="P-TAKEN", token="taken" * 8)
    db.add(participant)
    db.flush()
    db.add(TestSession(participant_id=participant.id))
    db.commit()
    return demo


def test_structural_edits_are_refused_after_participants_took_part(client, db, taken_part):
    study_id = taken_part.id
    detail = f"/studies/{study_id}"
    before = (snapshot(db), spec_from_study(stored(db, study_id)))
    page = client.get(detail).get_data(as_text=True)
    assert "Participants have taken part" in page
    assert "Add variant" not in page and "Add task" not in page

    response = post(client, f"{detail}/variants/new", {**VARIANT_B, "key": "C"})
    assert response.status_code == 400
    assert "participants have already taken part" in response.get_data(as_text=True)
    response = post(client, f"{detail}/tasks/find-product/edit",
                    {**TASKS[0], "key": "find-product"})
    assert response.status_code == 400
    token = csrf_token(client, f"{detail}/questionnaires")
    response = client.post(f"{detail}/questionnaires", data={"post_task": ["seq"],
                                                             "csrf_token": token})
    assert response.status_code == 400
    for action in ("tasks/find-product/move/down", "tasks/find-product/delete",
                   "variants/A/delete"):
        post(client, f"{detail}/{action}", CONFIRMED, form_url=detail)
    response = post(client, f"{detail}/edit", {"title": "T", "design": "within"})
    assert response.status_code == 400
    assert (snapshot(db), spec_from_study(stored(db, study_id))) == before
    # Details that do not change the data's meaning can still be edited.
    response = post(client, f"{detail}/edit", {"title": "New title", "design": "between"})
    assert response.status_code == 302
    assert stored(db, study_id).title == "New title"


def test_the_study_file_download_validates(client, db, demo):
    post(client, f"/studies/{demo.id}/tasks/find-product/edit",
         {"key": "find-product", "title": "Find it", "criterion_type": "element",
          "criterion_selector": "a.product", "criterion_match": "exact"})
    response = client.get(f"/studies/{demo.id}/study.toml")
    assert response.status_code == 200
    assert 'filename="checkout-redesign.toml"' in response.headers["Content-Disposition"]
    spec = parse_study(tomllib.loads(response.get_data(as_text=True)))
    assert spec == spec_from_study(stored(db, demo.id))
    assert spec.tasks[0].success == {"type": "element", "selector": "a.product"}
