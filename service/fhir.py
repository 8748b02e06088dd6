"""A FHIR R4 face on the ontology, as terminology servers answer (plain dicts).

- ``code_system(index)``: every class and individual of the ontology as a concept (code =
  the local name, display = the label, definition, synonyms as designations, ``parent`` and
  ``child`` properties from the hierarchy, ``inactive`` for deprecated terms).
- ``concept_map(index, system)``: the cross-references to one external system, with the FHIR
  R4 equivalence that corresponds to the SKOS mapping property (table ``EQUIVALENCE``).
- ``lookup(index, system, code)``: the ``Parameters`` of ``CodeSystem/$lookup``;
- ``validate_code`` and ``translate``: those of ``CodeSystem/$validate-code`` and
  ``ConceptMap/$translate``;
- ``bundle``: a searchset of CodeSystems or ConceptMaps (``matches_search`` with the R4
  search parameters);
- ``operation_outcome``: an error as FHIR clients read it.
"""
from __future__ import annotations

import itertools

from . import codes as codesys
from . import config
from .search import FHIR_SYSTEMS, FHIR_SYSTEMS_BY_URL

#: the canonical URL of the HipBack code system; a code's IRI is SYSTEM + "/" + code
SYSTEM = config.BASE.rstrip("/")
KINDS = ("class", "individual")

#: SKOS mapping property -> FHIR R4 ConceptMap equivalence (target relative to source)
EQUIVALENCE = {
    "exactMatch": "equivalent",
    "closeMatch": "inexact",
    "broadMatch": "wider",
    "narrowMatch": "narrower",
    "relatedMatch": "relatedto",
}

#: ConceptMap id -> the external system it maps to
CONCEPT_MAPS = {
    "hipback-icd10cm": codesys.ICD10CM,
    "hipback-hpo": codesys.HP,
    "hipback-mesh": codesys.MESH,
}
SYSTEM_TITLES = {codesys.ICD10CM: "ICD-10-CM", codesys.HP: "HPO", codesys.MESH: "MeSH"}

SYNONYM = {"system": "http://snomed.info/sct", "code": "900000000000013009",
           "display": "Synonym (core metadata concept)"}
PROPERTIES = [
    {"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code",
     "description": "A direct superclass (rdfs:subClassOf, asserted or inferred)."},
    {"code": "child", "uri": "http://hl7.org/fhir/concept-properties#child", "type": "code",
     "description": "A direct subclass."},
    {"code": "inactive", "uri": "http://hl7.org/fhir/concept-properties#inactive", "type": "boolean",
     "description": "True for a deprecated term (owl:deprecated)."},
]


def version(index) -> str:
    """The release date of the ontology (the last path step but one of its version IRI)."""
    parts = (index.version or "").rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else "unversioned"


def _concepts(index) -> list:
    return sorted((t for t in index.terms.values() if t.kind in KINDS), key=lambda t: t.local_name)


def _code(index, iri: str) -> str | None:
    term = index.terms.get(iri)
    return term.local_name if term is not None and term.kind in KINDS else None


def concept(index, term) -> dict:
    properties = [{"code": "parent", "valueCode": c} for c in
                  sorted(filter(None, (_code(index, p) for p in index.parents.get(term.iri, ()))))]
    properties += [{"code": "child", "valueCode": c} for c in
                   sorted(filter(None, (_code(index, p) for p in index.children.get(term.iri, ()))))]
    if term.deprecated:
        properties.append({"code": "inactive", "valueBoolean": True})
    data = {"code": term.local_name, "display": term.label}
    if term.definition:
        data["definition"] = term.definition
    if term.synonyms:
        data["designation"] = [{"language": "en", "use": dict(SYNONYM), "value": s} for s in term.synonyms]
    if properties:
        data["property"] = properties
    return data


