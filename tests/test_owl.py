"""hipback.owl: HermiT through owlready2's jar, on small graphs whose entailments are known."""
from __future__ import annotations

import tempfile
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from hipback.owl import reason

pytestmark = pytest.mark.slow

HB = rdflib.Namespace("https://w3id.org/hipback/")
PREFIXES = """
@prefix hb: <https://w3id.org/hipback/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
TBOX = PREFIXES + """
hb:hasFinding a owl:ObjectProperty . hb:durationDays a owl:DatatypeProperty .
hb:Finding a owl:Class . hb:PatientCase a owl:Class .
hb:RedFlag a owl:Class ; rdfs:subClassOf hb:Finding ; skos:exactMatch <http://example.org/code/1> .
hb:Fever a owl:Class ; rdfs:subClassOf hb:RedFlag ; skos:definition "a raised temperature"@en .
hb:HighFever a owl:Class ; rdfs:subClassOf hb:Fever .
hb:EmergencyCase a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( hb:PatientCase
    [ a owl:Restriction ; owl:onProperty hb:hasFinding ; owl:someValuesFrom hb:RedFlag ] ) ] .
hb:LongCase a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( hb:PatientCase
    [ a owl:Restriction ; owl:onProperty hb:durationDays ; owl:someValuesFrom
      [ a rdfs:Datatype ; owl:onDatatype xsd:integer ; owl:withRestrictions ( [ xsd:minInclusive 21 ] ) ] ] ) ] .
hb:FeverCase a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( hb:PatientCase
    [ a owl:Restriction ; owl:onProperty hb:hasFinding ; owl:someValuesFrom hb:Fever ] ) ] .
"""


def graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def case(name: str, finding: str | None = None, days: int | None = None) -> str:
    lines = [f"hb:{name} a hb:PatientCase ."]
    if finding:
        lines.append(f"hb:{name} hb:hasFinding hb:{name}Finding . hb:{name}Finding a hb:{finding} .")
    if days is not None:
        lines.append(f"hb:{name} hb:durationDays {days} .")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def tbox():
    return graph(TBOX)


def test_hierarchy_is_closed_and_excludes_asserted_and_trivial(tbox):
    result = reason(tbox)
    assert result.ok
    inferred = result.inferred
    assert (HB.HighFever, RDFS.subClassOf, HB.RedFlag) in inferred
    assert (HB.HighFever, RDFS.subClassOf, HB.Finding) in inferred
    assert (HB.FeverCase, RDFS.subClassOf, HB.EmergencyCase) in inferred  # a real OWL entailment
    assert (HB.HighFever, RDFS.subClassOf, HB.Fever) not in inferred  # asserted
    assert not list(inferred.triples((None, None, OWL.Thing)))
    assert not [t for t in inferred if t[0] == t[2]]
    assert HB.EmergencyCase in result.ancestors[HB.FeverCase]


def test_many_cases_are_classified_in_one_run(tbox):
    cases = [case(f"c{i}", finding=("HighFever" if i % 3 == 0 else None), days=(30 if i % 2 else 3))
             for i in range(200)]
    abox = graph(PREFIXES + "\n".join(cases))
    result = reason(tbox, abox)
    assert result.consistent
    emergency = {i for i in range(200) if HB.EmergencyCase in result.types.get(HB[f"c{i}"], ())}
    long_cases = {i for i in range(200) if HB.LongCase in result.types.get(HB[f"c{i}"], ())}
    assert emergency == {i for i in range(200) if i % 3 == 0}
    assert long_cases == {i for i in range(200) if i % 2}
    assert (HB.c0, RDF.type, HB.FeverCase) in result.inferred
    assert (HB.c0Finding, RDF.type, HB.Finding) in result.inferred
    assert (HB.c0, RDF.type, HB.PatientCase) not in result.inferred  # asserted, so not "inferred"


def test_unsatisfiable_class_is_reported(tbox):
    broken = graph(PREFIXES + "hb:Impossible a owl:Class ; rdfs:subClassOf hb:Fever , "
                   "[ a owl:Class ; owl:complementOf hb:Finding ] .")
    result = reason(tbox, broken)
    assert result.consistent
    assert result.unsatisfiable == (HB.Impossible,)
    assert not result.ok
    assert not list(result.inferred.triples((HB.Impossible, None, None)))


def test_inconsistency_is_reported_not_raised(tbox):
    broken = graph(PREFIXES + "hb:Fever owl:disjointWith hb:PatientCase . hb:x a hb:Fever , hb:PatientCase .")
    result = reason(tbox, broken)
    assert not result.consistent
    assert "nconsistent" in result.message
    assert not result.ok


def test_temporary_files_are_removed(tbox, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert reason(tbox).consistent
    assert not reason(tbox, graph(PREFIXES + "hb:Fever owl:disjointWith hb:PatientCase . "
                                  "hb:x a hb:Fever , hb:PatientCase .")).consistent
    assert list(tmp_path.iterdir()) == []


def test_needs_a_graph():
    with pytest.raises(ValueError):
        reason()
