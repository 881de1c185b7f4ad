"""Writing streamed rows as CSV or JSON text, a chunk at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from uxlab.csvutil import csv_line

#: Rows fetched per database round trip.
BATCH_ROWS = 2000
#: A chunk is handed on once it holds about this many characters.
CHUNK_CHARS = 64 * 1024


def stream(session: Session, statement) -> Iterator:
    """Execute a ``select`` of columns and yield its rows, :data:`BATCH_ROWS` at a time.

    ``yield_per`` turns on ``stream_results``: a server-side cursor on PostgreSQL, and on SQLite
    a cursor stepped as rows are fetched, so the result is never loaded whole. The statement runs
    on the session's connection (Core): rows of plain columns need nothing of the ORM, which
    costs about 40% more time per row.
    """
    session.flush()  # Core execution does not autoflush
    result = session.connection().execute(statement.execution_options(yield_per=BATCH_ROWS))
    try:
        yield from result
    finally:
        result.close()


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """Yield CSV text (header first) in chunks of whole lines, each row by :func:`csv_line`.

    Numbers are written as Python prints them (``41.0``, ``12.345``: the shortest text that reads
    back as the same float), ``None`` as an empty cell.
    """
    parts, size = [csv_line(header)], 0
    for row in rows:
        line = csv_line(row)
        parts.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)


def json_array_chunks(items: Iterable[str]) -> Iterator[str]:
    """Yield a JSON array of ``items`` (each already JSON text) in chunks, one item per line."""
    parts, size, first = ["["], 1, True
    for item in items:
        text = ("\n" if first else ",\n") + item
        first = False
        parts.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]" if not first else "]")
    yield "".join(parts)


def dumps(value) -> str:
    """Compact, strict JSON (no NaN), keeping non-ASCII text as is."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      default=_json_default)


def iso(value: datetime | None) -> str | None:
    """An aware UTC datetime as ISO 8601 (``2026-03-02T09:00:00+00:00``), or None."""
    return value.isoformat() if value is not None else None


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # UUIDs
