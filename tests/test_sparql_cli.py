"""`hipback load` and `hipback query`, locally and against a real Oxigraph server."""
from __future__ import annotations

import csv
import io
import json

import pytest

from hipback import config
from hipback.cli import main
from sparql_servers import OxigraphServer

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def release_triples() -> int:
    """The release's distinct triples: each is in one graph, the header both files carry in the asserted one."""
    from hipback.store import release_files

    return len({line for path, _ in release_files() for line in open(path, encoding="utf-8") if line.strip()})


@pytest.fixture(scope="module")
def oxigraph():
    server = OxigraphServer()
    yield server
    server.stop()


def count_of(output: str) -> int:
    return int(json.loads(output)["results"]["bindings"][0]["n"]["value"])


def test_query_local_string_file_and_stdin(runner):
    result = runner.invoke(main, ["query", COUNT, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert count_of(result.output) == release_triples()
    result = runner.invoke(main, ["query", str(config.QUERIES_DIR / "codes.rq"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.output)))
    assert table[0][:3] == ["term", "termLabel", "system"] and len(table) > 10
    result = runner.invoke(main, ["query", "-"], input="SELECT ?label WHERE { <LowBackPain> <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert result.exit_code == 0 and result.output.splitlines() == ["?label", '"low back pain"@en']
    result = runner.invoke(main, ["query", "CONSTRUCT WHERE { <LowBackPain> ?p ?o }", "--format", "nt"])
    assert result.exit_code == 0 and "<https://w3id.org/hipback/LowBackPain>" in result.output


def test_query_refuses_what_the_endpoint_refuses(runner):
    result = runner.invoke(main, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"])
    assert result.exit_code != 0 and "SERVICE" in result.output
    result = runner.invoke(main, ["query", "SELECT * WHERE {"])
    assert result.exit_code != 0 and "Syntax error" in result.output
    result = runner.invoke(main, ["query", "ASK {}", "--format", "yaml"])
    assert result.exit_code != 0 and "yaml" in result.output


@pytest.mark.parametrize("method, path", [("gsp", "/store"), ("update", "/update")])
def test_load_then_query_remote(runner, oxigraph, method, path):
    result = runner.invoke(main, ["load", "--endpoint", oxigraph.url + path, "--method", method])
    assert result.exit_code == 0, result.output
    assert "graph/asserted" in result.output and "graph/inferred" in result.output
    # loading twice replaces the graphs, never doubles them
    assert runner.invoke(main, ["load", "--endpoint", oxigraph.url + path, "--method", method]).exit_code == 0
    remote = runner.invoke(main, ["query", COUNT, "--endpoint", oxigraph.query_url, "--format", "json"])
    assert remote.exit_code == 0, remote.output
    assert count_of(remote.output) == release_triples()
    # each blank node stays one node: the triples of a restriction or list are never split between requests
    blanks = "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?b ?p ?o } FILTER isBlank(?b) }"
    remote = runner.invoke(main, ["query", blanks, "--endpoint", oxigraph.query_url, "--format", "json"])
    local = runner.invoke(main, ["query", blanks, "--format", "json"])
    assert count_of(remote.output) == count_of(local.output) > 0


def test_load_needs_an_endpoint(runner, monkeypatch):
    monkeypatch.delenv("HIPBACK_STORE_UPDATE_URL", raising=False)
    result = runner.invoke(main, ["load"])
    assert result.exit_code != 0 and "--endpoint" in result.output
