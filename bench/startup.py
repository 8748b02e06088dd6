"""Cold start of `hipback serve` to its first /healthz answer, store load, and build time.

Each figure is compared with a baseline measured in the same run on the same machine:

- cold start: `hipback serve` (gunicorn, one worker) against a bare Flask app with a
  constant /healthz served by the same gunicorn, both timed from process start to the
  first 200 from /healthz;
- store load: the release N-Triples into pyoxigraph (what the service does at start)
  against the same files into rdflib;
- build: `hipback build` (parse, HermiT, QC, write every release file) against HermiT alone on the
  same source, and a bare JVM start (`java -version`) as the floor.

Writes bench/results/startup.md and bench/results/startup.json.
Usage: python bench/startup.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from hipback import build as hipback_build  # noqa: E402
from hipback import config, owl  # noqa: E402
from hipback.store import release_files  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cold_start(command: list[str], port: int, cwd: Path) -> float:
    """Seconds from spawning ``command`` to the first 200 from /healthz."""
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{command[:4]} did not answer within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=15)


def hipback_command(port: int) -> list[str]:
    return [sys.executable, "-m", "hipback.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--chdir", str(ROOT / "bench"), "bare_app:app"]


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def load_pyoxigraph():
    from hipback.store import EmbeddedStore

    store = EmbeddedStore()
    assert store.triple_count() > 0


def load_rdflib():
    import rdflib

    dataset = rdflib.Dataset()
    for path, graph in release_files():
        dataset.graph(rdflib.URIRef(graph)).parse(path, format="nt")
    assert len(dataset) > 0


def build_once():
    with tempfile.TemporaryDirectory(prefix="hipback-bench-") as tmp:
        hipback_build.build(config.SOURCE_TTL, Path(tmp))


def _asserted():
    return hipback_build.with_obo(hipback_build.load_source())


def canonical_once(graph):
    """What the build does to name blank nodes: W3C RDFC-1.0 by pyoxigraph (artifacts.canonical)."""
    from hipback import artifacts

    artifacts.canonical(graph)


def canonical_rdflib_once(graph):
    """The baseline: rdflib's canonical labels (rdflib.compare.to_canonical_graph), what the build used before."""
    from rdflib.compare import to_canonical_graph

    to_canonical_graph(graph)


def hermit_once():
    assert owl.reason(hipback_build.load_source()).consistent


def jvm_once():
    subprocess.run(["java", "-version"], capture_output=True, check=True)


def summary(times: list[float]) -> dict:
    return {
        "runs": len(times),
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs

    results: dict[str, dict] = {}
    # Interleave the two servers so that drift on the machine hits both alike.
    hip, bare = [], []
    for _ in range(runs):
        port = free_port()
        hip.append(cold_start(hipback_command(port), port, ROOT))
        port = free_port()
        bare.append(cold_start(bare_command(port), port, ROOT))
    results["cold_start_hipback_serve"] = summary(hip)
    results["cold_start_bare_flask_baseline"] = summary(bare)
    results["store_load_pyoxigraph"] = summary(timed(load_pyoxigraph, runs))
    results["store_load_rdflib_baseline"] = summary(timed(load_rdflib, runs))
    results["build"] = summary(timed(build_once, runs))
    results["hermit_only_baseline"] = summary(timed(hermit_once, runs))
    results["jvm_start_floor"] = summary(timed(jvm_once, runs))
    graph = _asserted()
    results["canonical_rdfc"] = summary(timed(lambda: canonical_once(graph), runs))
    # the baseline takes about 40 s a run: one run is enough to see the ratio
    results["canonical_rdflib_baseline"] = summary(timed(lambda: canonical_rdflib_once(graph), 1))

    asserted = len((config.RELEASE_DIR / "hipback.nt").read_text(encoding="utf-8").splitlines())
    inferred = len((config.RELEASE_DIR / "hipback-inferred.nt").read_text(encoding="utf-8").splitlines())
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "triples_asserted": asserted,
        "triples_inferred": inferred,
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "startup.md").write_text(render(meta, results))
    print((RESULTS / "startup.md").read_text())


def render(meta: dict, r: dict) -> str:
    def med(key):
        return r[key]["median_s"]

    def row(what, key, baseline_key=None):
        ratio = f"{med(key) / med(baseline_key):.2f}x" if baseline_key else ""
        return f"| {what} | {med(key) * 1000:.0f} | {r[key]['min_s'] * 1000:.0f}-{r[key]['max_s'] * 1000:.0f} | {ratio} |"

    lines = [
        "# Startup and build",
        "",
        f"Measured by `make bench` (`bench/startup.py`) on {meta['measured_at']}: Python {meta['python']}, "
        f"{meta['machine']}, {meta['cpus']} CPUs; release of {meta['triples_asserted']} asserted + "
        f"{meta['triples_inferred']} inferred triples; {r['build']['runs']} runs each, median and range in ms. "
        "Ratios are against the baseline measured in the same run.",
        "",
        "| what | median ms | range ms | vs baseline |",
        "|---|---:|---:|---:|",
        row("cold start: `hipback serve` (gunicorn, 1 worker) to first `/healthz` 200", "cold_start_hipback_serve",
            "cold_start_bare_flask_baseline"),
        row("baseline: bare Flask app, constant `/healthz`, same gunicorn", "cold_start_bare_flask_baseline"),
        row("store load: release N-Triples into pyoxigraph (what the service does)", "store_load_pyoxigraph",
            "store_load_rdflib_baseline"),
        row("baseline: the same files into rdflib", "store_load_rdflib_baseline"),
        row("`hipback build` (parse, HermiT, QC, every release file)", "build", "hermit_only_baseline"),
        row("baseline: HermiT alone on the source (one JVM)", "hermit_only_baseline", "jvm_start_floor"),
        row("floor: `java -version`", "jvm_start_floor"),
        row("blank-node canonicalisation of the asserted release (RDFC-1.0, pyoxigraph; what the build does)",
            "canonical_rdfc", "canonical_rdflib_baseline"),
        row("baseline: rdflib's canonical labels on the same graph (what the build did before; 1 run)",
            "canonical_rdflib_baseline"),
        "",
        "Raw figures: [startup.json](startup.json).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
