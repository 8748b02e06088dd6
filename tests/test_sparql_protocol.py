"""The W3C SPARQL 1.1 Protocol tests (query side, and the update side's negative tests),
each as its own test, sent with ``requests`` to a real ``hipback serve`` on 127.0.0.1,
once on the embedded store and once forwarding to a real Oxigraph server.

The requests are those of the test suite's descriptions
(https://w3c.github.io/rdf-tests/sparql/sparql11/protocol/), with two adjustments:
the endpoint path is /sparql (the suite writes both /sparql and /sparql/), and the form
tests use the media type application/x-www-form-urlencoded (the descriptions misspell it
x-www-url-form-urlencoded). The kasei.us data the suite assumes is the stand-in in
tests/data/kasei/, loaded into named graphs of those IRIs through /sparql/update; relative
IRIs resolve against the kasei.us data directory (setting SPARQL_BASE), as in the suite.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import requests

from sparql_servers import KASEI, load_kasei

TOKEN = "protocol-test-token"
RESULTS = ("application/sparql-results+xml", "application/sparql-results+json")
SRX = "{http://www.w3.org/2005/sparql-results#}"
D1, D2, D3 = (requests.utils.quote(KASEI + f"data{i}.rdf", safe="") for i in (1, 2, 3))



@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server(request, live_server_factory) -> str:
    """Base URL of a live server with updates enabled and the stand-in data loaded."""
    settings = {"UPDATE_TOKEN": TOKEN, "SPARQL_BASE": KASEI}
    if request.param in ("oxigraph", "virtuoso"):
        store = request.getfixturevalue(request.param)
        settings.update(STORE=store.query_url, STORE_UPDATE_URL=store.update_url)
    base = live_server_factory(settings)
    load_kasei(base, TOKEN)
    return base


@pytest.fixture
def endpoint(server) -> str:
    return server + "/sparql"


@pytest.fixture
def update_endpoint(server) -> str:
    return server + "/sparql/update"


def post(url: str, body: bytes | str, content_type: str | None, **headers) -> requests.Response:
    if content_type is not None:
        headers["Content-Type"] = content_type
    data = body.encode("utf-8") if isinstance(body, str) else body
    # requests adds no Content-Type for raw bytes, so "missing" really is missing
    return requests.post(url, data=data, headers=headers, timeout=30)


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def boolean(response: requests.Response) -> bool:
    if media_type(response) == "application/sparql-results+json":
        return response.json()["boolean"]
    return ET.fromstring(response.content).find(SRX + "boolean").text == "true"


def bindings(response: requests.Response) -> list[dict[str, str]]:
    if media_type(response) == "application/sparql-results+json":
        return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
    rows = []
    for result in ET.fromstring(response.content).iter(SRX + "result"):
        rows.append({b.get("name"): "".join(b.itertext()) for b in result.findall(SRX + "binding")})
    return rows


def assert_ask_true(response: requests.Response) -> None:
    assert 200 <= response.status_code < 400, response.text
    assert media_type(response) in RESULTS
    assert boolean(response) is True


def assert_4xx(response: requests.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code and body["message"]


# -- positive query tests ---------------------------------------------------------------

def test_query_get(endpoint):
    assert_ask_true(requests.get(endpoint + "?query=ASK%20%7B%7D", timeout=30))


def test_query_post_form(endpoint):
    assert_ask_true(post(endpoint, "query=ASK%20%7B%7D", "application/x-www-form-urlencoded"))


def test_query_post_direct(endpoint):
    assert_ask_true(post(endpoint, "ASK {}", "application/sparql-query"))


def test_query_dataset_default_graph(endpoint):
    response = post(endpoint + "?default-graph-uri=" + D1,
                    "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> ?p ?o }", "application/sparql-query")
    assert_ask_true(response)


def test_query_dataset_default_graphs_get(endpoint):
    url = (endpoint + "?query=ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf%3E"
           "%20a%20%3Ftype%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype"
           "%20.%20%7D&default-graph-uri=" + D1 + "&default-graph-uri=" + D2)
    assert_ask_true(requests.get(url, timeout=30))


def test_query_dataset_default_graphs_post(endpoint):
    response = post(
        endpoint + "?default-graph-uri=" + D1 + "&default-graph-uri=" + D2,
        "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> ?p ?o . <http://kasei.us/2009/09/sparql/data/data2.rdf> ?p ?o }",
        "application/sparql-query",
    )
    assert_ask_true(response)


def test_query_dataset_named_graphs_post(endpoint):
    response = post(endpoint + "?named-graph-uri=" + D1 + "&named-graph-uri=" + D2,
                    "ASK { GRAPH ?g { ?s ?p ?o } }", "application/sparql-query")
    assert_ask_true(response)


def test_query_dataset_named_graphs_get(endpoint):
    url = (endpoint + "?query=ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata"
           "%2Fdata1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql"
           "%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20%7D%20%7D&named-graph-uri=" + D1 + "&named-graph-uri=" + D2)
    assert_ask_true(requests.get(url, timeout=30))


def test_query_dataset_full(endpoint):
    response = post(endpoint + "?default-graph-uri=" + D3 + "&named-graph-uri=" + D1 + "&named-graph-uri=" + D2,
                    "SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }", "application/sparql-query")
    assert 200 <= response.status_code < 400
    assert media_type(response) in RESULTS
    rows = bindings(response)
    # The suite only asks for a 2xx; check the dataset was the one the request named:
    # ?x comes from the default graph (data3 only), ?g ranges over data1 and data2.
    assert rows
    assert {row["x"] for row in rows} == {KASEI + "data3.rdf"}
    assert {row["g"] for row in rows} == {KASEI + "data1.rdf", KASEI + "data2.rdf"}


def test_query_multiple_dataset(endpoint):
    response = post(endpoint + "?default-graph-uri=" + D2,
                    "ASK FROM <http://kasei.us/2009/09/sparql/data/data1.rdf> { <data1.rdf> ?p ?o }",
                    "application/sparql-query")
    assert_ask_true(response)
    # Only data2 says something of data1 that points at data2: true only if the protocol's
    # dataset (data2) replaced the query's FROM (data1), as the protocol requires.
    response = post(endpoint + "?default-graph-uri=" + D2,
                    "ASK FROM <http://kasei.us/2009/09/sparql/data/data1.rdf> { <data1.rdf> ?p <data2.rdf> }",
                    "application/sparql-query")
    assert_ask_true(response)


def test_query_content_type_select(endpoint):
    response = post(endpoint, "SELECT (1 AS ?value) {}", "application/sparql-query")
    assert 200 <= response.status_code < 400
    assert media_type(response) in RESULTS + ("text/tab-separated-values", "text/csv")
    assert bindings(response) == [{"value": "1"}]


def test_query_content_type_ask(endpoint):
    response = post(endpoint, "ASK {}", "application/sparql-query")
    assert 200 <= response.status_code < 400
    assert media_type(response) in RESULTS


def test_query_content_type_describe(endpoint):
    response = post(endpoint, "DESCRIBE <http://example.org/>", "application/sparql-query")
    assert 200 <= response.status_code < 400
    assert media_type(response) in ("application/rdf+xml", "application/rdf+json", "text/turtle")


def test_query_content_type_construct(endpoint):
    response = post(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/sparql-query")
    assert 200 <= response.status_code < 400
    assert media_type(response) in ("application/rdf+xml", "application/rdf+json", "text/turtle")
    import rdflib

    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(KASEI + "s"), rdflib.URIRef(KASEI + "p"), rdflib.Literal(1)) in graph


# -- negative query tests ---------------------------------------------------------------

def test_bad_query_method(endpoint):
    response = requests.put(endpoint + "?query=ASK%20%7B%7D", timeout=30)
    assert_4xx(response)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_bad_multiple_queries(endpoint):
    response = requests.get(endpoint + "?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", timeout=30)
    assert_4xx(response)
    assert response.status_code == 400 and "2 'query' parameters" in response.json()["message"]


def test_bad_query_wrong_media_type(endpoint):
    response = post(endpoint, "ASK {}", "text/plain")
    assert_4xx(response)
    assert response.status_code == 415 and "text/plain" in response.json()["message"]


def test_bad_query_missing_form_type(endpoint):
    response = post(endpoint, b"query=ASK%20%7B%7D", None)
    assert_4xx(response)
    assert response.status_code == 415 and "no Content-Type" in response.json()["message"]


def test_bad_query_missing_direct_type(endpoint):
    response = post(endpoint, b"ASK {}", None)
    assert_4xx(response)
    assert response.status_code == 415


def test_bad_query_non_utf8(endpoint):
    response = post(endpoint, "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16")
    assert_4xx(response)
    assert response.status_code == 400 and "UTF-8" in response.json()["message"]


def test_bad_query_non_utf8_undeclared(endpoint):
    response = post(endpoint, "ASK {}".encode("utf-16"), "application/sparql-query")
    assert_4xx(response)
    assert "UTF-8" in response.json()["message"]


def test_bad_query_syntax(endpoint):
    response = requests.get(endpoint + "?query=ASK%20%7B", timeout=30)
    assert_4xx(response)
    assert response.status_code == 400 and "Syntax error" in response.json()["message"]


# -- update side: the negative tests answer 4xx ------------------------------------------

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_bad_update_get(endpoint, update_endpoint):
    assert_4xx(requests.get(update_endpoint + "?update=CLEAR%20ALL", headers=AUTH, timeout=30))
    # and the query endpoint never runs an update, whatever the method
    assert_4xx(requests.get(endpoint + "?update=CLEAR%20ALL", timeout=30))
    assert_ask_true(requests.get(endpoint, params={"query": f"ASK {{ GRAPH <{KASEI}data1.rdf> {{ ?s ?p ?o }} }}"}, timeout=30))


def test_bad_multiple_updates(update_endpoint):
    response = post(update_endpoint, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                    "application/x-www-form-urlencoded", **AUTH)
    assert_4xx(response)


def test_bad_update_wrong_media_type(update_endpoint):
    assert_4xx(post(update_endpoint, "CLEAR NAMED", "text/plain", **AUTH))


def test_bad_update_missing_form_type(update_endpoint):
    assert_4xx(post(update_endpoint, b"update=CLEAR%20NAMED", None, **AUTH))


def test_bad_update_non_utf8(update_endpoint):
    assert_4xx(post(update_endpoint, "CLEAR NAMED".encode("utf-16"), "application/sparql-update; charset=UTF-16", **AUTH))


def test_bad_update_syntax(update_endpoint):
    response = post(update_endpoint, "update=CLEAR%20XYZ", "application/x-www-form-urlencoded", **AUTH)
    assert_4xx(response)
    assert response.status_code == 400


def test_bad_update_dataset_conflict(update_endpoint):
    body = ("using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople&update=%09%09PREFIX%20foaf%3A%20%20%3Chttp%3A%2F%2F"
            "xmlns.com%2Ffoaf%2F0.1%2F%3E%0A%09%09WITH%20%3Chttp%3A%2F%2Fexample%2Faddresses%3E%0A%09%09DELETE%20%7B%20"
            "%3Fperson%20foaf%3AgivenName%20%27Bill%27%20%7D%0A%09%09INSERT%20%7B%20%3Fperson%20foaf%3AgivenName%20"
            "%27William%27%20%7D%0A%09%09WHERE%20%7B%0A%09%09%09%3Fperson%20foaf%3AgivenName%20%27Bill%27%0A%09%09%7D%0A")
    response = post(update_endpoint, body, "application/x-www-form-urlencoded", **AUTH)
    assert_4xx(response)
    assert response.status_code == 400 and "USING" in response.json()["message"]


def test_negative_updates_left_the_data_alone(endpoint):
    """None of the refused updates (CLEAR NAMED, CLEAR ALL, ...) reached the store."""
    response = requests.get(endpoint, params={"query": f"ASK {{ GRAPH <{KASEI}data3.rdf> {{ ?s ?p ?o }} }}"}, timeout=30)
    assert_ask_true(response)
    count = requests.get(endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH <https://w3id.org/hipback/graph/asserted> { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert int(json.loads(count.text)["results"]["bindings"][0]["n"]["value"]) > 100
