"""The pages on a remote store (a real Oxigraph server, and Debian's Virtuoso 7) answer what they answer on the
embedded store."""
from __future__ import annotations

import pytest
import requests

from hipback.sparql.commands import load_remote
from sparql_servers import VIRTUOSO_COUNTS, OxigraphServer

pytestmark = pytest.mark.slow

#: JSON of pages whose data must be the same on both stores
SAME = [
    "/index.json",
    "/red-flags.json",
    "/compare.json?c=LumbarHerniatedDisc&c=SacroiliacJointDysfunction&c=Arthritis",
    "/graph/LumbarHerniatedDisc.json",
    "/graph/LowBackPain.json",
    "/triage.json?text=back+pain+for+four+days+and+I+cant+feel+anything+when+I+wipe&age=51",
    "/triage.json?finding=LowBackPain&duration_days=30&severity=4&improving=no",
]
HTML = ["/", "/red-flags", "/compare?c=Sprain&c=Strain", "/triage?finding=FeverOrChills", "/search?q=sciatica",
        "/queries", "/sparql", "/term/LumbarHerniatedDisc.html"]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote_server(request, live_server_factory) -> str:
    if request.param == "virtuoso":
        yield live_server_factory({"STORE": request.getfixturevalue("virtuoso").query_url})
        return
    oxigraph = OxigraphServer()
    try:
        load_remote(oxigraph.store_url)
        yield live_server_factory({"STORE": oxigraph.query_url})
    finally:
        oxigraph.stop()


@pytest.mark.parametrize("path", SAME)
def test_page_data_is_the_same_on_a_remote_store(live_server, remote_server, path):
    embedded = requests.get(live_server + path, timeout=60)
    remote = requests.get(remote_server + path, timeout=60)
    assert embedded.status_code == remote.status_code == 200
    assert remote.json() == embedded.json()


def test_search_page_ranks_the_same_on_a_remote_store(live_server, remote_server):
    # which of two equally good names is shown as "matched" (disc / disk) may differ; the ranking may not
    for q in ("slipped disk", "sciatica", "M51.26"):
        ranked = [[(r["iri"], r["score"]) for r in requests.get(f"{base}/search.json", params={"q": q}, timeout=60).json()["results"]]
                  for base in (live_server, remote_server)]
        assert ranked[0] == ranked[1] and ranked[0]


@pytest.mark.parametrize("path", HTML)
def test_pages_render_on_a_remote_store(remote_server, path):
    response = requests.get(remote_server + path, headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<main" in response.text


def test_gallery_runs_every_saved_query_on_the_remote_store(request, live_server, remote_server):
    embedded = requests.get(live_server + "/queries.json", timeout=60).json()["queries"]
    remote = requests.get(remote_server + "/queries.json", timeout=60).json()["queries"]
    assert [q["name"] for q in remote] == [q["name"] for q in embedded]
    for mine in remote:
        assert "error" not in mine, mine
    differ = [(m["name"], m["count"], t["count"]) for m, t in zip(remote, embedded) if m["count"] != t["count"]]
    if differ and "virtuoso" in request.node.callspec.id:
        pytest.xfail(f"Virtuoso 7.2.5 counts differ on {len(differ)} saved queries: {VIRTUOSO_COUNTS}")
    assert not differ
