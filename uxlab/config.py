"""Configuration: defaults here, then ``UXLAB_*`` environment variables, then the caller's mapping.

Flask's ``from_prefixed_env("UXLAB")`` maps ``UXLAB_DATABASE_URL`` to ``DATABASE_URL`` and so on.

Where things live depends on how uxlab runs. From a repository (a clone, or ``pip install -e``)
the migrations, the demo study and the instance folder are the repository's own, as always. An
installed uxlab (a wheel, ``pip install .``) finds the migrations and the demo study in
``uxlab/bundled/`` (copied there by ``setup.py``) and keeps its instance folder, with the studies
folder inside it, in the user's data folder (``~/.local/share/uxlab`` on Linux), so the data does
not depend on the current directory and outlives the virtualenv.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from flask import Config

PACKAGE_DIR = Path(__file__).resolve().parent
#: In an installed uxlab: the repository's alembic.ini, migrations/ and studies/.
BUNDLED_DIR = PACKAGE_DIR / "bundled"


def source_checkout() -> Path | None:
    """Return the repository uxlab runs from (a clone or an editable install); None if installed."""
    root = PACKAGE_DIR.parent
    if BUNDLED_DIR.is_dir() or not (root / "migrations" / "env.py").is_file():
        return None
    return root


def shipped_data_dir() -> Path:
    """The folder holding ``alembic.ini``, ``migrations/`` and ``studies/`` (the demo study)."""
    return source_checkout() or BUNDLED_DIR


def default_instance_path() -> Path:
    """The repository's ``instance/``, or the user's data folder for an installed uxlab."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "instance"
    return Path(platformdirs.user_data_dir("uxlab", appauthor=False))


def default_studies_dir(instance_path: Path) -> Path:
    """The repository's ``studies/``, or ``studies/`` in the instance folder when installed."""
    checkout = source_checkout()
    return checkout / "studies" if checkout is not None else instance_path / "studies"


class DefaultConfig:
    #: SQLAlchemy URL; empty means a SQLite file in the instance folder.
    DATABASE_URL = ""
    #: PostgreSQL connections each process keeps open (None: SQLAlchemy's 5, plus 10 on demand).
    #: Set it to the threads per worker (gunicorn ``--threads``), see docs/deployment.md.
    DATABASE_POOL_SIZE: int | None = None
    #: Where study files and their prototype pages live; empty means :func:`default_studies_dir`.
    STUDIES_DIR = ""
    #: Refuse to serve a database whose schema is behind the code (off only for migration commands).
    CHECK_SCHEMA = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch should still submit
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    #: Reverse proxies in front of uxlab whose X-Forwarded-For is trusted (0: none). The log-in
    #: throttle keys failures by the client's address, which behind a proxy is in that header.
    TRUSTED_PROXIES = 0
    #: Behind a reverse proxy: how many proxies' X-Forwarded-* headers to believe (0: none), so
    #: that HTTPS is recognised (HSTS); the client's address is TRUSTED_PROXIES' business.
    PROXY_FIX = 0


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


def app_config(overrides: Mapping[str, Any] | None = None) -> Config:
    """The settings uxlab runs with: :class:`DefaultConfig`, then ``UXLAB_*`` variables, then
    ``overrides``; an empty ``DATABASE_URL`` or ``STUDIES_DIR`` becomes the instance folder's.

    The one reading of the configuration: the web app (:func:`uxlab.app.create_app`) takes its
    settings from here, and so do the CLI commands that only need the database or the studies
    folder, without building the app (its blueprints cost most of a small command's start-up).
    ``INSTANCE_PATH`` holds the resolved instance folder. The secret key is the app's business.
    """
    from flask import Config

    instance_path = (overrides or {}).get("INSTANCE_PATH") or os.environ.get(
        "UXLAB_INSTANCE_PATH") or default_instance_path()
    config = Config(str(PACKAGE_DIR))
    config.from_object(DefaultConfig)
    config.from_prefixed_env("UXLAB")
    if overrides:
        config.update(overrides)
    instance = Path(instance_path).resolve()
    config["INSTANCE_PATH"] = str(instance)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = default_database_url(instance)
    if not config["STUDIES_DIR"]:
        config["STUDIES_DIR"] = str(default_studies_dir(instance))
    return config


def configured_studies_dir() -> Path:
    """The studies folder as the app would configure it, for commands that need no database."""
    return Path(app_config()["STUDIES_DIR"])
