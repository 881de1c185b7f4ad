"""A participant never meets a researcher's error page: the rules on the server (issue 10, 4)."""

from __future__ import annotations

import pytest

from tests.conftest import fresh
from uxlab.models import Participant
from uxlab.participants import flow

RESEARCHER_SIDE = ('href="/"', "/login", "/studies", "Bad Request", "CSRF", "Werkzeug")


def participant_page(response, status: int, title: str, can_continue: bool) -> str:
    """Check ``response`` is a participant message page; return its HTML."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    assert f"<h1>{title}</h1>" in html
    assert 'class="site-header participant-header"' in html
    for text in RESEARCHER_SIDE:
        assert text not in html, text
    assert ("Continue the study" in html) is can_continue
    if can_continue:
        assert 'href="/run"' in html
    return html


def test_the_same_link_in_a_second_tab_leaves_the_first_tabs_form_valid(bot, db):
    bot.enter()
    older_tab = bot.page()
    bot.enter()  # the link again, in another tab of the same browser
    newer_tab = bot.page()
    assert bot.post(older_tab, agree="yes").status_code == 303
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 1
    stale = bot.post(newer_tab, agree="yes")
    participant_page(stale, 409, "This study is open in another tab", can_continue=True)
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 1


def test_an_older_tab_starting_a_task_already_left_is_told_where_to_go_on(bot):
    bot.enter()
    bot.consent()
    older_tab = bot.page()
    assert bot.start_task().status_code == 303
    bot.finish(bot.config(), "give_up")
    stale = bot.post(older_tab)
    participant_page(stale, 409, "This study is open in another tab", can_continue=True)
    assert "About task 1" in bot.client.get("/run").get_data(as_text=True)


def test_a_form_whose_csrf_token_is_not_the_sessions_is_another_tab(bot, db):
    bot.enter()
    fields = bot.form_fields(bot.page())
    response = bot.client.post("/run", data={**fields, "csrf_token": "from-another-session",
                                             "agree": "yes"})
    participant_page(response, 409, "This study is open in another tab", can_continue=True)
    fresh(db)
    assert db.get(Participant, bot.participant_id).step == 0


def test_a_form_without_a_session_asks_for_the_link(client):
    response = client.post("/run", data={"csrf_token": "x", "step": "0", "agree": "yes"})
    participant_page(response, 403, "Open your study link", can_continue=False)
    participant_page(client.get("/run"), 403, "Open your study link", can_continue=False)


def test_an_unknown_link_is_a_dead_end_even_with_a_session(bot):
    bot.enter()
    response = bot.client.get("/p/not-a-real-token")
    participant_page(response, 404, "Link not found", can_continue=False)


def test_a_closed_study_is_a_dead_end(bot, db, running_study):
    bot.enter()
    consent_page = bot.page()
    running_study.status = "closed"
    db.commit()
    participant_page(bot.client.get("/run"), 410, "Study closed", can_continue=False)
    response = bot.post(consent_page, agree="yes")
    participant_page(response, 410, "Study closed", can_continue=False)


def test_a_draft_study_says_it_has_not_started(bot, db, running_study):
    bot.enter()
    running_study.status = "draft"
    db.commit()
    participant_page(bot.client.get("/run"), 403, "Study not open yet", can_continue=False)


def test_a_closed_recruitment_link_is_a_dead_end(client, db, running_study):
    from uxlab.studies.service import start_study

    running_study.status = "draft"
    start_study(running_study)
    running_study.status = "closed"
    db.commit()
    response = client.get(f"/s/{running_study.recruitment_token}")
    participant_page(response, 410, "Study closed", can_continue=False)
    participant_page(client.get("/s/unknown"), 404, "Link not found", can_continue=False)


def test_a_removed_participant_is_a_dead_end(bot, db):
    bot.enter()
    db.delete(db.get(Participant, bot.participant_id))
    db.commit()
    participant_page(bot.client.get("/run"), 404, "Link not found", can_continue=False)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/p/a/b", 404), ("POST", "/p/some-token", 405), ("GET", "/s/", 404),
])
def test_an_unknown_participant_url_gets_a_participant_page(bot, method, path, status):
    bot.enter()
    response = bot.client.open(path, method=method)
    title = "Page not found"
    participant_page(response, status, title, can_continue=True)


def test_a_server_error_on_a_participant_page_is_a_participant_page(bot, app, monkeypatch):
    bot.enter()

    def broken(study, participant):
        raise RuntimeError("a bug")

    monkeypatch.setattr(flow, "current_step", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = bot.client.get("/run")
    participant_page(response, 500, "Something went wrong", can_continue=True)


def test_a_page_the_prototype_lacks_has_no_link_out_of_the_frame(bot):
    bot.enter()
    response = bot.client.get("/prototypes/checkout-redesign/a/no-such-page.html")
    html = participant_page(response, 404, "Page not found", can_continue=False)
    assert "<a " not in html.replace('<a class="skip-link" href="#main">', "")
