"""App-wide protections: a cap on every request body, and the browser security headers.

- ``MAX_CONTENT_LENGTH`` comes from the MAX_BODY setting, so every route (not only /sparql)
  refuses a larger body with 413 in the one JSON error shape (errors.py). A body sent without a
  length (``Transfer-Encoding: chunked``) is read whole before the app sees it, at most MAX_BODY
  bytes: a longer one is refused with 413 and a malformed one with 400, so nothing ever runs on a
  body cut short at the cap.
- Every answer says ``X-Content-Type-Options: nosniff``, may not be framed
  (``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``), and carries a Content Security
  Policy that lets pages load scripts, styles, images and fonts from this origin only, and
  connect to this origin only (the vendored YASGUI and Cytoscape are served from /static).
  A view that sets one of these headers itself keeps its own value.
"""
from __future__ import annotations

import io

from flask import Flask, Response, request

from .errors import ApiError

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


#: Where the body reader leaves its verdict for the app: (status, message).
BODY_ERROR = "hipback.body_error"
READ_SIZE = 65_536


class WholeBody:
    """WSGI middleware: a body without a Content-Length is read whole, up to ``limit`` bytes, and handed
    to the app with its length; a body over the limit or a malformed one reaches the app as an error to
    answer, with an empty body. Bodies with a Content-Length go through untouched (Werkzeug refuses
    those over MAX_CONTENT_LENGTH before reading them)."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked or (environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH")):
            data, error = bytearray(), None
            stream = environ["wsgi.input"]
            try:
                while len(data) <= self.limit:
                    part = stream.read(READ_SIZE)
                    if not part:
                        break
                    data += part
            except Exception as exc:  # the server's own chunk parser: an invalid size, a cut stream
                error = (400, f"The request body is malformed ({type(exc).__name__}): it was not read.")
            if error is None and len(data) > self.limit:
                error = (413, f"The request body is over {self.limit} bytes, the most accepted (setting MAX_BODY).")
            if error is not None:
                environ[BODY_ERROR] = error
                data = bytearray()
            environ["wsgi.input"] = io.BytesIO(bytes(data))
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("MAX_BODY", 1_000_000))
    app.wsgi_app = WholeBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])

    @app.before_request
    def _refuse_a_body_not_read():
        error = request.environ.get(BODY_ERROR)
        if error is not None:
            raise ApiError(*error)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response
