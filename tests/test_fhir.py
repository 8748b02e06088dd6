"""The FHIR face on a real server, each resource validated by the fhir.resources package.

fhir.resources 8 ships R5, R4B and STU3 models; R4B's CodeSystem, ConceptMap, Parameters,
Bundle, OperationOutcome and CapabilityStatement are the R4 structures (R4B changed none of
them), so they validate R4.
"""
from __future__ import annotations

import pytest
import requests
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.conceptmap import ConceptMap
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters

from hipback import fhir

pytestmark = pytest.mark.slow
R4_EQUIVALENCE = {"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes", "inexact",
                  "unmatched", "disjoint"}


def get(address: str, **params) -> requests.Response:
    return requests.get(address, params=params, timeout=10)


def test_code_system_is_valid_and_complete(live_server, index):
    response = get(f"{live_server}/fhir/CodeSystem/hipback")
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    data = response.json()
    resource = CodeSystem.model_validate(data)
    codes = {c.code: c for c in resource.concept}
    expected = {t.local_name for t in index.terms.values() if t.kind in ("class", "individual")}
    assert set(codes) == expected and resource.count == len(expected)
    disc = codes["LumbarHerniatedDisc"]
    assert disc.display == "lumbar herniated disc" and disc.definition
    assert "herniated disk" in {d.value for d in disc.designation}
    parents = {p.valueCode for p in disc.property if p.code == "parent"}
    assert "PainCondition" in parents
    for concept in resource.concept:  # every parent and child names a concept of this code system
        for prop in concept.property or []:
            if prop.code in ("parent", "child"):
                assert prop.valueCode in codes, (concept.code, prop.valueCode)
    assert {p.code for p in resource.property} == {"parent", "child", "inactive"}


@pytest.mark.parametrize("map_id", sorted(fhir.CONCEPT_MAPS))
def test_concept_maps_are_valid_and_follow_the_skos_property(live_server, index, map_id):
    data = get(f"{live_server}/fhir/ConceptMap/{map_id}").json()
    resource = ConceptMap.model_validate(data)
    system = fhir.CONCEPT_MAPS[map_id]
    expected = {(t.local_name, c.code, fhir.EQUIVALENCE[c.relation])
                for t in index.terms.values() for c in t.codes if c.system == system}
    assert expected, f"the ontology has no {system} cross-references"
    found = {(e.code, target.code, target.equivalence)
             for group in resource.group for e in group.element for target in e.target}
    assert found == expected
    # the package does not check coded values; the R4 ConceptMapEquivalence codes are checked here
    assert {equivalence for _s, _t, equivalence in found} <= R4_EQUIVALENCE
    assert resource.group[0].target.startswith("http")


def test_concept_map_for_icd10cm_holds_the_disc(live_server):
    data = get(f"{live_server}/fhir/ConceptMap/hipback-icd10cm").json()
    elements = {e["code"]: e for e in data["group"][0]["element"]}
    assert "M51.26" in {t["code"] for t in elements["LumbarHerniatedDisc"]["target"]}


def test_lookup_of_a_hipback_code(live_server):
    response = get(f"{live_server}/fhir/CodeSystem/$lookup", system=fhir.SYSTEM, code="LowBackPain")
    resource = Parameters.model_validate(response.json())
    values = {p.name: p for p in resource.parameter}
    assert values["display"].valueString == "low back pain"
    assert values["name"].valueString == "HipBack"
    parents = [p for p in resource.parameter if p.name == "property"
               and any(part.valueCode == "parent" for part in p.part)]
    assert parents


def test_lookup_of_a_mapped_external_code(live_server):
    response = get(f"{live_server}/fhir/CodeSystem/$lookup", system="http://human-phenotype-ontology.org",
                   code="HP:0003419")
    resource = Parameters.model_validate(response.json())
    assert {p.name for p in resource.parameter} >= {"name", "display", "property"}
    codings = [part.valueCoding.code for p in resource.parameter if p.name == "property" for part in p.part
               if part.valueCoding]
    assert "LowBackPain" in codings


def test_lookup_version_and_unknown_code(live_server, index):
    ok = get(f"{live_server}/fhir/CodeSystem/$lookup", system=fhir.SYSTEM, code="Fever",
             version=fhir.version(index))
    assert ok.status_code == 200
    wrong = get(f"{live_server}/fhir/CodeSystem/$lookup", system=fhir.SYSTEM, code="Fever", version="1900-01-01")
    assert wrong.status_code == 404
    outcome = OperationOutcome.model_validate(wrong.json())
    assert outcome.issue[0].code == "not-found" and outcome.issue[0].details.text == "parameter: version"
    unknown = get(f"{live_server}/fhir/CodeSystem/$lookup", system="http://example.org/other", code="x")
    assert unknown.status_code == 404


