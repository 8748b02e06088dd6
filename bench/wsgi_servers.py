"""The WSGI server in front of the app: gunicorn's thread worker (what ``hipback serve`` runs) against
granian (a Rust HTTP server) serving the same app factory, side by side in one run.

Both on 127.0.0.1 with two worker processes (gunicorn: 8 threads each; granian: 8 blocking threads each);
for 1, 8 and 32 client processes, requests per second and failed requests of GET /api (a small JSON route
that runs no query: the cost of the server and Flask alone) and of a one-row SPARQL lookup. The figure
that decides is granian's throughput as a multiple of gunicorn's in the same run.

    python bench/wsgi_servers.py        # writes bench/results/wsgi-servers.{md,json}
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sparql_bench import load, wait_for, free_port, warm  # noqa: E402

LOOKUP = "SELECT ?label WHERE { hb:LumbarHerniatedDisc rdfs:label ?label }"
CLIENTS = (1, 8, 32)
SECONDS = 5.0


def commands(port: int) -> dict[str, list[str]]:
    granian = Path(sys.executable).with_name("granian")
    return {
        "gunicorn (hipback serve)": [sys.executable, "-m", "hipback.cli", "serve", "--port", str(port)],
        "granian": [str(granian), "--interface", "wsgi", "--factory", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", "2", "--blocking-threads", "8", "hipback:create_app"],
    }


def measure() -> dict:
    results = {}
    for name in commands(0):
        port = free_port()
        process = subprocess.Popen(commands(port)[name], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/sparql", process)
            warm(base + "/sparql")
            rows = {}
            for n in CLIENTS:
                rows[n] = {"GET /api": load(base + "/api", None, n, SECONDS),
                           "lookup": load(base + "/sparql", LOOKUP, n, SECONDS)}
                print(name, n, {k: (v["rps"], v["errors"]) for k, v in rows[n].items()}, flush=True)
            results[name] = rows
        finally:
            process.terminate()
            process.wait(30)
    return results


def report(results: dict) -> str:
    ours, other = list(results)
    lines = ["# The WSGI server", "",
             f"Written by `bench/wsgi_servers.py` (its docstring gives the method); Python {platform.python_version()}, "
             f"{os.cpu_count()} CPUs shared by clients and servers, {SECONDS:g} s per cell.", "",
             f"| clients | route | {ours} req/s | {other} req/s | {other} / {ours} | failed ({ours} / {other}) |",
             "|---:|---|---:|---:|---:|---|"]
    for n in CLIENTS:
        for route in ("GET /api", "lookup"):
            a, b = results[ours][n][route], results[other][n][route]
            lines.append(f"| {n} | {route} | {a['rps']} | {b['rps']} | {b['rps'] / a['rps']:.2f}x | "
                         f"{a['errors']} / {b['errors']} |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    results = measure()
    out = ROOT / "bench" / "results"
    (out / "wsgi-servers.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    (out / "wsgi-servers.md").write_text(report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
