"""What every page shares, and no route of its own: the navigation, the template helpers, and error
answers as pages for a browser (the same status and message as the JSON error)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from .. import DISCLAIMER, codes, pagedata
from ..sparql import negotiation

bp = Blueprint("site", __name__)

NAV_LINKS = [
    ("home.home", "Home"),
    ("red_flags.page", "Red flags"),
    ("compare.page", "Compare"),
    ("triage.page", "Triage"),
    ("sources.page", "Sources"),
    ("sparql.query", "SPARQL"),
    ("queries.gallery", "Saved queries"),
]


@bp.app_context_processor
def _common() -> dict:
    index = current_app.extensions.get("hipback.terms")
    return {
        "disclaimer": DISCLAIMER,
        "nav_links": [(e, label) for e, label in NAV_LINKS if e in current_app.view_functions],
        "ontology_version": index.version if index is not None else None,
    }


@bp.app_template_global("page_url")
def _page_url(iri: str) -> str:
    return pagedata.page_url(iri)


@bp.app_template_global("mapping_url")
def _mapping_url(system: str, code: str) -> str:
    """The page listing the terms mapped to an external code (search finds terms by code)."""
    from flask import url_for

    return url_for("search.page", q=codes.curie(system, code))


@bp.app_template_filter("saved_query_data")
def _saved_query_data(queries) -> list[dict]:
    return [{"name": q.name, "title": q.title, "description": q.description, "sparql": q.text} for q in queries]


#: paths whose errors stay JSON whatever the client accepts (APIs, protocols, data files)
JSON_ONLY = ("/api", "/sparql", "/fhir", "/.well-known", "/openapi", "/static/", "/graph/", "/healthz")


def browser_wants_html() -> bool:
    """Whether the client names text/html in Accept and ranks it at least as high as JSON (a browser)."""
    ranges = negotiation.parse_accept(request.headers.get("Accept"))
    html = negotiation.quality(ranges, "text/html")
    return html[1] == 2 and html[0] > 0 and html[0] >= negotiation.quality(ranges, "application/json")[0]


@bp.after_app_request
def _html_errors(response: Response) -> Response:
    """A browser that follows a broken link to a page gets the error as a page (same status, same message);
    every other client, and every API or data path, keeps the one JSON error shape."""
    last = request.path.rsplit("/", 1)[-1]
    if (response.status_code < 400 or response.mimetype != "application/json" or request.method != "GET"
            or request.path.startswith(JSON_ONLY) or ("." in last and not last.endswith(".html"))
            or not browser_wants_html()):
        return response
    body = response.get_json(silent=True) or {}
    page = Response(render_template("error.html", error=body, status=response.status_code),
                    status=response.status_code, content_type="text/html; charset=utf-8")
    page.headers.add("Vary", "Accept")
    return page
