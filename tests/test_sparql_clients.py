"""Real clients against a real server, on the embedded store and on a real Oxigraph server:
SPARQLWrapper runs SELECT, ASK, CONSTRUCT and DESCRIBE in every format; content
negotiation by Accept (q-values) and by ``format``; the service description, VoID, CORS.
"""
from __future__ import annotations

import csv
import io

import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper


HB = "https://w3id.org/hipback/"
SELECT = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?label WHERE {{ ?term rdfs:subClassOf <{HB}Condition> ; rdfs:label ?label }} ORDER BY ?term"""
ASK = f"ASK {{ <{HB}Condition> ?p ?o }}"
CONSTRUCT = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?term rdfs:label ?label }} WHERE {{ ?term rdfs:subClassOf <{HB}Condition> ; rdfs:label ?label }}"""
DESCRIBE = f"DESCRIBE <{HB}Condition>"



@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server(request, live_server_factory) -> str:
    if request.param in ("oxigraph", "virtuoso"):
        return live_server_factory({"STORE": request.getfixturevalue(request.param).query_url})
    return live_server_factory()


@pytest.fixture
def endpoint(server) -> str:
    return server + "/sparql"


@pytest.fixture
def expected(endpoint) -> dict:
    """The baseline: the SELECT's rows and the CONSTRUCT's triples, read as SPARQL JSON / N-Triples."""
    rows = requests.get(endpoint, params={"query": SELECT, "format": "json"}, timeout=30).json()["results"]["bindings"]
    nt = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"}, timeout=30)
    graph = rdflib.Graph().parse(data=nt.text, format="nt")
    assert len(rows) >= 5 and len(graph) == len(rows)
    return {"rows": [(r["term"]["value"], r["label"]["value"]) for r in rows], "triples": len(graph)}


def wrapper(endpoint: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def rows_of(fmt: str, converted) -> list[tuple[str, str]]:
    if fmt == JSON:
        return [(b["term"]["value"], b["label"]["value"]) for b in converted["results"]["bindings"]]
    if fmt == XML:
        rows = []
        for result in converted.getElementsByTagName("result"):
            values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
            rows.append((values["term"], values["label"]))
        return rows
    if fmt == CSV:
        table = list(csv.reader(io.StringIO(converted.decode("utf-8"))))
        assert table[0] == ["term", "label"]
        return [tuple(r) for r in table[1:]]
    lines = converted.decode("utf-8").splitlines()
    assert lines[0] == "?term\t?label"
    out = []
    for line in lines[1:]:
        term, label = line.split("\t")
        out.append((term.strip("<>"), rdflib.util.from_n3(label).value))
    return out


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(endpoint, expected, fmt, method):
    assert rows_of(fmt, wrapper(endpoint, SELECT, fmt, method).queryAndConvert()) == expected["rows"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(endpoint, fmt, method):
    for query, answer in ((ASK, True), (f"ASK {{ <{HB}NoSuchTerm> ?p ?o }}", False)):
        converted = wrapper(endpoint, query, fmt, method).queryAndConvert()
        if fmt == JSON:
            assert converted["boolean"] is answer
        elif fmt == XML:
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == str(answer).lower()
        else:
            assert converted.decode().split()[-1] == str(answer).lower()


GRAPH_FORMATS = [TURTLE, N3, RDFXML, JSONLD, XML]


def as_graph(fmt: str, converted) -> rdflib.Graph:
    if isinstance(converted, rdflib.Graph):
        return converted
    return rdflib.Graph().parse(data=converted.decode("utf-8"), format="turtle")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_sparqlwrapper_construct(endpoint, expected, fmt, method):
    graph = as_graph(fmt, wrapper(endpoint, CONSTRUCT, fmt, method).queryAndConvert())
    assert len(graph) == expected["triples"]
    assert {str(o) for o in graph.objects()} == {label for _, label in expected["rows"]}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_sparqlwrapper_describe(endpoint, fmt, method):
    graph = as_graph(fmt, wrapper(endpoint, DESCRIBE, fmt, method).queryAndConvert())
    label = graph.value(rdflib.URIRef(HB + "Condition"), rdflib.RDFS.label)
    assert label is not None and str(label) == "condition"


# -- negotiation ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "accept, expected_type",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.9, text/tab-separated-values;q=0.2", "text/csv"),
        ("application/*;q=0.1, text/tab-separated-values;q=0.8", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
    ],
)
def test_accept_picks_results_format(endpoint, accept, expected_type):
    response = requests.get(endpoint, params={"query": SELECT}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected_type


@pytest.mark.parametrize(
    "accept, expected_type",
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0.4, application/rdf+xml;q=0.6", "application/rdf+xml"),
        ("*/*", "text/turtle"),
    ],
)
def test_accept_picks_graph_format(endpoint, expected, accept, expected_type):
    response = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    media = response.headers["Content-Type"].split(";")[0]
    assert media == expected_type
    parser = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
              "application/ld+json": "json-ld"}[media]
    assert len(rdflib.Graph().parse(data=response.text, format=parser)) == expected["triples"]


