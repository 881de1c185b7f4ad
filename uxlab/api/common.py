"""What every endpoint of the REST API shares: JSON errors and bounded JSON bodies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from flask import jsonify, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie

MAX_BODY_BYTES = 256 * 1024


class ApiError(Exception):
    """An error answer: ``{"error": …, "message": …, "field": …}`` with an HTTP status."""

    def __init__(self, status: int, error: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.field = field
        #: Extra response headers (a 503's ``Retry-After``).
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, "field": self.field}

    def response(self):
        return jsonify(self.body()), self.status, self.headers


#: How long a client should wait before sending again what the database could not store.
RETRY_AFTER_S = 5


def database_unavailable(app, exc: Exception) -> ApiError:
    """The 503 for a database that cannot be written or reached (a full or read-only disk, a
    restarting server), logged: nothing was stored, and the recorder sends the batch again later
    (``Retry-After``: :data:`RETRY_AFTER_S`)."""
    app.logger.error("database unavailable: %s", getattr(exc, "orig", exc))
    return ApiError(503, "database unavailable", "the database cannot store this right now "
                    "(nothing was stored); try again shortly",
                    headers={"Retry-After": str(RETRY_AFTER_S)})


def http_error(exc: HTTPException) -> ApiError:
    """An HTTP error (routing's 404 and 405 too) as an :class:`ApiError`; a 405 keeps its
    ``Allow`` header, which lists the methods the URL takes."""
    allow = dict(exc.get_headers()).get("Allow")
    return ApiError(exc.code or 500, exc.name, exc.description or exc.name,
                    headers={"Allow": allow} if allow else None)


def http_error_response(exc: HTTPException):
    """An HTTP error as an :class:`ApiError` answer (:func:`http_error`)."""
    return http_error(exc).response()


class ApiSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that API answers never refresh an unchanged cookie.

    A participant's session is permanent, so Flask would sign and send its cookie again on every
    answer, including each of the recorder's event batches (a few hundred a second on a busy
    server). The participant's pages refresh it; the API sends one only when it changed it.
    """

    #: How many verified ``Cookie`` headers :meth:`cookie_session` remembers per process: more
    #: than the participants a worker serves at once.
    VERIFIED_HEADERS = 8_192
    #: Longer headers are verified every time, never remembered: the memory stays bounded
    #: (8 MB a process) whatever other cookies a client adds.
    REMEMBERED_HEADER_BYTES = 1_024

    def __init__(self) -> None:
        self._serializers: dict[tuple, Any] = {}
        #: ``Cookie`` header → (serializer, expiry as a Unix time, the session's data).
        self._verified: dict[str, tuple[Any, float, Mapping[str, Any]]] = {}
        self._verified_lock = threading.Lock()

    def get_signing_serializer(self, app):
        """Flask's serializer, made once per key set instead of once per request (it is
        stateless; making it was a sixth of opening a participant's session)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def cookie_session(self, app, cookie_header: str | None) -> Mapping[str, Any] | None:
        """The data of the session a ``Cookie`` header carries, read-only and outside a request
        (the events endpoint's entries): what :meth:`open_session` would find, {} for a missing,
        forged or expired cookie, None without a secret key.

        A header once verified is remembered until its signature is older than the session's
        lifetime, when Flask would refuse it: a participant's recorder sends the same cookie
        every 5 seconds, and checking its signature again each time was a fifth of the CPU of
        reading and checking a batch (70–95 µs of 280–430).
        """
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        if not cookie_header:
            return {}
        known = self._verified.get(cookie_header)
        if known is not None and known[0] is serializer and time.time() <= known[1]:
            return known[2]
        value = parse_cookie(cookie_header).get(self.get_cookie_name(app))
        if not value:
            return {}
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # forged, or expired (SignatureExpired)
            return {}
        session = MappingProxyType(dict(data))
        if len(cookie_header) > self.REMEMBERED_HEADER_BYTES:
            return session
        with self._verified_lock:
            while len(self._verified) >= self.VERIFIED_HEADERS:
                del self._verified[next(iter(self._verified))]  # the oldest first
            self._verified[cookie_header] = (serializer, signed_at.timestamp() + max_age, session)
        return session

    def should_set_cookie(self, app, session) -> bool:
        if request.path.startswith("/api/") and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def read_raw_body(limit: int = MAX_BODY_BYTES) -> bytes:
    """Read the request's body, refusing bodies over ``limit`` bytes without reading them."""
    # Before the stream is opened: werkzeug's refuses a body over MAX_CONTENT_LENGTH with its
    # own 413, not the API's.
    refuse_oversized(request.content_length, limit)
    return read_limited(request.stream, request.content_length, limit)


def refuse_oversized(content_length: int | None, limit: int) -> None:
    """Refuse (413) a body whose ``Content-Length`` is over ``limit`` bytes."""
    if content_length is not None and content_length > limit:
        raise ApiError(413, "body too large",
                       f"the body is {content_length} bytes; at most {limit} are allowed")


def read_limited(stream, content_length: int | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """Read a body of ``content_length`` bytes (None: unknown) from ``stream``, refusing one over
    ``limit`` bytes (413) without reading it."""
    refuse_oversized(content_length, limit)
    # Read at most one byte past the limit: a body without Content-Length (chunked) is cut there.
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise body_over_limit(limit)
    return raw


def body_over_limit(limit: int) -> ApiError:
    """The 413 for a body found longer than ``limit`` bytes while reading it."""
    return ApiError(413, "body too large", f"the body is over {limit} bytes")


def parse_json(raw: bytes) -> Any:
    """Parse a JSON body (no NaN or Infinity), answering 400 when it is not JSON."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and bodies that are not UTF-8 text.
        raise ApiError(400, "malformed JSON", f"the body is not valid JSON: {exc}") from None


def read_json_body(limit: int = MAX_BODY_BYTES) -> Any:
    """Parse the request's JSON body, refusing bodies over ``limit`` bytes without reading them."""
    return parse_json(read_raw_body(limit))


def read_json_object(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Read a JSON object body with exactly the keys ``required`` and maybe ``optional``."""
    return check_json_object(read_json_body(), required, optional)


def check_json_object(body: Any, required: tuple[str, ...],
                      optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return ``body`` if it is a JSON object with exactly the keys ``required`` and maybe
    ``optional``; else answer 400 naming the field."""
    if type(body) is not dict:
        raise ApiError(400, "invalid body", "the body must be a JSON object")
    unknown = sorted(body.keys() - set(required) - set(optional))
    if unknown:
        raise ApiError(400, "unknown field",
                       f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                       f"(allowed: {', '.join(required + optional)})", unknown[0])
    for name in required:
        if name not in body:
            raise ApiError(400, "missing field", f"{name} is required", name)
    return body


def require_json_type(mimetype: str) -> None:
    """Refuse a write whose body is not JSON (415): the API's CSRF exemption relies on it
    (uxlab/api/__init__.py)."""
    if mimetype != "application/json":
        raise ApiError(415, "unsupported media type",
                       f"send Content-Type: application/json, not {mimetype or 'none'}")


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message", "field"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in a few words."},
        "message": {"type": "string", "description": "What went wrong and how to fix it."},
        "field": {"type": ["string", "null"],
                  "description": "The path of the value at fault, e.g. events[3].colour."},
    },
}


def error_response(description: str) -> dict[str, Any]:
    """Return an OpenAPI response object for an error answer."""
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
