"""The numbers and flags in a patient's text: how long, how old, how bad, and whether home care helps.

These are the case's data values (``durationDays``, ``ageYears``, ``painSeverity``,
``improvingWithHomeCare``), not findings, so they are read with patterns rather than from the
ontology's lexicon. Each returns the value and the span it was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_NUMBERS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    # "a few" is read as three, as the ontology reads "a few weeks" (hb:PersistentPainCase).
    "a few": 3, "few": 3, "several": 3, "a couple of": 2, "a couple": 2, "couple of": 2,
}
_NUMBER = r"(\d{1,4}|" + "|".join(sorted((re.escape(k) for k in _NUMBERS), key=len, reverse=True)) + r")"
_UNIT_DAYS = {"day": 1, "night": 1, "week": 7, "wk": 7, "fortnight": 14, "month": 30, "mth": 30, "year": 365,
              "yr": 365}
# a unit may follow a digit with no space ("6wks"), and abbreviated ("4 wks", "2 yrs")
_DURATION = re.compile(
    rf"\b{_NUMBER}(?:\s+and\s+a\s+half)?(?:[\s-]+|(?<=\d))(day|night|week|wk|fortnight|month|mth|year|yr)s?\b"
    r"(?![\s-]*old)(?![\s-]*(?:pregnant|postpartum|post-partum|postnatal|post-natal|gestation|along|check|scan|appointment"
    r"|into\s+(?:my|the|her)\s+pregnancy|with\s+(?:my|our|her|the)\s+(?:first|second|third|fourth|baby|twins|\w+\s+baby)))", re.I)
#: Words that tie a duration "ago" to the pain ("my back went 3 days ago"), not to another event
#: ("I had a fever 2 years ago").
_PAIN_ONSET = re.compile(r"\b(?:pain|painful|ache|aches|aching|achy|achey|hurt|hurts|hurting|sore|stiff|stiffness|twinge|twinged|started|start"
                         r"|began|begun|came\s+on|kicked\s+in|went|gone|injur\w*|strain\w*|sprain\w*|pull\w*|tweak\w*"
                         r"|back|hip|hips|groin|leg|legs|spine)\b", re.I)
#: Home care and pain words after "N weeks of": the time is the pain's ("10 days of heat and stretching").
_PAIN_TIME = re.compile(r"\b(?:this|it|on\s+and\s+off|suffering|agony|misery|hot|heat|ice|rest|resting|stretch\w*|ibuprofen|"
                        r"paracetamol|painkillers?|pain\s+killers?|physio\w*|exercises?|yoga|massage|nurofen|naproxen|co-codamol|"
                        r"home\s+care|trying)\b", re.I)
_BARE_DURATION = re.compile(r"\b(?:for|over|many|of)\s+(days|nights|weeks|months|years|ages)\b|\b(days|weeks|months|years|ages)\s+(?:of|now)\b", re.I)
#: "for ages" reads as 28 days: a long time by the patient's own account, past the few weeks (21 days)
#: after which the article sends a person to a doctor.
_BARE_DAYS = {"days": 2, "nights": 2, "weeks": 14, "months": 60, "years": 730, "ages": 28}
_PHRASES = [
    (re.compile(r"\b(?:since\s+)?(?:this\s+(?:morning|afternoon|evening)|today|tonight|an?\s+hour\s+ago|hours\s+ago)\b", re.I), 0),
    (re.compile(r"\b(?:since\s+)?(?:yesterday|last\s+night)\b", re.I), 1),
    (re.compile(r"\b(?:all|this|since\s+last)\s+week\b", re.I), 7),
    (re.compile(r"\b(?:all|this|since\s+last|since\s+(?:the\s+)?(?:start|beginning)\s+of\s+last|for\s+the\s+(?:last|past)|(?:this|the)\s+(?:last|past))\s+month\b", re.I), 30),
    (re.compile(r"\b(?:all|this|since\s+last)\s+year\b", re.I), 365),
    # a season ago is months, well past the article's few weeks
    (re.compile(r"\bsince\s+(?:last\s+|the\s+)?(?:summer|winter|spring|autumn|fall)\b", re.I), 60),
]
_AGE = [
    re.compile(r"\b(?:i\s+am|i'm|im)\s+(\d{1,3})\b(?![.,]\d)(?!\s*(?:%|/|out\s+of|days?|weeks?|months?|kg|lbs?|cm|times?))", re.I),
    re.compile(r"\b(\d{1,3})[\s-]*(?:years?|yrs?)[\s-]*old\b", re.I),
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)(?![a-z])", re.I),
    # "38F", "57M", "47M roofer": an age and a sex, as people sign messages (upper case only: "5m" is a distance)
    re.compile(r"(?<![\w.])(\d{1,2})\s?[MF](?![\w]|\.\w)"),
    # "19, first time...", "71 and slipped...", "22. playing rugby": an age said first, as people open a message
    re.compile(r"^\W*(\d{2})\s*(?:,|;|:|\.(?=\s)|\s-\s|\s+and\b)(?!\s*(?:days?|weeks?|months?|years?|hrs?|hours?|mins?)\b)"),
    re.compile(r"\baged?\s*:?\s*(\d{1,3})\b", re.I),
    re.compile(r"\b(?:he|she)(?:'s|\s+is)\s+(\d{1,3})\b(?![.,]\d)(?!\s*(?:%|/|out\s+of|days?|weeks?|months?|kg|lbs?|cm))", re.I),
    re.compile(r"\b(?:son|daughter|child|kid|boy|girl|lad|lass|grandson|granddaughter|teenager)(?:'s\s*|\s*is\s+|\s*,\s*|\s*\(\s*)(\d{1,2})\b(?![.,]\d)(?!\s*(?:days?|weeks?|months?))", re.I),
    # "my mum (81)", "dad, 79,", "my husband is 68": a message written for an older relative
    re.compile(r"\b(?:mum|mom|mother|mam|dad|father|husband|wife|partner|gran|granny|grandma|grandmother|nan|nana|nanna|"
               r"grandad|granddad|grandpa|grandfather|aunt|auntie|uncle|neighbour|neighbor)(?:'s\s*|\s*is\s+|\s*,\s*|\s*\(\s*)"
               r"(\d{2,3})\b(?![.,]\d)(?!\s*(?:%|/|days?|weeks?|months?|years?\s+ago|kg|lbs?|cm))", re.I),
]
#: Words that say the patient is a child or a teenager without an age: read as an age under 18
#: (16 for a teenager, 8 for a child), enough for the ontology's child rule (hb:ChildCase, under 18).
_MINOR = [
    (re.compile(r"\b(?:teen|teens|teenager|teenage|adolescent)\b", re.I), 16),
]
_SEVERITY = re.compile(rf"\b(\d{{1,2}}(?:\.\d+)?|{'|'.join(k for k in _NUMBERS if ' ' not in k and _NUMBERS[k] <= 10)})\s*(?:/|out\s+of|outta|of)\s*(?:10|ten)\b", re.I)
#: A score said without its scale, beside the pain: "maybe a 4", "about a 5", "sits at about an 8", "pain 7 or so".
_LOOSE_SCORE = re.compile(
    r"\b(?:an?(?:\s+(?:solid|good|strong|easy|steady|constant))?|about|around|maybe|roughly|probably|prob|like|at|approx(?:imately)?|easily|is|was|it's)\s+(?:an?\s+)?(\d{1,2}|"
    + "|".join(k for k in _NUMBERS if " " not in k and 1 <= _NUMBERS[k] <= 10 and k not in ("a", "an")) + r")\b"
    r"(?!\s*(?:%|/|:|\.[0-46-9]|\.5\d|days?|weeks?|wks?|months?|years?|yrs?|hours?|hrs?|mins?|minutes?|am\b|pm\b|kg|lbs?|k\b|km|miles?|times|x\b|o'?clock|year|week|day))"
    r"|\b(?:pain|ache|sore|hurts?|it'?s|it\s+is|about|around)\s+(?:is\s+|at\s+)?(\d{1,2})\s+or\s+so\b", re.I)
_PAIN_NEAR = re.compile(r"\b(?:pain|painful|ache|aches|aching|achy|hurt|hurts|hurting|sore|back|hip|hips|score|scale|level)\b", re.I)
#: A score given in words: "severity 8", "pain level 8", "pain score: 8", "rating it an 8".
_SCORE = re.compile(r"\b(?:severity|pain\s+(?:level|score|rating)|rat(?:e|ing)\s+(?:it|the\s+pain|my\s+pain))"
                    r"(?:\s+(?:of|is|at|as|was))?\s*[:=]?\s*(?:an?\s+)?(\d{1,2})\b(?!\s*(?:%|/|days?|weeks?|months?|years?))",
                    re.I)
_SEVERE_WORD = r"(?:severe|severely|excruciating|unbearable|agoni[sz]ing|intolerable|extreme|crippling|debilitating)"
_PAIN_WORD = r"(?:pain|painful|ache|aches|aching|hurts?|hurting|back\s?ache)"
_VERBAL_SEVERE = re.compile(
    rf"(?<!not )(?<!isn't )(?<!no )\b{_SEVERE_WORD}\s+(?:\w+\s+){{0,2}}?{_PAIN_WORD}\b"
    rf"|\b{_PAIN_WORD}\s+(?:is|was|has\s+been|it's|gets|got|became|becomes)\s+(?:(?!not\b|never\b)\w+\s+)?{_SEVERE_WORD}\b"
    rf"|\b{_PAIN_WORD}\s+(?:so|really|very|too|extremely|quite)\s+{_SEVERE_WORD}\b"
    r"|\bin\s+agony\b|\bworst\s+pain\b", re.I)
#: A verbal "severe pain" reads as 7, the lowest score of the severe band (7-10) on the 0-10 scale.
VERBAL_SEVERE_SCORE = 7
_NOT_IMPROVING = re.compile(
    r"\b(?:not|isn'?t|hasn'?t|haven'?t|doesn'?t|don'?t|didn'?t|won'?t|no|never|nothing)\s+(?:\w+\s+){0,2}?"
    r"(?:getting\s+|got\s+|gotten\s+|any\s+)?(?:better|improv\w*|eas(?:e|ing)|help(?:s|ing|ed)?|work(?:s|ing|ed)?)\b"
    r"|\b(?:getting|got|gotten|gets|is|it's)\s+worse\b|\bworse\s+and\s+worse\b|\bworsening\b"
    r"|\bmade\s+(?:no|any|little)\s+difference\b|\bno\s+difference\b|\bno\s+better\b"
    r"|\bstill\s+(?:\w+\s+)?(?:exactly\s+|just\s+)?(?:the\s+same|as\s+bad|just\s+as\s+bad)\b|\b(?:not|hasn'?t|haven'?t)\s+changed\b"
    r"|\bno\s+change\b|\bexactly\s+the\s+same\b", re.I)
_IMPROVING = re.compile(r"\b(?:getting|gets|got|gotten|feeling|feels|slowly|much|bit|little)\s+better\b|\bimprov(?:ing|ed|es)\b|\bbetter\s+(?:when|with|after)\b|\beasing\s+off\b", re.I)


#: A measured temperature: "temp of 38.5", "temperature is 101", "fever 39C", "38.2 degrees".
_TEMPERATURE = re.compile(
    r"\b(?:temp(?:erature)?|fever|pyrexia)\s*(?:of|is|was|at|reading|around|about|reached|hit|went\s+up\s+to|:|=)?"
    r"\s*(?:of\s+)?(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|degrees?|deg)?\s*([cf])?\b"
    r"|\b(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:(?:°|º|degrees?|deg)\s*([cf]|celsius|fahrenheit|centigrade)?|([cf]))\b", re.I)
#: Fever from 38 C (100.4 F), the NHS threshold, stated on hb:Fever (``hb:interpretation``).
FEVER_CELSIUS = 38.0


@dataclass(frozen=True)
class Read:
    value: object
    span: tuple[int, int]
    text: str


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS[re.sub(r"\s+", " ", word)]


def _prepare(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


_MONTHS = {m: i + 1 for i, m in enumerate("january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: n for m, n in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = r"(?P<{0}m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b"
_DAY = r"(?:the\s+)?(?P<{0}d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+"
#: Days of the year people date things by (a fixed day, or a typical one for a movable feast).
_FEASTS = {"new year": (1, 1), "valentine": (2, 14), "pancake day": (2, 20), "shrove tuesday": (2, 20),
           "easter": (4, 1), "may day": (5, 1), "halloween": (10, 31), "bonfire night": (11, 5), "christmas": (12, 25)}
_FEAST = r"(?P<{0}f>" + "|".join(_FEASTS) + r")(?:'?s)?(?:\s+(?:hols|holidays|day|break|weekend))?\b"


def _date_pattern(tag: str) -> str:
    return "(?:" + _DAY.format(tag) + _MONTH.format(tag + "1") + "|" + _MONTH.format(tag + "2") + r"(?:\s+(?P<" + tag + r"d2>\d{1,2})(?:st|nd|rd|th)?)?" \
        + "|" + _FEAST.format(tag) + ")"


_SINCE_DATE = re.compile(r"\bsince\s+(?:the\s+|about\s+|around\s+|early\s+|mid[\s-]+|late\s+|last\s+)?" + _date_pattern("a"), re.I)
_TODAY_DATE = re.compile(r"\b(?:it'?s|it\s+is|today\s+is|today'?s|we'?re\s+in|we\s+are\s+in|now\s+in|now\s+it'?s)\s+(?:now\s+)?(?:the\s+)?"
                         + _date_pattern("b") + r"|" + _date_pattern("c") + r"\s+(?:today|now)\b", re.I)


def _month_day(match, tag: str) -> tuple[int, int] | None:
    groups = match.groupdict()
    if groups.get(tag + "f"):
        return _FEASTS[groups[tag + "f"].lower()]
    month = groups.get(tag + "1m") or groups.get(tag + "2m")
    if not month:
        return None
    day = groups.get(tag + "d") or groups.get(tag + "d2") or 15  # "since March": the middle of it
    return _MONTHS[month.lower()], int(day)


def date_range(text: str) -> Read | None:
    """Days from a start date to a date the text gives as today ("since the 2nd of January, and it's the 20th
    of March today"; "since the Easter hols, and we're in September now"). The service never reads the clock:
    without today's date in the text, a date alone gives no duration."""
    start = _SINCE_DATE.search(text)
    if not start:
        return None
    today = _TODAY_DATE.search(text, start.end())
    if not today:
        return None
    first = _month_day(start, "a")
    last = _month_day(today, "b") or _month_day(today, "c")
    if not first or not last or not (1 <= first[1] <= 31 and 1 <= last[1] <= 31):
        return None
    try:
        days = (date(2001, *last) - date(2001, *first)).days  # any year without 29 February
    except ValueError:
        return None  # "the 31st of April"
    if days < 0:
        days += 365  # "since Christmas ... it's March": across the new year
    return Read(days, (start.start(), today.end()), text[start.start():today.end()])


def duration(text: str) -> Read | None:
    """The longest duration the text states, in days ("since this morning" is 0)."""
    text = _prepare(text)
    reads: list[Read] = []
    taken: list[tuple[int, int]] = []
    pregnant = pregnancy_weeks(text)
    for match in _DURATION.finditer(text):
        if pregnant and match.start() < pregnant.span[1] and pregnant.span[0] < match.end():
            continue  # "24 weeks pregnant", "I'm 30 weeks" (of a pregnancy): not how long the pain has lasted
        before = text[max(0, match.start() - 6):match.start()].lower()
        if "every" in before or "aged" in before or re.search(r"\bweek\s*$", before):
            continue  # "every 2 days", "aged 40", "week 11 of 16"
        if match.group(2).lower() in ("year", "yr") and re.search(
                r"\b(?:am|i'm|im|is|he's|she's|aged?|all\s+my|my|of\s+my|in\s+my)\s*$", text[max(0, match.start() - 12):match.start()], re.I):
            continue  # "I am 52 years", "all my 60 years", "he is 4 years": an age, not how long
        if match.group(2).lower() in ("year", "yr") and _number(match.group(1)) >= 16 and re.fullmatch(
                r"[\s,;.!?]*", text[match.end():match.end() + 2] or " ") and re.search(r"(?:^|[.,;!?]\s*)$", text[:match.start()]):
            continue  # "36 yrs." said on its own: an age, not how long
        after = text[match.end():match.end() + 6].lower()
        if after.lstrip().startswith(("ago", "back")):  # "3 days ago", "a few years back": in its own clause
            begin = _stops_before(text, match.start(), r"[.,;!?\n]")[-1]
            if not _PAIN_ONSET.search(text, begin, match.end() + 4):
                continue  # "I had a fever 2 years ago": another event's time, not the pain's
        following = re.match(r"\s+of\s+((?:[\w'-]+\W+){1,4})", text[match.end():match.end() + 60])
        if following and not (_PAIN_ONSET.search(following.group(1)) or _PAIN_TIME.search(following.group(1))
                              or _PAIN_ONSET.search(text, max(0, match.start() - 30), match.start())):
            continue  # "5 yrs of tamoxifen", "three years of steroids": another thing's time, not the pain's
        days = _number(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
        if "half" in match.group(0).lower():
            days += _UNIT_DAYS[match.group(2).lower()] // 2
        reads.append(Read(days, match.span(), match.group(0)))
        taken.append(match.span())
    for pattern, days in _PHRASES:
        for match in pattern.finditer(text):
            if not any(s <= match.start() < e for s, e in taken):
                reads.append(Read(days, match.span(), match.group(0)))
    for match in _BARE_DURATION.finditer(text):
        if not (_PAIN_ONSET.search(text, max(0, match.start() - 50), match.end())
                or re.search(r"\b(?:this|it)\b", text[match.start():match.end() + 8], re.I)):
            continue  # "sitting on the loo for ages": the time of something else ("years of this" is the pain's)
        if not any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            unit = (match.group(1) or match.group(2)).lower()
            reads.append(Read(_BARE_DAYS[unit], match.span(), match.group(0)))
    ranged = date_range(text)
    if ranged is not None:
        reads.append(ranged)
    return max(reads, key=lambda r: (r.value, -r.span[0])) if reads else None


_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = {w: n for w, n in _NUMBERS.items() if 1 <= n <= 9 and " " not in w and w not in ("a", "an")}
_TEENS = {w: n for w, n in _NUMBERS.items() if 10 <= n <= 19}
_WORD_AGE = re.compile(
    r"\b((?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(_UNITS) + r"))?|" + "|".join(_TEENS) + r")"
    r"(?:(?:[\s-]*(?:years?|yrs?|yr)[\s-]*old)|(?=\s+and\s+live)|(?<=\w)(?=[.,]?\s*$))", re.I)