@pytest.mark.parametrize("fmt, expected_type", [("json", "application/sparql-results+json"), ("csv", "text/csv"),
                                                ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml")])
def test_format_parameter_overrides_accept(endpoint, fmt, expected_type):
    response = requests.get(endpoint, params={"query": SELECT, "format": fmt},
                            headers={"Accept": "application/sparql-results+xml"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == expected_type


def test_406_when_nothing_acceptable(endpoint):
    response = requests.get(endpoint, params={"query": SELECT}, headers={"Accept": "image/png"}, timeout=30)
    assert response.status_code == 406
    body = response.json()
    assert body["ok"] is False and "application/sparql-results+json" in body["message"]
    # a graph is not acceptable as CSV, and CSV is not a graph format
    response = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}, timeout=30)
    assert response.status_code == 406 and "text/turtle" in response.json()["message"]
    response = requests.get(endpoint, params={"query": CONSTRUCT, "format": "csv"}, timeout=30)
    assert response.status_code == 406
    response = requests.get(endpoint, params={"query": SELECT, "format": "yaml"}, timeout=30)
    assert response.status_code == 406 and "yaml" in response.json()["message"]


# -- descriptions and CORS --------------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize("accept, parser", [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                            ("application/ld+json", "json-ld"), ("application/n-triples", "nt")])
def test_service_description(endpoint, accept, parser):
    response = requests.get(endpoint, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.text, format=parser)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(endpoint)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # no UPDATE_TOKEN here
    dataset = graph.value(service, SD.defaultDataset)
    void = graph.value(dataset, rdflib.RDFS.seeAlso)
    assert str(void).endswith("/.well-known/void") and requests.get(str(void), timeout=30).status_code == 200
    names = set(graph.objects(None, SD.name))
    assert rdflib.URIRef(HB + "graph/asserted") in names and rdflib.URIRef(HB + "graph/inferred") in names


def test_service_description_names_the_url_asked(server):
    other = server.replace("127.0.0.1", "localhost") + "/sparql"
    graph = rdflib.Graph().parse(data=requests.get(other, timeout=30).text, format="turtle")
    assert set(graph.objects(None, SD.endpoint)) == {rdflib.URIRef(other)}


def test_browser_gets_the_console(endpoint):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(endpoint, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text and 'name="query"' in response.text


def test_void(server):
    response = requests.get(server + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    dataset = graph.value(predicate=rdflib.RDF.type, object=VOID.Dataset, any=True)
    datasets = set(graph.subjects(rdflib.RDF.type, VOID.Dataset))
    top = [d for d in datasets if (None, VOID.subset, d) not in graph]
    assert len(top) == 1 and dataset is not None
    top = top[0]
    assert graph.value(top, VOID.sparqlEndpoint) == rdflib.URIRef(server + "/sparql")
    count = requests.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                         timeout=30).json()["results"]["bindings"][0]["n"]["value"]
    assert int(graph.value(top, VOID.triples)) == int(count)
    assert sum(int(graph.value(s, VOID.triples)) for s in graph.objects(top, VOID.subset)) == int(count)


def test_cors_on_answers_errors_and_preflight(endpoint):
    ok = requests.get(endpoint, params={"query": ASK}, headers={"Origin": "https://yasgui.example"}, timeout=30)
    bad = requests.get(endpoint, params={"query": "ASK {"}, headers={"Origin": "https://yasgui.example"}, timeout=30)
    assert ok.headers["Access-Control-Allow-Origin"] == "*" and bad.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(endpoint, headers={"Origin": "https://yasgui.example",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
