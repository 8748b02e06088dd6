"""The service's errors as answers: every ``ApiError`` and HTTP error in the one JSON shape
(service/errors.py), and an unexpected one as a 500 that is logged, never a stack trace.

One departure, for clients of a standard: a blueprint may register another shape for its
path prefix (``register_shape``); the FHIR blueprint answers its errors as FHIR clients read
them, an ``OperationOutcome`` (service/views/fhir.py).
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import ApiError, error_body

#: (status, message, field) -> (body, media type)
Shape = Callable[[int, str, "str | None"], "tuple[dict, str]"]


def register_shape(app: Flask, prefix: str, shape: Shape) -> None:
    """Answer the errors of paths under ``prefix`` in another shape (a standard's own)."""
    app.extensions.setdefault("hipback.error_shapes", []).append((prefix, shape))


def _shape() -> Shape | None:
    if not has_request_context():
        return None
    for prefix, shape in current_app.extensions.get("hipback.error_shapes", ()):
        if request.path.startswith(prefix):
            return shape
    return None


def error_response(status: int, message: str, field: str | None = None, headers: dict | None = None):
    shape = _shape()
    if shape is None:
        response = jsonify(error_body(status, message, field))
    else:
        body, media_type = shape(status, message, field)
        response = jsonify(body)
        response.mimetype = media_type
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.field, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        headers = {}
        message = exc.description or exc.name
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
            message = f"{request.method} is not accepted here; use {headers['Allow']}."
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"The request body is over {limit} bytes, the most accepted (setting MAX_BODY)."
        return error_response(exc.code or 500, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return error_response(500, "Internal error; it has been logged.")
