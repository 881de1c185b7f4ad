"""Configuration: defaults here, then ``UXLAB_*`` environment variables, then the caller's mapping.

Flask's ``from_prefixed_env("UXLAB")`` maps ``UXLAB_DATABASE_URL`` to ``DATABASE_URL`` and so on.
"""

from __future__ import annotations

import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    #: SQLAlchemy URL; empty means a SQLite file in the instance folder.
    DATABASE_URL = ""
    #: Where study files and their prototype pages live.
    STUDIES_DIR = str(PROJECT_ROOT / "studies")
    #: Refuse to serve a database whose schema is behind the code (off only for migration commands).
    CHECK_SCHEMA = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch should still submit
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


def instance_secret_key(instance_path: Path) -> str:
    """Return the secret key stored in the instance folder, generating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'uxlab.sqlite'}"


def configured_studies_dir() -> Path:
    """The studies folder as the app would configure it (``UXLAB_STUDIES_DIR`` or the default),
    for commands that need no app or database."""
    from flask import Config

    config = Config(root_path=str(PROJECT_ROOT))
    config.from_object(DefaultConfig)
    config.from_prefixed_env("UXLAB")
    return Path(config["STUDIES_DIR"])
