"""A participant whose browser prefers German does the whole study in German, then switches to
French (issue 13, point 4), in Chromium.

The browser context's locale sets Accept-Language; the study offers English, German and French
(its own texts translated in the study file, French only partly). Consent, the task bar and what
runner.js says, SEQ, SUS and NPS are German; switching on the SUS page keeps the answers given
and shows the French F-SUS wording; the end page is French.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.conftest import PROJECT_ROOT
from tests.support import browser
from tests.support.translated_study import translated_demo
from uxlab.models import Participant
from uxlab.participants.links import create_participants
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec, start_study

pytestmark = pytest.mark.browser


@pytest.fixture
def token(live_app):
    """One participant link of the demo study (one task) in English, German and French."""
    demo = read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
    with live_app.database.session() as session:
        study = load_spec(session, translated_demo(replace(demo, tasks=demo.tasks[:1]))).study
        start_study(study)
        return create_participants(session, study, 1)[0].token


@pytest.fixture
def german_page(chromium):
    context = chromium.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    blocked = browser.watch_csp(context)
    yield context.new_page()
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


def test_a_german_browser_does_the_study_in_german_and_switches_to_french(
        live_app, token, german_page):
    from playwright.sync_api import expect

    page = german_page
    page.goto(f"{live_app.url}/p/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen")
    expect(page.locator("#live-notice")).to_contain_text("Mitglieder des Forschungsteams")
    page.get_by_label("Ich habe den obigen Text gelesen").check()
    page.get_by_role("button", name="Studie beginnen").click()

    expect(page.get_by_text("Aufgabe 1 von 1").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ein Produkt finden")
    page.get_by_role("button", name="Aufgabe starten").click()
    bar = page.locator(".uxlab-bar")
    expect(bar).to_contain_text("Ein Produkt finden")
    expect(bar.get_by_role("button", name="Ich bin fertig")).to_be_visible()
    bar.get_by_role("button", name="Aufgeben").click()
    expect(page.locator("#uxlab-status")).to_have_text(  # said by runner.js, from the config
        "Sind Sie sicher? Klicken Sie auf „Ja, aufgeben“, um diese Aufgabe zu beenden.")
    bar.get_by_role("button", name="Ja, aufgeben").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wie einfach war es?")
    seq = page.get_by_role("group", name="Wie schwierig oder einfach war es insgesamt")
    seq.get_by_label("7 (Sehr einfach)").check()
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("group", name="1. Ich denke, dass ich das System gerne häufig "
                                          "benutzen würde.")).to_be_visible()
    page.get_by_role("group", name="1. Ich denke").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="2. Ich fand das System unnötig").get_by_label(
        "2", exact=True).check()
    page.get_by_role("form", name="Sprache").get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    first = page.get_by_role("group", name="1. Je voudrais utiliser ce système fréquemment.")
    expect(first.get_by_label("4", exact=True)).to_be_checked()  # kept across the switch
    expect(page.get_by_role("group", name="2. Ce système est inutilement complexe.")
           .get_by_label("2", exact=True)).to_be_checked()
    for number in range(3, 11):
        page.locator(f"input[name=sus_{number}][value='3']").check()
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Le recommanderiez-vous ?")
    page.locator("input[name=nps_1][value='8']").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci !")

    with live_app.database.session() as session:
        participant = session.scalar(select(Participant).where(Participant.token == token))
        assert (participant.consent_language, participant.language) == ("de", "fr")
        assert participant.completed_at is not None
