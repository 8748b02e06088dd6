"""FHIR R4: /fhir/CodeSystem/hipback, /fhir/ConceptMap/<id>, /fhir/CodeSystem/$lookup, /fhir/metadata.

Answers are ``application/fhir+json`` (``application/json`` when asked for it). Errors keep
the service's one JSON error shape.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import fhir
from ..errors import ApiError
from ..sparql import negotiation
from .support import term_index, text_arg

bp = Blueprint("fhir", __name__)

FHIR_TYPES = {"application/fhir+json": "application/fhir+json", "application/json": "application/json"}


def _resource(data: dict):
    chosen = negotiation.choose(request.headers.get("Accept"), FHIR_TYPES)
    if chosen is None:
        raise ApiError(406, "FHIR resources are available as application/fhir+json and application/json.")
    response = jsonify(data)
    response.mimetype = chosen
    response.headers.add("Vary", "Accept")
    return response


@bp.get("/fhir/CodeSystem/hipback")
def code_system():
    return _resource(fhir.code_system(term_index()))


@bp.get("/fhir/ConceptMap/<map_id>")
def concept_map(map_id: str):
    if map_id not in fhir.CONCEPT_MAPS:
        raise ApiError(404, f"There is no ConceptMap {map_id!r}; there are {', '.join(fhir.CONCEPT_MAPS)}.")
    return _resource(fhir.concept_map(term_index(), map_id))


@bp.get("/fhir/CodeSystem/$lookup")
def lookup():
    system = text_arg("system", max_length=300)
    code = text_arg("code", max_length=100)
    wanted = text_arg("version", required=False, max_length=50)
    index = term_index()
    if wanted and system == fhir.SYSTEM and wanted != fhir.version(index):
        raise ApiError(404, f"This server holds version {fhir.version(index)} of {system}, not {wanted!r}.",
                       field="version")
    result = fhir.lookup(index, system, code)
    if result is None:
        raise ApiError(404, f"The code {code!r} is not known in {system!r} here.", field="code")
    return _resource(result)


@bp.get("/fhir/metadata")
def metadata():
    return _resource(fhir.capability_statement(term_index()))
