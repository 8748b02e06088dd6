"""The SPARQL service description (https://www.w3.org/TR/sparql11-service-description/) and
the VoID description (https://www.w3.org/TR/void/) of the dataset, as RDF triples.

Figures come from the store through queries/app/graph-sizes.rq and void-statistics.rq and
are kept for a minute, so a busy endpoint does not recount a large graph on every GET.
"""
from __future__ import annotations

import threading
import time

import pyoxigraph as ox

from .. import config, vocab
from . import negotiation

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode(vocab.RDF_TYPE)
DCT = vocab.DCTERMS
XSD_INTEGER = ox.NamedNode(vocab.XSD + "integer")

#: format key -> W3C format IRI (http://www.w3.org/ns/formats/)
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
}

_CACHE: dict[int, tuple[float, dict]] = {}
_CACHE_LOCK = threading.Lock()
CACHE_SECONDS = 60.0


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=XSD_INTEGER)


def figures(store) -> dict:
    """Graph sizes and VoID statistics of ``store``, cached for CACHE_SECONDS."""
    key = id(store)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    graphs = [(row["g"], int(row["n"])) for row in store.select("graph-sizes", whole=True)]
    stats = store.select("void-statistics", whole=True)
    stats = {k: int(v) for k, v in (stats[0] if stats else {}).items()}
    data = {"graphs": graphs, "stats": stats, "version": store.version_iri()}
    with _CACHE_LOCK:
        _CACHE[key] = (time.monotonic(), data)
    return data


def service_description(endpoint: str, update_endpoint: str | None, allowlist, store,
                        void: str | None = None) -> list[ox.Triple]:
    data = figures(store)
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultEntailmentRegime"), _n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _n(DCT + "title"), ox.Literal("HipBack SPARQL endpoint", language="en")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default_graph, _n(VOID + "triples"), _int(sum(n for _, n in data["graphs"]))),
    ]
    if update_endpoint:
        triples.append(ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
    if void:
        triples.append(ox.Triple(dataset, _n(vocab.RDFS + "seeAlso"), _n(void)))
    if allowlist:
        triples.append(ox.Triple(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    for key in dict.fromkeys(list(negotiation.RESULTS.values()) + list(negotiation.GRAPH.values())):
        triples.append(ox.Triple(service, _n(SD + "resultFormat"), _n(FORMATS + FORMAT_IRIS[key])))
    for index, (graph, count) in enumerate(data["graphs"]):
        named = ox.BlankNode(f"namedGraph{index}")
        described = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(graph)),
            ox.Triple(named, _n(SD + "graph"), described),
            ox.Triple(described, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(described, _n(VOID + "triples"), _int(count)),
        ]
    return triples


def void_description(document: str, endpoint: str, store) -> list[ox.Triple]:
    data = figures(store)
    dataset = _n(document + "#hipback")
    doc = _n(document)
    stats = data["stats"]
    triples = [
        ox.Triple(doc, RDF_TYPE, _n(VOID + "DatasetDescription")),
        ox.Triple(doc, _n(DCT + "title"), ox.Literal("VoID description of the HipBack knowledge graph", language="en")),
        ox.Triple(doc, _n(vocab.FOAF + "primaryTopic"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(DCT + "title"), ox.Literal("HipBack: hip pain and lower back pain knowledge graph", language="en")),
        ox.Triple(dataset, _n(DCT + "license"), _n("https://creativecommons.org/licenses/by/4.0/")),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(config.BASE)),
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(config.ONTOLOGY_IRI)),
        ox.Triple(dataset, _n(VOID + "triples"), _int(sum(n for _, n in data["graphs"]))),
    ]
    for name, prop in (("classes", "classes"), ("properties", "properties"),
                       ("subjects", "distinctSubjects"), ("objects", "distinctObjects")):
        if name in stats:
            triples.append(ox.Triple(dataset, _n(VOID + prop), _int(stats[name])))
    for vocabulary in (vocab.OWL, vocab.SKOS, DCT, vocab.RDFS, config.BASE):
        triples.append(ox.Triple(dataset, _n(VOID + "vocabulary"), _n(vocabulary)))
    if data["version"]:
        triples.append(ox.Triple(dataset, _n(DCT + "hasVersion"), _n(data["version"])))
    for graph, count in data["graphs"]:
        subset = _n(graph)
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(VOID + "triples"), _int(count)),
            ox.Triple(subset, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        ]
    return triples


def forget() -> None:
    """Drop the cached figures (after an update)."""
    with _CACHE_LOCK:
        _CACHE.clear()
