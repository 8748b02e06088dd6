"""The /sparql fast path (views/sparql.py, FastQueries) answers exactly as the Flask view does.

Each request below is sent twice to the same app: once as it comes (the fast path takes plain queries),
once with the fast path switched off; status, every header (in order) and body must be the same. The
requests cover the protocol's forms, every results and graph format, content negotiation, the dataset,
and the errors (syntax, 406, 415, 400s, 413, the row cap, SERVICE, the timeout).
"""
from __future__ import annotations

from urllib.parse import quote

import pytest

from hipback import create_app
from hipback.views.sparql import FastQueries

LOOKUP = "PREFIX hb: <https://w3id.org/hipback/>\nSELECT ?label WHERE { hb:LumbarHerniatedDisc <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
ROWS = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 30"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
FORM = "application/x-www-form-urlencoded"

JSON, XML, CSV, TSV = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                       "text/tab-separated-values")

# (method, query string, body, headers)
REQUESTS = [
    ("GET", {"query": LOOKUP}, None, {"Accept": JSON}),
    ("GET", {"query": LOOKUP}, None, {"Accept": XML}),
    ("GET", {"query": LOOKUP}, None, {"Accept": CSV}),
    ("GET", {"query": LOOKUP}, None, {"Accept": TSV}),
    ("GET", {"query": LOOKUP}, None, {}),
    ("GET", {"query": LOOKUP}, None, {"Accept": "*/*"}),
    ("GET", {"query": LOOKUP}, None, {"Accept": "text/html"}),
    ("GET", {"query": LOOKUP}, None, {"Accept": "image/png"}),
    ("GET", {"query": LOOKUP, "format": "xml"}, None, {}),
    ("GET", {"query": LOOKUP, "format": "bogus"}, None, {}),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, None, {"Accept": JSON}),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, None, {"Accept": CSV}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": "text/turtle"}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": "application/n-triples"}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": "application/rdf+xml"}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": "application/ld+json"}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": JSON}),
    ("GET", {"query": "DESCRIBE <https://w3id.org/hipback/LowBackPain>"}, None, {}),
    ("GET", {"query": ROWS, "default-graph-uri": "https://w3id.org/hipback/graph/asserted"}, None, {"Accept": JSON}),
    ("GET", {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
             "named-graph-uri": "https://w3id.org/hipback/graph/inferred"}, None, {"Accept": JSON}),
    ("GET", {"query": "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/hipback/graph/inferred> WHERE { ?s ?p ?o }"},
     None, {"Accept": JSON}),
    ("GET", {"query": "SELECT ?s WHERE { ?s ?p ?o "}, None, {"Accept": JSON}),
    ("GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, None, {"Accept": JSON}),
    ("GET", {"query": "   "}, None, {}),
    ("GET", {"query": LOOKUP, "update": "CLEAR ALL"}, None, {}),
    ("GET", "query=%FF%FE", None, {}),
    ("GET", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, None, {"Accept": JSON}),
    ("GET", {"query": "SELECT ?s WHERE { ?s ?p ?o }"}, None, {"Accept": JSON}),  # over MAX_RESULTS
    ("GET", {"query": "SELECT ?x WHERE { BIND(\"héllo ☃ \\u0001\" AS ?x) }"}, None, {"Accept": XML}),
    ("GET", {"query": LOOKUP, "query2": "x"}, None, {"Accept": JSON}),
    ("GET", {}, None, {"Accept": "text/turtle"}),
    ("GET", {}, None, {"Accept": "text/html"}),
    ("POST", {}, {"query": LOOKUP}, {"Accept": JSON}),
    ("POST", {"default-graph-uri": "https://w3id.org/hipback/graph/asserted"}, {"query": ROWS}, {"Accept": CSV}),
    ("POST", {"query": LOOKUP}, {"query": LOOKUP}, {"Accept": JSON}),
    ("POST", {}, {"format": "json"}, {}),
    ("POST", {}, LOOKUP.encode(), {"Content-Type": "application/sparql-query", "Accept": TSV}),
    ("POST", {}, LOOKUP.encode(), {"Content-Type": "application/sparql-query; charset=latin-1"}),
    ("POST", {"query": LOOKUP}, LOOKUP.encode(), {"Content-Type": "application/sparql-query"}),
    ("POST", {}, b"\xff\xfe", {"Content-Type": "application/sparql-query"}),
    ("POST", {}, b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
    ("POST", {}, LOOKUP.encode(), {"Content-Type": "text/plain"}),
    ("POST", {}, LOOKUP.encode(), {}),
    ("POST", {}, {"query": "SELECT ?s WHERE { ?s ?p ?o } # " + "x" * 5000}, {"Accept": JSON}),  # over MAX_BODY
    ("POST", {}, {"query": LOOKUP}, {"Accept": JSON, "Content-Encoding": "gzip"}),
    ("GET", {"query": LOOKUP}, None, {"Accept": JSON, "Origin": "https://app.example"}),
    ("HEAD", {"query": LOOKUP}, None, {"Accept": JSON}),
    ("OPTIONS", {}, None, {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}),
]


@pytest.fixture(scope="module")
def app():
    app = create_app({"MAX_RESULTS": 1000, "MAX_BODY": 4000, "QUERY_TIMEOUT": 1})
    seen = {"framework": 0}

    @app.after_request
    def _count(response):
        seen["framework"] += 1
        return response

    app.extensions["test.seen"] = seen
    return app


def send(client, method, params, body, headers):
    kwargs = {"headers": headers}
    if isinstance(params, str):
        kwargs["query_string"] = params
    else:
        kwargs["query_string"] = params
    if isinstance(body, dict):
        kwargs["data"] = body
        kwargs["content_type"] = FORM
    elif body is not None:
        kwargs["data"] = body
        kwargs.setdefault("content_type", headers.get("Content-Type"))
    return client.open("/sparql", method=method, **kwargs)


GRAPHS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
          "application/ld+json": "json-ld"}


