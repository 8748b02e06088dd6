"""QC checks: zero rows on the release, and each one fires on a graph broken on purpose."""
from __future__ import annotations

import re

import pytest
import rdflib

from hipback import config, qc

HB = "https://w3id.org/hipback/"
PREFIXES = """
@prefix hb: <https://w3id.org/hipback/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix icd10cm: <http://purl.bioontology.org/ontology/ICD10CM/> .
"""
STRUCTURE = """
hb:hasFinding a owl:ObjectProperty ; rdfs:label "has finding"@en ; skos:definition "A finding of a case."@en .
hb:presentsWith a owl:ObjectProperty ; rdfs:label "presents with"@en ; skos:definition "A finding of a condition."@en .
hb:hasPurpose a owl:ObjectProperty ; rdfs:label "has purpose"@en ; skos:definition "What an action is for."@en .
hb:Flu rdfs:subClassOf hb:Condition , [ a owl:Restriction ; owl:onProperty hb:presentsWith ; owl:someValuesFrom hb:Ache ] .
hb:SevereFlu rdfs:subClassOf hb:Flu .
hb:canCause a owl:ObjectProperty ; rdfs:label "can cause"@en ; skos:definition "What a condition can bring about."@en .
hb:Virus rdfs:subClassOf hb:Condition , [ a owl:Restriction ; owl:onProperty hb:canCause ; owl:someValuesFrom hb:Flu ] .
hb:Ache rdfs:subClassOf hb:Finding .
hb:RedFlag rdfs:subClassOf hb:Finding .
hb:Fever rdfs:subClassOf hb:RedFlag .
hb:HighFever rdfs:subClassOf hb:Fever .
hb:EmergencyCase hb:assignsUrgency hb:Emergency ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf
    ( hb:PatientCase [ a owl:Restriction ; owl:onProperty hb:hasFinding ; owl:someValuesFrom hb:Fever ] ) ] .
hb:Rest rdfs:subClassOf hb:CareAction , [ a owl:Restriction ; owl:onProperty hb:hasPurpose ; owl:someValuesFrom hb:Healing ] .
hb:BedRest rdfs:subClassOf hb:Rest .
hb:Healing rdfs:subClassOf hb:CareGoal .
hb:Flu skos:exactMatch icd10cm:J11 .
icd10cm:J11 rdfs:label "Influenza due to unidentified influenza virus" ; skos:notation "J11" .
"""
CLASSES = ["Condition", "Flu", "SevereFlu", "Virus", "Finding", "Ache", "RedFlag", "Fever", "HighFever", "PatientCase",
           "EmergencyCase", "CareAction", "Rest", "BedRest", "CareGoal", "Healing"]


def annotated(name: str) -> str:
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return (f'hb:{name} a owl:Class ; rdfs:label "{words}"@en ; skos:definition "The {words}."@en ; '
            f'dcterms:source hb:SourceArticle ; hb:sourceSection "A heading" ; hb:sourceExcerpt "a passage" .')


def valid_graph() -> rdflib.Graph:
    text = PREFIXES + STRUCTURE + "\n".join(annotated(name) for name in CLASSES)
    return rdflib.Graph().parse(data=text, format="turtle")


def remove(graph: rdflib.Graph, subject: str, predicate: rdflib.URIRef) -> rdflib.Graph:
    """Drop every ``predicate`` value of ``subject`` (a local name in hb:, or a full IRI)."""
    iri = subject if "://" in subject else HB + subject
    graph.remove((rdflib.URIRef(iri), predicate, None))
    return graph


def add(graph: rdflib.Graph, text: str) -> rdflib.Graph:
    return graph.parse(data=PREFIXES + text, format="turtle")


SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
RDFS = rdflib.RDFS
ICD_J11 = "http://purl.bioontology.org/ontology/ICD10CM/J11"

#: check name -> (how to break the valid graph, a value the check must report)
BREAKAGES = {
    "missing-label-violation": (lambda g: remove(g, "Ache", RDFS.label), HB + "Ache"),
    "missing-definition-violation": (lambda g: remove(g, "HighFever", SKOS.definition), HB + "HighFever"),
    "missing-source-violation": (lambda g: remove(g, "Rest", rdflib.URIRef(HB + "sourceExcerpt")), HB + "Rest"),
    "duplicate-label-violation": (lambda g: add(g, annotated("Soreness") + ' hb:Soreness rdfs:label "ACHE"@en .'),
                                  HB + "Soreness"),
    "condition-without-finding-violation": (
        lambda g: add(g, annotated("Sprain") + " hb:Sprain rdfs:subClassOf hb:Condition ."), HB + "Sprain"),
    "red-flag-without-urgency-violation": (
        lambda g: add(g, annotated("SaddleNumbness") + " hb:SaddleNumbness rdfs:subClassOf hb:RedFlag ."),
        HB + "SaddleNumbness"),
    "care-action-without-purpose-violation": (
        lambda g: add(g, annotated("Massage") + " hb:Massage rdfs:subClassOf hb:CareAction ."), HB + "Massage"),
    "external-code-violation": (lambda g: remove(g, ICD_J11, SKOS.notation), ICD_J11),
    "deprecated-without-replacement-violation": (
        lambda g: add(g, annotated("OldAche") + " hb:OldAche owl:deprecated true ."), HB + "OldAche"),
}
CHECKS = [qc.check_name(path) for path in qc.check_files()]


def test_every_check_has_a_breakage():
    assert sorted(BREAKAGES) == sorted(CHECKS)


def test_the_valid_graph_passes_every_check():
    assert qc.run(valid_graph()) == []


@pytest.mark.parametrize("check", CHECKS)
def test_each_check_fails_on_a_broken_graph(check):
    breakage, culprit = BREAKAGES[check]
    broken = breakage(valid_graph())
    found = {v.check: v for v in qc.run(broken)}
    assert check in found, f"{check} did not notice the breakage"
    assert any(culprit in row.values() for row in found[check].rows), found[check].describe()
    assert set(found) == {check}, f"breaking one rule tripped others: {sorted(found)}"


def test_a_cause_counts_only_when_what_it_causes_presents_with_something():
    broken = add(valid_graph(), annotated("Sprain") + annotated("Injury") + """
        hb:Sprain rdfs:subClassOf hb:Condition .
        hb:Injury rdfs:subClassOf hb:Condition , [ a owl:Restriction ; owl:onProperty hb:canCause ; owl:someValuesFrom hb:Sprain ] .
    """)
    rows = {v.check: v.rows for v in qc.run(broken)}["condition-without-finding-violation"]
    assert {row["condition"] for row in rows} == {HB + "Sprain", HB + "Injury"}


@pytest.fixture(scope="module")
def release_store():
    reasoned = rdflib.Graph().parse(config.RELEASE_DIR / "hipback-reasoned.nt", format="nt")
    return qc.load(reasoned)


@pytest.mark.parametrize("check", CHECKS)
def test_release_has_no_violation(check, release_store):
    result = qc.run_check(release_store, config.QUERIES_DIR / "qc" / f"{check}.rq")
    assert not result.rows, result.describe()


def test_readme_explains_every_check():
    readme = (config.QUERIES_DIR / "qc" / "README.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"`{check}.rq`" in readme, f"queries/qc/README.md does not explain {check}"


@pytest.mark.parametrize("check", CHECKS)
def test_every_check_has_a_title_and_description(check):
    text = (config.QUERIES_DIR / "qc" / f"{check}.rq").read_text(encoding="utf-8")
    assert re.search(r"^# title: \S", text, re.M) and re.search(r"^# description: \S", text, re.M)