_WORD_AGE_AFTER_I_AM = re.compile(r"\b(?:i\s+am|i'm|im|aged?|she's|he's|she\s+is|he\s+is)\s+((?:" + "|".join(_TENS) + r")(?:[\s-](?:"
                                  + "|".join(_UNITS) + r"))?|" + "|".join(_TEENS) + r")\b", re.I)


def _word_number(words: str) -> int:
    parts = re.split(r"[\s-]+", words.lower())
    return sum(_TENS.get(p, 0) or _NUMBERS.get(p, 0) for p in parts)


def age(text: str) -> Read | None:
    text = _prepare(text)
    for pattern in (_WORD_AGE_AFTER_I_AM, _WORD_AGE):
        match = pattern.search(text)
        if match:
            return Read(_word_number(match.group(1)), match.span(), match.group(0))
    for pattern in _AGE:
        match = pattern.search(text)
        if match and 0 <= int(match.group(1)) <= 130:
            return Read(int(match.group(1)), match.span(), match.group(0))
    for pattern, years in _MINOR:
        match = pattern.search(text)
        if match:
            return Read(years, match.span(), match.group(0))
    return None


def severity(text: str) -> Read | None:
    """A 0-10 score ("7/10", "8 out of 10"), or 7 for pain called severe in words ("excruciating pain")."""
    prepared = _prepare(text)
    match = _SEVERITY.search(prepared) or _SCORE.search(prepared)
    if not match:
        loose = _loose_score(prepared)
        if loose is not None:
            return loose
        verbal = _VERBAL_SEVERE.search(prepared)
        return Read(VERBAL_SEVERE_SCORE, verbal.span(), verbal.group(0)) if verbal else None
    raw = match.group(1)
    value = float(raw) if raw[0].isdigit() else _NUMBERS[raw.lower()]
    value = int(value + 0.5)  # 7.5/10 reads as 8: round half up, towards caution
    # "11/10" says the pain is past the top of the scale: it reads as 10, the safe reading, not as nothing
    return Read(min(value, 10), match.span(), match.group(0)) if value >= 0 else None


