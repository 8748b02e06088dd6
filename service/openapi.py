"""The OpenAPI 3 description of the service, served at /openapi.json.

``OPERATIONS`` describes every machine-facing endpoint, the REST API's and those of the
SPARQL, saved-query, health and reasoner blueprints. ``spec(app)`` emits only the
operations whose path and method the app really routes, so the description never promises
an endpoint that is not there; ``tests/test_openapi.py`` checks the other direction (every
route under the API's prefixes is described) and schemathesis checks the answers.
"""
from __future__ import annotations

import copy
import re

from . import __version__

JSON = "application/json"
JSONLD = "application/ld+json"
FHIR = "application/fhir+json"
RDF_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STR = {"type": "string"}
STRS = {"type": "array", "items": STR}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
ANY_OBJECT = {"type": "object", "additionalProperties": True}


def obj(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": True}


TERM_REF = obj(["iri", "label"], iri=STR, label=STR)
SCHEMAS = {
    "Question": obj(["finding", "text", "kind", "if_yes"], finding=TERM_REF, text=STR,
                    kind={"type": "string", "enum": ["red_flag", "level", "candidate"]},
                    if_yes={"type": "string", "enum": ["emergency", "urgent", "routine", "self_care"]}, advice=STR),
    "RedFlagCheck": obj(["finding", "text"], finding=TERM_REF, text=STR, advice=STR),
    "Error": obj(["ok", "status", "error", "message"], ok={"type": "boolean", "enum": [False]}, status=INT,
                 error=STR, message=STR, field=STR),
    "Ref": obj(["iri", "curie", "label"], iri=STR, curie=STR, label=STR),
    "Code": obj(["system", "code", "curie", "iri", "label", "relation", "relation_iri"],
                system={"type": "string", "enum": ["ICD10CM", "HP", "MESH"]}, code=STR, curie=STR, iri=STR,
                label=nullable(STR), relation=STR, relation_iri=STR),
    "Source": obj(["document", "section", "excerpts", "interpretation", "external"],
                  document=nullable(ref("Ref")), section=nullable(STR), excerpts=STRS, interpretation=STRS,
                  external=STRS),
    "TermSummary": obj(["iri", "curie", "id", "label", "kind", "definition", "synonyms", "codes", "source",
                        "red_flag", "deprecated"],
                       iri=STR, curie=STR, id=STR, label=STR, kind=STR, definition=nullable(STR),
                       synonyms=STRS, codes={"type": "array", "items": ref("Code")}, source=ref("Source"),
                       red_flag=BOOL, deprecated=BOOL),
    "Relation": obj(["property", "direction", "term", "via"], property=ref("Ref"),
                    direction={"type": "string", "enum": ["out", "in"]}, term=ref("Ref"), via=STR,
                    inherited_from=ref("Ref")),
    "Group": obj(["key", "title", "items"], key=STR, title=STR, items={"type": "array", "items": ref("Ref")}),
    "TermDetail": {"allOf": [ref("TermSummary"), obj(
        ["parents", "children", "ancestors", "descendants", "relations", "groups"],
        ok=BOOL,
        parents={"type": "array", "items": {"allOf": [ref("Ref"), obj(["inferred"], inferred=BOOL)]}},
        children={"type": "array", "items": ref("Ref")},
        ancestors={"type": "array", "items": ref("Ref")},
        descendants={"type": "array", "items": ref("Ref")},
        relations=obj(["outgoing", "incoming"], outgoing={"type": "array", "items": ref("Relation")},
                      incoming={"type": "array", "items": ref("Relation")}),
        groups={"type": "array", "items": ref("Group")},
        links=ANY_OBJECT, ontology_version=nullable(STR))]},
    "Page": obj(["ok", "total", "limit", "offset", "count", "next", "previous", "items"], ok=BOOL, total=INT,
                limit=INT, offset=INT, count=INT, next=nullable(STR), previous=nullable(STR),
                items={"type": "array", "items": ANY_OBJECT}),
    "TermPage": {"allOf": [ref("Page"), obj(["items"], items={"type": "array", "items": ref("TermSummary")})]},
    "SearchPage": {"allOf": [ref("Page"), obj(["query", "items"], query=STR, items={"type": "array", "items": {
        "allOf": [ref("TermSummary"), obj(["score", "matched"], score={"type": "number"}, matched=obj(
            ["field", "text"], field=STR, text=STR))]}})]},
    "AutocompletePage": {"allOf": [ref("Page"), obj(["query", "items"], query=STR, items={"type": "array", "items": {
        "allOf": [ref("Ref"), obj(["matched"], matched=obj(["field", "text"], field=STR, text=STR))]}})]},
    "Mappings": obj(["ok", "code", "match", "broader_code", "total", "items"], ok=BOOL, total=INT,
                    code=obj(["system", "code", "curie", "iri", "label"], system=STR, code=STR, curie=STR,
                             iri=STR, label=nullable(STR)),
                    match={"type": "string", "enum": ["exact", "narrower", "broader", "none"],
                           "description": "exact: terms mapped to the code itself; narrower: to ICD-10-CM codes under "
                                          "it; broader: to codes under its nearest broader code that has any"},
                    broader_code={"nullable": True, "allOf": [obj(["curie", "label"], curie=STR, label=nullable(STR))]},
                    items={"type": "array", "items": {"allOf": [ref("Ref"), obj(
                        ["relation", "relation_iri", "match", "matched_code"], relation=STR, relation_iri=STR,
                        definition=nullable(STR), match=STR, matched_code=STR)]}}),
    "TermMappings": obj(["ok", "term", "total", "items"], ok=BOOL, term=ref("Ref"), total=INT,
                        items={"type": "array", "items": ref("Code")}),
    "Downloads": obj(["ok", "ontology", "version", "items"], ok=BOOL, ontology=STR, version=nullable(STR),
                     items={"type": "array", "items": obj(
                         ["file", "variant", "media_type", "bytes", "sha256", "url"], file=STR, variant=STR,
                         description=STR, media_type=STR, bytes=INT, sha256=STR, url=STR,
                         version_url=nullable(STR))}),
    "ApiIndex": obj(["ok", "endpoints"], ok=BOOL, service=STR, ontology=STR, version=nullable(STR),
                    endpoints={"type": "array", "items": obj(["name", "url", "description"], name=STR, url=STR,
                                                             description=STR)}),
    "FhirResource": obj(["resourceType"], resourceType=STR),
    "Health": obj(["ok"], ok=BOOL),
}


def error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def ok_json(schema: str, description: str = "OK", jsonld: bool = True) -> dict:
    content = {JSON: {"schema": ref(schema)}}
    if jsonld:
        content[JSONLD] = {"schema": ref(schema)}
    return {"description": description, "content": content}


def query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def path(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or {"type": "string", "minLength": 1}}


Q = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"\S"}
PAGING = [query("limit", "Most items to return (1-1000).", {"type": "integer", "minimum": 1, "maximum": 1000}),
          query("offset", "Items to skip.", {"type": "integer", "minimum": 0})]
