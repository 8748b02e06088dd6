"""The reader's general rules, each on sentences written for this file (not from the blind sets).

Context (whose finding, and when), word families and spellings, red-flag phrases with words between,
text cues (which report and never deny), values (temperatures, ages, scores, durations that are not the
pain's), and list terms read only in part.
"""
from __future__ import annotations

import pytest

from hipback.reasoner import Knowledge, annotate, triage
from hipback.reasoner.facts import age, duration, improving, severity, temperature
from hipback.reasoner.knowledge import HB
from hipback.store import EmbeddedStore

KNOWLEDGE = Knowledge.load(EmbeddedStore())


def level(text: str) -> str:
    return triage({"text": text}, KNOWLEDGE).urgency.level


def statuses(text: str) -> dict[str, str]:
    return {f.iri.rsplit("/", 1)[1]: f.status for f in annotate(text, KNOWLEDGE).findings}


# --- context: someone else's, past, supposed -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "My sister had a fever last month. My back is sore since Monday, no other problems.",
    "Lower back ache for two days; my dad was incontinent before he died.",
    "my husband has the flu and a temperature of 39, I just have a stiff lower back",
])
def test_someone_elses_red_flag_is_not_the_patients(text):
    assert level(text) != "emergency"
    answer = triage({"text": text}, KNOWLEDGE)
    assert any("someone else" in u.reason for u in answer.unrecognized)


@pytest.mark.parametrize("text", [
    "Writing for my grandmother: she can't feel her bottom when she sits and her back hurts.",
    "My 16 year old son has back pain and he keeps wetting himself since Friday.",
])
def test_a_message_written_for_someone_else_is_about_them(text):
    assert level(text) == "emergency"


@pytest.mark.parametrize("text", [
    "I had sciatica with numb buttocks back in 2015, all fine now. This week a sore lower back from gardening.",
    "Hip pain for five days. I've leaked a little when I sneeze for years, nothing new.",
    "Back pain three days; I usually get a high temperature when I have flu in winter.",
])
def test_a_past_or_long_standing_red_flag_is_set_aside_and_asked_again(text):
    answer = triage({"text": text}, KNOWLEDGE)
    assert answer.urgency.level != "emergency"
    assert answer.provisional and answer.red_flags_to_check


def test_a_new_red_flag_beside_an_old_history_is_read():
    assert level("I've had back trouble for years, but since yesterday I can't feel the toilet paper when I wipe") \
        == "emergency"


@pytest.mark.parametrize("text", [
    "Back ache two days. The nurse told me to go to A&E if I get numbness between my legs.",
    "Sore lower back. I'm scared I might lose control of my bladder like my uncle did.",
])
def test_a_supposed_or_feared_red_flag_is_not_reported(text):
    assert level(text) != "emergency"


@pytest.mark.parametrize("text", [
    "back pain since Sunday and I didn't even notice I'd wet myself until I stood up",
    "Lower back pain, and I've never had anything like this before: my legs keep giving way under me",
    "my back aches and I can't stop shivering under two duvets",
])
def test_words_that_look_like_a_denial_and_are_not(text):
    assert level(text) == "emergency"


def test_a_reason_ends_a_negations_scope():
    found = statuses("I can't get through a meeting without standing up because my lower back aches")
    assert found.get("LowBackPain") == "present"


# --- words, spellings, phrases with words between ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "lower back agony and i havent been able to wee since last night",   # family: wee = pee; "not able" = cannot
    "my back is killing me, cannae pee at all the day",                    # Scots spelling
    "back rly sore n i cnt feel my bum cheeks",                            # text speak
    "back went yesterday and there's no chance of me lifting my left leg off the bed",  # merge + words between
])
def test_word_families_spellings_and_words_between(text):
    assert level(text) == "emergency"


# --- text cues: they report, they never deny ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Back pain for 4 days. I keep going to the loo but only a few drops come out and my tummy feels tight.",
    "Bad back since Friday. Today both legs feel like wet cardboard and I had to grab the banister.",
    "hip aching two days and now I'm shaking so much my teeth are going",
])
def test_a_finding_said_in_words_of_its_kinds_is_read(text):
    assert level(text) == "emergency"


def test_a_cue_with_a_negation_is_dropped_not_denied():
    found = statuses("back pain, bladder is fine, not leaking at all")
    assert found.get("ChangeInBladderFunction") != "present"
    answer = triage({"text": "my back hurts and my foot won't lift, it slaps down when I walk"}, KNOWLEDGE)
    assert answer.urgency.level == "emergency"


def test_a_cue_is_ruled_out_by_its_veto_words():
    assert level("lower back pain for three days, I've been using hot and cold packs") == "self_care"


def test_numbness_in_the_saddle_area_composes_into_the_red_flag():
    assert "NumbnessInSaddleArea" in statuses("Since this morning my genitals feel numb and my back hurts")


