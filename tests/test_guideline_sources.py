"""Beyond the article: guideline red flags, medicine cautions, and sources as data.

Every new rule fires on its case from structured findings and from words; every caution removes its care
action for a matching case and the answer says why; every term resting on another source cites it and
copies none of it; the QC check fails on a rule without a source; /sources and the saved query show
what rests on each source; where sources disagree, the term and the answer say so.
"""
from __future__ import annotations

import pytest
import rdflib

from hipback import config
from hipback.qc import run as run_checks
from hipback.reasoner import Knowledge, triage
from hipback.reasoner.knowledge import HB
from hipback.store import EmbeddedStore

KNOWLEDGE = Knowledge.load(EmbeddedStore())
ARTICLE = HB + "SourceArticle"


def level(case) -> str:
    return triage(case, KNOWLEDGE).urgency.level


def rules(case) -> set[str]:
    return {r.rule.rsplit("/", 1)[1] for r in triage(case, KNOWLEDGE).urgency.reasons}


@pytest.mark.parametrize("finding, text", [
    ("HistoryOfCancer", "Lower back pain for 4 days. I had breast cancer six years ago."),
    ("UnintentionalWeightLoss", "My back has ached for 3 days and I've lost weight without trying."),
    ("MajorTrauma", "Sore lower back since a car crash on Saturday."),
    ("LongTermSteroidUse", "Back pain two days; I've been on steroid tablets for my lungs for years."),
    ("Immunosuppression", "Hip and back pain for 3 days, I'm on immunosuppressants after a transplant."),
    ("InjectedDrugUse", "back pain 3 days, I inject drugs"),
    ("RecentInfection", "Back ache since Monday, I had a water infection last week."),
    ("NightPainNotEasedByRest", "My lower back hurts, worse at night and rest does not help, 5 days."),
])
def test_a_guideline_risk_factor_with_back_pain_is_urgent(finding, text):
    structured = {"findings": ["LowBackPain", finding], "duration_days": 3}
    assert level(structured) == "urgent" and "SeriousCauseRiskCase" in rules(structured)
    assert level({"text": text}) == "urgent", text
    answer = triage(structured, KNOWLEDGE)
    reason = next(r for r in answer.urgency.reasons if r.rule.endswith("SeriousCauseRiskCase"))
    assert reason.source.document and not reason.source.document.primary


@pytest.mark.parametrize("finding, text", [
    ("LegWeakness", "I had bowel cancer two years ago; now my back aches and my left leg feels weak."),
    ("Numbness", "History of prostate cancer. Back pain for a week and my feet have gone numb."),
])
def test_cancer_history_with_nerve_symptoms_is_an_emergency(finding, text):
    assert level({"findings": ["LowBackPain", "HistoryOfCancer", finding]}) == "emergency"
    assert level({"text": text}) == "emergency"
    assert "CancerHistoryNeurologicalCase" in rules({"text": text})


@pytest.mark.parametrize("text", [
    "Back pain for two days. My mum had cancer.",
    "Back ache 3 days, worried it might be cancer.",
    "Sore back for 2 days after gardening, I'm not on any steroids and I've never had cancer.",
])
def test_risk_factors_of_someone_else_feared_or_denied_do_not_count(text):
    assert level({"text": text}) == "self_care", text


@pytest.mark.parametrize("finding, text", [
    ("Pregnancy", "back pain for 2 days, I'm 24 weeks pregnant"),
    ("TakingBloodThinners", "lower back ache 2 days, I'm on warfarin"),
    ("StomachUlcer", "back pain since yesterday, I had a stomach ulcer last year"),
    ("KidneyDisease", "hip pain 2 days, I have chronic kidney disease"),
    ("HeartFailure", "back pain 3 days, I have heart failure"),
    ("AsthmaWorsenedByPainkillers", "back pain 2 days, I'm allergic to ibuprofen"),
])
def test_a_caution_removes_ibuprofen_and_says_why(finding, text):
    for case in ({"findings": ["LowBackPain", finding], "duration_days": 2}, {"text": text}):
        answer = triage(case, KNOWLEDGE)
        assert answer.urgency.level == "self_care"
        offered = [r.iri for r in answer.recommendations]
        assert HB + "OverTheCounterPainMedication" not in offered, case
        withheld = [w for w in answer.withheld if w.iri == HB + "OverTheCounterPainMedication"]
        assert withheld and withheld[0].why and withheld[0].source.document, case
        assert KNOWLEDGE.is_a(withheld[0].finding.iri, HB + "ReasonToAvoidAntiInflammatories")
    plain = triage({"findings": ["LowBackPain"], "duration_days": 2}, KNOWLEDGE)
    assert HB + "OverTheCounterPainMedication" in [r.iri for r in plain.recommendations]
    assert not plain.withheld


