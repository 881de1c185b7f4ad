"""Flask extensions as module-level objects, wired to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from uxlab.db import Database

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def database() -> Database:
    return current_app.extensions["uxlab.db"]


def db_session() -> Session:
    """Return this request's session: a writer for POST/PUT/PATCH/DELETE, a reader otherwise."""
    if "db_session" not in g:
        db = database()
        factory = db.write_sessions if request.method in WRITE_METHODS else db.read_sessions
        g.db_session = factory()
    return g.db_session


def close_db_session(exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