def test_capability_statement(live_server):
    resource = CapabilityStatement.model_validate(get(f"{live_server}/fhir/metadata").json())
    assert resource.fhirVersion == "4.0.1"
    assert {r.type for r in resource.rest[0].resource} == {"CodeSystem", "ConceptMap"}
    offered = {(r.type, o.name) for r in resource.rest[0].resource for o in r.operation}
    assert offered == {("CodeSystem", "lookup"), ("CodeSystem", "validate-code"), ("ConceptMap", "translate")}
    searched = {(r.type, p.name) for r in resource.rest[0].resource for p in r.searchParam}
    assert {("ConceptMap", "source-system"), ("ConceptMap", "target-system"), ("CodeSystem", "url")} <= searched


# -- errors as OperationOutcome -------------------------------------------------------------------

#: (method, path, params or body, status, issue code, parameter at fault)
FHIR_ERRORS = [
    ("GET", "/fhir/CodeSystem/$lookup", {"system": fhir.SYSTEM}, 400, "invalid", "code"),
    ("GET", "/fhir/CodeSystem/$lookup", {"system": fhir.SYSTEM, "code": "Nope"}, 404, "not-found", "code"),
    ("GET", "/fhir/ConceptMap/hipback-snomed", {}, 404, "not-found", None),
    ("GET", "/fhir/Patient/1", {}, 404, "not-found", None),
    ("GET", "/fhir/ConceptMap/$translate", {"code": "M51.26"}, 400, "invalid", "system"),
    ("GET", "/fhir/ConceptMap/$translate", {"system": "http://snomed.info/sct", "code": "1"}, 404, "not-found",
     "system"),
    ("GET", "/fhir/ConceptMap/$translate", {"system": fhir.SYSTEM, "code": "Fever", "url": "http://x/cm"}, 404,
     "not-found", "url"),
    ("GET", "/fhir/ConceptMap/$translate", {"system": fhir.SYSTEM, "code": "Fever", "reverse": "maybe"}, 400,
     "invalid", "reverse"),
    ("GET", "/fhir/CodeSystem/$validate-code", {"code": "Fever"}, 400, "invalid", "url"),
    ("GET", "/fhir/CodeSystem/$validate-code", {"url": "http://loinc.org", "code": "1"}, 404, "not-found", "url"),
    ("POST", "/fhir/CodeSystem/$validate-code", {"resourceType": "Patient"}, 400, "invalid", None),
    ("POST", "/fhir/CodeSystem/$validate-code", {"resourceType": "Parameters", "parameter": [{"name": "code"}]},
     400, "invalid", "code"),
    ("POST", "/fhir/CodeSystem/$validate-code", "code=Fever", 415, "not-supported", None),
    ("DELETE", "/fhir/CodeSystem/hipback", {}, 405, "not-supported", None),
    ("POST", "/fhir/CodeSystem/$validate-code", "[" * 100_000, 400, "invalid", None),
    ("POST", "/fhir/CodeSystem/$validate-code", {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCoding": {"system": fhir.SYSTEM, "code": "x" * 100_000}}]}, 400, "invalid", "coding"),
    ("POST", "/fhir/ConceptMap/$translate", {"resourceType": "Parameters", "parameter": [
        {"name": "codeableConcept", "valueCodeableConcept": {"text": "back pain"}}]}, 400, "invalid", "codeableConcept"),
    ("GET", "/fhir/CodeSystem", {"status:not": "active"}, 400, "invalid", "status:not"),
    ("GET", "/fhir/ConceptMap/$translate", {"system": fhir.SYSTEM, "code": "Fever",
                                             "url": "https://w3id.org/hipback/fhir/ConceptMap/hipback-icd10cm|1999"},
     404, "not-found", "url"),
]


@pytest.mark.parametrize(("method", "path", "data", "status", "code", "field"), FHIR_ERRORS)
def test_errors_are_operation_outcomes(live_server, method, path, data, status, code, field):
    if method == "GET":
        response = requests.get(live_server + path, params=data, timeout=10)
    elif isinstance(data, str) and data.startswith("["):
        response = requests.post(live_server + path, data=data, timeout=10,
                                 headers={"Content-Type": "application/fhir+json"})
    elif isinstance(data, str):
        response = requests.post(live_server + path, data=data, timeout=10,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = requests.request(method, live_server + path, json=data, timeout=10,
                                    headers={"Content-Type": "application/fhir+json"})
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    outcome = OperationOutcome.model_validate(response.json())
    issue = outcome.issue[0]
    assert issue.severity == "error" and issue.code == code and issue.diagnostics
    assert (issue.details.text if issue.details else None) == (f"parameter: {field}" if field else None)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- $validate-code -----------------------------------------------------------------------------

def _parameters(response) -> dict:
    assert response.status_code == 200, response.text
    resource = Parameters.model_validate(response.json())
    return {p.name: p for p in resource.parameter}


def test_validate_code(live_server, index):
    url = f"{live_server}/fhir/CodeSystem/$validate-code"
    good = _parameters(get(url, url=fhir.SYSTEM, code="LumbarHerniatedDisc"))
    assert good["result"].valueBoolean is True and good["display"].valueString == "lumbar herniated disc"
    assert "message" not in good
    # a synonym is a valid display; another term's label is not
    assert _parameters(get(url, url=fhir.SYSTEM, code="LumbarHerniatedDisc", display="Slipped disc"))[
        "result"].valueBoolean is True
    wrong = _parameters(get(url, url=fhir.SYSTEM, code="LumbarHerniatedDisc", display="low back pain"))
    assert wrong["result"].valueBoolean is False and "lumbar herniated disc" in wrong["message"].valueString
    unknown = _parameters(get(url, url=fhir.SYSTEM, code="Nope"))
    assert unknown["result"].valueBoolean is False and "Nope" in unknown["message"].valueString
    old = _parameters(get(url, url=fhir.SYSTEM, code="Fever", version="1900-01-01"))
    assert old["result"].valueBoolean is False and fhir.version(index) in old["message"].valueString
    same = _parameters(get(url, url=fhir.SYSTEM, code="Fever", version=fhir.version(index)))
    assert same["result"].valueBoolean is True
    # on the instance, and as a POSTed Parameters resource with a Coding
    instance = _parameters(get(f"{live_server}/fhir/CodeSystem/hipback/$validate-code", code="Fever"))
    assert instance["result"].valueBoolean is True
    posted = requests.post(url, timeout=10, headers={"Content-Type": "application/fhir+json"}, json={
        "resourceType": "Parameters", "parameter": [
            {"name": "coding", "valueCoding": {"system": fhir.SYSTEM, "code": "SaddleNumbness"}}]})
    assert _parameters(posted)["result"].valueBoolean is True


def test_validate_code_says_a_deprecated_code_is_inactive(index):
    """No term is deprecated in this release; one marked so in a copy of the index answers inactive."""
    import copy
    import dataclasses

    iri = fhir.config.BASE + "Fever"
    retired = copy.copy(index)
    retired.terms = {**index.terms, iri: dataclasses.replace(index.terms[iri], deprecated=True)}
    answer = Parameters.model_validate(fhir.validate_code(retired, "Fever"))
    values = {p.name: p for p in answer.parameter}
    assert values["result"].valueBoolean is True and "inactive" in values["message"].valueString
    assert "message" not in {p.name for p in Parameters.model_validate(fhir.validate_code(index, "Fever")).parameter}


# -- $translate ---------------------------------------------------------------------------------

def _matches(parameters_json: dict) -> set[tuple[str, str, str, str]]:
    resource = Parameters.model_validate(parameters_json)
    found = set()
    for p in resource.parameter:
        if p.name == "match":
            parts = {part.name: part for part in p.part}
            found.add((parts["equivalence"].valueCode, parts["concept"].valueCoding.system,
                       parts["concept"].valueCoding.code, parts["source"].valueUri))
    return found


def test_translate_a_hipback_code_to_every_system(live_server, index):
    answer = get(f"{live_server}/fhir/ConceptMap/$translate", system=fhir.SYSTEM, code="LumbarHerniatedDisc").json()
    found = _matches(answer)
    term = index.terms[fhir.config.BASE + "LumbarHerniatedDisc"]
    expected = {(fhir.EQUIVALENCE[c.relation], fhir.FHIR_SYSTEMS[c.system], c.code,
                 fhir.map_url(next(m for m, s in fhir.CONCEPT_MAPS.items() if s == c.system)))
                for c in term.codes if c.relation in fhir.EQUIVALENCE}
    assert found == expected and ("inexact", "http://hl7.org/fhir/sid/icd-10-cm", "M51.26",
                                  fhir.map_url("hipback-icd10cm")) in found
    assert answer["parameter"][0] == {"name": "result", "valueBoolean": True}
    # one target system only, by targetsystem or by the map's own URL
    icd = _matches(get(f"{live_server}/fhir/ConceptMap/$translate", system=fhir.SYSTEM, code="LumbarHerniatedDisc",
                       targetsystem="http://hl7.org/fhir/sid/icd-10-cm").json())
    assert icd and {m[1] for m in icd} == {"http://hl7.org/fhir/sid/icd-10-cm"}
    by_url = _matches(get(f"{live_server}/fhir/ConceptMap/$translate", system=fhir.SYSTEM,
                          code="LumbarHerniatedDisc", url=fhir.map_url("hipback-icd10cm")).json())
    on_instance = _matches(get(f"{live_server}/fhir/ConceptMap/hipback-icd10cm/$translate", system=fhir.SYSTEM,
                               code="LumbarHerniatedDisc").json())
    assert by_url == on_instance == icd


def test_translate_an_external_code_back_to_hipback(live_server):
    answer = get(f"{live_server}/fhir/ConceptMap/$translate", system="http://hl7.org/fhir/sid/icd-10-cm",
                 code="M51.26").json()
    assert ("inexact", fhir.SYSTEM, "LumbarHerniatedDisc", fhir.map_url("hipback-icd10cm")) in _matches(answer)
    # HP:0008441 is a broadMatch of the disc: the disc is narrower than the HPO term
    hpo = get(f"{live_server}/fhir/ConceptMap/$translate", system="http://human-phenotype-ontology.org",
              code="HP:0008441", reverse="true").json()
    assert ("narrower", fhir.SYSTEM, "LumbarHerniatedDisc", fhir.map_url("hipback-hpo")) in _matches(hpo)


def test_translate_an_unmapped_icd10cm_code_falls_back_along_the_hierarchy(live_server):
    answer = get(f"{live_server}/fhir/ConceptMap/$translate", system="http://hl7.org/fhir/sid/icd-10-cm",
                 code="M54.41").json()
    found = _matches(answer)
    assert found and {m[0] for m in found} == {"relatedto"}
    message = next(p["valueString"] for p in answer["parameter"] if p["name"] == "message")
    assert "M54.4" in message and "M54.40" in message


def test_translate_without_a_match_answers_result_false(live_server):
    answer = get(f"{live_server}/fhir/ConceptMap/$translate", system=fhir.SYSTEM, code="NoSuchTerm").json()
    resource = Parameters.model_validate(answer)
    values = {p.name: p for p in resource.parameter}
    assert values["result"].valueBoolean is False and "NoSuchTerm" in values["message"].valueString
    posted = requests.post(f"{live_server}/fhir/ConceptMap/$translate", timeout=10,
                           headers={"Content-Type": "application/fhir+json"}, json={
                               "resourceType": "Parameters", "parameter": [
                                   {"name": "system", "valueUri": "http://hl7.org/fhir/sid/icd-10-cm"},
                                   {"name": "code", "valueCode": "M51.26"}]})
    assert posted.status_code == 200 and _matches(posted.json())


# -- search ---------------------------------------------------------------------------------------

def _bundle(response) -> Bundle:
    assert response.status_code == 200, response.text
    return Bundle.model_validate(response.json())


def test_concept_map_search_by_source_and_target_system(live_server):
    url = f"{live_server}/fhir/ConceptMap"
    everything = _bundle(get(url))
    assert everything.type == "searchset" and everything.total == len(fhir.CONCEPT_MAPS)
    icd = _bundle(get(url, **{"target-system": "http://hl7.org/fhir/sid/icd-10-cm"}))
    assert icd.total == 1 and icd.entry[0].resource.id == "hipback-icd10cm"
    assert icd.entry[0].fullUrl == f"{live_server}/fhir/ConceptMap/hipback-icd10cm"
    both = _bundle(get(url, **{"source-system": fhir.SYSTEM,
                               "target-system": "http://hl7.org/fhir/sid/icd-10-cm,http://human-phenotype-ontology.org"}))
    assert {e.resource.id for e in both.entry} == {"hipback-icd10cm", "hipback-hpo"}
    none = _bundle(get(url, **{"source-system": "http://snomed.info/sct"}))
    assert none.total == 0 and not none.entry
    by_code = _bundle(get(url, **{"target-code": "M51.26"}))
    assert [e.resource.id for e in by_code.entry] == ["hipback-icd10cm"]
    by_url = _bundle(get(url, url=fhir.map_url("hipback-mesh")))
    assert [e.resource.id for e in by_url.entry] == ["hipback-mesh"]


def test_search_names_the_parameters_it_ignored(live_server):
    answer = _bundle(get(f"{live_server}/fhir/ConceptMap", **{"publisher": "x", "_format": "json"}))
    assert answer.total == len(fhir.CONCEPT_MAPS)
    outcomes = [e for e in answer.entry if e.search.mode == "outcome"]
    assert len(outcomes) == 1 and "publisher" in outcomes[0].resource.issue[0].diagnostics
    assert "_format" not in outcomes[0].resource.issue[0].diagnostics


def test_code_system_search(live_server, index):
    url = f"{live_server}/fhir/CodeSystem"
    found = _bundle(get(url, url=fhir.SYSTEM))
    assert found.total == 1 and found.entry[0].resource.url == fhir.SYSTEM
    assert _bundle(get(url, url=f"{fhir.SYSTEM}|{fhir.version(index)}")).total == 1
    assert _bundle(get(url, url=f"{fhir.SYSTEM}|1900-01-01")).total == 0
    assert _bundle(get(url, url="http://loinc.org")).total == 0
    assert _bundle(get(url, code="LumbarHerniatedDisc")).total == 1


def test_validation_can_fail():
    """The validators reject a broken resource, so the tests above can fail."""
    with pytest.raises(Exception):
        ConceptMap.model_validate({"resourceType": "ConceptMap", "status": "active",
                                   "group": [{"element": [{"code": "x", "target": [{"code": "y"}]}]}]})


def test_translate_falls_back_to_narrower_only_where_the_mapping_says_so(live_server):
    """A code under the one sent stands for the term only when the term is at most that code (exact, close or
    broad match): M51 answers the disc narrower (closeMatch M51.26), M16 answers arthritis only related (its
    narrowMatch M16.9 makes arthritis the broader), and each concept comes once."""
    def answer(code):
        return get(f"{live_server}/fhir/ConceptMap/$translate", system="http://hl7.org/fhir/sid/icd-10-cm",
                   code=code).json()

    m51 = _matches(answer("M51"))
    assert [(e, c) for e, _s, c, _u in m51 if c == "LumbarHerniatedDisc"] == [("narrower", "LumbarHerniatedDisc")]
    assert {(e, c) for e, _s, c, _u in _matches(answer("M16"))} == {("relatedto", "Arthritis")}


def test_operations_answer_head_like_get_and_read_versions_and_displays(live_server, index):
    lookup = f"{live_server}/fhir/CodeSystem/$lookup"
    head = requests.head(lookup, params={"system": fhir.SYSTEM, "code": "Arthritis"}, timeout=10)
    assert head.status_code == 200
    validate = f"{live_server}/fhir/CodeSystem/$validate-code"
    versioned = _parameters(get(validate, url=f"{fhir.SYSTEM}|{fhir.version(index)}", code="LowBackPain"))
    assert versioned["result"].valueBoolean is True
    old = _parameters(get(validate, url=f"{fhir.SYSTEM}|1900-01-01", code="LowBackPain"))
    assert old["result"].valueBoolean is False
    posted = requests.post(validate, timeout=10, headers={"Content-Type": "application/fhir+json"}, json={
        "resourceType": "Parameters", "parameter": [
            {"name": "coding", "valueCoding": {"system": fhir.SYSTEM, "code": "LowBackPain", "display": "x"}}]})
    assert _parameters(posted)["result"].valueBoolean is False


def test_translate_says_why_a_known_code_has_no_match(live_server):
    other = get(f"{live_server}/fhir/ConceptMap/$translate", system="http://hl7.org/fhir/sid/icd-10-cm",
                code="J45.909", targetsystem="http://human-phenotype-ontology.org").json()
    message = next(p["valueString"] for p in other["parameter"] if p["name"] == "message")
    assert "not to http://human-phenotype-ontology.org" in message and "is not a code here" not in message
    reverse = get(f"{live_server}/fhir/ConceptMap/$translate", system=fhir.SYSTEM, code="Arthritis",
                  reverse="true").json()
    message = next(p["valueString"] for p in reverse["parameter"] if p["name"] == "message")
    assert "without reverse" in message
