"""The CX endpoints: the feed CX platforms pull, and the webhook survey tools post responses to.

``GET /cx/feed`` needs ``Authorization: Bearer <token>`` (tokens: ``uxlab cx token create`` or the
CX settings page). ``POST /cx/responses?source=NAME`` needs ``X-Uxlab-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body under the source's secret (``uxlab cx source NAME``).
"""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request

from uxlab.api.common import ApiError, error_response, parse_json, read_raw_body
from uxlab.converters import MAX_ID
from uxlab.csvutil import csv_line
from uxlab.cx import rows as parse
from uxlab.cx.credentials import check_api_token, live_source, signature_matches
from uxlab.cx.feed import COLUMNS, MAX_LIMIT, SCHEMA_VERSION, FeedError, FeedQuery, feed_page
from uxlab.cx.importing import insert_new_row
from uxlab.cx.journeys import UnknownPlace, ensure_journey, ensure_stage, ensure_touchpoint
from uxlab.extensions import db_session
from uxlab.models import CxResponse, Touchpoint
from uxlab.timeutil import utcnow


def feed(fmt: str | None = None):
    """The CX feed: one page of rows (JSON, or CSV with ``Accept: text/csv`` or ``.csv``)."""
    db = db_session()
    authorization = request.headers.get("Authorization", "")
    token = authorization.removeprefix("Bearer ").strip() if authorization.startswith(
        "Bearer ") else ""
    row = check_api_token(db, token) if token else None
    if row is None:
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <API token>; the token "
                                            "is missing, unknown or revoked")
    query = _feed_query()
    try:
        limit = int(request.args.get("limit", "500"))
    except ValueError:
        raise ApiError(400, "invalid field", "limit must be a whole number", "limit") from None
    try:
        rows, next_cursor = feed_page(db, query, request.args.get("cursor") or None, limit)
    except FeedError as exc:
        raise ApiError(400, "invalid field", str(exc), exc.field) from None
    row.last_used_at = utcnow()
    db.commit()
    wants_csv = fmt == "csv" or (fmt is None and request.accept_mimetypes.best_match(
        ["application/json", "text/csv"]) == "text/csv")
    if wants_csv:
        text = csv_line(COLUMNS, "\r\n") + "".join(
            csv_line([entry[c] for c in COLUMNS], "\r\n") for entry in rows)
        response = Response(text, mimetype="text/csv")
    else:
        response = jsonify(schema_version=SCHEMA_VERSION, rows=rows, next_cursor=next_cursor)
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return response


def _feed_query() -> FeedQuery:
    args = request.args
    unknown = sorted(set(args) - {"journey", "touchpoint", "since", "until", "granularity",
                                  "cursor", "limit"})
    if unknown:
        raise ApiError(400, "unknown field", f"unknown query parameter {unknown[0]}", unknown[0])
    dates: dict[str, date | None] = {}
    for name in ("since", "until"):
        try:
            dates[name] = parse.parse_date(args[name]) if args.get(name) else None
        except parse.FieldError as exc:
            raise ApiError(400, "invalid field", str(exc), name) from None
    granularity = args.get("granularity", "month")
    if granularity not in ("month", "quarter"):
        raise ApiError(400, "invalid field", "granularity must be month or quarter",
                       "granularity")
    return FeedQuery(journey=args.get("journey") or None,
                     touchpoint=args.get("touchpoint") or None, granularity=granularity,
                     **dates)