def answer(response):
    """Status, headers and body; a graph's body as a graph (the engine names blank nodes anew on every run)."""
    body = response.get_data()
    media = response.mimetype
    if response.status_code == 200 and media in GRAPHS:
        from rdflib import Graph
        from rdflib.compare import to_isomorphic

        body = to_isomorphic(Graph().parse(data=body, format=GRAPHS[media]))
    return response.status_code, [(k, v) for k, v in response.headers.items() if k != "Content-Length" or media not in GRAPHS], body


@pytest.mark.parametrize("method, params, body, headers", REQUESTS,
                         ids=[f"{i}-{r[0]}" for i, r in enumerate(REQUESTS)])
def test_the_fast_path_answers_as_the_framework_does(app, monkeypatch, method, params, body, headers):
    fast = answer(send(app.test_client(), method, params, body, headers))
    with monkeypatch.context() as m:
        m.setattr(FastQueries, "takes", lambda self, environ: False)
        slow = answer(send(app.test_client(), method, params, body, headers))
    assert fast == slow


def test_plain_queries_never_reach_the_framework_and_the_rest_do(app):
    seen = app.extensions["test.seen"]
    client = app.test_client()
    before = seen["framework"]
    for _ in range(3):
        assert client.get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": JSON}).status_code == 200
        assert client.post("/sparql", data={"query": LOOKUP}).status_code == 200
    assert seen["framework"] == before
    client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o "})  # an error: Flask answers it
    client.get("/sparql", query_string={"query": LOOKUP}, headers={"Origin": "https://app.example"})
    client.get("/sparql")
    assert seen["framework"] == before + 3


def test_a_runaway_stopped_on_the_fast_path_is_answered_once_in_the_error_shape(app):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = app.test_client().post("/sparql", data={"query": runaway}, headers={"Accept": JSON})
    assert response.status_code == 503 and response.json["ok"] is False and "QUERY_TIMEOUT" in response.json["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_path_prefix_behind_a_proxy_still_takes_the_fast_path():
    app = create_app({"PUBLIC_URL": "https://example.org/hipback"})
    client = app.test_client()
    response = client.get("/hipback/sparql?query=" + quote(LOOKUP), headers={"Accept": JSON})
    assert response.status_code == 200 and response.json["results"]["bindings"][0]["label"]["value"]
