"""Saved queries (queries/*.rq): documented, listed at /api/queries, and each runnable at
/queries/<name> as HTML, JSON and CSV with rows, on the embedded store and on Oxigraph."""
from __future__ import annotations

import csv
import io

import pytest
import requests

from hipback import config
from hipback.sparql import saved
from sparql_servers import VIRTUOSO_LIMITS

NAMES = sorted(p.stem for p in config.QUERIES_DIR.glob("*.rq"))


def test_at_least_ten_saved_queries_each_with_a_title_and_a_description():
    assert len(NAMES) >= 10
    for query in saved.all_saved():
        assert query.title and len(query.title) > 10, query.name
        assert query.description and len(query.description) > 30, query.name
        assert query.text.lstrip().startswith("# title:"), query.name


def test_headers_are_parsed_with_continuations():
    query = saved.parse("x", "# title: A\n# description: one\n#   two\nSELECT * {}\n# title: not a header\n")
    assert (query.title, query.description) == ("A", "one two")



@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server(request, live_server_factory) -> str:
    if request.param in ("oxigraph", "virtuoso"):
        return live_server_factory({"STORE": request.getfixturevalue(request.param).query_url})
    return live_server_factory()


def test_listing(server):
    body = requests.get(server + "/api/queries", timeout=30).json()
    assert body["ok"] is True and [q["name"] for q in body["queries"]] == NAMES
    for entry in body["queries"]:
        assert entry["url"].endswith("/queries/" + entry["name"])
        assert entry["json"].endswith(".json") and entry["csv"].endswith(".csv")


@pytest.mark.parametrize("name", NAMES)
def test_each_saved_query_has_rows_in_every_format(request, server, name):
    if name in VIRTUOSO_LIMITS and "virtuoso" in request.node.callspec.id:
        pytest.xfail(VIRTUOSO_LIMITS[name])
    data = requests.get(f"{server}/queries/{name}.json", timeout=60)
    assert data.status_code == 200, data.text
    body = data.json()
    assert body["count"] > 0 and len(body["rows"]) == body["count"], f"{name} returned no rows"
    assert body["title"] == saved.get(name).title
    table = list(csv.reader(io.StringIO(requests.get(f"{server}/queries/{name}.csv", timeout=60).text)))
    assert table[0] == body["columns"] and len(table) - 1 == body["count"]
    page = requests.get(f"{server}/queries/{name}", headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.text.count("<tr") >= body["count"] + 1
    negotiated = requests.get(f"{server}/queries/{name}", headers={"Accept": "application/json"}, timeout=60)
    assert negotiated.json()["count"] == body["count"]
    assert data.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_query_is_404(server):
    response = requests.get(server + "/queries/no-such-query.json", timeout=30)
    assert response.status_code == 404 and response.json()["ok"] is False
    response = requests.get(server + "/queries/..%2Fapp%2Ftriple-count", timeout=30)
    assert response.status_code == 404


# -- saved queries agree with the pages and the API -------------------------------------------

@pytest.fixture(scope="module")
def app_client():
    from hipback import create_app

    return create_app({"TESTING": True}).test_client()


def test_red_flags_query_agrees_with_the_red_flags_page(app_client):
    page = app_client.get("/red-flags.json").get_json()["red_flags"]
    rows = app_client.get("/queries/red-flags.json").get_json()["rows"]
    assert [r["redFlag"] for r in rows] == [f["iri"] for f in page]  # one row per red flag, in the page's order
    for row, flag in zip(rows, page):
        assert row["redFlagLabel"] == flag["label"] and row["urgency"] == "emergency"
        listed = lambda cell: sorted(filter(None, (row.get(cell) or "").split("; ")))  # noqa: E731
        assert listed("kinds") == sorted(k["label"] for k in flag["kinds"])
        assert listed("conditions") == sorted(c["label"] for c in flag["points_to"])


def test_findings_by_location_query_agrees_with_the_term_pages(app_client):
    from hipback.views.support import term_index

    index = term_index(app_client.application)
    places = {config.BASE + p for p in ("hasLocation", "radiatesFrom", "radiatesTo")}
    expected = {(finding, index.label(place), index.label(target))
                for finding in index.descendants(config.BASE + "Finding")
                for place, target, _via in index.out.get(finding, []) if place in places}
    rows = app_client.get("/queries/findings-by-location.json").get_json()["rows"]
    assert {(r["finding"], r["relation"], r["locationLabel"]) for r in rows} == expected
    assert any(r["finding"] == config.BASE + "LowBackPain" for r in rows)  # defined by its kind and place
