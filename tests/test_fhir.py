"""The FHIR face on a real server, each resource validated by the fhir.resources package.

fhir.resources 8 ships R5, R4B and STU3 models; R4B's CodeSystem, ConceptMap, Parameters and
CapabilityStatement are the R4 structures (R4B changed none of them), so they validate R4.
"""
from __future__ import annotations

import pytest
import requests
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.conceptmap import ConceptMap
from fhir.resources.R4B.parameters import Parameters

from service import fhir
from service.store import EmbeddedStore
from service.terms import TermIndex

pytestmark = pytest.mark.slow
R4_EQUIVALENCE = {"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes", "inexact",
                  "unmatched", "disjoint"}


@pytest.fixture(scope="module")
def index():
    return TermIndex.load(EmbeddedStore())


def get(url: str, **params) -> requests.Response:
    response = requests.get(url, params=params, timeout=10)
    return response


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
    assert wrong.status_code == 404 and wrong.json()["field"] == "version"
    unknown = get(f"{live_server}/fhir/CodeSystem/$lookup", system="http://example.org/other", code="x")
    assert unknown.status_code == 404


def test_capability_statement(live_server):
    resource = CapabilityStatement.model_validate(get(f"{live_server}/fhir/metadata").json())
    assert resource.fhirVersion == "4.0.1"
    assert {r.type for r in resource.rest[0].resource} == {"CodeSystem", "ConceptMap"}


def test_validation_can_fail():
    """The validators reject a broken resource, so the tests above can fail."""
    with pytest.raises(Exception):
        ConceptMap.model_validate({"resourceType": "ConceptMap", "status": "active",
                                   "group": [{"element": [{"code": "x", "target": [{"code": "y"}]}]}]})
