"""/sparql (query), /sparql/update (update) and /.well-known/void (VoID), per the SPARQL 1.1 Protocol.

The behaviour lives in service/sparql/; this module only wires a request through it:
protocol -> negotiation -> guard -> runner. Every answer carries CORS headers.
"""
from __future__ import annotations

import hmac
import io
import math
import threading
import time
from collections import deque

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from .. import config, get_store
from ..errors import ApiError
from ..reasoner.knowledge import KnowledgeError
from . import support
from ..sparql import description, guard, negotiation, protocol, runner
from ..sparql.execute import GRAPH_FORMATS, PREFIXES, Job

bp = Blueprint("sparql", __name__)

#: the methods of each route; any other is answered 405 with exactly these in Allow (errors.py)
QUERY_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
UPDATE_METHODS = ["POST", "OPTIONS"]
VOID_METHODS = ["GET", "HEAD", "OPTIONS"]
PATHS = ("/sparql", "/sparql/update", "/.well-known/void")
#: the ontology's graphs, read-only to /sparql/update unless UPDATE_RELEASE_GRAPHS is set
RELEASE_GRAPHS = (config.ASSERTED_GRAPH, config.INFERRED_GRAPH)


@bp.after_app_request
def _vary(response: Response) -> Response:
    # app-wide, so that a 405 answered before routing varies too; CORS: views/__init__.py (Flask-CORS)
    if request.path in PATHS:
        response.headers.add("Vary", "Accept")
    return response


def _preflight(methods: list[str]) -> Response:
    """An OPTIONS answer: the methods in Allow; Flask-CORS adds the CORS headers of a preflight."""
    response = Response(status=204)
    response.headers["Allow"] = ", ".join(methods)
    return response


def _settings(c=None):
    c = current_app.config if c is None else c
    return {
        "timeout": float(c.get("QUERY_TIMEOUT", 5.0)),
        "max_results": int(c.get("MAX_RESULTS", 10000)),
        "max_bytes": int(c.get("MAX_ANSWER_BYTES", 0)),
        "max_body": int(c.get("MAX_BODY", 1_000_000)),
        "allowlist": guard.allowlist(c.get("SERVICE_ALLOWLIST", "")),
        "base": str(c.get("SPARQL_BASE") or config.BASE),
    }


def _public(path: str) -> str:
    """The URL of ``path`` on this deployment (PUBLIC_URL, or an allowed host asked: security.Hosts)."""
    return request.url_root.rstrip("/") + path


def _graph_response(triples: list, fmt: str) -> Response:
    body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES)
    return Response(body, content_type=negotiation.CONTENT_TYPES[fmt])


def _graph_format(table: dict, formats: list[str]) -> str:
    try:
        named = negotiation.from_format(formats)
    except negotiation.NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    if named is not None:
        if named[1] is None:
            raise ApiError(406, f"format={formats[0]!r} does not apply to an RDF description.")
        return named[1]
    key = negotiation.choose(request.headers.get("Accept"), table)
    if key is None:
        raise ApiError(406, negotiation.not_acceptable_message(request.headers.get("Accept"), "graph", formats))
    return key


def _describe(formats: list[str]) -> Response:
    key = _graph_format(negotiation.DESCRIPTION, formats)
    if key == "html":
        from ..sparql import saved

        return Response(
            render_template("sparql_console.html", endpoint=request.base_url, examples=saved.all_saved()),
            content_type=negotiation.CONTENT_TYPES["html"],
        )
    settings = _settings()
    update_url = _public("/sparql/update") if current_app.config.get("UPDATE_TOKEN") else None
    endpoint = _public("/sparql")
    triples = description.service_description(endpoint, update_url, settings["allowlist"], get_store(),
                                              void=_public("/.well-known/void"))
    return _graph_response(triples, key)


def run_query(text: str, choice: negotiation.Choice, default_graphs=None, named_graphs=None, accept=None,
              formats=(), app=None):
    """Check and run one query on the store of ``app`` (default: this request's), bounded; returns the
    execute.Outcome (200 only)."""
    app = current_app if app is None else app
    settings = _settings(app.config)
    text = guard.normalize(text)  # the guard and the engine read the same text
    if len(text.encode("utf-8")) > settings["max_body"]:
        raise ApiError(413, f"The query is over {settings['max_body']} bytes (setting MAX_BODY).")
    run = runner.for_app(app)
    facts = run.check_query(text, settings["base"], settings["allowlist"])
    if facts.has_dataset and default_graphs is None and named_graphs is None:
        # FROM / FROM NAMED become the request's dataset (the protocol's dataset wins when given)
        default_graphs, named_graphs = list(facts.from_graphs), list(facts.from_named)
    if facts.form is not None:
        kind = "results" if facts.form in ("SELECT", "ASK") else "graph"
        if choice.for_kind(kind) is None:
            raise ApiError(406, negotiation.not_acceptable_message(accept, kind, list(formats)))
    job = Job(
        query=text,
        base=settings["base"],
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        results_format=choice.results,
        graph_format=choice.graph,
        max_results=settings["max_results"],
        accept=accept,
        formats=tuple(formats),
        max_bytes=settings["max_bytes"],
        guard=run.guards_in_worker,
        allowlist=tuple(sorted(settings["allowlist"])),
    )
    outcome = run.run(job, settings["timeout"])
    if not outcome.ok:
        raise ApiError(outcome.status, outcome.message)
    return outcome