def code_system(index) -> dict:
    concepts = _concepts(index)
    return {
        "resourceType": "CodeSystem",
        "id": "hipback",
        "url": SYSTEM,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": config.ONTOLOGY_IRI}],
        "version": version(index),
        "name": "HipBack",
        "title": "HipBack: hip pain and lower back pain ontology",
        "status": "active",
        "experimental": False,
        "publisher": "The HipBack project",
        "description": "The conditions, findings, red flags, care actions and triage rules of the article "
                       "'Hip Pain and Lower Back Pain', as the classes of an OWL 2 ontology. Information, "
                       "not a diagnosis.",
        "caseSensitive": True,
        "hierarchyMeaning": "is-a",
        "content": "complete",
        "count": len(concepts),
        "property": PROPERTIES,
        "concept": [concept(index, t) for t in concepts],
    }


def concept_map(index, map_id: str) -> dict:
    system = CONCEPT_MAPS[map_id]
    elements = []
    for term in _concepts(index):
        targets = [{"code": c.code, **({"display": c.label} if c.label else {}),
                    "equivalence": EQUIVALENCE[c.relation]}
                   for c in term.codes if c.system == system and c.relation in EQUIVALENCE]
        if targets:
            elements.append({"code": term.local_name, "display": term.label, "target": targets})
    title = SYSTEM_TITLES[system]
    return {
        "resourceType": "ConceptMap",
        "id": map_id,
        "url": f"{config.BASE}fhir/ConceptMap/{map_id}",
        "version": version(index),
        "name": "HipBackTo" + title.replace("-", ""),
        "title": f"HipBack terms to {title}",
        "status": "active",
        "experimental": False,
        "publisher": "The HipBack project",
        "description": f"The ontology's SKOS cross-references to {title}; the equivalence follows the SKOS "
                       "property: exactMatch equivalent, closeMatch inexact, broadMatch wider, narrowMatch "
                       "narrower, relatedMatch relatedto.",
        "group": [{"source": SYSTEM, "sourceVersion": version(index), "target": FHIR_SYSTEMS[system],
                   "element": elements}] if elements else [],
    }


def lookup(index, system: str, code: str) -> dict | None:
    """The $lookup answer for a HipBack code, or for an external code the ontology maps; None if unknown."""
    if system == SYSTEM:
        term = index.terms.get(config.BASE + code)
        if term is None or term.kind not in KINDS:
            return None
        parameters = [
            {"name": "name", "valueString": "HipBack"},
            {"name": "version", "valueString": version(index)},
            {"name": "display", "valueString": term.label},
        ]
        for synonym in term.synonyms:
            parameters.append({"name": "designation", "part": [
                {"name": "language", "valueCode": "en"},
                {"name": "use", "valueCoding": dict(SYNONYM)},
                {"name": "value", "valueString": synonym},
            ]})
        if term.definition:
            parameters.append({"name": "property", "part": [
                {"name": "code", "valueCode": "definition"}, {"name": "value", "valueString": term.definition}]})
        for prop in concept(index, term).get("property", []):
            value = {k: v for k, v in prop.items() if k != "code"}
            key, val = next(iter(value.items()))
            parameters.append({"name": "property", "part": [
                {"name": "code", "valueCode": prop["code"]}, {"name": "value", key: val}]})
        return {"resourceType": "Parameters", "parameter": parameters}
    for name, url in FHIR_SYSTEMS.items():
        if url == system:
            pairs = index.by_code(name, code)
            if not pairs:
                return None
            entry = pairs[0][1]
            parameters = [
                {"name": "name", "valueString": SYSTEM_TITLES[name]},
                {"name": "display", "valueString": entry.label or entry.code},
            ]
            for term, mapped in pairs:
                parameters.append({"name": "property", "part": [
                    {"name": "code", "valueCode": "hipback-" + EQUIVALENCE.get(mapped.relation, "relatedto")},
                    {"name": "value", "valueCoding": {"system": SYSTEM, "code": term.local_name,
                                                      "display": term.label}}]})
            return {"resourceType": "Parameters", "parameter": parameters}
    return None


def _search_params(names, kinds) -> list[dict]:
    return [{"name": n, "type": kinds.get(n, "token")} for n in names]


