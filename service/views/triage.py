"""The triage reasoner over HTTP: POST /api/triage, POST /api/annotate, GET /api/findings.

The knowledge is compiled from the store once, when the blueprint is registered (app start), and
kept in ``app.extensions["hipback.knowledge"]``. Client mistakes answer 400 in the one error shape,
naming the field at fault.
"""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from .. import get_store
from ..errors import ApiError
from ..reasoner import Case, CaseError, Knowledge, annotate, triage

bp = Blueprint("triage", __name__)
EXTENSION = "hipback.knowledge"


@bp.record_once
def _compile(state) -> None:
    app = state.app
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = Knowledge.load(get_store(app))


def get_knowledge(app=None) -> Knowledge:
    return (app or current_app).extensions[EXTENSION]


def _body() -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.mimetype not in ("application/json", "") and not request.mimetype.endswith("+json"):
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