E400, E404, E406 = error("Bad request: the field says which input"), error("Not found"), error("Not acceptable")
REDIRECT = {"description": "See Other: the document in the format chosen by Accept",
            "headers": {"Location": {"schema": STR}}}
ANY_TYPES = {"*/*": {"schema": STR}}
URI_TOO_LONG = {"description": "URI Too Long: the HTTP server refuses a request line over its limit "
                               "(gunicorn: 4094 bytes) before the app sees it"}


def _list(category: str, summary: str) -> dict:
    return {"get": {"tags": ["lists"], "summary": summary, "operationId": f"list_{category.replace('-', '_')}",
                    "parameters": PAGING, "responses": {"200": ok_json("TermPage"), "400": E400, "406": E406}}}


#: path -> operations (OpenAPI path item); only those the app routes are published
OPERATIONS: dict[str, dict] = {
    "/api": {"get": {"tags": ["api"], "summary": "What exists: every endpoint with its URL", "operationId": "api_index",
                     "responses": {"200": ok_json("ApiIndex"), "406": E406}}},
    "/api/conditions": _list("conditions", "Conditions, paginated"),
    "/api/treatments": _list("treatments", "Care actions (treatments), paginated"),
    "/api/causes": _list("causes", "Terms that can cause another condition, paginated"),
    "/api/red-flags": _list("red-flags", "Red flags, paginated"),
    "/api/sources": {"get": {"tags": ["terms"], "summary": "Every source document with its citation and what rests on it",
                             "operationId": "list_sources", "responses": {"200": {"description": "OK", "content": {JSON: {"schema": obj(
                                 ["ok", "count", "sources"], ok={"type": "boolean"}, count=INT,
                                 sources={"type": "array", "items": ANY_OBJECT})}}}, "406": E406}}},
    "/api/terms": {"get": {"tags": ["terms"], "summary": "Every term, paginated", "operationId": "list_terms",
                           "parameters": PAGING + [query("kind", "Only terms of this kind.", {"type": "string", "enum": [
                               "class", "individual", "object_property", "datatype_property", "annotation_property",
                               "ontology"]})],
                           "responses": {"200": ok_json("TermPage"), "400": E400, "406": E406}}},
    "/api/terms/{identifier}": {"get": {
        "tags": ["terms"], "summary": "One term: hierarchy, relations both ways, clinical groups",
        "operationId": "get_term", "parameters": [path("identifier", "CURIE (hb:X), local name or IRI")],
        "responses": {"200": ok_json("TermDetail"), "404": E404, "406": E406}}},
    "/api/terms/{identifier}/mappings": {"get": {
        "tags": ["mappings"], "summary": "The external codes of one term", "operationId": "get_term_mappings",
        "parameters": [path("identifier", "CURIE (hb:X), local name or IRI")],
        "responses": {"200": ok_json("TermMappings"), "404": E404, "406": E406}}},
    "/api/search": {"get": {
        "tags": ["search"], "summary": "Search labels, synonyms and codes (case, word order and typos forgiven)",
        "operationId": "search", "parameters": [query("q", "Words or a code (M51.26, HP:0003419).", Q, True)] + PAGING,
        "responses": {"200": ok_json("SearchPage"), "400": E400, "406": E406}}},
    "/api/autocomplete": {"get": {
        "tags": ["search"], "summary": "Terms whose names (or codes) start with a prefix",
        "operationId": "autocomplete", "parameters": [query("q", "The prefix typed so far.", Q, True)] + PAGING,
        "responses": {"200": ok_json("AutocompletePage"), "400": E400, "406": E406}}},
    "/api/mappings": {"get": {
        "tags": ["mappings"], "summary": "Our terms for an external code (ICD-10-CM, HPO, MeSH)",
        "operationId": "mappings", "parameters": [
            query("code", "ICD10CM:M51.26, HP:0003419, MESH:D001416, or a bare code with system.",
                  {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}, True),
            query("system", "ICD10CM, HP or MESH (or hpo, icd-10-cm, a FHIR system URI).",
                  {"type": "string", "maxLength": 200})],
        "responses": {"200": ok_json("Mappings"), "400": E400, "406": E406}}},
    "/api/downloads": {"get": {"tags": ["downloads"], "summary": "The release files in every format",
                               "operationId": "api_downloads",
                               "responses": {"200": ok_json("Downloads"), "406": E406}}},
    "/downloads": {"get": {"tags": ["downloads"], "summary": "The release files (HTML or JSON by Accept)",
                           "operationId": "downloads_page", "responses": {
                               "200": {"description": "OK", "content": {"text/html": {"schema": STR},
                                                                        JSON: {"schema": ref("Downloads")}}},
                               "406": E406}}},
    "/downloads/{filename}": {"get": {
        "tags": ["downloads"], "summary": "One release file", "operationId": "download",
        "parameters": [path("filename", "e.g. hipback.ttl, hipback-reasoned.owl")],
        "responses": {"200": {"description": "The file", "content": {
            "application/rdf+xml": {"schema": STR}, "text/turtle": {"schema": STR},
            "application/ld+json": {"schema": STR}, "application/n-triples": {"schema": STR}}}, "404": E404}}},
    "/term/{name}": {"get": {
        "tags": ["linked data"], "summary": "A term IRI (https://w3id.org/hipback/{name}): 303 by Accept",
        "description": "303 See Other to /term/{name}.html, .json, .ttl, .jsonld, .rdf or .nt, chosen by Accept "
                       "(q-values). The document URLs answer 200 with an ETag. A case variant of a name "
                       "answers 301 to the canonical URL.",
        "operationId": "dereference_term",
        "parameters": [path("name", "Local name, optionally with a document suffix")],
        "responses": {"200": {"description": "A term document (when {name} has a suffix)", "content": {
            "text/html": {"schema": STR}, JSON: {"schema": ref("TermDetail")}, JSONLD: {"schema": {}},
            "text/turtle": {"schema": STR}, "application/rdf+xml": {"schema": STR},
            "application/n-triples": {"schema": STR}}},
            "301": {"description": "The canonical spelling of the name", "headers": {"Location": {"schema": STR}}},
            "303": REDIRECT, "304": {"description": "Not Modified (If-None-Match)"}, "404": E404, "406": E406}}},
    "/hipback.owl": {"get": {"tags": ["linked data"], "summary": "The ontology IRI: 303 to a release file by Accept",
                             "operationId": "ontology_iri", "responses": {"303": REDIRECT, "406": E406}}},
    "/releases/{date}/hipback.owl": {"get": {
        "tags": ["linked data"], "summary": "The version IRI: 303 to that release's file by Accept",
        "operationId": "version_iri", "parameters": [path("date", "The release date, e.g. 2026-11-25")],
        "responses": {"200": {"description": "The release's RDF/XML file (the version IRI names it)",
                              "content": {"application/rdf+xml": {"schema": STR}}},
                      "303": REDIRECT, "404": E404, "406": E406}}},
    "/releases/{date}/{filename}": {"get": {
        "tags": ["linked data"], "summary": "One file of a release", "operationId": "release_file",
        "parameters": [path("date", "The release date"), path("filename", "e.g. hipback.ttl")],
        "responses": {"200": {"description": "The file", "content": {
            "application/rdf+xml": {"schema": STR}, "text/turtle": {"schema": STR},
            "application/ld+json": {"schema": STR}, "application/n-triples": {"schema": STR}}},
            "303": REDIRECT, "404": E404, "406": E406}}},
    "/fhir/CodeSystem/hipback": {"get": {
        "tags": ["fhir"], "summary": "The terms as a FHIR R4 CodeSystem", "operationId": "fhir_code_system",
        "responses": {"200": {"description": "CodeSystem", "content": {FHIR: {"schema": ref("FhirResource")},
                                                                     JSON: {"schema": ref("FhirResource")}}},
                      "406": E406}}},
    "/fhir/ConceptMap/{map_id}": {"get": {
        "tags": ["fhir"], "summary": "Cross-references as a FHIR R4 ConceptMap", "operationId": "fhir_concept_map",
        "parameters": [path("map_id", "hipback-icd10cm, hipback-hpo or hipback-mesh")],
        "responses": {"200": {"description": "ConceptMap", "content": {FHIR: {"schema": ref("FhirResource")},
                                                                     JSON: {"schema": ref("FhirResource")}}},
                      "404": E404, "406": E406}}},
    "/fhir/CodeSystem/$lookup": {"get": {
        "tags": ["fhir"], "summary": "FHIR CodeSystem/$lookup", "operationId": "fhir_lookup",
        "parameters": [query("system", "https://w3id.org/hipback, or an ICD-10-CM/HPO/MeSH system URI.",
                             {"type": "string", "minLength": 1, "maxLength": 300, "pattern": r"\S"}, True),
                       query("code", "The code.", {"type": "string", "minLength": 1, "maxLength": 100,
                                                  "pattern": r"\S"}, True),
                       query("version", "The version asked for.", {"type": "string", "maxLength": 50})],
        "responses": {"200": {"description": "Parameters", "content": {FHIR: {"schema": ref("FhirResource")},
                                                                     JSON: {"schema": ref("FhirResource")}}},
                      "400": E400, "404": E404, "406": E406}}},
    "/fhir/metadata": {"get": {
        "tags": ["fhir"], "summary": "The FHIR CapabilityStatement", "operationId": "fhir_metadata",
        "responses": {"200": {"description": "CapabilityStatement", "content": {
            FHIR: {"schema": ref("FhirResource")}, JSON: {"schema": ref("FhirResource")}}}, "406": E406}}},
    "/openapi.json": {"get": {"tags": ["api"], "summary": "This description", "operationId": "openapi",
                              "responses": {"200": {"description": "OpenAPI 3", "content": {JSON: {"schema": ANY_OBJECT}}}}}},
    "/api/docs": {"get": {"tags": ["api"], "summary": "The documentation page", "operationId": "api_docs",
                          "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": STR}}}}}},
    "/healthz": {"get": {"tags": ["service"], "summary": "Liveness, ontology version and triple count",
                         "operationId": "healthz",
                         "responses": {"200": {"description": "OK", "content": {JSON: {"schema": ref("Health")}}}}}},
    "/api/queries": {"get": {"tags": ["sparql"], "summary": "The saved SPARQL queries", "operationId": "saved_queries",
                             "responses": {"200": {"description": "OK", "content": {JSON: {"schema": obj(
                                 ["ok", "queries"], ok=BOOL, count=INT, queries={"type": "array", "items": ANY_OBJECT})}}}}}},
    "/queries/{name}": {"get": {
        "tags": ["sparql"], "summary": "Run a saved query (HTML, JSON or CSV by Accept; .json/.csv suffix)",
        "operationId": "run_saved_query", "parameters": [path("name", "The saved query's name")],
        "responses": {"200": {"description": "Rows", "content": {"text/html": {"schema": STR},
                                                                 JSON: {"schema": ANY_OBJECT},
                                                                 "text/csv": {"schema": STR}}},
                      "404": E404, "406": E406, "503": error("The query ran over its time limit")}}},
    "/sparql": {"get": {
        "tags": ["sparql"], "summary": "SPARQL 1.1 Protocol query (GET); without a query: the service description",
        "operationId": "sparql_get",
        "parameters": [query("query", "A SPARQL query.", STR),
                       query("default-graph-uri", "Default graph IRIs.", STR),
                       query("named-graph-uri", "Named graph IRIs.", STR)],
        "responses": {"200": {"description": "Results or a graph", "content": ANY_TYPES},
                      "400": E400, "406": E406, "413": error("Too large"),
                      "503": error("Over the time limit")}},
        "post": {
        "tags": ["sparql"], "summary": "SPARQL 1.1 Protocol query (POST, direct or form-encoded)",
        "operationId": "sparql_post",
        "requestBody": {"required": True, "content": {
            "application/sparql-query": {"schema": STR},
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "query": STR, "default-graph-uri": STR, "named-graph-uri": STR}}}}},
        "responses": {"200": {"description": "Results or a graph", "content": ANY_TYPES},
                      "400": E400, "406": E406, "413": error("Too large"), "415": error("Not a query media type"),
                      "503": error("Over the time limit")}}},
    "/sparql/update": {"post": {
        "tags": ["sparql"], "summary": "SPARQL 1.1 Update (Bearer token; disabled unless UPDATE_TOKEN is set)",
        "operationId": "sparql_update",
        "requestBody": {"required": True, "content": {
            "application/sparql-update": {"schema": STR},
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "update": STR, "using-graph-uri": STR, "using-named-graph-uri": STR}}}}},
        "responses": {"200": {"description": "Applied", "content": {JSON: {"schema": obj(["ok"], ok=BOOL)}}},
                      "400": E400, "401": error("No or wrong token"), "403": error("Updates are disabled"),
                      "413": error("Too large"), "415": error("Not an update media type"),
                      "503": error("Over the time limit")}}},
    "/.well-known/void": {"get": {
        "tags": ["sparql"], "summary": "The VoID description of the dataset", "operationId": "void",
        "parameters": [query("format", "An RDF format name or media type.", STR)],
        "responses": {"200": {"description": "VoID", "content": {t: {"schema": STR} for t in RDF_TYPES}},
                      "406": E406}}},
    "/api/findings": {"get": {
        "tags": ["reasoner"], "summary": "Every finding with IRI, label, synonyms and whether it is a red flag",
        "operationId": "findings", "responses": {"200": {"description": "OK", "content": {JSON: {"schema": ANY_OBJECT}}},
                                                 "400": E400, "406": E406}}},
    "/api/triage": {"post": {
        "tags": ["reasoner"], "summary": "Urgency, candidate conditions and advice for a patient case",
        "description": "Every key is optional; findings may be IRIs, CURIEs, labels or synonyms. Unknown keys, "
                       "wrong types and out-of-range values answer 400 naming the field.",
        "operationId": "triage",
        "requestBody": {"required": False, "content": {JSON: {"schema": None}}},
        "responses": {"200": {"description": "The triage answer", "content": {JSON: {"schema": obj(
            ["urgency", "candidates", "findings", "unrecognized", "recommendations", "disclaimer", "questions",
             "complete", "provisional", "red_flags_to_check"],
            urgency=ANY_OBJECT, candidates={"type": "array", "items": ANY_OBJECT},
            findings={"type": "array", "items": ANY_OBJECT}, unrecognized={"type": "array"},
            recommendations={"type": "array", "items": ANY_OBJECT}, disclaimer=STR,
            questions={"type": "array", "items": ref("Question"),
                       "description": "The interview, most important first: answer yes by adding the question's "
                                      "finding IRI to findings, no by adding it to absent_findings, and post again."},
            complete={"type": "boolean", "description": "No unanswered question could raise the level."},
            provisional={"type": "boolean", "description": "Below urgent and not complete: the level holds only "
                                                           "if none of red_flags_to_check is present."},
            red_flags_to_check={"type": "array", "items": ref("RedFlagCheck")},
            safety_net=STR)}}},
            "400": E400, "415": error("Not JSON")}}},
    "/api/annotate": {"post": {
        "tags": ["reasoner"], "summary": "The findings a text mentions, present or negated, with their spans",
        "operationId": "annotate",
        "requestBody": {"required": True, "content": {JSON: {"schema": None}}},
        "responses": {"200": {"description": "The findings found", "content": {JSON: {"schema": ANY_OBJECT}}},
                      "400": E400, "415": error("Not JSON")}}},
}


