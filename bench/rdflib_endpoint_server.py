"""rdflib-endpoint (the Python peer) serving N-Triples files as named graphs, default graph the union.

Usage: python bench/rdflib_endpoint_server.py PORT FILE=GRAPH [FILE=GRAPH ...]
"""
from __future__ import annotations

import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    port = int(sys.argv[1])
    dataset = rdflib.Dataset(default_union=True)
    for spec in sys.argv[2:]:
        path, graph = spec.split("=", 1)
        dataset.graph(rdflib.URIRef(graph)).parse(path, format="nt")
    app = SparqlEndpoint(graph=dataset, public_url=f"http://127.0.0.1:{port}/")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
