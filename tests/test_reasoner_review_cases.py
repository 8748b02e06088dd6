"""The cases of the clinical safety review of triage, with the level the article gives each.

Each case names the article's sentence behind its expected level (``ARTICLE``). UNDER_TRIAGE were
read at a lower level than the article's before the review's fixes, OVER_TRIAGE at a higher one;
both must now get exactly the expected level. STILL_MISSED are the review's cases the annotator
does not yet read as the reviewer expects (docs/reasoner.md, Limits): they are strict expected
failures, so a change that fixes one makes this file fail until the case is moved up.
CANDIDATES: the condition(s) the reviewer expects among the three best candidates.
"""
from __future__ import annotations

import pytest

from hipback import config
from hipback.reasoner import Knowledge, triage
from hipback.store import EmbeddedStore

KNOWLEDGE = Knowledge.load(EmbeddedStore())
RED_FLAGS = "Red flag symptoms are warning signs indicating that your pain may be a symptom of a serious medical " \
            "condition and requires immediate medical attention. For back and hip pain, red flag symptoms include: "
ARTICLE = {
    "fever": RED_FLAGS + "Fever or chills",
    "bowel_bladder": RED_FLAGS + "Changes in bowel or bladder function",
    "saddle": RED_FLAGS + "Numbness or tingling in the inner thighs, buttocks, and backs of legs",
    "weakness": RED_FLAGS + "Severe weakness in one or both legs",
    "cannot_move": RED_FLAGS + "Inability to move your hip or leg",
    "hip_swelling": RED_FLAGS + "Sudden hip swelling",
    "move_sleep": "Severe back and hip pain that affects your ability to move or sleep requires prompt medical attention.",
    "severe": "Severe back and hip pain that affects your ability to move or sleep requires prompt medical attention.",
    "few_weeks": "Back and hip pain that doesn’t go away after a few weeks of rest and home care should be evaluated "
                 "by your doctor.",
    "week_or_so": "If your lower back and hip pain doesn’t improve after a week or so of resting, stretching, heating, "
                  "and icing, your best option is to visit a doctor for an evaluation.",
    "home_care": "The fastest way to heal lower back and hip pain is to rest, gently stretch, and heat and ice the area.",
}

