"""Who is asking: the logged-in account, or the observer-link guest of this browser.

A guest is never Flask-Login's ``current_user`` (so no page outside the few they may use takes
them for a logged-in person); the guest's id lives in the signed session cookie and is looked up
again, with its link's status, on every request.
"""

from __future__ import annotations

from flask import abort, current_app, g, session
from flask_login import current_user

from uxlab.extensions import db_session
from uxlab.moderation.observer_links import LinkObserver, link_observer

#: The session-cookie key holding the guest's id.
GUEST_KEY = "uxlab_observer_guest"
#: What a guest may reach (with their link's study and sessions); everything else answers 404.
#: The moderators' changes of timing and outcome are among them so that a guest, like an
#: account observer, is told 403 there.
GUEST_ENDPOINTS = frozenset({
    "moderation.live_now", "moderation.console", "moderation.stream",
    "moderation.session_stream", "moderation.feed", "moderation.session_feed",
    "observations.notes_list", "observations.note_save", "observations.note_delete",
    "moderation.act", "moderation.correct_outcome", "moderation.outcome_corrections",
    "moderation.start_session",
})


def current_guest() -> LinkObserver | None:
    """The observer-link guest of this browser while their link is active, else None."""
    if "uxlab_guest" not in g:
        guest_id = session.get(GUEST_KEY)
        g.uxlab_guest = link_observer(db_session(), guest_id) \
            if isinstance(guest_id, int) else None
    return g.uxlab_guest


def current_viewer():
    """The logged-in account if any, else the observer-link guest, else None."""
    if current_user and current_user.is_authenticated:
        return current_user
    return current_guest()


def require_viewer(endpoint: str | None):
    """A blueprint's gate: an account may go on; a guest only to :data:`GUEST_ENDPOINTS`
    (others 404, the study's existence is not theirs to learn); anyone else logs in. A guest
    whose link was revoked or expired is told so (410)."""
    if current_user and current_user.is_authenticated:
        return None
    if current_guest() is not None:
        return None if endpoint in GUEST_ENDPOINTS else abort(404)
    if session.get(GUEST_KEY) is not None:
        abort(410, "The observer link you opened was revoked or has expired; ask the study's "
                   "moderator for a new one.")
    return current_app.login_manager.unauthorized()
