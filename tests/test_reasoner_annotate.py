"""The annotator: lexicon from the ontology, negation, absence phrases, composition, values."""
from __future__ import annotations

import rdflib
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from hipback import config
from hipback.reasoner import Knowledge, annotate, triage
from hipback.reasoner.knowledge import HB
from hipback.store import EmbeddedStore, release_files


@pytest.fixture(scope="module")
def knowledge():
    return Knowledge.load(EmbeddedStore())


def read(knowledge, text):
    result = annotate(text, knowledge)
    return {(f.label, f.status) for f in result.findings}, result


@pytest.mark.parametrize("text,expected", [
    ("no fever", {("fever", "absent")}),
    ("denies numbness", {("numbness", "absent")}),
    ("I have not had any chills", {("chills", "absent")}),
    ("back pain without fever", {("low back pain", "present"), ("fever", "absent")}),
    ("never had a fever", {("fever", "absent")}),
    ("negative for fever", {("fever", "absent")}),
    ("I don't have any fever or chills", {("fever or chills", "absent")}),
    ("no fever, but I'm shivering", {("fever", "absent"), ("chills", "present")}),
    ("no fever and my back hurts", {("fever", "absent"), ("low back pain", "present")}),
])
def test_negation(knowledge, text, expected):
    assert read(knowledge, text)[0] == expected


def test_negation_inside_a_synonym_is_not_a_trigger(knowledge):
    found, _ = read(knowledge, "I haven't slept and I can't feel anything when I wipe")
    assert ("pain disturbing sleep", "present") in found
    assert ("saddle numbness", "present") in found  # the numbness half of the saddle red flag


def test_absence_phrases(knowledge):
    found, _ = read(knowledge, "Back pain. Bladder and bowels normal, legs strong, temperature normal.")
    assert found == {
        ("low back pain", "present"),
        ("changes in bowel or bladder function", "absent"),
        ("severe weakness in one or both legs", "absent"),
        ("fever", "absent"),
    }


def test_a_red_flag_needs_a_specific_phrase(knowledge):
    found, _ = read(knowledge, "bladder normal, my bladder is fine, I saw the bowel doctor")
    assert not any(status == "present" for _, status in found)
    assert ("changes in bladder function", "absent") in found


@pytest.mark.parametrize("text,expected", [
    ("my back hurts", {"low back pain"}),
    ("Hip and back ache", {"hip pain", "low back pain"}),
    ("my hips are stiff", {"hip stiffness"}),
    ("my hips and lower back are stiff and swollen", {"hip stiffness", "back stiffness", "hip swelling"}),
    ("pain in my lower back, hip and groin", {"low back pain", "hip pain", "groin pain"}),
    ("my inner thighs feel numb", {"numbness in the inner thighs"}),
    ("my back hurts and my legs are numb", {"low back pain", "numbness"}),
    ("hip pain and stiffness", {"hip pain", "hip stiffness"}),
    ("pain in my groin and hip", {"groin pain", "hip pain"}),
    ("pain radiating to my hip", {"pain radiating from the lower back into the hips"}),
    ("my back is killing me and my hips are puffed up", {"low back pain", "hip swelling"}),
])
def test_composition_of_kind_and_place(knowledge, text, expected):
    found, _ = read(knowledge, text)
    assert {label for label, status in found if status == "present"} == expected


@pytest.mark.parametrize("text,labels", [
    ("I wet myself", {"changes in bladder function"}),
    ("I can't really feel anything when I wipe", {"saddle numbness"}),
    ("I'm shivering", {"chills"}),
    ("my leg gives way", {"severe weakness in one or both legs"}),
    ("my leg feels unstable", {"leg instability"}),
    ("both my legs are weak", {"weakness in both legs"}),
    ("both legs are very weak", {"severe weakness in both legs"}),
    ("I cannot move my leg", {"inability to move the hip or leg"}),
])
def test_lay_phrasing(knowledge, text, labels):
    found, _ = read(knowledge, text)
    assert {label for label, status in found if status == "present"} == labels


