"""The admin pages: accounts, their changes, and the account audit (admins only)."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from uxlab.accounts import administration, audit
from uxlab.accounts.password_links import LINK_LIFETIME, open_links
from uxlab.accounts.service import AccountError
from uxlab.admin.forms import InviteForm, RoleForm
from uxlab.auth.forms import show_account_error
from uxlab.extensions import db_session
from uxlab.models import AccountAudit, User
from uxlab.researcher.blueprint import confirmation_page
from uxlab.researcher.forms import ConfirmForm
from uxlab.timeutil import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    """Only admins; everyone else logged in is refused (403)."""
    # login_required lets OPTIONS through (CORS preflights), anonymous visitors included.
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(403)


@bp.after_request
def private_headers(response):
    """Account pages, and the one-time links on them, stay out of caches."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _flash_error(exc: AccountError) -> None:
    flash(exc.message[0].upper() + exc.message[1:] + ".", "error")


def _account(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
def users():
    """List every account with its role and state."""
    session = db_session()
    return render_template("admin/users.html", users=administration.accounts(session),
                           links=open_links(session, utcnow()))


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    """Create an account by invitation: its one-time set-password link is shown once."""
    form = InviteForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            user, token = administration.invite(session, current_user, form.email.data,
                                                form.name.data or "", form.role.data)
        except AccountError as exc:
            session.rollback()
            show_account_error(form, exc)
        else:
            session.commit()
            return _link_page(user, token, "invitation")
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


def _link_page(user: User, token: str, purpose: str):
    url = url_for("account.set_password", token=token, _external=True)
    return render_template("admin/link.html", user=user, url=url, purpose=purpose,
                           lifetime_days=LINK_LIFETIME.days)


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    """One account: its facts, its role, what can be done to it, and its audit."""
    return _detail_page(_account(user_id), RoleForm(formdata=None))


def _detail_page(user: User, role_form: RoleForm, status: int = 200):
    session = db_session()
    role_form.role.data = role_form.role.data or user.role
    history = session.scalars(select(AccountAudit).where(AccountAudit.target_id == user.id)
                              .order_by(AccountAudit.at.desc(), AccountAudit.id.desc())
                              .limit(20))
    return render_template("admin/user.html", user=user, role_form=role_form,
                           confirm=ConfirmForm(), link=open_links(session, utcnow()).get(user.id),
                           history=list(history)), status


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    """Change an account's role."""
    user = _account(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            administration.change_role(session, current_user, user, form.role.data)
        except AccountError as exc:
            session.rollback()
            show_account_error(form, exc)
        else:
            session.commit()
            flash(f"{user.email} is now {user.role}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return _detail_page(db_session().get(User, user_id), form, 400)


def _confirmed_form(user_id: int) -> User:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _account(user_id)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):
    """Deactivate an account (after a confirmation page): its sessions end at once."""
    user = _confirmed_form(user_id)
    page = confirmation_page(
        f"Deactivate {user.email}?",
        "They are logged out at once, everywhere, and cannot log in until an admin re-activates "
        "the account. Their studies, notes and data stay as they are; any set-password link of "
        "theirs stops working.", "Deactivate the account",
        url_for("admin.user_detail", user_id=user.id))
    if page is not None:
        return page
    return _act(user, administration.deactivate, f"{user.email} is deactivated.")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    """Let a deactivated account log in again."""
    user = _confirmed_form(user_id)
    return _act(user, administration.reactivate, f"{user.email} can log in again.")


def _act(user: User, change, done: str):
    session = db_session()
    try:
        change(session, current_user, user)
    except AccountError as exc:
        session.rollback()
        _flash_error(exc)
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/link", methods=["POST"])
def issue_link(user_id: int):
    """Issue a password reset (or a new invitation, before a password is set); shown once."""
    user = _confirmed_form(user_id)
    session = db_session()
    try:
        token = administration.issue_reset(session, current_user, user)
    except AccountError as exc:
        session.rollback()
        _flash_error(exc)
        return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    session.commit()
    return _link_page(user, token, "reset" if user.has_password else "invitation")


@bp.route("/audit")
def audit_log():
    """The account audit, newest first, a page at a time."""
    page = request.args.get("page", "1")
    # isdigit() is also true of "²" and other digits int() refuses.
    number = int(page) if re.fullmatch(r"[0-9]{1,8}", page) else 1
    return render_template("admin/audit.html",
                           page=audit.audit_page(db_session(), number))
