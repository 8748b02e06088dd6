"""The OpenAPI 3 description of the service, served at /openapi.json.

``OPERATIONS`` describes every machine-facing endpoint, the REST API's and those of the
SPARQL, saved-query, health and reasoner blueprints. ``spec(app)`` emits only the
operations whose path and method the app really routes, so the description never promises
an endpoint that is not there; ``tests/test_openapi.py`` checks the other direction (every
route under the API's prefixes is described) and schemathesis checks the answers.

``SCHEMAS`` names the shape of every JSON answer: its required keys and typed properties, objects
left open (``additionalProperties``) so that the API may add keys. Client generators read them:
``tests/test_openapi_client.py`` generates a client with openapi-python-client and checks that it
parses the answers of a real server into its typed models.
"""
from __future__ import annotations

import copy
import re

from . import __version__, vocab

JSON = vocab.JSON
JSONLD = vocab.JSONLD
FHIR = vocab.FHIR_JSON
RDF_TYPES = [vocab.TURTLE, vocab.JSONLD, vocab.RDFXML, vocab.NTRIPLES]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    if "$ref" in schema:  # OpenAPI 3.0 ignores the siblings of a $ref
        return {"nullable": True, "allOf": [schema]}
    return {**schema, "nullable": True}


STR = {"type": "string"}
STRS = {"type": "array", "items": STR}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
BOOL = {"type": "boolean"}
ANY_OBJECT = {"type": "object", "additionalProperties": True}
#: [start, end) character offsets into the text the client sent
SPAN = {"type": "array", "items": INT, "minItems": 2, "maxItems": 2}


def obj(required: list[str], **properties) -> dict:
    """An object with these properties, ``required`` always present; the API may add more (additionalProperties)."""
    schema = {"type": "object", "required": required, "properties": properties, "additionalProperties": True}
    if not required:  # OpenAPI 3.0: required, when given, lists at least one name
        del schema["required"]
    return schema


def array(item: dict) -> dict:
    return {"type": "array", "items": item}


def refs(name: str) -> dict:
    return array(ref(name))


def page_of(item: dict, required: tuple[str, ...] = (), **properties) -> dict:
    """A page of a list: the paging fields of ``views.support.page`` and ``items`` of one schema."""
    return obj(["ok", "total", "limit", "offset", "count", "next", "previous", *required, "items"], ok=BOOL,
               total=INT, limit=INT, offset=INT, count=INT, next=nullable(STR), previous=nullable(STR),
               **properties, items=array(item))