#: A reading with a decimal point in the body's range, in a sentence about a temperature:
#: "38.4 on the thermometer", "the thermometer says 38.1", "I took her temp, it said 100.9".
_READING = re.compile(r"(?<![\d./:-])(\d{2,3}[.,]\d{1,2})(?![\d/:%])(?!\.\d)(?!\s*(?:kg|lbs?|cm|mm|km|k\b|miles?|hours?|hrs?|mins?|minutes?|am|pm|weeks?|days?|years?|%))", re.I)
_READING_CONTEXT = re.compile(r"\b(?:thermometer|temp|temperature|fever|feverish|reading|read|says|said|measured|degrees?)\b|°|º", re.I)


def _stops_before(text: str, position: int, stops: str) -> list[int]:
    """Where each piece of ``text`` before ``position`` begins, cut at ``stops`` (0 first)."""
    return [0] + [m.end() for m in re.finditer(stops, text[:position])]


def _stop_after(text: str, position: int, stops: str) -> int:
    """Where the piece of ``text`` holding ``position`` ends, cut at ``stops``."""
    return next((m.start() + position for m in re.finditer(stops, text[position:])), len(text))


def _loose_score(text: str) -> Read | None:
    """A score without its scale, 0 to 10, with the pain in its sentence or the one before
    ("My back is bad. Realistically a 7.")."""
    for match in _LOOSE_SCORE.finditer(text):
        starts = _stops_before(text, match.start(), r"[.;!?\n]")
        begin = starts[-2] if len(starts) > 1 else 0
        end = _stop_after(text, match.end(), r"[.;!?\n]")
        raw = match.group(1) or match.group(2)
        value = int(raw) if raw.isdigit() else _NUMBERS.get(raw.lower(), -1)
        half = re.match(r"\.5\b", text[match.end():match.end() + 3]) if raw.isdigit() else None
        if half:
            value += 1  # "a 7.5": half up, as "7.5/10" reads
        if 0 <= value <= 10 and _PAIN_NEAR.search(text, begin, end):
            return Read(value, match.span(), match.group(0))
    return None


