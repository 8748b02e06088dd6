"""Shared by every blueprint: the indexes, parameters, paging, format choice, JSON(-LD) answers, pages
(``respond``: a page as HTML or as its JSON), caching.

Not a blueprint (it is not in BLUEPRINTS); the blueprints import it.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Response, current_app, jsonify, render_template, request, url_for

from .. import get_store, vocab
from ..errors import ApiError
from ..search import SearchIndex
from ..sparql import negotiation
from ..terms import TermIndex

#: what a JSON API answer can be: plain JSON (the default) or JSON-LD
API_TYPES = {vocab.JSON: "json", vocab.JSONLD: "jsonld"}

MAX_LIMIT = 1000


def term_index(app=None) -> TermIndex:
    """The app's term index, built from its store once (shared with the pages)."""
    app = app or current_app
    index = app.extensions.get("hipback.terms")
    if index is None:
        index = app.extensions["hipback.terms"] = TermIndex.load(get_store(app))
    return index


def compile_indexes(store) -> dict:
    """Every index the service answers from, built from ``store``'s release graphs.

    Raises ``KnowledgeError`` when the graphs do not compile into a sound fast path.
    """
    from ..reasoner import Knowledge

    index = TermIndex.load(store)
    return {"hipback.terms": index, "hipback.knowledge": Knowledge.load(store, index)}


def install_indexes(app, indexes: dict) -> None:
    """Answer from ``indexes`` from now on; what was derived from the old ones is built again on use."""
    for key in ("hipback.search", "hipback.descriptions"):
        app.extensions.pop(key, None)
    app.extensions.update(indexes)


def search_index(app=None) -> SearchIndex:
    app = app or current_app
    index = app.extensions.get("hipback.search")
    if index is None:
        index = app.extensions["hipback.search"] = SearchIndex(term_index(app))
    return index


#: path prefixes whose GET answers change only with the ontology (and so are cached and validated by content)
CACHED_PREFIXES = ("/api/", "/fhir/")
#: how long a cache may keep them without asking again; with the release graphs writable, always ask
API_CACHE = "public, max-age=300"


def add_caching(response: Response) -> Response:
    """A content ETag and Cache-Control on successful GET answers of the JSON API and FHIR; a matching
    If-None-Match is answered 304. Answers that set their own ETag or Cache-Control keep them."""
    if (request.method in ("GET", "HEAD") and response.status_code == 200 and request.path.startswith(CACHED_PREFIXES)
            and not response.direct_passthrough and "ETag" not in response.headers
            and "Cache-Control" not in response.headers):
        response.add_etag()
        writable = current_app.config.get("UPDATE_RELEASE_GRAPHS")
        response.headers["Cache-Control"] = "no-cache" if writable else API_CACHE
        response.headers.add("Vary", "Accept")
        return response.make_conditional(request)
    return response


def int_arg(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, not {raw!r}.", field=name) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiError(400, f"{name} must be {bounds}; got {value}.", field=name)
    return value


def _check_utf8(name: str) -> None:
    """ApiError(400) when the raw value of URL parameter ``name`` is not UTF-8 once unescaped."""
    from urllib.parse import unquote_to_bytes

    for pair in request.query_string.split(b"&"):
        key, _, raw = pair.partition(b"=")
        if unquote_to_bytes(key.replace(b"+", b" ")) != name.encode():
            continue
        try:
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, f"The query parameter {name} is not valid UTF-8.", field=name) from None


def text_arg(name: str, required: bool = True, max_length: int = 500) -> str:
    value = request.args.get(name, "").strip()
    if "%" in value or "\ufffd" in value:  # bytes that are not UTF-8 are left escaped: say so, never search them
        _check_utf8(name)
    if required and not value:
        raise ApiError(400, f"The query parameter {name} is required.", field=name)
    if len(value) > max_length:
        raise ApiError(400, f"{name} is longer than {max_length} characters.", field=name)
    return value


def page_args(default_limit: int = 50) -> tuple[int, int]:
    return int_arg("limit", default_limit, 1, MAX_LIMIT), int_arg("offset", 0, 0)