# --- values -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, celsius", [
    ("my thermometer reads 38.6 and my back is sore", 38.6),
    ("Took it twice, it says 101.3. Back aches.", 38.5),
    ("Temp 37.2 this morning", 37.2),
])
def test_temperature_readings(text, celsius):
    assert temperature(text).value == celsius


def test_a_measured_fever_beats_no_fever():
    assert level("No fever I think, but the thermometer says 38.4. Lower back pain two days.") == "emergency"


def test_a_past_temperature_is_not_a_fever_now():
    assert level("I had flu with a temperature of 39 three weeks ago, long gone. Back ache for two days.") \
        != "emergency"


@pytest.mark.parametrize("text, years", [("44F, sore back", 44), ("62M here", 62), ("I'm sixty-three", 63),
                                          ("my fourteen-year-old", 14), ("My lad's 15 and", 15)])
def test_ages_as_people_write_them(text, years):
    assert age(text).value == years


@pytest.mark.parametrize("text", ["29 weeks pregnant with back ache", "back ache, 3 weeks postpartum",
                                  "week 9 of 12 of physio and my back aches", "I am 45 years and my back hurts"])
def test_numbers_that_are_not_how_long_the_pain_has_lasted(text):
    read = duration(text)
    assert read is None or read.value < 21


@pytest.mark.parametrize("text, score", [("back pain, maybe a 6", 6), ("lower back sits at about an 8", 8),
                                         ("sore hip, a solid 5", 5), ("hip pain 7 or so", 7)])
def test_scores_said_without_their_scale(text, score):
    assert severity(text).value == score


def test_still_sore_after_home_care_is_not_improving():
    assert improving("Rested and iced it all week, still sore").value is False


# --- list terms ----------------------------------------------------------------------------------------------

def test_a_list_term_read_in_part_says_so_and_prefers_the_red_flag_its_words_name():
    answer = triage({"findings": ["groin tingling"]}, KNOWLEDGE)
    assert answer.urgency.level == "emergency"
    assert any("only part of this term" in u.reason for u in answer.unrecognized)
    plain = triage({"findings": ["tingling xyzzy"]}, KNOWLEDGE)
    assert any("'xyzzy' was not" in u.reason for u in plain.unrecognized)


def test_a_denied_half_of_the_saddle_red_flag_leaves_the_other_half():
    answer = triage({"absent_findings": ["saddle numbness"], "findings": ["tingling down the back of my thigh"]},
                    KNOWLEDGE)
    assert answer.urgency.level == "emergency"
    denied = triage({"findings": ["LowBackPain"], "absent_findings": ["saddle numbness"]}, KNOWLEDGE)
    assert HB + "SaddleNumbnessOrTingling" in [q.finding.iri for q in denied.questions]


def test_lay_phrasings_carry_their_source_in_the_graph():
    from hipback.store import EmbeddedStore as Store

    rows = Store().select("""
        PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX hb: <https://w3id.org/hipback/>
        SELECT ?phrase ?source WHERE { ?a owl:annotatedSource hb:ChangeInBladderFunction ;
          owl:annotatedProperty skos:altLabel ; owl:annotatedTarget ?phrase ; dcterms:source ?source }""")
    assert rows and all(r["source"] == HB + "SourceRoyalFreeCES" for r in rows)


@pytest.mark.parametrize("text, days", [
    ("My hip has been sore since the 2nd of January and it's the 20th of March today.", 77),
    ("An ache in my hip since the Easter hols, and we're in September now.", 167),
    ("Sore since Christmas, it's now the 3rd of February.", 40),
])
def test_a_start_date_with_todays_date_in_the_text_gives_the_duration(text, days):
    read = duration(text)
    assert read is not None and read.value == days


def test_a_date_without_todays_date_gives_no_duration():
    # the service never reads the clock: "since March" alone says nothing of how long
    assert duration("My back has hurt since March") is None


def test_people_in_general_are_not_someone_elses_findings_in_the_next_sentence():
    text = ("Probably nothing and I hate to bother anyone. Slight backache for 3 days. Only odd thing is the loo, "
            "I've tried four or five times since breakfast yesterday and nothing comes.")
    found = statuses(text)
    assert found.get("LowBackPain") == "present"
    assert level(text) == "emergency"


@pytest.mark.parametrize("text", [
    "Day 5 of this hip thing, I'm getting around with my grandad's old walking stick.",
    "My dad's 74 and can barely shuffle from the bed to the toilet since his back went on Saturday.",
    "cant get outta bed. back locked up solid. day 2.",
    "Back spasms, walking round bent like a question mark, took me ten minutes to get my shoes on.",
])
def test_pain_that_stops_someone_moving_normally_is_urgent(text):
    assert level(text) == "urgent", text


def test_a_half_point_pain_score_reads_half_up():
    assert severity("hip pain, it's a 7.5 today").value == 8
    assert severity("hip pain, it's a 6.2 today") is None or severity("hip pain, it's a 6.2 today").value != 7