def receive_response():
    """Store one survey response posted by a registered source (idempotent on its id)."""
    db = db_session()
    raw = read_raw_body()
    source = live_source(db, request.args.get("source", ""))
    signature = request.headers.get("X-Uxlab-Signature", "")
    if source is None or not signature or not signature_matches(source.secret, raw, signature):
        raise ApiError(401, "unauthorized", "unknown source, or the X-Uxlab-Signature header is "
                                            "missing or does not sign this body")
    body = parse_json(raw)
    if type(body) is not dict:
        raise ApiError(400, "invalid body", "the body must be a JSON object")
    fields = _fields_of(source.kind, body)
    try:
        metric = parse.parse_metric(fields.get("metric"))
    except parse.FieldError as exc:
        raise ApiError(400, "invalid field", str(exc), "metric") from None
    values = {}
    for name, parser, args in (("score", parse.parse_score, (metric,)),
                               ("recorded_at", parse.parse_timestamp, ()),
                               ("external_id", parse.parse_text, ()),
                               ("respondent", parse.parse_text, ()),
                               ("segment", parse.parse_text, ())):
        try:
            values[name] = parser(fields.get(name), *args)
        except parse.FieldError as exc:
            raise ApiError(400, "invalid field", f"{name}: {exc}", fields["_paths"].get(name, name)) \
                from None
    try:
        comment = parse.parse_text(fields.get("comment"), limit=parse.MAX_COMMENT)
    except parse.FieldError as exc:
        raise ApiError(400, "invalid field", f"comment: {exc}", "comment") from None
    if not values["external_id"]:
        raise ApiError(400, "missing field", "external_id is required (the response's id in "
                                             "the source, so a repeated post is stored once)",
                       fields["_paths"].get("external_id", "external_id"))
    journey_id, stage_id, touchpoint_id = _place(db, fields.get("touchpoint"))
    stored = insert_new_row(db, CxResponse, {
            "journey_id": journey_id, "stage_id": stage_id, "touchpoint_id": touchpoint_id,
            "metric": metric, "value": float(values["score"]),
            "recorded_at": values["recorded_at"], "respondent": values["respondent"],
            "segment": values["segment"], "source": source.name,
            "external_id": values["external_id"], "dedupe_key": values["external_id"],
            "comment": comment})
    db.commit()
    return jsonify(stored=stored, duplicate=not stored), 201 if stored else 200


def _fields_of(kind: str, body: dict) -> dict:
    """The response's fields from the body's shape (generic, Delighted or Wootric)."""
    args = request.args
    if kind == "delighted":
        data = body.get("event_data") if isinstance(body.get("event_data"), dict) else {}
        person = data.get("person") if isinstance(data.get("person"), dict) else {}
        created = data.get("created_at")
        return {"score": data.get("score"), "metric": args.get("metric", "nps"),
                "touchpoint": args.get("touchpoint"),
                "recorded_at": _epoch(created) if isinstance(created, int | float) else created,
                "external_id": data.get("id"), "respondent": person.get("id"),
                "comment": data.get("comment"), "segment": args.get("segment"),
                "_paths": {"score": "event_data.score", "external_id": "event_data.id",
                           "recorded_at": "event_data.created_at"}}
    if kind == "wootric":
        data = body.get("response") if isinstance(body.get("response"), dict) else {}
        user = data.get("end_user") if isinstance(data.get("end_user"), dict) else {}
        return {"score": data.get("score"), "metric": args.get("metric", "nps"),
                "touchpoint": args.get("touchpoint"), "recorded_at": data.get("created_at"),
                "external_id": data.get("id"), "respondent": user.get("id"),
                "comment": data.get("text"), "segment": args.get("segment"),
                "_paths": {"score": "response.score", "external_id": "response.id",
                           "recorded_at": "response.created_at"}}
    unknown = sorted(set(body) - {"score", "metric", "touchpoint", "recorded_at", "external_id",
                                  "source", "comment", "respondent", "segment"})
    if unknown:
        raise ApiError(400, "unknown field", f"unknown field {unknown[0]}", unknown[0])
    return {**body, "_paths": {}}


def _epoch(seconds: float) -> str:
    from datetime import UTC, datetime

    if not 0 <= seconds < 2**33:
        return "invalid"
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _place(db, reference) -> tuple[int, int | None, int | None]:
    """A touchpoint by id, or a place by ``JOURNEY[/STAGE[/TOUCHPOINT]]``; it must exist."""
    if type(reference) is float and reference.is_integer():
        reference = int(reference)  # JSON Schema's integer includes 5.0
    if type(reference) is int:
        touchpoint = db.get(Touchpoint, reference) if 0 < reference <= MAX_ID \
            else None
        if touchpoint is None:
            raise ApiError(400, "invalid field", f"no touchpoint {reference}", "touchpoint")
        return touchpoint.journey_id, touchpoint.stage_id, touchpoint.id
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 620:
        raise ApiError(400, "invalid field", "touchpoint must be a touchpoint id or "
                                             "JOURNEY[/STAGE[/TOUCHPOINT]]", "touchpoint")
    parts = [p.strip() for p in reference.split("/")]
    try:
        if len(parts) == 3:
            tp = ensure_touchpoint(db, *parts, create=False)
            return tp.journey_id, tp.stage_id, tp.id
        journey = ensure_journey(db, parts[0], create=False)
        if len(parts) == 2:
            stage = ensure_stage(db, journey, parts[1], create=False)
            return journey.id, stage.id, None
        if len(parts) == 1:
            return journey.id, None, None
    except UnknownPlace as exc:
        raise ApiError(400, "invalid field", str(exc), "touchpoint") from None
    raise ApiError(400, "invalid field", "touchpoint has at most three parts", "touchpoint")


