"""Linked data for term IRIs: the negotiation tables, the description graph and its serialisers.

Policy (docs/iri-policy.md, "Dereferencing"): 303 See Other. The term IRI
``https://w3id.org/hipback/X`` is served at ``/term/X``; ``GET /term/X`` answers 303 to the
document in the format the client prefers: ``/term/X.html`` (a page), ``.json`` (the page's
data), ``.ttl``, ``.jsonld``, ``.rdf`` or ``.nt`` (the term's description). The same
tables drive the ontology IRI and its version IRI, whose documents are the release files.
"""
from __future__ import annotations

import hashlib
import json

import rdflib

from . import artifacts, vocab

#: media type -> document suffix of a term, in the server's order of preference (first: default)
TERM_TYPES = {
    vocab.HTML: "html",
    "application/xhtml+xml": "html",
    vocab.TURTLE: "ttl",
    vocab.JSONLD: "jsonld",
    vocab.RDFXML: "rdf",
    vocab.NTRIPLES: "nt",
    vocab.JSON: "json",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "application/xml": "rdf",
    "text/xml": "rdf",
    "text/plain": "nt",
}

#: document suffix -> Content-Type
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": vocab.JSON,
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": vocab.JSONLD,
    "rdf": vocab.RDFXML,
    "owl": vocab.RDFXML,
    "nt": vocab.NTRIPLES,
}

#: RDF document suffixes of a term and their serialisers
RDF_SUFFIXES = ("ttl", "jsonld", "rdf", "nt")

#: media type -> release file suffix, for the ontology IRI and version IRI (RDF/XML first, as .owl says)
ONTOLOGY_TYPES = {
    vocab.RDFXML: "owl",
    vocab.TURTLE: "ttl",
    vocab.JSONLD: "jsonld",
    vocab.NTRIPLES: "nt",
    "application/owl+xml": "owl",
    "application/xml": "owl",
    "text/xml": "owl",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    vocab.JSON: "jsonld",
    "text/plain": "nt",
    vocab.HTML: "html",
    "application/xhtml+xml": "html",
}


def description(store, iri: str) -> rdflib.Graph:
    """The term's own statements, the blank nodes of its axioms, and the labels of what they name."""
    return artifacts.with_prefixes(store.construct("term-description", term=iri))


def serialise(graph: rdflib.Graph, suffix: str) -> bytes:
    if suffix == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    if suffix == "nt":
        return artifacts.ntriples(graph)
    if suffix == "rdf":
        return artifacts.rdfxml(graph)
    if suffix == "jsonld":
        text = graph.serialize(format="json-ld", context=dict(artifacts.PREFIXES), encoding="utf-8")
        return (json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    raise ValueError(f"no serialiser for .{suffix}")


def etag(version: str | None, digest: str, path: str) -> str:
    """A strong ETag: the ontology version and content digest, per document (not quoted)."""
    return hashlib.sha256(f"{version}|{digest}|{path}".encode("utf-8")).hexdigest()[:32]
