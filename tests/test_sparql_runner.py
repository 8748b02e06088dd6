"""Bounded execution (service/sparql/runner.py): workers killed on timeout and replaced, pools
shared by apps over the same content, an update seen by its own app only."""
from __future__ import annotations

import gc

import pyoxigraph as ox
import pytest

from hipback import create_app
from hipback.errors import ApiError
from hipback.sparql import runner
from hipback.sparql.execute import Job
from hipback.store import EmbeddedStore

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def small_store(n: int = 200) -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/hipback/graph/test")
    for i in range(n):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(str(i)), graph))
    return store


@pytest.fixture(scope="module")
def pool():
    _, data = runner.snapshot_of(small_store())
    pool = runner.Pool(data, workers=2)
    yield pool
    pool.close()


def test_a_query_over_time_is_stopped_and_its_worker_replaced(pool):
    before = set(pool._all)
    assert pool.run(Job("ASK { ?s ?p ?o }"), 5).body.endswith(b"true}")
    with pytest.raises(ApiError) as stopped:
        pool.run(Job(ENDLESS), 0.5)
    assert stopped.value.status == 503 and "QUERY_TIMEOUT" in stopped.value.message
    assert pool.killed == 1
    killed = [w for w in before if w not in pool._all]
    assert len(killed) == 1 and killed[0].process.poll() is not None  # the process is gone
    # the pool is whole again: both workers answer at once
    outcomes = [pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 30) for _ in range(4)]
    assert all(b'"200"' in o.body for o in outcomes)


def test_result_cap_is_checked_in_the_worker(pool):
    assert pool.run(Job("SELECT * WHERE { ?s ?p ?o }", max_results=200), 5).rows == 200
    over = pool.run(Job("SELECT * WHERE { ?s ?p ?o }", max_results=199), 5)
    assert over.status == 503 and "MAX_RESULTS" in over.message


def test_apps_over_the_same_content_share_one_pool_and_updates_stay_apart():
    first = create_app({"TESTING": True, "UPDATE_TOKEN": "t", "STORE_OBJECT": EmbeddedStore()})
    second = create_app({"TESTING": True, "UPDATE_TOKEN": "t", "STORE_OBJECT": EmbeddedStore()})
    ask = {"query": "ASK { GRAPH <https://w3id.org/hipback/graph/scratch> { ?s ?p ?o } }"}
    a, b = first.test_client(), second.test_client()
    assert a.get("/sparql", query_string=ask).json["boolean"] is False
    assert b.get("/sparql", query_string=ask).json["boolean"] is False
    assert runner.for_app(first).pool is runner.for_app(second).pool
    insert = "INSERT DATA { GRAPH <https://w3id.org/hipback/graph/scratch> { <a> <b> <c> } }"
    response = a.post("/sparql/update", data=insert, headers={"Authorization": "Bearer t"},
                      content_type="application/sparql-update")
    assert response.status_code == 200, response.json
    assert a.get("/sparql", query_string=ask).json["boolean"] is True
    assert b.get("/sparql", query_string=ask).json["boolean"] is False
    assert runner.for_app(first).pool is not runner.for_app(second).pool
    # the pool of the updated content closes with the last app that uses it
    updated = runner.for_app(first).pool
    del first, a
    gc.collect()
    assert updated.closed


def test_a_worker_that_dies_is_replaced(pool):
    victim = next(iter(pool._all))
    victim.process.kill()
    victim.process.wait(5)
    answers = []
    for _ in range(6):  # whichever worker a request gets, it is answered or told to retry
        try:
            answers.append(pool.run(Job("ASK { ?s ?p ?o }"), 5).status)
        except ApiError as error:
            assert error.status == 503 and "try again" in error.message
    assert answers and set(answers) == {200}
    assert victim not in pool._all
