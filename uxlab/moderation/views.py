"""Moderation pages and endpoints: "live now", the console, its stream and feed, task control.

Access, in one place (:mod:`uxlab.moderation.access`): someone without access to the study gets
404 everywhere; a viewer gets 403 on the console; observers and note-takers watch but get 403
on every change of timing or outcome. An observer-link guest (:mod:`uxlab.moderation.viewer`)
is an observer of the sessions their link covers, and gets 404 on everything else.
"""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from uxlab.extensions import close_db_session, database, db_session
from uxlab.models import Attempt, Study, TestSession, User
from uxlab.moderation import live
from uxlab.moderation.access import can_see_study, can_watch_session, session_role
from uxlab.moderation.actions import ACTIONS, run_action
from uxlab.moderation.control import VERDICT_LABELS, ControlError, audit_trail, judge
from uxlab.moderation.fanout import POLL_SECONDS, LivePoller
from uxlab.moderation.observer_links import link_observer
from uxlab.moderation.sessions import MODE_LABELS, start_moderated_session
from uxlab.moderation.stream import (
    ACCESS_RECHECK,
    DEFAULT_STREAMS_PER_PROCESS,
    HEARTBEAT,
    LIFETIME,
    StreamSlots,
    event_stream,
)
from uxlab.moderation.viewer import current_guest, current_viewer, require_viewer
from uxlab.participants.links import participant_link
from uxlab.results import find_session, session_review
from uxlab.timeutil import utcnow

bp = Blueprint("moderation", __name__, url_prefix="/studies")

#: The most sessions one stream or feed multiplexes.
MAX_WATCHED = 250


@bp.before_request
def require_login():
    """Every moderation page needs a logged-in user, or an observer-link guest for watching."""
    return require_viewer(request.endpoint)


@bp.app_context_processor
def moderation_globals():
    """``moderation_role(study)`` for pages outside this package (the session review)."""
    def moderation_role(study: Study) -> str | None:
        if not current_user or not current_user.is_authenticated:
            return None
        return session_role(db_session(), current_user, study)
    return {"moderation_role": moderation_role, "verdict_labels": VERDICT_LABELS}


def _load(study_id: int, moderate: bool = False) -> tuple[Study, str]:
    """Return the study and the user's role in its sessions; 404 without access, 403 below."""
    db = db_session()
    viewer = current_viewer()
    study = db.get(Study, study_id)
    if study is None or not can_see_study(db, viewer, study):
        abort(404)
    role = session_role(db, viewer, study)
    if role is None or (moderate and role != "moderator"):
        abort(403)
    return study, role


def _guest():
    """The observer-link guest asking, or None for an account."""
    return None if current_user.is_authenticated else current_guest()


def _session_of(study: Study, public_id: uuid.UUID) -> TestSession:
    test_session = find_session(db_session(), study, public_id)
    if test_session is None or not can_watch_session(current_viewer(), test_session):
        abort(404)
    return test_session


def _watched(study: Study) -> list[TestSession]:
    """The sessions named by ``?session=``, or without any, the study's live ones."""
    values = request.args.getlist("session")
    if not values:
        viewer = current_viewer()
        return [s for s in live.live_sessions(db_session(), study)
                if can_watch_session(viewer, s)][:MAX_WATCHED]
    if len(values) > MAX_WATCHED:
        abort(400, f"session: name at most {MAX_WATCHED} sessions")
    sessions = []
    for value in values:
        try:
            sessions.append(_session_of(study, uuid.UUID(value)))
        except ValueError:
            abort(400, f"session: {value!r} is not a session id")
    return sessions


def _cursor() -> int:
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    if not raw.isdigit() or len(raw) > 18:
        abort(400, "after / Last-Event-ID: must be an event cursor (a whole number)")
    return int(raw)


@bp.route("/<int:study_id>/live")
def live_now(study_id: int):
    """List the study's sessions going on now, with a form to start a moderated one."""
    study, role = _load(study_id)
    viewer = current_viewer()
    sessions = [s for s in live.live_sessions(db_session(), study)
                if can_watch_session(viewer, s)]
    return render_template("moderation/live_now.html", study=study, role=role,
                           guest=_guest(),
                           sessions=sessions, modes=MODE_LABELS,
                           states={s.id: live.session_state(db_session(), s, with_plan=False)
                                   for s in sessions})