def answer_query(app, req: protocol.QueryRequest, accept: str | None):
    """The answer to a query request that holds a query: its formats negotiated, then run; ApiError otherwise."""
    try:
        choice = negotiation.negotiate(accept, req.formats)
    except negotiation.NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    dataset = {}
    if req.has_dataset:
        dataset = {"default_graphs": req.default_graphs, "named_graphs": req.named_graphs}
    return run_query(req.query, choice, accept=accept, formats=req.formats, app=app, **dataset)


@bp.route("/sparql", methods=QUERY_METHODS)
def query():
    if request.method == "OPTIONS":
        return _preflight(QUERY_METHODS)
    settings = _settings()
    req = protocol.read_query(request, settings["max_body"])
    if req.query is None:
        return _describe(req.formats)
    outcome = answer_query(current_app, req, request.headers.get("Accept"))
    return Response(outcome.body, content_type=outcome.content_type)


class _EnvironRequest:
    """What protocol.read_query reads of a request (method, query string, Content-Type, length, body), read
    from the WSGI environ as Werkzeug reads it; the bytes of the body it read are kept in ``consumed``."""

    def __init__(self, environ: dict):
        self.environ = environ
        self.method = environ["REQUEST_METHOD"]
        self.query_string = environ.get("QUERY_STRING", "").encode("latin-1")
        length = environ.get("CONTENT_LENGTH")
        self.content_length = int(length) if length else None
        self.headers = {"Content-Type": environ.get("CONTENT_TYPE", "")}
        self.stream = self
        self.consumed: bytes | None = None

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of the body, never past its Content-Length."""
        left = min(size, self.content_length or 0)
        parts, stream = [], self.environ["wsgi.input"]
        while left > 0:
            part = stream.read(left)
            if not part:
                break
            parts.append(part)
            left -= len(part)
        data = b"".join(parts)
        self.consumed = (self.consumed or b"") + data
        return data


class FastQueries:
    """WSGI middleware, just in front of Flask: a query sent to /sparql answered without the web framework.

    A query is the service's most frequent request and its cheapest answer: through Flask, the request and
    response objects and the hooks cost about as much CPU as the query itself. This path reads the request
    with the same protocol functions (``protocol.read_query``, ``answer_query``: negotiation, the guard, the
    runner) and answers with the headers the app's own hooks give a /sparql answer (CORS, security, Vary),
    taken once from those hooks. Whatever is not a plain success goes to Flask: a request with an ``Origin``
    (a browser's; CORS answers per origin), HEAD, OPTIONS, no query (the console and the description), a
    body the body reader or host check refused, and every error, which Flask answers in the one error
    shape from the error this path met (``ERROR``), so nothing runs twice. tests/test_sparql_fast.py sends
    the same requests both ways and finds the same status, headers and body.
    """

    ERROR = "hipback.sparql.error"
    PATH = "/sparql"

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._headers: list[tuple[str, str]] | None = None

    def takes(self, environ: dict) -> bool:
        from ..security import BODY_ERROR, HOST_ERROR

        length = environ.get("CONTENT_LENGTH")
        return (environ.get("PATH_INFO") == self.PATH and environ.get("REQUEST_METHOD") in ("GET", "POST")
                and "HTTP_ORIGIN" not in environ and BODY_ERROR not in environ and HOST_ERROR not in environ
                and environ.get("HTTP_CONTENT_ENCODING", "identity").strip().lower() in ("", "identity")
                and (not length or (length.isascii() and length.isdigit())))

    def headers(self) -> list[tuple[str, str]]:
        """The headers the app's hooks add to a /sparql answer (all but its Content-Type and length)."""
        if self._headers is None:
            with self.app.test_request_context(self.PATH, method="GET"):
                response = self.app.process_response(self.app.response_class(status=200))
            self._headers = [(k, v) for k, v in response.headers.items()
                             if k.lower() not in ("content-type", "content-length")]
        return self._headers

    def __call__(self, environ, start_response):
        if not self.takes(environ):
            return self.wsgi_app(environ, start_response)
        request = _EnvironRequest(environ)
        try:
            req = protocol.read_query(request, int(self.app.config.get("MAX_BODY", 1_000_000)))
            outcome = answer_query(self.app, req, environ.get("HTTP_ACCEPT")) if req.query is not None else None
        except Exception as error:  # noqa: BLE001  (Flask answers it: its error handlers, its logging)
            environ[self.ERROR] = error
            outcome = None
        if outcome is None:
            if request.consumed is not None:  # the body, whole, for Flask to read again
                environ["wsgi.input"] = io.BytesIO(request.consumed)
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", [("Content-Type", outcome.content_type), ("Content-Length", str(len(outcome.body)))]
                       + self.headers())
        return [outcome.body]