SCHEMAS = {
    # -- terms, lists, search and mappings (service/terms.py, views/api.py, views/terms.py)
    "TermRef": obj(["iri", "label"], iri=STR, label=STR),
    "Ref": obj(["iri", "curie", "label"], iri=STR, curie=STR, label=STR),
    "Code": obj(["system", "code", "curie", "iri", "label", "relation", "relation_iri"],
                system={"type": "string", "enum": ["ICD10CM", "HP", "MESH"]}, code=STR, curie=STR, iri=STR,
                label=nullable(STR), relation=STR, relation_iri=STR),
    "Source": obj(["excerpts", "interpretation", "external"],
                  document={"nullable": True, "allOf": [ref("SourceDocument")]}, section=nullable(STR),
                  excerpts=STRS, interpretation=STRS, external=STRS, disagreement=nullable(STR)),
    "TermSummary": obj(["iri", "curie", "id", "label", "kind", "definition", "synonyms", "codes", "source",
                        "red_flag", "deprecated"],
                       iri=STR, curie=STR, id=STR, label=STR, kind=STR, definition=nullable(STR),
                       synonyms=STRS, codes=refs("Code"), source=ref("Source"), red_flag=BOOL, deprecated=BOOL),
    "Relation": obj(["property", "direction", "term", "via"], property=ref("Ref"),
                    direction={"type": "string", "enum": ["out", "in"]}, term=ref("Ref"), via=STR,
                    inherited_from=ref("Ref")),
    "Group": obj(["key", "title", "items"], key=STR, title=STR, items=refs("Ref")),
    "ParentRef": {"allOf": [ref("Ref"), obj(["inferred"], inferred=BOOL)]},
    "Relations": obj(["outgoing", "incoming"], outgoing=refs("Relation"), incoming=refs("Relation")),
    "Annotation": obj(["property", "values"], property=ref("Ref"), values=array(obj(
        ["value"], value=STR, iri=STR, curie=STR, label=STR))),
    "TermLinks": obj(["self", "html", "json", "ttl", "jsonld", "rdf", "nt", "mappings", "api"], self=STR, html=STR,
                     json=STR, ttl=STR, jsonld=STR, rdf=STR, nt=STR, mappings=STR, api=STR),
    "TermDetail": {"allOf": [ref("TermSummary"), obj(
        ["types", "parents", "children", "ancestors", "descendants", "relations", "groups", "annotations",
         "replaced_by"],
        ok=BOOL, types=refs("Ref"), parents=refs("ParentRef"), children=refs("Ref"), ancestors=refs("Ref"),
        descendants=refs("Ref"), relations=ref("Relations"), groups=refs("Group"), annotations=refs("Annotation"),
        replaced_by=refs("Ref"), links=ref("TermLinks"), ontology_version=nullable(STR))]},
    "TermPage": page_of(ref("TermSummary")),
    "CategoryPage": page_of(ref("TermSummary"), ("list", "description"),
                            list={"type": "string", "enum": ["conditions", "treatments", "causes", "red-flags"]},
                            description=STR),
    "Matched": obj(["field", "text"], field=STR, text=STR),
    "SearchHit": {"allOf": [ref("TermSummary"), obj(["score", "matched"], score=NUMBER, matched=ref("Matched"))]},
    "SearchPage": page_of(ref("SearchHit"), ("query",), query=STR),
    "AutocompleteHit": {"allOf": [ref("Ref"), obj(["matched"], matched=ref("Matched"))]},
    "AutocompletePage": page_of(ref("AutocompleteHit"), ("query",), query=STR),
    "MappedTerm": {"allOf": [ref("Ref"), obj(["relation", "relation_iri", "match", "matched_code"], relation=STR,
                                             relation_iri=STR, definition=nullable(STR), match=STR,
                                             matched_code=STR)]},
    "Mappings": obj(["ok", "code", "match", "broader_code", "total", "items"], ok=BOOL, total=INT,
                    code=obj(["system", "code", "curie", "iri", "label"], system=STR, code=STR, curie=STR,
                             iri=STR, label=nullable(STR)),
                    match={"type": "string", "enum": ["exact", "narrower", "broader", "none"],
                           "description": "exact: terms mapped to the code itself; narrower: to ICD-10-CM codes under "
                                          "it; broader: to codes under its nearest broader code that has any"},
                    broader_code={"nullable": True, "allOf": [obj(["curie", "label"], curie=STR, label=nullable(STR))]},
                    items=refs("MappedTerm")),
    "TermMappings": obj(["ok", "term", "total", "items"], ok=BOOL, term=ref("Ref"), total=INT, items=refs("Code")),
    "Download": obj(["file", "variant", "media_type", "bytes", "sha256", "url"], file=STR, variant=STR,
                    description=STR, media_type=STR, bytes=INT, sha256=STR, url=STR, version_url=nullable(STR)),
    "Downloads": obj(["ok", "ontology", "version", "items"], ok=BOOL, ontology=STR, version=nullable(STR),
                     items=refs("Download")),
    "ApiIndex": obj(["ok", "endpoints"], ok=BOOL, service=STR, ontology=STR, version=nullable(STR), disclaimer=STR,
                    endpoints=array(obj(["name", "url", "description"], name=STR, url=STR, description=STR))),
    "TermCard": obj(["iri", "curie", "label", "definition", "synonyms", "page"], iri=STR, curie=STR, label=STR,
                    definition=nullable(STR), synonyms=STRS, page=STR),
    "SourceStatement": obj(["term", "property", "value"], property=STR, value=nullable(STR), term={**obj(
        ["iri", "label"], iri=STR, curie=STR, label=STR, definition=nullable(STR), synonyms=STRS, page=STR),
        "description": "The term the statement is about (only iri and label when it is not a term of the index)"}),
    "SourceEntry": obj(["iri", "page", "title", "publisher", "year", "url", "kind", "about", "primary", "terms",
                        "statements", "counts"],
                       iri=STR, page=STR, title=STR, publisher=nullable(STR), year=nullable(STR), url=nullable(STR),
                       kind=nullable(STR), about=nullable(STR), primary=BOOL, terms=refs("TermCard"),
                       statements=refs("SourceStatement"),
                       counts=obj(["terms", "statements"], terms=INT, statements=INT)),
    "SourceList": obj(["ok", "count", "sources"], ok=BOOL, title=STR, count=INT, sources=refs("SourceEntry")),
    "JsonLdDocument": obj(["@context"], **{
        "@context": {"type": "object", "additionalProperties": STR, "description": "prefix -> namespace IRI"},
        "@graph": array(obj(["@id"], **{"@id": STR, "@type": {"anyOf": [STR, STRS]}}))}),
    "OpenApiDocument": obj(["openapi", "info", "paths", "components"], openapi=STR,
                           info=obj(["title", "version"], title=STR, version=STR, description=STR),
                           paths={"type": "object", "additionalProperties": ANY_OBJECT},
                           components=obj(["schemas"], schemas={"type": "object", "additionalProperties": ANY_OBJECT})),
    # -- the reasoner (service/reasoner/model.py: TriageResult.to_dict, Annotation.to_dict; keys whose
    #    value is None are left out, so its optional fields are absent, never null)
    "UrgencyLevel": {"type": "string", "enum": ["emergency", "urgent", "routine", "self_care"],
                     "description": "The urgency levels of the ontology's triage rules, highest first"},
    "SourceDocument": obj(["iri", "curie", "label", "primary"], iri=STR, curie=STR, label=STR,
                          publisher=nullable(STR), year=nullable(STR), url=nullable(STR), kind=nullable(STR),
                          primary=BOOL),
    "Fact": obj(["kind", "description"], kind={"type": "string", "enum": ["finding", "value", "rule", "fallback"]},
                description=STR, iri=STR, label=STR, property=STR,
                value={"anyOf": [INT, BOOL], "description": "The case's value that the rule tested"}),
    "Reason": obj(["rule", "label", "level", "facts", "source"], rule=STR, label=STR, level=ref("UrgencyLevel"),
                  facts=refs("Fact"), definition=STR, source=ref("Source")),
    "Urgency": obj(["level", "label", "iri", "rank", "reasons"], level=ref("UrgencyLevel"), label=STR, iri=STR,
                   rank=INT, advice=STR, reasons=refs("Reason")),
    "ReportedFinding": obj(["iri", "label"], iri=STR, label=STR, matched=STRS),
    "SupportingFinding": obj(["iri", "label", "weight", "reported_as"], iri=STR, label=STR, weight=NUMBER,
                             reported_as=refs("ReportedFinding"), named_in_case=BOOL),
    "Candidate": obj(["iri", "label", "score", "supporting_findings", "characteristic_findings_not_reported",
                      "characteristic_findings_denied", "source"],
                     iri=STR, label=STR, score=NUMBER, supporting_findings=refs("SupportingFinding"),
                     characteristic_findings_not_reported=refs("TermRef"),
                     characteristic_findings_denied=refs("TermRef"), definition=STR, source=ref("Source")),
    "Origin": obj(["field"], field=STR, term=STR, span=SPAN, matched=STR, parts=array(SPAN)),
    "CaseFinding": obj(["iri", "label", "status", "red_flag", "origin"], iri=STR, label=STR,
                       status={"type": "string", "enum": ["present", "absent"]}, red_flag=BOOL,
                       origin=refs("Origin"), disagreement=STR),
    "CaseFacts": obj(["origins"], duration_days=INT, severity=INT, age=INT, improving_with_home_care=BOOL,
                     pregnancy_weeks=INT,
                     origins=obj([], duration_days=ref("Origin"), severity=ref("Origin"), age=ref("Origin"),
                                 improving_with_home_care=ref("Origin"), pregnancy_weeks=ref("Origin"))),
    "Unrecognized": obj(["field", "input", "reason"], field=STR, input=STR, reason=STR, span=SPAN),
    "Caution": obj(["iri", "label", "source"], iri=STR, label=STR, definition=STR, source=ref("Source")),
    "Recommendation": obj(["iri", "label", "why", "cautions", "source"], iri=STR, label=STR, why=STR, advice=STR,
                          timing=STR, cautions=refs("Caution"), source=ref("Source")),
    "Question": obj(["finding", "text", "kind", "if_yes"], finding=ref("TermRef"), text=STR,
                    kind={"type": "string", "enum": ["red_flag", "level", "caution", "candidate"],
                          "description": "What the answer decides: a red flag, a higher level, a caution on the "
                                         "advised care, or which candidate fits best"},
                    if_yes=ref("UrgencyLevel"), advice=STR),
    "RedFlagCheck": obj(["finding", "text"], finding=ref("TermRef"), text=STR, advice=STR),
    "Withheld": obj(["iri", "label", "caution", "finding", "why", "source"], iri=STR, label=STR,
                    caution=ref("TermRef"), finding=ref("TermRef"), why=STR, source=ref("Source")),
    "TriageAnswer": obj(
        ["ok", "urgency", "candidates", "findings", "facts", "unrecognized", "recommendations", "disclaimer",
         "questions", "complete", "provisional", "red_flags_to_check", "withheld"],
        ok=BOOL, urgency=ref("Urgency"), candidates=refs("Candidate"), findings=refs("CaseFinding"),
        facts=ref("CaseFacts"), unrecognized=refs("Unrecognized"), recommendations=refs("Recommendation"),
        disclaimer=STR, ontology_version=STR,
        questions={**refs("Question"),
                   "description": "The interview, most important first: answer yes by adding the question's "
                                  "finding IRI to findings, no by adding it to absent_findings, and post again."},
        complete={"type": "boolean", "description": "No unanswered question could raise the level."},
        provisional={"type": "boolean", "description": "Below urgent and not complete: the level holds only "
                                                       "if none of red_flags_to_check is present."},
        red_flags_to_check=refs("RedFlagCheck"), safety_net=STR,
        withheld={**refs("Withheld"), "description": "Care actions left out because one of their cautions holds."}),
    "AnnotateAnswer": obj(["ok", "text", "findings", "facts", "unrecognized", "conditions"], ok=BOOL, text=STR,
                          findings=refs("CaseFinding"), facts=ref("CaseFacts"), unrecognized=refs("Unrecognized"),
                          conditions={**refs("CaseFinding"),
                                      "description": "Conditions the text names (evidence for that candidate only)"}),
    "Finding": obj(["iri", "label", "synonyms", "absence_phrases", "red_flag", "broader", "definition"], iri=STR,
                   label=STR, synonyms=STRS, absence_phrases=STRS, red_flag=BOOL, broader=refs("TermRef"),
                   definition=nullable(STR)),
    "FindingList": obj(["ok", "count", "ontology_version", "findings"], ok=BOOL, count=INT,
                       ontology_version=nullable(STR), findings=refs("Finding")),
    # -- saved queries, SPARQL Update, health
    "SavedQuery": obj(["name", "title", "description", "url", "json", "csv", "sparql"], name=STR, title=STR,
                      description=STR, url=STR, json=STR, csv=STR, sparql=STR),
    "SavedQueryList": obj(["ok", "count", "queries"], ok=BOOL, count=INT, queries=refs("SavedQuery")),
    "QueryRows": obj(["ok", "name", "title", "description", "columns", "rows", "count", "sparql"], ok=BOOL,
                     name=STR, title=STR, description=STR, columns=STRS, count=INT, sparql=STR,
                     rows=array({"type": "object", "additionalProperties": STR,
                                 "description": "column -> value; an unbound column is absent"})),
    "UpdateResult": obj(["ok", "message"], ok=BOOL, message=STR),
    "Error": obj(["ok", "status", "error", "message"], ok={"type": "boolean", "enum": [False]}, status=INT,
                 error=STR, message=STR, field=STR),
    "FhirResource": obj(["resourceType"], resourceType=STR),
    "FhirParameters": obj(["resourceType"], resourceType={"type": "string", "enum": ["Parameters"]},
                          parameter={"type": "array", "items": ref("FhirParameter")}),
    "FhirParameter": obj(["name"], name=STR, valueBoolean=BOOL, valueString=STR, valueCode=STR, valueUri=STR,
                         valueCoding=ref("FhirCoding"), part={"type": "array", "items": ANY_OBJECT}),
    "FhirCoding": obj([], system=STR, code=STR, display=STR, version=STR),
    "FhirBundle": obj(["resourceType", "type", "total", "entry"],
                      resourceType={"type": "string", "enum": ["Bundle"]}, type=STR, total=INT,
                      link={"type": "array", "items": obj(["relation", "url"], relation=STR, url=STR)},
                      entry={"type": "array", "items": obj(["resource", "search"], fullUrl=STR,
                                                           resource=ref("FhirResource"),
                                                           search=obj(["mode"], mode=STR))}),
    "FhirCodeSystem": obj(["resourceType", "url", "version", "status", "content", "concept"],
                          resourceType={"type": "string", "enum": ["CodeSystem"]}, id=STR, url=STR, version=STR,
                          name=STR, title=STR, status=STR, content=STR, count=INT,
                          concept={"type": "array", "items": obj(["code"], code=STR, display=STR, definition=STR)}),
    "FhirConceptMap": obj(["resourceType", "url", "status", "group"],
                          resourceType={"type": "string", "enum": ["ConceptMap"]}, id=STR, url=STR, version=STR,
                          name=STR, title=STR, status=STR, group={"type": "array", "items": ANY_OBJECT}),
    "FhirCapabilityStatement": obj(["resourceType", "fhirVersion", "rest"],
                                   resourceType={"type": "string", "enum": ["CapabilityStatement"]},
                                   fhirVersion=STR, rest={"type": "array", "items": ANY_OBJECT}),
    "OperationOutcome": obj(["resourceType", "issue"], resourceType={"type": "string", "enum": ["OperationOutcome"]},
                            issue={"type": "array", "items": obj(
                                ["severity", "code"], severity=STR, code=STR, diagnostics=STR,
                                details=obj([], text=STR))}),
    "Health": obj(["ok", "service", "version", "store", "ontology_version", "triples", "query_ms"], ok=BOOL,
                  service=STR, version=STR, store=STR, ontology_version=nullable(STR), triples=INT,
                  query_ms=NUMBER),
}


