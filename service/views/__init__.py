"""One blueprint per resource, each serving that resource's HTML and JSON; this table is the whole routing surface, and ``CORS_RESOURCES`` says
which of it other origins may read (Flask-CORS)."""
from __future__ import annotations

from importlib import import_module

from flask import Flask
from flask_cors import CORS

#: path pattern -> Flask-CORS options. Everything here is public, read-only data (updates need a token, sent
#: in a header a browser only sends when the page's own script adds it), so any origin may read it.
CORS_RESOURCES = {
    r"^/sparql$": {"methods": ["GET", "HEAD", "POST", "OPTIONS"],
                   "allow_headers": ["Accept", "Authorization", "Content-Type"],
                   "expose_headers": ["Content-Type", "Retry-After"]},
    r"^/sparql/update$": {"methods": ["POST", "OPTIONS"], "allow_headers": ["Accept", "Authorization", "Content-Type"],
                          "expose_headers": ["Content-Type", "Retry-After"]},
    r"^/\.well-known/void$": {"methods": ["GET", "HEAD", "OPTIONS"], "allow_headers": ["Accept"],
                              "expose_headers": ["Content-Type"]},
    r"^/(api|fhir|queries|downloads)(/.*)?$|^/(term|releases)/.*|^/hipback\.owl$|^/openapi\.json$": {
        "methods": ["GET", "HEAD", "POST", "OPTIONS"], "allow_headers": ["Accept", "Content-Type", "If-None-Match"],
        "expose_headers": ["ETag", "Link", "Location", "Content-Type"]},
}

#: module name under service.views -> URL prefix ("" for the root)
BLUEPRINTS = [
    ("health", ""),
    ("sparql", ""),
    ("queries", ""),
    ("triage", ""),
    ("site", ""),
    ("home", ""),
    ("search", ""),
    ("red_flags", ""),
    ("sources", ""),
    ("compare", ""),
    ("terms", ""),
    ("downloads", ""),
    ("api", ""),
    ("fhir", ""),
]


def register(app: Flask) -> None:
    CORS(app, resources=CORS_RESOURCES, origins="*", send_wildcard=True, max_age=86400, vary_header=False)
    for module_name, prefix in BLUEPRINTS:
        module = import_module(f"{__name__}.{module_name}")
        app.register_blueprint(module.bp, url_prefix=prefix or None)
