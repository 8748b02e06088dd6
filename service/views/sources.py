"""The sources: the article (quoted) and the guidelines, reviews and medicines references (paraphrased),
each with what rests on it; as a page and in the API."""
from __future__ import annotations

from flask import Blueprint

from .. import get_store, pagedata
from .support import answer, respond, term_index

bp = Blueprint("sources", __name__)


def _data() -> dict:
    return pagedata.sources(term_index(), get_store().select("sources"))


@bp.get("/sources", defaults={"suffix": ""})
@bp.get("/sources<any('.json'):suffix>")
def page(suffix: str):
    """Every source the ontology rests on (the article, guidelines, reviews, medicines references), with
    what rests on each."""
    return respond("sources.html", _data(), suffix, "/sources")


@bp.get("/api/sources")
def api():
    """Every source document (the article, guidelines, reviews, medicines references) with what rests on each."""
    return answer(_data())
