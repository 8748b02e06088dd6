"""Run one query on a pyoxigraph store and serialize the answer, within the result-size cap.

A plain function of plain data, so that a worker process, the CLI and the tests share it.
The caller has already negotiated the formats (``negotiation.Choice``) and checked the query
(``guard``); this module only runs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import negotiation, results

GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

PREFIXES = {
    "hb": "https://w3id.org/hipback/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}


@dataclass
class Job:
    """One query to run, with its dataset and the formats its answer may take."""

    query: str
    base: str | None = None
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    #: the default graph is the union of the named graphs (when neither the query nor the
    #: request names a dataset)
    union: bool = True
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_results: int = 10000
    accept: str | None = None


@dataclass
class Outcome:
    """What to answer: a body with its Content-Type, or an error status with a message."""

    status: int
    content_type: str = ""
    body: bytes = b""
    message: str = ""
    rows: int = 0
    kind: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


def _dataset_arguments(job: Job) -> dict:
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": True} if job.union else {}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []],
    }


def syntax_message(error: Exception) -> str:
    """A short message from the engine's parse error: where, and the first few expected tokens."""
    text = " ".join(str(error).split())
    where = re.match(r"error at (\d+):(\d+): (.*)", text)
    if where:
        line, column, text = where.groups()
        prefix = f"Syntax error in the query at line {line}, column {column}: "
    else:
        prefix = "Syntax error in the query: "
    if len(text) > 160:
        text = text[:160].rsplit(",", 1)[0] + ", ..."
    return prefix + text


def too_many(max_results: int, what: str) -> Outcome:
    return Outcome(
        503,
        message=f"The answer has more than {max_results} {what}, the most this endpoint returns "
        "(setting MAX_RESULTS); narrow the query or add a LIMIT.",
    )


def serialize_results(variables: list[str], rows, job: Job) -> Outcome:
    if job.results_format is None:
        return Outcome(406, message=negotiation.not_acceptable_message(job.accept, "results"), kind="results")
    body = results.WRITERS[job.results_format](variables, rows)
    count = 1 if isinstance(rows, bool) else len(rows)
    return Outcome(200, negotiation.CONTENT_TYPES[job.results_format], body, rows=count, kind="results")


def serialize_graph(triples: list, job: Job) -> Outcome:
    if job.graph_format is None:
        return Outcome(406, message=negotiation.not_acceptable_message(job.accept, "graph"), kind="graph")
    body = ox.serialize(triples, format=GRAPH_FORMATS[job.graph_format], prefixes=PREFIXES)
    return Outcome(200, negotiation.CONTENT_TYPES[job.graph_format], body or b"", rows=len(triples), kind="graph")


def run(store: ox.Store, job: Job) -> Outcome:
    """Run ``job`` on ``store``; never raises for a bad query."""
    try:
        result = store.query(job.query, base_iri=job.base, **_dataset_arguments(job))
        if isinstance(result, ox.QueryBoolean):
            return serialize_results([], bool(result), job)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                if len(rows) >= job.max_results:
                    return too_many(job.max_results, "rows")
                rows.append(tuple(solution))
            return serialize_results(variables, rows, job)
        triples = []
        for triple in result:
            if len(triples) >= job.max_results:
                return too_many(job.max_results, "triples")
            triples.append(triple)
        return serialize_graph(triples, job)
    except SyntaxError as error:
        return Outcome(400, message=syntax_message(error))
    except (ValueError, OSError) as error:
        return Outcome(400, message=f"The query could not be evaluated: {' '.join(str(error).split())[:300]}")
