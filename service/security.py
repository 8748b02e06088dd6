"""App-wide protections: a cap on every request body, and the browser security headers.

- ``MAX_CONTENT_LENGTH`` comes from the MAX_BODY setting, so every route (not only /sparql)
  refuses a larger body with 413 in the one JSON error shape (errors.py). A body sent without a
  length (``Transfer-Encoding: chunked``) is read whole before the app sees it, at most MAX_BODY
  bytes: a longer one is refused with 413 and a malformed one with 400, so nothing ever runs on a
  body cut short at the cap. A compressed body (``Content-Encoding``) is refused with 415: it is
  never inflated, so its size cannot hide behind its compression.
- Absolute URLs (service descriptions, saved-query links, redirects) name the deployment as
  ``PUBLIC_URL`` says, whatever ``Host`` the client sent; without it, a request whose ``Host`` is
  not in ``ALLOWED_HOSTS`` is answered 400, so no page or header ever echoes a host an attacker
  chose (``Hosts``).
- Every answer says ``X-Content-Type-Options: nosniff``, may not be framed
  (``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``), and carries a Content Security
  Policy that lets pages load scripts, styles, images and fonts from this origin only, and
  connect to this origin only (the vendored YASGUI and Cytoscape are served from /static).
  A view that sets one of these headers itself keeps its own value.
"""
from __future__ import annotations

import io
from urllib.parse import urlsplit

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


#: Where the host check leaves its verdict: the Host the client sent, when no URL may name it.
HOST_ERROR = "hipback.host_error"


def host_names(setting: str | list | tuple | None) -> frozenset[str]:
    """The ALLOWED_HOSTS setting as lower-case host names (no port; IPv6 without brackets); "*" allows any."""
    words = setting.replace(",", " ").split() if isinstance(setting, str) else list(setting or [])
    return frozenset(w.strip().lower().strip("[]") for w in words if w.strip())


def _host_name(host: str) -> str:
    """``example.org:8080`` -> ``example.org``; ``[::1]:5000`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Hosts:
    """WSGI middleware: the host, scheme and path prefix every absolute URL is written with.

    With ``public_url`` the request's ``Host``, scheme and prefix are replaced by it before the app
    sees them, so ``url_for(..., _external=True)``, ``request.host_url`` and redirects all name the
    public URL (a proxy may pass the path with or without the prefix). Without it the client's Host
    must be one of ``allowed`` (or ``allowed`` holds "*"); any other reaches the app as an error to
    answer, with 400."""

    def __init__(self, app, public_url: str, allowed: frozenset[str]):
        self.app = app
        self.allowed = allowed
        parts = urlsplit(public_url.strip()) if public_url else None
        if parts is not None and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValueError(f"PUBLIC_URL must be an absolute http(s) URL, not {public_url!r}")
        self.public = parts

    def __call__(self, environ, start_response):
        if self.public is not None:
            environ["HTTP_HOST"] = self.public.netloc
            environ["wsgi.url_scheme"] = self.public.scheme
            prefix = self.public.path.rstrip("/")
            if prefix:
                path = environ.get("PATH_INFO", "")
                if path == prefix or path.startswith(prefix + "/"):
                    environ["PATH_INFO"] = path[len(prefix):]
                environ["SCRIPT_NAME"] = prefix
        elif "*" not in self.allowed:
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            if _host_name(host) not in self.allowed:
                environ[HOST_ERROR] = host
                environ["HTTP_HOST"] = "localhost"  # nothing built before the refusal names the client's host
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("MAX_BODY", 1_000_000))
    app.wsgi_app = WholeBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    app.wsgi_app = Hosts(app.wsgi_app, str(app.config.get("PUBLIC_URL") or ""),
                         host_names(app.config.get("ALLOWED_HOSTS", "")))

    @app.before_request
    def _refuse_a_host_not_served():
        host = request.environ.get(HOST_ERROR)
        if host is not None:
            shown = host.encode("ascii", "backslashreplace").decode()[:100]
            raise ApiError(400, f"This deployment does not answer for the host {shown!r} (setting ALLOWED_HOSTS, "
                                "or PUBLIC_URL behind a proxy).")

    @app.before_request
    def _refuse_a_body_not_read():
        error = request.environ.get(BODY_ERROR)
        if error is not None:
            raise ApiError(*error)
        coding = request.headers.get("Content-Encoding", "").strip().lower()
        if coding not in ("", "identity"):
            # never inflated here: a small compressed body could stand for any size past MAX_BODY (RFC 7694)
            raise ApiError(415, f"Request bodies are read as sent; Content-Encoding {coding[:40]!r} is not accepted. "
                                "Send the body uncompressed.", headers={"Accept-Encoding": "identity"})

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response
