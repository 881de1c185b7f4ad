"""A participant sees the study in their browser's language among the study's, can switch, and
the language is stored with their consent and exported."""

from __future__ import annotations

import csv
import io
import re

from flask import render_template_string

from tests.conftest import fresh
from tests.support.translated_study import GERMAN
from uxlab.exports.tables import attempts_csv, survey_csv
from uxlab.i18n.catalogue import use_language
from uxlab.models import Participant
from uxlab.moderation.sessions import LIVE_NOTICE
from uxlab.privacy.consent import consent_digest, consent_statement

SWITCH = "/run/language"


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_the_browser_picks_the_best_of_the_studys_languages(multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "de-AT,de;q=0.9,en;q=0.5")
    bot.enter()
    page = bot.page()
    assert html_lang(page) == "de"
    assert "<h1>Willkommen</h1>" in page and GERMAN["study"]["welcome"] in page
    assert "Ich habe den obigen Text gelesen" in page  # the agreement, from the catalogue
    assert "Studie beginnen" in page and "Start the study" not in page
    assert '<span class="brand">Neuer Checkout</span>' in page


def test_a_language_the_study_lacks_falls_back_to_its_first(multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "it,es;q=0.8")
    bot.enter()
    page = bot.page()
    assert html_lang(page) == "en" and "Start the study" in page


def test_a_missing_study_text_is_shown_in_the_studys_own_language(multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "fr")
    bot.enter()
    page = bot.page()
    assert html_lang(page) == "fr" and "Commencer l'étude" in page
    assert "Merci de votre participation." in page  # translated by the study file
    assert "We record where you click" in page  # its consent text is not: English, as written


def test_an_english_only_study_ignores_a_german_browser_and_has_no_switcher(
        db, make_study, make_bot):
    study = make_study()
    study.status = "running"
    db.commit()
    bot = make_bot(study, "de")
    bot.enter()
    page = bot.page()
    assert html_lang(page) == "en" and 'class="languages"' not in page


