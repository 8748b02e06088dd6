"""Conditions side by side: shared and distinguishing findings (``/compare?c=A&c=B``, ``/compare.json``)."""
from __future__ import annotations

from flask import Blueprint, request

from .. import pagedata
from ..errors import ApiError
from .support import respond, term_index, wants_json

bp = Blueprint("compare", __name__)


@bp.get("/compare", defaults={"suffix": ""})
@bp.get("/compare<any('.json'):suffix>")
def page(suffix: str):
    index = term_index()
    asked = [c for c in request.args.getlist("c") if c.strip()]
    chosen, error = [], None
    for identifier in asked:
        term = index.resolve(identifier)
        if term is None or term.iri not in index.descendants(pagedata.CONDITION):
            error = f"{identifier!r} is not a condition of the ontology; choose from the list."
            break
        if term.iri not in chosen:
            chosen.append(term.iri)
    if error is None and len(asked) > 1 and len(chosen) < 2:
        error = "Choose at least two different conditions to compare."
    if error and wants_json(suffix):
        raise ApiError(400, error, field="c")
    data = pagedata.compare(index, chosen if not error and len(chosen) > 1 else [])
    if len(chosen) == 1 and not error:  # one condition: the form, with it chosen first
        data["compared"] = [{"iri": chosen[0], "curie": index.terms[chosen[0]].curie, "label": index.label(chosen[0])}]
    return respond("compare.html", data, suffix, "/compare", status=400 if error else 200, error=error,
                   asked=asked)
