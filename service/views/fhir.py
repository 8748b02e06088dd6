"""FHIR R4 terminology: the CodeSystem and ConceptMaps, read and searched, and the operations
terminology clients call.

- ``GET /fhir/CodeSystem/hipback``, ``GET /fhir/CodeSystem?url=...`` (a searchset Bundle);
- ``GET /fhir/ConceptMap/<id>``, ``GET /fhir/ConceptMap?source-system=...&target-system=...``;
- ``CodeSystem/$lookup``, ``CodeSystem/$validate-code`` (also on ``CodeSystem/hipback``) and
  ``ConceptMap/$translate`` (also on ``ConceptMap/<id>``): GET with query parameters, or POST
  with a ``Parameters`` resource;
- ``GET /fhir/metadata``: the CapabilityStatement.

Answers are ``application/fhir+json`` (``application/json`` when asked for it). Errors under
/fhir are ``OperationOutcome`` resources with the HTTP status (errors.register_shape).
"""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from .. import fhir, vocab
from ..errors import ApiError
from ..search import FHIR_SYSTEMS_BY_URL
from ..sparql import negotiation
from .errors import register_shape
from .support import term_index

bp = Blueprint("fhir", __name__)

FHIR_TYPES = {vocab.FHIR_JSON: vocab.FHIR_JSON, vocab.JSON: vocab.JSON}
#: the most values one operation parameter takes, and the longest value
MAX_VALUES, MAX_LENGTH = 20, 300


@bp.record_once
def _errors_as_operation_outcomes(state) -> None:
    register_shape(state.app, "/fhir", lambda status, message, field: (
        fhir.operation_outcome(status, message, field), vocab.FHIR_JSON))


def _resource(data: dict):
    chosen = negotiation.choose(request.headers.get("Accept"), FHIR_TYPES)
    if chosen is None:
        raise ApiError(406, "FHIR resources are available as application/fhir+json and application/json.")
    response = jsonify(data)
    response.mimetype = chosen
    response.headers.add("Vary", "Accept")
    return response


# -- operation parameters: the query string, or a Parameters resource in the body ----------------

def _parameters() -> dict[str, list]:
    """Parameter name -> values. GET: the query string. POST: a ``Parameters`` resource, each
    parameter's ``value[x]`` (a ``valueCoding`` stays a dict)."""
    if request.method in ("GET", "HEAD"):
        found: dict[str, list] = {}
        for name, value in request.args.items(multi=True):
            found.setdefault(name, []).append(value)
    else:
        if request.mimetype not in FHIR_TYPES:
            raise ApiError(415, "POST a Parameters resource as application/fhir+json (or application/json).")
        try:
            body = json.loads(request.get_data(cache=True) or b"null")
        except (ValueError, UnicodeDecodeError):
            body = None
        except RecursionError:
            raise ApiError(400, "The body nests arrays or objects too deeply to read.") from None
        if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
            raise ApiError(400, "The body must be a FHIR Parameters resource (resourceType: Parameters).")
        items = body.get("parameter", [])
        if not isinstance(items, list):
            raise ApiError(400, "Parameters.parameter must be a list.", field="parameter")
        found = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ApiError(400, "Each Parameters.parameter needs a name.", field="parameter")
            values = [v for k, v in item.items() if k.startswith("value")]
            if len(values) != 1:
                raise ApiError(400, f"The parameter {item['name']!r} needs exactly one value[x].", field=item["name"])
            found.setdefault(item["name"], []).append(values[0])
    for name, values in found.items():
        if len(values) > MAX_VALUES:
            raise ApiError(400, f"At most {MAX_VALUES} values of {name!r}.", field=name)
    return found


def _text(params: dict, name: str, required: bool = False) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(400, f"The parameter {name!r} is given more than once.", field=name)
    value = values[0] if values else None
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"The parameter {name!r} must be a string.", field=name)
    value = value.strip() if value else None
    if required and not value:
        raise ApiError(400, f"The parameter {name!r} is required.", field=name)
    if value and len(value) > MAX_LENGTH:
        raise ApiError(400, f"{name} is longer than {MAX_LENGTH} characters.", field=name)
    return value


def _boolean(params: dict, name: str) -> bool:
    value = params.get(name, [False])[-1]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ApiError(400, f"The parameter {name!r} must be true or false.", field=name)


def _coding(params: dict) -> dict | None:
    """The ``coding`` parameter as a dict (system, code, and display and version when given), or None."""
    coding = params.get("coding")
    if not coding:
        if params.get("codeableConcept"):
            raise ApiError(400, "codeableConcept is not supported here; send coding, or system and code.",
                           field="codeableConcept")
        return None
    if len(coding) > 1:
        raise ApiError(400, "The parameter 'coding' is given more than once.", field="coding")
    value = coding[0]
    if isinstance(value, str) and "|" in value:
        system, code = value.rsplit("|", 1)
        value = {"system": system, "code": code}
    elif not isinstance(value, dict):
        raise ApiError(400, "coding must be a Coding (or system|code in a query string).", field="coding")
    found = {}
    for key in ("system", "code", "display", "version"):
        item = value.get(key)
        if item is None:
            continue
        if not isinstance(item, str) or len(item) > MAX_LENGTH:
            raise ApiError(400, f"coding.{key} must be a string of at most {MAX_LENGTH} characters.", field="coding")
        found[key] = item.strip()
    if not found.get("system") or not found.get("code"):
        raise ApiError(400, "coding needs a system and a code.", field="coding")
    return found


