"""The pages people read: home, search, red flags, compare, triage, the query gallery, and the graph data.

Every page is server-rendered HTML whose content works without JavaScript, and the same
URL with ``.json`` (or ``Accept: application/json``) gives the page's data; each HTML
answer names its JSON with ``Link: <...>; rel="alternate"``. The data comes from
service/pagedata.py; this module only chooses the format and renders.
"""
from __future__ import annotations

import time
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import DISCLAIMER, pagedata
from ..errors import ApiError
from ..sparql import negotiation
from .support import search_index, term_index

bp = Blueprint("pages", __name__)

PAGE_FORMATS = {"text/html": "html", "application/xhtml+xml": "html", "application/json": "json"}

NAV_LINKS = [
    ("pages.home", "Home"),
    ("pages.red_flags", "Red flags"),
    ("pages.compare", "Compare"),
    ("pages.triage", "Triage"),
    ("pages.sources", "Sources"),
    ("sparql.query", "SPARQL"),
    ("pages.gallery", "Saved queries"),
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

    return url_for("pages.search", q=code if system == "HP" else f"{system}:{code}")


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


def wants_json(suffix: str) -> bool:
    if suffix == ".json":
        return True
    choice = negotiation.choose(request.headers.get("Accept"), PAGE_FORMATS)
    if choice is None:
        raise ApiError(406, "This page is available as text/html and application/json.")
    return choice == "json"


def _query() -> str:
    """The request's query, parsed and encoded again (never the raw bytes: a Link header holds it)."""
    return urlencode(list(request.args.items(multi=True)))


def json_url(path: str) -> str:
    query = _query()
    return path + ".json" + (f"?{query}" if query else "")


def respond(template: str, data: dict, suffix: str, json_path: str, status: int = 200, **context) -> Response:
    """The page as HTML or as JSON, with the alternate named in a Link header."""
    alternate = json_url(json_path)
    if wants_json(suffix):
        response = jsonify(data)
        query = _query()
        html = (quote(request.path) + (f"?{query}" if query else "")).replace(
            json_path + ".json", json_path if json_path != "/index" else "/", 1)
        response.headers["Link"] = f'<{html}>; rel="alternate"; type="text/html"'
    else:
        response = Response(render_template(template, data=data, alternate_json=alternate, **context),
                            content_type="text/html; charset=utf-8")
        response.headers["Link"] = f'<{alternate}>; rel="alternate"; type="application/json"'
    response.status_code = status
    response.headers.add("Vary", "Accept")
    return response


@bp.get("/", defaults={"suffix": ""})
@bp.get("/index<any('.json'):suffix>")
def home(suffix: str):
    return respond("home.html", pagedata.home(term_index()), suffix, "/index")


@bp.get("/red-flags", defaults={"suffix": ""})
@bp.get("/red-flags<any('.json'):suffix>")
def red_flags(suffix: str):
    return respond("red_flags.html", pagedata.red_flags(term_index()), suffix, "/red-flags")


@bp.get("/sources", defaults={"suffix": ""})
@bp.get("/sources<any('.json'):suffix>")
def sources(suffix: str):
    """Every source the ontology rests on (the article, guidelines, reviews, medicines references), with
    what rests on each."""
    from .. import get_store

    return respond("sources.html", pagedata.sources(term_index(), get_store().select("sources")), suffix, "/sources")


@bp.get("/compare", defaults={"suffix": ""})
@bp.get("/compare<any('.json'):suffix>")
def compare(suffix: str):
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


SEARCH_LIMIT = 30
SEARCH_MAX_LENGTH = 500


@bp.get("/search", defaults={"suffix": ""})
@bp.get("/search<any('.json'):suffix>")
def search(suffix: str):
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


@bp.get("/graph/<name>.json")
def graph(name: str):
    index = term_index()
    term = index.resolve(name)
    if term is None:
        raise ApiError(404, f"There is no term {name!r}.")
    return jsonify(pagedata.graph(index, term.iri))


GALLERY_ROWS = 25
GALLERY = "hipback.gallery"
GALLERY_SECONDS = 60


@bp.get("/queries", defaults={"suffix": ""})
@bp.get("/queries<any('.json'):suffix>")
def gallery(suffix: str):
    """Every saved query with its first rows as a table (each runs through the /sparql checks and bounds)."""
    from ..sparql import runner, saved
    from .queries import _rows
    from .sparql import run_query

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


IMPROVING = {"yes": True, "no": False}
#: The prefix of the interview's answer fields in the triage form.
ANSWER = "answer-"


def case_from_args(args) -> dict:
    """The triage form's GET parameters as the reasoner's case (the keys of POST /api/triage)."""
    case: dict = {}
    findings = [f.strip() for f in args.getlist("finding") if f.strip()]
    absent = [f.strip() for f in args.getlist("absent") if f.strip()]
    # the interview's checklist: answer-<Name>=yes|no for the question on the finding hb:<Name>
    for key in sorted(k for k in args if k.startswith(ANSWER)):
        name, answer = key[len(ANSWER):], args.get(key, "").strip().lower()
        if not answer:
            continue  # not sure: the question stays open
        if answer not in IMPROVING or not name.isalnum():
            raise ApiError(400, f"an answer is yes, no or empty, for a finding's name; got {key}={answer!r}",
                           field="findings")
        target = findings if IMPROVING[answer] else absent
        if f"hb:{name}" not in target:
            target.append(f"hb:{name}")
    if findings:
        case["findings"] = findings
    if absent:
        case["absent_findings"] = absent
    text = args.get("text", "").strip()
    if text:
        case["text"] = text
    for name in ("duration_days", "severity", "age", "pregnancy_weeks"):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        try:
            case[name] = int(raw)
        except ValueError:
            raise ApiError(400, f"must be a whole number, not {raw!r}", field=name) from None
    improving = args.get("improving", "").strip().lower()
    if improving:
        if improving not in IMPROVING:
            raise ApiError(400, "must be yes or no (or left empty)", field="improving_with_home_care")
        case["improving_with_home_care"] = IMPROVING[improving]
    return case


@bp.get("/triage", defaults={"suffix": ""})
@bp.get("/triage<any('.json'):suffix>")
def triage(suffix: str):
    """The triage form (GET, so that the URL carries the case) and, when a case is given, its answer."""
    index = term_index()
    data = {"ok": True, "title": "Check a case", "case": None, "result": None}
    error, status = None, 200
    try:
        case = case_from_args(request.args)
        if case:
            data["case"] = case
            data["result"] = run_triage(case)
            data["cautions"] = pagedata.cautions(data["result"])
    except ApiError as exc:
        if wants_json(suffix):
            raise
        error, status = exc, exc.status
    form = pagedata.triage_form(index, request.args.getlist("finding"), request.args.getlist("absent"))
    return respond("triage.html", data, suffix, "/triage", status=status, error=error, form=form,
                   args=request.args)


def run_triage(case: dict) -> dict:
    """The reasoner's answer for a case, the same JSON as POST /api/triage; a bad field is a 400."""
    from ..reasoner import Case, CaseError, triage
    from .triage import get_knowledge

    try:
        return triage(Case.from_dict(case), get_knowledge()).to_dict()
    except CaseError as error:
        raise ApiError(400, error.message, field=error.field) from None
