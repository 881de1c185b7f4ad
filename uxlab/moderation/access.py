"""Who may do what in a study's moderated sessions: the one permission API.

Roles come from the study membership (:class:`uxlab.models.StudyMember`): owners and editors
moderate (run sessions, change task timing, judge outcomes); note-takers and observers watch
live sessions and add notes, an observer's notes being marked as theirs; viewers read results
only, and someone without access gets nothing (pages answer 404). An account whose global role
is ``observer`` never moderates, whatever its membership says.

Observers need an account: a token link that lets anyone watch without one would leave notes
and the watch log without a name, and revoking access is removing the membership.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from uxlab.accounts.service import access_level
from uxlab.models import Study, User

MODERATOR_ACCESS = ("owner", "editor")
NOTE_TAKER_ACCESS = (*MODERATOR_ACCESS, "note_taker")
OBSERVER_ACCESS = (*NOTE_TAKER_ACCESS, "observer")


def session_role(db_session: Session, user: User, study: Study) -> str | None:
    """Return ``moderator``, ``note_taker``, ``observer`` or None for ``user`` on ``study``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    access = access_level(db_session, user, study)
    if access in MODERATOR_ACCESS and user.role != "observer":
        return "moderator"
    if access in NOTE_TAKER_ACCESS:
        return "note_taker"
    if access in OBSERVER_ACCESS:
        return "observer"
    return None


def can_moderate(db_session: Session, user: User, study: Study) -> bool:
    """Whether ``user`` may run sessions of ``study``: task timing and outcomes."""
    return session_role(db_session, user, study) == "moderator"


def can_take_notes(db_session: Session, user: User, study: Study) -> bool:
    """Whether ``user`` may add notes to sessions of ``study`` (an observer's are marked so)."""
    return session_role(db_session, user, study) is not None


def can_observe(db_session: Session, user: User, study: Study) -> bool:
    """Whether ``user`` may watch live sessions of ``study`` (console and stream)."""
    return session_role(db_session, user, study) is not None
