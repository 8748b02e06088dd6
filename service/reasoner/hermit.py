"""The reference path: patient cases as OWL individuals, classified by HermiT.

``encode(cases)`` writes each ``CaseState`` as an individual of hb:PatientCase: each present
finding a fresh individual of its finding class linked by hb:hasFinding, each denied finding the
type ``not (hasFinding some F)``, each value a typed literal (xsd:integer, xsd:boolean).
``classify(knowledge, tbox, cases)`` runs HermiT once over the ontology and all the cases and
returns, per case, the rule classes it is inferred to be in (the closed-world fallback when none),
the same answer the fast path (``rules.fire``) must give. Slow (a JVM per call): for tests and
benchmarks, never for requests.
"""
from __future__ import annotations

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from ..owl import reason
from .knowledge import CASE_PROPERTIES, HAS_FINDING, HB, PATIENT_CASE

CASE_NS = "urn:hipback:case:"
DATATYPES = {prop: XSD.integer for prop in CASE_PROPERTIES}
DATATYPES[HB + "improvingWithHomeCare"] = XSD.boolean


def case_iri(n: int) -> URIRef:
    return URIRef(f"{CASE_NS}{n}")


def encode(cases) -> rdflib.Graph:
    graph = rdflib.Graph()
    for n, case in enumerate(cases):
        subject = case_iri(n)
        graph.add((subject, RDF.type, URIRef(PATIENT_CASE)))
        graph.add((subject, RDF.type, OWL.NamedIndividual))
        for i, finding in enumerate(case.present):
            individual = URIRef(f"{CASE_NS}{n}/finding/{i}")
            graph.add((individual, RDF.type, URIRef(finding)))
            graph.add((individual, RDF.type, OWL.NamedIndividual))
            graph.add((subject, URIRef(HAS_FINDING), individual))
        for finding in case.absent:
            restriction, complement = BNode(), BNode()
            graph.add((restriction, RDF.type, OWL.Restriction))
            graph.add((restriction, OWL.onProperty, URIRef(HAS_FINDING)))
            graph.add((restriction, OWL.someValuesFrom, URIRef(finding)))
            graph.add((complement, RDF.type, OWL.Class))
            graph.add((complement, OWL.complementOf, restriction))
            graph.add((subject, RDF.type, complement))
        for prop, value in case.values.items():
            graph.add((subject, URIRef(prop), Literal(value, datatype=DATATYPES[prop])))
    return graph


def rules_of(knowledge, types) -> set[str]:
    """The rule classes among an individual's inferred types, or the fallback rules when none."""
    rules = {str(t) for t in types if str(t) in knowledge.rules}
    return rules or {iri for iri, rule in knowledge.rules.items() if rule.fallback}


def classify(knowledge, tbox: rdflib.Graph, cases) -> list[set[str]]:
    """One HermiT run over ``tbox`` and ``cases``: the rules each case falls under."""
    reasoned = reason(tbox, encode(cases))
    if not reasoned.consistent:
        raise ValueError(f"the cases are inconsistent with the ontology: {reasoned.message}")
    return [rules_of(knowledge, reasoned.types.get(case_iri(n), frozenset())) for n in range(len(cases))]


def level(knowledge, rules: set[str]):
    return max((knowledge.rules[r].level for r in rules), key=lambda lv: lv.rank)
