"""Ingestion tokens: what lets a beacon, which may carry no cookie, post a session's events."""

from __future__ import annotations

import uuid

from flask import Flask
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "uxlab-ingest"


def _serializer(app: Flask) -> URLSafeSerializer:
    # The salt keeps these tokens from being valid anywhere else the secret key signs things.
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)


def ingest_token(app: Flask, public_id: uuid.UUID | str) -> str:
    """Return a token that lets its bearer post events to session ``public_id`` (only)."""
    return _serializer(app).dumps(str(public_id))


def token_allows(app: Flask, token: str, public_id: uuid.UUID | str) -> bool:
    """Tell whether ``token`` is a valid ingestion token for session ``public_id``."""
    try:
        return _serializer(app).loads(token) == str(public_id)
    except BadSignature:
        return False
