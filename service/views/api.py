"""The REST API's own pages: ``/api`` (every endpoint with its URL), ``/openapi.json`` and ``/api/docs``.

Every answer of the API is JSON (``{"ok": true, ...}``), or JSON-LD with ``Accept: application/ld+json``;
every error is the one JSON error shape. Each resource's endpoints live in its own module (terms, search,
red_flags, sources, downloads, triage, queries, fhir); this one lists them.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for

from .. import DISCLAIMER, config, openapi
from .support import answer, term_index
from .terms import LISTS

bp = Blueprint("api", __name__)


@bp.get("/api")
def index():
    """What exists: every endpoint of the API with its URL."""
    entries = [
        ("conditions", url_for("terms.lists", category="conditions"), LISTS["conditions"][1]),
        ("findings", "/api/findings", "Every finding with whether it is a red flag (the reasoner's list)."),
        ("red-flags", url_for("red_flags.api"), LISTS["red-flags"][1]),
        ("treatments", url_for("terms.lists", category="treatments"), LISTS["treatments"][1]),
        ("causes", url_for("terms.lists", category="causes"), LISTS["causes"][1]),
        ("terms", url_for("terms.api_terms"), "Every term of the ontology."),
        ("sources", url_for("sources.api"), "Every source document with its citation and what rests on it."),
        ("term", "/api/terms/{id}", "One term by CURIE or local name: hierarchy, relations both ways, groups."),
        ("term-mappings", "/api/terms/{id}/mappings", "The external codes of one term."),
        ("search", url_for("search.api") + "?q=", "Search labels, synonyms and codes."),
        ("autocomplete", url_for("search.autocomplete") + "?q=", "Terms whose names start with a prefix."),
        ("mappings", url_for("terms.mappings") + "?code=", "Our terms for an ICD-10-CM, HPO or MeSH code."),
        ("triage", "/api/triage", "POST a patient case: urgency, candidate conditions, advice."),
        ("annotate", "/api/annotate", "POST text: the findings it mentions, present or negated."),
        ("queries", "/api/queries", "Saved SPARQL queries."),
        ("sparql", "/sparql", "SPARQL 1.1 query endpoint."),
        ("downloads", url_for("downloads.api"), "The whole ontology in every format."),
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


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.spec(current_app))


@bp.get("/api/docs")
def docs():
    spec = openapi.spec(current_app)
    return Response(render_template("api_docs.html", spec=spec, disclaimer=DISCLAIMER),
                    content_type="text/html; charset=utf-8")