# (id, expected level, ARTICLE key, case)
UNDER_TRIAGE = [
    ('P06', 'routine', 'few_weeks', {'text': "hip pain since Christmas, it's now March"}),
    ('B11', 'emergency', 'bowel_bladder', {'text': "my back is sore and I'm constipated and can't go to the toilet"}),
    ('F04', 'emergency', 'fever', {'text': 'Back ache with a temp of 38.5'}),
    ('F10', 'emergency', 'fever', {'text': "lower back pain, I'm freezing cold and can't stop shaking"}),
    ('B05', 'emergency', 'bowel_bladder', {'text': 'my back hurts and I havent been able to pee since yesterday'}),
    ('B06', 'emergency', 'bowel_bladder', {'text': 'back pain, also i keep leaking when i cough'}),
    ('B09', 'emergency', 'bowel_bladder', {'text': "back pain and I can't feel when I need to wee"}),
    ('B10', 'emergency', 'bowel_bladder', {'text': 'Back pain and problems with my bladder'}),
    ('B14', 'emergency', 'bowel_bladder', {'text': "back hurts and I can't hold my wee"}),
    ('N09', 'emergency', 'saddle', {'text': 'back ache and numbness around my private parts'}),
    ('N10', 'emergency', 'saddle', {'text': 'lower back pain, numbness down the back of both legs'}),
    ('W03', 'emergency', 'weakness', {'text': 'Back pain, and my legs are so weak I keep falling'}),
    ('W04', 'emergency', 'weakness', {'text': 'lower back pain and sudden severe weakness in my right leg'}),
    ('W05', 'emergency', 'weakness', {'text': 'back pain, my foot is dragging when I walk'}),
    ('W06', 'emergency', 'weakness', {'text': 'My legs feel really weak and my back is killing me'}),
    ('W09', 'emergency', 'weakness', {'text': 'back hurts and my left leg is extremely weak'}),
    ('M02', 'emergency', 'cannot_move', {'text': "Hip pain, can't move it"}),
    ('M05', 'emergency', 'cannot_move', {'text': "my hip is stuck and won't move"}),
    ('H02', 'emergency', 'hip_swelling', {'text': 'Suddenly my hip is really swollen and sore'}),
    ('H03', 'emergency', 'hip_swelling', {'text': 'hip pain, and my hip has swollen up overnight'}),
    ('H04', 'emergency', 'hip_swelling', {'text': 'my hip became swollen all of a sudden'}),
    ('H05', 'emergency', 'hip_swelling', {'text': "There's a big swelling on my hip that came up today, it's painful"}),
    ('H07', 'emergency', 'hip_swelling', {'text': 'Hip ache and sudden swelling around the hip'}),
    ('S04', 'urgent', 'move_sleep', {'text': "the pain in my hip keeps me awake, it's terrible"}),
    ('S05', 'urgent', 'move_sleep', {'text': 'I can hardly get out of bed because of the back pain'}),
    ('S06', 'urgent', 'severe', {'text': "back pain so severe I can't bend or walk properly"}),
    ('S09', 'urgent', 'move_sleep', {'text': "terrible back pain, can't get comfortable to sleep, 3 days"}),
    ('P07', 'routine', 'week_or_so', {'text': "back pain for a fortnight, resting and heat haven't helped"}),
    ('C18', 'routine', 'few_weeks', {'text': '72 year old with stiff, swollen joints in my hips and constant pain'}),
    ('T01', 'emergency', 'fever', {'text': "I can't say I don't have a fever - back pain"}),
    ('T13', 'emergency', 'bowel_bladder', {'text': "My back aches. I don't have numbness, I do have trouble controlling my bladder."}),
    ('Q01', 'routine', 'few_weeks', {'text': 'I have chronic lower back pain'}),
    ('Q24', 'emergency', 'hip_swelling', {'text': 'hip pain - swollen suddenly'}),
    ('Q27', 'routine', 'few_weeks', {'text': 'back pain for 4 wks'}),
    ('Q33', 'routine', 'few_weeks', {'text': 'back pain for the past 6wks'}),
    ('Q36', 'urgent', 'severe', {'text': 'Back pain severity 8'}),
    ('Q40', 'routine', 'week_or_so', {'text': "back pain 10 days, rest, heat and ice haven't made any difference"}),
    ('Q42', 'routine', 'week_or_so', {'text': "back pain for 8 days and it's still the same despite rest and heat"}),
    ('Q54', 'routine', 'few_weeks', {'text': "I'm 67, my hips and back are stiff and achy, getting harder to move, for ages"}),
    ('Q63', 'emergency', 'fever', {'text': 'back pain, temp 39'}),
    ('Q72', 'emergency', 'hip_swelling', {'text': 'my hip has become hugely swollen since this morning'}),
    ('Q74', 'emergency', 'hip_swelling', {'text': 'swollen hip that appeared suddenly'}),
    ('Q75', 'emergency', 'bowel_bladder', {'text': 'Back pain and urine retention'}),
    ('Q76', 'emergency', 'bowel_bladder', {'text': "back pain and I'm having difficulty controlling my bowels"}),
    ('Q80', 'emergency', 'saddle', {'text': "back pain, I'm unable to feel my saddle area"}),
    ('Q81', 'emergency', 'saddle', {'text': "back pain, I've lost feeling in my buttocks"}),
    ('R13', 'emergency', 'fever', {'text': 'back pain with no injury, fever and chills'}),
    ('R14', 'emergency', 'saddle', {'text': 'back pain, no trauma, numb bum'}),
    ('R15', 'emergency', 'weakness', {'text': 'back pain without injury, legs giving way'}),
    ('R17', 'emergency', 'fever', {'text': 'Not been well, lower back pain and fever'}),
    ('R18', 'emergency', 'fever', {'text': 'back pain, no appetite, feverish'}),
    ('R19', 'emergency', 'fever', {'text': 'back pain, no energy, fever'}),
    ('R20', 'emergency', 'bowel_bladder', {'text': 'no bladder control, back pain'}),
    ('R22', 'emergency', 'weakness', {'text': 'no strength in my legs, back pain'}),
    ('R23', 'emergency', 'saddle', {'text': 'back pain with no sensation in my inner thighs'}),
    ('R24', 'emergency', 'bowel_bladder', {'text': 'back pain, I have no control over my bowels'}),
    ('R25', 'emergency', 'bowel_bladder', {'text': "back pain, I can't tell when my bladder is full"}),
    ('L06', 'emergency', 'bowel_bladder', {'findings': ['back pain', 'bladder problems']}),
    ('L07', 'emergency', 'fever', {'findings': ['back pain', 'fever 38.5']}),
    ('L32', 'urgent', 'severe', {'text': 'pain level 8, lower back'}),
    ('L33', 'urgent', 'severe', {'text': 'back pain, rating it an 8'}),
    ('L43', 'emergency', 'cannot_move', {'text': "hip pain, I can't put any weight on my leg or move it"}),
    ('L44', 'urgent', 'move_sleep', {'text': "back pain and I can't bend over or get dressed"}),
    ('L48', 'emergency', 'hip_swelling', {'text': 'hip hurts and it has puffed up suddenly'}),
    ('L49', 'emergency', 'bowel_bladder', {'text': "I can't wee, lower back pain"}),
    ('L50', 'emergency', 'bowel_bladder', {'text': "back pain and I'm dribbling wee"}),
    ('Y03', 'emergency', 'saddle', {'text': 'my butt is numb and my back hurts'}),
    ('Y04', 'emergency', 'saddle', {'text': 'back pain and numb butt'}),
    ('Y05', 'emergency', 'saddle', {'text': 'lower back pain and my rear end is numb'}),
    ('Y08', 'emergency', 'saddle', {'text': 'back pain with numbess in my buttocks'}),
    ('Y09', 'emergency', 'bowel_bladder', {'text': 'back pain, bladder leakage'}),
    ('Y11', 'emergency', 'saddle', {'text': 'back pain, numbness in my crotch'}),
    ('Y12', 'emergency', 'saddle', {'text': 'lower back pain, my groin is numb'}),
    ('Y15', 'emergency', 'hip_swelling', {'text': 'hip pain & its swolen suddenly'}),
    # weakness in both legs is the red flag whatever its stated severity (hb:WeaknessInBothLegs, its interpretation)
    ('Q84', 'emergency', 'weakness', {'text': 'back pain, weakness in both legs, severe'}),
    ('L09', 'emergency', 'weakness', {'findings': ['back pain', 'weakness in both legs'], 'severity': 6}),
    ('Y14', 'emergency', 'bowel_bladder', {'text': 'back pain and i cant controll my bladder'}),
]

