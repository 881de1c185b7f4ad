"""Log in, log out, and create the first (admin) account on a fresh installation."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required, login_user, logout_user

from uxlab.accounts.service import (
    AccountError,
    LoginThrottled,
    SetupClosed,
    authenticate,
    claim_login,
    create_first_admin,
    end_sessions,
    login_succeeded,
    record_login,
    user_count,
)
from uxlab.auth.forms import LoginForm, SetupForm
from uxlab.extensions import database, db_session
from uxlab.timeutil import utcnow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute URL here would make the login page an open redirect.
    # Browsers read a backslash as a slash, so /\evil.example is a scheme-relative URL too.
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//") and "\\" not in target \
            and not any(ord(c) < 32 for c in target):
        return target
    return url_for("researcher.study_list")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a researcher in."""
    with database().read_sessions() as reading:
        if user_count(reading) == 0:
            return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("researcher.study_list"))
    form = LoginForm()
    if form.validate_on_submit():
        email, client, now = form.email.data, request.remote_addr or "unknown", utcnow()
        session = db_session()
        try:
            claim_login(session, email, client, now)
        except LoginThrottled as exc:
            session.rollback()
            form.password.errors.append(
                f"Too many failed log-ins for this address. Try again in {exc.retry_after} "
                f"second{'s' if exc.retry_after != 1 else ''}.")
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(exc.retry_after)})
        session.commit()
        # The password hash is slow on purpose: it runs in a read transaction of its own, so it
        # does not hold the write lock (SQLite) that participants' events wait for.
        with database().read_sessions() as reading:
            user = authenticate(reading, email, form.password.data)
        if user is not None:
            login_succeeded(session, email, client)
            record_login(session, user.id, now)
            session.commit()
            # A fresh cookie: nothing of the anonymous session, its CSRF token included, is
            # carried into the logged-in one (session fixation).
            flask_session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong email or password.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first account (an admin) when the installation has none."""
    session = db_session()
    if user_count(session) > 0:
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = create_first_admin(session, form.email.data, form.password.data,
                                      name=form.name.data or "")
        except SetupClosed:
            session.rollback()
            flash("This installation has just been set up by someone else; log in.", "info")
            return redirect(url_for("auth.login"))
        except AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            session.commit()
            flask_session.clear()
            login_user(user)
            flash("Your admin account is ready.", "success")
            return redirect(url_for("researcher.study_list"))
    return render_template("auth/setup.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out."""
    session = db_session()
    end_sessions(session, current_user)
    session.commit()
    logout_user()
    flask_session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