def case_schemas() -> tuple[dict, dict]:
    """The request bodies of /api/triage and /api/annotate, from the reasoner's own limits."""
    try:
        from .reasoner.model import MAX_TERM_LENGTH, MAX_TERMS, MAX_TEXT, RANGES
    except ImportError:  # the reasoner is not installed in this app
        MAX_TERMS, MAX_TERM_LENGTH, MAX_TEXT, RANGES = 100, 200, 10_000, {}
    term = {"type": "string", "pattern": r"\S", "maxLength": MAX_TERM_LENGTH}
    terms = {"nullable": True, "anyOf": [{"type": "array", "maxItems": MAX_TERMS, "items": term}, term]}
    # the reasoner takes whole numbers written as 3 or 3.0
    number = lambda key: {"type": "number", "multipleOf": 1, "nullable": True, "minimum": RANGES.get(key, (0, 0))[0],  # noqa: E731
                          **({"maximum": RANGES[key][1]} if key in RANGES else {})}
    triage = {"type": "object", "nullable": True, "additionalProperties": False, "properties": {
        "findings": terms, "absent_findings": terms,
        "text": {"type": "string", "nullable": True, "maxLength": MAX_TEXT},
        "duration_days": number("duration_days"), "severity": number("severity"), "age": number("age"),
        "pregnancy_weeks": number("pregnancy_weeks"),
        "improving_with_home_care": {"type": "boolean", "nullable": True}}}
    annotate = {"type": "object", "required": ["text"], "additionalProperties": False,
                "properties": {"text": {"type": "string", "maxLength": MAX_TEXT}}}
    return triage, annotate