OVER_TRIAGE = [
    ('T07', 'self_care', 'home_care', {'text': "back pain. I had a fever last month but that's gone"}),
    ('Q60', 'self_care', 'home_care', {'text': "I have lower back pain. I had a fever last week but it's gone now."}),
    ('T12', 'self_care', 'home_care', {'text': 'back pain, no fevers, chills or night sweats'}),
    ('T15', 'self_care', 'home_care', {'text': 'back pain, fever free, no chills'}),
    ('Q03', 'self_care', 'home_care', {'text': 'back pain for 3 days, no fever/chills'}),
    ('Q04', 'self_care', 'home_care', {'text': 'back pain, no fever, chills, numbness or weakness'}),
    ('Q05', 'self_care', 'home_care', {'text': 'Back pain 2 days. Fever: no. Numbness: no.'}),
    ('R04', 'self_care', 'home_care', {'text': 'back pain. No fever, chills or sweats.'}),
    ('V01', 'self_care', 'home_care', {'text': 'my back aches more when the temperature drops'}),
    ('V02', 'self_care', 'home_care', {'text': "back pain, I've tried hot and cold packs"}),
    ('V03', 'self_care', 'home_care', {'text': 'lower back pain, a hot bath makes me feel hot and relaxed and it helps'}),
    ('V04', 'self_care', 'home_care', {'text': "hip pain when I walk up stairs, I can't walk as far as before"}),
    ('V05', 'self_care', 'home_care', {'text': "back ache, can't sleep on my left side"}),
    ('V06', 'self_care', 'home_care', {'text': 'back pain, the old sofa cushion gives way when I sit'}),
    ('V07', 'self_care', 'home_care', {'text': "mild back pain, I check my temperature daily for work, it's normal"}),
    ('V14', 'self_care', 'home_care', {'text': 'back pain; I read that numbness and incontinence are warning signs, I have neither'}),
    ('Y01', 'self_care', 'home_care', {'text': 'back pain, i dont have a fever'}),
    ('Y02', 'self_care', 'home_care', {'text': 'back pain, doesnt feel numb anywhere, i dont have chills'}),
    ('Y16', 'self_care', 'home_care', {'text': 'back pain, i havent got a temperature'}),
    ('V11', 'self_care', 'home_care', {'text': 'lower back ache; I had a fever 2 years ago with covid'}),
]

