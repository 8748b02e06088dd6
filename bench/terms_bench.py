"""Latency of term lookup, dereferencing and search under concurrent clients, against rdflib in the same run.

Targets, both over HTTP on 127.0.0.1 and holding the same release files:

- **hipback**: ``hipback serve`` (gunicorn, 2 workers): ``GET /api/terms/X`` (lookup),
  ``GET /term/X`` with ``Accept: text/turtle`` following the 303 (dereference), ``GET /api/search?q=``.
- **rdflib** (baseline): rdflib-endpoint, rdflib's SPARQL engine behind uvicorn, asked the same
  things with the service's own queries: a lookup is the four ``queries/app/term-*.rq`` queries
  bound to the term (statements, superclasses, restrictions out and in); a dereference is
  ``term-description.rq`` as Turtle; a search is a SPARQL substring match over labels and synonyms
  (``SEARCH`` below; it forgives neither typos nor word order, so it does less work).

Clients are separate processes, each sending one operation after another for a fixed time over
a cycle of all terms (or all queries). Also measured in process: the compiled index against rdflib
running the same queries on an in-memory graph, one thread. The search's quality on ``QUERIES``
(is the expected term first?) is reported for both.

Writes bench/results/terms.md and bench/results/terms.json.
Usage: python bench/terms_bench.py [--duration S] [--clients 1,8]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from hipback import config  # noqa: E402
from hipback.store import EmbeddedStore, bind, query_text, release_files  # noqa: E402
from hipback.terms import TermIndex  # noqa: E402

START_TIMEOUT = 60.0
LOOKUP_QUERIES = [("term-statements", "term"), ("term-subclasses", "sub"), ("term-restrictions", "term"),
                  ("term-restrictions", "target")]
SEARCH = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?term ?name WHERE {
  { ?term rdfs:label ?name } UNION { ?term skos:altLabel ?name } UNION { ?term skos:notation ?name }
  FILTER (CONTAINS(LCASE(STR(?name)), LCASE(%s)))
} ORDER BY STRLEN(STR(?name)) ?term LIMIT 20"""
#: query -> the term it must find first (the issue's four, then typos, word order and lay phrasing)
QUERIES = {
    "herniated disk": "LumbarHerniatedDisc", "sciatica": "PainRadiatingToHipAndLeg",
    "M51.26": "LumbarHerniatedDisc", "HP:0003419": "LowBackPain", "hernaited disc": "LumbarHerniatedDisc",
    "disc herniated lumbar": "LumbarHerniatedDisc", "back pain low": "LowBackPain", "sciatca": "PainRadiatingToHipAndLeg",
    "fever": "Fever", "spinal stenosis": "SpinalStenosis", "stenosis spinal": "SpinalStenosis",
    "pulled muscle": "Strain", "sacroiliac": "SacroiliacJointDysfunction", "physical therapy": "PhysicalTherapy",
    "ibuprofen": "Ibuprofen", "bone spurs": "BoneSpurs", "hip impingment": "HipImpingement",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> float:
    started, deadline = time.perf_counter(), time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return time.perf_counter() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT}s")


def start_servers(log) -> dict:
    hip_port, rdf_port = free_port(), free_port()
    hipback = subprocess.Popen(
        [sys.executable, "-m", "hipback.cli", "serve", "--host", "127.0.0.1", "--port", str(hip_port),
         "--workers", "2"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    files = [f"{path}={graph}" for path, graph in release_files()]
    rdflib_server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "rdflib_endpoint_server.py"), str(rdf_port), *files],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    servers = {"hipback": (f"http://127.0.0.1:{hip_port}", hipback),
               "rdflib": (f"http://127.0.0.1:{rdf_port}", rdflib_server)}
    wait_for(servers["hipback"][0] + "/healthz", hipback)
    wait_for(servers["rdflib"][0] + "/?query=ASK%7B%7D", rdflib_server)
    return servers


# -- one operation, per target and workload ------------------------------------------------------

