"""The REST API: lists, one term, search, autocomplete, mappings, downloads, and its own description.

Every answer is JSON (``{"ok": true, ...}``), or JSON-LD with ``Accept: application/ld+json``;
every error is the one JSON error shape. /api/findings, /api/triage and /api/annotate belong
to the reasoner's blueprint; /api lists them with the rest.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from .. import DISCLAIMER, config, openapi
from .. import codes as codesys
from ..errors import ApiError
from ..search import parse_code, resolve_system
from .support import answer, page, page_args, search_index, term_index, text_arg
from .terms import downloads, term_json

bp = Blueprint("api", __name__)

#: list endpoint -> (the category of the term index, what it lists)
LISTS = {
    "conditions": ("conditions", "Conditions: the causes of hip and lower back pain the article names, and their kinds."),
    "treatments": ("treatments", "Care actions: treatments, remedies and self-care measures."),
    "causes": ("causes", "Terms the ontology says can cause another condition."),
    "red-flags": ("red-flags", "Red flags: findings that call for emergency care."),
}


def _term_or_404(identifier: str):
    found = term_index().resolve(identifier)
    if found is None:
        raise ApiError(404, f"There is no term {identifier!r}; /api/search finds terms.")
    return found


@bp.get("/api/sources")
def sources():
    """Every source document (the article, guidelines, reviews, medicines references) with what rests on each."""
    from .. import get_store, pagedata

    return answer(pagedata.sources(term_index(), get_store().select("sources")))


@bp.get("/api")
def index():
    """What exists: every endpoint of the API with its URL."""
    entries = [
        ("conditions", url_for("api.listing", category="conditions"), LISTS["conditions"][1]),
        ("findings", "/api/findings", "Every finding with whether it is a red flag (the reasoner's list)."),
        ("red-flags", url_for("api.listing", category="red-flags"), LISTS["red-flags"][1]),
        ("treatments", url_for("api.listing", category="treatments"), LISTS["treatments"][1]),
        ("causes", url_for("api.listing", category="causes"), LISTS["causes"][1]),
        ("terms", url_for("api.terms"), "Every term of the ontology."),
        ("sources", url_for("api.sources"), "Every source document with its citation and what rests on it."),
        ("term", "/api/terms/{id}", "One term by CURIE or local name: hierarchy, relations both ways, groups."),
        ("term-mappings", "/api/terms/{id}/mappings", "The external codes of one term."),
        ("search", url_for("api.search") + "?q=", "Search labels, synonyms and codes."),
        ("autocomplete", url_for("api.autocomplete") + "?q=", "Terms whose names start with a prefix."),
        ("mappings", url_for("api.mappings") + "?code=", "Our terms for an ICD-10-CM, HPO or MeSH code."),
        ("triage", "/api/triage", "POST a patient case: urgency, candidate conditions, advice."),
        ("annotate", "/api/annotate", "POST text: the findings it mentions, present or negated."),
        ("queries", "/api/queries", "Saved SPARQL queries."),
        ("sparql", "/sparql", "SPARQL 1.1 query endpoint."),
        ("downloads", url_for("api.api_downloads"), "The whole ontology in every format."),
        ("term-iri", "/term/{id}", "A term IRI: 303 to its page or description by Accept."),
        ("fhir-codesystem", "/fhir/CodeSystem/hipback", "The terms as a FHIR R4 CodeSystem."),
        ("fhir-conceptmaps", "/fhir/ConceptMap/hipback-icd10cm", "Cross-references as FHIR R4 ConceptMaps "
         "(hipback-icd10cm, hipback-hpo, hipback-mesh)."),
        ("fhir-lookup", "/fhir/CodeSystem/$lookup?system=&code=", "FHIR $lookup of one code."),
        ("openapi", url_for("api.openapi_json"), "This API as OpenAPI 3."),
        ("docs", url_for("api.docs"), "The API's documentation page."),
    ]
    return answer({
        "service": "hipback",
        "ontology": config.ONTOLOGY_IRI,
        "version": term_index().version,
        "disclaimer": DISCLAIMER,
        "endpoints": [{"name": n, "url": u, "description": d} for n, u, d in entries],
    })


@bp.get("/api/conditions", defaults={"category": "conditions"})
@bp.get("/api/treatments", defaults={"category": "treatments"})
@bp.get("/api/causes", defaults={"category": "causes"})
@bp.get("/api/red-flags", defaults={"category": "red-flags"})
def listing(category: str):
    index = term_index()
    limit, offset = page_args()
    items = [index.summary(t) for t in index.members(LISTS[category][0])]
    # url_for picks the rule whose default matches category: /api/conditions?limit=...
    body, headers = page(items, limit, offset, "api.listing", category=category)
    return answer({"list": category, "description": LISTS[category][1], **body}, headers=headers)


KINDS = ("class", "individual", "object_property", "datatype_property", "annotation_property", "ontology")


@bp.get("/api/terms")
def terms():
    index = term_index()
    kind = text_arg("kind", required=False)
    if "kind" in request.args and kind not in KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(KINDS)}.", field="kind")
    limit, offset = page_args()
    chosen = sorted((t for t in index.terms.values() if not kind or t.kind == kind),
                    key=lambda t: (t.label.lower(), t.iri))
    body, headers = page([index.summary(t) for t in chosen], limit, offset, "api.terms")
    return answer(body, headers=headers)


@bp.get("/api/terms/<path:identifier>")
def term(identifier: str):
    if identifier.endswith("/mappings"):
        return term_mappings(identifier[: -len("/mappings")])
    return answer(term_json(_term_or_404(identifier)))


@bp.get("/api/terms/<path:identifier>/mappings")
def term_mappings(identifier: str):
    found = _term_or_404(identifier)
    index = term_index()
    return answer({"term": asdict(index.ref(found.iri)), "total": len(found.codes),
                   "items": [asdict(c) for c in found.codes]})


@bp.get("/api/search")
def search():
    q = text_arg("q")
    limit, offset = page_args(20)
    index = term_index()
    hits = search_index().search(q)
    items = [{**index.summary(index.terms[h.iri]), "score": round(h.score, 3),
              "matched": {"field": h.field, "text": h.text}} for h in hits]
    body, headers = page(items, limit, offset, "api.search")
    return answer({"query": q, **body}, headers=headers)


@bp.get("/api/autocomplete")
def autocomplete():
    q = text_arg("q")
    limit, offset = page_args(10)
    index = term_index()
    hits = search_index().autocomplete(q)
    items = [{**asdict(index.ref(h.iri)), "matched": {"field": h.field, "text": h.text}} for h in hits]
    body, headers = page(items, limit, offset, "api.autocomplete")
    return answer({"query": q, **body}, headers=headers)


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
              "relation_iri": c.relation_iri, "match": match, "matched_code": _curie(system_name, code)}
             for code, t, c in result.found]
    return answer({
        "code": {"system": system_name, "code": value, "curie": _curie(system_name, value), "iri": iri,
                 "label": label},
        "match": match,
        "broader_code": ({"curie": _curie(system_name, via), "label": codesys.lookup(system_name, via)}
                         if match == "broader" else None),
        "total": len(items), "items": items,
    })


def _curie(system: str, code: str) -> str:
    return code if system == codesys.HP else f"{system}:{code}"


@bp.get("/api/downloads")
def api_downloads():
    return answer({"ontology": config.ONTOLOGY_IRI, "version": term_index().version, "items": downloads()})


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.spec(current_app))


@bp.get("/api/docs")
def docs():
    spec = openapi.spec(current_app)
    return Response(render_template("api_docs.html", spec=spec, disclaimer=DISCLAIMER),
                    content_type="text/html; charset=utf-8")
