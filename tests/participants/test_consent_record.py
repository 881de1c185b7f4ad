"""The consent record says which text was agreed to (SHA-256 of the text shown) and when."""

from __future__ import annotations

import json
import re

from tests.conftest import fresh
from uxlab.exports.everything import study_json
from uxlab.models import Participant
from uxlab.moderation.sessions import LIVE_NOTICE
from uxlab.privacy.consent import consent_digest, consent_statement


def _digest_on(page: str) -> str:
    return re.search(r'name="consent_sha256" value="([0-9a-f]{64})"', page).group(1)


def test_consent_stores_the_digest_of_the_text_shown(bot, db, running_study):
    running, participant_id = running_study, bot.participant_id
    bot.enter()
    page = bot.page()
    shown = consent_digest(consent_statement(running.welcome_text, running.consent_text, LIVE_NOTICE))
    assert _digest_on(page) == shown
    assert "I have read the above and agree to take part." in page
    assert bot.post(page, agree="yes", consent_sha256=_digest_on(page)).status_code == 303
    participant = fresh(db).get(Participant, participant_id)
    assert participant.consented_at is not None
    assert (participant.consent_text_sha256, participant.consent_language) == (shown, "en")
    exported = json.loads("".join(study_json(db, running)))["participants"]
    assert [(p["consent_text_sha256"], p["consent_language"]) for p in exported] == [(shown, "en")]


def test_a_consent_to_a_text_changed_since_it_was_shown_is_refused(bot, db, running_study):
    running, participant_id = running_study, bot.participant_id
    bot.enter()
    page = bot.page()
    running.consent_text = "We now also record your screen."
    db.commit()
    refused = bot.post(page, agree="yes", consent_sha256=_digest_on(page))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "The text above changed since you opened this page" in html
    assert "We now also record your screen." in html
    assert fresh(db).get(Participant, participant_id).consented_at is None
    assert bot.post(html, agree="yes", consent_sha256=_digest_on(html)).status_code == 303
    participant = fresh(db).get(Participant, participant_id)
    assert participant.consent_text_sha256 == consent_digest(
        consent_statement(running.welcome_text, running.consent_text, LIVE_NOTICE))
