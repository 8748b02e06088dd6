"""The whole service on a remote store: every GET page and API answer of a server whose STORE
is a real Oxigraph server equals the answer of a server on the embedded store.

The remote store is loaded with `hipback load` (Graph Store Protocol), as a deployment would.
Host and port differ between the two servers, so each answer is compared with its own base URL
replaced; timings and the store kind are left out.
"""
from __future__ import annotations

import json
import re

import pytest
import requests


PATHS = [
    "/healthz", "/api", "/api/conditions", "/api/treatments", "/api/causes", "/api/red-flags",
    "/api/terms", "/api/terms?kind=class&limit=500", "/api/terms/LumbarHerniatedDisc",
    "/api/terms/hb:CaudaEquinaSyndrome/mappings", "/api/search?q=herniated+disk", "/api/autocomplete?q=lum",
    "/api/mappings?code=ICD10CM:M54.5", "/api/downloads", "/api/findings", "/api/queries",
    "/fhir/CodeSystem/hipback", "/fhir/ConceptMap/hipback-icd10cm", "/fhir/metadata", "/openapi.json",
    "/index.json", "/red-flags.json", "/compare.json", "/queries.json", "/search.json?q=hip", "/triage.json",
    "/term/LumbarHerniatedDisc.json", "/term/LumbarHerniatedDisc.nt", "/queries/red-flags.json",
    "/.well-known/void?format=nt",
]
VOLATILE = {"store", "query_ms", "took_ms", "elapsed_ms", "ms", "seconds", "generated", "served_at"}



@pytest.fixture(scope="module")
def servers(live_server, live_server_factory, oxigraph):
    return live_server, live_server_factory({"STORE": oxigraph.query_url})


def normalized(base: str, response: requests.Response):
    text = response.text.replace(base, "BASE").replace(base.replace("127.0.0.1", "localhost"), "BASE")
    if response.headers.get("Content-Type", "").split(";")[0].endswith("json"):
        return _drop(json.loads(text))
    # blank node labels are the store's own choice
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in text.splitlines())


def _drop(value):
    if isinstance(value, dict):
        return {k: _drop(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_drop(v) for v in value]
    return value


@pytest.mark.parametrize("path", PATHS)
def test_same_answer_on_both_stores(servers, path):
    embedded, remote = servers
    a = requests.get(embedded + path, headers={"Accept": "application/json"}, timeout=60)
    b = requests.get(remote + path, headers={"Accept": "application/json"}, timeout=60)
    assert a.status_code == b.status_code, (path, a.status_code, b.status_code, b.text[:300])
    assert normalized(embedded, a) == normalized(remote, b)


def test_health_names_the_store(servers):
    embedded, remote = servers
    assert requests.get(embedded + "/healthz", timeout=30).json()["store"] == "embedded"
    body = requests.get(remote + "/healthz", timeout=30).json()
    assert body["store"] == "remote" and body["triples"] > 1000
