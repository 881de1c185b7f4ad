"""Starting moderated sessions, and what participants are told about being watched live."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy.orm import Session

from uxlab.i18n.choice import study_languages
from uxlab.i18n.text import N_, translate
from uxlab.models import Participant, Study, TestSession, User
from uxlab.moderation.control import ControlError
from uxlab.participants import flow
from uxlab.participants.links import create_participants
from uxlab.privacy.consent import consent_digest, consent_statement

MODERATED_MODES = ("remote_moderated", "in_person")
MODE_LABELS = {"unmoderated": "Unmoderated", "remote_moderated": "Remote moderated",
               "in_person": "In person"}

# Participant-facing: in the catalogue, shown in the consent page's language.
LIVE_NOTICE = N_(
    "Members of the research team, and observers they invite, may watch this session live "
    "while you take part: they see "
    "the pages you visit and what you click in the prototype, never your screen outside it, "
    "your camera or your microphone. Who watched is recorded."
)
MODERATED_NOTICE = N_(
    "A moderator runs this session with you and may start, pause or end a task for you; "
    "members of the research team, and observers they invite, may watch it live: they see the "
    "pages you visit and what you "
    "click in the prototype, never your screen outside it, your camera or your microphone. "
    "Who watched is recorded."
)


def live_notice(test_session: TestSession | None) -> str:
    """The sentence of the consent page that says when the session may be watched live, in the
    current page's language."""
    if test_session is not None and test_session.mode in MODERATED_MODES:
        return translate(MODERATED_NOTICE)
    return translate(LIVE_NOTICE)


def start_moderated_session(db: Session, study: Study, moderator: User, mode: str,
                            label: str = "", consent_given: bool = False
                            ) -> tuple[Participant, TestSession]:
    """Create a participant and their session in ``mode``, moderated by ``moderator``.

    Remote moderated: the participant opens their link and consents in the runner as usual (the
    session waits for them). In person: the participant has no uxlab page; the moderator
    confirms they consented, and the console logs their tasks.
    """
    if mode not in MODERATED_MODES:
        raise ControlError("mode", f"must be one of {', '.join(MODERATED_MODES)}")
    if study.status != "running":
        raise ControlError("mode", "start the study before running sessions", 409)
    if mode == "in_person" and not consent_given:
        raise ControlError("consent", "confirm that the participant gave their consent")
    label = (label or "").strip()[:200]
    participant = create_participants(db, study, 1, label or MODE_LABELS[mode].lower())[0]
    test_session = TestSession(participant=participant, mode=mode, moderator_id=moderator.id)
    db.add(test_session)
    db.flush()
    if mode == "in_person":
        # The moderator went through the consent in the study's own language (its first).
        language = study_languages(study)[0]
        with force_locale(language):
            statement = consent_statement(study.welcome_text, study.consent_text,
                                          live_notice(test_session))
        participant.language = language
        if flow.consent(db, study, participant, participant.step, user_agent="in person",
                        consent_text_sha256=consent_digest(statement),
                        consent_language=language, skip_screener=True) is None:
            raise ControlError("consent", "the study's quotas are full: no place is left", 409)
    return participant, test_session
