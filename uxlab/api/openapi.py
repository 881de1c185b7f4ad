"""The OpenAPI 3.1 document of the REST API, assembled from each endpoint module's parts.

Each module that adds endpoints defines ``PATHS`` (path → path item, relative to ``/api/v1``)
and, where it has its own schemas, ``SCHEMAS``; list it in :data:`MODULES`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from flask import jsonify

from uxlab import __version__
from uxlab.api import attempts, common, cx, events

MODULES: tuple[ModuleType, ...] = (events, attempts, cx)


def document() -> dict[str, Any]:
    """Return the OpenAPI document of every endpoint in :data:`MODULES`."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": common.ERROR_SCHEMA}
    for module in MODULES:
        for path, item in module.PATHS.items():
            paths.setdefault(path, {}).update(item)
        schemas.update(getattr(module, "SCHEMAS", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "uxlab API",
            "version": __version__,
            "description": "The participant runner's API: recorder events in, task lifecycle. "
                           "Every write takes Content-Type: application/json; every 4xx answer "
                           "is an Error. The protocol is described in docs/recording.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "An API token (uxlab cx token create NAME)."},
                "participantCookie": {
                    "type": "apiKey", "in": "cookie", "name": "session",
                    "description": "Flask's signed session cookie, set when the participant "
                                   "opens their link.",
                },
            },
        },
    }


def serve_document():
    """Answer the OpenAPI document."""
    return jsonify(document())
