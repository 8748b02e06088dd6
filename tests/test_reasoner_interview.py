"""The interview: questions before reassurance, derived from the ontology, answered statelessly."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from hipback.reasoner import Knowledge, triage
from hipback.reasoner.knowledge import HB
from hipback.store import EmbeddedStore
from hipback.store import release_files

KNOWLEDGE = Knowledge.load(EmbeddedStore())
CASES = Path(__file__).parent / "data" / "triage-language"
ARTICLE_FLAGS = [HB + n for n in ("ChangeInBowelOrBladderFunction", "SaddleNumbnessOrTingling", "SevereLegWeakness",
                                  "InabilityToMoveHipOrLeg", "FeverOrChills", "SuddenHipSwelling")]


def asked(answer, kind=None):
    return [q.finding.iri for q in answer.questions if kind is None or q.kind == kind]


def test_the_red_flags_asked_are_the_most_general_ones_in_priority_order():
    assert KNOWLEDGE.red_flag_questions == ARTICLE_FLAGS
    for iri in KNOWLEDGE.red_flag_questions:
        assert KNOWLEDGE.term(iri).note("question"), f"{iri} has no hb:question"


def test_a_case_that_asks_nothing_is_provisional_and_never_home_care_alone():
    answer = triage({"text": "my lower back is sore since yesterday"}, KNOWLEDGE)
    assert answer.urgency.level == "self_care"
    assert not answer.complete and answer.provisional
    assert asked(answer, "red_flag") == ARTICLE_FLAGS
    assert [c.finding.iri for c in answer.red_flags_to_check] == ARTICLE_FLAGS
    assert all(c.advice and c.text.endswith("?") for c in answer.red_flags_to_check)
    assert "immediate medical attention" in answer.safety_net
    # the red flags first, then the findings that would raise the level, then at most one candidate question
    kinds = [q.kind for q in answer.questions]
    assert kinds == sorted(kinds, key=["red_flag", "level", "caution", "candidate"].index)
    assert kinds.count("candidate") <= 1
    assert {q.if_yes for q in answer.questions if q.kind == "red_flag"} == {"emergency"}
    assert {q.if_yes for q in answer.questions if q.kind == "level"} == {"urgent"}  # duration known: 1 day
    assert {q.if_yes for q in answer.questions if q.kind == "caution"} == {"self_care"}  # never changes the level


def test_answering_every_question_no_completes_the_case():
    case = {"text": "my lower back is sore since yesterday"}
    for _ in range(4):
        answer = triage(case, KNOWLEDGE)
        if answer.complete:
            break
        case["absent_findings"] = case.get("absent_findings", []) + [
            q.finding.iri for q in answer.questions if q.kind != "candidate"]
    assert answer.complete and not answer.provisional and answer.urgency.level == "self_care"
    assert not answer.red_flags_to_check and answer.safety_net is None
    assert set(ARTICLE_FLAGS) <= set(case["absent_findings"])


@pytest.mark.parametrize("flag", ARTICLE_FLAGS)
def test_a_yes_to_a_red_flag_question_is_an_emergency_and_complete(flag):
    answer = triage({"text": "my lower back is sore since yesterday", "findings": [flag]}, KNOWLEDGE)
    assert answer.urgency.level == "emergency" and answer.complete and not answer.provisional
    assert not asked(answer, "red_flag") and not asked(answer, "level")


def test_an_urgent_case_asks_the_red_flags_but_is_not_provisional():
    answer = triage({"findings": ["LowBackPain"], "severity": 8}, KNOWLEDGE)
    assert answer.urgency.level == "urgent"
    assert not answer.complete and not answer.provisional
    assert asked(answer, "red_flag") == ARTICLE_FLAGS and not asked(answer, "level")


def test_a_known_pain_score_answers_the_severe_pain_question():
    unknown = triage({"findings": ["LowBackPain"], "duration_days": 2}, KNOWLEDGE)
    scored = triage({"findings": ["LowBackPain"], "duration_days": 2, "severity": 3}, KNOWLEDGE)
    assert HB + "SeverePain" in asked(unknown, "level")
    assert HB + "SeverePain" not in asked(scored)
    assert triage({"findings": ["LowBackPain", HB + "SeverePain"]}, KNOWLEDGE).urgency.level == "urgent"


def test_a_known_duration_answers_the_persistent_pain_question():
    assert HB + "PersistentPain" in asked(triage({"findings": ["LowBackPain"]}, KNOWLEDGE), "level")
    assert HB + "PersistentPain" not in asked(triage({"findings": ["LowBackPain"], "duration_days": 3}, KNOWLEDGE))


def test_one_answer_covers_both_findings_of_a_union_question():
    no = triage({"findings": ["LowBackPain"], "absent_findings": [HB + "PainAffectingMovementOrSleep"]}, KNOWLEDGE)
    assert HB + "PainAffectingMovementOrSleep" not in asked(no)
    assert triage({"findings": ["LowBackPain", "can't sleep"]}, KNOWLEDGE).urgency.level == "urgent"
    assert HB + "PainAffectingMovementOrSleep" not in asked(triage({"findings": ["LowBackPain", "can't sleep"]},
                                                                   KNOWLEDGE))


def test_a_denied_narrower_finding_leaves_its_red_flag_open():
    answer = triage({"findings": ["LowBackPain"], "absent_findings": ["NumbnessInButtocks"]}, KNOWLEDGE)
    assert HB + "SaddleNumbnessOrTingling" in asked(answer, "red_flag")
    # and is no contradiction beside a present sibling
    both = triage({"absent_findings": ["NumbnessInButtocks"], "findings": ["TinglingInBacksOfLegs"]}, KNOWLEDGE)
    assert both.urgency.level == "emergency"


def test_weakness_in_both_legs_is_answered_by_the_leg_weakness_question():
    assert KNOWLEDGE.is_a(HB + "WeaknessInBothLegs", HB + "SevereLegWeakness")
    answer = triage({"findings": ["LowBackPain"], "absent_findings": [HB + "SevereLegWeakness"]}, KNOWLEDGE)
    assert not any(KNOWLEDGE.is_a(q, HB + "SevereLegWeakness") for q in asked(answer))


def test_a_red_flag_added_to_the_ontology_is_asked_with_no_code_change(tmp_path):
    asserted, inferred = release_files()
    graph = rdflib.Graph().parse(asserted[0], format="nt")
    graph.parse(format="turtle", data="""
        @prefix hb: <https://w3id.org/hipback/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        hb:NightSweats a owl:Class ; rdfs:subClassOf hb:RedFlag ; rdfs:label "night sweats"@en ;
          hb:question "Do you wake up soaked in sweat?"@en ; hb:questionPriority 0 .""")
    path = tmp_path / "asserted.nt"
    graph.serialize(path, format="nt")
    extended = Knowledge.load(EmbeddedStore([(path, asserted[1]), inferred]))
    answer = triage({"findings": ["LowBackPain"], "duration_days": 2}, extended)
    assert answer.questions[0].finding.iri == HB + "NightSweats"
    assert answer.questions[0].text == "Do you wake up soaked in sweat?"
    assert triage({"findings": ["LowBackPain", HB + "NightSweats"]}, extended).urgency.level == "emergency"


def test_api_answer_carries_the_interview(client):
    body = client.post("/api/triage", json={"text": "back ache for 2 days"}).get_json()
    assert body["provisional"] is True and body["complete"] is False
    question = body["questions"][0]
    assert set(question) >= {"finding", "text", "kind", "if_yes"} and question["kind"] == "red_flag"
    again = client.post("/api/triage", json={"text": "back ache for 2 days",
                                             "findings": [question["finding"]["iri"]]}).get_json()
    assert again["urgency"]["level"] == "emergency" and again["complete"] is True


def test_triage_page_asks_the_questions_as_a_form_without_javascript(client):
    page = client.get("/triage?text=back+ache+for+2+days").get_data(as_text=True)
    assert 'id="questions-form"' in page and 'id="provisional"' in page
    assert 'name="answer-SaddleNumbnessOrTingling" value="yes"' in page
    assert '<input type="hidden" name="text" value="back ache for 2 days">' in page
    answered = client.get("/triage.json?text=back+ache+for+2+days&answer-SaddleNumbnessOrTingling=yes").get_json()
    assert answered["result"]["urgency"]["level"] == "emergency"
    no = "&".join(f"answer-{iri.rsplit('/', 1)[1]}=no" for iri in ARTICLE_FLAGS)
    denied = client.get(f"/triage.json?text=back+ache+for+2+days&{no}").get_json()["result"]
    assert "red_flags_to_check" in denied and not denied["red_flags_to_check"]
    assert "red flags" not in denied["safety_net"]  # only the level questions are left
    unsure = client.get("/triage.json?text=back+ache+for+2+days&answer-SaddleNumbnessOrTingling=").get_json()
    assert unsure["result"]["provisional"] is True
    bad = client.get("/triage.json?text=back&answer-SaddleNumbnessOrTingling=perhaps")
    assert bad.status_code == 400 and bad.get_json()["field"] == "findings"


def test_cli_asks_the_questions_in_the_terminal():
    from hipback.reasoner.cli import triage_command

    result = CliRunner().invoke(triage_command, ["--text", "back ache for 2 days", "--ask"],
                                input="n\n" * 6 + "y\n")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout[result.stdout.index("{"):])
    assert answer["urgency"]["level"] == "urgent" and answer["complete"] is True
    assert "Is there any numbness or tingling between your legs" in result.stderr


def _blind_cases():
    for name in ("set-a.jsonl", "set-b.jsonl"):
        for line in (CASES / name).read_text().splitlines():
            if line.strip():
                yield json.loads(line)


def test_no_blind_case_gets_home_care_alone_with_its_red_flags_unasked():
    for case in _blind_cases():
        answer = triage({"text": case["text"]}, KNOWLEDGE)
        if answer.urgency.level in ("self_care", "routine") and asked(answer, "red_flag"):
            assert answer.provisional and answer.red_flags_to_check, case["id"]
