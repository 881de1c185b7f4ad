"""Who may do what with a study's observations and problems: the one place that decides it.

Anyone with access to the study may read its notes and problems and add notes of their own
(an observer's notes are marked as theirs); editors and owners may change problems, the grid and
other people's notes; someone without access must not learn the study exists (404).

Reading notes and problems needs any access to the study (as its results do); adding notes
follows the moderation package's roles (:func:`uxlab.moderation.access.can_take_notes`:
moderators, note-takers and observers, an observer's notes marked as theirs); changing problems,
the grid and other people's notes follows study editing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from uxlab.accounts.service import access_level, can_edit
from uxlab.models import Study, User
from uxlab.moderation.access import can_moderate, can_take_notes
from uxlab.moderation.observer_links import LinkObserver

__all__ = ["can_edit_problems", "can_read", "can_take_notes", "outcome_correction_url"]


def can_read(session: Session, user: User, study: Study) -> bool:
    """May ``user`` read the study's notes and problems? (Any access, as for its results; an
    observer-link guest reads only the notes of the sessions the link covers, through
    :func:`can_take_notes`.)"""
    if isinstance(user, LinkObserver):
        return False
    return access_level(session, user, study) is not None


def can_edit_problems(session: Session, user: User, study: Study) -> bool:
    """May ``user`` change problems, severity ratings, the grid and other people's notes?"""
    return not isinstance(user, LinkObserver) and can_edit(session, user, study)


#: The moderation package's page for correcting an attempt's outcome afterwards (audited); the
#: session timeline links to it when it exists rather than offering a second way to do it.
OUTCOME_CORRECTION_ENDPOINT = "moderation.outcome_corrections"


def outcome_correction_url(session: Session, user: User, study: Study, test_session
                           ) -> str | None:
    """The URL of the audited outcome correction of ``test_session``, if that page exists and
    ``user`` may moderate (observers never change outcomes)."""
    from flask import url_for
    from werkzeug.routing import BuildError

    if not can_moderate(session, user, study):
        return None
    try:
        return url_for(OUTCOME_CORRECTION_ENDPOINT, study_id=study.id,
                       public_id=test_session.public_id)
    except BuildError:
        return None
