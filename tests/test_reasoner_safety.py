"""Safety properties of triage, checked on many generated cases, and the answer's contract."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipback.reasoner import Knowledge, triage
from hipback.reasoner.knowledge import HB
from hipback.store import EmbeddedStore

KNOWLEDGE = Knowledge.load(EmbeddedStore())
FINDINGS = sorted(KNOWLEDGE.findings)
RED_FLAGS = sorted(KNOWLEDGE.red_flags)
BENIGN = sorted(KNOWLEDGE.findings - KNOWLEDGE.red_flags)
COMPLAINTS = sorted(f for f in KNOWLEDGE.findings if KNOWLEDGE.is_a(f, HB + "BackOrHipComplaint"))
NON_COMPLAINTS = sorted(set(BENIGN) - set(COMPLAINTS) - {HB + "Finding"})
SAFE = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

values = {
    "duration_days": st.one_of(st.none(), st.integers(0, 2000)),
    "severity": st.one_of(st.none(), st.integers(0, 10)),
    "improving_with_home_care": st.one_of(st.none(), st.booleans()),
}


def case(**parts):
    return {k: v for k, v in parts.items() if v not in (None, [])}


@SAFE
@given(flag=st.sampled_from(RED_FLAGS), benign=st.lists(st.sampled_from(BENIGN), max_size=6, unique=True),
       age=st.one_of(st.none(), st.integers(0, 110)), **values)
def test_any_red_flag_means_emergency(flag, benign, age, duration_days, severity, improving_with_home_care):
    answer = triage(case(findings=[flag] + benign, age=age, duration_days=duration_days, severity=severity,
                         improving_with_home_care=improving_with_home_care), KNOWLEDGE)
    assert answer.urgency.level == "emergency"
    assert HB + "RedFlagCase" in [r.rule for r in answer.urgency.reasons]
    assert [r.iri for r in answer.recommendations] == [HB + "DoctorEvaluation"]  # no home remedies


@SAFE
@given(st.lists(st.sampled_from(RED_FLAGS), min_size=1, max_size=6, unique=True))
def test_denied_red_flags_never_fire(denied):
    answer = triage({"findings": ["low back pain"], "absent_findings": denied, "duration_days": 2}, KNOWLEDGE)
    assert answer.urgency.level == "self_care"


@SAFE
@given(age=st.integers(0, 17), findings=st.lists(st.sampled_from(BENIGN), max_size=5, unique=True), **values)
def test_a_child_is_never_self_care(age, findings, duration_days, severity, improving_with_home_care):
    answer = triage(case(findings=findings, age=age, duration_days=duration_days, severity=severity,
                         improving_with_home_care=improving_with_home_care), KNOWLEDGE)
    assert answer.urgency.level != "self_care"
    assert HB + "ChildCase" in [r.rule for r in answer.urgency.reasons]


@SAFE
@given(findings=st.lists(st.sampled_from(NON_COMPLAINTS), max_size=4, unique=True), **values)
def test_no_hip_or_back_complaint_is_never_self_care(findings, duration_days, severity, improving_with_home_care):
    answer = triage(case(findings=findings, duration_days=duration_days, severity=severity,
                         improving_with_home_care=improving_with_home_care), KNOWLEDGE)
    assert answer.urgency.level != "self_care"


def test_an_empty_case_goes_to_a_clinician_with_the_fallback_rule():
    answer = triage({}, KNOWLEDGE)
    assert answer.urgency.level == "routine"
    (reason,) = answer.urgency.reasons
    assert reason.rule == HB + "OutOfScopeCase"
    assert reason.source.excerpts and reason.facts[0].kind == "fallback"


def test_text_without_a_complaint_is_not_self_care():
    assert triage({"text": "I have a headache and a sore throat"}, KNOWLEDGE).urgency.level != "self_care"


def test_reasons_carry_rule_facts_and_sources():
    answer = triage({"findings": ["low back pain"], "severity": 8, "duration_days": 30}, KNOWLEDGE)
    assert answer.urgency.level == "urgent"
    by_rule = {r.rule: r for r in answer.urgency.reasons}
    severe = by_rule[HB + "SeverePainCase"]
    assert severe.facts[0].value == 8 and ">= 7" in severe.facts[0].description
    assert severe.source.section and severe.source.excerpts and severe.source.interpretation and severe.source.external
    assert HB + "PersistentPainCase" in by_rule


def test_red_flag_case_candidates_show_the_external_source():
    answer = triage({"text": "back pain and I can't feel anything when I wipe"}, KNOWLEDGE)
    assert answer.candidates[0].iri == HB + "CaudaEquinaSyndrome"
    assert any("Finucane" in ref for ref in answer.candidates[0].source.external)


def test_candidates_are_leaf_conditions_explained():
    answer = triage({"findings": ["low back pain", "recent injury"], "duration_days": 1}, KNOWLEDGE)
    labels = [c.label for c in answer.candidates]
    assert {"strain", "sprain"} <= set(labels[:2]) and "strain or sprain" not in labels
    top = answer.candidates[0]
    assert {s["label"] for s in top.supporting_findings} == {"low back pain", "recent injury"}
    assert [m.label for m in top.characteristic_findings_not_reported] == ["hip pain"]


def test_a_rare_finding_outweighs_a_shared_one():
    answer = triage({"findings": ["low back pain", "pain radiating from the lower back into the hips"]}, KNOWLEDGE)
    assert answer.candidates[0].label == "lumbar herniated disc"
    assert answer.candidates[0].score > 2 * answer.candidates[1].score


def test_self_care_recommendations_with_cautions():
    answer = triage({"findings": ["low back pain"], "duration_days": 2, "age": 40}, KNOWLEDGE)
    by_iri = {r.iri: r for r in answer.recommendations}
    for action in ("Rest", "GentleStretching", "HeatTherapy", "ColdTherapy", "OverTheCounterPainMedication"):
        assert HB + action in by_iri
    assert HB + "AvoidProlongedBedRest" in [c.iri for c in by_iri[HB + "Rest"].cautions]
    assert HB + "DoesNotFixUnderlyingCause" in [c.iri for c in by_iri[HB + "OverTheCounterPainMedication"].cautions]
    assert all(r.source.section for r in answer.recommendations)


def test_emergency_recommends_a_doctor_and_no_home_care():
    answer = triage({"findings": ["fever", "low back pain"]}, KNOWLEDGE)
    assert [r.iri for r in answer.recommendations] == [HB + "DoctorEvaluation"]
    assert "infection" in answer.recommendations[0].advice


def test_condition_specific_care():
    answer = triage({"findings": ["low back pain", "hunched sitting posture"], "duration_days": 2}, KNOWLEDGE)
    assert HB + "PostureCorrection" in [r.iri for r in answer.recommendations]


@pytest.mark.parametrize("body,field", [
    ({"colour": "red"}, "colour"),
    ({"findings": "x", "age": "forty"}, "age"),
    ({"findings": [1]}, "findings"),
    ({"absent_findings": {"a": 1}}, "absent_findings"),
    ({"text": 5}, "text"),
    ({"duration_days": -1}, "duration_days"),
    ({"duration_days": 2.5}, "duration_days"),
    ({"severity": 11}, "severity"),
    ({"severity": True}, "severity"),
    ({"age": 200}, "age"),
    ({"improving_with_home_care": "yes"}, "improving_with_home_care"),
    ({"findings": ["fever"], "absent_findings": ["fever"]}, "absent_findings"),
    ({"findings": ["low back pain"], "absent_findings": ["pain"]}, "absent_findings"),
])
def test_validation_errors_are_400_naming_the_field(client, body, field):
    response = client.post("/api/triage", json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["ok"] is False and payload["status"] == 400 and payload["field"] == field


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_an_object_is_400(client, data):
    response = client.post("/api/triage", data=data, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["field"] == "body"


def test_annotate_endpoint(client):
    response = client.post("/api/annotate", json={"text": "No fever, but my back hurts"})
    assert response.status_code == 200
    body = response.get_json()
    assert {(f["label"], f["status"]) for f in body["findings"]} == {("fever", "absent"), ("low back pain", "present")}
    assert client.post("/api/annotate", json={}).get_json()["field"] == "text"
    assert client.post("/api/annotate", json={"text": "x", "age": 3}).get_json()["field"] == "age"


def test_findings_endpoint(client):
    body = client.get("/api/findings").get_json()
    by_iri = {f["iri"]: f for f in body["findings"]}
    assert body["count"] == len(KNOWLEDGE.findings)
    assert by_iri[HB + "Chills"]["red_flag"] is True and "shivering" in by_iri[HB + "Chills"]["synonyms"]
    assert by_iri[HB + "LowBackPain"]["red_flag"] is False


def test_triage_answer_shape(client):
    body = client.post("/api/triage", json={"text": "my back hurts for two days"}).get_json()
    assert list(body) == ["ok", "urgency", "candidates", "findings", "facts", "unrecognized", "recommendations",
                          "disclaimer", "ontology_version", "questions", "complete", "provisional",
                          "red_flags_to_check", "safety_net", "withheld"]
    assert body["ontology_version"].startswith(HB + "releases/")
    origin = body["findings"][0]["origin"][0]
    assert origin["span"] == [3, 13] and origin["matched"] == "back hurts" and origin["parts"] == [[3, 7], [8, 13]]


def test_a_text_that_denies_and_reports_a_red_flag_is_read_as_reporting_it():
    answer = triage({"text": "No fever. Back pain, and now I have a fever."}, KNOWLEDGE)
    assert answer.urgency.level == "emergency"
    assert any("read as present" in u.reason for u in answer.unrecognized)


@SAFE
@given(text=st.text(max_size=300) | st.lists(st.sampled_from(
    "no not fever back pain hip hurts , . ; and but legs very weak numb inner thighs for 3 weeks I'm 71 7/10 "
    "can't feel wipe bladder normal strong getting better".split()), max_size=40).map(" ".join))
def test_any_text_gets_an_answer_with_spans_inside_it(text):
    answer = triage({"text": text}, KNOWLEDGE)
    assert answer.urgency.level in {"emergency", "urgent", "routine", "self_care"}
    for finding in answer.findings:
        for origin in finding.origin:
            start, end = origin.span
            assert 0 <= start < end <= len(text) and text[start:end] == origin.matched


def test_spans_survive_characters_that_lowercase_to_two():
    text = "\u0130\u0130 back pain and fever"
    answer = triage({"text": text}, KNOWLEDGE)
    assert {f.origin[0].matched for f in answer.findings} == {"back pain", "fever"}


def test_overlong_terms_and_huge_numbers_are_refused_briefly():
    from hipback.reasoner.model import Case, CaseError

    with pytest.raises(CaseError) as error:
        Case.from_dict({"findings": ["x" * 201]})
    assert error.value.field == "findings"
    with pytest.raises(CaseError) as error:
        Case.from_dict({"age": 1e308})
    assert error.value.field == "age" and len(str(error.value)) < 120


def test_a_score_past_the_top_of_the_scale_reads_as_the_top():
    answer = triage({"text": "my back pain is 11/10"}, KNOWLEDGE)
    assert answer.urgency.level == "urgent"


def test_a_body_that_is_not_json_is_415(client):
    response = client.post("/api/triage", data='{"text": "back pain"}', content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["field"] == "body"
    assert client.post("/api/triage", json={"text": "back pain"}).status_code == 200