def test_no_heat_on_a_hot_swollen_joint():
    answer = triage({"text": "my hip is hot and swollen and has ached for a week"}, KNOWLEDGE)
    assert HB + "HeatTherapy" not in [r.iri for r in answer.recommendations]
    assert [w.iri for w in answer.withheld] == [HB + "HeatTherapy"]


def test_the_interview_asks_the_cautions_of_the_care_it_gives():
    answer = triage({"findings": ["LowBackPain"], "duration_days": 2}, KNOWLEDGE)
    cautions = [q.finding.iri for q in answer.questions if q.kind == "caution"]
    assert HB + "ReasonToAvoidAntiInflammatories" in cautions
    assert HB + "SeriousCauseRiskFactor" in [q.finding.iri for q in answer.questions if q.kind == "level"]


@pytest.fixture(scope="module")
def source_graph():
    return rdflib.Graph().parse(config.ROOT / "ontology" / "hipback-edit.ttl")


def test_every_term_on_another_source_cites_it_and_copies_nothing(source_graph):
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    hb = rdflib.Namespace(HB)
    guideline_terms = [t for t, s in source_graph.subject_objects(dcterms.source)
                       if isinstance(t, rdflib.URIRef) and s != rdflib.URIRef(ARTICLE)]
    assert len(guideline_terms) >= 25
    for term in guideline_terms:
        document = source_graph.value(term, dcterms.source)
        assert source_graph.value(document, dcterms.title), document
        assert (document, rdflib.URIRef("http://xmlns.com/foaf/0.1/page"), None) in source_graph, document
        assert source_graph.value(term, hb.sourceExcerpt) is None, f"{term} quotes a source other than the article"


def test_qc_fails_on_a_rule_without_a_source(source_graph):
    graph = rdflib.Graph()
    for triple in source_graph:
        graph.add(triple)
    rule = rdflib.URIRef(HB + "SeriousCauseRiskCase")
    graph.remove((rule, rdflib.URIRef("http://purl.org/dc/terms/source"), None))
    caution = rdflib.URIRef(HB + "NoHeatOnHotSwollenJoint")
    graph.remove((caution, rdflib.URIRef(HB + "sourceSection"), None))
    failures = {v.check: v.rows for v in run_checks(graph)}
    flagged = {row["term"] for row in failures.get("missing-source-violation", [])}
    assert {str(rule), str(caution)} <= flagged


def test_sources_page_and_api_say_what_rests_on_each(client):
    data = client.get("/api/sources").get_json()
    by_iri = {s["iri"]: s for s in data["sources"]}
    assert by_iri[ARTICLE]["primary"] and by_iri[ARTICLE]["counts"]["terms"] > 100
    nice = by_iri[HB + "SourceNICEMSCCSummary"]
    assert nice["url"].startswith("http") and "CancerHistoryNeurologicalCase" in str(nice["terms"])
    assert all(s["counts"]["terms"] + s["counts"]["statements"] > 0 for s in data["sources"])
    page = client.get("/sources").get_data(as_text=True)
    assert "primary source" in page and "Spinal metastases" in page
    rows = client.get("/queries/facts-by-source.json").get_json()["rows"]
    only_guidelines = {r["fact"] for r in rows if r["source"] != ARTICLE}
    assert HB + "SeriousCauseRiskCase" in only_guidelines


def test_where_sources_disagree_the_term_and_the_answer_say_so(client):
    term = client.get("/api/terms/TinglingInBacksOfLegs").get_json()
    assert any(a["property"]["curie"] == "hb:sourceDisagreement" for a in term["annotations"])
    assert "Where sources differ" in client.get("/term/TinglingInBacksOfLegs.html").get_data(as_text=True)
    answer = client.post("/api/triage", json={"text": "back pain, tingling down the back of my thigh"}).get_json()
    assert answer["urgency"]["level"] == "emergency"  # the rules follow the more cautious source
    assert any("sciatica" in f.get("disagreement", "") for f in answer["findings"])


