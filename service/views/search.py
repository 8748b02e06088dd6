"""Search: the page (``/search?q=``) and the API (``/api/search``, ``/api/autocomplete``), forgiving of case,
word order and small typos, and finding terms by their codes."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from .. import pagedata
from ..errors import ApiError
from .support import answer, page_args, respond, search_index, term_index, text_arg
from .support import page as paged

bp = Blueprint("search", __name__)

SEARCH_LIMIT = 30

SEARCH_MAX_LENGTH = 500


@bp.get("/search", defaults={"suffix": ""})
@bp.get("/search<any('.json'):suffix>")
def page(suffix: str):
    q = request.args.get("q", "").strip()
    if len(q) > SEARCH_MAX_LENGTH:
        raise ApiError(400, f"q is longer than {SEARCH_MAX_LENGTH} characters.", field="q")
    index = term_index()
    hits = search_index().search(q)[:SEARCH_LIMIT] if q else []
    results = [{**pagedata.card(index, h.iri), "matched": h.text, "field": h.field,
                "kind": pagedata.node_kind(index, h.iri), "score": round(h.score, 3)}
               for h in hits if h.iri in index.terms]
    data = {"ok": True, "title": "Search", "q": q, "count": len(results), "results": results}
    return respond("search.html", data, suffix, "/search", search_query=q)


def _hits_page(find, default_limit: int, item, endpoint: str):
    """One page of what ``find(q)`` found for the ``q`` argument, each hit written by ``item(index, hit)``."""
    q = text_arg("q")
    limit, offset = page_args(default_limit)
    index = term_index()
    items = [item(index, h) for h in find(q)]
    body, headers = paged(items, limit, offset, endpoint)
    return answer({"query": q, **body}, headers=headers)


@bp.get("/api/search")
def api():
    return _hits_page(search_index().search, 20, lambda index, h: {
        **index.summary(index.terms[h.iri]), "score": round(h.score, 3),
        "matched": {"field": h.field, "text": h.text}}, "search.api")


@bp.get("/api/autocomplete")
def autocomplete():
    return _hits_page(search_index().autocomplete, 10, lambda index, h: {
        **asdict(index.ref(h.iri)), "matched": {"field": h.field, "text": h.text}}, "search.autocomplete")
