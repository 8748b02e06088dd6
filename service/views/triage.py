"""Triage: POST /api/triage, POST /api/annotate, GET /api/findings, and the page /triage (the form and
its answer, the same JSON as POST /api/triage).

The knowledge is compiled from the store once, when the blueprint is registered (app start), and
kept in ``app.extensions["hipback.knowledge"]``. Client mistakes answer 400 in the one error shape,
naming the field at fault.
"""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from .. import get_store, pagedata, vocab
from ..errors import ApiError
from ..reasoner import Case, CaseError, Knowledge, annotate, triage
from .support import respond, term_index, wants_json

bp = Blueprint("triage", __name__)
EXTENSION = "hipback.knowledge"


@bp.record_once
def _compile(state) -> None:
    app = state.app
    if EXTENSION not in app.extensions:
        # one index of the ontology per app: the reasoner builds on the term index's statements
        app.extensions[EXTENSION] = Knowledge.load(get_store(app), term_index(app))


def get_knowledge(app=None) -> Knowledge:
    return (app or current_app).extensions[EXTENSION]


def _body() -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.mimetype not in (vocab.JSON, "") and not request.mimetype.endswith("+json"):
        raise ApiError(415, f"The body must be JSON (Content-Type: application/json), not {request.mimetype}.",
                       field="body")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}", field="body") from None
    except RecursionError:
        raise ApiError(400, "The body nests arrays or objects too deeply to read.", field="body") from None
    if data is None:  # JSON null: no fields, as an empty body (the description allows it)
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", field="body")
    return data


@bp.post("/api/triage")
def triage_case():
    try:
        case = Case.from_dict(_body())
        result = triage(case, get_knowledge())
    except CaseError as exc:
        raise ApiError(400, exc.message, field=exc.field) from None
    return jsonify({"ok": True, **result.to_dict()})


@bp.post("/api/annotate")
def annotate_text():
    data = _body()
    unknown = sorted(set(data) - {"text"})
    if unknown:
        raise ApiError(400, "unknown field; /api/annotate takes only 'text'", field=unknown[0])
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, "text is required and must be a string", field="text")
    try:
        Case.from_dict({"text": text})
    except CaseError as exc:
        raise ApiError(400, exc.message, field=exc.field) from None
    return jsonify({"ok": True, "text": text, **annotate(text, get_knowledge()).to_dict()})


@bp.get("/api/findings")
def findings():
    knowledge = get_knowledge()
    items = []
    for iri in sorted(knowledge.findings, key=knowledge.label):
        term = knowledge.term(iri)
        parents = sorted(a for a in knowledge.ancestors.get(iri, ()) if a in knowledge.findings)
        items.append({
            "iri": iri,
            "label": term.label,
            "synonyms": term.alt_labels,
            "absence_phrases": term.absence_labels,
            "red_flag": iri in knowledge.red_flags,
            "broader": [{"iri": p, "label": knowledge.label(p)} for p in parents],
            "definition": term.note("definition"),
        })
    return jsonify({"ok": True, "count": len(items), "ontology_version": knowledge.version, "findings": items})


# -- the page: the form (GET, so that the URL carries the case) and its answer -----------------------

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
def page(suffix: str):
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
    try:
        return triage(Case.from_dict(case), get_knowledge()).to_dict()
    except CaseError as error:
        raise ApiError(400, error.message, field=error.field) from None
