"""The events endpoint's own WSGI entry: the recorder's batches without Flask's request machinery.

``POST /api/v1/sessions/<id>/events`` is most of what a busy server does: one batch per live
participant every 5 s, 800 requests a second at 4,000 participants on two cores. Around the
endpoint's own work, Flask spent about a third of a worker's CPU per request (request and app
contexts, routing over every rule, hooks, the response object, teardown; docs/performance.md).
:class:`EventsEndpoint` wraps the app's ``wsgi_app``, answers that one method and path itself and
hands every other request to Flask unchanged.

It runs the same rules as Flask's route, once: the body is read and parsed by
:mod:`uxlab.api.common`'s functions, the participant's signed session is opened by the app's own
session interface, the batch goes through :mod:`uxlab.api.event_batches`, and the answer
has Flask's JSON body, status and headers (security headers from :mod:`uxlab.security_headers`,
``Vary: Cookie``, ``Retry-After`` on a 503). tests/api/test_events_wsgi.py holds it, Flask's route
and the ingestion server (:mod:`uxlab.ingest`) to the same answers.

What it is not: a second router. Anything but a POST to exactly that path (another method, an
id that is not a UUID, a trailing slash) goes to Flask, which answers as for every URL.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from uxlab.api.common import ApiError, read_limited, refuse_oversized
from uxlab.api.event_batches import (
    answer_body,
    answer_headers,
    body_limit,
    internal_error,
    request_batch,
    require_json_body,
    store_batch,
)

#: The events route of ``uxlab.api`` (``/sessions/<uuid:public_id>/events`` under ``/api/v1``),
#: with werkzeug's UUID converter's pattern.
EVENTS_PATH = re.compile(r"/api/v1/sessions/([A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-"
                         r"[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12})/events")


class EventsEndpoint:
    """WSGI middleware: answers the events endpoint, passes everything else to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        match = EVENTS_PATH.fullmatch(environ.get("PATH_INFO", "")) \
            if environ.get("REQUEST_METHOD") == "POST" else None
        if match is None:
            return self.wsgi_app(environ, start_response)
        status, answer, headers = self.answer(environ, uuid.UUID(match[1]))
        body = answer_body(self.app, answer)
        headers = {**answer_headers(headers, environ.get("wsgi.url_scheme") == "https"),
                   "Content-Length": str(len(body))}
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", list(headers.items()))
        return [body]

    def answer(self, environ, public_id: uuid.UUID) -> tuple[int, dict, dict[str, str]]:
        """The status, JSON answer and extra headers of one events request."""
        app = self.app
        try:
            require_json_body(environ.get("CONTENT_TYPE"))
            limit, length = body_limit(app), get_content_length(environ)
            refuse_oversized(length, limit)
            # One byte past the limit may be read: that is how read_limited tells a body over it.
            raw = read_limited(get_input_stream(environ, max_content_length=limit + 1), length,
                               limit)
            batch = request_batch(app, public_id, raw, environ.get("HTTP_COOKIE"))
            return 200, store_batch(app, app.extensions["uxlab.db"], batch), {}
        except ApiError as exc:
            return exc.status, exc.body(), exc.headers
        except Exception as exc:  # noqa: BLE001  # answered as Flask answers it
            return internal_error(app, environ.get("PATH_INFO", ""), exc)