def error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def ok_json(schema: str, description: str = "OK", jsonld: bool = True) -> dict:
    """A 200 answer of one named schema, as JSON (and JSON-LD, which adds @context, when ``jsonld``)."""
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
                    "parameters": PAGING, "responses": {"200": ok_json("CategoryPage"), "400": E400, "406": E406}}}


# -- FHIR: resources, errors as OperationOutcome, operations by GET or by POST of Parameters ----------

def fhir_ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {FHIR: {"schema": ref(schema)}, JSON: {"schema": ref(schema)}}}


def fhir_error(description: str) -> dict:
    return {"description": description, "content": {FHIR: {"schema": ref("OperationOutcome")}}}


F400, F404, F406 = (fhir_error("Bad request: an OperationOutcome; details.text names the parameter"),
                    fhir_error("Not found: an OperationOutcome"), fhir_error("Not acceptable: an OperationOutcome"))
FHIR_TEXT = lambda name, description: query(name, description, {"type": "string", "maxLength": 300})  # noqa: E731
FHIR_SEARCH = lambda names: [FHIR_TEXT(n, f"R4 search parameter {n} (comma: any of several values).")  # noqa: E731
                             for n in names]
TRANSLATE_PARAMETERS = [
    FHIR_TEXT("system", "The code's system: https://w3id.org/hipback, or http://hl7.org/fhir/sid/icd-10-cm, "
                        "http://human-phenotype-ontology.org, http://www.nlm.nih.gov/research/umls/mesh."),
    FHIR_TEXT("code", "The code."), FHIR_TEXT("coding", "system|code, instead of system and code."),
    FHIR_TEXT("url", "The ConceptMap's canonical URL."), FHIR_TEXT("targetsystem", "Only codes of this system."),
    query("reverse", "Translate from a target code back to HipBack.", {"type": "string", "enum": ["true", "false"]}),
]


