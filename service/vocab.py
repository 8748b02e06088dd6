"""The namespaces and prefixes the project reads and writes, and the media types it answers, in one place.

Every module names a vocabulary through these constants (``vocab.RDFS + "label"``); the release files,
the SPARQL answers and the JSON-LD contexts bind the prefixes of ``PREFIXES`` (the release writes them
into ``hipback.context.jsonld`` too).
"""
from __future__ import annotations

HB = "https://w3id.org/hipback/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"
IAO = "http://purl.obolibrary.org/obo/IAO_"
ICD10CM = "http://purl.bioontology.org/ontology/ICD10CM/"
HP = "http://purl.obolibrary.org/obo/HP_"
MESH = "http://id.nlm.nih.gov/mesh/"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"

#: prefix -> namespace, written into Turtle, RDF/XML and JSON-LD (release files, SPARQL graph answers)
PREFIXES = {
    "hb": HB,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "icd10cm": ICD10CM,
    "hp": HP,
    "mesh": MESH,
    "foaf": FOAF,
    "oboInOwl": OBOINOWL,
    "IAO": IAO,
}

#: media types
JSON = "application/json"
JSONLD = "application/ld+json"
FHIR_JSON = "application/fhir+json"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
HTML = "text/html"
CSV = "text/csv"
TSV = "text/tab-separated-values"
