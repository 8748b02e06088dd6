"""Settings and the paths of the project's files.

Every setting has a default here and can be overridden by an environment variable of
the same name prefixed ``HIPBACK_`` or by the mapping given to ``create_app``.
docs/settings.md describes each one; a test fails when a setting has no entry there.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from . import vocab

def _package_folder(name: str) -> Path:
    """The folder of a data package of hipback. Installed packages are folders on disk (pip's way; a
    zipped install is not supported), so the resource is a real path."""
    return Path(str(files(name)))


#: What the service reads at run time, inside the installed package: the ontology's source and
#: release files (hipback.ontology, the repository's ontology/) and the SPARQL files (hipback.queries,
#: the repository's queries/).
ONTOLOGY_DIR = _package_folder("hipback.ontology")
SOURCE_TTL = ONTOLOGY_DIR / "hipback-edit.ttl"
RELEASE_DIR = ONTOLOGY_DIR / "release"
QUERIES_DIR = _package_folder("hipback.queries")
#: The repository, for the developer commands that write into it (hipback trace) and read the article
#: beside it; nothing the service serves is read from here.
ROOT = Path(os.environ.get("HIPBACK_ROOT", ONTOLOGY_DIR.parent))
ARTICLE = ROOT.parent / "shared" / "source" / "hip-pain-and-lower-back-pain.txt"

#: The permanent namespace: every term IRI is BASE + local name (docs/iri-policy.md).
BASE = vocab.HB
ONTOLOGY_IRI = BASE + "hipback.owl"
ASSERTED_GRAPH = BASE + "graph/asserted"
INFERRED_GRAPH = BASE + "graph/inferred"

DEFAULTS: dict[str, object] = {
    # "embedded" (pyoxigraph, in process) or the URL of a SPARQL 1.1 query endpoint.
    "STORE": "embedded",
    # URL of the remote store's update endpoint, for `hipback load --endpoint`.
    "STORE_UPDATE_URL": "",
    # Seconds a /sparql query may run before it is stopped and answered 503.
    "QUERY_TIMEOUT": 5.0,
    # Most result rows (or triples) a /sparql answer may hold.
    "MAX_RESULTS": 10000,
    # Most bytes a /sparql answer may hold.
    "MAX_ANSWER_BYTES": 20_000_000,
    # Address-space cap of each query worker, in MB (0: no cap).
    "QUERY_MEMORY": 1024,
    # Largest request body accepted, in bytes.
    "MAX_BODY": 1_000_000,
    # Number of query worker processes for /sparql (per web worker); 0: one per core.
    "QUERY_WORKERS": 0,
    # More query workers kept for queries whose shape ran fast before (a lane runaway queries cannot take).
    "QUERY_LIGHT_WORKERS": 1,
    # Seconds a /sparql request waits for a free query worker before it is answered 503 (at most QUERY_TIMEOUT).
    "QUEUE_WAIT": 3.0,
    # Most /sparql requests waiting for a query worker at once (per web worker); one more is answered 503.
    "QUERY_MAX_WAITING": 256,
    # Bearer token that enables SPARQL Update at /sparql/update; empty disables updates.
    "UPDATE_TOKEN": "",
    # Wrong update tokens a client may send per minute (per web worker) before it is answered 429.
    "UPDATE_AUTH_FAILURES": 10,
    # Whether /sparql/update may change the ontology's asserted and inferred graphs.
    "UPDATE_RELEASE_GRAPHS": False,
    # Endpoints a SERVICE clause may call, separated by spaces; empty refuses every SERVICE.
    "SERVICE_ALLOWLIST": "",
    # Public base URL of this deployment: every absolute URL the service writes starts with it.
    "PUBLIC_URL": "",
    # Without PUBLIC_URL, the host names a request may be addressed to (others get 400); "*" allows any.
    "ALLOWED_HOSTS": "localhost 127.0.0.1 ::1",
    # Base IRI for relative IRIs in /sparql queries and updates; empty means the ontology namespace.
    "SPARQL_BASE": "",
}


def from_env(overrides: dict | None = None) -> dict:
    """The settings: defaults, then HIPBACK_* environment variables, then ``overrides``."""
    settings = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get("HIPBACK_" + key)
        if raw is None:
            continue
        if isinstance(default, bool):
            settings[key] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            settings[key] = type(default)(raw) if not isinstance(default, str) else raw
    settings.update(overrides or {})
    return settings