STILL_MISSED = [
    ('Q68', 'emergency', 'saddle', {'text': "back pain, can't feel my legs"}, 'self_care'),
    ('Q69', 'emergency', 'weakness', {'text': 'back pain and my legs feel numb and weak'}, 'self_care'),
    ('L22', 'emergency', 'bowel_bladder', {'findings': ['HP:0012534']}, 'routine'),
    ('L40', 'routine', 'few_weeks', {'text': 'Hip has hurt since September'}, 'self_care'),
    ('V17', 'self_care', 'home_care', {'text': "back pain, I'm a nurse and I deal with incontinence at work"}, 'emergency'),
    ('Y07', 'emergency', 'fever', {'text': 'back pain and I have a fevor'}, 'self_care'),
    ('Y13', 'emergency', 'weakness', {'text': 'backpain and my legs r weak af, cant walk'}, 'urgent'),
]

CANDIDATES = [
    ('C05', ['poor posture'], {'text': 'back pain from bad posture at my computer, 2 days'}),
    ('C07', ['lumbar herniated disc'], {'text': 'I have a slipped disc, pain goes from my lower back into my hip, 4 weeks'}),
    ('C11', ['lumbar nerve impingement', 'lumbar herniated disc'], {'text': 'pain that goes from my lower back to my hip and down my leg, started 2 days ago'}),
    ('C16', ['hip impingement'], {'text': 'my hip clicks and hurts when I bend it, also stiff'}),
    ('C24', ['poor posture'], {'text': 'My back hurts after sitting at my desk with bad posture all week, improving when I stand'}),
    ('T09', ['poor posture'], {'text': 'Poor posture at desk, lower back aches. Also feeling feverish and shivery.'}),
    ('Q45', ['poor posture'], {'text': "I've got terrible posture and my lower back aches"}),
    ('Q48', ['lumbar nerve impingement'], {'text': 'pinched nerve in my lower back, pain down my leg, 5 weeks'}),
    ('Q49', ['lumbar nerve impingement', 'lumbar herniated disc'], {'text': 'back pain that radiates to my hip and leg for a month'}),
    ('Q53', ['lumbar herniated disc'], {'text': 'herniated disc pain going into my hip since yesterday'}),
    ('Z01', ['lumbar nerve impingement', 'lumbar herniated disc'], {'text': 'I hurt my back lifting a box yesterday and now the pain shoots into my hip and down my leg'}),
]



def _level(case):
    return triage(case, KNOWLEDGE).urgency.level


def test_every_case_names_a_sentence_of_the_article():
    article = config.ARTICLE.read_text(encoding="utf-8")
    for key, sentence in ARTICLE.items():
        for part in sentence.split(" include: "):
            assert part in article, key
    for cases in (UNDER_TRIAGE, OVER_TRIAGE, STILL_MISSED):
        assert all(case[2] in ARTICLE for case in cases)


