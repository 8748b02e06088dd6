"""App-wide protections: a cap on every request body, and the browser security headers.

- ``MAX_CONTENT_LENGTH`` comes from the MAX_BODY setting, so every route (not only /sparql)
  refuses a larger body with 413 in the one JSON error shape (errors.py).
- Every answer says ``X-Content-Type-Options: nosniff``, may not be framed
  (``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``), and carries a Content Security
  Policy that lets pages load scripts, styles, images and fonts from this origin only, and
  connect to this origin only (the vendored YASGUI and Cytoscape are served from /static).
  A view that sets one of these headers itself keeps its own value.
"""
from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # plus the one constant <style> element each vendored library injects (Cytoscape, YASGUI)
    "style-src 'self' 'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8=' "
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
}


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("MAX_BODY", 1_000_000))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response
