"""Term IRIs that dereference (303), the ontology and version IRIs, and the downloads.

- ``GET /term/X``: 303 See Other to ``/term/X.<suffix>`` by ``Accept`` (q-values), 406 when
  nothing fits, 404 for an unknown term; ``Vary: Accept``.
- ``GET /term/X.html|.json|.ttl|.jsonld|.rdf|.nt``: the page, its JSON, or the term's
  description; ``ETag`` from the ontology version and content, ``Cache-Control``.
- ``GET /hipback.owl`` and ``/releases/<date>/hipback.owl``: 303 to the release file in the
  format asked; ``/downloads/<file>`` and ``/releases/<date>/<file>`` serve the files.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from .. import DISCLAIMER, config, get_store, linkeddata, pagedata
from .. import codes as codesys
from ..errors import ApiError
from ..search import parse_code, resolve_system
from ..sparql import negotiation
from .support import add_caching, answer, not_acceptable, page, page_args, search_index, term_index, text_arg

bp = Blueprint("terms", __name__)
bp.after_app_request(add_caching)

CACHE_CONTROL = "public, max-age=3600"
DOCUMENT_SUFFIXES = ("html", "json") + linkeddata.RDF_SUFFIXES


@bp.record_once
def _build_index(state) -> None:
    """The term and search indexes are compiled once, when the app is created."""
    search_index(state.app)


def _conditional(response: Response, path: str) -> Response:
    index = term_index()
    response.set_etag(linkeddata.etag(index.version, index.digest, path))
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers.add("Vary", "Accept")
    return response.make_conditional(request)


def _alternates(name: str) -> dict[str, str]:
    return {suffix: url_for("terms.term", name=f"{name}.{suffix}") for suffix in DOCUMENT_SUFFIXES}


def _link_header(name: str, iri: str) -> str:
    links = [f'<{url}>; rel="alternate"; type="{linkeddata.CONTENT_TYPES[s].split(";")[0]}"'
             for s, url in _alternates(name).items()]
    return ", ".join(links + [f'<{iri}>; rel="describes"'])


@bp.route("/term/<path:name>", methods=["GET", "HEAD"])
def term(name: str):
    stem, dot, suffix = name.rpartition(".")
    if not (dot and suffix in DOCUMENT_SUFFIXES):
        stem, suffix = name, None
    index = term_index()
    found = index.resolve(stem)
    if found is None or not found.iri.startswith(config.BASE) or found.local_name != stem:
        if found is not None and found.iri.startswith(config.BASE):
            # a case or CURIE variant of a real name: point at the canonical URL
            target = found.local_name + (f".{suffix}" if suffix else "")
            return redirect(url_for("terms.term", name=target), 301)
        raise ApiError(404, f"There is no term {stem!r} in {config.BASE}; /api/search finds terms.")
    if suffix is None:
        chosen = negotiation.choose(request.headers.get("Accept"), linkeddata.TERM_TYPES)
        if chosen is None:
            raise not_acceptable(linkeddata.TERM_TYPES)
        response = redirect(url_for("terms.term", name=f"{stem}.{chosen}"), 303)
        response.headers["Vary"] = "Accept"
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["Link"] = _link_header(stem, found.iri)
        return response
    if suffix == "json":
        response = answer(term_json(found))
    elif suffix == "html":
        response = Response(render_template("term.html", **term_context(found)),
                            content_type=linkeddata.CONTENT_TYPES["html"])
    else:
        response = Response(_description(found.iri, suffix), content_type=linkeddata.CONTENT_TYPES[suffix])
    response.headers["Link"] = _link_header(stem, found.iri)
    return _conditional(response, request.path)


def _description(iri: str, suffix: str) -> bytes:
    cache = current_app.extensions.setdefault("hipback.descriptions", {})
    key = (iri, suffix)
    if key not in cache:
        graph = linkeddata.description(get_store(), iri)
        cache[key] = linkeddata.serialise(graph, suffix)
    return cache[key]


def term_json(found) -> dict:
    """The JSON of a term's page, also the answer of /api/terms/<id>."""
    index = term_index()
    data = index.detail(found)
    data["links"] = {
        "self": url_for("terms.term", name=found.local_name),
        **_alternates(found.local_name),
        "mappings": url_for("terms.api_term_mappings", identifier=found.local_name),
        "api": url_for("terms.api_term", identifier=found.local_name),
    }
    data["ontology_version"] = index.version
    return data


