"""The REST API under /api/v1: the participant runner's calls (documented at /api/v1/openapi.json)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from uxlab.api import attempts, cx, events, openapi
from uxlab.api.common import (
    ApiError,
    database_unavailable,
    http_error_response,
    require_json_type,
)
from uxlab.extensions import WRITE_METHODS, csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

bp.add_url_rule("/openapi.json", view_func=openapi.serve_document, methods=["GET"])
bp.add_url_rule("/sessions/<uuid:public_id>/events", view_func=events.post_events,
                methods=["POST"])
bp.add_url_rule("/sessions/<uuid:public_id>/attempts/<int:attempt_id>/finish",
                view_func=attempts.finish, methods=["POST"])
bp.add_url_rule("/cx/feed", view_func=cx.feed, methods=["GET"])
bp.add_url_rule("/cx/feed.<any(csv):fmt>", view_func=cx.feed, methods=["GET"])
bp.add_url_rule("/cx/responses", view_func=cx.receive_response, methods=["POST"])

# Why no CSRF token here: every write to this blueprint must be Content-Type: application/json
# (require_json below). A cross-site page can send that type only through a CORS preflight, and
# uxlab never answers preflights with CORS headers, so a forged request never leaves the browser.
# Forms (which cannot send JSON) are what CSRF tokens protect; they live in other blueprints.
csrf.exempt(bp)


@bp.before_request
def require_json():
    """Refuse writes that are not JSON (415): the CSRF exemption above relies on it."""
    if request.method in WRITE_METHODS:
        require_json_type(request.mimetype)


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return exc.response()


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return http_error_response(exc)


@bp.errorhandler(OperationalError)
def database_unavailable_error(exc: OperationalError):
    """503 while the database cannot be written or reached (see ``database_unavailable``)."""
    return database_unavailable(current_app, exc).response()
