"""Who may do what with a study's observations and problems: the one place that decides it.

Anyone with access to the study may read its notes and problems and add notes of their own
(an observer's notes are marked as theirs); editors and owners may change problems, the grid and
other people's notes; someone without access must not learn the study exists (404).

The moderation package defines ``can_moderate`` / ``can_take_notes`` / ``can_observe`` with the
same signature ``(db_session, user, study) -> bool``; when it is merged, point these at it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from uxlab.accounts.service import access_level, can_edit
from uxlab.models import Study, User


def can_observe(session: Session, user: User, study: Study) -> bool:
    """May ``user`` see the study's sessions, notes and problems?"""
    return access_level(session, user, study) is not None


def can_take_notes(session: Session, user: User, study: Study) -> bool:
    """May ``user`` add notes (their own) to the study's sessions?"""
    return can_observe(session, user, study)


def can_edit_problems(session: Session, user: User, study: Study) -> bool:
    """May ``user`` change problems, severity ratings, the grid and other people's notes?"""
    return can_edit(session, user, study)


#: The moderation package's page for correcting an attempt's outcome afterwards (audited); the
#: session timeline links to it when it exists rather than offering a second way to do it.
OUTCOME_CORRECTION_ENDPOINT = "moderation.outcome_corrections"


def outcome_correction_url(study: Study, test_session) -> str | None:
    """The URL of the audited outcome correction of ``test_session``, if that page exists."""
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for(OUTCOME_CORRECTION_ENDPOINT, study_id=study.id,
                       public_id=test_session.public_id)
    except BuildError:
        return None