def term_context(found) -> dict:
    """Everything the term page template gets (the pages restyle it; the names stay)."""
    index = term_index()
    return {
        "term": index.detail(found),
        "alternates": _alternates(found.local_name),
        "ontology_version": index.version,
        "disclaimer": DISCLAIMER,
        "term_url": lambda iri: url_for("terms.term", name=iri[len(config.BASE):] + ".html")
        if iri.startswith(config.BASE) else iri,
    }


# -- the term API: lists, one term, its mappings, terms by code, the graph around a term -------------

#: list endpoint -> (the category of the term index, what it lists)
LISTS = {
    "conditions": ("conditions", "Conditions: the causes of hip and lower back pain the article names, and their kinds."),
    "treatments": ("treatments", "Care actions: treatments, remedies and self-care measures."),
    "causes": ("causes", "Terms the ontology says can cause another condition."),
    "red-flags": ("red-flags", "Red flags: findings that call for emergency care."),
}


def listing(name: str, endpoint: str, **values):
    """One page of a list (``LISTS``), with next and previous links to ``endpoint`` (with ``values``)."""
    index = term_index()
    limit, offset = page_args()
    items = [index.summary(t) for t in index.members(LISTS[name][0])]
    body, headers = page(items, limit, offset, endpoint, **values)
    return answer({"list": name, "description": LISTS[name][1], **body}, headers=headers)


@bp.get("/api/conditions", defaults={"category": "conditions"})
@bp.get("/api/treatments", defaults={"category": "treatments"})
@bp.get("/api/causes", defaults={"category": "causes"})
def lists(category: str):
    # url_for picks the rule whose default matches category: /api/conditions?limit=...
    return listing(category, "terms.lists", category=category)


def _term_or_404(identifier: str):
    found = term_index().resolve(identifier)
    if found is None:
        raise ApiError(404, f"There is no term {identifier!r}; /api/search finds terms.")
    return found


KINDS = ("class", "individual", "object_property", "datatype_property", "annotation_property", "ontology")


@bp.get("/api/terms")
def api_terms():
    index = term_index()
    kind = text_arg("kind", required=False)
    if "kind" in request.args and kind not in KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(KINDS)}.", field="kind")
    limit, offset = page_args()
    chosen = sorted((t for t in index.terms.values() if not kind or t.kind == kind),
                    key=lambda t: (t.label.lower(), t.iri))
    body, headers = page([index.summary(t) for t in chosen], limit, offset, "terms.api_terms")
    return answer(body, headers=headers)


@bp.get("/api/terms/<path:identifier>")
def api_term(identifier: str):
    if identifier.endswith("/mappings"):
        return api_term_mappings(identifier[: -len("/mappings")])
    return answer(term_json(_term_or_404(identifier)))


@bp.get("/api/terms/<path:identifier>/mappings")
def api_term_mappings(identifier: str):
    found = _term_or_404(identifier)
    index = term_index()
    return answer({"term": asdict(index.ref(found.iri)), "total": len(found.codes),
                   "items": [asdict(c) for c in found.codes]})


@bp.get("/api/mappings")
def mappings():
    code = text_arg("code", max_length=100)
    system = text_arg("system", required=False, max_length=200) or None
    if system and resolve_system(system) is None:
        raise ApiError(400, f"Unknown code system {system!r}; use ICD10CM, HP or MESH, or a FHIR system URI.",
                       field="system")
    parsed = parse_code(code, system)
    if parsed is None:
        raise ApiError(400, f"{code!r} is not a code of {system or 'a known system'}: write e.g. "
                       "ICD10CM:M51.26, HP:0003419 or MESH:D001416 (or give system and code).", field="code")
    system_name, value = parsed
    index = term_index()
    iri = codesys.iri(system_name, value)
    label = index.code_labels.get(iri) or codesys.lookup(system_name, value)
    result = index.terms_for_code(system_name, value)
    match, via = result.match, result.via
    items = [{**asdict(index.ref(t.iri)), "definition": t.definition, "relation": c.relation,
              "relation_iri": c.relation_iri, "match": match, "matched_code": codesys.curie(system_name, code)}
             for code, t, c in result.found]
    return answer({
        "code": {"system": system_name, "code": value, "curie": codesys.curie(system_name, value), "iri": iri,
                 "label": label},
        "match": match,
        "broader_code": ({"curie": codesys.curie(system_name, via), "label": codesys.lookup(system_name, via)}
                         if match == "broader" else None),
        "total": len(items), "items": items,
    })


@bp.get("/graph/<name>.json")
def graph(name: str):
    index = term_index()
    term = index.resolve(name)
    if term is None:
        raise ApiError(404, f"There is no term {name!r}.")
    return jsonify(pagedata.graph(index, term.iri))