@bp.route("/<int:study_id>/live/sessions", methods=["POST"])
def start_session(study_id: int):
    """Start a remote-moderated or in-person session and open its console."""
    study, _ = _load(study_id, moderate=True)
    db = db_session()
    try:
        participant, test_session = start_moderated_session(
            db, study, current_user, request.form.get("mode", ""), request.form.get("label", ""),
            consent_given=request.form.get("consent") == "yes")
    except ControlError as exc:
        db.rollback()
        flash(f"{exc.field}: {exc.message}", "error")
        return redirect(url_for("moderation.live_now", study_id=study.id)), 303
    db.commit()
    return redirect(url_for("moderation.console", study_id=study.id,
                            public_id=test_session.public_id), 303)


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/live")
def console(study_id: int, public_id: uuid.UUID):
    """The live console of one session (a task logger for an in-person session)."""
    study, role = _load(study_id)
    db = db_session()
    test_session = _session_of(study, public_id)
    state = live.session_state(db, test_session)
    write = database().write_sessions()
    with write:  # the page is a GET: its read session never writes
        live.record_watch(write, write.get(TestSession, test_session.id),
                          current_viewer(), role)
        write.commit()
    link = participant_link(request.host_url, test_session.participant.token) \
        if test_session.mode == "remote_moderated" and role == "moderator" else None
    return render_template(
        "moderation/console.html", study=study, role=role, test_session=test_session,
        state=state, verdicts=VERDICT_LABELS, modes=MODE_LABELS, participant_link=link,
        watchers=live.watchers(db, test_session), guest=_guest(),
        streams_cap=_streams_cap())


def _streams_cap() -> int:
    return int(current_app.config.get("LIVE_STREAMS_PER_PROCESS", DEFAULT_STREAMS_PER_PROCESS))


def _stream(study: Study, sessions: list[TestSession]) -> Response:
    cursor = _cursor()
    ids = [s.id for s in sessions]
    if not request.environ.get("wsgi.multithread"):
        # A sync worker would be held by one console; the console polls the feed instead.
        return _busy("this server's workers cannot hold streams (run gunicorn -k gthread); "
                     "poll the feed instead")
    slots = current_app.extensions.setdefault("uxlab.live_streams", StreamSlots())
    if not slots.take(_streams_cap()):
        return _busy("too many live streams on this server process; poll the feed instead")
    guest = _guest()
    account = None if guest is not None else (current_user.id, current_user.session_version)
    study_id = study.id
    close_db_session()  # give the request's connection back before streaming
    config = current_app.config
    db = database()
    if guest is not None:  # a revoked or expired link ends the guest's open stream too

        def still_allowed() -> bool:
            with db.read_sessions() as reading:
                return link_observer(reading, guest.guest_id) is not None
    else:  # so do a deactivation, a log-out elsewhere and a withdrawn role of an account

        def still_allowed() -> bool:
            with db.read_sessions() as reading:
                user, watched = reading.get(User, account[0]), reading.get(Study, study_id)
                return (user is not None and user.active and user.session_version == account[1]
                        and watched is not None
                        and session_role(reading, user, watched) is not None)
    stream_text = event_stream(
        live_poller(), ids, cursor, lifetime=config.get("LIVE_STREAM_SECONDS", LIFETIME),
        still_allowed=still_allowed,
        recheck=config.get("LIVE_ACCESS_RECHECK_SECONDS", ACCESS_RECHECK),
        heartbeat=config.get("LIVE_HEARTBEAT_SECONDS", HEARTBEAT))
    response = Response(stream_text, mimetype="text/event-stream")
    # Called when the server is done with the response, even one never read (client gone).
    response.call_on_close(slots.give_back)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def live_poller() -> LivePoller:
    """Return this process's poller (made on first use; its thread runs while streams do)."""
    extensions = current_app.extensions
    if "uxlab.live_poller" not in extensions:
        extensions.setdefault("uxlab.live_poller", LivePoller(
            database(), current_app.config.get("LIVE_POLL_SECONDS", POLL_SECONDS)))
    return extensions["uxlab.live_poller"]


