"""Calling an ASGI app in-process, answering like Flask's test client (for parity tests)."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import urlsplit

from werkzeug.wrappers import Response


def http_scope(method: str, path: str, headers: dict[str, str], scheme: str = "http") -> dict:
    """An ASGI ``http`` scope for a request from 127.0.0.1."""
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": scheme, "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
            "server": ("localhost", 443 if scheme == "https" else 80),
            "headers": [(name.lower().encode("latin-1"), value.encode("latin-1"))
                        for name, value in headers.items()]}


async def call(app, method: str, path: str, body: bytes = b"",
               headers: dict[str, str] | None = None, scheme: str = "http") -> Response:
    """Send one request through ``app``; return its answer as a werkzeug response."""
    headers = {"Content-Length": str(len(body)), **(headers or {})}
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive():
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(http_scope(method, path, headers, scheme), receive, send)
    start, *bodies = sent
    return Response(b"".join(message.get("body", b"") for message in bodies),
                    status=start["status"],
                    headers=[(name.decode(), value.decode()) for name, value in start["headers"]])


class AsgiClient:
    """Flask's test-client ``open`` over an ASGI app, one event loop per request."""

    def __init__(self, app):
        self.app = app

    def open(self, url: str, method: str = "GET", data: bytes | str = b"",
             content_type: str = "", headers: dict[str, str] | None = None,
             base_url: str = "http://localhost") -> Response:
        headers = dict(headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        body = data.encode() if isinstance(data, str) else data
        return asyncio.run(call(self.app, method, url, body, headers,
                                urlsplit(base_url).scheme))


def writer_threads_since(before: set[threading.Thread]) -> list[threading.Thread]:
    """The ingestion writer threads (:mod:`uxlab.ingest.writer`) alive now and not in ``before``."""
    return [t for t in set(threading.enumerate()) - before if t.name == "uxlab-ingest-writer"]
