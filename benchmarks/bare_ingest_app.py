"""The baseline of the ingestion benchmark: a bare Flask endpoint, one Core INSERT per batch.

No validation, no authentication, no session lookup: it maps the batch's fields to the columns of
the same ``events`` table and inserts them with one ``INSERT … ON CONFLICT DO NOTHING``, on an
engine with the same SQLite settings as uxlab (WAL, synchronous=NORMAL, busy timeout), or on
PostgreSQL with SQLAlchemy's defaults. Served by gunicorn from ``benchmarks/ingest_bench.py`` and
``benchmarks/load_bench.py``; the database comes from ``BARE_DATABASE_URL``.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

from uxlab.models import Event

EVENTS = Event.__table__


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["BARE_DATABASE_URL"]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()
    else:
        engine = create_engine(url)
    insert = (sqlite if engine.dialect.name == "sqlite" else postgresql).insert
    statement = insert(EVENTS).on_conflict_do_nothing(index_elements=["session_id", "event_uuid"])

    @app.post("/bare/sessions/<int:session_id>/events")
    def post_events(session_id: int):
        now = datetime.now(UTC)
        rows = [{
            "session_id": session_id, "event_uuid": uuid.UUID(e["id"]), "seq": e["seq"],
            "tab_id": e["tab"], "attempt_id": e.get("attempt"), "type": e["type"],
            "client_ts_ms": e["t"], "received_at": now, "x": e.get("x"), "y": e.get("y"),
            "target": e.get("target"), "url": e.get("url"), "payload": e.get("data") or {},
        } for e in request.get_json()["events"]]
        with engine.begin() as connection:
            connection.execute(statement, rows)
        return jsonify(stored=len(rows))

    return app


app = create_app() if "BARE_DATABASE_URL" in os.environ else None