def test_consent_stores_the_language_and_the_digest_of_the_text_shown(
        app, db, multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    assert bot.consent().status_code == 303
    participant = fresh(db).get(Participant, bot.participant_id)
    assert (participant.language, participant.consent_language) == ("de", "de")
    with app.test_request_context():
        use_language("de")
        german = consent_statement(GERMAN["study"]["welcome"], GERMAN["study"]["consent"],
                                   render_template_string("{{ _(notice) }}", notice=LIVE_NOTICE))
    assert "Ich habe den obigen Text gelesen" in german
    assert participant.consent_text_sha256 == consent_digest(german)
    english = consent_statement(multilingual_study.welcome_text, multilingual_study.consent_text,
                                LIVE_NOTICE)
    assert consent_digest(english) != participant.consent_text_sha256


def test_a_consent_page_shown_in_another_language_is_refused(db, multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    german_page = bot.page()
    digest = re.search(r'name="consent_sha256" value="(\w+)"', german_page).group(1)
    bot.client.post(SWITCH, data={**bot.form_fields(german_page), "language": "en"})
    refused = bot.post(german_page, agree="yes", consent_sha256=digest)
    assert refused.status_code == 400
    assert "The text above changed since you opened this page" in refused.get_data(as_text=True)
    assert fresh(db).get(Participant, bot.participant_id).consented_at is None


def test_the_switcher_is_a_form_on_every_page_and_keeps_the_step(db, multilingual_study,
                                                                  make_bot):
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    bot.consent()
    intro = bot.page()
    assert "Aufgabe 1 von 5" in intro and "Ein Produkt finden" in intro
    buttons = re.findall(r'<button type="submit" class="link uxlab-link" name="language" '
                         r'value="(\w+)" lang="\w+"', intro)
    assert buttons == ["en", "fr"]  # the current language is no button
    switched = bot.client.post(SWITCH, data={**bot.form_fields(intro), "language": "fr"})
    assert switched.status_code == 303 and switched.location.endswith("/run")
    page = bot.page()
    assert html_lang(page) == "fr" and "Tâche 1 sur 5" in page
    participant = fresh(db).get(Participant, bot.participant_id)
    assert (participant.language, participant.step) == ("fr", 1)


def test_switching_on_a_questionnaire_keeps_the_answers_not_yet_sent(db, multilingual_study,
                                                                       make_bot):
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    bot.consent()
    bot.start_task()
    bot.finish(bot.config(), "give_up")
    seq = bot.page()
    assert "Wie schwierig oder einfach war es insgesamt" in seq and 'form="answers"' in seq
    fields = bot.form_fields(seq)
    bot.client.post(SWITCH, data={**fields, "language": "en", "seq_1": "6"})
    page = bot.page()
    assert "Overall, how difficult or easy was the task to complete?" in page
    assert re.search(r'name="seq_1" value="6" required checked', page)
    assert fresh(db).get(Participant, bot.participant_id).step == fields_step(fields)


def fields_step(fields: dict) -> int:
    return int(fields["step"])


def test_a_language_the_study_does_not_offer_is_refused(db, multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    page = bot.page()
    refused = bot.client.post(SWITCH, data={**bot.form_fields(page), "language": "it"})
    assert refused.status_code == 400
    assert "Diese Seite konnte nicht gesendet werden" in refused.get_data(as_text=True)
    assert fresh(db).get(Participant, bot.participant_id).language is None


def test_the_switch_needs_a_participant_and_a_csrf_token(client, db, multilingual_study,
                                                        make_bot):
    assert client.post(SWITCH, data={"language": "de"}).status_code in (400, 403)
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    # without the form's token: the participant pages' CSRF answer (409, "open in another tab")
    assert bot.client.post(SWITCH, data={"language": "fr"}).status_code == 409
    assert fresh(db).get(Participant, bot.participant_id).language is None


def test_questionnaires_and_the_task_bar_are_translated(multilingual_study, make_bot):
    bot = make_bot(multilingual_study, "fr")
    bot.enter()
    bot.consent()
    bot.start_task()
    task = bot.page()
    assert "J'ai terminé" in task and "Abandonner" in task and 'lang="fr"' in task
    config = bot.config(task)
    assert config["messages"]["give_up_confirm"] == "Oui, abandonner"
    assert config["task"]["title"] == "Find a product"  # no French task title in the file
    bot.finish(config, "give_up")
    assert "Très facile" in bot.page()


def test_the_tidy_exports_carry_the_language(db, multilingual_study, make_bot):
    for accept in ("de", "fr"):
        bot = make_bot(multilingual_study, accept)
        bot.enter()
        bot.consent()
        bot.start_task()
        bot.finish(bot.config(), "give_up")
    fresh(db)
    attempts = list(csv.DictReader(io.StringIO("".join(attempts_csv(db, multilingual_study)))))
    assert sorted(row["language"] for row in attempts) == ["de", "fr"]
    survey = "".join(survey_csv(db, multilingual_study))
    assert survey.splitlines()[0].endswith(",language")


def english_sentences() -> set[str]:
    """The catalogue's English msgids that read as English (German differs, no placeholders)."""
    from babel.messages.pofile import read_po

    from tests.i18n.test_catalogue_complete import TRANSLATIONS

    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id for m in read_po(po)
                if m.id and m.string != m.id and "%(" not in m.id and len(m.id) > 12}


def test_the_whole_study_in_german_shows_no_english_sentence(multilingual_study, make_bot):
    """Every page a participant meets, rendered in German, holds none of the English msgids:
    a string that bypasses the catalogue (a Python literal, say) would show up here."""
    bot = make_bot(multilingual_study, "de")
    bot.enter()
    pages = [bot.page()]
    bot.consent()
    while True:
        page = bot.page()
        pages.append(page)
        if 'id="start-task"' in page:
            bot.start_task()
            task_page = bot.page()
            pages.append(task_page)
            bot.finish(bot.config(task_page), "give_up")
        elif 'type="radio"' in page:
            pages.append(bot.post(page, seq_1="9").get_data(as_text=True))  # an error page
            bot.answer_all()
        else:
            break
    assert "Vielen Dank!" in pages[-1]
    pages += [bot.client.get("/run/nowhere").get_data(as_text=True),
              bot.client.post("/run", data={"step": "1"}).get_data(as_text=True)]
    english = english_sentences()
    for page in pages:
        assert html_lang(page) == "de"
        shown = [sentence for sentence in english if sentence in page.replace("&#39;", "'")]
        assert not shown, f"English on a German page: {shown}"


def test_an_error_before_any_view_is_in_the_participants_language(db, make_study, make_bot):
    study = make_study()  # English only
    study.status = "running"
    db.commit()
    bot = make_bot(study, "de")
    bot.enter()
    stale = bot.client.post("/run", data={"step": "0", "agree": "yes"})  # no CSRF token
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert html_lang(page) == "en" and "This study is open in another tab" in page
