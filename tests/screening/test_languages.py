"""The screener in the participant's language: questions, option labels and the end page come
from the study file's translations, while the answers stored stay the study's own options (so
quotas, segments and exports do not depend on the language a participant read)."""

from __future__ import annotations

import pytest

from tests.conftest import fresh
from tests.participants.bot import Bot
from tests.screening.conftest import ELIGIBLE, screening_data
from uxlab.models import Participant
from uxlab.participants.links import create_participants
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.spec import parse_study
from uxlab.studies.translations import missing_translations

GERMAN = {
    "study": {"screen_out": "Danke! Diese Studie passt diesmal nicht zu Ihnen."},
    "screener": {
        "shopping": {"text": "Wie oft kaufen Sie online ein?",
                     "options": ["Wöchentlich", "Monatlich", "Selten", "Nie"]},
        "devices": {"text": "Auf welchen Geräten kaufen Sie ein?",
                    "options": ["Smartphone", "Tablet", "Computer"]},
        "age": {"text": "Wie alt sind Sie?"},
    },
}


def _data(demo_spec, german=GERMAN):
    data = screening_data(demo_spec, screen_out="Thank you! This one is not for you.")
    data["study"]["languages"] = ["en", "de"]
    data["translations"] = {"de": german}
    return data


@pytest.fixture
def german_bot(db, client, make_study, demo_spec):
    study = make_study(spec=parse_study(_data(demo_spec)))
    study.status = "running"
    db.commit()
    participant = create_participants(db, study, 1)[0]
    db.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    bot = Bot(client, participant.token)
    bot.participant_id = participant.id
    bot.enter()
    return bot


def test_a_german_participant_reads_the_screener_in_german_and_stores_the_studys_options(
        db, german_bot):
    page = german_bot.page()
    for german in ("Wie oft kaufen Sie online ein?", "Wöchentlich", "Smartphone",
                   "Wie alt sind Sie?"):
        assert german in page
    assert "How often do you shop online?" not in page and ">Weekly<" not in page
    assert 'value="Weekly"' in page  # the value posted is the study's own option
    assert german_bot.post(page, **ELIGIBLE).status_code == 303
    stored = fresh(db).get(Participant, german_bot.participant_id).screener
    assert stored == {"shopping": "Weekly", "devices": ["Phone", "Computer"], "age": 34}


def test_the_screen_out_text_is_in_the_participants_language(db, german_bot):
    german_bot.post(**{**ELIGIBLE, "screener_shopping": "Never"})
    page = german_bot.page()
    assert "Danke! Diese Studie passt diesmal nicht zu Ihnen." in page
    assert "This one is not for you" not in page


def test_screener_translations_are_checked_and_missing_ones_warned(demo_spec):
    wrong = {"screener": {"shopping": {"options": ["Wöchentlich"]},
                          "nothing": {"text": "?"}}}
    with pytest.raises(StudyDefinitionError) as raised:
        parse_study(_data(demo_spec, german=wrong))
    keys = {problem.key for problem in raised.value.problems}
    assert {"translations.de.screener.shopping.options",
            "translations.de.screener.nothing"} <= keys
    spec = parse_study(_data(demo_spec, german={"screener": {"age": {"text": "Alter?"}}}))
    warned = {problem.key for problem in missing_translations(spec)}
    assert {"translations.de.screener.shopping.text", "translations.de.screener.devices.options",
            "translations.de.study.screen_out"} <= warned
    assert "translations.de.screener.age.text" not in warned
