"""One blueprint per resource; this table is the whole routing surface."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

#: module name under service.views -> URL prefix ("" for the root)
BLUEPRINTS = [
    ("health", ""),
    ("sparql", ""),
    ("queries", ""),
    ("triage", ""),
    ("pages", ""),
    ("terms", ""),
    ("api", ""),
    ("fhir", ""),
]


def register(app: Flask) -> None:
    for module_name, prefix in BLUEPRINTS:
        module = import_module(f"{__name__}.{module_name}")
        app.register_blueprint(module.bp, url_prefix=prefix or None)
