"""``hipback serve`` over N-Triples files other than the installed release (the benchmarks' larger graph):
the same gunicorn server, settings and hardening (``hipback.cli.serve_app``), each web worker's store loaded
from the files given, each into its named graph.

    python bench/serve_files.py PORT WORKERS TIMEOUT FILE=GRAPH [FILE=GRAPH ...]
"""
from __future__ import annotations

import sys
from pathlib import Path

from hipback import create_app
from hipback.cli import serve_app
from hipback.store import EmbeddedStore


def main() -> None:
    port, workers, timeout = (int(a) for a in sys.argv[1:4])
    files = [(Path(path), graph) for path, _, graph in (a.partition("=") for a in sys.argv[4:])]
    serve_app("127.0.0.1", port, workers, timeout=timeout,
              factory=lambda: create_app({"STORE_OBJECT": EmbeddedStore(files)}))


if __name__ == "__main__":
    main()