@pytest.mark.parametrize("rule, structured, text", [
    ("FallInOlderPersonCase", {"findings": ["LowBackPain", "Fall"], "age": 72},
     "I'm 72 and slipped on the wet bathroom floor on Sunday, lower back sore since"),
    ("FallInOlderPersonCase", {"findings": ["HipPain", "Fall"], "age": 81},
     "My mum (81) took a tumble in the garden and now her hip hurts but she can walk"),
    ("InjuryWithOsteoporosisCase", {"findings": ["LowBackPain", "Osteoporosis", "RecentBackInjury"]},
     "I have osteoporosis and hurt my back lifting a box of books"),
    ("LimpingChildCase", {"findings": ["HipPain", "Limp"], "age": 6, "duration_days": 3},
     "my 6 year old has been limping for 3 days and says his hip hurts"),
])
def test_a_fall_osteoporosis_or_a_limping_child_is_urgent(rule, structured, text):
    for case in (structured, {"text": text}):
        answer = triage(case, KNOWLEDGE)
        assert answer.urgency.level == "urgent", case
        reason = next(r for r in answer.urgency.reasons if r.rule == HB + rule)
        assert reason.source.document and not reason.source.document.primary


def test_back_pain_first_starting_over_50_is_routine_and_under_it_self_care():
    assert rules({"findings": ["LowBackPain", "FirstEpisodeOfBackPain"], "age": 62}) >= {"OnsetAgeRiskCase"}
    assert level({"text": "back pain started last week, I'm 62 and never had back trouble before"}) == "routine"
    assert level({"findings": ["LowBackPain", "FirstEpisodeOfBackPain"], "age": 35, "duration_days": 2}) == "self_care"
    assert level({"findings": ["LowBackPain", "FirstEpisodeOfBackPain"], "age": 19, "duration_days": 2}) == "routine"


@pytest.mark.parametrize("text", [
    "I fell asleep on the sofa and my back aches a bit today, I'm 70",   # asleep, not a fall
    "Sore back for 2 days after a road trip, I'm 66",                   # a trip, not a fall
    "I'm 35, slipped on the stairs yesterday, back a bit sore",          # a fall, but not an older person
])
def test_words_like_a_fall_that_are_not_one_or_not_at_that_age(text):
    assert level({"text": text}) == "self_care", text


def test_the_limp_rule_waits_for_two_days_and_the_child_rule_still_holds():
    assert level({"findings": ["HipPain", "Limp"], "age": 6, "duration_days": 1}) == "routine"
    assert level({"findings": ["HipPain", "Limp"], "age": 40, "duration_days": 5}) == "self_care"


def test_pregnancy_weeks_say_pregnant_and_are_not_how_long_the_pain_lasted():
    for case in ({"findings": ["LowBackPain"], "duration_days": 2, "pregnancy_weeks": 24},
                 {"text": "I'm 24 weeks pregnant and my lower back has ached for 2 days"},
                 {"text": "I'm 30 weeks and the baby is sitting on a nerve, back pain since yesterday"}):
        answer = triage(case, KNOWLEDGE)
        assert answer.urgency.level == "self_care", case
        assert answer.facts.pregnancy_weeks in (24, 30)
        assert HB + "Pregnancy" in [f.iri for f in answer.findings if f.status == "present"]
        withheld = next(w for w in answer.withheld if w.iri == HB + "OverTheCounterPainMedication")
        # the most specific caution names why, with the weeks
        assert withheld.caution.iri == HB + "NoAntiInflammatoriesInPregnancy"
        assert f"({answer.facts.pregnancy_weeks} weeks)" in withheld.why
    with pytest.raises(Exception):
        triage({"findings": ["LowBackPain"], "pregnancy_weeks": 60}, KNOWLEDGE)


def test_api_takes_pregnancy_weeks(client):
    answer = client.post("/api/triage", json={"findings": ["LowBackPain"], "pregnancy_weeks": 22})
    assert answer.status_code == 200 and answer.json["facts"]["pregnancy_weeks"] == 22
    bad = client.post("/api/triage", json={"findings": ["LowBackPain"], "pregnancy_weeks": "many"})
    assert bad.status_code == 400 and bad.json["ok"] is False and bad.json["field"] == "pregnancy_weeks"
