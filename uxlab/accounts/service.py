"""Accounts: creation, authentication, and the one place that decides study access."""

from __future__ import annotations

import math
import re
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from uxlab.accounts import audit, throttle
from uxlab.models import Study, StudyMember, User
from uxlab.models.accounts import ROLES

MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: Werkzeug's scrypt: memory-hard, in the standard library's hashlib, no extra dependency.
PASSWORD_METHOD = "scrypt"
#: Key of the PostgreSQL advisory lock that makes first-run set-ups take turns.
SETUP_LOCK_KEY = 0x75786C6162  # "uxlab"


class AccountError(ValueError):
    """A problem with account input; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SetupClosed(Exception):
    """The installation already has an account, so the first-run set-up is over."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str) -> None:
    if not EMAIL_PATTERN.match(normalize_email(email)) or len(normalize_email(email)) > 254:
        raise AccountError("email", f"{email!r} is not an email address")


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")


def validate_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError("role", f"must be one of {', '.join(ROLES)}")


def validate_account(email: str, password: str, role: str) -> None:
    """Raise :class:`AccountError` naming the first bad field."""
    validate_email(email)
    validate_password(password)
    validate_role(role)


def hash_password(password: str) -> str:
    """The stored form of ``password`` (slow on purpose: compute it before taking write locks)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


def email_taken(session: Session, email: str) -> AccountError | None:
    """The error to raise if an account for ``email`` exists, else None."""
    email = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        return AccountError("email", f"an account for {email} already exists")
    return None


def create_user(
    session: Session, email: str, password: str, role: str = "researcher", name: str = ""
) -> User:
    """Create an account; raise :class:`AccountError` if input is bad or the email is taken."""
    validate_account(email, password, role)
    return add_user(session, email, hash_password(password), role=role, name=name)


def add_user(session: Session, email: str, password_hash: str, role: str, name: str) -> User:
    """Insert an account (an empty ``password_hash``: invited, cannot log in yet); raise
    :class:`AccountError` if the email is taken or the name too long."""
    validate_email(email)
    validate_role(role)
    if len(name.strip()) > 200:
        raise AccountError("name", "must be at most 200 characters")
    email = normalize_email(email)
    taken = email_taken(session, email)
    if taken is not None:
        raise taken
    user = User(email=email, name=name.strip(), role=role, password_hash=password_hash)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Created by someone else between the check and the insert (PostgreSQL): say so.
        taken = email_taken(session, email)
        if taken is not None:
            raise taken from None
        raise
    return user


def create_first_admin(session: Session, email: str, password: str, name: str = "") -> User:
    """Create the installation's first account, an admin; raise :class:`SetupClosed` if any exists.

    Two people sending the first-run form at once must not both become admins, so the count and
    the insert take turns: on SQLite through the write lock (write transactions begin
    IMMEDIATE), on PostgreSQL through a transaction-scoped advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(SETUP_LOCK_KEY)))
    if user_count(session) > 0:
        raise SetupClosed
    user = create_user(session, email, password, role="admin", name=name)
    session.flush()
    audit.record(session, user, user, "created", role="admin", via="first-run set-up")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.active or not password_matches(user, password):
        return None
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s (never for an invited account without one)."""
    return user.has_password and check_password_hash(user.password_hash, password)


def record_login(session: Session, user_id: int, now: datetime) -> None:
    """Remember when the account last logged in (shown to admins)."""
    session.execute(update(User).where(User.id == user_id).values(last_login_at=now))


class LoginThrottled(Exception):
    """Too many failed log-ins for an address: the next try must wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"try again in {retry_after} s")
        self.retry_after = retry_after


def claim_login(session: Session, email: str, client: str, now: datetime) -> None:
    """Claim one password check for ``email`` from ``client`` (:mod:`uxlab.accounts.throttle`);
    raise :class:`LoginThrottled` while they must wait. Counted as a failure until
    :func:`login_succeeded` takes it back. The caller commits a claim, so that the slow password
    hash then runs outside any write transaction (on SQLite that would hold up every other
    writer, participants' events among them), and rolls back when throttled."""
    wait = throttle.claim_attempt(session, normalize_email(email), client, now)
    if wait is not None:
        raise LoginThrottled(max(1, math.ceil(wait.total_seconds())))


def login_succeeded(session: Session, email: str, client: str) -> None:
    """Take back the claim of a log-in that succeeded and clear the client's failures."""
    throttle.take_back(session, normalize_email(email), client)


def parse_session_user_id(value: str) -> tuple[int, int] | None:
    """Split the ``"<user id>:<session version>"`` of a session cookie; None if malformed."""
    user_id, _, version = value.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def user_for_session(session: Session, value: str) -> User | None:
    """Return the active user a session cookie's id names, if its session version is current."""
    parsed = parse_session_user_id(value)
    if parsed is None:
        return None
    user = session.get(User, parsed[0])
    if user is None or not user.active or user.session_version != parsed[1]:
        return None
    return user


def end_sessions(session: Session, user: User) -> None:
    """Refuse every session cookie issued to ``user`` so far (log-out, deactivation)."""
    session.execute(update(User).where(User.id == user.id)
                    .values(session_version=User.session_version + 1))


def user_count(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def accessible_studies(user: User):
    """Return a ``select`` of the studies ``user`` may see (admins: all)."""
    query = select(Study)
    if not user.is_admin:
        member_of = select(StudyMember.study_id).where(StudyMember.user_id == user.id)
        query = query.where(or_(Study.owner_id == user.id, Study.id.in_(member_of)))
    return query


def access_level(session: Session, user: User, study: Study) -> str | None:
    """Return ``owner``, ``editor``, ``viewer`` or None (no access) for ``user`` on ``study``."""
    if user.is_admin or study.owner_id == user.id:
        return "owner"
    return session.scalar(
        select(StudyMember.access).where(
            StudyMember.study_id == study.id, StudyMember.user_id == user.id
        )
    )


def can_edit(session: Session, user: User, study: Study) -> bool:
    return user.role != "observer" and access_level(session, user, study) in ("owner", "editor")


def grant_access(session: Session, study: Study, user: User, access: str) -> StudyMember:
    """Give ``user`` ``access`` to ``study`` (replacing an earlier grant)."""
    member = session.scalar(
        select(StudyMember).where(StudyMember.study_id == study.id, StudyMember.user_id == user.id)
    )
    if member is None:
        member = StudyMember(study_id=study.id, user_id=user.id, access=access)
        session.add(member)
    else:
        member.access = access
    session.flush()
    return member
