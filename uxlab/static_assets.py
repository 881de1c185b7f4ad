"""Static files under versioned URLs, so browsers keep them for a year without asking again.

Every template links a static file through ``static_url(filename)``, which adds ``?v=`` and a
hash of the file's content. A request carrying the current hash is answered with
``Cache-Control: public, max-age=31536000, immutable``: the URL changes whenever the file does, so
a participant's browser loads ``runner.js`` and the stylesheets once, not on every page. A request
without the hash, or with an old one (a page rendered before an upgrade), gets ``no-cache``: the
browser revalidates and so never keeps a stale file.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app, request, send_from_directory, url_for
from werkzeug.security import safe_join

#: One year, the longest lifetime RFC 9111 advises caches to honour.
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60


@lru_cache(maxsize=128)
def _content_hash(path: str, mtime_ns: int, size: int) -> str:
    # Keyed by modification time and size too, so a file changed on disk is hashed again.
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


def asset_version(filename: str) -> str | None:
    """Return the content hash of static file ``filename``, or None when there is no such file."""
    path = safe_join(current_app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return _content_hash(path, stat.st_mtime_ns, stat.st_size)


def static_url(filename: str, **values) -> str:
    """The URL of static file ``filename`` with its version (use instead of ``url_for('static')``)."""
    version = asset_version(filename)
    if version is not None:
        values["v"] = version
    return url_for("static", filename=filename, **values)


def send_static_file(filename: str):
    """Serve a static file: for a year when the URL names its current version, else no-cache."""
    versioned = request.args.get("v") is not None and request.args["v"] == asset_version(filename)
    response = send_from_directory(current_app.static_folder, filename,
                                   max_age=VERSIONED_MAX_AGE if versioned else 0)
    if versioned:
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    app.view_functions["static"] = send_static_file
    app.add_template_global(static_url)