def _system_and_code(params: dict, system_name: str = "system") -> tuple[str, str]:
    """(system, code) from ``system`` + ``code``, or from ``coding`` (a Coding, or system|code on GET)."""
    coding = _coding(params)
    if coding:
        return coding["system"], coding["code"]
    code = _text(params, "code", required=True)
    system = _text(params, system_name)
    if not system:
        raise ApiError(400, f"The parameter {system_name!r} is required with code.", field=system_name)
    return system, code


# -- read -----------------------------------------------------------------------------------------

def _known_map(map_id: str) -> None:
    if map_id not in fhir.CONCEPT_MAPS:
        raise ApiError(404, f"There is no ConceptMap {map_id!r}; there are {', '.join(fhir.CONCEPT_MAPS)}.")


@bp.get("/fhir/CodeSystem/hipback")
def code_system():
    return _resource(fhir.code_system(term_index()))


@bp.get("/fhir/ConceptMap/<map_id>")
def concept_map(map_id: str):
    _known_map(map_id)
    return _resource(fhir.concept_map(term_index(), map_id))


# -- search ---------------------------------------------------------------------------------------

def _search(names: tuple[str, ...], candidates: list[tuple[dict, dict]]):
    criteria: dict[str, list[str]] = {}
    ignored = []
    for name, value in request.args.items(multi=True):
        base, colon, modifier = name.partition(":")
        if colon and base in names:  # R4: a modifier the server does not support is refused, never ignored
            raise ApiError(400, f"The modifier :{modifier} of {base!r} is not supported here.", field=name)
        if name in names:
            if len(value) > MAX_LENGTH:
                raise ApiError(400, f"{name} is longer than {MAX_LENGTH} characters.", field=name)
            criteria.setdefault(name, []).append(value)
        elif base not in fhir.IGNORED_SEARCH:
            ignored.append(name)
    found = [resource for resource, fields in candidates if fhir.matches_search(fields, criteria)]
    base_url = request.url_root + "fhir/"
    return _resource(fhir.bundle(request.url, base_url, found, sorted(set(ignored))))


@bp.get("/fhir/CodeSystem")
def search_code_systems():
    resource = fhir.code_system(term_index())
    return _search(fhir.CODE_SYSTEM_SEARCH, [(resource, fhir.code_system_fields(resource))])


@bp.get("/fhir/ConceptMap")
def search_concept_maps():
    index = term_index()
    maps = [fhir.concept_map(index, m) for m in fhir.CONCEPT_MAPS]
    return _search(fhir.CONCEPT_MAP_SEARCH, [(resource, fhir.concept_map_fields(resource)) for resource in maps])


# -- operations -----------------------------------------------------------------------------------

@bp.route("/fhir/CodeSystem/$lookup", methods=["GET", "POST"])
def lookup():
    params = _parameters()
    system, code = _system_and_code(params)
    wanted = _text(params, "version")
    index = term_index()
    if wanted and system == fhir.SYSTEM and wanted != fhir.version(index):
        raise ApiError(404, f"This server holds version {fhir.version(index)} of {system}, not {wanted!r}.",
                       field="version")
    result = fhir.lookup(index, system, code)
    if result is None:
        raise ApiError(404, f"The code {code!r} is not known in {system!r} here.", field="code")
    return _resource(result)


@bp.route("/fhir/CodeSystem/$validate-code", methods=["GET", "POST"])
@bp.route("/fhir/CodeSystem/hipback/$validate-code", methods=["GET", "POST"])
def validate_code():
    params = _parameters()
    instance = request.path.startswith("/fhir/CodeSystem/hipback/")
    display, version = _text(params, "display"), _text(params, "version")
    coding = _coding(params)
    if coding:
        system, code = coding["system"], coding["code"]
        display, version = display or coding.get("display"), version or coding.get("version")
    else:
        code = _text(params, "code", required=True)
        system = _text(params, "url") or _text(params, "system") or (fhir.SYSTEM if instance else None)
        if not system:
            raise ApiError(400, "The parameter 'url' (the code system) is required.", field="url")
    if "|" in system:  # a canonical URL with its version
        system, _, version_in_url = system.partition("|")
        version = version or version_in_url
    if system != fhir.SYSTEM:
        raise ApiError(404, f"This server holds the CodeSystem {fhir.SYSTEM} only, not {system!r}.", field="url")
    return _resource(fhir.validate_code(term_index(), code, display, version))


@bp.route("/fhir/ConceptMap/$translate", methods=["GET", "POST"])
@bp.route("/fhir/ConceptMap/<map_id>/$translate", methods=["GET", "POST"])
def translate(map_id: str | None = None):
    params = _parameters()
    if map_id is not None:
        _known_map(map_id)
    url = _text(params, "url")
    if url:
        address, _, wanted = url.partition("|")
        chosen = fhir.maps_by_url().get(address)
        if chosen is None or (map_id and chosen != map_id):
            raise ApiError(404, f"There is no ConceptMap {url!r} here.", field="url")
        index_version = fhir.version(term_index())
        if wanted and wanted != index_version:
            raise ApiError(404, f"This server holds version {index_version} of {address}, not {wanted!r}.",
                           field="url")
        map_ids = [chosen]
    else:
        map_ids = [map_id] if map_id else list(fhir.CONCEPT_MAPS)
    system, code = _system_and_code(params)
    if system != fhir.SYSTEM and system not in FHIR_SYSTEMS_BY_URL:
        known = ", ".join([fhir.SYSTEM, *FHIR_SYSTEMS_BY_URL])
        raise ApiError(404, f"The code system {system!r} is not known here; known: {known}.", field="system")
    target = _text(params, "targetsystem") or _text(params, "targetSystem")
    return _resource(fhir.translate(term_index(), system, code, map_ids, target, _boolean(params, "reverse")))


@bp.get("/fhir/metadata")
def metadata():
    return _resource(fhir.capability_statement(term_index()))