@pytest.mark.parametrize("expected, why, case", [c[1:4] for c in UNDER_TRIAGE], ids=[c[0] for c in UNDER_TRIAGE])
def test_under_triage_case_gets_the_articles_level(expected, why, case):
    assert _level(case) == expected, ARTICLE[why]


@pytest.mark.parametrize("expected, why, case", [c[1:4] for c in OVER_TRIAGE], ids=[c[0] for c in OVER_TRIAGE])
def test_over_triage_case_gets_the_articles_level(expected, why, case):
    assert _level(case) == expected, ARTICLE[why]


@pytest.mark.xfail(strict=True, reason="a limit of the annotator, listed in docs/reasoner.md")
@pytest.mark.parametrize("expected, why, case, read", [c[1:5] for c in STILL_MISSED], ids=[c[0] for c in STILL_MISSED])
def test_still_missed(expected, why, case, read):
    assert _level(case) == expected, ARTICLE[why]


@pytest.mark.parametrize("expected, case", [c[1:3] for c in CANDIDATES], ids=[c[0] for c in CANDIDATES])
def test_expected_condition_is_among_the_three_best(expected, case):
    top = [c.label for c in triage(case, KNOWLEDGE).candidates[:3]]
    assert set(expected) <= set(top), top


def test_a_named_condition_never_raises_urgency():
    assert _level({"text": "back pain for two days, I think it's a slipped disc"}) == "self_care"
    assert _level({"text": "back pain for two days"}) == "self_care"


def _read(text):
    return {(f.label, f.status) for f in triage({"text": text}, KNOWLEDGE).findings}


@pytest.mark.parametrize("text, reading", [
    # the scope of a negation: a list closed by "or" goes on across commas, a new item after a comma does not
    ("no injury, fever and chills", {("recent injury", "absent"), ("fever or chills", "present")}),
    ("no injury, feverish, numb bum", {("recent injury", "absent"), ("fever", "present"),
                                        ("saddle numbness", "present")}),
    ("no fever, chills or sweats", {("fever", "absent"), ("chills", "absent")}),
    ("Fever? No. Chills: yes", {("fever", "absent"), ("chills", "present")}),
    # a measured temperature: 38 C / 100.4 F or more is a fever, below it nothing is read
    ("temperature 37.2", set()),
    ("temp 100.8F", {("fever", "present")}),
    # typing slips are forgiven only in long words of red-flag phrases; real words are never corrected
    ("it is chilly and I walk fewer steps", set()),
    # places listed before the kind word; a place a finding word describes is not shared
    ("numb legs and hip pain", {("numbness", "present"), ("hip pain", "present")}),
    # an onset word makes the ontology's sudden finding, unless it is denied
    ("my hip is swollen, it wasn't sudden", {("hip swelling", "present")}),
    # "gives way" needs a leg, hip or knee in its sentence
    ("my leg, it keeps giving way", {("severe weakness in one or both legs", "present")}),
    ("my hip suddenly gave way", {("severe weakness in one or both legs", "present")}),
    ("the chair gave way under me", set()),
    # a limit with a comparison or a position is partial
    ("I can't walk as far as before", set()),
])
def test_reading(text, reading):
    assert _read(text) == reading


def test_persistent_pain_fires_the_few_weeks_rule_without_a_duration():
    reasons = [r.rule.rsplit("/", 1)[-1] for r in triage({"text": "constant hip pain"}, KNOWLEDGE).urgency.reasons]
    assert "PersistentPainCase" in reasons


def test_a_case_out_of_scope_gets_no_care_tied_to_a_candidate():
    result = triage({"text": "my 8 year old has back pain, she is 8"}, KNOWLEDGE)
    assert [r.label for r in result.recommendations] == ["evaluation by a doctor"]


def test_urgent_evaluation_cites_the_urgent_sentence():
    result = triage({"text": "back pain, can't sleep"}, KNOWLEDGE)
    assert result.urgency.level == "urgent"
    assert result.recommendations[0].source.excerpts == [ARTICLE["move_sleep"]]
