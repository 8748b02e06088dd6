"""A FHIR R4 face on the ontology: a CodeSystem, ConceptMaps and the $lookup Parameters (plain dicts).

- ``code_system(index)``: every class and individual of the ontology as a concept (code =
  the local name, display = the label, definition, synonyms as designations, ``parent`` and
  ``child`` properties from the hierarchy, ``inactive`` for deprecated terms).
- ``concept_map(index, system)``: the cross-references to one external system, with the FHIR
  R4 equivalence that corresponds to the SKOS mapping property (table ``EQUIVALENCE``).
- ``lookup(index, system, code)``: the ``Parameters`` of ``CodeSystem/$lookup``.
"""
from __future__ import annotations

from . import codes as codesys
from . import config
from .search import FHIR_SYSTEMS

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


def capability_statement(index) -> dict:
    """What this FHIR face offers: read CodeSystem and ConceptMap, and CodeSystem/$lookup."""
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
                {"type": "CodeSystem", "interaction": [{"code": "read"}],
                 "operation": [{"name": "lookup",
                                "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"}]},
                {"type": "ConceptMap", "interaction": [{"code": "read"}]},
            ],
        }],
    }
