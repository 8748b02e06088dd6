"""Triage latency: the fast path in process and over HTTP, against HermiT per request, same run.

Requests: every dev case, from its fields and from its text (24 requests), cycled.
- in process: ``hipback.reasoner.triage(request, knowledge)`` (annotation, rules, ranking, advice);
- rules only: ``rules.fire`` on the already-understood case (what HermiT computes);
- HTTP: POST /api/triage to a gunicorn ``hipback serve`` (one worker) on 127.0.0.1;
- baseline, HermiT per request: one ``hipback.owl.reason`` call (a JVM run) over the ontology and
  that one case, the cost of answering a request with the reference reasoner.
Checks on the way that HermiT and the fast path give the same level for every request.

Writes bench/results/triage.md and bench/results/triage.json.
Usage: python bench/triage_bench.py [--runs N] [--hermit-runs N]
"""
from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

import rdflib  # noqa: E402

from hipback import config  # noqa: E402
from hipback.reasoner import Case, Knowledge, case_state, triage  # noqa: E402
from hipback.reasoner import hermit  # noqa: E402
from hipback.reasoner.rules import fire, level_of  # noqa: E402
from hipback.store import EmbeddedStore  # noqa: E402

DEV_CASES = ROOT.parent / "shared" / "reference" / "triage-dev-cases.json"
FIELDS = ("findings", "absent_findings", "duration_days", "severity", "age", "improving_with_home_care")


def requests_from_dev_cases() -> list[dict]:
    cases = json.loads(DEV_CASES.read_text(encoding="utf-8"))["cases"]
    out = []
    for case in cases:
        out.append({k: case[k] for k in FIELDS if k in case})
        out.append({"text": case["text"]})
    return out


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(samples), "p50_ms": round(pick(0.5) * 1000, 4), "p99_ms": round(pick(0.99) * 1000, 4),
            "mean_ms": round(statistics.fmean(samples) * 1000, 4)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "hipback.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hipback serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.02)
    process.terminate()
    raise RuntimeError("hipback serve did not answer /healthz within 60 s")


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="passes over the 24 requests in process")
    parser.add_argument("--http-runs", type=int, default=20, help="passes over the 24 requests over HTTP")
    parser.add_argument("--hermit-runs", type=int, default=1, help="passes over the 24 requests with HermiT")
    args = parser.parse_args()

    knowledge = Knowledge.load(EmbeddedStore())
    bodies = requests_from_dev_cases()
    states = [case_state(Case.from_dict(b), knowledge)[0] for b in bodies]

    for body in bodies:  # warm up
        triage(body, knowledge)
    in_process, rules_only = [], []
    for _ in range(args.runs):
        for body, state in zip(bodies, states):
            started = time.perf_counter()
            triage(body, knowledge)
            in_process.append(time.perf_counter() - started)
            started = time.perf_counter()
            fire(knowledge, state)
            rules_only.append(time.perf_counter() - started)

    process, url = start_server()
    try:
        over_http = []
        for body in bodies:
            post(url + "/api/triage", body)
        for _ in range(args.http_runs):
            for body in bodies:
                started = time.perf_counter()
                post(url + "/api/triage", body)
                over_http.append(time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(timeout=15)

    tbox = rdflib.Graph().parse(config.RELEASE_DIR / "hipback.nt", format="nt")
    with_hermit, mismatches = [], 0
    for _ in range(args.hermit_runs):
        for state in states:
            started = time.perf_counter()
            (rules,) = hermit.classify(knowledge, tbox, [state])
            with_hermit.append(time.perf_counter() - started)
            if hermit.level(knowledge, rules).rank != level_of(fire(knowledge, state)).rank:
                mismatches += 1

    figures = {
        "in_process": percentiles(in_process),
        "rules_only": percentiles(rules_only),
        "http": percentiles(over_http),
        "hermit_per_request": percentiles(with_hermit),
    }
    speedup = figures["hermit_per_request"]["p50_ms"] / figures["in_process"]["p50_ms"]
    speedup_http = figures["hermit_per_request"]["p50_ms"] / figures["http"]["p50_ms"]
    report = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "requests": len(bodies),
        "figures": figures,
        "speedup_p50_in_process_vs_hermit": round(speedup, 1),
        "speedup_p50_http_vs_hermit": round(speedup_http, 1),
        "level_mismatches_with_hermit": mismatches,
        "aims": {"in_process_p50_under_1ms": figures["in_process"]["p50_ms"] < 1.0, "at_least_1000x": speedup >= 1000},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "triage.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    rows = [
        ("in process: `triage()` (annotate, rules, rank, advice)", figures["in_process"]),
        ("in process: rules only (`rules.fire`)", figures["rules_only"]),
        ("HTTP: POST /api/triage (gunicorn, 1 worker)", figures["http"]),
        ("baseline: HermiT per request (one `reason()` call)", figures["hermit_per_request"]),
    ]
    lines = [
        "# Triage latency",
        "",
        f"Written by `bench/triage_bench.py`: {len(bodies)} requests (every dev case, from its fields and from its "
        "text alone), fast path and HermiT in the same run on the same machine "
        f"({report['machine']['processor']}, Python {report['machine']['python']}).",
        "",
        "| path | n | p50 ms | p99 ms | mean ms |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | {f['n']} | {f['p50_ms']} | {f['p99_ms']} | {f['mean_ms']} |" for name, f in rows],
        "",
        f"- in process vs HermiT per request (p50): **{speedup:,.0f}x** faster",
        f"- over HTTP vs HermiT per request (p50): **{speedup_http:,.0f}x** faster",
        f"- requests where HermiT and the fast path gave different levels: **{mismatches}**",
        f"- aims: p50 under 1 ms in process: {'met' if report['aims']['in_process_p50_under_1ms'] else 'NOT met'}; "
        f"at least 1000x faster than HermiT: {'met' if report['aims']['at_least_1000x'] else 'NOT met'}",
        "",
    ]
    (RESULTS / "triage.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
