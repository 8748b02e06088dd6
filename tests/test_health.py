"""GET /healthz in process and through a real gunicorn server."""
from __future__ import annotations

import pytest
import requests
from rdflib.namespace import OWL, RDF


@pytest.fixture(scope="module")
def version_iri(source_graph):
    ontology = next(source_graph.subjects(RDF.type, OWL.Ontology))
    return str(next(source_graph.objects(ontology, OWL.versionIRI)))


def check(body: dict, version_iri: str) -> None:
    assert body["ok"] is True
    assert body["ontology_version"] == version_iri
    assert body["store"] == "embedded"
    assert body["triples"] > 1000


def test_healthz_in_process(client, version_iri):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    check(response.get_json(), version_iri)


def test_healthz_counts_asserted_and_inferred(client):
    from hipback import config

    # One named graph per file; the count is of triples in each graph, so the ontology
    # header, present in both files, counts twice.
    expected = sum(
        len((config.RELEASE_DIR / name).read_text(encoding="utf-8").splitlines())
        for name in ("hipback.nt", "hipback-inferred.nt")
    )
    assert client.get("/healthz").get_json()["triples"] == expected


@pytest.mark.slow
def test_healthz_through_the_live_server(live_server, version_iri):
    response = requests.get(live_server + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    check(response.json(), version_iri)



def test_serve_refuses_updates_on_an_embedded_store_with_several_workers(runner, monkeypatch):
    from hipback.cli import main

    monkeypatch.setenv("HIPBACK_UPDATE_TOKEN", "secret")
    result = runner.invoke(main, ["serve", "--workers", "2", "--port", "1"])
    assert result.exit_code != 0
    assert "--workers 1" in result.output
