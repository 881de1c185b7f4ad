"""Every user's own account: setting a password through a one-time link (an invitation or a
reset an admin issued), and changing one's password. The admin pages are :mod:`uxlab.admin`.

A set-password page is reached by its token only and asks for no email address, so it tells
nobody which addresses have accounts. Its token is in the URL: the pages say
``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``, as share links do.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required, login_user

from uxlab.accounts import administration
from uxlab.accounts.service import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    LoginThrottled,
    claim_login,
    login_succeeded,
)
from uxlab.auth.forms import ChangePasswordForm, SetPasswordForm, show_account_error
from uxlab.extensions import database, db_session
from uxlab.timeutil import utcnow

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.after_request
def private_headers(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _gone(exc: administration.LinkGone):
    return render_template("auth/link_gone.html", status=exc.status, link=exc.link), 410


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set a password with a one-time link, then log in (410 once the link has ended)."""
    # Looked up in a read transaction: the slow password hash of a POST then runs before the
    # write transaction's first statement, so it holds no write lock (SQLite) meanwhile.
    with database().read_sessions() as reading:
        try:
            link = administration.open_link(reading, token)
        except administration.LinkGone as exc:
            return _gone(exc)
        if link is None:
            abort(404)
        shown = {"email": link.user.email, "purpose": link.purpose,
                 "expires_at": link.expires_at}
    form = SetPasswordForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            user = administration.use_link(session, token, form.password.data)
        except administration.LinkGone as exc:
            session.rollback()
            return _gone(exc)
        except AccountError as exc:
            session.rollback()
            show_account_error(form, exc)
        else:
            if user is None:
                abort(404)
            session.commit()
            # A fresh cookie for the account: nothing of whoever used this browser before.
            flask_session.clear()
            login_user(user)
            flash("Your password is set; you are logged in.", "success")
            return redirect(url_for("researcher.study_list"), 303)
    return render_template("auth/set_password.html", form=form, link=shown,
                           min_length=MIN_PASSWORD_LENGTH), 400 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; one's other sessions end, this one stays logged in.

    Guesses at the current password are slowed down as log-ins are (the same counter per
    address and client), so that a session left open does not let someone try passwords."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = db_session()
        email, client = current_user.email, request.remote_addr or "unknown"
        try:
            claim_login(session, email, client, utcnow())
        except LoginThrottled as exc:
            session.rollback()
            form.current.errors.append(
                f"Too many wrong passwords. Try again in {exc.retry_after} "
                f"second{'s' if exc.retry_after != 1 else ''}.")
            return (render_template("auth/change_password.html", form=form), 429,
                    {"Retry-After": str(exc.retry_after)})
        session.commit()
        try:
            administration.change_own_password(session, current_user, form.current.data,
                                               form.password.data)
        except AccountError as exc:
            session.rollback()
            if exc.field != "current":  # the password was right: the claim is taken back
                login_succeeded(session, email, client)
                session.commit()
            show_account_error(form, exc)
        else:
            login_succeeded(session, email, client)
            session.commit()
            user = current_user._get_current_object()
            flask_session.clear()
            login_user(user)  # the cookie now carries the new session version
            flash("Your password is changed; your other sessions are logged out.", "success")
            return redirect(url_for("account.password"), 303)
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