def page(items: list, limit: int, offset: int, endpoint: str, **values) -> tuple[dict, dict]:
    """A page of ``items``: the body's paging fields and a ``Link`` header with next/prev."""
    total = len(items)
    chosen = items[offset: offset + limit]
    args = {k: v for k, v in request.args.items() if k not in ("limit", "offset")}
    link = lambda o: url_for(endpoint, **values, **args, limit=limit, offset=o)  # noqa: E731
    next_url = link(offset + limit) if offset + limit < total else None
    prev_url = link(max(offset - limit, 0)) if offset > 0 else None
    body = {"total": total, "limit": limit, "offset": offset, "count": len(chosen),
            "next": next_url, "previous": prev_url, "items": chosen}
    links = [f'<{u}>; rel="{r}"' for u, r in ((next_url, "next"), (prev_url, "prev")) if u]
    return body, ({"Link": ", ".join(links)} if links else {})


#: JSON-LD context of the API's JSON: the keys that name RDF properties, and @vocab for the rest
CONTEXT = {
    "@vocab": "https://w3id.org/hipback/api#",
    "hb": "https://w3id.org/hipback/",
    "rdfs": vocab.RDFS,
    "skos": vocab.SKOS,
    "dcterms": vocab.DCTERMS,
    "iri": "@id",
    "label": "rdfs:label",
    "definition": "skos:definition",
    "synonyms": "skos:altLabel",
    "parents": {"@id": "rdfs:subClassOf"},
    "codes": {"@id": "skos:mappingRelation"},
    "notation": "skos:notation",
    "section": "hb:sourceSection",
    "excerpts": "hb:sourceExcerpt",
    "interpretation": "hb:interpretation",
    "external": "hb:externalSource",
    "disagreement": "hb:sourceDisagreement",
    "document": {"@id": "dcterms:source"},
    "publisher": "dcterms:publisher",
    "year": "dcterms:issued",
    "items": {"@id": "https://w3id.org/hipback/api#items", "@container": "@list"},
}


def answer(data: dict, status: int = 200, headers: dict | None = None) -> Response:
    """JSON, or JSON-LD (with the API context) when the client asks for application/ld+json."""
    fmt = negotiation.choose(request.headers.get("Accept"), API_TYPES)
    if fmt is None:
        raise ApiError(406, "This resource is available as application/json and application/ld+json.")
    body = {"ok": True, **data}
    if fmt == "jsonld":
        body = {"@context": CONTEXT, **body}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = vocab.JSONLD if fmt == "jsonld" else vocab.JSON
    response.headers.add("Vary", "Accept")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# -- pages: the same URL as HTML or as its JSON ------------------------------------------------------

PAGE_FORMATS = {vocab.HTML: "html", "application/xhtml+xml": "html", vocab.JSON: "json"}


def wants_json(suffix: str) -> bool:
    if suffix == ".json":
        return True
    choice = negotiation.choose(request.headers.get("Accept"), PAGE_FORMATS)
    if choice is None:
        raise ApiError(406, "This page is available as text/html and application/json.")
    return choice == "json"


def _query() -> str:
    """The request's query, parsed and encoded again (never the raw bytes: a Link header holds it)."""
    return urlencode(list(request.args.items(multi=True)))


def json_url(path: str) -> str:
    query = _query()
    return path + ".json" + (f"?{query}" if query else "")


def respond(template: str, data: dict, suffix: str, json_path: str, status: int = 200, **context) -> Response:
    """The page as HTML or as JSON, with the alternate named in a Link header."""
    alternate = json_url(json_path)
    if wants_json(suffix):
        response = jsonify(data)
        query = _query()
        html = (quote(request.path) + (f"?{query}" if query else "")).replace(
            json_path + ".json", json_path if json_path != "/index" else "/", 1)
        response.headers["Link"] = f'<{html}>; rel="alternate"; type="text/html"'
    else:
        response = Response(render_template(template, data=data, alternate_json=alternate, **context),
                            content_type="text/html; charset=utf-8")
        response.headers["Link"] = f'<{alternate}>; rel="alternate"; type="application/json"'
    response.status_code = status
    response.headers.add("Vary", "Accept")
    return response


def not_acceptable(table: dict) -> ApiError:
    offered = ", ".join(sorted(set(table)))
    return ApiError(406, f"Cannot answer Accept: {request.headers.get('Accept')!r}; available: {offered}.")
