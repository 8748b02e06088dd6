"""The one error type of the core, and the one JSON error shape.

The core (guard, runner, store, reasoner, build) raises ``ApiError`` with the status a client
should get and imports no web framework; the views translate it into an answer
(service/views/errors.py).

Body: ``{"ok": false, "status": 400, "error": "Bad Request", "message": "...", "field": "age"}``
(``field`` only where one input field is at fault).
"""
from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """A client's mistake (or an overrun) that becomes a 4xx/5xx JSON answer."""

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


def reason(status: int) -> str:
    """The status's reason phrase ("Bad Request"); "Error" for a status HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, message: str, field: str | None = None) -> dict:
    body = {"ok": False, "status": status, "error": reason(status), "message": message}
    if field is not None:
        body["field"] = field
    return body