def capability_statement(index) -> dict:
    """What this FHIR face offers: read and search CodeSystem and ConceptMap, $lookup,
    $validate-code and $translate."""
    release = version(index)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": release if len(release) == 10 else "2026-01-01",
        "publisher": "The HipBack project",
        "kind": "instance",
        "software": {"name": "HipBack", "version": release},
        "implementation": {"description": "HipBack terminology (read-only)"},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "resource": [
                {"type": "CodeSystem", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": _search_params(CODE_SYSTEM_SEARCH, {"url": "uri", "system": "uri", "name": "string",
                                                                    "title": "string"}),
                 "operation": [{"name": "lookup",
                                "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"},
                               {"name": "validate-code",
                                "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"}]},
                {"type": "ConceptMap", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": _search_params(CONCEPT_MAP_SEARCH, {
                     "url": "uri", "source-system": "uri", "target-system": "uri", "source-uri": "reference",
                     "target-uri": "reference", "source": "reference", "target": "reference", "name": "string",
                     "title": "string"}),
                 "operation": [{"name": "translate",
                                "definition": "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate"}]},
            ],
        }],
    }


# -- errors, as FHIR clients read them -----------------------------------------------------------

#: HTTP status -> FHIR R4 IssueType (http://hl7.org/fhir/R4/valueset-issue-type.html)
ISSUE_TYPES = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
    406: "not-supported", 409: "conflict", 413: "too-costly", 414: "too-long", 415: "not-supported",
    429: "throttled", 500: "exception", 502: "exception", 503: "transient",
}


def operation_outcome(status: int, message: str, field: str | None = None, severity: str = "error",
                      code: str | None = None) -> dict:
    """An ``OperationOutcome`` with one issue (its ``code`` from the HTTP status unless given); ``field`` (a
    parameter name) goes in the issue's details."""
    issue = {"severity": severity, "code": code or ISSUE_TYPES.get(status, "processing"), "diagnostics": message}
    if field:
        issue["details"] = {"text": f"parameter: {field}"}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


# -- $validate-code --------------------------------------------------------------------------------

def validate_code(index, code: str, display: str | None = None, version_asked: str | None = None) -> dict:
    """The ``Parameters`` of CodeSystem/$validate-code for a HipBack code: ``result``, ``display``,
    ``message`` when the result is false or the term is inactive."""
    release = version(index)
    parameters: list[dict] = []
    term = index.terms.get(config.BASE + code)
    if version_asked and version_asked != release:
        result, message = False, f"This server holds version {release} of {SYSTEM}, not {version_asked!r}."
    elif term is None or term.kind not in KINDS:
        result, message = False, f"Unknown code {code!r} in {SYSTEM} (version {release})."
    else:
        names = {term.label.casefold(), *(s.casefold() for s in term.synonyms)}
        if display and display.strip().casefold() not in names:
            result = False
            message = f"The display {display!r} is not a display of {code}; its display is {term.label!r}."
        else:
            result = True
            message = f"{code} is deprecated (inactive)." if term.deprecated else None
    parameters.append({"name": "result", "valueBoolean": result})
    if message:
        parameters.append({"name": "message", "valueString": message})
    if term is not None and term.kind in KINDS:
        parameters.append({"name": "display", "valueString": term.label})
    return {"resourceType": "Parameters", "parameter": parameters}


# -- $translate --------------------------------------------------------------------------------------

#: SKOS mappings that put the term within the code: the term is that code (exact, close) or narrower (broad)
AT_MOST = ("exactMatch", "closeMatch", "broadMatch")
#: the equivalence read the other way (for a reverse translation: from the target back to the source)
REVERSED = {"wider": "narrower", "narrower": "wider", "subsumes": "specializes", "specializes": "subsumes"}


def map_url(map_id: str) -> str:
    return f"{config.BASE}fhir/ConceptMap/{map_id}"


def maps_by_url() -> dict[str, str]:
    return {map_url(map_id): map_id for map_id in CONCEPT_MAPS}


