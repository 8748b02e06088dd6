"""GET /healthz: liveness, with the ontology version and the triple count."""
from __future__ import annotations

import time

from flask import Blueprint, jsonify

from .. import __version__, get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    store = get_store()
    started = time.perf_counter()
    count = store.triple_count()
    return jsonify(
        {
            "ok": True,
            "service": "hipback",
            "version": __version__,
            "store": store.kind,
            "ontology_version": store.version_iri(),
            "triples": count,
            "query_ms": round((time.perf_counter() - started) * 1000, 3),
        }
    )
