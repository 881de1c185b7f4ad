"""Log in, log out, and create the first (admin) account on a fresh installation."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from uxlab.accounts.service import (
    AccountError,
    LoginThrottled,
    SetupClosed,
    check_login,
    create_first_admin,
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
        now = utcnow()
        # The password hash is slow on purpose: it runs in a read transaction of its own, so it
        # does not hold the write lock (SQLite) that participants' events wait for.
        try:
            with database().read_sessions() as reading:
                user = check_login(reading, form.email.data, form.password.data, now)
        except LoginThrottled as exc:
            form.password.errors.append(
                f"Too many failed log-ins for this address. Try again in {exc.retry_after} "
                f"second{'s' if exc.retry_after != 1 else ''}.")
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(exc.retry_after)})
        session = db_session()
        record_login(session, form.email.data, user is not None, now)
        session.commit()
        if user is not None:
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
            login_user(user)
            flash("Your admin account is ready.", "success")
            return redirect(url_for("researcher.study_list"))
    return render_template("auth/setup.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
