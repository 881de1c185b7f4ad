"""Observer links on the web: moderators make, list and revoke them; a guest opens one.

- ``/studies/<id>/live/observer-links`` (moderators; JSON when asked): the study's links and the
  form that makes one; ``…/<link>/revoke`` revokes one at once.
- ``/observe/<token>`` (no login): the guest gives a display name and is taken to the console of
  the link's session, or to the study's *Live now* list. Every answer there says
  ``Referrer-Policy: no-referrer``, ``X-Robots-Tag: noindex`` and ``Cache-Control: no-store``
  (the token is in the URL). An unknown token answers 404, a revoked or expired one 410.

Once in, a guest may open only :data:`uxlab.moderation.viewer.GUEST_ENDPOINTS`; any other page
of a study answers 404.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from uxlab.api.common import ApiError, read_json_body
from uxlab.extensions import db_session
from uxlab.models import ObserverLink, Study, TestSession
from uxlab.moderation import live
from uxlab.moderation.observer_links import (
    LinkError,
    create_observer_link,
    find_observer_link,
    join_observer_link,
    link_status,
    observer_links,
    revoke_observer_link,
)
from uxlab.moderation.viewer import GUEST_ENDPOINTS, GUEST_KEY, current_guest, require_viewer
from uxlab.moderation.views import _load
from uxlab.results import find_session
from uxlab.sharing.views import private_headers

bp = Blueprint("observer_links", __name__)

LINKS = "/studies/<int:study_id>/live/observer-links"
#: The longest an expiry may be set ahead, in hours (a year).
MAX_HOURS = 24 * 366


@bp.before_app_request
def keep_guests_to_their_pages():
    """An observer-link guest (not logged in) gets 404 on every study page not theirs."""
    # The guest check first: loading current_user on every request marks a participant's
    # session modified (Flask-Login's session protection), which re-signs its cookie on every
    # event batch (tests/api/test_events_api.py).
    if session.get(GUEST_KEY) is None or current_user.is_authenticated:
        return None
    if request.view_args and "study_id" in request.view_args \
            and request.endpoint not in GUEST_ENDPOINTS:
        abort(404)
    return None


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error.response()


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def link_json(link: ObserverLink, test_session: TestSession | None) -> dict:
    """A link as the API shows it (never its token, which is not stored)."""
    return {"id": link.id, "label": link.label, "status": link_status(link),
            "session": str(test_session.public_id) if test_session else None,
            "created_at": link.created_at.isoformat(),
            "expires_at": link.expires_at.isoformat() if link.expires_at else None,
            "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None}


def _expiry(body: dict) -> datetime | None:
    """``expires_at`` (ISO 8601 with a zone) or ``expires_in_hours`` (a whole number)."""
    if body.get("expires_at"):
        value = body["expires_at"]
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise LinkError("expires_at", f"{value!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise LinkError("expires_at", "needs a time zone (e.g. Z)")
        return moment.astimezone(UTC)
    hours = body.get("expires_in_hours")
    if hours in (None, ""):
        return None
    if isinstance(hours, bool) or not str(hours).strip().isdigit() \
            or not 1 <= int(str(hours)) <= MAX_HOURS:
        raise LinkError("expires_in_hours", f"must be a whole number of hours, 1 to {MAX_HOURS}")
    return datetime.now(UTC) + timedelta(hours=int(str(hours)))


def _scope(study: Study, body: dict) -> TestSession | None:
    value = body.get("session")
    if value in (None, "", "study"):
        return None
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        raise LinkError("session", f"{value!r} is not a session id") from None
    test_session = find_session(db_session(), study, public_id)
    if test_session is None:
        raise LinkError("session", "the study has no such session")
    return test_session


def _read_body() -> dict:
    if request.is_json:
        body = read_json_body()
        if type(body) is not dict:
            raise ApiError(400, "invalid body", "the body must be a JSON object", "body")
        unknown = sorted(set(body) - {"session", "label", "expires_at", "expires_in_hours"})
        if unknown:
            raise ApiError(400, "unknown field", f"unknown field {unknown[0]}", unknown[0])
        return body
    return request.form.to_dict()


def _page(study: Study, status: int = 200, new_url: str | None = None, error: str | None = None,
          form: dict | None = None):
    db = db_session()
    links = observer_links(db, study)
    sessions = {i: db.get(TestSession, i) for i in {link.session_id for link in links} - {None}}
    if _wants_json():
        return jsonify(links=[link_json(link, sessions.get(link.session_id))
                              for link in links]), status
    planned = [s for s in live.live_sessions(db, study) if s.mode != "unmoderated"]
    return render_template("moderation/observer_links.html", study=study, links=links,
                           sessions=sessions, planned=planned, status_of=link_status,
                           new_url=new_url, error=error, form=form or {}), status


@bp.route(LINKS, methods=["GET", "POST"])
def manage(study_id: int):
    """List the study's observer links and make one (its URL is shown only now)."""
    gate = require_viewer(request.endpoint)
    if gate is not None:
        return gate
    study, _ = _load(study_id, moderate=True)
    if request.method == "GET":
        return _page(study)
    db = db_session()
    body = _read_body()
    try:
        link, token = create_observer_link(db, study, current_user, session=_scope(study, body),
                                           label=str(body.get("label") or ""),
                                           expires_at=_expiry(body))
    except LinkError as error:
        db.rollback()
        if _wants_json():
            return jsonify(error="invalid field", field=error.field,
                           message=str(error)), 400
        return _page(study, 400, error=str(error), form=body)
    db.commit()
    url = url_for("observer_links.join", token=token, _external=True)
    if _wants_json():
        return jsonify({**link_json(link, db.get(TestSession, link.session_id)
                                    if link.session_id else None), "url": url}), 201
    return _page(study, 201, new_url=url)