def operation(target: str, workload: str, base: str, session: requests.Session, item: str) -> None:
    if target == "hipback":
        if workload == "lookup":
            response = session.get(f"{base}/api/terms/{item}", timeout=30)
        elif workload == "dereference":
            response = session.get(f"{base}/term/{item}", headers={"Accept": "text/turtle"}, timeout=30)
        else:
            response = session.get(f"{base}/api/search", params={"q": item}, timeout=30)
        response.raise_for_status()
        return
    iri = config.BASE + item
    if workload == "lookup":
        for name, variable in LOOKUP_QUERIES:
            sparql(session, base, bind(query_text(name), {variable: iri}), "application/sparql-results+json")
    elif workload == "dereference":
        sparql(session, base, bind(query_text("term-description"), {"term": iri}), "text/turtle")
    else:
        sparql(session, base, SEARCH % json.dumps(item), "application/sparql-results+json")


def sparql(session: requests.Session, base: str, query: str, accept: str) -> requests.Response:
    response = session.post(base + "/", data={"query": query}, headers={"Accept": accept}, timeout=30)
    response.raise_for_status()
    return response


def client(target, workload, base, items, offset, seconds, barrier, out) -> None:
    session = requests.Session()
    latencies, errors, position = [], 0, offset
    barrier.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        item = items[position % len(items)]
        position += 1
        started = time.perf_counter()
        try:
            operation(target, workload, base, session, item)
        except requests.RequestException:
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    out.put((latencies, errors))


def load(target: str, workload: str, base: str, items: list[str], clients: int, seconds: float) -> dict:
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(clients + 1), context.Queue()
    processes = [context.Process(target=client, args=(target, workload, base, items, i * 7, seconds, barrier, out))
                 for i in range(clients)]
    for process in processes:
        process.start()
    barrier.wait()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for r, _e in results for x in r)
    errors = sum(e for _r, e in results)
    return {"target": target, "workload": workload, "clients": clients, "operations": len(latencies),
            "errors": errors, "per_second": round(len(latencies) / seconds, 1), **percentiles(latencies)}


