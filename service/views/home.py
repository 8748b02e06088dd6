"""The home page: what this is, search, the conditions and red flags at a glance (``/``, ``/index.json``)."""
from __future__ import annotations

from flask import Blueprint

from .. import pagedata
from .support import respond, term_index

bp = Blueprint("home", __name__)


@bp.get("/", defaults={"suffix": ""})
@bp.get("/index<any('.json'):suffix>")
def home(suffix: str):
    return respond("home.html", pagedata.home(term_index()), suffix, "/index")