def temperature(text: str) -> Read | None:
    """The highest body temperature the text measures, in degrees Celsius (Fahrenheit converted)."""
    reads = []
    prepared = _prepare(text)
    for match in _READING.finditer(prepared):
        begin = _stops_before(prepared, match.start(), r"[.!?\n](?!\d)")[-1]
        end = _stop_after(prepared, match.end(), r"[.!?\n](?!\d)")
        if not _READING_CONTEXT.search(prepared[begin:end]):
            continue
        value = float(match.group(1).replace(",", "."))
        if 95 <= value <= 110:
            value = (value - 32) * 5 / 9
        if 34 <= value <= 43:
            reads.append(Read(round(value, 1), match.span(), match.group(0)))
    for match in _TEMPERATURE.finditer(prepared):
        raw = match.group(1) or match.group(3)
        unit = (match.group(2) or match.group(4) or match.group(5) or "").lower()[:1]
        value = float(raw.replace(",", "."))
        if match.group(3) and not unit and not re.search(r"°|º|deg", match.group(0)):
            continue
        if unit == "f" or (not unit and 93 <= value <= 113):
            value = (value - 32) * 5 / 9
        if 30 <= value <= 45:
            reads.append(Read(round(value, 1), match.span(), match.group(0)))
    return max(reads, key=lambda r: r.value) if reads else None