def routed(app) -> set[tuple[str, str]]:
    """(path in OpenAPI form, method) for every rule of the app."""
    found = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            found.add((path, method.lower()))
    return found


def spec(app) -> dict:
    """The OpenAPI 3.0 document for ``app``: the described operations the app routes."""
    routes = routed(app)
    triage, annotate = case_schemas()
    bodies = {"/api/triage": triage, "/api/annotate": annotate}
    paths = {}
    for path_key, item in OPERATIONS.items():
        ops = {m: op for m, op in item.items() if (path_key, m) in routes}
        for method, op in list(ops.items()):
            if any(p["in"] == "query" for p in op.get("parameters", [])):
                ops[method] = {**op, "responses": {**op["responses"], "414": URI_TOO_LONG}}
        if path_key in bodies and "post" in ops:
            post = copy.deepcopy(ops["post"])
            post["requestBody"]["content"][JSON]["schema"] = bodies[path_key]
            ops["post"] = post
        if ops:
            paths[path_key] = ops
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "HipBack API",
            "version": __version__,
            "description": "Hip and lower back pain: the terms of one public article as an OWL ontology, with "
                           "search, mappings to ICD-10-CM, HPO and MeSH, linked data, FHIR and triage. "
                           "Information, not a diagnosis. Every error has one JSON shape (Error).",
            "license": {"name": "MIT (code), CC BY 4.0 (ontology)"},
        },
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