_ROW_SCHEMA = {"type": "object", "required": list(COLUMNS), "properties": {
    "key": {"type": "string"}, "kind": {"enum": ["cx", "ux"]},
    "journey": {"type": "string"}, "stage": {"type": ["string", "null"]},
    "touchpoint": {"type": ["string", "null"]}, "touchpoint_id": {"type": ["integer", "null"]},
    "period": {"type": ["string", "null"]}, "period_start": {"type": ["string", "null"]},
    "period_end": {"type": ["string", "null"]}, "metric": {"type": "string"},
    "estimate": {"type": ["number", "null"]}, "low": {"type": ["number", "null"]},
    "high": {"type": ["number", "null"]}, "n": {"type": ["integer", "null"]},
    "method": {"type": ["string", "null"]}, "source": {"type": "string"},
    "study": {"type": ["string", "null"]}, "study_version": {"type": ["integer", "null"]},
    "variant": {"type": ["string", "null"]}, "target": {"type": ["number", "null"]},
    "status": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}

SCHEMAS = {
    "CxFeedRow": _ROW_SCHEMA,
    "CxFeedPage": {"type": "object", "required": ["schema_version", "rows", "next_cursor"],
                   "properties": {"schema_version": {"const": SCHEMA_VERSION},
                                  "rows": {"type": "array",
                                           "items": {"$ref": "#/components/schemas/CxFeedRow"}},
                                  "next_cursor": {"type": ["string", "null"]}}},
    "CxResponseIn": {"type": "object", "required": ["score", "metric", "touchpoint",
                                                    "recorded_at", "external_id"],
                     "additionalProperties": False, "properties": {
                         "score": {"type": "integer"}, "metric": {"enum": ["nps", "csat", "ces"]},
                         "touchpoint": {"type": ["integer", "string"]},
                         "recorded_at": {"type": "string"}, "external_id": {"type": "string"},
                         "source": {"type": "string"}, "comment": {"type": "string"},
                         "respondent": {"type": "string"}, "segment": {"type": "string"}}},
}

_FEED_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in (
        ("journey", {"type": "string"}, "only this journey"),
        ("touchpoint", {"type": "string"}, "only this touchpoint (name or id)"),
        ("since", {"type": "string", "format": "date"}, "only periods ending after this date"),
        ("until", {"type": "string", "format": "date"}, "only periods starting by this date"),
        ("granularity", {"enum": ["month", "quarter"]}, "periods of the survey figures"),
        ("cursor", {"type": "string"}, "next_cursor of the previous page"),
        ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "rows per page"),
    )]

PATHS = {
    "/cx/feed": {"get": {
        "summary": "UX and CX figures per touchpoint and period (JSON, or CSV by Accept)",
        "security": [{"bearer": []}], "parameters": _FEED_PARAMETERS,
        "responses": {
            "200": {"description": "One page of rows", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CxFeedPage"}},
                "text/csv": {"schema": {"type": "string"}}}},
            "400": error_response("A parameter is not valid"),
            "401": error_response("No live API token")}}},
    "/cx/feed.csv": {"get": {
        "summary": "The CX feed as CSV", "security": [{"bearer": []}],
        "parameters": _FEED_PARAMETERS,
        "responses": {"200": {"description": "One page of rows", "content": {
            "text/csv": {"schema": {"type": "string"}}}},
            "400": error_response("A parameter is not valid"),
            "401": error_response("No live API token")}}},
    "/cx/responses": {"post": {
        "summary": "Receive one survey response from a registered source (webhook)",
        "parameters": [
            {"name": "source", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "X-Uxlab-Signature", "in": "header", "required": True,
             "schema": {"type": "string"}, "description": "sha256=<hex HMAC-SHA256 of the body>"},
            {"name": "touchpoint", "in": "query", "required": False,
             "schema": {"type": "string"}, "description": "Delighted/Wootric shapes: the place"},
            {"name": "metric", "in": "query", "required": False,
             "schema": {"enum": ["nps", "csat", "ces"]}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CxResponseIn"}}}},
        "responses": {
            "201": {"description": "Stored"},
            "200": {"description": "Already stored (same source and external_id)"},
            "400": error_response("A field is not valid"),
            "401": error_response("Unknown source or bad signature"),
            "413": error_response("The body is over 256 KB."),
            "415": error_response("The body is not application/json.")}}},
}