def fhir_operation(name: str, summary: str, parameters: list, not_found: bool = False) -> dict:
    responses = {"200": fhir_ok("FhirParameters", "Parameters"), "400": F400, "406": F406}
    if not_found:
        responses["404"] = F404
    get = {"tags": ["fhir"], "summary": summary + " (GET)", "operationId": f"fhir_{name}", "parameters": parameters,
           "responses": responses}
    post = {"tags": ["fhir"], "summary": summary + " (POST a Parameters resource)",
            "operationId": f"fhir_{name}_post",
            "parameters": [p for p in parameters if p["in"] == "path"],
            # application/json is accepted too; one media type keeps generated clients simple
            "requestBody": {"required": True, "content": {FHIR: {"schema": ref("FhirParameters")}}},
            "responses": {**responses, "415": fhir_error("Not a FHIR JSON body: an OperationOutcome")}}
    return {"get": get, "post": post}


#: path -> operations (OpenAPI path item); only those the app routes are published
OPERATIONS: dict[str, dict] = {
    "/api": {"get": {"tags": ["api"], "summary": "What exists: every endpoint with its URL", "operationId": "api_index",
                     "responses": {"200": ok_json("ApiIndex"), "406": E406}}},
    "/api/conditions": _list("conditions", "Conditions, paginated"),
    "/api/treatments": _list("treatments", "Care actions (treatments), paginated"),
    "/api/causes": _list("causes", "Terms that can cause another condition, paginated"),
    "/api/red-flags": _list("red-flags", "Red flags, paginated"),
    "/api/sources": {"get": {"tags": ["terms"], "summary": "Every source document with its citation and what rests on it",
                             "operationId": "list_sources",
                             "responses": {"200": ok_json("SourceList"), "406": E406}}},
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
                               "200": {"description": "OK", "content": {vocab.HTML: {"schema": STR},
                                                                        JSON: {"schema": ref("Downloads")}}},
                               "406": E406}}},
    "/downloads/{filename}": {"get": {
        "tags": ["downloads"], "summary": "One release file", "operationId": "download",
        "parameters": [path("filename", "e.g. hipback.ttl, hipback-reasoned.owl")],
        "responses": {"200": {"description": "The file", "content": {
            vocab.RDFXML: {"schema": STR}, vocab.TURTLE: {"schema": STR},
            vocab.JSONLD: {"schema": STR}, vocab.NTRIPLES: {"schema": STR}}}, "404": E404}}},
    "/term/{name}": {"get": {
        "tags": ["linked data"], "summary": "A term IRI (https://w3id.org/hipback/{name}): 303 by Accept",
        "description": "303 See Other to /term/{name}.html, .json, .ttl, .jsonld, .rdf or .nt, chosen by Accept "
                       "(q-values). The document URLs answer 200 with an ETag. A case variant of a name "
                       "answers 301 to the canonical URL.",
        "operationId": "dereference_term",
        "parameters": [path("name", "Local name, optionally with a document suffix")],
        "responses": {"200": {"description": "A term document (when {name} has a suffix)", "content": {
            vocab.HTML: {"schema": STR}, JSON: {"schema": ref("TermDetail")},
            JSONLD: {"schema": ref("JsonLdDocument")},
            vocab.TURTLE: {"schema": STR}, vocab.RDFXML: {"schema": STR},
            vocab.NTRIPLES: {"schema": STR}}},
            "301": {"description": "The canonical spelling of the name", "headers": {"Location": {"schema": STR}}},
            "303": REDIRECT, "304": {"description": "Not Modified (If-None-Match)"}, "404": E404, "406": E406}}},
    "/hipback.owl": {"get": {"tags": ["linked data"], "summary": "The ontology IRI: 303 to a release file by Accept",
                             "operationId": "ontology_iri", "responses": {"303": REDIRECT, "406": E406}}},
    "/releases/{date}/hipback.owl": {"get": {
        "tags": ["linked data"], "summary": "The version IRI: 303 to that release's file by Accept",
        "operationId": "version_iri", "parameters": [path("date", "The release date, e.g. 2026-11-25")],
        "responses": {"200": {"description": "The release's RDF/XML file (the version IRI names it)",
                              "content": {vocab.RDFXML: {"schema": STR}}},
                      "303": REDIRECT, "404": E404, "406": E406}}},
    "/releases/{date}/{filename}": {"get": {
        "tags": ["linked data"], "summary": "One file of a release", "operationId": "release_file",
        "parameters": [path("date", "The release date"), path("filename", "e.g. hipback.ttl")],
        "responses": {"200": {"description": "The file", "content": {
            vocab.RDFXML: {"schema": STR}, vocab.TURTLE: {"schema": STR},
            vocab.JSONLD: {"schema": STR}, vocab.NTRIPLES: {"schema": STR}}},
            "303": REDIRECT, "404": E404, "406": E406}}},
    "/fhir/CodeSystem/hipback": {"get": {
        "tags": ["fhir"], "summary": "The terms as a FHIR R4 CodeSystem", "operationId": "fhir_code_system",
        "responses": {"200": fhir_ok("FhirCodeSystem", "CodeSystem"), "406": F406}}},
    "/fhir/CodeSystem": {"get": {
        "tags": ["fhir"], "summary": "Search CodeSystems (R4 search parameters)", "operationId": "fhir_search_code_systems",
        "parameters": FHIR_SEARCH(["_id", "url", "name", "title", "status", "version", "system", "code"]),
        "responses": {"200": fhir_ok("FhirBundle", "A searchset Bundle"), "400": F400, "406": F406}}},
    "/fhir/ConceptMap/{map_id}": {"get": {
        "tags": ["fhir"], "summary": "Cross-references as a FHIR R4 ConceptMap", "operationId": "fhir_concept_map",
        "parameters": [path("map_id", "hipback-icd10cm, hipback-hpo or hipback-mesh")],
        "responses": {"200": fhir_ok("FhirConceptMap", "ConceptMap"), "404": F404, "406": F406}}},
    "/fhir/ConceptMap": {"get": {
        "tags": ["fhir"], "summary": "Search ConceptMaps by source and target system, code, url (R4 search parameters)",
        "operationId": "fhir_search_concept_maps",
        "parameters": FHIR_SEARCH(["_id", "url", "name", "title", "status", "version", "source-system", "source",
                                   "source-uri", "target-system", "target", "target-uri", "source-code",
                                   "target-code"]),
        "responses": {"200": fhir_ok("FhirBundle", "A searchset Bundle"), "400": F400, "406": F406}}},
    "/fhir/CodeSystem/$lookup": fhir_operation(
        "lookup", "FHIR CodeSystem/$lookup: display, designations and properties of a code",
        [FHIR_TEXT("system", "https://w3id.org/hipback, or an ICD-10-CM/HPO/MeSH system URI."),
         FHIR_TEXT("code", "The code."), FHIR_TEXT("coding", "system|code, instead of system and code."),
         FHIR_TEXT("version", "The version asked for.")], not_found=True),
    "/fhir/CodeSystem/$validate-code": fhir_operation(
        "validate_code", "FHIR CodeSystem/$validate-code: result true or false, with a message and the display",
        [FHIR_TEXT("url", "The code system: https://w3id.org/hipback."), FHIR_TEXT("code", "The code."),
         FHIR_TEXT("display", "A display to check (the label or a synonym)."),
         FHIR_TEXT("version", "The version the code must be valid in."),
         FHIR_TEXT("coding", "system|code, instead of url and code.")], not_found=True),
    "/fhir/CodeSystem/hipback/$validate-code": fhir_operation(
        "validate_code_in_hipback", "FHIR CodeSystem/$validate-code on the HipBack CodeSystem",
        [FHIR_TEXT("code", "The code."), FHIR_TEXT("display", "A display to check (the label or a synonym)."),
         FHIR_TEXT("version", "The version the code must be valid in.")], not_found=True),
    "/fhir/ConceptMap/$translate": fhir_operation(
        "translate", "FHIR ConceptMap/$translate: a HipBack code to ICD-10-CM, HPO and MeSH, or back",
        TRANSLATE_PARAMETERS, not_found=True),
    "/fhir/ConceptMap/{map_id}/$translate": fhir_operation(
        "translate_with_map", "FHIR ConceptMap/$translate with one ConceptMap",
        [path("map_id", "hipback-icd10cm, hipback-hpo or hipback-mesh")] + TRANSLATE_PARAMETERS, not_found=True),
    "/fhir/metadata": {"get": {
        "tags": ["fhir"], "summary": "The FHIR CapabilityStatement", "operationId": "fhir_metadata",
        "responses": {"200": fhir_ok("FhirCapabilityStatement", "CapabilityStatement"), "406": F406}}},
    "/openapi.json": {"get": {"tags": ["api"], "summary": "This description", "operationId": "openapi",
                              "responses": {"200": {"description": "OpenAPI 3",
                                                    "content": {JSON: {"schema": ref("OpenApiDocument")}}}}}},
    "/api/docs": {"get": {"tags": ["api"], "summary": "The documentation page", "operationId": "api_docs",
                          "responses": {"200": {"description": "HTML", "content": {vocab.HTML: {"schema": STR}}}}}},
    "/healthz": {"get": {"tags": ["service"], "summary": "Liveness, ontology version and triple count",
                         "operationId": "healthz",
                         "responses": {"200": {"description": "OK", "content": {JSON: {"schema": ref("Health")}}}}}},
    "/api/queries": {"get": {"tags": ["sparql"], "summary": "The saved SPARQL queries", "operationId": "saved_queries",
                             "responses": {"200": {"description": "OK",
                                                   "content": {JSON: {"schema": ref("SavedQueryList")}}}}}},
    "/queries/{name}": {"get": {
        "tags": ["sparql"], "summary": "Run a saved query (HTML, JSON or CSV by Accept; .json/.csv suffix)",
        "operationId": "run_saved_query", "parameters": [path("name", "The saved query's name")],
        "responses": {"200": {"description": "Rows", "content": {vocab.HTML: {"schema": STR},
                                                                 JSON: {"schema": ref("QueryRows")},
                                                                 vocab.CSV: {"schema": STR}}},
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
        "responses": {"200": {"description": "Applied", "content": {JSON: {"schema": ref("UpdateResult")}}},
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
        "operationId": "findings", "responses": {"200": {"description": "OK",
                                                         "content": {JSON: {"schema": ref("FindingList")}}},
                                                 "400": E400, "406": E406}}},
    "/api/triage": {"post": {
        "tags": ["reasoner"], "summary": "Urgency, candidate conditions and advice for a patient case",
        "description": "Every key is optional; findings may be IRIs, CURIEs, labels or synonyms. Unknown keys, "
                       "wrong types and out-of-range values answer 400 naming the field.",
        "operationId": "triage",
        "requestBody": {"required": False, "content": {JSON: {"schema": None}}},
        "responses": {"200": {"description": "The triage answer",
                              "content": {JSON: {"schema": ref("TriageAnswer")}}},
            "400": E400, "415": error("Not JSON")}}},
    "/api/annotate": {"post": {
        "tags": ["reasoner"], "summary": "The findings a text mentions, present or negated, with their spans",
        "operationId": "annotate",
        "requestBody": {"required": True, "content": {JSON: {"schema": None}}},
        "responses": {"200": {"description": "The findings found",
                              "content": {JSON: {"schema": ref("AnnotateAnswer")}}},
                      "400": E400, "415": error("Not JSON")}}},
}


def case_schemas() -> tuple[dict, dict]:
    """The request bodies of /api/triage (TriageCase) and /api/annotate (AnnotateRequest), from the reasoner's
    own limits."""
    try:
        from .reasoner.model import MAX_TERM_LENGTH, MAX_TERMS, MAX_TEXT, RANGES
    except ImportError:  # the reasoner is not installed in this app
        MAX_TERMS, MAX_TERM_LENGTH, MAX_TEXT, RANGES = 100, 200, 10_000, {}
    term = {"type": "string", "pattern": r"\S", "maxLength": MAX_TERM_LENGTH}
    terms = {"nullable": True, "anyOf": [{"type": "array", "maxItems": MAX_TERMS, "items": term}, term]}
    # the reasoner takes whole numbers written as 3 or 3.0
    number = lambda key: {"type": "number", "multipleOf": 1, "nullable": True, "minimum": RANGES.get(key, (0, 0))[0],  # noqa: E731
                          **({"maximum": RANGES[key][1]} if key in RANGES else {})}
    triage = {"type": "object", "additionalProperties": False, "properties": {
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
    # the triage body may be JSON null (or empty): no fields
    bodies = {"/api/triage": nullable(ref("TriageCase")), "/api/annotate": ref("AnnotateRequest")}
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
        "components": {"schemas": {**SCHEMAS, "TriageCase": triage, "AnnotateRequest": annotate}},
    }
