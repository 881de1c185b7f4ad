"""Ingestion tokens: what lets a beacon, which may carry no cookie, post a session's events.

A token names one session and expires: the task page issues a fresh one each time it is shown,
and a token is accepted for ``INGEST_TOKEN_MAX_AGE_S`` seconds from then (default
:data:`DEFAULT_MAX_AGE_S`, 12 hours: longer than any sitting, so a participant mid-task never
meets it, yet a token copied from a page stops working the same day).
"""

from __future__ import annotations

import uuid
from enum import Enum

from flask import Flask
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "uxlab-ingest"
DEFAULT_MAX_AGE_S = 12 * 3600


class TokenCheck(Enum):
    """What a token says about a session: it may post, it did but has expired, or it may not."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    # The salt keeps these tokens from being valid anywhere else the secret key signs things.
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)


def max_age_s(app: Flask) -> int:
    """How long a token is accepted after it was issued, in seconds."""
    return int(app.config.get("INGEST_TOKEN_MAX_AGE_S", DEFAULT_MAX_AGE_S))


def ingest_token(app: Flask, public_id: uuid.UUID | str) -> str:
    """Return a token that lets its bearer post events to session ``public_id`` (only), for
    :func:`max_age_s` seconds from now."""
    return _serializer(app).dumps(str(public_id))


def check_token(app: Flask, token: str, public_id: uuid.UUID | str) -> TokenCheck:
    """Tell whether ``token`` lets its bearer post to session ``public_id`` now."""
    try:
        named = _serializer(app).loads(token, max_age=max_age_s(app))
    except SignatureExpired as exc:
        # The signature is good, so the payload is ours: an expired token of this session.
        return TokenCheck.EXPIRED if exc.payload is not None and _session_of(
            app, exc.payload) == str(public_id) else TokenCheck.INVALID
    except BadSignature:
        return TokenCheck.INVALID
    return TokenCheck.VALID if named == str(public_id) else TokenCheck.INVALID


def _session_of(app: Flask, payload: bytes) -> str | None:
    try:
        return _serializer(app).load_payload(payload)
    except BadSignature:
        return None
