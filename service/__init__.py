"""HipBack: the hip and lower back pain knowledge graph as a web service.

``create_app(config)`` builds the Flask app; the store is opened once, at start. The web
framework is imported there, not here: the core (reasoner, build, store, SPARQL guard and
workers) imports no Flask, so ``import hipback.reasoner`` works without it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"

DISCLAIMER = (
    "This is information from a public article about hip and lower back pain, not a diagnosis "
    "or medical advice. If you are worried, or unsure what to do, contact a doctor; in an "
    "emergency call your local emergency number."
)


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: settings from the environment, then ``test_config``."""
    from flask import Flask

    from . import config as _config
    from . import security
    from .store import open_store
    from .views import errors, register, sparql

    app = Flask(__name__)
    app.config.update(_config.from_env(test_config))
    app.json.sort_keys = False
    app.extensions["hipback.store"] = test_config.get("STORE_OBJECT") if test_config and test_config.get("STORE_OBJECT") else open_store(app.config)
    errors.init_app(app)
    sparql.install(app)  # innermost, so that the body reader and the host check come first
    security.init_app(app)

    register(app)
    return app


def get_store(app: Flask | None = None):
    """The store the app was started with."""
    from flask import current_app

    return (app or current_app).extensions["hipback.store"]