def translate(index, system: str, code: str, map_ids: list[str], target_system: str | None = None,
              reverse: bool = False) -> dict:
    """The ``Parameters`` of ConceptMap/$translate.

    Forward: a HipBack code to the codes of the external systems (``map_ids`` in scope,
    ``target_system`` if given). Reverse (``reverse`` or a code of an external system): an
    ICD-10-CM, HPO or MeSH code to the HipBack terms mapped to it; the equivalence is then read
    from the code sent to the code answered (a ``wider`` map answers ``narrower``). An ICD-10-CM
    code no term maps to falls back along ICD-10-CM's hierarchy as /api/mappings does
    (``TermIndex.terms_for_code``): terms of the codes under it answer ``narrower``, terms of the
    codes under its broader code ``relatedto``, and the message says so.
    """
    # one match per concept, at the closest equivalence any of its mappings gives (the order of STRENGTH),
    # in the order the kept mappings came: (system, code) -> (order, equivalence, display, map)
    closest: dict[tuple[str, str], tuple] = {}
    notes: list[str] = []
    external = {FHIR_SYSTEMS[CONCEPT_MAPS[m]]: m for m in map_ids}

    order = itertools.count()

    def add(equivalence: str, target: str, target_code: str, display: str | None, map_id: str) -> None:
        position, seen = next(order), closest.get((target, target_code))
        if seen is None or STRENGTH.index(equivalence) < STRENGTH.index(seen[1]):
            closest[(target, target_code)] = (position, equivalence, display, map_id)

    if system == SYSTEM and not reverse:
        term = index.terms.get(config.BASE + code)
        if term is not None and term.kind in KINDS:
            for map_id in map_ids:
                fhir_system = FHIR_SYSTEMS[CONCEPT_MAPS[map_id]]
                if target_system and target_system != fhir_system:
                    continue
                for mapped in term.codes:
                    if mapped.system == CONCEPT_MAPS[map_id] and mapped.relation in EQUIVALENCE:
                        add(EQUIVALENCE[mapped.relation], fhir_system, mapped.code, mapped.label, map_id)
            found = term is not None
        else:
            found = False
        subject = f"{code} ({SYSTEM})"
    elif system == SYSTEM:  # reverse of a HipBack code: every map here goes from HipBack, none to it
        term = index.terms.get(config.BASE + code)
        found = term is not None and term.kind in KINDS
        subject = f"{code} ({SYSTEM})"
        notes.append("HipBack is the source of every ConceptMap here, never the target: translate its codes "
                     "without reverse.")
    elif system in external and (target_system in (None, SYSTEM)):
        map_id = external[system]
        result = index.terms_for_code(CONCEPT_MAPS[map_id], code)
        for matched_code, term, mapped in result.found:
            if mapped.relation in EQUIVALENCE and term.kind in KINDS:
                equivalence = EQUIVALENCE[mapped.relation]
                if result.match == "exact":
                    equivalence = REVERSED.get(equivalence, equivalence)
                elif result.match == "narrower" and mapped.relation in AT_MOST:
                    # the term is at most a code under the one sent, so narrower than it
                    equivalence = "narrower"
                else:  # a narrowMatch or relatedMatch of a code under it, or a code under its broader code
                    equivalence = "relatedto"
                add(equivalence, SYSTEM, term.local_name, term.label, map_id)
        if closest and result.match != "exact":
            notes.append(f"No term is mapped to {code} itself; these are mapped to "
                         + ("the codes under it" if result.match == "narrower" else
                            f"codes under its broader code {result.via}")
                         + f" ({', '.join(sorted({c for c, _, _ in result.found}))}).")
        found = bool(closest)
        subject = f"{code} ({system})"
    else:  # an external code to another external system: no map here does that
        found, subject = bool(index.by_code(FHIR_SYSTEMS_BY_URL[system], code)), f"{code} ({system})"
        notes.append(f"The ConceptMaps here translate between HipBack and {system}, not to {target_system}."
                     if target_system else f"The ConceptMap asked for does not map {system}.")
    matches = [_match(equivalence, target, target_code, display, map_id) for (target, target_code), (
        _, equivalence, display, map_id) in sorted(closest.items(), key=lambda item: item[1][0])]
    parameters = [{"name": "result", "valueBoolean": bool(matches)}]
    if not matches:
        why = "is not a code here" if not found else "has no mapping to the target asked for"
        notes.append(f"{subject} {why}.")
    if notes:
        parameters.append({"name": "message", "valueString": " ".join(notes)})
    for match in matches:
        parameters.append(match)
    return {"resourceType": "Parameters", "parameter": parameters}