@bp.before_app_request
def _error_met_on_the_fast_path():
    error = request.environ.pop(FastQueries.ERROR, None)
    if error is not None:
        raise error


def install(app) -> None:
    """Put the fast path in front of ``app``'s Flask (before the body reader and host check wrap it)."""
    app.wsgi_app = FastQueries(app.wsgi_app, app)


class FailureLimit:
    """Wrong update tokens per client over the last ``WINDOW`` seconds: past ``limit`` the client waits
    (429 with Retry-After) until the oldest leaves the window, its right token included, so a token cannot
    be guessed at speed. Per web worker process, in memory, for at most ``CLIENTS`` clients (the oldest
    forgotten first); the client is the address the request came from (behind a proxy, the proxy's)."""

    WINDOW = 60.0
    CLIENTS = 10_000

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.failures: dict[str, deque] = {}
        self.lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque:
        times = self.failures.get(client, deque())
        while times and times[0] <= now - self.WINDOW:
            times.popleft()
        return times

    def wait(self, client: str) -> int:
        """Seconds the client must wait before its next try (0: it may try now)."""
        now = time.monotonic()
        with self.lock:
            times = self._recent(client, now)
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.WINDOW - now))

    def record(self, client: str) -> None:
        now = time.monotonic()
        with self.lock:
            times = self._recent(client, now)
            times.append(now)
            self.failures.pop(client, None)
            self.failures[client] = times  # the most recent last
            while len(self.failures) > self.CLIENTS:
                self.failures.pop(next(iter(self.failures)))


def _authorize() -> None:
    token = str(current_app.config.get("UPDATE_TOKEN") or "")
    if not token:
        raise ApiError(403, "SPARQL Update is disabled on this deployment (no UPDATE_TOKEN is set); the endpoint is read-only.")
    failures = current_app.extensions.setdefault(
        "hipback.auth_failures", FailureLimit(int(current_app.config.get("UPDATE_AUTH_FAILURES", 10))))
    client = request.remote_addr or "unknown"
    wait = failures.wait(client)
    if wait:
        raise ApiError(429, f"Too many wrong update tokens from this client; try again in {wait} seconds.",
                       headers={"Retry-After": str(wait)})
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        failures.record(client)
        raise ApiError(
            401,
            "SPARQL Update needs the header 'Authorization: Bearer <token>' with this deployment's UPDATE_TOKEN.",
            headers={"WWW-Authenticate": 'Bearer realm="hipback-sparql-update"'},
        )


@bp.route("/sparql/update", methods=UPDATE_METHODS)
def update():
    if request.method == "OPTIONS":
        return _preflight(UPDATE_METHODS)
    _authorize()
    settings = _settings()
    req = protocol.read_update(request, settings["max_body"])
    text = guard.normalize(req.update)  # the guard and the engine read the same text
    writable = bool(current_app.config.get("UPDATE_RELEASE_GRAPHS"))
    protected = () if writable else RELEASE_GRAPHS
    run = runner.for_app(current_app)
    rebuilt: dict = {}

    def recompile(store, applied: bool) -> None:
        # the release graphs may have changed: every index is built again before the service answers from it
        try:
            rebuilt.update(support.compile_indexes(store))
        except KnowledgeError as error:
            if not applied:
                raise ApiError(409, f"The update was not applied: the release graphs it leaves do not compile "
                                    f"into the reasoner ({error}).") from None
            description.forget()
            raise ApiError(409, f"The update was applied to the store, but the release graphs it leaves do not "
                                f"compile into the reasoner ({error}); the service answers from the indexes "
                                "built before it until an update mends them.") from None

    run.update(text, settings["base"], req.using_graphs, req.using_named_graphs, settings["timeout"],
               tuple(sorted(settings["allowlist"])), protected, check=recompile if writable else None)
    if rebuilt:
        support.install_indexes(current_app, rebuilt)
    description.forget()
    return {"ok": True, "message": "The update was applied."}


@bp.route("/.well-known/void", methods=VOID_METHODS)
def void():
    if request.method == "OPTIONS":
        return _preflight(VOID_METHODS)
    formats = [v for k, v in protocol.parse_params(request.query_string, "URL") if k == "format"]
    key = _graph_format(negotiation.GRAPH, formats)
    triples = description.void_description(_public("/.well-known/void"), _public("/sparql"), get_store())
    return _graph_response(triples, key)
