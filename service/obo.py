"""What OBO tools read, derived from the source at build time.

The source writes each fact once, in SKOS: synonyms as ``skos:altLabel``, definitions as
``skos:definition``, cross-references as ``skos:*Match``. Ontology tools of the OBO world
(the Ontology Access Kit, ROBOT, Protégé's OBO views, OLS) read other properties, so the
release adds, for every term:

- ``oboInOwl:hasRelatedSynonym`` for each ``skos:altLabel``: *related*, the OBO scope that
  claims no more than SKOS does (an alternative label is not claimed to be exact);
- ``IAO:0000115`` (definition) for each ``skos:definition``;

with both properties declared as annotation properties. Beside the ontology the release
writes two files:

- ``hipback.context.jsonld``: the prefix map (a JSON-LD context, which ``curies`` and
  ``runoak --prefix`` users can read) of every prefix the release files use;
- ``hipback-mappings.sssom.tsv``: every cross-reference as an SSSOM mapping, with the SKOS
  predicate, a justification, and the version of the code system each object comes from
  (the ``owl:versionInfo`` of its ``skos:inScheme`` in the source).

All of it is a pure function of the source graph: the same source gives the same bytes.
"""
from __future__ import annotations

import json

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import artifacts, codes, config, vocab
from .terms import curie

OIO = rdflib.Namespace(vocab.OBOINOWL)
IAO_DEFINITION = rdflib.URIRef(vocab.IAO + "0000115")
DCTERMS = rdflib.Namespace(vocab.DCTERMS)

#: source property -> the OBO property the release adds beside it
DERIVED = {SKOS.altLabel: OIO.hasRelatedSynonym, SKOS.definition: IAO_DEFINITION}
DECLARATIONS = {
    OIO.hasRelatedSynonym: "has_related_synonym",
    IAO_DEFINITION: "definition",
}

#: SKOS mapping properties, strongest first (the order of the SSSOM rows for one subject)
MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
SSSOM_PREFIXES = {
    "hb": config.BASE,
    "HP": vocab.HP,
    "ICD10CM": vocab.ICD10CM,
    "MESH": vocab.MESH,
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": vocab.SKOS,
}
SSSOM_COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
    "object_source", "object_source_version",
)
CONTEXT_NAME = "hipback.context.jsonld"
SSSOM_NAME = "hipback-mappings.sssom.tsv"


def annotations(graph: rdflib.Graph) -> rdflib.Graph:
    """The triples the release adds to the source so that OBO tools read synonyms and definitions."""
    added = rdflib.Graph()
    for source, target in DERIVED.items():
        for subject, value in graph.subject_objects(source):
            if isinstance(subject, rdflib.URIRef):
                added.add((subject, target, value))
    for prop, label in DECLARATIONS.items():
        added.add((prop, RDF.type, OWL.AnnotationProperty))
        added.add((prop, RDFS.label, rdflib.Literal(label)))
    return added


def context() -> bytes:
    """The release's prefix map as a JSON-LD context."""
    document = {"@context": dict(sorted(artifacts.PREFIXES.items(), key=lambda item: item[0].lower()))}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _curie(iri: str) -> str | None:
    """``hb:X`` for a HipBack IRI, ``ICD10CM:``, ``HP:`` or ``MESH:`` for a code's; None for any other IRI."""
    code = codes.from_iri(iri)
    if code is not None:
        return codes.curie(*code)
    return curie(iri) if iri.startswith(config.BASE) else None


def _text(value) -> str:
    """One TSV cell: no tab or line break inside."""
    return " ".join(str(value).split()) if value is not None else ""


def mappings(graph: rdflib.Graph) -> list[dict]:
    """Every cross-reference of the source as one SSSOM row, sorted by subject, strength and object."""
    rows = []
    for rank, match in enumerate(MATCHES):
        for subject, code in graph.subject_objects(SKOS[match]):
            subject_id, object_id = _curie(str(subject)), _curie(str(code))
            if subject_id is None or object_id is None or object_id.startswith("hb:"):
                continue
            scheme = graph.value(code, SKOS.inScheme)
            rows.append({
                "subject_id": subject_id,
                "subject_label": _text(graph.value(subject, RDFS.label)),
                "predicate_id": f"skos:{match}",
                "object_id": object_id,
                "object_label": _text(graph.value(code, RDFS.label)),
                "mapping_justification": "semapv:ManualMappingCuration",
                "object_source": _curie(str(scheme)) if scheme is not None else "",
                "object_source_version": _text(graph.value(scheme, OWL.versionInfo)) if scheme is not None else "",
                "_rank": rank,
            })
    rows.sort(key=lambda r: (r["subject_id"], r["_rank"], r["object_id"]))
    for row in rows:
        del row["_rank"]
    return rows


def sssom(graph: rdflib.Graph, head: rdflib.Graph) -> bytes:
    """The SSSOM/TSV file: its metadata block (YAML behind ``#``), then one row per mapping."""
    ontology = next(head.subjects(RDF.type, OWL.Ontology))
    version_iri = str(next(head.objects(ontology, OWL.versionIRI)))
    release = next((str(v) for v in head.objects(ontology, OWL.versionInfo)), "")
    release_base = version_iri.rsplit("/", 1)[0] + "/"
    license_iri = graph.value(ontology, DCTERMS.license)
    metadata = [
        "curie_map:",
        *(f"  {prefix}: {namespace}" for prefix, namespace in SSSOM_PREFIXES.items()),
        f"mapping_set_id: {release_base}{SSSOM_NAME}",
        f"mapping_set_version: {release}" if release else None,
        "mapping_set_title: HipBack terms to ICD-10-CM, HPO and MeSH",
        "mapping_set_description: The cross-references of the HipBack ontology; the predicate is the SKOS "
        "mapping property of the source (exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch).",
        f"license: {license_iri}" if license_iri else None,
        f"mapping_date: {release}" if release else None,
        "subject_source: hb:hipback.owl",
        f"subject_source_version: {release}" if release else None,
        "creator_label:",
        "  - The HipBack project",
    ]
    lines = ["#" + line for line in metadata if line is not None]
    lines.append("\t".join(SSSOM_COLUMNS))
    for row in mappings(graph):
        lines.append("\t".join(row[column] for column in SSSOM_COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")