#: the order in which one concept's several equivalences are kept (the closest first)
STRENGTH = ("equal", "equivalent", "wider", "narrower", "subsumes", "specializes", "inexact", "relatedto")


def _match(equivalence: str, system: str, code: str, display: str | None, map_id: str) -> dict:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"name": "match", "part": [
        {"name": "equivalence", "valueCode": equivalence},
        {"name": "concept", "valueCoding": coding},
        {"name": "source", "valueUri": map_url(map_id)},
    ]}


# -- search ----------------------------------------------------------------------------------------

def concept_map_fields(resource: dict) -> dict[str, set[str]]:
    """R4 search parameter -> the values of a ConceptMap (``concept_map``'s answer) it compares with."""
    group = resource["group"][0] if resource["group"] else {}
    elements = group.get("element", [])
    return {
        "_id": {resource["id"]},
        "url": {resource["url"]},
        "name": {resource["name"]},
        "title": {resource["title"]},
        "status": {resource["status"]},
        "version": {resource["version"]},
        "source-system": {SYSTEM},
        "source": {SYSTEM},
        "source-uri": {SYSTEM},
        "target-system": {FHIR_SYSTEMS[CONCEPT_MAPS[resource["id"]]]},
        "target": {FHIR_SYSTEMS[CONCEPT_MAPS[resource["id"]]]},
        "target-uri": {FHIR_SYSTEMS[CONCEPT_MAPS[resource["id"]]]},
        "source-code": {e["code"] for e in elements},
        "target-code": {t["code"] for e in elements for t in e.get("target", [])},
    }


CONCEPT_MAP_SEARCH = ("_id", "url", "name", "title", "status", "version", "source-system", "source",
                      "source-uri", "target-system", "target", "target-uri", "source-code", "target-code")
CODE_SYSTEM_SEARCH = ("_id", "url", "name", "title", "status", "version", "system", "code")
#: parameters a FHIR client may send that change nothing here
IGNORED_SEARCH = ("_format", "_pretty", "_summary", "_count")


def code_system_fields(resource: dict) -> dict[str, set[str]]:
    """R4 search parameter -> the values of the CodeSystem (``code_system``'s answer) it compares with."""
    return {
        "_id": {resource["id"]}, "url": {resource["url"]}, "system": {resource["url"]}, "name": {resource["name"]},
        "title": {resource["title"]}, "status": {resource["status"]}, "version": {resource["version"]},
        "code": {c["code"] for c in resource["concept"]},
    }


def matches_search(fields: dict[str, set[str]], criteria: dict[str, list[str]]) -> bool:
    """Every parameter matches (AND); within one value, comma-separated alternatives (OR).
    Token parameters compare exactly, string parameters (name, title) by case-insensitive prefix."""
    for name, values in criteria.items():
        have = fields.get(name, set())
        for value in values:
            alternatives = [v for v in value.split(",") if v]
            if name in ("name", "title"):
                ok = any(h.casefold().startswith(a.casefold()) for a in alternatives for h in have)
            elif name == "url":  # a canonical reference may carry |version
                ok = any(a.split("|", 1)[0] in have and ("|" not in a or a.split("|", 1)[1] in fields["version"])
                         for a in alternatives)
            elif name.endswith("code"):  # a token may be system|code
                ok = any(a.rsplit("|", 1)[-1] in have for a in alternatives)
            else:
                ok = any(a in have for a in alternatives)
            if not ok:
                return False
    return True


def bundle(self_url: str, base: str, resources: list[dict], ignored: list[str]) -> dict:
    """A searchset Bundle of ``resources``; unknown parameters are named in an outcome entry."""
    entries = [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
               for r in resources]
    if ignored:
        outcome = operation_outcome(200, f"Search parameters not supported here, ignored: {', '.join(ignored)}.",
                                    severity="warning", code="not-supported")
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "link": [{"relation": "self", "url": self_url}], "entry": entries}