#: Still there after home care ("Rested, iced, ibuprofen, two weeks now. Still sore"): not improving, unless
#: the text also says it is getting better.
_STILL = re.compile(r"\bstill\s+(?:\w+\s+)?(?:sore|hurts?|hurting|painful|aching|achy|there|bad|stiff|the\s+same)\b", re.I)
_HOME_CARE = re.compile(r"\b(?:rest(?:ed|ing)?|ic(?:e|ed|ing)|heat|hot\s+water\s+bottle|ibuprofen|paracetamol|painkillers?"
                        r"|stretch(?:es|ed|ing)?|naproxen|co-codamol|tablets)\b", re.I)


_PREGNANCY_WEEKS = [
    # "24 weeks pregnant", "28wks pregnant", "34 weeks along", "I'm 30 weeks gone"
    re.compile(r"\b(\d{1,2})\s*\+?\d?\s*(?:weeks?|wks?|wk)\s+(?:pregnant|along|gone|into\s+(?:my|the)\s+pregnancy)\b", re.I),
    # "pregnant (about 20 weeks)", "pregnant, 32 weeks", "expecting, 16 weeks"
    re.compile(r"\b(?:pregnant|expecting)\W{1,3}(?:about\s+|around\s+|nearly\s+|almost\s+)?(\d{1,2})\s*(?:weeks?|wks?|wk)\b", re.I),
]
#: "I'm 30 weeks", read only beside a pregnancy word in the same message
_WEEKS_ALONE = re.compile(r"\b(?:i\s+am|i'm|im|she\s+is|she's)\s+(\d{1,2})\s*(?:weeks?|wks?)\b(?!\s+(?:ago|of|into))", re.I)
_PREGNANCY_WORD = re.compile(r"\b(?:pregnant|pregnancy|expecting|baby|bump|midwife|trimester)\b", re.I)


def pregnancy_weeks(text: str) -> Read | None:
    """How many weeks pregnant the person is ("24 weeks pregnant"; "I'm 30 weeks" beside a pregnancy word)."""
    for pattern in _PREGNANCY_WEEKS:
        match = pattern.search(text)
        if match and 0 < int(match.group(1)) <= 45:
            return Read(int(match.group(1)), match.span(), match.group(0))
    match = _WEEKS_ALONE.search(text)
    if match and _PREGNANCY_WORD.search(text) and 0 < int(match.group(1)) <= 45:
        return Read(int(match.group(1)), match.span(), match.group(0))
    return None


def improving(text: str) -> Read | None:
    """False when the text says home care is not helping or it is getting worse; True when better."""
    text = _prepare(text)
    negative = _NOT_IMPROVING.search(text)
    if negative:
        return Read(False, negative.span(), negative.group(0))
    for match in _IMPROVING.finditer(text):
        return Read(True, match.span(), match.group(0))
    still = _STILL.search(text)
    if still and _HOME_CARE.search(text):
        return Read(False, still.span(), still.group(0))
    return None