def test_spans_point_into_the_text(knowledge):
    text = "Since this morning both legs are very weak."
    _, result = read(knowledge, text)
    (finding,) = result.findings
    start, end = finding.origin[0].span
    assert text[start:end] == "both legs are very weak"


@pytest.mark.parametrize("text,field,value", [
    ("for two days", "duration_days", 2),
    ("about five weeks now", "duration_days", 35),
    ("it's been a month", "duration_days", 30),
    ("for three months", "duration_days", 90),
    ("years of this", "duration_days", 730),
    ("since this morning", "duration_days", 0),
    ("a few weeks", "duration_days", 21),
    ("I'm 71; stiff", "age", 71),
    ("71 years old", "age", 71),
    ("aged 40", "age", 40),
    ("My 12-year-old son", "age", 12),
    ("my daughter is 12", "age", 12),
    ("my teenage son hurt his back", "age", 16),
    ("pain 7/10", "severity", 7),
    ("excruciating back pain", "severity", 7),
    ("the pain is not severe", "severity", None),
    ("8 out of 10", "severity", 8),
    ("not getting better", "improving_with_home_care", False),
    ("rest has not helped", "improving_with_home_care", False),
    ("getting better", "improving_with_home_care", True),
])
def test_values(knowledge, text, field, value):
    assert getattr(read(knowledge, text)[1].facts, field) == value


def test_an_age_is_not_a_duration(knowledge):
    facts = read(knowledge, "I'm 71 years old")[1].facts
    assert facts.age == 71 and facts.duration_days is None


def test_unrecognised_text_is_reported(knowledge):
    _, result = read(knowledge, "My back hurts. The weather is nice.")
    assert [u.input for u in result.unrecognized] == ["The weather is nice"]


def test_unrecognised_list_terms_are_reported(knowledge):
    result = triage({"findings": ["low back pain", "purple elbows"], "absent_findings": ["zzz"]}, knowledge)
    assert {(u.field, u.input) for u in result.unrecognized} == {("findings", "purple elbows"), ("absent_findings", "zzz")}


@pytest.mark.parametrize("term", ["hb:LowBackPain", HB + "LowBackPain", "LowBackPain", "LOW BACK PAIN", "lumbago", "Back Pain"])
def test_list_terms_by_iri_curie_label_or_synonym(knowledge, term):
    result = triage({"findings": [term]}, knowledge)
    assert [f.iri for f in result.findings] == [HB + "LowBackPain"]


@pytest.mark.parametrize("term,iri", [
    ("pain radiating to the hip", "PainRadiatingToHip"),
    ("weakness in both legs, severe", "SevereWeaknessInBothLegs"),
    ("pain in my hip", "HipPain"),
])
def test_list_terms_in_other_words(knowledge, term, iri):
    result = triage({"findings": [term]}, knowledge)
    assert [f.iri for f in result.findings] == [HB + iri]



def _store_with(tmp_path, extra: rdflib.Graph) -> EmbeddedStore:
    asserted, inferred = release_files()
    graph = rdflib.Graph().parse(asserted[0], format="nt")
    graph += extra
    path = tmp_path / "asserted.nt"
    graph.serialize(path, format="nt")
    return EmbeddedStore([(path, asserted[1]), inferred])


def test_a_synonym_added_to_the_ontology_teaches_the_annotator(knowledge, tmp_path):
    phrase = "my lumbar region is on fire"
    assert not read(knowledge, phrase)[0] & {("low back pain", "present")}
    extra = rdflib.Graph()
    extra.add((URIRef(HB + "LowBackPain"), SKOS.altLabel, Literal("lumbar region is on fire", lang="en")))
    taught = Knowledge.load(_store_with(tmp_path, extra))
    assert ("low back pain", "present") in read(taught, phrase)[0]