@bp.route(f"{LINKS}/<int:link_id>/revoke", methods=["POST"])
def revoke(study_id: int, link_id: int):
    """Revoke a link: its guests lose access at their next request, open streams within
    seconds."""
    gate = require_viewer(request.endpoint)
    if gate is not None:
        return gate
    study, _ = _load(study_id, moderate=True)
    db = db_session()
    try:
        link = revoke_observer_link(db, study, link_id)
    except LookupError:
        abort(404)
    db.commit()
    if _wants_json():
        return jsonify(link_json(link, db.get(TestSession, link.session_id)
                                 if link.session_id else None))
    return redirect(url_for("observer_links.manage", study_id=study.id), 303)


@bp.route("/observe/<token>", methods=["GET", "POST"])
def join(token: str):
    """Ask the guest's display name, then open what the link covers."""
    db = db_session()
    link = find_observer_link(db, token)
    if link is None:
        abort(404)
    status = link_status(link)
    if status != "active":
        return _private(render_template("moderation/observe_gone.html", status=status,
                                        link=link), 410)
    guest = current_guest()
    if request.method == "GET" and guest is not None and guest.link_id == link.id:
        return _private(redirect(_destination(link)))
    error = None
    if request.method == "POST":
        try:
            guest = join_observer_link(db, link, request.form.get("display_name", ""))
        except LinkError as exc:
            db.rollback()
            error = str(exc)
        else:
            db.commit()
            session[GUEST_KEY] = guest.guest_id
            return _private(redirect(_destination(link), 303))
    study = db.get(Study, link.study_id)
    return _private(render_template("moderation/observe_join.html", study=study, link=link,
                                    error=error), 400 if error else 200)


def _destination(link: ObserverLink) -> str:
    if link.session_id is None:
        return url_for("moderation.live_now", study_id=link.study_id)
    test_session = db_session().get(TestSession, link.session_id)
    return url_for("moderation.console", study_id=link.study_id,
                   public_id=test_session.public_id)


def _private(response, status: int | None = None):
    """Keep a page reached by a token out of Referer headers, search engines and caches."""
    return private_headers(make_response(response) if status is None
                           else make_response(response, status))
