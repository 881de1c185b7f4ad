"""Who owns a study loaded from a file: the account named, or the only account that could.

A study nobody can see is as good as lost, so when several accounts could own a new study the
owner is not guessed: the caller must name one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Study, User

#: Roles that may own a study (observers watch and read, as in the web UI).
OWNER_ROLES = ("admin", "researcher")


class OwnerError(ValueError):
    """The named account cannot own the study, or several accounts could; the message says which."""


def owner_for_new_study(session: Session, email: str | None) -> User | None:
    """Return the owner of a study about to be created from a file.

    The account with ``email`` if given (it must be an active admin or researcher); without it,
    the only active admin or researcher. Several such accounts raise :class:`OwnerError` naming
    them; with none the study has no owner (admins see every study).
    """
    if email:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise OwnerError(f"no account {email}")
        if not user.active:
            raise OwnerError(f"the account {user.email} is deactivated")
        if user.role not in OWNER_ROLES:
            raise OwnerError(f"{user.email} is an {user.role} account, which cannot own studies")
        return user
    candidates = session.scalars(
        select(User).where(User.active, User.role.in_(OWNER_ROLES)).order_by(User.email).limit(4)
    ).all()
    if len(candidates) > 1:
        listed = ", ".join(user.email for user in candidates[:3])
        more = ", …" if len(candidates) > 3 else ""
        raise OwnerError(f"several accounts could own it ({listed}{more}); say which")
    return candidates[0] if candidates else None


def describe_owner(study: Study) -> str:
    """"owned by EMAIL", or who can see a study that has no owner."""
    if study.owner is not None:
        return f"owned by {study.owner.email}"
    return "with no owner: only admins see it"
