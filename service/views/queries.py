"""Saved queries: /api/queries lists them; /queries/<name> runs one (HTML, JSON or CSV); /queries is the
gallery, every query with its first rows.

``/queries/<name>.json`` and ``/queries/<name>.csv`` name the format in the URL; plain
``/queries/<name>`` negotiates by ``Accept`` (HTML for a browser). Each runs through the
same checks and bounds as /sparql.
"""
from __future__ import annotations

import json
import time

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for

from .. import vocab
from ..errors import ApiError
from ..sparql import negotiation, saved
from .sparql import run_query
from .support import respond, term_index

bp = Blueprint("queries", __name__)


@bp.after_request
def _vary(response: Response) -> Response:
    response.headers.add("Vary", "Accept")
    return response


PAGE_FORMATS = {vocab.HTML: "html", vocab.JSON: "json", vocab.CSV: "csv",
                "application/sparql-results+json": "json"}


def _entry(query: saved.SavedQuery) -> dict:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "url": url_for("queries.run", name=query.name, _external=True),
        "json": url_for("queries.run", name=query.name, suffix=".json", _external=True),
        "csv": url_for("queries.run", name=query.name, suffix=".csv", _external=True),
        "sparql": query.text,
    }


@bp.get("/api/queries")
def listing():
    queries = saved.all_saved()
    return jsonify({"ok": True, "count": len(queries), "queries": [_entry(q) for q in queries]})


def _rows(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    data = json.loads(body)
    if "boolean" in data:
        return ["result"], [{"result": "true" if data["boolean"] else "false"}]
    columns = data["head"]["vars"]
    rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    return columns, rows


@bp.get("/queries/<name>", defaults={"suffix": ""})
@bp.get("/queries/<name><any('.json', '.csv'):suffix>")
def run(name: str, suffix: str):
    query = saved.get(name)
    if query is None:
        abort(404, f"There is no saved query named {name!r}; /api/queries lists them.")
    if suffix:
        fmt = suffix[1:]
    else:
        fmt = negotiation.choose(request.headers.get("Accept"), PAGE_FORMATS)
        if fmt is None:
            raise ApiError(406, "A saved query is available as text/html, application/json and text/csv.")
    choice = negotiation.Choice("csv" if fmt == "csv" else "json", None)
    outcome = run_query(query.text, choice)
    if fmt == "csv":
        response = Response(outcome.body, content_type=outcome.content_type)
        response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
        return response
    columns, rows = _rows(outcome.body)
    if fmt == "json":
        return jsonify({"ok": True, "name": query.name, "title": query.title, "description": query.description,
                        "columns": columns, "rows": rows, "count": len(rows), "sparql": query.text})
    response = Response(
        render_template("saved_query.html", query=query, columns=columns, rows=rows),
        content_type="text/html; charset=utf-8",
    )
    response.headers["Link"] = (
        f'<{url_for("queries.run", name=name, suffix=".json")}>; rel="alternate"; type="application/json", '
        f'<{url_for("queries.run", name=name, suffix=".csv")}>; rel="alternate"; type="text/csv"'
    )
    return response


GALLERY_ROWS = 25

GALLERY = "hipback.gallery"

GALLERY_SECONDS = 60


@bp.get("/queries", defaults={"suffix": ""})
@bp.get("/queries<any('.json'):suffix>")
def gallery(suffix: str):
    """Every saved query with its first rows as a table (each runs through the /sparql checks and bounds)."""
    from ..sparql import runner

    # cached per content: the ontology version and the embedded store's digest (each update changes it); a
    # remote store can change behind the service's back, so its gallery is kept a minute at most
    run = runner.for_app(current_app)
    key = (term_index().version, getattr(run, "key", None) or int(time.monotonic() // GALLERY_SECONDS))
    cached = current_app.extensions.get(GALLERY)
    if cached is not None and cached[0] == key:
        return respond("gallery.html", cached[1], suffix, "/queries")
    entries, complete = [], True
    for query in saved.all_saved():
        entry = {"name": query.name, "title": query.title, "description": query.description,
                 "page": f"/queries/{query.name}", "sparql": query.text}
        try:
            outcome = run_query(query.text, negotiation.Choice("json", None))
            columns, rows = _rows(outcome.body)
            entry.update(columns=columns, rows=rows[:GALLERY_ROWS], count=len(rows))
        except ApiError as error:
            entry.update(columns=[], rows=[], count=0, error=error.message)
            complete = False  # a busy worker or a timeout is not kept
        entries.append(entry)
    data = {"ok": True, "title": "Saved queries", "shown_rows": GALLERY_ROWS, "queries": entries}
    if complete:
        current_app.extensions[GALLERY] = (key, data)
    return respond("gallery.html", data, suffix, "/queries")
