"""The /sparql path's own pieces, each against its baseline in the same run, in one process.

- a one-row lookup through the app (WSGI call, query worker included): the layer in front of Flask
  (``FastQueries``) against the Flask view (the same app with the layer switched off);
- a 60-row join (the saved query ``conditions-sharing-a-finding.rq``) on a query worker's store: the named
  graphs read through the engine's union flag (what workers hold) against the same graphs with a copy of their
  union in the default graph (what they held before);
- writing that join's answer as SPARQL JSON: the row writers (``results.JsonWriter``) against the engine's
  own writer, and the engine alone (iterating the rows);
- telling whether a query has a FROM (``execute.has_dataset_clause``): the guard's grammar against the
  tokenizer, on a 23 KB query of VALUES (why the grammar reads texts up to 4,000 characters only).

    python bench/sparql_path.py        # writes bench/results/sparql-path.{md,json}
"""
from __future__ import annotations

import io
import json
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCEPT = "application/sparql-results+json"
LOOKUP = ("PREFIX hb: <https://w3id.org/hipback/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
          "SELECT ?label WHERE { hb:LumbarHerniatedDisc rdfs:label ?label }")


def per_call_ms(call, seconds: float = 2.0) -> float:
    """Median of five runs of ``call`` repeated for about ``seconds`` / 5 each, in milliseconds per call."""
    call()
    times = []
    for _ in range(5):
        n, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds / 5:
            call()
            n += 1
        times.append((time.perf_counter() - started) / n * 1000)
    return round(sorted(times)[2], 4)


def lookup_through_the_app() -> dict:
    from hipback import create_app
    from hipback.views.sparql import FastQueries

    app = create_app()
    body = urlencode({"query": LOOKUP}).encode()

    def call():
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/sparql", "QUERY_STRING": "", "SERVER_NAME": "localhost",
                   "SERVER_PORT": "80", "HTTP_HOST": "localhost", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
                   "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "wsgi.errors": sys.stderr,
                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_ACCEPT": ACCEPT, "REMOTE_ADDR": "127.0.0.1"}
        status = []
        answer = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("200") and b"lumbar herniated disc" in answer

    fast = per_call_ms(call)
    takes = FastQueries.takes
    FastQueries.takes = lambda self, environ: False
    try:
        framework = per_call_ms(call)
    finally:
        FastQueries.takes = takes
    return {"fast path ms": fast, "Flask view ms (baseline)": framework}


def worker_stores() -> tuple[ox.Store, ox.Store]:
    """The release as a query worker holds it (named graphs), and the same with a copy of the union."""
    from hipback.store import EmbeddedStore

    data = ox.serialize(EmbeddedStore().store, format=ox.RdfFormat.N_QUADS)
    named, copied = ox.Store(), ox.Store()
    named.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    copied.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    copied.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return named, copied


def join_and_write(named: ox.Store, copied: ox.Store) -> dict:
    from hipback.sparql import results

    join = (ROOT / "queries" / "conditions-sharing-a-finding.rq").read_text(encoding="utf-8")
    rows = len(list(named.query(join, use_default_graph_as_union=True)))

    def ours():
        solutions = named.query(join, use_default_graph_as_union=True)
        writer = results.JsonWriter([v.value for v in solutions.variables])
        b"".join([writer.head().encode(), *(writer.row(tuple(s)).encode() for s in solutions), writer.tail().encode()])

    return {
        "rows": rows,
        "join, named graphs and the union flag ms": per_call_ms(lambda: list(named.query(join, use_default_graph_as_union=True))),
        "join, a copy of the union in the default graph ms (baseline)": per_call_ms(lambda: list(copied.query(join))),
        "quads held, named graphs": len(named),
        "quads held, with the copy": len(copied),
        "engine alone, iterating the rows ms": per_call_ms(lambda: list(named.query(join, use_default_graph_as_union=True))),
        "engine and the row writers (JSON) ms": per_call_ms(ours),
        "engine and its own JSON writer ms (baseline)": per_call_ms(
            lambda: named.query(join, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)),
    }


def dataset_clause() -> dict:
    from hipback.sparql import guard
    from hipback.sparql.execute import _tokens_say_from

    text = ("PREFIX ex: <http://example.org/>\n# rows from the survey\nSELECT * WHERE { VALUES ?x { "
            + " ".join(f'"v{i}"' for i in range(3000)) + " } ?s ?p ?x }")
    return {"characters": len(text),
            "grammar ms": per_call_ms(lambda: guard._inspect_query(text, None), seconds=5.0),
            "tokenizer ms": per_call_ms(lambda: _tokens_say_from(text))}


def main() -> None:
    named, copied = worker_stores()
    figures = {"lookup through the app": lookup_through_the_app(), "join on a worker's store": join_and_write(named, copied),
               "has the query a FROM": dataset_clause()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sparql-path.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    lines = ["# The /sparql path, piece by piece", "",
             f"Written by `bench/sparql_path.py` (its docstring gives the method); Python {platform.python_version()}, "
             "one process, each figure the median of five runs of about 0.4 s (1 s for the grammar), every baseline "
             "in the same run.", ""]
    for section, values in figures.items():
        lines += [f"## {section}", "", "| what | figure |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in values.items()] + [""]
    (RESULTS / "sparql-path.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
