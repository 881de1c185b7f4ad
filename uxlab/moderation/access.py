"""Who may do what in a study's moderated sessions: the one permission API.

Roles come from the study membership (:class:`uxlab.models.StudyMember`): owners and editors
moderate (run sessions, change task timing, judge outcomes); note-takers and observers watch
live sessions and add notes, an observer's notes being marked as theirs; viewers read results
only, and someone without access gets nothing (pages answer 404). An account whose global role
is ``observer`` never moderates, whatever its membership says.

Someone without an account watches through an observer link
(:mod:`uxlab.moderation.observer_links`): a :class:`LinkObserver` is an observer of its link's
study, and only of the sessions the link covers (:func:`can_watch_session`); nothing else of the
study is theirs.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from uxlab.accounts.service import access_level
from uxlab.models import Study, TestSession, User
from uxlab.moderation.observer_links import LinkObserver

MODERATOR_ACCESS = ("owner", "editor")
NOTE_TAKER_ACCESS = (*MODERATOR_ACCESS, "note_taker")
OBSERVER_ACCESS = (*NOTE_TAKER_ACCESS, "observer")


def session_role(db_session: Session, user: User, study: Study) -> str | None:
    """Return ``moderator``, ``note_taker``, ``observer`` or None for ``user`` on ``study``."""
    if isinstance(user, LinkObserver):
        return "observer" if user.study_id == study.id else None
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


def can_see_study(db_session: Session, user: User | LinkObserver, study: Study) -> bool:
    """Whether ``study``'s existence may be shown to ``user`` (else pages answer 404): any
    access for an account, the link's study for a link observer."""
    if isinstance(user, LinkObserver):
        return user.study_id == study.id
    return user is not None and getattr(user, "is_authenticated", False) \
        and access_level(db_session, user, study) is not None


def can_watch_session(user: User | LinkObserver, test_session: TestSession) -> bool:
    """Whether the session is within ``user``'s reach: always for an account with a role, only
    the covered sessions for a link observer (others answer 404)."""
    return not isinstance(user, LinkObserver) or user.covers(test_session)
