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

    # One named graph per file, each triple of the release in one graph: the ontology header, which both
    # files carry, is in the asserted graph only (store.graph_contents).
    asserted = set((config.RELEASE_DIR / "hipback.nt").read_text(encoding="utf-8").splitlines())
    inferred = set((config.RELEASE_DIR / "hipback-inferred.nt").read_text(encoding="utf-8").splitlines())
    assert len(asserted & inferred) == 3  # the header: the ontology, its version IRI and version
    assert client.get("/healthz").get_json()["triples"] == len(asserted | inferred)


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