def test_a_rule_added_to_the_ontology_fires_without_code_changes(knowledge, tmp_path):
    rule = """
    @prefix hb: <https://w3id.org/hipback/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    hb:VeryOldWithStiffnessCase a owl:Class ; rdfs:label "very old with stiffness"@en ;
      owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( hb:PatientCase
        [ a owl:Restriction ; owl:onProperty hb:ageYears ; owl:someValuesFrom [ a rdfs:Datatype ;
            owl:onDatatype xsd:integer ; owl:withRestrictions ( [ xsd:minExclusive 90 ] ) ] ]
        [ a owl:Restriction ; owl:onProperty hb:hasFinding ; owl:someValuesFrom
            [ a owl:Class ; owl:intersectionOf ( hb:Finding [ a owl:Restriction ; owl:onProperty hb:hasLocation ;
              owl:someValuesFrom hb:Hip ] ) ] ] ) ] ;
      hb:assignsUrgency hb:Urgent .
    """
    extended = Knowledge.load(_store_with(tmp_path, rdflib.Graph().parse(data=rule, format="turtle")))
    case = {"findings": ["hip stiffness"], "age": 95}
    assert triage(case, knowledge).urgency.level == "self_care"
    answer = triage(case, extended)
    assert answer.urgency.level == "urgent"
    assert HB + "VeryOldWithStiffnessCase" in [r.rule for r in answer.urgency.reasons]
    assert triage({"findings": ["stiffness"], "age": 95}, extended).urgency.level != "urgent"
    assert triage({"findings": ["hip stiffness"], "age": 90}, extended).urgency.level == "self_care"


@pytest.mark.slow
def test_a_remote_store_gives_the_same_knowledge(knowledge):
    """The knowledge is compiled through Store.select, so a SPARQL server gives the same answers."""
    from sparql_servers import OxigraphServer

    from hipback.sparql.commands import load_remote
    from hipback.store import RemoteStore

    server = OxigraphServer()
    try:
        load_remote(server.store_url)
        remote = Knowledge.load(RemoteStore(server.query_url))
    finally:
        server.stop()
    assert remote.version == knowledge.version
    assert remote.findings == knowledge.findings and remote.red_flags == knowledge.red_flags
    assert {iri: (r.level.code, r.definitions) for iri, r in remote.rules.items()} == \
        {iri: (r.level.code, r.definitions) for iri, r in knowledge.rules.items()}
    assert remote.compositions == knowledge.compositions
    assert remote.characteristic == knowledge.characteristic
    case = {"text": "Low back pain that shoots down my leg for five weeks, not getting better", "age": 50}
    assert triage(case, remote).to_dict() == triage(case, knowledge).to_dict()


def test_the_care_a_level_recommends_comes_from_the_ontology(knowledge, tmp_path):
    case = {"findings": ["low back pain"], "duration_days": 1, "age": 30}
    before = {r.iri for r in triage(case, knowledge).recommendations}
    assert {HB + "Rest", HB + "HeatTherapy", HB + "ColdTherapy"} <= before
    assert HB + "MassageTherapy" not in before
    extra = rdflib.Graph()
    extra.add((URIRef(HB + "SelfCare"), URIRef(HB + "recommendsCareAction"), URIRef(HB + "MassageTherapy")))
    taught = Knowledge.load(_store_with(tmp_path, extra))
    after = triage(case, taught).recommendations
    assert HB + "MassageTherapy" in {r.iri for r in after}
    massage = next(r for r in after if r.iri == HB + "MassageTherapy")
    assert [c.iri for c in massage.cautions] == [HB + "BestInDoctorRecommendedPlan"]


def test_accents_and_curly_apostrophes_read_as_plain_letters(knowledge):
    """The reader folds text with the one normaliser (text.fold): accents off, spans kept."""
    plain = annotate("I can't feel my bum and I have sciatica down my leg", knowledge)
    typed = annotate("I can’t feel my búm and I have sciática down my leg", knowledge)

    def spans(result):
        return [(f.iri, f.status, [o.span for o in f.origin]) for f in result.findings]

    assert spans(plain) == spans(typed) and plain.findings
    # a decomposed text (an accent as its own combining character, NFD) reads the same as a composed one
    import unicodedata

    composed = annotate("saddle numbnéss and I can’t control my bladder", knowledge)
    decomposed = annotate(unicodedata.normalize("NFD", "saddle numbnéss and I can’t control my bladder"), knowledge)
    assert {f.iri for f in composed.findings} == {f.iri for f in decomposed.findings}
    assert HB + "SaddleNumbness" in {f.iri for f in decomposed.findings}
