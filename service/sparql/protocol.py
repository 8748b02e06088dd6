"""Reading a request per the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Query operation: GET with ``query`` in the URL; POST with a form body (parameters in the
URL and in the body both count); POST with ``application/sparql-query`` (the body is the
query, other parameters in the URL). Update operation: POST only, with a form body
(``update``) or ``application/sparql-update``. Every text must be UTF-8; every mistake
becomes an ApiError whose message says what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Request

from ..errors import ApiError

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass
class QueryRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass
class UpdateRequest:
    update: str
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)


def parse_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` (URL query string or form body) strictly as UTF-8."""
    try:
        return parse_qsl(raw.decode("ascii", "strict") if raw.isascii() else raw.decode("utf-8"),
                         keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, f"The {where} is not valid UTF-8; SPARQL requests must be encoded in UTF-8.") from None


def _media(request: Request) -> tuple[str, dict]:
    header = request.headers.get("Content-Type", "")
    media, _, rest = header.partition(";")
    params = {}
    for part in rest.split(";"):
        name, _, value = part.partition("=")
        if name.strip():
            params[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _body(request: Request, max_body: int) -> bytes:
    length = request.content_length
    if length is not None and length > max_body:
        raise ApiError(413, f"The request body has {length} bytes; the most accepted is {max_body} (setting MAX_BODY).")
    data = request.stream.read(max_body + 1)
    if len(data) > max_body:
        raise ApiError(413, f"The request body is over {max_body} bytes (setting MAX_BODY).")
    return data


def _text(body: bytes, params: dict, what: str) -> str:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(400, f"The {what} is declared as charset={params['charset']}; SPARQL requests must be UTF-8.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, f"The {what} is not valid UTF-8; SPARQL requests must be encoded in UTF-8.") from None


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _one(params: list[tuple[str, str]], name: str, what: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise ApiError(400, f"The request has {len(values)} '{name}' parameters; send exactly one {what}.", field=name)
    return values[0] if values else None


def _unsupported_media(media: str, direct: str, operation: str) -> ApiError:
    given = f"Content-Type {media!r}" if media else "no Content-Type"
    return ApiError(
        415,
        f"A POST {operation} needs Content-Type {FORM} (with a '{operation}' parameter) or {direct} "
        f"(the {operation} as the body); the request has {given}.",
    )


def read_query(request: Request, max_body: int) -> QueryRequest:
    """The query request, or ApiError for a wrong method (405), media type (415) or form (400)."""
    url_params = parse_params(request.query_string, "URL")
    if request.method in ("GET", "HEAD"):
        params = url_params
        query = _one(params, "query", "query")
    elif request.method == "POST":
        media, media_params = _media(request)
        if media == FORM:
            body = _body(request, max_body)
            params = url_params + parse_params(body, "form body")
            query = _one(params, "query", "query")
        elif media == QUERY:
            params = url_params
            if _values(params, "query"):
                raise ApiError(400, "The query is in the body and also in a 'query' URL parameter; send it once.", field="query")
            query = _text(_body(request, max_body), media_params, "query body")
        elif media == UPDATE:
            raise ApiError(415, "SPARQL Update is not accepted here; POST it to /sparql/update.")
        else:
            raise _unsupported_media(media, QUERY, "query")
    else:
        raise ApiError(405, f"{request.method} is not a SPARQL query method; use GET or POST.", headers={"Allow": "GET, HEAD, POST, OPTIONS"})
    if _values(params, "update"):
        raise ApiError(400, "This is the query endpoint; send SPARQL Update with POST to /sparql/update.", field="update")
    if query is not None and not query.strip():
        raise ApiError(400, "The 'query' parameter is empty.", field="query")
    return QueryRequest(
        query=query,
        default_graphs=_values(params, "default-graph-uri"),
        named_graphs=_values(params, "named-graph-uri"),
        formats=_values(params, "format"),
    )


def read_update(request: Request, max_body: int) -> UpdateRequest:
    """The update request (POST only), or ApiError (405, 415, 400)."""
    if request.method != "POST":
        raise ApiError(405, f"SPARQL Update needs POST; {request.method} is not accepted.", headers={"Allow": "POST, OPTIONS"})
    url_params = parse_params(request.query_string, "URL")
    media, media_params = _media(request)
    if media == FORM:
        params = url_params + parse_params(_body(request, max_body), "form body")
        update = _one(params, "update", "update")
        if update is None:
            raise ApiError(400, "The form has no 'update' parameter.", field="update")
    elif media == UPDATE:
        params = url_params
        if _values(params, "update"):
            raise ApiError(400, "The update is in the body and also in an 'update' URL parameter; send it once.", field="update")
        update = _text(_body(request, max_body), media_params, "update body")
    else:
        raise _unsupported_media(media, UPDATE, "update")
    if _values(params, "query"):
        raise ApiError(400, "This is the update endpoint; send queries to /sparql.", field="query")
    if not update.strip():
        raise ApiError(400, "The update is empty.", field="update")
    return UpdateRequest(update, _values(params, "using-graph-uri"), _values(params, "using-named-graph-uri"))
