"""Red flags: the page (why each matters, what to do, its source) and the list in the API."""
from __future__ import annotations

from flask import Blueprint

from .. import pagedata
from .support import respond, term_index
from .terms import listing

bp = Blueprint("red_flags", __name__)


@bp.get("/red-flags", defaults={"suffix": ""})
@bp.get("/red-flags<any('.json'):suffix>")
def page(suffix: str):
    return respond("red_flags.html", pagedata.red_flags(term_index()), suffix, "/red-flags")


@bp.get("/api/red-flags")
def api():
    return listing("red-flags", "red_flags.api")
