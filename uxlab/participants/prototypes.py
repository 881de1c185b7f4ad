"""Serving local prototypes from the studies folder, with the recorder injected into pages."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory
from werkzeug.security import safe_join

from uxlab.participants.errors import message_page
from uxlab.security_headers import serve_as_prototype
from uxlab.studies.runnable import is_served

bp = Blueprint("prototypes", __name__, url_prefix="/prototypes")


def recorder_tag(static_folder: str | Path) -> str:
    """The recorder inline, not by ``src``: a page that arrived is recorded even when the
    participant's network drops before a second request for the script could be answered."""
    code = (Path(static_folder) / "recorder.js").read_text(encoding="utf-8")
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise ValueError("recorder.js cannot be inlined: it contains </script or <!--")
    return f"<script data-uxlab-recorder>{code}</script>"


# What may come before the recorder: space, comments (ended as HTML ends them: "<!-->" and
# "--!>" too), an XML declaration, the doctype, and the <html> and <head> start tags (attributes
# quoted or not). It stops at anything else, never inside a tag: a script before the doctype
# would put the page in quirks mode.
_ATTRIBUTES = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>"""
_PREAMBLE = re.compile(
    rf"\A\ufeff?(?:\s+|<!--(?:-?>|.*?--!?>)|<\?[^>]*>|<![^>]*>|<html{_ATTRIBUTES}|<head{_ATTRIBUTES})*",
    re.IGNORECASE | re.DOTALL)


def insert_recorder(html: str, tag: str) -> str:
    """``tag`` placed before the page's first element, after its doctype and ``<head>`` tag.

    Early, so that it listens before anything can be clicked: on a slow network a long page
    shows its top, and takes clicks, while its end is still arriving. A script there runs
    before the ``<title>`` is parsed, so the recorder reads the title later (``recorder.js``).
    """
    at = _PREAMBLE.match(html).end()
    return html[:at] + tag + html[at:]


def inject_recorder(html: str) -> str:
    """The page with uxlab's recorder inline (:func:`insert_recorder`)."""
    return insert_recorder(html, recorder_tag(current_app.static_folder))


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_page(raw: bytes) -> str:
    """The text of a prototype's HTML page, whatever its encoding.

    UTF-8 (with or without a byte-order mark) first; else the charset a ``<meta>`` near the top
    declares; else windows-1252, the HTML standard's fallback for legacy pages (it decodes any
    bytes). The page is then served as UTF-8: the HTTP header's charset wins over the ``<meta>``.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")


def local_file(studies_dir: str | Path, path: str) -> tuple[Path, str] | None:
    """Return the file ``/prototypes/<path>`` serves (and its path under the studies folder), or
    None when there is none to serve: outside the folder (also through a symbolic link), hidden,
    not a web file type (a study definition, a backup, a script), missing."""
    root = Path(studies_dir).resolve()
    full = safe_join(str(root), path)
    if full is None:
        return None
    target = Path(full)
    if target.is_dir():
        target = target / "index.html"
        path = path.rstrip("/") + "/index.html"
    if not target.is_file() or not is_served(Path(path).as_posix()):
        return None
    if root not in target.resolve().parents:  # a link pointing out of the studies folder
        return None
    return target, path


@bp.errorhandler(404)
def not_in_prototype(exc):
    """A page the prototype lacks, shown inside the participant's task: a sentence, and no link
    (neither into the researcher side nor to the runner, which would open inside itself)."""
    return message_page("Page not found", "This page is not part of the website being tested. "
                        "Please go back to the previous page.", 404)


@bp.route("/<path:path>")
def serve(path: str):
    """Serve a file of a local prototype; HTML pages get the recorder."""
    found = local_file(current_app.config["STUDIES_DIR"], path)
    if found is None:
        abort(404)
    target, path = found
    root = Path(current_app.config["STUDIES_DIR"]).resolve()
    serve_as_prototype()
    if target.suffix.lower() in (".html", ".htm"):
        response = Response(inject_recorder(decode_page(target.read_bytes())),
                            mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"
        return response
    return send_from_directory(root, path, max_age=300)