def percentiles(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)  # noqa: E731
    return {"p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


# -- in process --------------------------------------------------------------------------------

def in_process(names: list[str]) -> list[dict]:
    """The compiled index against rdflib's SPARQL engine on the same data, one thread, per operation."""
    import rdflib

    from hipback import linkeddata
    from hipback.search import SearchIndex

    store = EmbeddedStore()
    index = TermIndex.load(store)
    search = SearchIndex(index)
    dataset = rdflib.Dataset(default_union=True)
    for path, graph in release_files():
        dataset.graph(rdflib.URIRef(graph)).parse(path, format="nt")

    def rdflib_lookup(name):
        for query, variable in LOOKUP_QUERIES:
            list(dataset.query(bind(query_text(query), {variable: config.BASE + name})))

    def rdflib_describe(name):
        dataset.query(bind(query_text("term-description"), {"term": config.BASE + name})).graph.serialize(
            format="turtle")

    def rdflib_search(q):
        list(dataset.query(SEARCH % json.dumps(q)))

    def index_describe(name):
        linkeddata.serialise(linkeddata.description(store, config.BASE + name), "ttl")

    names = names[::5]  # rdflib takes about half a second a lookup: every fifth term
    cases = [
        ("lookup", "index", lambda n: index.detail(index.resolve(n)), names),
        ("lookup", "rdflib", rdflib_lookup, names),
        ("dereference (uncached)", "index", index_describe, names),
        ("dereference (uncached)", "rdflib", rdflib_describe, names),
        ("search", "index", search.search, list(QUERIES)),
        ("search", "rdflib", rdflib_search, list(QUERIES)),
    ]
    rows = []
    for workload, engine, function, items in cases:
        for item in items[:10]:
            function(item)  # warm up
        latencies = []
        for item in items:
            started = time.perf_counter()
            function(item)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        rows.append({"workload": workload, "engine": engine, "operations": len(latencies),
                     "mean_ms": round(statistics.mean(latencies) * 1000, 3), **percentiles(latencies)})
    return rows


def quality(servers: dict) -> dict:
    """How many of QUERIES find the expected term first, through each target."""
    found = {"hipback": 0, "rdflib": 0}
    session = requests.Session()
    for q, expected in QUERIES.items():
        items = session.get(servers["hipback"][0] + "/api/search", params={"q": q}, timeout=30).json()["items"]
        found["hipback"] += bool(items) and items[0]["iri"] == config.BASE + expected
        rows = sparql(session, servers["rdflib"][0], SEARCH % json.dumps(q),
                      "application/sparql-results+json").json()["results"]["bindings"]
        found["rdflib"] += bool(rows) and rows[0]["term"]["value"] == config.BASE + expected
    return {"queries": len(QUERIES), **found}


def write(report: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "terms.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Term lookup, dereferencing and search",
        "",
        f"Run {report['when']} on {report['machine']}; `python bench/terms_bench.py --duration "
        f"{report['duration']} --clients {','.join(map(str, report['clients']))}`. "
        f"{report['terms']} terms.",
        "",
        "## Over HTTP, concurrent clients",
        "",
        "hipback: `hipback serve` (gunicorn, 2 workers). Baseline: rdflib-endpoint (rdflib's SPARQL engine, uvicorn)"
        " running the service's own `queries/app/term-*.rq` for the same terms (a lookup is 4 queries, a"
        " dereference is `term-description.rq` as Turtle, a search a substring match). Each client is a process"
        " sending one operation after another; a dereference through hipback includes following the 303."
        " Clients and servers share the machine's CPUs, so with more clients than CPUs the latencies include"
        " waiting for a CPU on both sides.",
        "",
        "| workload | clients | target | ops/s | p50 ms | p95 ms | p99 ms | errors | speed-up (p50) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = report["http"]
    for row in rows:
        base = next(r for r in rows if r["workload"] == row["workload"] and r["clients"] == row["clients"]
                    and r["target"] == "rdflib")
        speedup = f"{base['p50_ms'] / row['p50_ms']:.0f}x" if row["target"] == "hipback" and row["p50_ms"] else ""
        lines.append(f"| {row['workload']} | {row['clients']} | {row['target']} | {row['per_second']} | "
                     f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['errors']} | {speedup} |")
    q = report["quality"]
    lines += [
        "",
        f"Search quality on {q['queries']} queries (the issue's four, typos, word order, lay words): the expected "
        f"term first for hipback {q['hipback']}/{q['queries']}, for the SPARQL substring baseline "
        f"{q['rdflib']}/{q['queries']}.",
        "",
        "## In process, one thread",
        "",
        "The compiled term index (`service/terms.py`, `service/search.py`) against rdflib's SPARQL engine on an"
        " in-memory Dataset of the same files, running the same queries. The uncached dereference builds the"
        " description with `term-description.rq` on the embedded pyoxigraph store (the service then caches it).",
        "",
        "| workload | engine | operations | mean ms | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in report["in_process"]:
        lines.append(f"| {row['workload']} | {row['engine']} | {row['operations']} | {row['mean_ms']} | "
                     f"{row['p50_ms']} | {row['p99_ms']} |")
    (RESULTS / "terms.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rewrite() -> None:
    """Write terms.md again from terms.json (after a change to the report's wording)."""
    write(json.loads((RESULTS / "terms.json").read_text(encoding="utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,8", help="numbers of concurrent clients")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    names = sorted(t.local_name for t in TermIndex.load(EmbeddedStore()).terms.values())
    workloads = {"lookup": names, "dereference": names, "search": list(QUERIES)}
    with tempfile.TemporaryFile() as log:
        servers = start_servers(log)
        try:
            http = []
            for workload, items in workloads.items():
                for count in clients:
                    for target, (base, _process) in servers.items():
                        row = load(target, workload, base, items, count, args.duration)
                        print(json.dumps(row), flush=True)
                        http.append(row)
            search_quality = quality(servers)
        finally:
            for _base, process in servers.values():
                process.terminate()
                process.wait(15)
    report = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "duration": args.duration, "clients": clients, "terms": len(names),
        "http": http, "quality": search_quality, "in_process": in_process(names),
    }
    write(report)
    print((RESULTS / "terms.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
