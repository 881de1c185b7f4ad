"""API tokens for the CX feed and the secrets of webhook sources.

A token is shown once, when it is made; only its SHA-256 is stored, so a copy of the database
opens nothing. A webhook source's secret must be kept as given: checking an HMAC needs it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import ApiToken, CxSource, User
from uxlab.timeutil import utcnow

TOKEN_PREFIX = "uxl_"
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
SOURCE_KINDS = ("generic", "delighted", "wootric")


class CredentialError(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, name: str, created_by: User | None = None
                     ) -> tuple[ApiToken, str]:
    """Make a token; return the row and the token itself (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise CredentialError("name", "a token needs a name of 1 to 200 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(token), prefix=token[:12],
                   created_by_id=created_by.id if created_by else None)
    session.add(row)
    session.flush()
    return row, token


def api_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_api_token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise CredentialError("token", f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def check_api_token(session: Session, token: str) -> ApiToken | None:
    """The live token ``token`` is, or None (unknown or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def create_source(session: Session, name: str, kind: str = "generic") -> tuple[CxSource, str]:
    """Register a webhook source; return it and its signing secret."""
    name = (name or "").strip().lower()
    if not SOURCE_NAME.match(name):
        raise CredentialError("name", "a source name is 1–100 lower-case letters, digits, "
                                      "'.', '_' or '-', starting with a letter or digit")
    if kind not in SOURCE_KINDS:
        raise CredentialError("kind", f"must be one of {', '.join(SOURCE_KINDS)}")
    if session.scalar(select(CxSource).where(CxSource.name == name)) is not None:
        raise CredentialError("name", f"a source named {name!r} exists already")
    secret = secrets.token_hex(32)
    source = CxSource(name=name, kind=kind, secret=secret)
    session.add(source)
    session.flush()
    return source, secret


def live_source(session: Session, name: str) -> CxSource | None:
    source = session.scalar(select(CxSource).where(CxSource.name == name))
    return source if source is not None and source.revoked_at is None else None


def signature_matches(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex HMAC-SHA256, optionally ``sha256=``-prefixed) signs ``body``."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = signature.strip().removeprefix("sha256=")
    return hmac.compare_digest(expected, given)
