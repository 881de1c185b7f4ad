"""The ingestion server's ASGI app: ``POST /api/v1/sessions/<id>/events``, and nothing else.

Run by gunicorn with uvicorn's worker (uvloop, httptools)::

    gunicorn -k uvicorn_worker.UvicornWorker --workers 2 --keep-alive 75 \\
        'uxlab.ingest.asgi:create_ingest_app()'

Each request is read, parsed and checked on the event loop with the events endpoint's own
functions (:mod:`uxlab.api.event_batches`: the same body limit, JSON parsing, 415, cookie, event
checks); its batch then goes to the process's :class:`~uxlab.ingest.writer.GroupWriter`, and the
answer (status, JSON body, headers) is the one Flask's route gives. Any other method or path is
answered as the API answers it: a JSON 404, or 405 with ``Allow``.
"""

from __future__ import annotations

import gc
import uuid
from typing import Any

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from uxlab.api.common import ApiError, body_over_limit, http_error, refuse_oversized
from uxlab.api.event_batches import (
    answer_body,
    answer_headers,
    body_limit,
    internal_error,
    request_batch,
    require_json_body,
    store_batches,
)
from uxlab.api.events_wsgi import EVENTS_PATH
from uxlab.app import configured_app
from uxlab.db import Database
from uxlab.ingest.writer import POSTGRESQL_WRITERS, GroupWriter
from uxlab.schema import open_database

#: The methods the events path takes (as Flask lists them in a 405's ``Allow``).
ALLOWED = ("OPTIONS", "POST")


class ClientGone(Exception):
    """The client closed the connection before its body had arrived."""


class IngestApp:
    """ASGI 3 app answering the recorder's batches with group commit."""

    def __init__(self, app: Flask, db: Database):
        #: The configuration, secret key and session interface, as the web app has them.
        self.app = app
        self.db = db
        self.writer = GroupWriter(lambda batches: store_batches(app, db, batches),
                                  threads=1 if db.is_sqlite else POSTGRESQL_WRITERS)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here: the server refuses the handshake
        match = EVENTS_PATH.fullmatch(scope["path"])
        if match is None:
            error = http_error(NotFound())
            status, answer, extra = error.status, error.body(), error.headers
        elif scope["method"] == "OPTIONS":
            await self._send(send, scope, 200, b"", {"Allow": ", ".join(ALLOWED)})
            return
        elif scope["method"] != "POST":
            error = http_error(MethodNotAllowed(valid_methods=ALLOWED))
            status, answer, extra = error.status, error.body(), error.headers
        else:
            try:
                status, answer, extra = await self.answer(scope, receive, uuid.UUID(match[1]))
            except ClientGone:
                return
        await self._send(send, scope, status, answer_body(self.app, answer), extra)

    async def answer(self, scope, receive, public_id: uuid.UUID
                     ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The status, JSON answer and extra headers of one events request."""
        headers = _headers(scope)
        try:
            require_json_body(headers.get("content-type"))
            raw = await _read_body(receive, _content_length(headers), body_limit(self.app))
            batch = request_batch(self.app, public_id, raw, headers.get("cookie"))
            outcome = await self.writer.submit(batch)
        except ClientGone:
            raise
        except Exception as exc:  # noqa: BLE001  # an ApiError, or answered as Flask would
            outcome = exc
        if isinstance(outcome, ApiError):
            return outcome.status, outcome.body(), outcome.headers
        if isinstance(outcome, Exception):
            return internal_error(self.app, scope["path"], outcome)
        return 200, outcome, {}

    async def _send(self, send, scope, status: int, body: bytes, extra: dict[str, str]) -> None:
        headers = {**answer_headers(extra, scope.get("scheme") == "https"),
                   "Content-Length": str(len(body))}
        if not body:  # OPTIONS: Flask's empty answer, of its default type
            headers["Content-Type"] = "text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})
        # A HEAD answer has the headers of its GET answer (its length too) and no body.
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.writer.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        """Store what is queued, stop the writer and close the database's connections."""
        self.writer.stop()
        self.db.dispose()


def _headers(scope) -> dict[str, str]:
    """The request's headers by lower-case name (a repeated one: its last value)."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


async def _read_body(receive, content_length: int | None, limit: int) -> bytes:
    """The request's body, refusing (413) one over ``limit`` bytes, before reading it if its
    ``Content-Length`` says so, else as soon as it has passed the limit (a chunked body)."""
    refuse_oversized(content_length, limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise body_over_limit(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def create_ingest_app(config: dict[str, Any] | None = None) -> IngestApp:
    """Create the ingestion server's app with the web app's configuration (``UXLAB_*``
    variables, then ``config``): the same database, secret key and limits."""
    app = configured_app(config)
    db = open_database(app.config["DATABASE_URL"], check_schema=app.config["CHECK_SCHEMA"],
                       pool_size=app.config["DATABASE_POOL_SIZE"])
    # What the app's imports made lives as long as the worker: kept out of the collector's full
    # collections, which would otherwise walk it all again, pausing the event loop.
    gc.freeze()
    return IngestApp(app, db)