def _busy(message: str):
    response = jsonify(error="busy", message=message, field=None)
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response


@bp.route("/<int:study_id>/live/stream")
def stream(study_id: int):
    """Server-Sent Events for the sessions named by ``?session=``, or the study's live ones
    (one stream per page)."""
    study, _ = _load(study_id)
    return _stream(study, _watched(study))


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/live/stream")
def session_stream(study_id: int, public_id: uuid.UUID):
    """Server-Sent Events for one session."""
    study, _ = _load(study_id)
    return _stream(study, [_session_of(study, public_id)])


def _feed(sessions: list[TestSession]):
    db = db_session()
    cursor = _cursor()
    events = live.events_after(db, [s.id for s in sessions], cursor)
    return jsonify(states=[live.session_state(db, s, with_plan=len(sessions) == 1)
                           for s in sessions], events=events,
                   cursor=events[-1]["id"] if events else cursor)


@bp.route("/<int:study_id>/live/feed")
def feed(study_id: int):
    """The stream's data as JSON: states now and events after ``?after=<cursor>``."""
    study, _ = _load(study_id)
    return _feed(_watched(study))


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/live/feed")
def session_feed(study_id: int, public_id: uuid.UUID):
    """One session's live data as JSON (states and events after ``?after=<cursor>``)."""
    study, _ = _load(study_id)
    return _feed([_session_of(study, public_id)])


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/live/<action>", methods=["POST"])
def act(study_id: int, public_id: uuid.UUID, action: str):
    """Run a moderator action (JSON body); answer the session's state, or an error naming the
    field."""
    arrived = utcnow()  # before any work, so queued actions' times stay exact
    if action not in ACTIONS:
        abort(404)
    study, _ = _load(study_id, moderate=True)
    test_session = _session_of(study, public_id)
    status, body = run_action(db_session(), study, test_session, current_user, action,
                              request.get_json(silent=True), arrived)
    if 200 <= status < 300:
        db_session().commit()
        body = {**body, "state": live.session_state(db_session(), test_session)}
    else:
        db_session().rollback()
    return jsonify(body), status


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/attempts/<int:attempt_id>/outcome",
          methods=["POST"])
def correct_outcome(study_id: int, public_id: uuid.UUID, attempt_id: int):
    """Correct an attempt's outcome after the session (from the session review), audited."""
    study, _ = _load(study_id, moderate=True)
    db = db_session()
    test_session = _session_of(study, public_id)
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.session_id != test_session.id:
        abort(404)
    try:
        judge(db, attempt, current_user, request.form.get("verdict", ""),
              request.form.get("reason", ""))
    except ControlError as exc:
        db.rollback()
        flash(f"{exc.field}: {exc.message}", "error")
    else:
        db.commit()
        flash(f"{attempt.task.title}: outcome now {VERDICT_LABELS[request.form['verdict']]}.",
              "success")
    return redirect(url_for("researcher.session_detail", study_id=study.id,
                            public_id=public_id), 303)


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/outcomes")
def outcome_corrections(study_id: int, public_id: uuid.UUID):
    """Correct a session's outcomes after it (moderators), each change audited."""
    study, _ = _load(study_id, moderate=True)
    test_session = _session_of(study, public_id)
    return render_template("moderation/outcomes.html", study=study, ts=test_session,
                           review=session_review(db_session(), study, test_session))


@bp.route("/<int:study_id>/sessions/<uuid:public_id>/audit")
def audit(study_id: int, public_id: uuid.UUID):
    """The session's moderation audit and who watched it."""
    study, role = _load(study_id)
    db = db_session()
    test_session = _session_of(study, public_id)
    entries = audit_trail(db, test_session)
    watched = live.watchers(db, test_session)
    users = {u.id: u.name or u.email for u in db.scalars(
        select(User).where(User.id.in_({e.user_id for e in entries if e.user_id})))}
    return render_template("moderation/audit.html", study=study, test_session=test_session,
                           entries=entries, watchers=watched, users=users)
